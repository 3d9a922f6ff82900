"""XLSForm import: an ``.xlsx`` workbook (survey, choices and settings sheets) → a questionnaire definition.

Follows the XLSForm specification (https://xlsform.org) for what Concerto can represent:

- survey sheet columns ``type``, ``name``, ``label`` / ``label::French (fr)`` / ``label::English (en)``, ``hint``
  (same language columns), ``required``, ``relevant``, ``constraint``, ``constraint_message``, ``appearance``,
  ``parameters``;
- ``begin group`` / ``end group`` (a page each); metadata rows (``start``, ``end``, ``today``, ``deviceid``…) are
  skipped; every other type is read by the question type that accepts it (``xlsform_types``, ``from_xlsform`` in
  app/questions/): ``select_one <list>``, ``select_multiple <list>`` (optionally followed by ``or_other``),
  ``rank <list>``, ``integer``, ``decimal``, ``text`` (``multiline`` appearance: long text), ``date``, ``note``,
  ``range`` (from 1, step 1: a rating scale), Concerto's own ``territory``; ``appearance`` ``minimal`` shows a
  single choice or a territory as a drop-down list;
- choices sheet: ``list_name``, ``name``, label columns; settings sheet: ``form_title`` (per language too),
  ``form_id`` (the address of the survey), ``default_language`` (where plain ``label`` columns go; French unless
  said otherwise).

The result goes through :func:`app.builder.definition.validate_definition`, so expressions are parsed by our own
parser; every problem is reported with its sheet, row and column ("survey sheet, row 7, column type: …") and a
refused workbook creates nothing.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from flask_babel import format_number
from flask_babel import gettext as _

from app.builder.definition import FORMAT, FORMAT_VERSION, DefinitionInvalid, import_definition, validate_definition
from app.builder.slugs import slugify
from app.core.errors import DomainError
from app.questions.base import XLSFormRow
from app.questions.registry import xlsform_type, xlsform_words

MAX_ROWS = 5000
# An .xlsx is a zip archive: these are checked on the archive itself, before openpyxl reads anything, so that a
# small upload cannot unpack into gigabytes (a zip bomb) or into millions of cells. A real XLSForm of MAX_ROWS
# rows stays far below them.
MAX_UNPACKED_BYTES = 16 * 1024 * 1024
MAX_PARTS = 500
MAX_CELLS = 300_000
MAX_COLUMNS = 200  # column GR
_CELL_TAGS = (b"<c ", b"<c>", b"<c/>", b"<c\t", b"<c\n", b"<c\r")  # cells; not <col>, <cfRule>, <cellXfs>…
_PREFIXED_CELL_TAG = re.compile(rb"<[A-Za-z_][\w.-]*:c[\s/>]")  # <x:c …> when the sheet's namespace has a prefix
# A cell reference beyond column GR (MAX_COLUMNS): GS to GZ, HA to ZZ, or three letters. Only cells have an
# ``r`` attribute made of letters and digits (rows' are digits; ranges are in ``ref`` and ``sqref``).
_FAR_CELL = re.compile(rb'\sr="(?:[A-Za-z]{3}|[Gg][S-Zs-z]|[H-Zh-z][A-Za-z])[0-9]')
METADATA_TYPES = {
    "start",
    "end",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "audit",
    "start-geopoint",
}
TRUE_VALUES = {"yes", "true", "true()", "1", "oui", "vrai"}
FALSE_VALUES = {"", "no", "false", "false()", "0", "non", "faux"}
LANGUAGE_NAMES = {"fr": "fr", "french": "fr", "français": "fr", "francais": "fr", "en": "en", "english": "en"}


@dataclass(frozen=True)
class XLSFormProblem:
    sheet: str
    row: int  # 1-based spreadsheet row; 0 for the whole file or sheet
    column: str
    message: str

    def __str__(self) -> str:
        if not self.row:
            return _("%(sheet)s: %(message)s", sheet=self.sheet, message=self.message)
        return _(
            "%(sheet)s sheet, row %(row)d, column %(column)s: %(message)s",
            sheet=self.sheet,
            row=self.row,
            column=self.column or "—",
            message=self.message,
        )


class XLSFormInvalid(DomainError):
    def __init__(self, problems: list[XLSFormProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems[:5]))
        self.problems = problems


@dataclass
class _Row:
    number: int
    cells: dict[str, str]  # normalized header → text
    headers: dict[str, str]  # normalized header → header as written


@dataclass
class _Sheet:
    name: str
    rows: list[_Row] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value).strip()


def _normalize_header(header: str) -> str:
    """``label::French (fr)`` → ``label::fr``; ``list name`` → ``list_name``; plain names lowercased."""
    base, _sep, language = header.partition("::")
    base = re.sub(r"\s+", "_", base.strip().lower())
    if not _sep:
        return base
    language = language.strip()
    match = re.search(r"\(([A-Za-z]{2,3})(?:[-_][A-Za-z]+)?\)\s*$", language)
    code = match.group(1).lower() if match else LANGUAGE_NAMES.get(language.lower(), language.lower())
    return f"{base}::{code}"


def _unreadable(exc: Exception) -> XLSFormInvalid:
    message = _("This is not a readable .xlsx workbook (%(error)s).", error=type(exc).__name__)
    return XLSFormInvalid([XLSFormProblem(_("file"), 0, "", message)])


def _count_cells(xml: bytes) -> int:
    if b":sheetData" in xml:  # a prefixed namespace (<x:sheetData>, <x:c>): the slower, general count
        return len(_PREFIXED_CELL_TAG.findall(xml))
    return sum(xml.count(tag) for tag in _CELL_TAGS)


def check_archive(data: bytes) -> None:
    """Refuse a workbook that would unpack into too much, before anything parses it: the sizes its zip directory
    declares (zipfile never produces more than a member's declared size: a member that lies fails its CRC), the
    number of parts, then the cells counted in its XML parts and how far right they go (openpyxl fills every
    row up to the rightmost cell). Raise :class:`XLSFormInvalid`."""

    def refuse(message: str) -> XLSFormInvalid:
        return XLSFormInvalid([XLSFormProblem(_("file"), 0, "", message)])

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except Exception as exc:  # not a zip archive, or a damaged one
        raise _unreadable(exc) from None
    if len(members) > MAX_PARTS:
        raise refuse(_("The workbook holds too many parts: more than %(max)d.", max=MAX_PARTS))
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise refuse(
            _(
                "The workbook is too large once unpacked: %(size)s MB of contents (at most %(max)d MB). "
                "Check that this is the right file.",
                size=format_number(unpacked // (1024 * 1024)),
                max=MAX_UNPACKED_BYTES // (1024 * 1024),
            )
        )
    cells = 0
    for member in members:
        if not member.filename.lower().endswith(".xml"):
            continue
        try:
            xml = archive.read(member)
        except Exception as exc:  # a damaged member (bad CRC, bad compressed data)
            raise _unreadable(exc) from None
        cells += _count_cells(xml)
        if cells > MAX_CELLS:
            raise refuse(_("The workbook has too many cells: more than %(max)s.", max=format_number(MAX_CELLS)))
        if _FAR_CELL.search(xml):
            raise refuse(
                _(
                    "The workbook has cells beyond column %(column)s: an XLSForm uses at most %(max)d columns.",
                    column="GR",
                    max=MAX_COLUMNS,
                )
            )


def _read_sheets(data: bytes) -> dict[str, _Sheet]:
    from openpyxl import load_workbook

    check_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors of all kinds on a damaged or foreign file
        raise _unreadable(exc) from None
    sheets: dict[str, _Sheet] = {}
    problems: list[XLSFormProblem] = []
    try:
        for worksheet in workbook.worksheets:
            name = worksheet.title.strip().lower()
            if name not in {"survey", "choices", "settings"}:
                continue
            sheet = _Sheet(name)
            header_row: list[str] | None = None
            # Rows are read as far as their real cells go (checked above), whatever size the sheet declares.
            worksheet.reset_dimensions()
            rows = worksheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
            for number, values in enumerate(rows, start=1):
                if number > MAX_ROWS + 1:
                    problems.append(XLSFormProblem(name, 0, "", _("Too many rows: at most %(max)d.", max=MAX_ROWS)))
                    break
                texts = [_cell_text(v) for v in values]
                if header_row is None:
                    if not any(texts):
                        continue
                    header_row = texts
                    sheet.headers = {_normalize_header(h): h for h in header_row if h}
                    continue
                if not any(texts):
                    continue
                cells, headers = {}, {}
                for header, text in zip(header_row, texts, strict=False):
                    if header and text:
                        key = _normalize_header(header)
                        cells[key], headers[key] = text, header
                sheet.rows.append(_Row(number, cells, headers))
            sheets[name] = sheet
    finally:
        workbook.close()
    if problems:
        raise XLSFormInvalid(problems)
    return sheets


class _Converter:
    def __init__(self, sheets: dict[str, _Sheet], fallback_title: str) -> None:
        self.sheets = sheets
        self.fallback_title = fallback_title
        self.problems: list[XLSFormProblem] = []
        # JSON path prefix → (sheet, row, {definition field → column header})
        self.locations: dict[str, tuple[str, int, dict[str, str]]] = {}
        self.default_language = "fr"

    def problem(self, sheet: str, row: int, column: str, message: str) -> None:
        self.problems.append(XLSFormProblem(sheet, row, column, message))

    # -- texts --------------------------------------------------------------------------------------------------

    def texts(self, row: _Row, base: str) -> tuple[dict[str, str], dict[str, str]]:
        """``{"fr": …, "en": …}`` from ``base``, ``base::fr``, ``base::en`` columns; and the header used per
        language."""
        result, columns = {"fr": "", "en": ""}, {}
        plain = row.cells.get(base, "")
        if plain:
            result[self.default_language] = plain
            columns[self.default_language] = row.headers.get(base, base)
        for lang in ("fr", "en"):
            value = row.cells.get(f"{base}::{lang}", "")
            if value:
                result[lang] = value
                columns[lang] = row.headers.get(f"{base}::{lang}", f"{base}::{lang}")
        return result, columns

    # -- settings -----------------------------------------------------------------------------------------------

    def settings(self) -> dict:
        sheet = self.sheets.get("settings")
        row = sheet.rows[0] if sheet and sheet.rows else _Row(2, {}, {})
        language = row.cells.get("default_language", "").strip()
        if language:
            normalized = _normalize_header(f"x::{language}").split("::")[1]
            if normalized in {"fr", "en"}:
                self.default_language = normalized
            else:
                self.problem(
                    "settings",
                    row.number,
                    "default_language",
                    _("Unknown language “%(language)s”: use French (fr) or English (en).", language=language),
                )
        title, columns = self.texts(row, "form_title")
        if not title["fr"] and not title["en"]:
            title["fr"] = self.fallback_title
        form_id = row.cells.get("form_id", "")
        self.locations["$.survey"] = ("settings", row.number, {"title": columns.get("fr", "form_title")})
        return {
            "slug": slugify(form_id) if form_id else None,
            "title": title,
            "anonymity": "anonymous",
        }

    # -- choices ------------------------------------------------------------------------------------------------

    def choice_lists(self) -> dict[str, list[tuple[_Row, dict]]]:
        lists: dict[str, list[tuple[_Row, dict]]] = {}
        sheet = self.sheets.get("choices")
        if sheet is None:
            return lists
        for row in sheet.rows:
            list_name = row.cells.get("list_name", "")
            name = row.cells.get("name", "")
            if not list_name:
                self.problem("choices", row.number, "list_name", _("Each choice needs the name of its list."))
                continue
            if not name:
                self.problem("choices", row.number, "name", _("Each choice needs a name (its code)."))
                continue
            label, _columns = self.texts(row, "label")
            lists.setdefault(list_name, []).append((row, {"code": name, "label": label}))
        return lists

    # -- survey -------------------------------------------------------------------------------------------------

    def pages(self, lists: dict[str, list[tuple[_Row, dict]]]) -> list[dict]:
        sheet = self.sheets["survey"]
        pages: list[dict] = []
        group_row: _Row | None = None
        current: dict | None = None  # the page questions go to
        for row in sheet.rows:
            raw_type = re.sub(r"\s+", " ", row.cells.get("type", "").strip().lower())
            if not raw_type:
                continue
            kind = raw_type.replace("begin_group", "begin group").replace("end_group", "end group")
            if kind in {"begin group", "begin repeat", "begin_repeat"}:
                if kind != "begin group":
                    self.problem("survey", row.number, "type", _("Repeated groups are not supported."))
                    continue
                if group_row is not None:
                    self.problem(
                        "survey",
                        row.number,
                        "type",
                        _("Groups inside groups are not supported: each group becomes one page."),
                    )
                    continue
                title, columns = self.texts(row, "label")
                current = {
                    "title": title,
                    "intro": {"fr": "", "en": ""},
                    "relevant": row.cells.get("relevant", ""),
                    "questions": [],
                }
                pages.append(current)
                self.locations[f"$.pages[{len(pages) - 1}]"] = (
                    "survey",
                    row.number,
                    {"title": columns.get("fr", "label"), "relevant": "relevant"},
                )
                group_row = row
                continue
            if kind in {"end group", "end repeat", "end_repeat"}:
                if group_row is None:
                    self.problem("survey", row.number, "type", _("“end group” without a matching “begin group”."))
                group_row, current = None, None
                continue
            if kind in METADATA_TYPES:
                continue
            question = self.question(row, kind, lists)
            if question is None:
                continue
            if current is None:
                current = {
                    "title": {"fr": "", "en": ""},
                    "intro": {"fr": "", "en": ""},
                    "relevant": "",
                    "questions": [],
                }
                pages.append(current)
                self.locations[f"$.pages[{len(pages) - 1}]"] = ("survey", row.number, {})
            path = f"$.pages[{len(pages) - 1}].questions[{len(current['questions'])}]"
            question, columns, choice_rows = question
            self.locations[path] = ("survey", row.number, columns)
            for index, choice_row in enumerate(choice_rows):
                self.locations[f"{path}.choices[{index}]"] = (
                    "choices",
                    choice_row.number,
                    {"code": "name", "label": "label"},
                )
            current["questions"].append(question)
        if group_row is not None:
            self.problem("survey", group_row.number, "type", _("This group is never closed by an “end group” row."))
        return pages

    def question(self, row: _Row, kind: str, lists: dict) -> tuple[dict, dict, list[_Row]] | None:
        """The question of a survey-sheet row: its type reads the type, settings and choices (app/questions/), the
        rest is common to every type."""
        word, *args = kind.split(" ")
        xrow = XLSFormRow(
            number=row.number,
            word=word,
            args=args,
            cells=row.cells,
            appearance=row.cells.get("appearance", "").lower().split(),
            choice_lists=lists,
            report=lambda column, message: self.problem("survey", row.number, column, message),
        )
        qtype = xlsform_type(xrow)
        if qtype is None:
            self.problem(
                "survey",
                row.number,
                "type",
                _(
                    "The type “%(type)s” cannot be imported; the types are %(types)s, begin group and end group.",
                    type=kind[:60],
                    types=", ".join(xlsform_words()),
                ),
            )
            return None
        read = qtype.from_xlsform(xrow)
        if read is None:
            return None
        required_text = row.cells.get("required", "").strip().lower()
        if required_text in TRUE_VALUES:
            required = True
        elif required_text in FALSE_VALUES:
            required = False
        else:
            self.problem("survey", row.number, "required", _("Write “yes” or “no”."))
            required = False
        label, label_columns = self.texts(row, "label")
        hint, hint_columns = self.texts(row, "hint")
        message, message_columns = self.texts(row, "constraint_message")
        question: dict[str, Any] = {
            "code": row.cells.get("name", ""),
            "type": read.type,
            "label": label,
            "help": hint,
            "required": required,
            "relevant": row.cells.get("relevant", ""),
            "constraint": row.cells.get("constraint", ""),
            "constraint_message": message,
            "settings": read.settings,
        }
        if read.choices:
            question["choices"] = read.choices
        columns = {
            "code": "name",
            "type": "type",
            "required": "required",
            "relevant": "relevant",
            "constraint": "constraint",
            "label": label_columns.get("fr", "label"),
            "help": hint_columns.get("fr", "hint"),
            "constraint_message": message_columns.get("fr", "constraint_message"),
            "settings": read.settings_column,
        }
        return question, columns, read.choice_rows

    # -- mapping definition problems back onto the workbook -----------------------------------------------------

    def locate(self, path: str, message: str) -> XLSFormProblem:
        prefix = path
        while prefix and prefix not in self.locations:
            cut = max(prefix.rfind("."), prefix.rfind("["))
            prefix = prefix[:cut] if cut > 0 else ""
        if not prefix:
            return XLSFormProblem("survey", 0, "", message)
        sheet, row, columns = self.locations[prefix]
        rest = path[len(prefix) :].lstrip(".")
        key = re.split(r"[.\[]", rest, maxsplit=1)[0] if rest else ""
        column = columns.get(key, key or "type")
        if key == "choices" and rest == "choices":
            column = "type"
        return XLSFormProblem(sheet, row, column, message)


def read_xlsform(data: bytes, *, fallback_title: str = "") -> dict:
    """The definition document of the workbook; raise :class:`XLSFormInvalid` with every problem found."""
    sheets = _read_sheets(data)
    if "survey" not in sheets:
        raise XLSFormInvalid([XLSFormProblem("survey", 0, "", _("The workbook has no “survey” sheet."))])
    converter = _Converter(sheets, fallback_title)
    survey = converter.settings()
    lists = converter.choice_lists()
    pages = converter.pages(lists)
    definition = {"format": FORMAT, "version": FORMAT_VERSION, "survey": survey, "pages": pages}
    problems = list(converter.problems)
    if not problems:
        problems = [converter.locate(error.path, error.message) for error in validate_definition(definition)]
    if not any(page["questions"] for page in pages) and not problems:
        problems.append(XLSFormProblem("survey", 0, "", _("The survey sheet has no question.")))
    if problems:
        order = {"settings": 0, "survey": 1, "choices": 2}
        problems.sort(key=lambda p: (order.get(p.sheet, 3), p.row))
        raise XLSFormInvalid(problems)
    return definition


def import_xlsform(data: bytes, process: Any, actor: Any, *, fallback_title: str = ""):
    """Create a draft survey from the workbook (all or nothing); raise :class:`XLSFormInvalid`."""
    definition = read_xlsform(data, fallback_title=fallback_title)
    try:
        return import_definition(definition, process, actor)
    except DefinitionInvalid as exc:  # pragma: no cover - read_xlsform validated the same document
        raise XLSFormInvalid([XLSFormProblem("survey", 0, "", str(e)) for e in exc.errors]) from None
