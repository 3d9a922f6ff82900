"""WSGI entry point of the load benchmark (``gunicorn bench.floor_app:app``): Concerto plus the *floor*.

The floor is the cheapest useful request this server can answer: ``POST /bench/floor`` receives one form field
and inserts one row into ``bench_floor``, a table the benchmark creates itself (:func:`create_floor_table`; no
migration, it is not part of Concerto's schema). The endpoint exists only in this module, and only when the
environment sets ``BENCH_FLOOR=1``: production serves ``wsgi:app``, which never registers it.

Everything else is the production application (``CONCERTO_CONFIG=production``), so the floor's requests go
through the same gunicorn workers, the same request hooks (security headers, locale, session) and the same
connection pool as the respondents'.
"""

from __future__ import annotations

import os
import threading

import sqlalchemy as sa
from flask import Blueprint, Flask, request

from app import create_app
from app.auth.access import public
from app.core.extensions import csrf, db

FLOOR_TABLE = "bench_floor"


def create_floor_table(connection: sa.Connection) -> None:
    connection.execute(
        sa.text(
            f"CREATE TABLE IF NOT EXISTS {FLOOR_TABLE} ("
            "id BIGSERIAL PRIMARY KEY, payload VARCHAR(200) NOT NULL, "
            "created_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
    )


def _floor_blueprint() -> Blueprint:
    bp = Blueprint("bench_floor", __name__)
    insert = sa.text(f"INSERT INTO {FLOOR_TABLE} (payload) VALUES (:payload)")  # noqa: S608 - a constant name

    @bp.post("/bench/floor")
    @public
    def floor():
        db.session.execute(insert, {"payload": request.form.get("payload", "")[:200]})
        db.session.commit()
        return "", 204

    csrf.exempt(bp)
    return bp


class _Profiled:
    """WSGI middleware (``BENCH_PROFILE=<directory>``): cProfile every request of this worker, save the sum at
    exit as ``<directory>/worker-<pid>.prof`` (read with ``python -m pstats``)."""

    def __init__(self, wsgi_app, directory: str) -> None:
        import atexit
        import cProfile

        self.wsgi_app = wsgi_app
        self.profile = cProfile.Profile()
        self.lock = threading.Lock()
        self.path = os.path.join(directory, f"worker-{os.getpid()}.prof")
        self.requests = 0
        atexit.register(self.profile.dump_stats, self.path)

    def __call__(self, environ, start_response):
        with self.lock:  # one profiler per process: requests of one worker are profiled one at a time
            self.profile.enable()
            try:
                return list(self.wsgi_app(environ, start_response))
            finally:
                self.profile.disable()
                self.requests += 1
                if self.requests % 10 == 0:
                    self.profile.dump_stats(self.path)


def create_bench_app() -> Flask:
    if os.environ.get("BENCH_FLOOR") != "1":
        raise RuntimeError("bench.floor_app is the load benchmark's server: set BENCH_FLOOR=1 (never in production)")
    application = create_app()
    application.register_blueprint(_floor_blueprint())
    if os.environ.get("BENCH_PROFILE"):
        application.wsgi_app = _Profiled(application.wsgi_app, os.environ["BENCH_PROFILE"])
    return application


app = create_bench_app()
