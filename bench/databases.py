"""The databases the benchmarks need: created when missing, dropped afterwards when the benchmark created them.

``make bench`` on a fresh machine has no benchmark database: each benchmark that needs PostgreSQL asks for its
database through :func:`database`, which creates it (trust authentication on the local server, as the tests use)
and drops it once the benchmark is done. A database that already existed is used and left in place.
``BENCH_KEEP_DATABASES=1`` keeps the created ones too (to look at the data, or to let bench_results reuse its
100,000 responses next time). When PostgreSQL does not answer, the benchmark is skipped with one line saying why
(:class:`Skipped`, printed by ``python -m bench``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa


class Skipped(Exception):
    """This benchmark cannot run on this machine; the message says why, in one line."""


def keep_databases() -> bool:
    return os.environ.get("BENCH_KEEP_DATABASES", "").strip().lower() in {"1", "true", "yes"}


def _admin_engine(url: sa.URL) -> sa.Engine:
    return sa.create_engine(
        url.set(database="postgres"), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )


def _unreachable(url: sa.URL, error: Exception) -> Skipped:
    text = str(getattr(error, "orig", None) or error).strip()
    reason = text.splitlines()[0] if text else type(error).__name__
    return Skipped(f"PostgreSQL not reachable at {url.host}:{url.port or 5432} ({reason})")


@contextmanager
def database(url: str, *, reset: bool = False) -> Iterator[str]:
    """Yield ``url`` once its database exists; drop it afterwards if it was created here.

    ``reset``: drop the database first when it exists (the benchmark wants it empty), then it counts as created.
    Not PostgreSQL (SQLite): yielded as it is, the file is created on first use.
    """
    target = sa.make_url(url)
    if target.get_backend_name() != "postgresql":
        yield url
        return
    name = target.database
    admin = _admin_engine(target)
    created = False
    try:
        try:
            with admin.connect() as connection:
                if reset:
                    connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                exists = connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
                if not exists:
                    connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
                    created = True
        except sa.exc.OperationalError as error:
            raise _unreachable(target, error) from None
        if created:
            after = "kept afterwards (BENCH_KEEP_DATABASES)" if keep_databases() else "dropped at the end"
            print(f"   database {name}: created, {after}", flush=True)
        yield url
    finally:
        if created and not keep_databases():
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            print(f"   database {name}: dropped", flush=True)
        admin.dispose()


def require_postgres(url: str) -> None:
    """Raise :class:`Skipped` unless the PostgreSQL server of ``url`` answers."""
    target = sa.make_url(url)
    if target.get_backend_name() != "postgresql":
        raise Skipped(f"needs PostgreSQL, not {target.get_backend_name()} (BENCH_DATABASE_URL)")
    admin = _admin_engine(target)
    try:
        with admin.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as error:
        raise _unreachable(target, error) from None
    finally:
        admin.dispose()
