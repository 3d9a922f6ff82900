"""gunicorn settings for `make serve` (production). Each value can be overridden by an environment variable."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Two workers per core plus one, the usual starting point for I/O-bound Flask apps; each has its own DB pool.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# No recycling by default: a gthread worker that restarts drops the keep-alive connections it holds (gunicorn
# issue #3038), which a respondent would see as an error on submit (the load benchmark's paced run found it).
# Set GUNICORN_MAX_REQUESTS (e.g. 2000) to recycle workers if a leak ever shows.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# The path only (%(U)s), never the query string; the tokens of invitation, resume and reset links are replaced by
# [redacted] in every access and error log line (app/compliance/log_redaction.py).
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
logger_class = "app.web.gunicorn_logging.RedactingLogger"

# The app is loaded once, in the master, and the workers are forked from it (they share its memory, copy on
# write): with the French language model loaded there before the fork (when_ready), each worker starts with it
# and keeps ~15 MB of its own, instead of loading ~190 MB each (README, "Memory per worker"). Code changes then
# need a restart, not a HUP (a deploy restarts the servers anyway). GUNICORN_PRELOAD=0 loads the app in each worker.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1").strip().lower() not in {"0", "false", "no", "off"}


def _warm_up_enabled() -> bool:
    return os.environ.get("NLP_WARM_UP", "1").strip().lower() not in {"0", "false", "no", "off"}


def _warm_up(log, who: str) -> None:
    """Load what free-text analysis needs (spaCy, its pipeline, the word lists, phonenumbers' metadata).

    They load on first use, never at import (commands start fast); loading them before any traffic means the first
    free-text answer costs what the hundredth does. NLP_WARM_UP=0 skips it (the first free text then pays ~4 s)."""
    if not _warm_up_enabled():
        return
    import time

    from app.moderation.pii import warm_up

    started = time.perf_counter()
    warm_up()
    log.info("%s: French language model ready in %.1f s", who, time.perf_counter() - started)


def when_ready(server) -> None:
    """In the master, once the app is loaded (preload) and before the workers are forked."""
    if not preload_app:
        return
    import gc

    _warm_up(server.log, "Master")
    gc.collect()
    gc.freeze()  # the collector never touches these objects again, so their pages stay shared with the workers


def post_fork(server, worker) -> None:
    """A worker must not share the master's database connections (the master makes none today: be sure)."""
    if not preload_app:
        return
    from flask import Flask

    from app.core.extensions import db

    application = server.app.wsgi()  # the app the master loaded (wsgi:app, or a benchmark's)
    if isinstance(application, Flask):
        with application.app_context():
            db.engine.dispose(close=False)


def post_worker_init(worker) -> None:
    """In each worker, once it loaded the app and before it accepts connections: loads the model when the worker did
    not inherit it (GUNICORN_PRELOAD=0); otherwise it only checks it, in a few milliseconds."""
    _warm_up(worker.log, f"Worker {worker.pid}")
