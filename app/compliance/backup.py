"""Whole-database backup to one JSON document, and restore into an empty database.

The document is written row by row (constant memory) in the tables' dependency order, all tables read in one
snapshot (:func:`iter_backup`), so that what other connections commit meanwhile is either wholly in it or wholly
out of it::

    {"format": "concerto-backup", "format_version": 1, "schema_revision": "<alembic head>",
     "created_at": "...", "tables": {"territories": [{...}, ...], "users": [...], ...}}

Restore checks the format and the schema revision, refuses a database that already holds data, inserts every
row in one transaction (nothing is half-restored), then moves PostgreSQL sequences past the restored ids.
"""

import datetime as dt
import decimal
import enum
import json
from collections.abc import Iterator
from typing import IO, Any

import sqlalchemy as sa
from alembic.migration import MigrationContext

from app.core.errors import DomainError
from app.core.extensions import db

FORMAT = "concerto-backup"
FORMAT_VERSION = 1
BATCH_SIZE = 1000


class BackupError(DomainError):
    """A backup document that cannot be restored; the message says where and why."""


def _tables() -> list[sa.Table]:
    return list(db.metadata.sorted_tables)


def schema_revision(connection: sa.Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _encode(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _decoder(column: sa.Column):
    column_type = column.type
    if isinstance(column_type, sa.types.TypeDecorator):
        column_type = column_type.impl_instance
    if isinstance(column_type, sa.DateTime):
        return dt.datetime.fromisoformat
    if isinstance(column_type, sa.Date):
        return dt.date.fromisoformat
    if isinstance(column_type, sa.Numeric) and column_type.asdecimal:
        return decimal.Decimal
    return None


# PostgreSQL: one snapshot for every table (REPEATABLE READ), a transaction that cannot write, and DEFERRABLE,
# which waits for a snapshot free of serialization anomalies should the isolation ever be raised to SERIALIZABLE.
SNAPSHOT_OPTIONS = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True, "postgresql_deferrable": True}


def iter_backup(connection: sa.Connection) -> Iterator[str]:
    """The backup document in chunks of text, one row at a time, every table read in one snapshot.

    ``connection`` must not be in a transaction yet: the backup begins its own (on PostgreSQL REPEATABLE READ,
    READ ONLY; on SQLite one transaction, which reads one snapshot) and ends it at the end. Without that,
    PostgreSQL (READ COMMITTED) would read each table in its own snapshot, and a response committed between the
    reading of ``responses`` and of ``answers`` would leave answers without their response: a backup that cannot
    be restored.
    """
    if connection.in_transaction():
        raise ValueError("a backup takes its own snapshot: give it a connection that is not in a transaction")
    postgresql = connection.dialect.name == "postgresql"
    if postgresql:
        connection.execution_options(**SNAPSHOT_OPTIONS)
    try:
        with connection.begin():
            yield from _document(connection)
    finally:
        if postgresql:  # the connection can be used for something else afterwards
            connection.execution_options(
                isolation_level=connection.default_isolation_level,
                postgresql_readonly=False,
                postgresql_deferrable=False,
            )


def _document(connection: sa.Connection) -> Iterator[str]:
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_revision": schema_revision(connection),
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    yield json.dumps(header, ensure_ascii=False)[:-1] + ', "tables": {'
    for index, table in enumerate(_tables()):
        yield ("," if index else "") + f"\n{json.dumps(table.name)}: ["
        order = list(table.primary_key.columns) or list(table.columns)
        rows = connection.execution_options(yield_per=BATCH_SIZE).execute(sa.select(table).order_by(*order))
        for position, row in enumerate(rows.mappings()):
            record = {key: _encode(value) for key, value in row.items()}
            yield ("," if position else "") + "\n  " + json.dumps(record, ensure_ascii=False)
        yield "\n]"
    yield "\n}}\n"


def write_backup(connection: sa.Connection, out: IO[str]) -> None:
    for chunk in iter_backup(connection):
        out.write(chunk)


def restore_backup(connection: sa.Connection, document: IO[str] | str) -> dict[str, int]:
    """Insert every row of the document; returns the number of rows per table. The caller commits."""
    try:
        data = json.loads(document) if isinstance(document, str) else json.load(document)
    except json.JSONDecodeError as error:
        raise BackupError(f"not a JSON document (line {error.lineno}, column {error.colno}: {error.msg})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(f"not a Concerto backup (the 'format' field must be {FORMAT!r})")
    if data.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"unsupported backup format version {data.get('format_version')!r}")
    current = schema_revision(connection)
    if data.get("schema_revision") != current:
        raise BackupError(
            f"the backup was made at schema revision {data.get('schema_revision')!r} but this database is at "
            f"{current!r}: restore into a database migrated to the same revision"
        )
    tables = data.get("tables")
    if not isinstance(tables, dict):
        raise BackupError("the 'tables' field is missing or not an object")
    known = {table.name: table for table in _tables()}
    unknown = sorted(set(tables) - set(known))
    if unknown:
        raise BackupError(f"unknown tables in the backup: {', '.join(unknown)}")
    for table in known.values():
        if connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one():
            raise BackupError(f"the database is not empty (table {table.name!r} has rows): restore into an empty one")

    counts = {}
    for table in _tables():
        rows = tables.get(table.name, [])
        if not isinstance(rows, list):
            raise BackupError(f"table {table.name!r}: expected a list of rows")
        decoders = {column.name: _decoder(column) for column in table.columns}
        decoded = []
        for number, row in enumerate(rows, start=1):
            if not isinstance(row, dict) or set(row) - set(decoders):
                raise BackupError(f"table {table.name!r}, row {number}: unexpected columns or not an object")
            try:
                decoded.append(
                    {
                        key: (decoders[key](value) if value is not None and decoders[key] else value)
                        for key, value in row.items()
                    }
                )
            except (ValueError, TypeError, decimal.InvalidOperation) as error:
                raise BackupError(f"table {table.name!r}, row {number}: {error}") from None
        for start in range(0, len(decoded), BATCH_SIZE):
            try:
                connection.execute(table.insert(), decoded[start : start + BATCH_SIZE])
            except sa.exc.SQLAlchemyError as error:
                raise BackupError(f"table {table.name!r}: rows refused by the database ({error.orig})") from None
        counts[table.name] = len(decoded)
    _reset_sequences(connection)
    return counts


def _reset_sequences(connection: sa.Connection) -> None:
    if connection.dialect.name != "postgresql":
        return
    for table in _tables():
        for column in table.primary_key.columns:
            if column.autoincrement is True or (
                column.autoincrement == "auto" and isinstance(column.type, sa.Integer) and len(table.primary_key) == 1
            ):
                sequence = connection.execute(
                    sa.text("SELECT pg_get_serial_sequence(:table, :column)"),
                    {"table": table.name, "column": column.name},
                ).scalar()
                if sequence:
                    # Table and column names come from our own metadata, never from the document.
                    highest = f"SELECT COALESCE(MAX({column.name}), 0) + 1 FROM {table.name}"  # noqa: S608
                    connection.execute(sa.text(f"SELECT setval(:sequence, ({highest}), false)"), {"sequence": sequence})
