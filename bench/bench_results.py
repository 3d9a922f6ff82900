"""Benchmark of the results page against the bare SQL it needs, on PostgreSQL.

    .venv/bin/python -m bench results
    BENCH_RESULTS_RESPONSES=10000 .venv/bin/python -m bench results      # a smaller run

1. *Data*: 100,000 synthetic responses (app/devdata/synthetic.py) to the 20-question parent-needs survey of
   bench/bench_respond.py, in the database ``bench_results`` (``BENCH_RESULTS_DATABASE_URL`` to change it),
   created when missing and dropped at the end (bench/databases.py). With ``BENCH_KEEP_DATABASES=1`` it is kept,
   and the next run reuses its data when it has the right size (generating it takes minutes). Skipped, with the
   reason, when PostgreSQL does not answer.
2. *Page*: ``GET /surveys/<id>/results`` through the test client, signed in as a facilitator, no filter, then
   with a territory filter and a cross-tabulation. Every SQL statement the request sends is recorded.
3. *Floor*: the same statements, with the same parameters, sent again through the bare DBAPI cursor and fetched,
   with nothing else around them: what the page would cost if rendering, Python-side assembly and Flask were free.

Each is timed 5 times after one warm-up; the medians are compared. Target: page ≤ 1.5 × its bare SQL.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_results"
RESPONSES = int(os.environ.get("BENCH_RESULTS_RESPONSES", "100000"))
RATIO_BUDGET = 1.5
REPEATS = 5
PASSWORD = "bench-password-1234"  # noqa: S105 - a throwaway account in a throwaway database


def _prepare(survey_slug: str = "besoins-parents") -> tuple[int, str]:
    """The survey's id and a facilitator's e-mail, generating the data when it is not there at the right size."""
    from app.core.extensions import db
    from app.devdata.synthetic import generate_responses
    from app.models import Response, Role, Survey, User
    from bench.bench_respond import build_survey

    if not db.inspect(db.engine).has_table("surveys"):
        db.create_all()
    survey = db.session.scalar(db.select(Survey).filter_by(slug=survey_slug))
    count = db.session.scalar(db.select(db.func.count(Response.id)).filter_by(survey_id=survey.id)) if survey else None
    if count != RESPONSES:
        db.session.close()
        db.drop_all()
        db.create_all()
        survey = build_survey()
        end = datetime.now(UTC)
        started = time.perf_counter()
        generate_responses(survey, RESPONSES, seed=4, start=end - timedelta(days=45), end=end, moderation_items=False)
        db.session.commit()
        print(f"   generated {RESPONSES:,} responses in {time.perf_counter() - started:.0f} s", flush=True)
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
    else:
        print(f"   reusing the {RESPONSES:,} responses already in the database", flush=True)
    email = "bench-facilitator@example.org"
    if db.session.scalar(db.select(User).filter_by(email=email)) is None:
        user = User(email=email, name="Bench", role=Role.FACILITATOR, locale="fr_CA", active=True)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    return survey.id, email


def _signed_in_client(app, email: str):
    import re

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.status_code
    return client


def _median_seconds(action) -> float:
    action()  # warm-up: caches, compiled statements, the database's buffers
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _measure(app, client, path: str) -> dict:
    from sqlalchemy import event

    from app.core.extensions import db

    statements: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _executemany):
        statements.append((statement, parameters))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200, (path, response.status_code)

    def page() -> None:
        assert client.get(path).status_code == 200

    def bare_sql() -> None:
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            for statement, parameters in statements:
                cursor.execute(statement, parameters)
                if cursor.description is not None:
                    cursor.fetchall()
            connection.rollback()
        finally:
            connection.close()

    page_s, sql_s = _median_seconds(page), _median_seconds(bare_sql)
    return {"queries": len(statements), "page": page_s, "sql": sql_s, "ratio": page_s / sql_s}


def run() -> list[dict]:
    from app import create_app
    from app.core.extensions import db
    from bench.databases import database

    with database(os.environ.get("BENCH_RESULTS_DATABASE_URL", DEFAULT_URL)) as url:
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
        try:
            return _run(app)
        finally:
            with app.app_context():
                db.engine.dispose()


def _run(app) -> list[dict]:
    from app.core.extensions import db
    from app.models import Question, QuestionType, Territory

    rows: list[dict] = []
    with app.app_context():
        survey_id, email = _prepare()
        territory = db.session.scalar(db.select(Territory.id).order_by(Territory.id))
        crossable = db.session.scalars(
            db.select(Question.id)
            .filter_by(survey_id=survey_id, type=QuestionType.SINGLE_CHOICE)
            .order_by(Question.position)
            .limit(2)
        ).all()
        db.session.close()
        client = _signed_in_client(app, email)
        pages = {
            "results page, no filter": f"/surveys/{survey_id}/results",
            "results page, territory + cross-tab": (
                f"/surveys/{survey_id}/results?territory={territory}&row={crossable[0]}&column={crossable[1]}"
            ),
        }
        for name, path in pages.items():
            measured = _measure(app, client, path)
            print(
                f"   {name}: page {measured['page'] * 1000:.0f} ms, its {measured['queries']} SQL statements alone "
                f"{measured['sql'] * 1000:.0f} ms, ratio {measured['ratio']:.2f}",
                flush=True,
            )
            rows.append(
                {
                    "name": f"{name} / its bare SQL",
                    "value": measured["ratio"],
                    "unit": "x",
                    "target": f"<= {RATIO_BUDGET}",
                    "ok": measured["ratio"] <= RATIO_BUDGET,
                }
            )
            rows.append(
                {"name": f"{name} ({RESPONSES:,})", "value": measured["page"], "unit": "s", "target": "-", "ok": True}
            )
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
