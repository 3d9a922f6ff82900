"""Rate limits stored in Redis are shared by every app server (here: two app instances)."""

import uuid

import pytest
import redis

from app import create_app
from app.core.extensions import db
from tests.conftest import csrf_token_from

REDIS_URI = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_available():
    client = redis.Redis.from_url(REDIS_URI, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("needs the local Redis on 127.0.0.1:6379")
    finally:
        client.close()


@pytest.mark.committed
def test_two_servers_share_login_limits_through_redis(redis_available, tmp_path):
    prefix = f"concerto-test-{uuid.uuid4().hex}"
    config = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'shared.db'}",
        "RATELIMIT_STORAGE_URI": REDIS_URI,
        "RATELIMIT_KEY_PREFIX": prefix,
        # Keys of their own: another test run resetting its limits on the same Redis deletes only its own keys.
        "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": prefix},
    }
    servers = [create_app("testing", config), create_app("testing", config)]
    with servers[0].app_context():
        db.create_all()
    try:
        statuses = []
        for attempt in range(11):
            client = servers[attempt % 2].test_client()
            token = csrf_token_from(client.get("/login").get_data(as_text=True))
            response = client.post("/login", data={"email": "x@example.org", "password": "wrong", "csrf_token": token})
            statuses.append(response.status_code)
        assert statuses == [200] * 10 + [429]
    finally:
        client = redis.Redis.from_url(REDIS_URI)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        client.close()
        for server in servers:
            with server.app_context():
                db.engine.dispose()
