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
# The path only (%(U)s), never the query string: links can carry tokens.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


def post_worker_init(worker) -> None:
    """Load the French language model in each worker once the app is loaded, before it accepts connections.

    spaCy, its pipeline and the word lists are loaded on first use (never at import, so commands start fast);
    loading them here means the first free-text answer a worker analyses costs what the hundredth does. It adds
    about 3 s to a worker's start and ~150 MB to its memory (README, "Memory per worker"). NLP_WARM_UP=0 skips it.
    """
    if os.environ.get("NLP_WARM_UP", "1").strip().lower() in {"0", "false", "no", "off"}:
        return
    import time

    from app.moderation.pii import warm_up

    started = time.perf_counter()
    warm_up()
    worker.log.info("Worker %s: French language model loaded in %.1f s", worker.pid, time.perf_counter() - started)
