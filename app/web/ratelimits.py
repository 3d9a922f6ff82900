"""Rate limits (Flask-Limiter, ``app.core.extensions.limiter``): where they are counted, and what happens when that
store does not answer.

With ``RATELIMIT_STORAGE_URI=redis://…`` every worker and server shares the counters. When Redis does not answer,
Flask-Limiter's in-memory fallback (``RATELIMIT_IN_MEMORY_FALLBACK_ENABLED``, on in every configuration) counts
the same limits in each process's memory, and checks now and then whether Redis is back: respondents and
sign-in keep working (with per-process limits) instead of answering 500. Flask-Limiter reports the switch on its
own logger, which has nothing but a NullHandler; :func:`register` relays those reports to this module's logger,
so that the operator reads one warning per process when the fallback starts (and a note when Redis is back).
"""

import logging
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, current_app, has_app_context

logger = logging.getLogger(__name__)


def safe_uri(uri: str) -> str:
    """The storage URI without its password, for the logs."""
    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


class _Relay(logging.Handler):
    """Flask-Limiter's own reports (storage unreachable, recovered), logged again under this module's name."""

    def emit(self, record: logging.LogRecord) -> None:
        store = safe_uri(current_app.config["RATELIMIT_STORAGE_URI"]) if has_app_context() else "?"
        logger.log(record.levelno, "Rate limits (%s): %s", store, record.getMessage(), exc_info=record.exc_info)


_RELAY = _Relay()


def register(app: Flask) -> None:
    source = logging.getLogger("flask-limiter")
    if _RELAY not in source.handlers:
        source.addHandler(_RELAY)
        source.propagate = False  # relayed: each report is logged once, under app.web.ratelimits
