"""Benchmark of moderation pages and services.

    .venv/bin/python -m bench moderation

(a) The facilitator queue (/moderation/items filtered on a process, first page of 50) on a process with 100 items
    and on a process with 100,000 items (bulk-inserted, same SQLite file database): the page must answer in about
    the same time (pagination and the (process_id, created_at) index do the work). Median of many requests through
    the test client, signed in as a facilitator. The state filter and a text search on 100,000 items are shown
    beside it (the search is a LIKE scan: it grows with the data, no target).
(b) "Suggest groups" through app.orientations.suggestions.suggest on 10,000 approved items of the synthetic French
    corpus (bench/corpus.py), database read included: target under 30 s on the 2-core machine.
"""

from __future__ import annotations

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

SMALL, LARGE, GROUPING = 100, 100_000, 10_000
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
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
