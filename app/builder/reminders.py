"""Reminders to invitees who have not answered: once each, after the facilitator has seen how many will go.

Only identified surveys keep an invitation's address (app/builder/invitations.py): anonymous and confidential ones
forget it once the links are sent, so they cannot be reminded, and the distribution page says so. "Not answered"
means the link was never used to start a response (``used_at`` is empty; completing writes nothing to the
invitation, so a response started and left is not reminded). Expired links are not reminded.

The first link's clear token is not stored, so a reminder carries a second link to the same invitation
(``reminder_token_hash``); either opens it. Each invitation is marked with a conditional UPDATE before its mail is
queued, so two facilitators sending at the same moment remind nobody twice; the mails leave after the commit
(app/mail.py).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln

from app.compliance import audit
from app.core.errors import DomainError
from app.core.extensions import db
from app.core.mail import send_mail
from app.models import Anonymity, Invitation, Survey, User, utcnow
from app.models.people import hash_token
from app.web.urls import external_url


class ReminderError(DomainError):
    """Reminders that cannot be sent (the survey keeps no address, nobody to remind, the count changed)."""


@dataclass(frozen=True)
class ReminderSummary:
    possible: bool  # the survey keeps addresses (identified)
    pending: int  # invitees who have not answered and were never reminded (links still valid)
    reminded: int  # invitations reminded so far


def can_remind(survey: Survey) -> bool:
    return survey.anonymity is Anonymity.IDENTIFIED


def _pending_filter(survey: Survey, now: datetime):
    return (
        Invitation.survey_id == survey.id,
        Invitation.email.is_not(None),
        Invitation.used_at.is_(None),
        Invitation.reminded_at.is_(None),
        sa.or_(Invitation.expires_at.is_(None), Invitation.expires_at > now),
    )


def summary(survey: Survey, now: datetime | None = None) -> ReminderSummary:
    now = now or utcnow()
    if not can_remind(survey):
        return ReminderSummary(False, 0, 0)
    pending = db.session.scalar(sa.select(sa.func.count(Invitation.id)).where(*_pending_filter(survey, now)))
    reminded = db.session.scalar(
        sa.select(sa.func.count(Invitation.id)).where(
            Invitation.survey_id == survey.id, Invitation.reminded_at.is_not(None)
        )
    )
    return ReminderSummary(True, pending or 0, reminded or 0)


def reminded_invitations(survey: Survey) -> list[Invitation]:
    """Who was reminded when (most recent first), with whether they have answered since."""
    return list(
        db.session.execute(
            sa.select(Invitation)
            .where(Invitation.survey_id == survey.id, Invitation.reminded_at.is_not(None))
            .order_by(Invitation.reminded_at.desc(), Invitation.email)
        ).scalars()
    )


def send_reminders(actor: User, survey: Survey, expected: int, now: datetime | None = None) -> int:
    """Remind every pending invitee once, if they are still the ``expected`` number the facilitator confirmed;
    returns how many mails were queued. Raises :class:`ReminderError` otherwise (nothing is written)."""
    now = now or utcnow()
    if not can_remind(survey):
        raise ReminderError(
            _l(
                "This survey is not identified: it keeps no address once the invitations are sent, so no reminder "
                "can be sent."
            )
        )
    pending = list(
        db.session.execute(sa.select(Invitation).where(*_pending_filter(survey, now)).order_by(Invitation.id)).scalars()
    )
    if not pending:
        raise ReminderError(_l("Nobody to remind: every invitee has answered or has already been reminded."))
    if len(pending) != expected:
        raise ReminderError(
            _ln(
                "The number of people to remind has changed: %(num)d now. Check it and confirm again.",
                "The number of people to remind has changed: %(num)d now. Check it and confirm again.",
                len(pending),
            )
        )
    sent = 0
    for invitation in pending:
        token = secrets.token_urlsafe(24)
        marked = db.session.execute(
            sa.update(Invitation)
            .where(Invitation.id == invitation.id, Invitation.reminded_at.is_(None), Invitation.used_at.is_(None))
            .values(reminded_at=now, reminder_token_hash=hash_token(token))
        )
        if marked.rowcount != 1:  # reminded or used meanwhile
            continue
        _mail(survey, invitation.email, external_url("respond.show_invitation", token=token), invitation.sent_at)
        sent += 1
    db.session.expire_all()
    audit.record(actor, "survey.reminders", survey, count=sent)
    return sent


def _mail(survey: Survey, to: str, link: str, first_sent_at: datetime | None) -> None:
    bodies = []
    for locale in ("fr_CA", "en"):
        with force_locale(locale):
            bodies.append(
                render_template("emails/survey_reminder.txt", survey=survey, link=link, first_sent_at=first_sent_at)
            )
    title = f"{survey.title_fr} / {survey.title_en}" if survey.title_en else survey.title_fr
    subject = " ".join(f"Rappel / Reminder — {title}".split())
    send_mail(to, subject, "\n\n— — —\n\n".join(bodies))
