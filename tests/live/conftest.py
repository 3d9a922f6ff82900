"""The live tier: the real app under gunicorn with the production configuration, migrated and seeded through the
``flask`` command, driven over real HTTP (httpx). PostgreSQL (a database created for the session, dropped after)
when TEST_DATABASE_URL is set, an SQLite file otherwise; Redis for the rate limits when it answers.

Nothing here holds an application context: the server is another process, the test process reads its database
through SQLAlchemy Core (``live.db``) and runs the commands as subprocesses (``live.flask(...)``)."""

from __future__ import annotations

import re
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app.devdata.demo import PROCESS_SLUG
from tests.live.harness import (
    REDIS_URI,
    Browser,
    Database,
    Gunicorn,
    create_database,
    delete_redis_keys,
    flask,
    flask_ok,
    free_port,
    production_env,
    redis_answers,
)

# Synthetic responses per demo survey: complete and in progress, in most territories, every kind of answer. More
# would add seeding time, not coverage (the exports' batching is tested on 100,000 in bench/bench_download.py).
RESPONSES = 25
FACILITATOR = "animation@demo.concerto.quebec"
PARTNERS = ("partenaire1@demo.concerto.quebec", "partenaire2@demo.concerto.quebec")
PARENTS_SLUG = "besoins-parents-0-8"
DEMO_SLUGS = ("besoins-parents-0-8", "employeurs-etudes-travail", "professions-en-demande")
RECEIPT = re.compile(r'class="receipt-code">([^<]+)<')


@pytest.fixture(autouse=True)
def _transaction():
    """Overrides the per-test transaction of tests/conftest.py: no application context in this tier."""
    yield


@dataclass
class Live:
    db: Database
    env: dict[str, str]
    server: Gunicorn
    without_redis: Gunicorn  # a second server on the same database, its Redis unreachable
    folder: Path
    seed: subprocess.CompletedProcess
    logins: dict[str, str] = field(default_factory=dict)  # e-mail -> password
    redis: bool = False

    @property
    def url(self) -> str:
        return self.server.url

    def flask(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        return flask(self.env, *args, **kwargs)

    def browser(self, language: str | None = None) -> Browser:
        return Browser(self.url, language)

    def survey_id(self, slug: str) -> int:
        return self.db.scalar("SELECT id FROM surveys WHERE slug = :slug", slug=slug)

    def process_id(self, slug: str = PROCESS_SLUG) -> int:
        return self.db.scalar("SELECT id FROM processes WHERE slug = :slug", slug=slug)


@pytest.fixture(scope="session")
def live(tmp_path_factory) -> Iterator[Live]:
    """Migrate, start both servers (their workers boot while the demo is seeded), seed, wait for them."""
    folder = tmp_path_factory.mktemp("live")
    database = create_database(folder)
    use_redis = redis_answers()
    prefix = f"concerto-live-{uuid.uuid4().hex}:"
    env = production_env(database.url, ratelimit_uri=REDIS_URI if use_redis else "memory://", key_prefix=prefix)
    # One worker, so that its log and its in-memory rate-limit counters are those of one process.
    dead_redis = {"RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{free_port()}/0", "LOGIN_RATE_LIMIT": "4/minute"}
    servers = [
        Gunicorn(env, folder / "gunicorn.log"),
        Gunicorn({**env, **dead_redis}, folder / "gunicorn-without-redis.log", workers=1),
    ]
    try:
        flask_ok(env, "db", "upgrade")
        for server in servers:
            server.launch()
        seed = flask_ok(env, "seed-demo", "--responses", str(RESPONSES), "--logins-file", str(folder / "logins.txt"))
        logins = {}
        for line in (folder / "logins.txt").read_text(encoding="utf-8").splitlines():
            _role, email, password = line.split()
            logins[email] = password
        for server in servers:
            server.wait_ready()
        yield Live(database, env, servers[0], servers[1], folder, seed, logins, use_redis)
    finally:
        for server in servers:
            server.signal_stop()  # both shut down at the same time
        for server in servers:
            server.stop()
        database.drop()
        if use_redis:
            delete_redis_keys(prefix)


@pytest.fixture(scope="session")
def facilitator(live) -> Iterator[Browser]:
    """The demo facilitator, signed in for the whole session."""
    browser = live.browser()
    response = browser.sign_in(FACILITATOR, live.logins[FACILITATOR])
    assert response.status_code == 200 and browser.path != "/login", browser.html[:1000]
    yield browser
    browser.close()


@dataclass
class DemoVote:
    ballot_id: int
    options: list[tuple[int, str]]  # (option id, French label) in the ballot's order
    receipts: dict[str, str]


@pytest.fixture(scope="session")
def demo_vote(live, facilitator) -> DemoVote:
    """The demo's draft ranking ballot opened by the facilitator, both demo partners voting through the voting
    booth, then closed."""
    ballot_id = live.db.scalar("SELECT id FROM ballots ORDER BY id LIMIT 1")
    options = [
        (row.id, row.label_fr)
        for row in live.db.rows(
            "SELECT id, label_fr FROM ballot_options WHERE ballot_id = :b ORDER BY position", b=ballot_id
        )
    ]
    manage = f"/manage/ballots/{ballot_id}"
    assert facilitator.post(f"{manage}/open", token_from=manage).status_code == 200
    receipts = {}
    rankings = {PARTNERS[0]: (2, 0, 1), PARTNERS[1]: (0, 2)}
    for email, ranking in rankings.items():
        partner = live.browser()
        try:
            assert partner.sign_in(email, live.logins[email]).status_code == 200
            data = {f"rank-{options[index][0]}": str(rank) for rank, index in enumerate(ranking, start=1)}
            voted = partner.post(f"/ballots/{ballot_id}/vote", data, token_from=f"/ballots/{ballot_id}")
            assert voted.status_code == 200, voted.text[:1000]
            receipts[email] = _receipt(voted.text)  # shown once
        finally:
            partner.close()
    assert facilitator.post(f"{manage}/close", token_from=manage).status_code == 200
    return DemoVote(ballot_id, options, receipts)


def _receipt(html: str) -> str | None:
    match = RECEIPT.search(html)
    return match.group(1) if match else None
