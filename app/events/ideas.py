"""What was said at an event becomes evidence: ideas typed one per line or imported from a CSV or XLSX file, each
one a moderation item whose source is the event (app/moderation/items.py: the same personal-information scan,
redaction, themes, suggestions and orientations as survey answers).

Import format: row 1 names the columns; one row per idea after it. The ``idea`` column (also ``idée``, ``texte``,
``text``) is required; optional columns ``table`` (or ``group``, ``groupe``), ``audience`` (or ``public``; a group
key or its name in French or English), ``territory`` (or ``territoire``; its code or name) and ``language`` (or
``langue``; ``fr`` or ``en``). Empty rows are skipped. One bad cell refuses the whole file, naming its row
(numbered like the spreadsheet, the header is row 1) and its column; nothing is created.
"""

import csv
import io
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError, Reason
from app.core.extensions import db
from app.events.audiences import audience_from_text
from app.models import Event, ModerationItem, Territory
from app.moderation.items import items_from_event
from app.voting.ballot_csv import column_letter, detect_delimiter

MAX_IDEAS = 5_000  # per typing or per file
MAX_IDEA_LENGTH = 5_000
COLUMNS = {
    "idea": ("idea", "idee", "texte", "text", "ideas", "idees"),
    "group": ("table", "group", "groupe", "table/group", "table/groupe"),
    "audience": ("audience", "public", "audience group", "groupe d'audience"),
    "territory": ("territory", "territoire"),
    "language": ("language", "langue"),
}


@dataclass(frozen=True)
class Idea:
    text: str
    group: str | None = None
    audience: str | None = None
    territory_id: int | None = None
    language: str = "fr"


@dataclass(frozen=True)
class Problem:
    row: int
    column: str | None
    message: object


class IdeasImportError(DomainError):
    """A refused file: every problem found, each naming its row and column."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].message if problems else "", "file")
        self.problems = problems

    def reasons(self) -> list[Reason]:
        return [(None, _describe(problem)) for problem in self.problems]


def _describe(problem: Problem) -> str:
    if problem.column is None:
        return str(_l("Row %(row)d: %(problem)s", row=problem.row, problem=problem.message))
    return str(
        _l(
            "Row %(row)d, column “%(column)s”: %(problem)s",
            row=problem.row,
            column=problem.column,
            problem=problem.message,
        )
    )


def split_lines(text: str) -> list[str]:
    """The non-empty lines of a typed block, one idea each."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def add_ideas(event: Event, ideas: list[Idea]) -> list[ModerationItem]:
    if not ideas:
        raise DomainError(_l("Type at least one idea."), "ideas")
    if len(ideas) > MAX_IDEAS:
        raise DomainError(_l("At most %(max)d ideas at a time.", max=MAX_IDEAS), "ideas")
    if any(len(idea.text) > MAX_IDEA_LENGTH for idea in ideas):
        raise DomainError(_l("An idea is longer than %(max)d characters.", max=MAX_IDEA_LENGTH), "ideas")
    return items_from_event(event, ideas)


def _normal(name: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(ascii_text.strip().lower().split())


def _rows(filename: str, content: bytes) -> list[list[str]]:
    if filename.lower().endswith(".xlsx") or content[:4] == b"PK\x03\x04":
        return _xlsx_rows(content)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise IdeasImportError(
            [Problem(1, None, _l("The file is neither UTF-8 text (CSV) nor an Excel file."))]
        ) from None
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text))]
    except csv.Error:
        raise IdeasImportError([Problem(1, None, _l("The file is not a readable CSV file."))]) from None


def _xlsx_rows(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise IdeasImportError([Problem(1, None, _l("The file is not a readable Excel (.xlsx) file."))]) from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append(["" if value is None else str(value) for value in values])
            if len(rows) > MAX_IDEAS + 1:
                break
        return rows
    finally:
        workbook.close()


def read_ideas(filename: str, content: bytes) -> list[Idea]:
    """The ideas of an import file, or :class:`IdeasImportError` with every problem (nothing is created)."""
    rows = _rows(filename, content)
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise IdeasImportError([Problem(1, None, _l("The first row must name the columns (at least “idea”)."))])
    header = [_normal(cell) for cell in rows[0]]
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        for key, names in COLUMNS.items():
            if name in names and key not in positions:
                positions[key] = index
    if "idea" not in positions:
        raise IdeasImportError(
            [Problem(1, None, _l("No “idea” column: name the column of the ideas “idea” or “idée”."))]
        )
    if len(rows) - 1 > MAX_IDEAS:
        raise IdeasImportError([Problem(MAX_IDEAS + 2, None, _l("At most %(max)d ideas per file.", max=MAX_IDEAS))])
    territories = {}
    for territory in db.session.scalars(sa.select(Territory)):
        territories[_normal(territory.code)] = territory.id
        territories[_normal(territory.name)] = territory.id

    def cell(row: list[str], key: str) -> str:
        index = positions.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    def column(key: str) -> str:
        index = positions[key]
        return rows[0][index].strip() or column_letter(index)

    ideas, problems = [], []
    for number, row in enumerate(rows[1:], start=2):
        if not any(value.strip() for value in row):
            continue
        text = cell(row, "idea")
        if not text:
            problems.append(Problem(number, column("idea"), _l("the idea is empty.")))
        elif len(text) > MAX_IDEA_LENGTH:
            problems.append(Problem(number, column("idea"), _l("longer than %(max)d characters.", max=MAX_IDEA_LENGTH)))
        audience = None
        if cell(row, "audience"):
            audience = audience_from_text(cell(row, "audience"))
            if audience is None:
                problems.append(Problem(number, column("audience"), _l("unknown audience group.")))
        territory_id = None
        if cell(row, "territory"):
            territory_id = territories.get(_normal(cell(row, "territory")))
            if territory_id is None:
                problems.append(Problem(number, column("territory"), _l("unknown territory.")))
        language = cell(row, "language").lower() or "fr"
        if language not in ("fr", "en"):
            problems.append(Problem(number, column("language"), _l("write fr or en.")))
        ideas.append(Idea(text, cell(row, "group")[:80] or None, audience, territory_id, language))
        if len(problems) >= 20:
            break
    if problems:
        raise IdeasImportError(problems)
    if not ideas:
        raise IdeasImportError([Problem(2, None, _l("The file has no ideas under its first row."))])
    return ideas
