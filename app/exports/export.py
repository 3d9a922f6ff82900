"""Exports of a survey's responses (CSV, XLSX, JSON) and of its codebook. Plain arguments, no request.

Streaming: responses are read in batches ordered by id (``yield_per``: a server-side cursor on PostgreSQL); for
each batch one query fetches its answers ordered by response and question, as plain tuples (on PostgreSQL through
the driver's cursor: no SQLAlchemy row per answer); each batch is written out at once. Memory depends on the batch
size, never on the number of responses.

Speed (docs/BENCHMARKS.md, issue 19): a question's cells (and its JSON values) depend only on its answer rows, so
they are computed by its type once per distinct set of answer rows and reused (:class:`_Lookup`, one bounded table
for all questions), already written as CSV text (or as JSON text) for the streams: a response then costs one
dictionary look-up per answered question, grouped and looked up in one pass (:func:`_found`), and a line (or an
object) is its metadata's text joined with its questions' texts, instead of a call per column, a formula check per
cell and a writer or encoder over every cell. :meth:`Layout.cells` and :meth:`Layout.json_object` remain the
definition, one response at a time (tests/integration/test_exports.py checks that the streamed files equal them
byte for byte).

Layout (one row per response, documented in README "Exports"); each question's type gives its columns, its JSON
value and its codebook rows (app/questions/), the built-in types as follows:

- metadata: ``response_id``, ``status``, ``channel``, ``locale``, ``started_at``, ``submitted_at`` (UTC, ISO 8601),
  then where a paper questionnaire was filled in: ``paper_source`` (the workshop or event), ``paper_filled_on``
  (ISO date), ``paper_territory`` (code, or name with labels), empty for web responses;
- single choice, yes/no, rating, number, date, territory, short and long text: one column named by the
  question's code (yes/no: ``1``/``0``, or Oui/Non with labels; territory: its code, or its name with labels);
- multiple choice: one column per option, ``<code>/<option>``: ``1`` chosen, ``0`` not chosen (question answered),
  empty (question not answered); with labels, the option's label when chosen;
- "other, please specify": the choice column says ``other`` and the text is in ``<code>/other``;
- matrix: one column per row, ``<code>/<row>``, holding the chosen scale point;
- ranking: one column per rank, ``<code>/1`` … ``<code>/<n>``, holding the option ranked there;
- e-mail questions are never exported (kept apart from the answers), notes have no answer.

Cells starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return are neutralized in CSV, and so is such a
character after a ``;`` or a line break inside a cell, where Excel in French splits (see :func:`neutralize`); XLSX
cells are written as typed strings and numbers, never as formulas.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import threading
from collections import namedtuple
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from queue import Empty, Full, Queue
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from app.core.extensions import db
from app.models import Answer, Response, Survey, Territory
from app.models.surveys import SURVEY_PAGES_LOADED
from app.questions import question_type
from app.questions.base import Answers, Column, text_of
from app.respond.storage import STORED_ANSWER_COLUMNS

FORMATS = ("csv", "xlsx", "json")
LANGUAGES = ("fr", "en")
BATCH = 1_000
MIME_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
METADATA = (
    "response_id",
    "status",
    "channel",
    "locale",
    "started_at",
    "submitted_at",
    "paper_source",
    "paper_filled_on",
    "paper_territory",
)
CODEBOOK_HEADER = (
    "question_code",
    "question_type",
    "question_label_fr",
    "question_label_en",
    "value_kind",
    "value_code",
    "value_label_fr",
    "value_label_en",
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Where a spreadsheet may start a cell inside one of ours: after a ";" (Excel in fr-CA splits lines on the list
# separator ";" and then ignores our commas and quotes) or a line break (a line break inside quotes that this
# reader does not see as quotes ends the row). A formula character there, after any double quotes, gets the
# apostrophe too.
_INNER_FORMULA = re.compile(r'(?<=[;\n\r])(?="*[=+\-@\t\r])')
_INNER_APOSTROPHE = re.compile(r"""(?<=[;\n\r])'(?="*[=+\-@\t\r])""")


def neutralize(cell: Any) -> str:
    """A cell that a spreadsheet would run as a formula, made inert with an apostrophe (OWASP) at its start and
    after each ";" or line break followed by a formula character, so that a reader splitting on ";" sees no
    formula either; also used by the voting exports."""
    text = _INNER_FORMULA.sub("'", "" if cell is None else str(cell))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unneutralize(text: str) -> str:
    """What :func:`neutralize` was given (for a file exported by Concerto and read back, e.g. paper ballots)."""
    text = text[1:] if text[:1] == "'" and text[1:2] in FORMULA_STARTS else text
    return _INNER_APOSTROPHE.sub("", text)


@dataclass(frozen=True)
class ExportOptions:
    labels: bool = False  # labels instead of codes, in ``language``
    language: str = "fr"
    paper_source: str | None = None  # only the paper questionnaires filled in at this workshop or event

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise ValueError(f"unknown language {self.language!r}")


def export_filename(survey: Survey, fmt: str) -> str:
    return f"{survey.slug}-responses.{fmt}"


# ----------------------------------------------------------------------------------------------------- layout


class Layout:
    """The columns of a survey's export, computed once from its questions (each question's type gives its own)."""

    def __init__(self, survey: Survey, options: ExportOptions) -> None:
        self.survey, self.options = survey, options
        self.labels, self.language = options.labels, options.language
        self.questions = [q for q in survey.ordered_questions() if question_type(q).stores_answers]
        self.choices = {c.id: c for q in self.questions for c in q.all_choices}
        territories = db.session.execute(sa.select(Territory.id, Territory.code, Territory.name)).all()
        self.territories = {t.id: (t.name if options.labels else t.code) for t in territories}
        self.question_columns = [(q, question_type(q).export_columns(q, self)) for q in self.questions]
        self.columns: list[Column] = [column for _q, columns in self.question_columns for column in columns]

    def value_of(self, choice_id: int | None) -> str | None:
        """A chosen option (or matrix point): its code, or its label with ``labels``."""
        choice = self.choices.get(choice_id) if choice_id is not None else None
        if choice is None:
            return None
        return text_of(choice, self.language) if self.labels else choice.code

    def headers(self) -> list[str]:
        meta = list(METADATA)
        return meta + [c.label if self.labels else c.name for c in self.columns]

    def cells(self, meta: Any, answers: Answers) -> list[Any]:
        return [
            meta.id,
            str(meta.status),
            str(meta.channel),
            meta.locale,
            meta.started_at,
            meta.submitted_at,
            meta.paper_source,
            meta.paper_filled_on,
            self.territories.get(meta.paper_territory_id),
            *(column.get(answers) for column in self.columns),
        ]

    # --------------------------------------------------------------------------------------------------- json

    def json_object(self, meta: Any, answers: Answers) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for q in self.questions:
            rows = answers.get(q.id)
            if rows:
                values.update(question_type(q).export_value(q, rows, self))
        return {
            "response_id": meta.id,
            "status": str(meta.status),
            "channel": str(meta.channel),
            "locale": meta.locale,
            "started_at": _iso(meta.started_at),
            "submitted_at": _iso(meta.submitted_at),
            "paper_source": meta.paper_source,
            "paper_filled_on": meta.paper_filled_on.isoformat() if meta.paper_filled_on else None,
            "paper_territory": self.territories.get(meta.paper_territory_id),
            "answers": values,
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# ---------------------------------------------------------------------------------------------------- reading

ANSWER_COLUMNS = (Answer.response_id, *STORED_ANSWER_COLUMNS)
#: An answer row as the question types' export functions read it (``row.choice_id``, ...).
AnswerRow = namedtuple("AnswerRow", [column.key for column in ANSWER_COLUMNS])  # type: ignore[misc]
# An answer as a key of the caches: the row without its response id (question_id, choice_id, ..., territory_id).
_ANSWER_KEY = itemgetter(slice(1, None))
_RESPONSE_AND_QUESTION = itemgetter(0, 1)
METADATA_COLUMNS = (
    Response.id,
    Response.status,
    Response.channel,
    Response.locale,
    Response.started_at,
    Response.submitted_at,
    Response.paper_source,
    Response.paper_filled_on,
    Response.paper_territory_id,
)
#: A response's metadata as :meth:`Layout.cells` reads it (``meta.status``: its value).
Metadata = namedtuple("Metadata", [column.key for column in METADATA_COLUMNS])  # type: ignore[misc]

# The answer rows of one response to one question as a key: tuples without the response id, in order.
Key = tuple[tuple[Any, ...], ...]


def _postgresql_batches(
    connection: sa.Connection, selected: list[Any], batch_size: int
) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
    """PostgreSQL: (a batch of response metadata rows, their answer rows) as plain tuples through psycopg's own
    cursors on the session's connection and transaction (an SQLAlchemy row per answer cost as much as reading the
    answers): the responses through a server-side cursor, the answers of each batch by its ids (one array, read
    along the (response_id, question_id) index in order; a join on the survey walked all of the survey's
    responses for each batch). Runs in the prefetching thread (:func:`_prefetched`)."""
    dialect = connection.dialect
    responses = sa.select(*METADATA_COLUMNS).where(*selected).order_by(Response.id).compile(dialect=dialect)
    answers = (
        sa.select(*ANSWER_COLUMNS)
        .where(Answer.response_id == sa.any_(sa.cast(sa.bindparam("ids"), ARRAY(sa.Integer))))
        .order_by(Answer.response_id, Answer.question_id, Answer.rank, Answer.id)
        .compile(dialect=dialect)
    )
    driver = connection.connection.driver_connection
    zone = driver.info.timezone  # type: ignore[union-attr]
    utc = all(zone.utcoffset(datetime(2026, month, 1)) == timedelta(0) for month in (1, 7))
    with driver.cursor(name=f"concerto_export_{id(connection)}") as metadata, driver.cursor() as cursor:  # type: ignore[union-attr]
        metadata.execute(str(responses), responses.params)
        while batch := metadata.fetchmany(batch_size):
            if not utc:  # the session's time zone is not UTC: as UTCDateTime gives them
                batch = [(*m[:4], _utc(m[4]), _utc(m[5]), *m[6:]) for m in batch]
            cursor.execute(str(answers), {**answers.params, "ids": [meta[0] for meta in batch]})
            yield batch, cursor.fetchall()


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


def _sqlalchemy_batches(
    connection: sa.Connection, selected: list[Any], batch_size: int
) -> Iterator[tuple[Sequence[Any], list[tuple[Any, ...]]]]:
    """Elsewhere (SQLite: tests and development): through SQLAlchemy, which converts SQLite's stored numbers and
    dates."""
    responses = connection.execute(
        sa.select(*METADATA_COLUMNS).where(*selected).order_by(Response.id).execution_options(yield_per=batch_size)
    )
    for batch in responses.partitions():
        answers = connection.execute(
            sa.select(*ANSWER_COLUMNS)
            .where(Answer.response_id.in_([meta[0] for meta in batch]))
            .order_by(Answer.response_id, Answer.question_id, Answer.rank, Answer.id)
        )
        yield batch, [tuple(row) for row in answers]


_END = object()


def _prefetched(items: Iterator[Any], depth: int = 2) -> Iterator[Any]:
    """The items of ``items``, produced by a thread of their own up to ``depth`` ahead: PostgreSQL runs the next
    batch's query (the driver waits without the GIL) while this thread writes the current one out. Whatever way
    this generator ends (exhausted, closed by a client gone away, an error), the thread has ended when it does."""
    queue: Queue[Any] = Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                queue.put(item, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_END)
        except BaseException as error:  # handed to the consumer, raised there
            put(error)
        finally:
            close = getattr(items, "close", None)  # a generator's cursors are closed in this thread
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name="export-prefetch", daemon=True)
    thread.start()
    try:
        while (item := queue.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            with contextlib.suppress(Empty):
                queue.get(timeout=0.1)
        thread.join()


def _read_batches(
    survey_id: int, batch_size: int, paper_source: str | None
) -> Iterator[tuple[Sequence[Any], list[tuple[Any, ...]]]]:
    """(a batch of response metadata rows, their answer rows ordered by response and question) for the survey's
    responses (or only the paper questionnaires filled in at ``paper_source``), in id order."""
    selected = [Response.survey_id == survey_id]
    if paper_source:
        selected.append(Response.paper_source == paper_source)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        batches = _prefetched(_postgresql_batches(connection, selected, batch_size))
    else:
        batches = _sqlalchemy_batches(connection, selected, batch_size)
    try:
        yield from batches
    finally:
        batches.close()  # type: ignore[attr-defined]


def iter_responses(
    survey_id: int, *, batch_size: int = BATCH, paper_source: str | None = None
) -> Iterator[tuple[Any, Answers]]:
    """(response metadata row, its answers by question id, as :data:`AnswerRow`) for every response of the
    survey (or only the paper questionnaires filled in at ``paper_source``), in id order, one query for the answers
    of a batch: what :meth:`Layout.cells` and :meth:`Layout.json_object` read (the definition the streams are
    checked against; the streams themselves read through :func:`_looked_up`)."""
    batches = _read_batches(survey_id, batch_size, paper_source)
    try:
        for batch, answers in batches:
            by_response: dict[int, Answers] = {}
            for (response_id, question_id), rows in groupby(answers, _RESPONSE_AND_QUESTION):
                by_response.setdefault(response_id, {})[question_id] = [
                    AnswerRow(response_id, *_ANSWER_KEY(row)) for row in rows
                ]
            for meta in batch:
                yield Metadata._make(meta), by_response.get(meta[0], {})
    finally:
        batches.close()


class _Cells:
    """What one question gives a response (its cells, or its JSON values) from its answer rows, computed by its
    type. ``start``, ``stop``: where its cells go in a row (or its place among the questions, for JSON)."""

    __slots__ = ("compute", "question_id", "start", "stop")

    def __init__(self, question_id: int, compute: Callable[[Answers], Any], start: int = 0, stop: int = 0) -> None:
        self.question_id, self.compute, self.start, self.stop = question_id, compute, start, stop


class _Lookup(dict):
    """An answer (a response's answer rows to one question, without the response id, as a key: each row begins
    with the question id) → (start, stop, what its question gives it), computed once per distinct answer and then
    looked up, one dictionary look-up per answered question; ``_SKIP`` for a question the export leaves out (an
    e-mail kept apart, say). Emptied when it reaches ``limit`` entries (free texts rarely repeat), so memory stays
    bounded whatever the number of responses."""

    def __init__(self, questions: dict[int, _Cells], limit: int = 65_536) -> None:
        super().__init__()
        self.questions, self.limit = questions, limit

    def miss(self, key: Key, response_id: int) -> tuple[int, int, Any]:
        question = self.questions.get(key[0][0])
        if question is None:
            entry = _SKIP
        else:
            value = question.compute({question.question_id: [AnswerRow(response_id, *row) for row in key]})
            entry = (question.start, question.stop, value)
        if len(self) >= self.limit:
            self.clear()
        self[key] = entry
        return entry


_SKIP = (0, 0, None)
_NO_GROUP = ((None, None), ())


def _looked_up(
    survey_id: int, questions: dict[int, _Cells], *, batch_size: int, paper_source: str | None
) -> Iterator[Iterator[tuple[Any, list[tuple[int, int, Any]]]]]:
    """Batches, each yielding (response metadata row, [(start, stop, its cached cells or values)] for each question
    it answered, in question id order): the answers grouped and looked up in one pass, one response at a time (the
    export's inner loop: one step per answered question; nothing kept for a whole batch, which cost collections)."""
    lookup = _Lookup(questions)
    for batch, answers in _read_batches(survey_id, batch_size, paper_source):
        yield _found(batch, answers, lookup)


def _found(
    batch: Sequence[Any], answers: list[tuple[Any, ...]], lookup: _Lookup
) -> Iterator[tuple[Any, list[tuple[int, int, Any]]]]:
    entry_of, miss = lookup.get, lookup.miss
    groups = groupby(answers, _RESPONSE_AND_QUESTION)
    (response_id, _question_id), rows = next(groups, _NO_GROUP)
    for meta in batch:
        found = []
        while response_id == meta[0]:
            key = tuple(map(_ANSWER_KEY, rows))
            entry = entry_of(key)
            if entry is None:
                entry = miss(key, response_id)
            if entry is not _SKIP:
                found.append(entry)
            (response_id, _question_id), rows = next(groups, _NO_GROUP)
        yield meta, found


# -------------------------------------------------------------------------------------------------------- CSV


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralize(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f").rstrip("0")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _csv_line(writer: Any, values: Sequence[Any]) -> None:
    writer.writerow([csv_cell(v) for v in values])


def load_survey(survey_id: int) -> Survey:
    """The survey with its pages, questions and choices (four queries). The exports take a survey id and load it
    themselves: a streamed response runs after the view has returned, in its own session (app/web/streaming.py)."""
    survey = db.session.execute(
        sa.select(Survey).where(Survey.id == survey_id).options(SURVEY_PAGES_LOADED)
    ).scalar_one_or_none()
    if survey is None:
        raise LookupError(f"no survey {survey_id}")
    return survey


class _Memo(dict):
    """``convert(value)`` for values that repeat (a status, a language, a territory), remembered (at most 4,096)."""

    def __init__(self, convert: Callable[[Any], Any]) -> None:
        super().__init__()
        self.convert = convert

    def __missing__(self, value: Any) -> Any:
        if len(self) >= 4_096:
            self.clear()
        converted = self[value] = self.convert(value)
        return converted


def _metadata_cells(layout: Layout, convert: Callable[[Any], Any]) -> Callable[[Any], list[Any]]:
    territory = _Memo(lambda territory_id: convert(layout.territories.get(territory_id)))
    status, channel, locale, source, filled = (_Memo(convert) for _ in range(5))

    def metadata(meta: Any) -> list[Any]:
        response_id, status_, channel_, locale_, started_at, submitted_at, source_, filled_, territory_id = meta
        return [
            convert(response_id),
            status[status_],
            channel[channel_],
            locale[locale_],
            convert(started_at),
            convert(submitted_at),
            source[source_],
            filled[filled_],
            territory[territory_id],
        ]

    return metadata


def _row_cells(layout: Layout, convert: Callable[[Any], Any]) -> tuple[list[Any], dict[int, _Cells]]:
    """The cells of a response that answered nothing, and per question where its cells go in a row and how they are
    made (as ``convert`` makes them) from its answer rows."""

    def cells_of(columns: list[Column]) -> Callable[[Answers], list[Any]]:
        return lambda answers: [convert(column.get(answers)) for column in columns]

    empty: list[Any] = []
    questions = {}
    start = len(METADATA)
    for q, columns in layout.question_columns:
        question = questions[q.id] = _Cells(q.id, cells_of(columns), start, start + len(columns))
        empty += question.compute({})
        start = question.stop
    return empty, questions


def iter_rows(
    survey_id: int, layout: Layout, convert: Callable[[Any], Any], *, batch_size: int = BATCH
) -> Iterator[list[list[Any]]]:
    """Batches of export rows (a list of cells a response, each made by ``convert``): :meth:`Layout.cells`, each
    question's cells computed once per distinct answer."""
    metadata = _metadata_cells(layout, convert)
    empty, questions = _row_cells(layout, convert)
    for batch in _looked_up(survey_id, questions, batch_size=batch_size, paper_source=layout.options.paper_source):
        rows = []
        for meta, found in batch:
            row = metadata(meta)
            row += empty
            for start, stop, cells in found:
                row[start:stop] = cells
            rows.append(row)
        yield rows


def csv_chunks(survey_id: int, options: ExportOptions, *, batch_size: int = BATCH) -> Iterator[str]:
    """The CSV export as text chunks: a BOM (so spreadsheets read UTF-8 accents), the header, one row a response
    (a chunk per batch of responses). Each question's cells are written as CSV text once per distinct answer
    (:func:`_csv_text`) and a line joins its metadata's text and its questions' texts: the bytes
    ``csv.writer`` would write for :meth:`Layout.cells`."""
    layout = Layout(load_survey(survey_id), options)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    _csv_line(writer, layout.headers())
    yield buffer.getvalue()
    metadata = _Memo(lambda value: _csv_text([csv_cell(value)]))  # statuses, languages, sources, dates
    territory = _Memo(lambda territory_id: metadata[layout.territories.get(territory_id)])

    def text_of(columns: list[Column]) -> Callable[[Answers], str]:
        return lambda answers: _csv_text([csv_cell(column.get(answers)) for column in columns])

    # a question without columns (a matrix without rows, say) has no text: it would add a comma
    shown = [(q, columns) for q, columns in layout.question_columns if columns]
    questions = {q.id: _Cells(q.id, text_of(columns), place) for place, (q, columns) in enumerate(shown, start=1)}
    empty = ["", *(question.compute({}) for question in questions.values())]
    for batch in _looked_up(survey_id, questions, batch_size=batch_size, paper_source=options.paper_source):
        lines = []
        for meta, found in batch:
            response_id, status, channel, locale, started_at, submitted_at, source, filled, territory_id = meta
            line = empty.copy()
            line[0] = (
                f"{response_id},{metadata[status]},{metadata[channel]},{metadata[locale]},"
                f"{'' if started_at is None else started_at.isoformat()},"
                f"{'' if submitted_at is None else submitted_at.isoformat()},"
                f"{metadata[source]},{metadata[filled]},{territory[territory_id]}"
            )
            for place, _stop, text in found:
                line[place] = text
            lines.append(",".join(line))
        if lines:
            lines.append("")
            yield "\r\n".join(lines)


def _csv_text(cells: list[str]) -> str:
    """Cells as ``csv.writer`` writes them in a row, without the line's end (a first cell keeps a lone empty cell
    from being written as ``""``; the writer's own line end, which also says which cells it quotes: a line break
    inside a cell)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(["-", *cells])
    return buffer.getvalue()[2:-2]


def codebook_rows(survey: Survey) -> Iterator[tuple[str, ...]]:
    """The questionnaire's codebook: one row per question, then one per value it may take (its type says which)."""
    yield CODEBOOK_HEADER
    territories = db.session.execute(sa.select(Territory.code, Territory.name).order_by(Territory.name)).all()
    for q in survey.ordered_questions():
        qtype = question_type(q)
        if qtype.stores_answers:
            yield from qtype.codebook_rows(q, territories)


def codebook_csv(survey: Survey) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    for row in codebook_rows(survey):
        _csv_line(writer, row)
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------------------- JSON


def json_chunks(survey_id: int, options: ExportOptions, *, batch_size: int = BATCH) -> Iterator[str]:
    """A JSON array with one object per response (:meth:`Layout.json_object`), a chunk per batch of responses;
    each question's values encoded once per distinct answer (as JSON text, the inside of its object) and an
    object written from its metadata's texts and its questions' texts. A question's keys are its code and
    ``<code>/...``: with codes unique in a survey and without ``/``, no two questions share a key, so the texts
    joined are what one dictionary of them would be encoded as; otherwise the values are merged in a dictionary
    first, as :meth:`Layout.json_object` does."""
    layout = Layout(load_survey(survey_id), options)
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    text, named = _Memo(dumps), _Memo(lambda value: dumps(str(value)))  # languages, sources; statuses, channels
    filled_on = _Memo(lambda filled: dumps(filled.isoformat() if filled else None))
    territory = _Memo(lambda territory_id: dumps(layout.territories.get(territory_id)))

    def values_of(q: Any) -> Callable[[Answers], tuple[dict[str, Any], str]]:
        qtype = question_type(q)

        def values(answers: Answers) -> tuple[dict[str, Any], str]:
            value = qtype.export_value(q, answers[q.id], layout)
            return value, dumps(value)[1:-1]

        return values

    questions = {q.id: _Cells(q.id, values_of(q), position) for position, q in enumerate(layout.questions)}
    in_order = [q.id for q in layout.questions] == sorted(questions)  # answers come in question id order
    apart = not any("/" in q.code for q in layout.questions)  # no two questions share a key
    yield "[\n"
    separator = ""
    for batch in _looked_up(survey_id, questions, batch_size=batch_size, paper_source=options.paper_source):
        objects = []
        for meta, found in batch:
            if not in_order:
                found.sort(key=itemgetter(0))
            if apart:
                answers = ", ".join([part for _position, _stop, (_values, part) in found if part])
            else:
                values: dict[str, Any] = {}
                for _position, _stop, (part_values, _part) in found:
                    values.update(part_values)
                answers = dumps(values)[1:-1]
            response_id, status, channel, locale, started_at, submitted_at, source, filled, territory_id = meta
            objects.append(
                f'{{"response_id": {response_id}, "status": {named[status]}, "channel": {named[channel]}, '
                f'"locale": {text[locale]}, "started_at": {_json_time(started_at)}, '
                f'"submitted_at": {_json_time(submitted_at)}, '
                f'"paper_source": {text[source]}, "paper_filled_on": {filled_on[filled]}, '
                f'"paper_territory": {territory[territory_id]}, "answers": {{{answers}}}}}'
            )
        if objects:
            yield separator + ",\n".join(objects)
            separator = ",\n"
    yield "\n]\n"


def _json_time(value: datetime | None) -> str:
    return "null" if value is None else f'"{value.isoformat()}"'


# ------------------------------------------------------------------------------------------------------- XLSX


def write_xlsx(survey_id: int, options: ExportOptions, target: str | IO[bytes], *, batch_size: int = BATCH) -> int:
    """Write the XLSX export (a "responses" sheet and a "codebook" sheet) in XlsxWriter's constant-memory mode;
    returns the number of responses written."""
    import xlsxwriter

    survey = load_survey(survey_id)
    layout = Layout(survey, options)
    workbook = xlsxwriter.Workbook(
        target, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "in_memory": False}
    )
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet = workbook.add_worksheet("responses" if options.language == "en" else "réponses")
    for col, header in enumerate(layout.headers()):
        sheet.write_string(0, col, header, bold)
    sheet.freeze_panes(1, 1)
    count = 0
    for rows in iter_rows(survey.id, layout, _same, batch_size=batch_size):
        for values in rows:
            count += 1
            for col, value in enumerate(values):
                if value is not None:
                    _xlsx_cell(sheet, count, col, value, day)
    codebook = workbook.add_worksheet("codebook")
    for row, values in enumerate(codebook_rows(survey)):
        for col, value in enumerate(values):
            if value:
                codebook.write_string(row, col, value, bold if row == 0 else None)
    workbook.close()
    return count


def _same(value: Any) -> Any:
    return value


def _xlsx_cell(sheet: Any, row: int, col: int, value: Any, day: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_number(row, col, int(value))
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(row, col, float(value))
    elif isinstance(value, datetime):
        sheet.write_string(row, col, value.isoformat())
    elif isinstance(value, date):
        sheet.write_datetime(row, col, datetime(value.year, value.month, value.day), day)
    else:
        sheet.write_string(row, col, str(value))


def export_chunks(survey_id: int, fmt: str, options: ExportOptions, *, batch_size: int = BATCH) -> Iterator[str]:
    """CSV or JSON as text chunks (XLSX goes through :func:`write_xlsx`, a zip needs a file). Nothing is read
    before the first chunk is asked for."""
    if fmt == "csv":
        return csv_chunks(survey_id, options, batch_size=batch_size)
    if fmt == "json":
        return json_chunks(survey_id, options, batch_size=batch_size)
    raise ValueError(f"unknown text format {fmt!r}")
