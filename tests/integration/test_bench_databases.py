"""`make bench` on a fresh machine: a benchmark creates the database it needs and drops what it created, or is
skipped with one line saying why (bench/databases.py)."""

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from bench.databases import Skipped, database, require_postgres

ROOT = Path(__file__).resolve().parents[2]


def exists(admin: sa.Engine, name: str) -> bool:
    with admin.connect() as connection:
        return connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}) is not None


@pytest.fixture
def server(app):
    url = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    yield url, admin
    admin.dispose()


@pytest.mark.postgres_only
def test_a_missing_database_is_created_then_dropped(server, monkeypatch):
    monkeypatch.delenv("BENCH_KEEP_DATABASES", raising=False)
    url, admin = server
    name = f"{url.database}_bench_{uuid.uuid4().hex[:8]}"
    target = url.set(database=name).render_as_string(hide_password=False)
    with database(target) as ready:
        assert ready == target
        assert exists(admin, name)
        engine = sa.create_engine(ready)
        with engine.connect() as connection:
            assert connection.scalar(sa.text("SELECT current_database()")) == name
        engine.dispose()
    assert not exists(admin, name)


@pytest.mark.postgres_only
def test_an_existing_database_is_used_and_left_in_place(server):
    url, admin = server
    name = f"{url.database}_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        with database(url.set(database=name).render_as_string(hide_password=False)):
            pass
        assert exists(admin, name)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_no_postgres_means_skipped_with_one_line():
    unreachable = "postgresql+psycopg://postgres@127.0.0.1:1/bench_export"
    with pytest.raises(Skipped) as skipped, database(unreachable):
        pytest.fail("ran without a database")
    assert str(skipped.value).startswith("PostgreSQL not reachable at 127.0.0.1:1 (")
    assert "\n" not in str(skipped.value)
    with pytest.raises(Skipped):
        require_postgres(unreachable)


def test_make_bench_prints_the_reason_and_goes_on(tmp_path):
    """`python -m bench export` without PostgreSQL: one line says why, and the run does not fail."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "export"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "BENCH_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/bench_export"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "   skipped: PostgreSQL not reachable at 127.0.0.1:1" in completed.stdout
    assert completed.stdout.rstrip().splitlines()[-1].startswith("export skipped: PostgreSQL not reachable")
