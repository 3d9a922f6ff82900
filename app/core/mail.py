"""Outgoing e-mail, sent only once the transaction that wrote it has committed.

:func:`send_mail` queues a message on the current database session (after Indico's ``core/notifications.py``).
When the session commits, the queue is delivered: during a request, after the response has been sent
(app/core/deferred.py), so neither the delivery nor its duration shows to the person; in a command, at once. A rollback
drops what was queued inside what it undid (a whole transaction, or only a savepoint), and a transaction that ends
without a commit drops its queue: nobody receives a link to something that was never saved.

Delivery: SMTP (one connection per batch) when ``MAIL_SERVER`` is set; without it, each message is written as an
``.eml`` file to ``MAIL_OUTBOX_DIR`` (development), or else dropped with a warning naming its subject only. The log
never holds a recipient's address nor a message's body: bodies carry links that work.
"""

import logging
import smtplib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session, SessionTransaction

from app.core.database import listen_once
from app.core.deferred import after_response
from app.core.extensions import db

logger = logging.getLogger(__name__)

_QUEUE = "concerto.mail_queue"


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


def register(app: Flask) -> None:
    """The queue works through session events (wired here, once per process); say at start when messages cannot
    leave."""
    listen_once(Session, "after_commit", _release_on_commit)
    listen_once(Session, "after_soft_rollback", _drop_on_rollback)
    listen_once(Session, "after_transaction_end", _drop_uncommitted)
    if not app.config["MAIL_SERVER"] and not app.config["MAIL_OUTBOX_DIR"] and not app.testing:
        logger.warning("MAIL_SERVER is not set: invitations and password-reset links will not be e-mailed")


def send_mail(to: str, subject: str, body: str) -> None:
    """Queue a message; it leaves when the current transaction commits and is dropped if it rolls back."""
    session = db.session()
    transaction = session.get_nested_transaction() or session.get_transaction() or session.begin()
    session.info.setdefault(_QUEUE, []).append((transaction, Message(to, subject, body)))


def deliver(messages: list[Message]) -> None:
    """Hand ``messages`` to the configured transport (needs an application context)."""
    config = current_app.config
    if config["MAIL_SERVER"]:
        _send_smtp(messages, config)
    elif config.get("MAIL_OUTBOX_DIR"):
        _write_files(messages, Path(config["MAIL_OUTBOX_DIR"]), config["MAIL_DEFAULT_SENDER"])
    else:
        for message in messages:
            logger.warning("MAIL_SERVER is not set: the message %r was not sent", message.subject)


def _email(message: Message, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to
    email["Subject"] = message.subject
    email.set_content(message.body)
    return email


def _send_smtp(messages: list[Message], config) -> None:
    # Errors are logged by class name only: their text can hold the recipient's address.
    done = 0
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            for message in messages:
                try:
                    smtp.send_message(_email(message, config["MAIL_DEFAULT_SENDER"]))
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
                    logger.error("Mail %r refused by the mail server (%s)", message.subject, type(error).__name__)
                else:
                    logger.info("Mail %r sent", message.subject)
                done += 1
    except (smtplib.SMTPException, OSError) as error:
        logger.error("Mail server failed (%s): %d message(s) not sent", type(error).__name__, len(messages) - done)


def _write_files(messages: list[Message], folder: Path, sender: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for message in messages:
        path = folder / f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
        path.write_bytes(_email(message, sender).as_bytes())
        logger.info("No MAIL_SERVER: the message %r was written to %s", message.subject, path)


def _within(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    """Whether ``transaction`` is ``ended`` or nested inside it (None: before any transaction, i.e. the root)."""
    if transaction is None:
        return ended.parent is None
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


def _release_on_commit(session: Session) -> None:
    queued = session.info.pop(_QUEUE, None)
    if not queued:
        return
    messages = [message for _transaction, message in queued]
    if not has_app_context():
        logger.error("%d message(s) committed outside the app were not sent", len(messages))
        return
    after_response(deliver, messages)


def _drop_on_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    queued = session.info.get(_QUEUE)
    if queued:
        session.info[_QUEUE] = [(t, m) for t, m in queued if not _within(t, previous_transaction)]


def _drop_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    # After a commit the queue is already gone; any other end of the outermost transaction (rollback, close)
    # leaves nothing to send.
    if transaction.parent is None:
        session.info.pop(_QUEUE, None)
