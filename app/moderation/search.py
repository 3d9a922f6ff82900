"""Text search in the moderation queue.

PostgreSQL: full-text search in French (the ``concerto_fr`` configuration: the ``french`` stemmer after
``unaccent``), on a GIN index of the texts (migration 8d2f0c6b5a41), so "garderie" finds "Garderies" and
"ecole" finds "École", in a few milliseconds at 100,000 items (docs/BENCHMARKS.md). The words are read as a web
search box reads them (``websearch_to_tsquery``: every word, "a phrase", ``-word`` to leave out, ``or``).

SQLite (development, tests): a case-insensitive substring (``LIKE``), which also finds "garderie" in "Garderies"
but neither forgives accents nor stems.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.core import database
from app.models import ModerationItem
from app.models.moderation import TEXT_SEARCH_CONFIGURATION as CONFIGURATION
from app.models.moderation import text_document

MAX_LENGTH = 200


def matches(words: str) -> sa.ColumnElement[bool]:
    """The items whose text holds ``words`` (see the module docstring)."""
    words = words.replace("\x00", "")[:MAX_LENGTH]
    if database.is_postgres():
        query = sa.func.websearch_to_tsquery(sa.literal_column(f"'{CONFIGURATION}'::regconfig"), words)
        return text_document(ModerationItem.text).op("@@")(query)
    return ModerationItem.text.icontains(words, autoescape=True)
