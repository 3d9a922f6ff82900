"""Text search in the moderation queue (app/moderation/search.py): whole words in any case and number on both
databases; on PostgreSQL also without accents and across French word forms (full-text search, GIN index)."""

import re

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.models import Role
from tests.integration.moderation_helpers import make_item

TEXTS = [
    "Plus de places en garderie, s'il vous plaît",
    "Les garderies ferment trop tôt",
    "Garderie: aucune place pour mon fils",
    "Le transport vers l'école est trop long",
    "Une halte-garderie le samedi",
]


@pytest.fixture
def queue(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    process = create_process()
    for text in TEXTS:
        make_item(process, text)

    def found(words: str) -> set[str]:
        response = client.get("/moderation/items", query_string={"process": process.id, "q": words})
        assert response.status_code == 200
        return set(re.findall(r'<td class="item-excerpt">([^<]*)', response.get_data(as_text=True)))

    return found


def _unescaped(texts: set[str]) -> set[str]:
    return {t.replace("&#39;", "'") for t in texts}


def test_garderie_finds_the_plural_and_the_capital(queue):
    found = _unescaped(queue("garderie"))
    assert {TEXTS[0], TEXTS[1], TEXTS[2]} <= found
    assert TEXTS[3] not in found


def test_a_word_that_is_nowhere_finds_nothing(queue):
    assert queue("piscine") == set()


@pytest.mark.postgres_only
def test_postgresql_forgives_accents_and_french_word_forms(queue):
    assert _unescaped(queue("ecole")) == {TEXTS[3]}
    assert _unescaped(queue("GARDERIES")) >= {TEXTS[0], TEXTS[1], TEXTS[2]}
    assert _unescaped(queue("garderie -places")) >= {TEXTS[1]}
    assert TEXTS[0] not in _unescaped(queue("garderie -places"))


@pytest.mark.postgres_only
def test_postgresql_searches_with_the_text_index():
    from app.models import ModerationItem
    from app.moderation.search import matches

    query = sa.select(ModerationItem.id).where(matches("garderie"))
    db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(
        db.session.execute(
            sa.text("EXPLAIN " + str(query.compile(db.engine, compile_kwargs={"literal_binds": True})))
        ).scalars()
    )
    assert "ix_moderation_items_text_search" in plan


def _statements_of(client, url: str) -> list[tuple[str, object]]:
    """The statements a page sends that search the moderation items' texts."""
    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _executemany):
        if "moderation_items" in statement and "concerto_fr" in statement:
            seen.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return seen


@pytest.mark.postgres_only
def test_postgresql_reads_a_searched_page_of_the_queue_from_the_text_index(client, auth, create_process):
    """Issue 19: the page of a searched queue takes its matches from the text index, then sorts them by date.
    Walking the (process, date) index backwards instead computes each text's tsvector until the page is full:
    139 ms at 100,000 items for a word found in 5 % of them (docs/BENCHMARKS.md). Here 4,000 items, a quarter of them
    about a daycare, as the planner sees them after ANALYZE."""
    from datetime import UTC, datetime, timedelta

    from app.models import ItemSource, ItemState, ModerationItem

    auth.login(Role.FACILITATOR)
    process = create_process()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    words = ["le transport vers l'école", "les loisirs du samedi", "un parc près de chez nous", "la bibliothèque"]
    rows = [
        {
            "process_id": process.id,
            "source": ItemSource.ANSWER,
            "language": "fr",
            "text": TEXTS[n % 3] if n % 4 == 0 else f"{words[n % 4]} ({n})",
            "pii_spans": [],
            "flagged": False,
            "state": ItemState.PENDING,
            "version": 1,
            "created_at": start + timedelta(minutes=n),
        }
        for n in range(4_000)
    ]
    db.session.execute(sa.insert(ModerationItem), rows)
    db.session.commit()
    db.session.execute(sa.text("ANALYZE moderation_items"))
    statements = _statements_of(client, f"/moderation/items?process={process.id}&q=garderie")
    assert len(statements) == 2  # its total (capped) and the page
    for statement, parameters in statements:
        connection = db.session.connection()
        plan = "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters))
        assert "ix_moderation_items_text_search" in plan, plan
        assert "ix_moderation_items_process_created" not in plan, plan
