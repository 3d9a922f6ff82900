"""Health of the app's dependencies, for a load balancer: the database always, Redis when it is configured.

The database is the app's own health: without it nothing works, so ``/healthz`` answers 503. Redis only holds
the rate-limit counters, and without it they are counted in each process's memory (app/web/ratelimits.py): the app
still serves everyone, so ``/healthz`` says ``"redis": "down"`` with 200 — or 503 when the operator asks for
strict checks (``HEALTHZ_STRICT``, e.g. to take a server out of the pool rather than let its limits drift).
"""

import logging

import sqlalchemy as sa
from flask import current_app

from app.core.extensions import db
from app.web.ratelimits import safe_uri

logger = logging.getLogger(__name__)
_redis_was_down = False  # per process: a warning when Redis stops answering, not one per health check


def database_status() -> str:
    try:
        db.session.execute(sa.text("SELECT 1")).scalar_one()
    except sa.exc.SQLAlchemyError:
        logger.exception("Health check: database unavailable")
        db.session.rollback()
        return "down"
    return "ok"


def redis_status() -> str:
    global _redis_was_down
    uri = current_app.config["RATELIMIT_STORAGE_URI"]
    if not uri.startswith(("redis://", "rediss://")):
        return "not configured"
    import redis  # lazy for fast start: only a Redis-backed rate limiter needs it

    try:
        client = redis.Redis.from_url(uri, socket_connect_timeout=1, socket_timeout=1)
        try:
            client.ping()
        finally:
            client.close()
    except redis.RedisError as error:
        if not _redis_was_down:
            logger.warning("Health check: Redis at %s does not answer (%s)", safe_uri(uri), error)
        _redis_was_down = True
        return "down"
    _redis_was_down = False
    return "ok"


def check() -> tuple[dict[str, str], bool]:
    statuses = {"database": database_status(), "redis": redis_status()}
    healthy = statuses["database"] == "ok" and (statuses["redis"] != "down" or not current_app.config["HEALTHZ_STRICT"])
    return {"status": "ok" if healthy else "error", **statuses}, healthy
