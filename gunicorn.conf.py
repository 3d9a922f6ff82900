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
# [redacted] in every access and error log line (app/log_redaction.py).
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
logger_class = "app.gunicorn_logging.RedactingLogger"
