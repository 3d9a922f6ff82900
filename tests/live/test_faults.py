"""Faults degrade, never break: the rate-limit store (Redis) unreachable, the database connections killed in the
middle of a journey. Respondents and people signing in keep going; nothing is lost or doubled."""

import pytest

from tests.live.conftest import FACILITATOR
from tests.live.harness import Browser, Gunicorn
from tests.live.journeys import answer_parents_survey, assert_one_complete_response, last_response_id

FALLBACK_WARNING = "falling back to in-memory storage"


@pytest.fixture
def without_redis(live) -> Gunicorn:
    """The second server of the session: same database, RATELIMIT_STORAGE_URI at a port where nothing listens,
    sign-in limited to 4 attempts a minute, one worker."""
    return live.without_redis


def test_health_check_says_redis_is_down_and_the_app_up(live, without_redis):
    browser = Browser(without_redis.url)
    try:
        health = browser.get("/healthz")
        assert health.status_code == 200
        assert health.json() == {"status": "ok", "database": "ok", "redis": "down"}
    finally:
        browser.close()


def test_respondents_and_sign_in_work_without_redis(live, without_redis):
    since = last_response_id(live)
    parent = Browser(without_redis.url)
    try:
        answer_parents_survey(parent)
    finally:
        parent.close()
    assert_one_complete_response(live, since)

    person = Browser(without_redis.url)
    try:
        assert person.sign_in(FACILITATOR, live.logins[FACILITATOR]).status_code == 200
        assert person.path != "/login" and person.get("/account").status_code == 200
        assert person.sign_out().status_code == 200
        # The limits still hold, counted in this process's memory: 4 sign-in attempts a minute from one address.
        statuses = [person.sign_in("personne@example.org", "mauvais mot de passe").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
    finally:
        person.close()
    assert without_redis.log_text().count(FALLBACK_WARNING) == 1, without_redis.log_text()[-3000:]


def test_database_connections_killed_in_the_middle_of_a_journey(live):
    if not live.db.is_postgres:
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL (pg_terminate_backend; make test does)")
    since = last_response_id(live)
    killed = []

    def kill_connections(number, browser):
        killed.append(live.db.terminate_connections())
        if number == 2:
            # The page is sent again after the connections died (a reload after an error): stored once.
            again = browser.replay()
            assert again.status_code == 200 and "Page 3 de 4" in again.text, again.text[:1000]
        return browser

    parent = live.browser()
    try:
        answer_parents_survey(parent, between_pages=kill_connections)
    finally:
        parent.close()
    assert killed[0] >= 1, "the server held no connection to kill"
    assert_one_complete_response(live, since)
