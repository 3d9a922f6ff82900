"""Every hot query has an index whose leading columns are the query's filter (issue 9). The migrations agree with
the models (tests/integration/test_migrations.py), so the models' metadata is what the database has."""

import pytest

import app.models  # noqa: F401 - registers every table in the metadata
from app.core.extensions import db

# (table, columns the query filters on, what runs it)
HOT_QUERIES = [
    ("answers", ("question_id",), "results: answers by question"),
    ("answers", ("response_id", "question_id"), "respondent pages: a response's answers"),
    ("responses", ("survey_id", "status"), "results and participation: responses by survey and status"),
    ("responses", ("resume_token_hash",), "respondent pages: the response of a resume cookie"),
    ("submission_keys", ("key",), "respondent pages: a replayed submission"),
    ("moderation_items", ("process_id", "state"), "moderation queue: items by process and state"),
    ("ballot_casts", ("ballot_id",), "results: casts by ballot"),
    ("ballot_voters", ("ballot_id", "user_id"), "ballot page: has this person voted"),
    ("ballot_options", ("ballot_id",), "ballot page: the options"),
    ("questions", ("survey_id",), "every survey page: its questions"),
]


def _leading_columns(table) -> list[tuple[str, ...]]:
    """The column lists of every index, unique constraint and primary key of ``table``."""
    lists = [tuple(c.name for c in index.columns) for index in table.indexes]
    lists += [
        tuple(c.name for c in constraint.columns) for constraint in table.constraints if hasattr(constraint, "columns")
    ]
    lists += [(column.name,) for column in table.columns if column.unique or column.index]
    return lists


@pytest.mark.parametrize(("table_name", "columns", "query"), HOT_QUERIES, ids=[q[2] for q in HOT_QUERIES])
def test_hot_query_has_an_index(table_name, columns, query):
    table = db.metadata.tables[table_name]
    candidates = _leading_columns(table)
    assert any(found[: len(columns)] == columns for found in candidates), (
        f"{query}: no index on {table_name}({', '.join(columns)}); found {candidates}"
    )
