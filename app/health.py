"""Health of the app's dependencies, for a load balancer: the database always, Redis when it is configured."""

import logging

import sqlalchemy as sa
from flask import current_app

from app.extensions import db

logger = logging.getLogger(__name__)


def database_status() -> str:
    try:
        db.session.execute(sa.text("SELECT 1")).scalar_one()
    except sa.exc.SQLAlchemyError:
        logger.exception("Health check: database unavailable")
        db.session.rollback()
        return "unavailable"
    return "ok"


def redis_status() -> str:
    uri = current_app.config["RATELIMIT_STORAGE_URI"]
    if not uri.startswith(("redis://", "rediss://")):
        return "not configured"
    import redis

    try:
        client = redis.Redis.from_url(uri, socket_connect_timeout=1, socket_timeout=1)
        try:
            client.ping()
        finally:
            client.close()
    except redis.RedisError:
        logger.exception("Health check: Redis unavailable")
        return "unavailable"
    return "ok"


def check() -> tuple[dict[str, str], bool]:
    statuses = {"database": database_status(), "redis": redis_status()}
    healthy = all(value != "unavailable" for value in statuses.values())
    return {"status": "ok" if healthy else "error", **statuses}, healthy
