"""Exports of a survey's responses (CSV, XLSX, JSON) and of its codebook. Plain arguments, no request.

Streaming: responses are read in batches ordered by id (``yield_per``: a server-side cursor on PostgreSQL); for
each batch one query fetches its answers ordered by response and question; rows are built per response and
written out at once. Memory depends on the batch size, never on the number of responses.

Layout (one row per response, documented in README "Exports"):

- metadata: ``response_id``, ``status``, ``channel``, ``locale``, ``started_at``, ``submitted_at`` (UTC, ISO 8601);
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

import csv
import io
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Answer, Question, QuestionType, Response, Survey, Territory
from app.models.surveys import SURVEY_PAGES_LOADED, TEXT_TYPES
from app.respond.fields import other_code
from app.respond.storage import STORED_ANSWER_COLUMNS

FORMATS = ("csv", "xlsx", "json")
LANGUAGES = ("fr", "en")
BATCH = 1_000
MIME_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
METADATA = ("response_id", "status", "channel", "locale", "started_at", "submitted_at")
YES_NO = {"fr": ("Oui", "Non"), "en": ("Yes", "No")}
OTHER_LABEL = {"fr": "Autre", "en": "Other"}
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

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise ValueError(f"unknown language {self.language!r}")


def _label(obj: Any, language: str, field: str = "label") -> str:
    return getattr(obj, f"{field}_{language}", "") or getattr(obj, f"{field}_fr", "") or ""


def export_filename(survey: Survey, fmt: str) -> str:
    return f"{survey.slug}-responses.{fmt}"


# ----------------------------------------------------------------------------------------------------- layout

Answers = dict[int, list[Any]]  # question id -> its answer rows (response_id, question_id, choice_id, ...)
Getter = Callable[[Answers], Any]


@dataclass(frozen=True)
class Column:
    name: str  # the code header, e.g. ``ages/0-2``
    label: str  # the label header in the chosen language
    get: Getter


class Layout:
    """The columns of a survey's export, computed once from its questions."""

    def __init__(self, survey: Survey, options: ExportOptions) -> None:
        self.survey, self.options = survey, options
        lang = options.language
        self.questions = [
            q for q in survey.ordered_questions() if q.type.is_answerable and q.type is not QuestionType.EMAIL
        ]
        self.choices = {c.id: c for q in self.questions for c in q.all_choices}
        territories = db.session.execute(sa.select(Territory.id, Territory.code, Territory.name)).all()
        self.territories = {t.id: (t.name if options.labels else t.code) for t in territories}
        self.columns: list[Column] = []
        for q in self.questions:
            self.columns.extend(self._columns(q, _label(q, lang)))

    def value_of(self, choice_id: int | None) -> str | None:
        choice = self.choices.get(choice_id) if choice_id is not None else None
        if choice is None:
            return None
        return _label(choice, self.options.language) if self.options.labels else choice.code

    def _columns(self, q: Question, label: str) -> list[Column]:
        kind, qid, labels, lang = q.type, q.id, self.options.labels, self.options.language
        columns: list[Column] = []
        other = other_code(q) if q.setting("other") else None
        if kind is QuestionType.SINGLE_CHOICE:

            def single(a: Answers) -> Any:
                for row in a.get(qid, ()):
                    if row.is_other:
                        return OTHER_LABEL[lang] if labels else other
                    return self.value_of(row.choice_id)
                return None

            columns.append(Column(q.code, label, single))
        elif kind is QuestionType.MULTIPLE_CHOICE:
            for choice in q.choices:
                columns.append(
                    Column(f"{q.code}/{choice.code}", f"{label} — {_label(choice, lang)}", self._chosen(q, choice))
                )
        elif kind is QuestionType.MATRIX:
            for row_choice in q.rows:
                rid = row_choice.id

                def matrix(a: Answers, rid: int = rid) -> Any:
                    return next((self.value_of(r.choice_id) for r in a.get(qid, ()) if r.row_id == rid), None)

                columns.append(Column(f"{q.code}/{row_choice.code}", f"{label} — {_label(row_choice, lang)}", matrix))
        elif kind is QuestionType.RANKING:
            for rank in range(1, len(q.choices) + 1):

                def ranked(a: Answers, rank: int = rank) -> Any:
                    return next((self.value_of(r.choice_id) for r in a.get(qid, ()) if r.rank == rank), None)

                columns.append(Column(f"{q.code}/{rank}", f"{label} — {rank}", ranked))
        elif kind is QuestionType.YES_NO:

            def yes_no(a: Answers) -> Any:
                row = next(iter(a.get(qid, ())), None)
                if row is None or row.number_value is None:
                    return None
                yes = row.number_value == 1
                return YES_NO[lang][0 if yes else 1] if labels else int(yes)

            columns.append(Column(q.code, label, yes_no))
        elif kind in {QuestionType.RATING, QuestionType.NUMERIC}:
            columns.append(Column(q.code, label, lambda a: _first(a, qid, "number_value")))
        elif kind is QuestionType.DATE:
            columns.append(Column(q.code, label, lambda a: _first(a, qid, "date_value")))
        elif kind is QuestionType.TERRITORY:
            columns.append(Column(q.code, label, lambda a: self.territories.get(_first(a, qid, "territory_id"))))
        elif kind in TEXT_TYPES:
            columns.append(Column(q.code, label, lambda a: _first(a, qid, "text_value")))
        if other is not None and kind in {QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE}:

            def other_text(a: Answers) -> Any:
                return next((r.text_value for r in a.get(qid, ()) if r.is_other), None)

            columns.append(Column(f"{q.code}/{other}", f"{label} — {OTHER_LABEL[lang]}", other_text))
        return columns

    def _chosen(self, q: Question, choice: Any) -> Getter:
        cid, qid, labels, text = choice.id, q.id, self.options.labels, _label(choice, self.options.language)

        def chosen(a: Answers) -> Any:
            rows = a.get(qid)
            if not rows:
                return None
            hit = any(r.choice_id == cid for r in rows)
            if labels:
                return text if hit else None
            return int(hit)

        return chosen

    def headers(self) -> list[str]:
        meta = list(METADATA)
        return meta + [c.label if self.options.labels else c.name for c in self.columns]

    def cells(self, meta: Any, answers: Answers) -> list[Any]:
        return [
            meta.id,
            meta.status.value,
            meta.channel.value,
            meta.locale,
            meta.started_at,
            meta.submitted_at,
            *(column.get(answers) for column in self.columns),
        ]

    # --------------------------------------------------------------------------------------------------- json

    def json_object(self, meta: Any, answers: Answers) -> dict[str, Any]:
        values: dict[str, Any] = {}
        lang, labels = self.options.language, self.options.labels
        for q in self.questions:
            rows = answers.get(q.id)
            if not rows:
                continue
            kind = q.type
            if kind in {QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE}:
                other = other_code(q)
                chosen = [
                    (OTHER_LABEL[lang] if labels else other) if r.is_other else self.value_of(r.choice_id) for r in rows
                ]
                values[q.code] = chosen[0] if kind is QuestionType.SINGLE_CHOICE else chosen
                text = next((r.text_value for r in rows if r.is_other), None)
                if text is not None:
                    values[f"{q.code}/{other}"] = text
            elif kind is QuestionType.MATRIX:
                values[q.code] = {
                    self.choices[r.row_id].code: self.value_of(r.choice_id) for r in rows if r.row_id in self.choices
                }
            elif kind is QuestionType.RANKING:
                values[q.code] = [self.value_of(r.choice_id) for r in sorted(rows, key=lambda r: r.rank or 0)]
            elif kind is QuestionType.YES_NO:
                yes = rows[0].number_value == 1
                values[q.code] = YES_NO[lang][0 if yes else 1] if labels else int(yes)
            elif kind in {QuestionType.RATING, QuestionType.NUMERIC}:
                values[q.code] = _json_number(rows[0].number_value)
            elif kind is QuestionType.DATE:
                values[q.code] = rows[0].date_value.isoformat() if rows[0].date_value else None
            elif kind is QuestionType.TERRITORY:
                values[q.code] = self.territories.get(rows[0].territory_id)
            elif kind in TEXT_TYPES:
                values[q.code] = rows[0].text_value
        return {
            "response_id": meta.id,
            "status": meta.status.value,
            "channel": meta.channel.value,
            "locale": meta.locale,
            "started_at": _iso(meta.started_at),
            "submitted_at": _iso(meta.submitted_at),
            "answers": values,
        }


def _first(answers: Answers, qid: int, field: str) -> Any:
    rows = answers.get(qid)
    return getattr(rows[0], field) if rows else None


def _json_number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# ---------------------------------------------------------------------------------------------------- reading

ANSWER_COLUMNS = (Answer.response_id, *STORED_ANSWER_COLUMNS)


def iter_responses(survey_id: int, *, batch_size: int = BATCH) -> Iterator[tuple[Any, Answers]]:
    """(response metadata row, its answers by question id) for every response of the survey, in id order."""
    session = db.session
    responses = session.execute(
        sa.select(
            Response.id, Response.status, Response.channel, Response.locale, Response.started_at, Response.submitted_at
        )
        .where(Response.survey_id == survey_id)
        .order_by(Response.id)
        .execution_options(yield_per=batch_size)
    )
    for batch in responses.partitions():
        by_response: dict[int, Answers] = {}
        answers = session.execute(
            sa.select(*ANSWER_COLUMNS)
            .join(Response, Response.id == Answer.response_id)
            .where(Response.survey_id == survey_id, Answer.response_id.between(batch[0].id, batch[-1].id))
            .order_by(Answer.response_id, Answer.question_id, Answer.rank, Answer.id)
        )
        for row in answers:
            by_response.setdefault(row.response_id, {}).setdefault(row.question_id, []).append(row)
        for meta in batch:
            yield meta, by_response.pop(meta.id, {})


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
    themselves: a streamed response runs after the view has returned, in its own session (app/streaming.py)."""
    survey = db.session.execute(
        sa.select(Survey).where(Survey.id == survey_id).options(SURVEY_PAGES_LOADED)
    ).scalar_one_or_none()
    if survey is None:
        raise LookupError(f"no survey {survey_id}")
    return survey


def csv_chunks(
    survey_id: int, options: ExportOptions, *, batch_size: int = BATCH, chunk_chars: int = 64_000
) -> Iterator[str]:
    """The CSV export as text chunks: a BOM (so spreadsheets read UTF-8 accents), the header, one row a response."""
    layout = Layout(load_survey(survey_id), options)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    _csv_line(writer, layout.headers())
    yield buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for meta, answers in iter_responses(survey_id, batch_size=batch_size):
        _csv_line(writer, layout.cells(meta, answers))
        if buffer.tell() >= chunk_chars:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def codebook_rows(survey: Survey) -> Iterator[tuple[str, ...]]:
    """The questionnaire's codebook: one row per question, then one per value it may take."""
    yield CODEBOOK_HEADER
    territories = db.session.execute(sa.select(Territory.code, Territory.name).order_by(Territory.name)).all()
    for q in survey.ordered_questions():
        if not q.type.is_answerable or q.type is QuestionType.EMAIL:
            continue
        yield (q.code, q.type.value, q.label_fr, q.label_en, "", "", "", "")
        for choice in q.choices:
            yield (q.code, q.type.value, "", "", "option", choice.code, choice.label_fr, choice.label_en)
        for row in q.rows:
            yield (q.code, q.type.value, "", "", "row", row.code, row.label_fr, row.label_en)
        if q.setting("other") and q.type in {QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE}:
            yield (q.code, q.type.value, "", "", "other", other_code(q), OTHER_LABEL["fr"], OTHER_LABEL["en"])
        if q.type is QuestionType.YES_NO:
            yield (q.code, q.type.value, "", "", "option", "1", YES_NO["fr"][0], YES_NO["en"][0])
            yield (q.code, q.type.value, "", "", "option", "0", YES_NO["fr"][1], YES_NO["en"][1])
        if q.type is QuestionType.TERRITORY:
            for territory in territories:
                yield (q.code, q.type.value, "", "", "territory", territory.code, territory.name, territory.name)


def codebook_csv(survey: Survey) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    for row in codebook_rows(survey):
        _csv_line(writer, row)
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------------------- JSON


def json_chunks(survey_id: int, options: ExportOptions, *, batch_size: int = BATCH) -> Iterator[str]:
    """A JSON array with one object per response, written one object at a time."""
    layout = Layout(load_survey(survey_id), options)
    yield "[\n"
    separator = ""
    for meta, answers in iter_responses(survey_id, batch_size=batch_size):
        yield separator + json.dumps(layout.json_object(meta, answers), ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"


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
    for meta, answers in iter_responses(survey.id, batch_size=batch_size):
        count += 1
        for col, value in enumerate(layout.cells(meta, answers)):
            _xlsx_cell(sheet, count, col, value, day)
    codebook = workbook.add_worksheet("codebook")
    for row, values in enumerate(codebook_rows(survey)):
        for col, value in enumerate(values):
            if value:
                codebook.write_string(row, col, value, bold if row == 0 else None)
    workbook.close()
    return count


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
