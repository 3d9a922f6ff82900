"""Benchmark of moderation pages and services.

    .venv/bin/python -m bench moderation
    BENCH_MODERATION_ITEMS=20000 .venv/bin/python -m bench moderation      # a smaller run

(a) The facilitator queue (/moderation/items filtered on a process, first page of 50) on a process with 100 items
    and on a process with 100,000 items (bulk-inserted, same SQLite file database): the page must answer in about
    the same time (pagination and the (process_id, created_at) index do the work). Median of many requests through
    the test client, signed in as a facilitator. The state filter and a text search on 100,000 items are shown
    beside it (the search is a LIKE scan: it grows with the data, no target).
(c) On PostgreSQL (``BENCH_MODERATION_DATABASE_URL``, default database ``bench_moderation``, created and dropped by
    bench/databases.py; skipped with the reason when PostgreSQL does not answer): the same 100,000 items, and the
    queue searched for "garderie" (French full-text search with unaccent on a GIN index, app/moderation/search.py):
    the page, and its search statements alone (the capped count and the first page; median of 30 runs through a
    raw connection). Target (issue 19): ≤ 50 ms. Beside it, the floor (as many ``SELECT 1`` round trips) and the
    statements for "transport", a word in more than 10,000 items (the count then reads 10,001 rows).
(b) "Suggest groups" through app.orientations.suggestions.suggest on 10,000 approved items of the synthetic French
    corpus (bench/corpus.py), database read included: target under 30 s on the 2-core machine.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.core.extensions import db  # noqa: E402
from app.models import ItemSource, ItemState, ModerationItem, Process, ProcessStatus, Role, User  # noqa: E402
from app.orientations import suggestions  # noqa: E402
from bench.corpus import french_corpus  # noqa: E402
from bench.databases import Skipped  # noqa: E402

SMALL, GROUPING = 100, 10_000
LARGE = int(os.environ.get("BENCH_MODERATION_ITEMS", "100000"))  # a smaller run: BENCH_MODERATION_ITEMS=20000
REQUESTS = 30
RATIO_TARGET = 2.0  # the large queue's median within twice the small one's
GROUPING_BUDGET_S = 30.0
PASSWORD = "bench password 123"  # noqa: S105


def _process(slug: str) -> Process:
    process = Process(slug=slug, title_fr=slug, title_en=slug, status=ProcessStatus.ACTIVE)
    db.session.add(process)
    db.session.commit()
    return process


def _insert(process_id: int, texts: list[str], state: ItemState) -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    rows = [
        {
            "process_id": process_id,
            "source": ItemSource.ANSWER,
            "language": "fr",
            "text": text,
            "redacted_text": text if state is ItemState.APPROVED else None,
            "pii_spans": [],
            "flagged": False,
            "state": state,
            "version": 1,
            "created_at": start + timedelta(seconds=n),
        }
        for n, text in enumerate(texts)
    ]
    for offset in range(0, len(rows), 10_000):
        db.session.execute(sa.insert(ModerationItem), rows[offset : offset + 10_000])
    db.session.commit()


def _median_ms(client, url: str) -> float:
    assert client.get(url).status_code == 200  # warm-up (and check)
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return statistics.median(timings)


def run() -> list[dict]:
    folder = tempfile.mkdtemp(prefix="concerto-bench-moderation-")
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db"})
    rows: list[dict] = []
    with app.app_context():
        db.create_all()
        user = User(email="facilitator@example.org", name="Bench", role=Role.FACILITATOR)
        user.set_password(PASSWORD)
        db.session.add(user)
        small, large, grouped = _process("petite"), _process("grande"), _process("groupes")
        corpus = french_corpus(max(LARGE, GROUPING), seed=7)
        _insert(small.id, corpus[:SMALL], ItemState.PENDING)
        _insert(large.id, corpus[:LARGE], ItemState.PENDING)
        _insert(grouped.id, corpus[:GROUPING], ItemState.APPROVED)
        small_id, large_id, grouped_id = small.id, large.id, grouped.id

        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post("/login", data={"csrf_token": token, "email": user.email, "password": PASSWORD})

        small_ms = _median_ms(client, f"/moderation/items?process={small_id}")
        large_ms = _median_ms(client, f"/moderation/items?process={large_id}")
        state_ms = _median_ms(client, f"/moderation/items?process={large_id}&state=pending")
        search_ms = _median_ms(client, f"/moderation/items?process={large_id}&q=garderie")
        ratio = large_ms / small_ms
        print(f"   queue, {SMALL} items: {small_ms:.1f} ms; {LARGE:,} items: {large_ms:.1f} ms (× {ratio:.2f})")
        rows += [
            {"name": f"queue page, {SMALL} items", "value": small_ms, "unit": "ms", "target": "-", "ok": True},
            {
                "name": f"queue page, {LARGE:,} items",
                "value": large_ms,
                "unit": "ms",
                "target": "≈ 100 items",
                "ok": ratio <= RATIO_TARGET,
            },
            {
                "name": "queue 100k / queue 100",
                "value": ratio,
                "unit": "×",
                "target": f"≤ {RATIO_TARGET}",
                "ok": ratio <= RATIO_TARGET,
            },
            {
                "name": f"queue + state filter, {LARGE:,} items",
                "value": state_ms,
                "unit": "ms",
                "target": "-",
                "ok": True,
            },
            {
                "name": f"queue + text search, {LARGE:,} items",
                "value": search_ms,
                "unit": "ms",
                "target": "-",
                "ok": True,
            },
        ]

        started = time.perf_counter()
        groups = suggestions.suggest(grouped_id)
        elapsed = time.perf_counter() - started
        print(f"   suggest groups, {GROUPING:,} items: {elapsed:.1f} s, {len(groups)} groups")
        rows += [
            {
                "name": f"suggest groups, {GROUPING:,} items",
                "value": elapsed,
                "unit": "s",
                "target": f"< {GROUPING_BUDGET_S:g} s",
                "ok": elapsed < GROUPING_BUDGET_S,
            },
            {
                "name": "groups suggested",
                "value": len(groups),
                "unit": "",
                "target": "2-20",
                "ok": 2 <= len(groups) <= 20,
            },
        ]
        db.session.remove()
        db.engine.dispose()
    try:
        rows += _postgres_search(corpus[:LARGE])
    except Skipped as reason:
        print(f"   PostgreSQL search skipped: {reason}", flush=True)
    return rows


PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_moderation"
SEARCH_BUDGET_MS = 50.0


def _postgres_search(texts: list[str]) -> list[dict]:

    from sqlalchemy import event

    from bench.databases import database, require_postgres

    url = os.environ.get("BENCH_MODERATION_DATABASE_URL", PG_URL)
    require_postgres(url)
    with database(url, reset=True) as url:
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
        with app.app_context():
            db.create_all()  # with the text-search configuration and its GIN index (app/models/moderation.py)
            user = User(email="facilitator@example.org", name="Bench", role=Role.FACILITATOR)
            user.set_password(PASSWORD)
            db.session.add(user)
            large = _process("grande")
            _insert(large.id, texts, ItemState.PENDING)
            db.session.execute(sa.text("ANALYZE moderation_items"))
            db.session.commit()
            client = app.test_client()
            page = client.get("/login").get_data(as_text=True)
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
            client.post("/login", data={"csrf_token": token, "email": user.email, "password": PASSWORD})

            def recorded(path: str) -> list[tuple[str, object]]:
                statements: list[tuple[str, object]] = []

                def record(_conn, _cursor, statement, parameters, _context, _executemany):
                    if "moderation_items" in statement and "concerto_fr" in statement:
                        statements.append((statement, parameters))

                event.listen(db.engine, "before_cursor_execute", record)
                try:
                    assert client.get(path).status_code == 200
                finally:
                    event.remove(db.engine, "before_cursor_execute", record)
                return statements

            def median_sql_ms(statements: list[tuple[str, object]]) -> float:
                connection = db.engine.raw_connection()
                try:
                    cursor = connection.cursor()
                    timings = []
                    for _ in range(REQUESTS + 1):
                        started = time.perf_counter()
                        for statement, parameters in statements:
                            cursor.execute(statement, parameters)
                            cursor.fetchall()
                        timings.append((time.perf_counter() - started) * 1000)
                    connection.rollback()
                finally:
                    connection.close()
                return statistics.median(timings[1:])

            path = f"/moderation/items?process={large.id}&q=garderie"
            statements = recorded(path)
            frequent = recorded(f"/moderation/items?process={large.id}&q=transport")
            plain_ms = _median_ms(client, f"/moderation/items?process={large.id}")
            search_ms = _median_ms(client, path)
            sql_ms = median_sql_ms(statements)
            frequent_ms = median_sql_ms(frequent)
            floor_ms = median_sql_ms([("SELECT 1", None)] * len(statements))
            print(
                f"   PostgreSQL, {LARGE:,} items: queue {plain_ms:.1f} ms, searched {search_ms:.1f} ms, "
                f"its {len(statements)} search statements {sql_ms:.1f} ms (a word in more than 10,000 items: "
                f"{frequent_ms:.1f} ms; {len(statements)} round trips of SELECT 1: {floor_ms:.2f} ms; "
                f"load average {os.getloadavg()[0]:.1f})",
                flush=True,
            )
            db.session.remove()
            db.engine.dispose()
    return [
        {"name": f"PostgreSQL queue page, {LARGE:,} items", "value": plain_ms, "unit": "ms", "target": "-", "ok": True},
        {
            "name": f"PostgreSQL queue + search 'garderie', {LARGE:,}",
            "value": search_ms,
            "unit": "ms",
            "target": "reference",
            "ok": True,
        },
        {
            "name": f"PostgreSQL search statements (count + page; floor {floor_ms:.2f} ms)",
            "value": sql_ms,
            "unit": "ms",
            "target": f"<= {SEARCH_BUDGET_MS:g} ms",
            "ok": sql_ms <= SEARCH_BUDGET_MS,
        },
        {
            "name": "PostgreSQL search statements, 'transport' (> 10,000)",
            "value": frequent_ms,
            "unit": "ms",
            "target": "reference",
            "ok": True,
        },
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
