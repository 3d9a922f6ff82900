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
