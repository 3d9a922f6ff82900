"""No log line holds a working link.

The tokens of resume links (``/r/<token>``), invitation links (``/i/<token>``), account invitations
(``/account/invitation/<token>``) and password resets (``/password/reset/<token>``) open a respondent's answers or
an account: whoever reads a log must not be able to use them. :func:`redact` replaces them with ``[redacted]``;
:func:`install` makes every log record of the process go through it (the app's own loggers, Flask's, werkzeug's
development server); gunicorn's access and error logs go through :class:`app.web.gunicorn_logging.RedactingLogger`.
A test walks the URL map: a new route with a ``token`` argument fails it until its prefix is listed here.
"""

import logging
import re
from collections.abc import Callable

REDACTED = "[redacted]"
TOKEN_PREFIXES = ("r", "i", "password/reset", "account/invitation")
_PREFIXES = "|".join(re.escape(prefix) for prefix in TOKEN_PREFIXES)
_TOKEN_PATH = re.compile(r"(/(?:" + _PREFIXES + r")/)[^/?#\s\"'<>]+")


def redact(text: str) -> str:
    return _TOKEN_PATH.sub(r"\g<1>" + REDACTED, text)


def redact_record(record: logging.LogRecord) -> None:
    """Rewrite ``record`` in place: its message formatted and redacted, its traceback too."""
    try:
        message = record.getMessage()
    except Exception:  # a malformed call: logging reports it when the record is emitted
        return
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, ()
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def install() -> None:
    """Redact every log record created in this process from now on (idempotent)."""
    previous: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()
    if getattr(previous, "redacts_tokens", False):
        return

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        redact_record(record)
        return record

    factory.redacts_tokens = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
