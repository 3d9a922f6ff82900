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
import json
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from flask_babel import format_number
from flask_babel import gettext as _

from app.builder.definition import FORMAT, FORMAT_VERSION, DefinitionInvalid, import_definition, validate_definition
from app.builder.slugs import slugify
from app.core.errors import ProblemsFound
from app.questions.base import XLSFormQuestion, XLSFormRow
from app.questions.registry import find_type, xlsform_type, xlsform_words

MAX_ROWS = 5000  # filled rows of the survey and settings sheets (formatted empty rows are not counted)
#: Filled rows of a choices or external_choices sheet: lists of places (admin areas of a country) run to thousands;
#: the cells are bounded by MAX_CELLS anyway, and a question keeps at most MAX_CHOICES of them.
MAX_CHOICE_ROWS = 20_000
MAX_REPEAT_COPIES = 10  # a repeat with a fixed repeat_count is written out as that many groups
# An .xlsx is a zip archive: these are checked on the archive itself, before openpyxl reads anything, so that a
# small upload cannot unpack into gigabytes (a zip bomb) or into millions of cells. A real XLSForm of MAX_ROWS
# rows stays far below them.
MAX_UNPACKED_BYTES = 16 * 1024 * 1024
MAX_PARTS = 500
MAX_CELLS = 300_000
MAX_COLUMNS = 200  # column GR
MAX_XLS_BYTES = 16 * 1024 * 1024  # a legacy .xls is read whole by xlrd
_CELL_TAGS = (b"<c ", b"<c>", b"<c/>", b"<c\t", b"<c\n", b"<c\r")  # cells; not <col>, <cfRule>, <cellXfs>…
_PREFIXED_CELL_TAG = re.compile(rb"<[A-Za-z_][\w.-]*:c[\s/>]")  # <x:c …> when the sheet's namespace has a prefix
# A cell holding something beyond column GR (MAX_COLUMNS): GS to GZ, HA to ZZ, or three letters. Only cells have
# an ``r`` attribute made of letters and digits (rows' are digits; ranges are in ``ref`` and ``sqref``). A cell
# closed at once (``<c r="AMJ1" s="3"/>``: formatted, empty) holds nothing and is not counted: spreadsheets write
# thousands of them to the right of real forms.
_FAR_CELL = re.compile(rb'\sr="(?:[A-Za-z]{3}|[Gg][S-Zs-z]|[H-Zh-z][A-Za-z])[0-9]+"[^>]*(?<!/)>')
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a legacy .xls (Excel 97-2003) file

#: Metadata the phone records by itself (start, end, device…): nothing to ask a respondent; skipped with a warning.
METADATA_TYPES = {
    "start",
    "end",
    "today",
    "deviceid",
    "imei",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
    "audit",
    "start-geopoint",
    "background-audio",
    "xml-external",
    "csv-external",
}
#: Types that ask for a file or a drawing on a map: Concerto takes no uploads; the question is left out with a
#: warning (a condition or calculation that uses its answer is refused on its own row).
LEFT_OUT_TYPES = {
    "image",
    "photo",
    "audio",
    "video",
    "file",
    "geotrace",
    "geoshape",
    "signature",
    "add image prompt",
    "add photo prompt",
    "add audio prompt",
    "add video prompt",
    "add file prompt",
}
#: Types whose answer is typed as text in Concerto (the phone would scan it or read it from a file).
TYPED_AS_TEXT = {"barcode", "select_one_from_file", "select_multiple_from_file", "osm"}
TRUE_VALUES = {"yes", "true", "true()", "1", "oui", "vrai", "t", "y"}
FALSE_VALUES = {"", "no", "false", "false()", "0", "non", "faux", "f", "n"}
LANGUAGE_NAMES = {
    "fr": "fr",
    "french": "fr",
    "français": "fr",
    "francais": "fr",
    "en": "en",
    "english": "en",
    "anglais": "en",
    "es": "es",
    "spanish": "es",
    "español": "es",
    "espagnol": "es",
    "sw": "sw",
    "swahili": "sw",
    "kiswahili": "sw",
    "ar": "ar",
    "arabic": "ar",
    "العربية": "ar",
    "id": "id",
    "indonesian": "id",
    "bahasa": "id",
    "hi": "hi",
    "hindi": "hi",
    "ne": "ne",
    "nepali": "ne",
    "pt": "pt",
    "portuguese": "pt",
    "português": "pt",
}
#: Column names pyxform also reads under another name (pyxform/aliases.py), and old spellings.
SURVEY_ALIASES = {
    "relevance": "relevant",
    "caption": "label",
    "readonly": "read_only",
    "constraining_message": "constraint_message",
    "requiredmsg": "required_message",
    "calculate": "calculation",
    "count": "repeat_count",
    "jr:count": "repeat_count",
    "command": "type",
}
CHOICE_ALIASES = {"value": "name", "caption": "label", "list": "list_name"}
#: Columns holding one text per language (``label::English (en)``).
TRANSLATED = {"label", "hint", "guidance_hint", "constraint_message", "required_message", "form_title", "media"}
#: Survey-sheet columns the importer reads; any other column holding something is reported by a warning.
SURVEY_COLUMNS = {
    "type",
    "name",
    "label",
    "hint",
    "guidance_hint",
    "required",
    "required_message",
    "relevant",
    "constraint",
    "constraint_message",
    "appearance",
    "parameters",
    "calculation",
    "default",
    "read_only",
    "choice_filter",
    "repeat_count",
    "concerto_type",
    "concerto_settings",
    "concerto_page",
}
CHOICE_COLUMNS = {"list_name", "name", "label"}
SETTINGS_COLUMNS = {"form_title", "form_id", "default_language", "version", "instance_name", "style", "concerto_survey"}
#: Words that tell French text from English text in plain ``label`` columns.
_FRENCH_WORDS = frozenset(
    [
        "le",
        "la",
        "les",
        "des",
        "du",
        "de",
        "et",
        "est",
        "un",
        "une",
        "vous",
        "votre",
        "vos",
        "pour",
        "dans",
        "sur",
        "avec",
        "quel",
        "quelle",
        "quels",
        "quelles",
        "nom",
        "oui",
        "non",
        "combien",
        "date",
        "êtes",
        "avez",
        "pas",
        "au",
        "aux",
        "ce",
        "cette",
        "qui",
        "que",
        "où",
    ]
)
_ENGLISH_WORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "is",
        "a",
        "an",
        "you",
        "your",
        "for",
        "in",
        "on",
        "with",
        "what",
        "which",
        "name",
        "yes",
        "no",
        "how",
        "many",
        "date",
        "are",
        "have",
        "not",
        "to",
        "this",
        "that",
        "who",
        "where",
        "do",
        "does",
    ]
)
_WORD = re.compile(r"[^\W\d_]+")


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


class XLSFormInvalid(ProblemsFound):
    problems: list[XLSFormProblem]


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


def _language_code(language: str) -> str:
    """``French (fr)`` → ``fr``; ``English`` → ``en``; ``Swahili (sw)`` → ``sw``; anything else lowercased."""
    language = language.strip()
    match = re.search(r"\(([A-Za-z]{2,3})(?:[-_][A-Za-z]+)?\)\s*$", language)
    if match:
        return match.group(1).lower()
    return LANGUAGE_NAMES.get(language.lower(), language.lower())


def _normalize_header(header: str, aliases: dict[str, str] | None = None) -> str:
    """``label::French (fr)`` → ``label::fr``; ``label:English`` (old syntax) → ``label::en``; ``list name`` →
    ``list_name``; ``bind:relevant``, ``bind::relevant`` and pyxform's aliases (``relevance``) → ``relevant``;
    plain names lowercased. ``aliases``: the sheet's aliases (survey's by default)."""
    aliases = SURVEY_ALIASES if aliases is None else aliases
    header = header.strip()
    base, sep, language = header.partition("::")
    if not sep and ":" in header:
        first, _colon, rest = header.partition(":")
        if re.sub(r"\s+", "_", first.strip().lower()) in TRANSLATED:
            base, sep, language = first, "::", rest
    base = re.sub(r"\s+", "_", base.strip().lower())
    if base == "bind" and sep:  # bind::relevant, bind:relevant (old syntax)
        base, sep, language = language.strip().lower().removeprefix(":"), "", ""
        base = re.sub(r"\s+", "_", base)
    elif base.startswith("bind:"):
        base = base[len("bind:") :]
    base = aliases.get(base, base)
    if not sep:
        return base
    return f"{base}::{_language_code(language)}"


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


def _xlsx_rows(data: bytes):
    """(sheet title, its rows of values) for each worksheet of an .xlsx workbook."""
    from openpyxl import load_workbook

    check_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors of all kinds on a damaged or foreign file
        raise _unreadable(exc) from None
    try:
        for worksheet in workbook.worksheets:
            # Rows are read as far as their real cells go (checked above), whatever size the sheet declares.
            worksheet.reset_dimensions()
            # Not padded to a width: a formatted empty row is an empty tuple (a million of them read in a second).
            yield worksheet.title, (values[:MAX_COLUMNS] for values in worksheet.iter_rows(values_only=True))
    finally:
        workbook.close()


def _xls_rows(data: bytes):
    """The same for a legacy .xls workbook (xlrd reads it whole: its size is bounded first)."""
    import xlrd

    if len(data) > MAX_XLS_BYTES:
        raise XLSFormInvalid(
            [XLSFormProblem(_("file"), 0, "", _("The workbook is too large: at most %(max)d MB.", max=16))]
        )
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as exc:  # xlrd's errors on a damaged or foreign file
        raise _unreadable(exc) from None
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            if sheet.nrows * min(sheet.ncols, MAX_COLUMNS) > MAX_CELLS:
                raise XLSFormInvalid(
                    [
                        XLSFormProblem(
                            _("file"),
                            0,
                            "",
                            _("The workbook has too many cells: more than %(max)s.", max=format_number(MAX_CELLS)),
                        )
                    ]
                )
            rows = (
                [_xls_value(sheet.cell(r, c), book.datemode) for c in range(min(sheet.ncols, MAX_COLUMNS))]
                for r in range(sheet.nrows)
            )
            yield sheet.name, rows
    finally:
        book.release_resources()


def _xls_value(cell: Any, datemode: int) -> Any:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, datemode)
        except Exception:  # a number formatted as a date that is not one
            return cell.value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    return cell.value if cell.ctype != xlrd.XL_CELL_EMPTY else None


def _read_sheets(data: bytes) -> dict[str, _Sheet]:
    sheets: dict[str, _Sheet] = {}
    problems: list[XLSFormProblem] = []
    sheet_rows = _xls_rows(data) if data[:8] == OLE2_MAGIC else _xlsx_rows(data)
    for title, rows in sheet_rows:
        name = title.strip().lower()
        if name not in {"survey", "choices", "settings", "external_choices"}:
            continue
        aliases = SURVEY_ALIASES if name == "survey" else CHOICE_ALIASES if "choices" in name else {}
        sheet = _Sheet(name)
        header_row: list[str] | None = None
        normalized: list[str] = []
        filled = 0
        limit = MAX_CHOICE_ROWS if "choices" in name else MAX_ROWS
        for number, values in enumerate(rows, start=1):
            if values.count(None) == len(values):  # fast path: the million formatted empty rows of some forms
                continue
            texts = [_cell_text(v) for v in values]
            if not any(texts):  # formatted empty rows (a million in some real forms) are not counted
                continue
            if header_row is None:
                header_row = texts
                normalized = [_normalize_header(h, aliases) if h else "" for h in header_row]
                sheet.headers = {key: h for key, h in zip(normalized, header_row, strict=False) if key}
                continue
            filled += 1
            if filled > limit:
                problems.append(
                    XLSFormProblem(
                        name,
                        number,
                        "",
                        _("Too many rows: at most %(max)d filled rows on this sheet.", max=limit),
                    )
                )
                break
            cells, headers = {}, {}
            for key, header, text in zip(normalized, header_row, texts, strict=False):
                if key and text and key not in cells:
                    cells[key], headers[key] = text, header
            sheet.rows.append(_Row(number, cells, headers))
        sheets[name] = sheet
    if problems:
        raise XLSFormInvalid(problems)
    return sheets


def _guess_language(texts: list[str]) -> str:
    """``fr`` or ``en``: which of the two the texts are written in (French when it cannot be told)."""
    french = english = 0
    for text in texts[:400]:
        for word in _WORD.findall(text.lower()):
            french += word in _FRENCH_WORDS
            english += word in _ENGLISH_WORDS
    return "en" if english > french else "fr"


#: Survey-sheet columns holding an expression.
EXPRESSION_COLUMNS = ("relevant", "constraint", "calculation", "choice_filter", "repeat_count")
_STRING_RE = re.compile(r"""('[^']*'|"[^"]*")""")
_PATH_RE = re.compile(r"(?<![\w}.$])(?:current\(\)\s*/\s*)?(?:\.\./)*(?:/?[^\W\d][\w.\-]*/)+([^\W\d][\w\-]*)")
_PARENT_RE = re.compile(r"(?:current\(\)\s*/\s*)?(?:\.\./|(?<![\w.])\./)+([^\W\d][\w\-]*)")
# instance('list')/root/item[name = ${q}]/column: a lookup in a list (predicates hold no brackets in real forms)
_INSTANCE_RE = re.compile(r"""instance\(\s*(['"])([^'"]*)\1\s*\)(?:\s*/\s*[\w:\-]+|\[[^\]]*\])*""")
_LOOKUP_RE = re.compile(
    r"""instance\(\s*['"][^'"]*['"]\s*\)\s*/\s*root\s*/\s*item\s*\[\s*([\w\-]+)\s*=\s*([^\]]+)\]\s*/\s*([\w\-]+)"""
)
_INDEXED_REPEAT_RE = re.compile(r"(?<![\w-])indexed-repeat\s*\(")
_PULLDATA_RE = re.compile(r"(?<![\w-])pulldata\s*\(")
_POSITION_RE = re.compile(r"position\(\s*\.\.\s*\)")
_CHOICE_NAME_RE = re.compile(r"""jr:choice-name\(\s*(\$\{[^}]+\})\s*,\s*(?:'[^']*'|"[^"]*")\s*\)""")
_SELECTED_RE = re.compile(r"""selected\(\s*\$\{([^}]+)\}\s*,\s*(?:'([^']*)'|"([^"]*)")\s*\)""")


def _call_at(source: str, opening: int) -> tuple[int, list[str]]:
    """The end (after its closing bracket) and the arguments of the call whose ``(`` is at ``opening``; brackets
    and commas inside quoted texts or inner calls do not count."""
    depth, quote, args, start = 0, "", [], opening + 1
    for index in range(opening, len(source)):
        char = source[index]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "," and depth == 1:
            args.append(source[start:index])
            start = index + 1
        elif char in "()":
            depth += 1 if char == "(" else -1
            if depth == 0:
                return index + 1, [*args, source[start:index]]
    return len(source), [*args, source[start:]]


def _quoted(text: str) -> str | None:
    """A text between the quotes it does not hold (``None`` when it holds both)."""
    if "'" not in text:
        return f"'{text}'"
    return f'"{text}"' if '"' not in text else None


def _straight_quotes(source: str) -> tuple[str, bool]:
    """Curly quotes used around texts (‘yes’, ’yes’, “yes”) as the straight quotes an expression needs; curly
    quotes inside a straight-quoted text are kept. Whether anything changed."""
    out: list[str] = []
    quote: str | None = None  # the quote that closes the current text
    opened = 0
    changed = False
    for char in source:
        if quote is None:
            if char in "'\"":
                quote, opened = char, len(out)
            elif char in "‘’":
                quote, char, changed = "‘’", "'", True
            elif char in "“”":
                quote, char, changed = "“”", '"', True
        elif char in quote or char == quote:
            if len(quote) == 2:
                char = "'" if quote == "‘’" else '"'
            quote = None
        out.append(char)
    if quote == "'" and "’" in out[opened:]:  # 'point_auto_5’: opened straight, closed curly
        last = len(out) - 1 - out[::-1].index("’")
        out[last], changed = "'", True
    return "".join(out), changed


def _xpath_paths(source: str) -> str:
    """XPath paths to a question (``/data/group/age``, ``../age``, ``current()/../age``) as ``${age}``, outside
    quoted texts."""
    parts = _STRING_RE.split(source)
    for index in range(0, len(parts), 2):
        part = _PATH_RE.sub(lambda m: "${" + m.group(1) + "}", parts[index])
        parts[index] = _PARENT_RE.sub(lambda m: "${" + m.group(1) + "}", part)
    return "".join(parts)


@dataclass
class _Frame:
    """An open ``begin group`` or ``begin repeat``."""

    row: _Row
    relevant: str
    field_list: bool
    title: dict[str, str]
    title_column: str
    repeat: bool = False
    intro: Any = None  # a page's introduction (Concerto's export)


class _Converter:
    def __init__(self, sheets: dict[str, _Sheet], fallback_title: str) -> None:
        self.sheets = sheets
        self.fallback_title = fallback_title
        self.problems: list[XLSFormProblem] = []
        self.warnings: list[XLSFormProblem] = []
        # JSON path prefix → (sheet, row, {definition field → column header})
        self.locations: dict[str, tuple[str, int, dict[str, str]]] = {}
        self.default_language = "fr"  # where plain columns go: fr, en, or another language's code
        self.languages: set[str] = set()  # every language of the translated columns
        self.left_out: dict[str, tuple[int, str]] = {}  # name of a question left out → (its row, its type)
        self.names: dict[str, int] = {}  # question name → its row
        self.refused: set[str] = set()  # names of the questions refused (their problem is reported)
        self.metadata: list[_Row] = []  # rows of the phone's metadata (start, username…)
        #: repeat name → (its number of copies, 0 when asked once; the names of its questions)
        self.repeats: dict[str, tuple[int, set[str]]] = {}
        self.group: tuple[int, ...] = ()  # the rows of the groups open at the question being read
        self.name_groups: dict[str, tuple[int, ...]] = {}  # question name → the groups it is in
        self.workbook_lists: set[str] | None = None  # the list names of the choices sheets (read when needed)

    def problem(self, sheet: str, row: int, column: str, message: str) -> None:
        self.problems.append(XLSFormProblem(sheet, row, column, message))

    def warn(self, sheet: str, row: int, column: str, message: str) -> None:
        self.warnings.append(XLSFormProblem(sheet, row, column, message))

    def warn_survey_cell(self, row: _Row, column: str, message: str) -> None:
        """A warning about a cell of the survey sheet, its column named by its header as written."""
        self.warn("survey", row.number, row.headers.get(column, column), message)

    # -- texts --------------------------------------------------------------------------------------------------

    def texts(self, row: _Row, base: str) -> tuple[dict[str, str], dict[str, str]]:
        """``{"fr": …, "en": …}`` from ``base``, ``base::fr``, ``base::en`` columns (and the default language's
        when French is missing); and the header used per language."""
        result, columns = {"fr": "", "en": ""}, {}
        by_language: dict[str, tuple[str, str]] = {}
        plain = row.cells.get(base, "")
        if plain:
            by_language[self.default_language] = (plain, row.headers.get(base, base))
        prefix = f"{base}::"
        for key, value in row.cells.items():
            if key.startswith(prefix) and value:
                by_language.setdefault(key[len(prefix) :], (value, row.headers.get(key, key)))
        for lang in ("fr", "en"):
            if lang in by_language:
                result[lang], columns[lang] = by_language[lang]
        if not result["fr"]:
            # No French text: the default language's (or English) stands in for it, as the French column is the
            # one every questionnaire has.
            for lang in (self.default_language, "en", *sorted(by_language)):
                if lang in by_language:
                    result["fr"], columns["fr"] = by_language[lang]
                    break
        return result, columns

    # -- settings -----------------------------------------------------------------------------------------------

    def find_languages(self) -> None:
        """The languages of the form, and where its plain ``label`` columns go (settings' default_language, else
        the language their texts are written in)."""
        plain_texts: list[str] = []
        for name in ("survey", "choices"):
            sheet = self.sheets.get(name)
            if sheet is None:
                continue
            for key in sheet.headers:
                base, sep, language = key.partition("::")
                if sep and base in TRANSLATED and base != "media":
                    self.languages.add(language)
            if name == "survey":
                plain_texts = [row.cells.get("label", "") for row in sheet.rows if row.cells.get("label")]
        settings = self.sheets.get("settings")
        row = settings.rows[0] if settings and settings.rows else None
        language = row.cells.get("default_language", "").strip() if row else ""
        if language:
            self.default_language = _language_code(language)
        elif plain_texts:
            self.default_language = _guess_language(plain_texts)
        if plain_texts:
            self.languages.add(self.default_language)
        others = sorted(self.languages - {"fr", "en"})
        if others:
            where = ("settings", row.number, "default_language") if language and row else ("survey", 1, "label")
            self.warn(
                *where,
                _(
                    "Concerto shows French and English only: the texts in %(languages)s are kept with the "
                    "questionnaire (and written back by its XLSForm export) but not shown%(stand_in)s.",
                    languages=", ".join(others),
                    stand_in=(
                        _(" (they stand in for the French text where a row has none)")
                        if "fr" not in self.languages
                        else ""
                    ),
                ),
            )
        elif "fr" not in self.languages and "en" in self.languages:
            self.warn(
                "survey",
                1,
                "label",
                _("The form has no French texts: its English texts are shown in French too, until translated."),
            )

    def settings(self) -> dict:
        sheet = self.sheets.get("settings")
        row = sheet.rows[0] if sheet and sheet.rows else _Row(2, {}, {})
        self.find_languages()
        title, columns = self.texts(row, "form_title")
        if not title["fr"] and row.cells.get("title"):  # an old spelling of form_title
            title["fr"], columns["fr"] = row.cells["title"], row.headers.get("title", "title")
        form_id = row.cells.get("form_id", "")
        if not title["fr"]:
            title["fr"] = self.title_without_form_title(form_id)
            if self.default_language == "en":
                title["en"] = title["fr"]
            self.warn(
                "settings", row.number, "form_title", _("No form_title: the title is “%(title)s”.", title=title["fr"])
            )
        title = {lang: text.splitlines()[0].strip()[:200] if text else "" for lang, text in title.items()}
        self.locations["$.survey"] = ("settings", row.number, {"title": columns.get("fr", "form_title")})
        for key, header in row.headers.items():
            base = key.split("::")[0]
            if base not in SETTINGS_COLUMNS and base not in {"title", "public_key", "submission_url"}:
                self.warn("settings", row.number, header, _("This column is ignored."))
        exported = self.concerto_json(row, "concerto_survey", "settings")
        if exported:  # written by Concerto's export: the survey as it was
            self.locations["$.survey"] = ("settings", row.number, {})
            return exported
        return {"slug": slugify(form_id) if form_id else None, "title": title, "anonymity": "anonymous"}

    def concerto_json(self, row: _Row, column: str, sheet: str) -> dict:
        """A ``concerto_*`` cell (JSON written by Concerto's export); a problem on its cell when unreadable."""
        text = row.cells.get(column, "")
        if not text:
            return {}
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if not isinstance(value, dict):
            self.problem(sheet, row.number, row.headers.get(column, column), _("This cell is not Concerto's JSON."))
            return {}
        return value

    def title_without_form_title(self, form_id: str) -> str:
        """A title for a form without form_title: its form_id in words, else the label of its first group or
        question, else the file's name."""
        if form_id and re.search(r"[^\W\d_]", form_id):
            words = re.sub(r"[_\-.]+", " ", form_id).strip()
            return words[:1].upper() + words[1:]
        survey = self.sheets.get("survey")
        for row in survey.rows if survey else []:
            label, _columns = self.texts(row, "label")
            if label["fr"]:
                return label["fr"]
        return self.fallback_title or _("Imported questionnaire")

    # -- choices ------------------------------------------------------------------------------------------------

    def choice_lists(self) -> dict[str, list[tuple[_Row, dict]]]:
        lists: dict[str, list[tuple[_Row, dict]]] = {}
        for sheet_name in ("choices", "external_choices"):
            sheet = self.sheets.get(sheet_name)
            if sheet is None:
                continue
            known = set(lists)  # external_choices adds the lists the choices sheet does not have
            for row in sheet.rows:
                if sheet_name == "external_choices" and row.cells.get("list_name", "") in known:
                    continue
                list_name = row.cells.get("list_name", "")
                name = row.cells.get("name", "")
                if not list_name and not name:  # a note or a stray label next to the lists
                    self.warn(sheet_name, row.number, "list_name", _("This row has no list name and no name: ignored."))
                    continue
                if not list_name:
                    self.problem(sheet_name, row.number, "list_name", _("Each choice needs the name of its list."))
                    continue
                if not name:
                    self.problem(sheet_name, row.number, "name", _("Each choice needs a name (its code)."))
                    continue
                label, _columns = self.texts(row, "label")
                if not label["fr"]:
                    label["fr"] = name
                choice = {"code": name, "label": label}
                properties = {  # the other columns, which a choice_filter may test (state, district…)
                    key: value
                    for key, value in row.cells.items()
                    if key.split("::")[0] not in CHOICE_COLUMNS and "::" not in key
                }
                if properties:
                    choice["properties"] = properties
                lists.setdefault(list_name, []).append((row, choice))
        return lists

    # -- survey -------------------------------------------------------------------------------------------------

    def pages(self, lists: dict[str, list[tuple[_Row, dict]]]) -> list[dict]:
        sheet = self.sheets["survey"]
        pages: list[dict] = []
        stack: list[_Frame] = []
        refused_depth = 0  # groups being skipped because their "begin" row was refused
        current: dict | None = None  # the page questions go to
        page_depth = 0  # how many frames the current page's condition and title come from
        self.unknown_columns(sheet)
        for row in sheet.rows:
            self.clean_expressions(row)
        rows = self.expand_repeats(sheet.rows)
        for row in rows:
            self.indexed_repeats(row)
        for row in rows:
            raw_type = re.sub(r"\s+", " ", row.cells.get("type", "").strip())
            if not raw_type:
                if row.cells.get("name") or row.cells.get("label"):
                    self.problem("survey", row.number, "type", _("This row has no type."))
                continue
            kind = self.kind(raw_type)
            word = kind.split(" ")[0].lower()
            if word in {"begin_group", "begin_repeat"}:
                is_repeat = word == "begin_repeat"
                if raw_type.lower().startswith("begin loop"):
                    self.problem(
                        "survey",
                        row.number,
                        "type",
                        _("“begin loop” (the same questions for each choice of a list) cannot be imported."),
                    )
                    refused_depth += 1
                    continue
                if is_repeat:
                    if refused_depth or not self.repeat_once(row, stack):
                        refused_depth += 1
                        continue
                elif refused_depth:
                    refused_depth += 1
                    continue
                title, columns = self.texts(row, "label")
                field_list = "field-list" in row.cells.get("appearance", "").lower().split()
                relevant = row.cells.get("relevant", "").strip()
                stack.append(_Frame(row, relevant, field_list, title, columns.get("fr", "label"), is_repeat))
                stack[-1].intro = self.concerto_json(row, "concerto_page", "survey").get("intro")
                if not any(frame.field_list for frame in stack[:-1]):
                    current = None  # a group starts a page, except inside a field-list group
                continue
            if word in {"end_group", "end_repeat"}:
                if refused_depth:
                    refused_depth -= 1
                    continue
                if not stack:
                    self.problem("survey", row.number, "type", _("“end group” without a matching “begin group”."))
                    continue
                stack.pop()
                if len(stack) < page_depth or not any(frame.field_list for frame in stack):
                    current = None
                continue
            if refused_depth:
                continue
            if word in METADATA_TYPES and len(kind.split(" ")) == 1:
                self.metadata.append(row)
                continue
            if kind.lower() in LEFT_OUT_TYPES or word in LEFT_OUT_TYPES:
                self.leave_out(row, kind)
                continue
            self.group = tuple(frame.row.number for frame in stack)
            question = self.question(row, kind, lists)
            if question is None:
                continue
            if current is not None and not any(frame.field_list for frame in stack):
                # A cascading select whose filter uses an answer of this page starts a page of its own (as ODK
                # Collect shows one question at a time outside field-list groups): its options are then known
                # when the page is shown, without JavaScript.
                used = set(re.findall(r"\$\{([^}]*)\}", question[0]["settings"].get("choice_filter", "")))
                if used & {q["code"] for q in current["questions"]}:
                    current = None
            if current is None:
                page_depth = len(stack)
                current = self.new_page(pages, stack, row)
            path = f"$.pages[{len(pages) - 1}].questions[{len(current['questions'])}]"
            question, columns, choice_rows = question
            if current is not None and stack[page_depth:]:
                question["relevant"] = _combine([f.relevant for f in stack[page_depth:]] + [question["relevant"]])
            self.locations[path] = ("survey", row.number, columns)
            for index, choice_row in enumerate(choice_rows):
                self.locations[f"{path}.choices[{index}]"] = (
                    "choices",
                    choice_row.number,
                    {"code": "name", "label": "label"},
                )
            current["questions"].append(question)
        if stack:
            self.problem("survey", stack[-1].row.number, "type", _("This group is never closed by an “end group” row."))
        self.metadata_values(pages)
        self.check_left_out_references(pages)
        self.unknown_choices(pages)
        return pages

    def metadata_values(self, pages: list[dict]) -> None:
        """Metadata the questions refer to (``${username}``, ``${today}``) become computed values at the start:
        today's date, the time of the answer, nothing for what the phone knows (device, user); a warning each."""
        used = set()
        for page in pages:
            texts = [page["relevant"]]
            for question in page["questions"]:
                texts += [question["relevant"], question["constraint"], *map(str, question["settings"].values())]
                texts += [question["label"]["fr"], question["label"]["en"]]
            used |= {name for text in texts for name in re.findall(r"\$\{([^}]*)\}", text or "")}
        computed = []
        for row in self.metadata:
            name = row.cells.get("name", "")
            if not name or name not in used or name in self.names:
                continue
            word = row.cells.get("type", "").strip().lower()
            calculation = {"today": "today()", "start": "now()", "end": "now()"}.get(word, "")
            self.warn(
                "survey",
                row.number,
                "type",
                _(
                    "“%(name)s” (%(type)s, recorded by the phone) is used by the form: Concerto gives it %(value)s.",
                    name=name,
                    type=word,
                    value=calculation or "''",
                ),
            )
            computed.append(
                {
                    "code": name,
                    "type": "calculate",
                    "label": {"fr": name, "en": ""},
                    "help": {"fr": "", "en": ""},
                    "required": False,
                    "relevant": "",
                    "constraint": "",
                    "constraint_message": {"fr": "", "en": ""},
                    "settings": {"calculation": calculation} if calculation else {},
                }
            )
            self.names[name] = row.number
        if computed and pages:
            # shift the locations of the first page's questions, then put the metadata first
            first = {k: v for k, v in self.locations.items() if k.startswith("$.pages[0].questions[")}
            for key in first:
                del self.locations[key]
            for key, value in first.items():
                head, rest = key[len("$.pages[0].questions[") :].split("]", 1)
                self.locations[f"$.pages[0].questions[{int(head) + len(computed)}]{rest}"] = value
            pages[0]["questions"][:0] = computed

    def clean_expressions(self, row: _Row) -> None:
        """Expressions as people write them: curly quotes around texts (a warning), XPath paths to questions."""
        for column in EXPRESSION_COLUMNS:
            source = row.cells.get(column)
            if not source:
                continue
            source, curly = _straight_quotes(source)
            if curly:
                self.warn_survey_cell(row, column, _("Curly quotes around texts are read as straight quotes ' and \"."))
            if "${last-saved#" in source:
                message = _("${last-saved#…} (the answer of the person's previous form) is read as an empty text.")
                self.warn_survey_cell(row, column, message)
                source = re.sub(r"\$\{last-saved#[^}]*\}", "''", source)
            if "instance(" in source:
                source = self.file_lookups(source, row, column)
            if "pulldata(" in source:
                source = self.pulldata(source, row, column)
            if source.strip().lower() in {"true", "false"}:  # a bare word, as people write it
                source = source.strip().lower() + "()"
            if "jr:choice-name(" in source:
                self.warn_survey_cell(row, column, _("jr:choice-name() gives the choice's code here, not its label."))
                source = _CHOICE_NAME_RE.sub(lambda m: m.group(1), source)
            row.cells[column] = _xpath_paths(source)

    def file_lookups(self, source: str, row: _Row, column: str) -> str:
        """``instance('stations')/root/item[name=${station}]/niveau``, a lookup in a list that is not in the
        workbook (the file of a select_one_from_file, typed as a text here): an empty text, with a warning."""
        if self.workbook_lists is None:
            self.workbook_lists = {
                r.cells.get("list_name", "")
                for name in ("choices", "external_choices")
                for r in (self.sheets[name].rows if name in self.sheets else [])
            }

        def replace(match: re.Match) -> str:
            if match.group(2) in self.workbook_lists:
                return self.list_lookup(match.group(0), match.group(2))
            self.warn(
                "survey",
                row.number,
                row.headers.get(column, column),
                _(
                    "instance('%(list)s') reads a list from a file Concerto does not have (a "
                    "select_one_from_file's): the lookup is read as an empty text.",
                    list=match.group(2)[:60],
                ),
            )
            return "''"

        return _INSTANCE_RE.sub(replace, source)

    def indexed_repeats(self, row: _Row) -> None:
        """``indexed-repeat(${x}, ${repeat}, n)``: the answer ``x`` in copy ``n`` of the repeat; written as
        ``if((n) = 1, ${x_1}, if((n) = 2, ${x_2}, ''))`` over its copies (``${x}`` when it is asked once). Another
        shape (a repeat inside a repeat) is left as it is, refused by the expression's check."""
        for column in EXPRESSION_COLUMNS:
            source, position = row.cells.get(column, ""), 0
            while (found := _INDEXED_REPEAT_RE.search(source, position)) is not None:
                end, args = _call_at(source, found.end() - 1)
                refs = [re.fullmatch(r"\s*\$\{([^}]*)\}\s*", arg) for arg in args[:2]]
                repeat = self.repeats.get(refs[1].group(1)) if len(args) == 3 and all(refs) else None
                if repeat is None or (repeat[0] and refs[0].group(1) not in repeat[1]):
                    position = end
                    continue
                name, index = refs[0].group(1), args[2].strip()
                written = "''"
                for copy in range(repeat[0], 0, -1):
                    written = f"if(({index}) = {copy}, ${{{name}_{copy}}}, {written})"
                if not repeat[0]:
                    written = f"if(({index}) = 1, ${{{name}}}, '')"
                source = source[: found.start()] + written + source[end:]
                position = found.start() + len(written)
            if source:
                row.cells[column] = source

    def pulldata(self, source: str, row: _Row, column: str) -> str:
        """``pulldata('mares', 'commune', 'id', ${mare})`` reads a CSV file sent with the form to the phone, which
        Concerto does not have: an empty text, with a warning."""
        while (start := _PULLDATA_RE.search(source)) is not None:
            end, _args = _call_at(source, start.end() - 1)
            name = re.match(r"""\s*['"]([^'"]*)['"]""", source[start.end() :])
            self.warn(
                "survey",
                row.number,
                row.headers.get(column, column),
                _(
                    "pulldata() reads the file %(file)s, which Concerto does not have: it is read as an empty text.",
                    file=f"{name.group(1)[:60]}.csv" if name else "",
                ),
            )
            source = source[: start.start()] + "''" + source[end:]
        return source

    def list_lookup(self, text: str, list_name: str) -> str:
        """``instance('stations')/root/item[name = ${station}]/niveau`` on a list of the workbook, written as the
        choice of values it reads: ``if(${station} = 'nord', '1.5', if(…, ''))``. Another shape is left as it is
        (refused by the expression's check)."""
        found = _LOOKUP_RE.fullmatch(text)
        if not found:
            return text
        key, operand, column = found.group(1).lower(), _xpath_paths(found.group(2).strip()), found.group(3).lower()
        values: dict[str, str] = {}
        for name in ("choices", "external_choices"):
            for choice in self.sheets[name].rows if name in self.sheets else []:
                if choice.cells.get("list_name", "") == list_name and choice.cells.get(key, ""):
                    values.setdefault(choice.cells[key], choice.cells.get(column, ""))
        expression = "''"
        for match_value, value in reversed([(k, v) for k, v in values.items() if v]):
            quoted = [_quoted(match_value), _quoted(value)]
            if None in quoted:
                return text
            expression = f"if({operand} = {quoted[0]}, {quoted[1]}, {expression})"
        return expression

    def unknown_choices(self, pages: list[dict]) -> None:
        """``selected(${q}, 'x')`` where ``x`` is not a choice of ``q`` can never hold: pyxform lets it through, so
        it becomes ``false()``, with a warning on its cell."""
        codes = {
            q["code"]: {c["code"] for c in q["choices"]}
            for page in pages
            for q in page["questions"]
            if q.get("choices") and q["type"] in {"single_choice", "multiple_choice"}
        }

        def fix(source: str, where: tuple[str, int, dict[str, str]], key: str, current: str = "") -> str:
            if current and source:
                source = re.sub(r"selected\(\s*\.\s*,", "selected(${" + current + "},", source)

            def replace(match: re.Match) -> str:
                name, code = match.group(1), match.group(2) if match.group(2) is not None else match.group(3)
                if name not in codes or code in codes[name]:
                    return match.group(0)
                self.warn(
                    where[0],
                    where[1],
                    where[2].get(key, key),
                    _(
                        "“%(code)s” is not a choice of “%(name)s”: this test can never hold and is read as false().",
                        code=code,
                        name=name,
                    ),
                )
                return "false()"

            return _SELECTED_RE.sub(replace, source) if source and "selected" in source else source

        for p, page in enumerate(pages):
            where = self.locations.get(f"$.pages[{p}]", ("survey", 0, {}))
            page["relevant"] = fix(page["relevant"], where, "relevant")
            for i, question in enumerate(page["questions"]):
                where = self.locations.get(f"$.pages[{p}].questions[{i}]", ("survey", 0, {}))
                question["relevant"] = fix(question["relevant"], where, "relevant")
                question["constraint"] = fix(question["constraint"], where, "constraint", question["code"])
                for key in ("calculation", "choice_filter"):
                    if key in question["settings"]:
                        question["settings"][key] = fix(question["settings"][key], where, key)

    def kind(self, raw_type: str) -> str:
        """The type as the question types read it: its first word lowercased, old spellings in today's words;
        list names are kept as written (they are case-sensitive)."""
        text = raw_type.strip()
        lowered = text.lower()
        for old, new in (
            ("select one from ", "select_one "),
            ("select all that apply from ", "select_multiple "),
            ("select one ", "select_one "),
            ("select all that apply ", "select_multiple "),
            ("select1 ", "select_one "),
            ("select_one_external ", "select_one "),
            ("select one external ", "select_one "),
            ("begin loop over ", "begin_repeat "),
            ("begin group", "begin_group"),
            ("end group", "end_group"),
            ("begin repeat", "begin_repeat"),
            ("end repeat", "end_repeat"),
            ("begin loop", "begin_repeat"),
            ("end loop", "end_repeat"),
            ("date time", "datetime"),
            ("select one from file ", "select_one_from_file "),
            ("select multiple from file ", "select_multiple_from_file "),
        ):
            if lowered.startswith(old):
                text, lowered = new + text[len(old) :], new + lowered[len(old) :]
        words = text.split(" ")
        words[0] = words[0].lower()
        words = [w.lower() if w.lower() in {"or_other", "or", "specify", "other"} else w for w in words]
        if words[-3:] == ["or", "specify", "other"]:
            words = [*words[:-3], "or_other"]
        if words[0] == "gps":
            words[0] = "geopoint"
        if words[0] == "photo":
            words[0] = "image"
        return " ".join(words)

    def new_page(self, pages: list[dict], stack: list[_Frame], row: _Row) -> dict:
        """A page for the questions from ``row`` on: the innermost group's title, every group's condition."""
        title, title_column, origin = {"fr": "", "en": ""}, "label", row
        for frame in reversed(stack):
            if frame.title["fr"] or frame.title["en"]:
                title, title_column, origin = frame.title, frame.title_column, frame.row
                break
        intro = stack[-1].intro if stack and isinstance(stack[-1].intro, dict) else {"fr": "", "en": ""}
        page = {
            "title": {lang: text.splitlines()[0][:200] if text else "" for lang, text in title.items()},
            "intro": intro,
            "relevant": _combine([frame.relevant for frame in stack]),
            "questions": [],
        }
        pages.append(page)
        group_row = stack[-1].row if stack else row
        self.locations[f"$.pages[{len(pages) - 1}]"] = (
            "survey",
            group_row.number if not stack else origin.number,
            {"title": title_column, "relevant": "relevant"},
        )
        return page

    # -- repeats ------------------------------------------------------------------------------------------------

    def repeat_word(self, row: _Row) -> str:
        """``begin`` or ``end`` for a row opening or closing a group or a repeat, ``repeat`` for a ``begin repeat``
        (not an old ``begin loop``, refused later), else empty."""
        raw = re.sub(r"\s+", " ", row.cells.get("type", "").strip()).lower()
        if not raw:
            return ""
        word = self.kind(raw).split(" ")[0]
        if word == "begin_repeat" and not raw.startswith("begin loop"):
            return "repeat"
        return {"begin_group": "begin", "begin_repeat": "begin", "end_group": "end", "end_repeat": "end"}.get(word, "")

    def expand_repeats(self, rows: list[_Row]) -> list[_Row]:
        """The survey rows with each repeat whose ``repeat_count`` is a number from 1 to MAX_REPEAT_COPIES written
        out as that many groups (names suffixed ``_1``, ``_2``…, labels numbered, references to the repeat's own
        questions and ``position(..)`` following the copy); any other repeat stays, to be asked once."""
        out: list[_Row] = []
        index = 0
        while index < len(rows):
            row = rows[index]
            if self.repeat_word(row) != "repeat":
                out.append(row)
                index += 1
                continue
            end = self.matching_end(rows, index)
            if end is None:  # never closed: reported by pages()
                out.extend(rows[index:])
                break
            body = rows[index + 1 : end]
            count = self.repeat_copies(row)
            self.repeats[row.cells.get("name", "")] = (
                count or 0,
                {r.cells["name"] for r in body if r.cells.get("name")},
            )
            if count:
                names = {r.cells["name"] for r in [row, *body] if r.cells.get("name")}
                for copy in range(1, count + 1):
                    out.append(self.copy_row(row, copy, names, kind="begin group"))
                    out.extend(self.expand_repeats(self.copy_body(body, copy, names)))
                    out.append(self.copy_row(rows[end], copy, names, kind="end group"))
            else:  # asked once: position(..) is 1
                out.append(row)
                out.extend(self.expand_repeats(self.copy_body(body, 1, set())))
                out.append(rows[end])
            index = end + 1
        return out

    def matching_end(self, rows: list[_Row], start: int) -> int | None:
        depth = 0
        for index in range(start, len(rows)):
            word = self.repeat_word(rows[index])
            depth += 1 if word in {"begin", "repeat"} else -1 if word == "end" else 0
            if depth == 0:
                return index
        return None

    def repeat_copies(self, row: _Row) -> int | None:
        """How many copies of a repeat to write out: its ``repeat_count`` when a number from 1 to
        MAX_REPEAT_COPIES (beyond: refused on its cell); ``None``: asked once (warned by repeat_once)."""
        text = row.cells.get("repeat_count", "").strip()
        if not re.fullmatch(r"\d+(?:\.0+)?", text):
            return None
        count = int(float(text))
        if 1 <= count <= MAX_REPEAT_COPIES:
            return count
        self.problem(
            "survey",
            row.number,
            row.headers.get("repeat_count", "repeat_count"),
            _(
                "%(count)d copies: Concerto repeats a group from 1 to %(max)d times.",
                count=count,
                max=MAX_REPEAT_COPIES,
            ),
        )
        return None

    def copy_body(self, body: list[_Row], copy: int, names: set[str]) -> list[_Row]:
        """The rows of a repeat for its copy ``copy``: ``position(..)`` is the copy's number in the rows of this
        repeat (not in a repeat inside it, which has its own)."""
        rows: list[_Row] = []
        open_frames: list[str] = []  # "begin" or "repeat", for the groups and repeats open inside the body
        for row in body:
            rows.append(self.copy_row(row, copy, names, position="repeat" not in open_frames))
            word = self.repeat_word(row)
            if word in {"begin", "repeat"}:
                open_frames.append(word)
            elif word == "end" and open_frames:
                open_frames.pop()
        return rows

    def copy_row(self, row: _Row, copy: int, names: set[str], *, kind: str = "", position: bool = False) -> _Row:
        """A row of a repeat's copy: its name and the references to the repeat's own names suffixed with the copy's
        number, its labels numbered; ``kind`` replaces its type (a begin or end group)."""
        if not names and not position:
            return row

        def rename(match: re.Match) -> str:
            return f"${{{match.group(1)}_{copy}}}" if match.group(1) in names else match.group(0)

        cells = {}
        for key, value in row.cells.items():
            if names and "${" in value:
                value = re.sub(r"\$\{([^}]*)\}", rename, value)
            if position and key in EXPRESSION_COLUMNS:
                value = _POSITION_RE.sub(str(copy), value)
            if names and key == "name":
                value = f"{value}_{copy}"
            elif names and (key == "label" or key.startswith("label::")):
                value = f"{value} ({copy})"
            cells[key] = value
        if kind:
            cells["type"] = kind
            cells.pop("repeat_count", None)
        return _Row(row.number, cells, row.headers)

    def repeat_once(self, row: _Row, stack: list[_Frame]) -> bool:
        """A repeat without a fixed number of copies is asked once (inside another repeat too), with a warning
        naming its row."""
        count = row.cells.get("repeat_count", "").strip()
        if count:
            column = row.headers.get("repeat_count", "repeat_count")
            message = _(
                "This repeat is asked once: its number of copies (“%(count)s”) is not a fixed number.", count=count[:80]
            )
        else:
            column = "type"
            message = _(
                "This repeat is asked once: Concerto repeats a group a fixed number of times only (a number in "
                "repeat_count, at most %(max)d).",
                max=MAX_REPEAT_COPIES,
            )
        self.warn("survey", row.number, column, message)
        return True

    def leave_out(self, row: _Row, kind: str) -> None:
        name = row.cells.get("name", "")
        self.warn(
            "survey",
            row.number,
            "type",
            _(
                "The question “%(name)s” (type “%(type)s”) is left out: Concerto does not take files, photos, "
                "sounds or drawings on a map.",
                name=name,
                type=kind[:40],
            ),
        )
        if name:
            self.left_out[name] = (row.number, kind)

    def unknown_columns(self, sheet: _Sheet) -> None:
        """A warning for each column the importer does not read that holds something."""
        used: dict[str, int] = {}
        for row in sheet.rows:
            for key in row.cells:
                base = key.split("::")[0]
                if base not in SURVEY_COLUMNS and key not in used:
                    used[key] = row.number
        for key, number in used.items():
            header = sheet.headers.get(key, key)
            base = key.split("::")[0]
            if base == "media" or base in {"image", "audio", "video", "big-image"}:
                message = _("Images, sounds and videos next to questions are not shown: this column is ignored.")
            else:
                message = _("This column is ignored.")
            self.warn("survey", number, header, message)

    def check_left_out_references(self, pages: list[dict]) -> None:
        if not self.left_out:
            return
        for path, (sheet, number, columns) in self.locations.items():
            if sheet != "survey" or not re.fullmatch(r"\$\.pages\[\d+\]\.questions\[\d+\]", path):
                continue
            p, q = map(int, re.findall(r"\d+", path))
            question = pages[p]["questions"][q]
            for key in ("relevant", "constraint"):
                self._refuse_left_out(question.get(key, ""), number, columns.get(key, key))
            for key, value in question.get("settings", {}).items():
                if isinstance(value, str) and "${" in value:
                    self._refuse_left_out(value, number, key)

    def _refuse_left_out(self, source: str, number: int, column: str) -> None:
        for name in re.findall(r"\$\{([^}]*)\}", source or ""):
            if name in self.left_out:
                row, kind = self.left_out[name]
                self.problem(
                    "survey",
                    number,
                    column,
                    _(
                        "“%(name)s” is the %(type)s question of row %(row)d, which Concerto leaves out.",
                        name=name,
                        type=kind,
                        row=row,
                    ),
                )
                return

    def question(self, row: _Row, kind: str, lists: dict) -> tuple[dict, dict, list[_Row]] | None:
        """The question of a survey-sheet row: its type reads the type, settings and choices (app/questions/), the
        rest is common to every type."""
        word, *args = kind.split(" ")
        name = row.cells.get("name", "")
        if not name and word == "note":  # pyxform lets a note go without a name: it gets one
            name = f"note_row{row.number}"
        count = len(self.problems)
        result = self._question(row, kind, word, args, name, lists)
        if result is None and len(self.problems) > count and name:
            self.refused.add(name)
        return result

    def _question(self, row: _Row, kind: str, word: str, args: list[str], name: str, lists: dict):
        if name and name in self.names and self.name_groups.get(name) == self.group:
            self.problem(
                "survey",
                row.number,
                "name",
                _("The name “%(name)s” is already used on row %(row)d.", name=name, row=self.names[name]),
            )
            return None
        if name and name in self.names:
            # pyxform accepts a name again in another group when no ${…} refers to it (it would be ambiguous):
            # the question gets the first free name_2, name_3…
            number = 2
            while f"{name}_{number}" in self.names:
                number += 1
            self.warn(
                "survey",
                row.number,
                "name",
                _(
                    "The name “%(name)s” is already used on row %(row)d (in another group): this question is named "
                    "“%(new)s”.",
                    name=name,
                    row=self.names[name],
                    new=f"{name}_{number}",
                ),
            )
            name = f"{name}_{number}"
        if name:
            self.names[name] = row.number
            self.name_groups[name] = self.group
        xrow = XLSFormRow(
            number=row.number,
            word=word,
            args=args,
            cells=row.cells,
            appearance=row.cells.get("appearance", "").lower().split(),
            choice_lists=lists,
            report=lambda column, message: self.problem("survey", row.number, row.headers.get(column, column), message),
        )
        read_only = row.cells.get("read_only", "").strip().lower() in TRUE_VALUES
        if read_only and row.cells.get("calculation") and word not in {"calculate", "note"}:
            # A read-only question showing a calculation: a computed value (its label is not shown).
            self.warn(
                "survey",
                row.number,
                row.headers.get("read_only", "read_only"),
                _("A read-only question with a calculation is imported as a computed value (not shown)."),
            )
            xrow.word, xrow.args, word = "calculate", [], "calculate"
        elif word not in {"calculate", "hidden"}:
            self.ignored_cells(row, word)
        if word in TYPED_AS_TEXT:
            self.warn(
                "survey",
                row.number,
                "type",
                _("“%(type)s”: the answer is typed as a text.", type=kind[:60]),
            )
            xrow.word, xrow.args = "text", []
        concerto = row.cells.get("concerto_type", "")
        qtype = find_type(concerto) if concerto else xlsform_type(xrow)
        if concerto and qtype is not None:  # written by Concerto's export: its own type and settings
            read = self.concerto_question(row, qtype, args, name, lists)
            if read is None:
                return None
        elif qtype is None:
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
        else:
            read = qtype.from_xlsform(xrow)
            if read is None:
                return None
        required_text = row.cells.get("required", "").strip()
        if qtype.computed or not qtype.answerable:
            required = False  # pyxform ignores it too
        elif required_text.lower() in TRUE_VALUES:
            required = True
        elif required_text.lower() in FALSE_VALUES:
            required = False
        elif re.search(r"[$(=<>]", required_text):  # required only when an expression holds
            self.warn(
                "survey",
                row.number,
                row.headers.get("required", "required"),
                _(
                    "Required only when “%(expression)s” holds: the question is asked as optional.",
                    expression=required_text[:80],
                ),
            )
            required = False
        else:
            self.problem("survey", row.number, row.headers.get("required", "required"), _("Write “yes” or “no”."))
            required = False
        constraint = row.cells.get("constraint", "")
        if constraint and (qtype.computed or not qtype.answerable):
            self.warn(
                "survey",
                row.number,
                row.headers.get("constraint", "constraint"),
                _("Nothing is typed here: this constraint is ignored."),
            )
            constraint = ""
        label, label_columns = self.texts(row, "label")
        if not label["fr"]:
            label["fr"] = name
        hint, hint_columns = self.texts(row, "hint")
        guidance, _guidance_columns = self.texts(row, "guidance_hint")
        for lang in ("fr", "en"):  # guidance is shown with the hint (ODK shows it on request)
            if guidance[lang]:
                hint[lang] = f"{hint[lang]}\n\n{guidance[lang]}".strip()
        message, message_columns = self.texts(row, "constraint_message")
        if qtype.answerable and not qtype.computed:
            required_message, _columns = self.texts(row, "required_message")
            for lang in ("fr", "en"):
                if required_message[lang]:
                    read.settings[f"required_message_{lang}"] = required_message[lang].splitlines()[0][:200]
            required = self.default_and_read_only(row, read.settings, required)
        translations = self.translations(row, read)
        if translations:
            read.settings["translations"] = translations
        question: dict[str, Any] = {
            "code": name,
            "type": read.type,
            "label": label,
            "help": hint,
            "required": required,
            "relevant": row.cells.get("relevant", ""),
            "constraint": constraint,
            "constraint_message": message,
            "settings": read.settings,
        }
        if read.choices:
            question["choices"] = read.choices
        if getattr(read, "rows", None):
            question["rows"] = read.rows
        columns = {
            "code": "name",
            "type": "type",
            "required": "required",
            "relevant": row.headers.get("relevant", "relevant"),
            "constraint": row.headers.get("constraint", "constraint"),
            "label": label_columns.get("fr", "label"),
            "help": hint_columns.get("fr", "hint"),
            "constraint_message": message_columns.get("fr", "constraint_message"),
            "settings": read.settings_column,
        }
        return question, columns, read.choice_rows

    def default_and_read_only(self, row: _Row, settings: dict, required: bool) -> bool:
        """An asked question's ``default`` (the answer filled in beforehand, which the person may change) and
        ``read_only`` (its value shown, not asked, and stored) into its settings; whether it stays required."""
        default = row.cells.get("default", "").strip()
        if default:
            if "${" in default or re.search(r"[\w-]\(", default):  # ODK's dynamic default: not computed here
                self.warn(
                    "survey",
                    row.number,
                    row.headers.get("default", "default"),
                    _("A default computed from an expression (“%(default)s”) is not filled in.", default=default[:80]),
                )
            elif len(default) > 200 or "\n" in default:
                self.warn(
                    "survey",
                    row.number,
                    row.headers.get("default", "default"),
                    _("A default answer is one line of at most 200 characters: this one is ignored."),
                )
            else:
                settings["default"] = default
        if row.cells.get("read_only", "").strip().lower() in TRUE_VALUES:
            settings["read_only"] = True
            return False  # nothing to answer
        return required

    def translations(self, row: _Row, read: Any) -> dict[str, dict[str, str]]:
        """The question's texts (and its options' labels) in languages other than French and English: kept, not
        shown (each at most 500 characters)."""
        result: dict[str, dict[str, str]] = {}

        def keep(cells: _Row, base: str, key: str) -> None:
            for lang, text in self.other_languages(cells, base).items():
                result.setdefault(lang, {})[key] = text[:500]

        for base, key in (
            ("label", "label"),
            ("hint", "help"),
            ("constraint_message", "constraint_message"),
            ("required_message", "required_message"),
        ):
            keep(row, base, key)
        for choice_row, choice in zip(read.choice_rows, read.choices, strict=False):
            keep(choice_row, "label", f"choice:{choice['code']}")
        return result

    def other_languages(self, row: _Row, base: str) -> dict[str, str]:
        """``{language: text}`` of ``base`` in the languages other than French and English (the plain column
        counts in the default language)."""
        texts = {}
        if row.cells.get(base) and self.default_language not in {"fr", "en"}:
            texts[self.default_language] = row.cells[base]
        prefix = f"{base}::"
        for key, value in row.cells.items():
            if key.startswith(prefix) and value and key[len(prefix) :] not in {"fr", "en"}:
                texts.setdefault(key[len(prefix) :], value)
        return texts

    def concerto_question(self, row: _Row, qtype: Any, args: list[str], name: str, lists: dict):
        """A row of Concerto's export: the type and settings of ``concerto_type``/``concerto_settings``, the options
        of its list (once per code)."""
        extra = self.concerto_json(row, "concerto_settings", "survey")
        read = XLSFormQuestion(str(qtype.key), dict(extra.get("settings") or {}), settings_column="concerto_settings")
        if qtype.has_choices:
            listed = lists.get(args[0] if args else name, [])
            first: dict[str, tuple] = {}
            for choice_row, choice in listed:
                first.setdefault(choice["code"], (choice_row, choice))
            read.choice_rows = [choice_row for choice_row, _choice in first.values()]
            read.choices = [{"code": c["code"], "label": c["label"]} for _row, c in first.values()]
        read.rows = extra.get("rows") or []
        return read

    def ignored_cells(self, row: _Row, word: str) -> None:
        """A warning for each cell of an asked question that Concerto does not use (nothing goes silently)."""
        messages = {
            "calculation": _("The calculation of a question that is asked is ignored: the person types the answer."),
            "default": _("A text block has no answer: this default is ignored."),
            "read_only": _("A text block has no answer: read_only is ignored."),
            "repeat_count": _("A repeat is asked once: repeat_count is ignored."),
        }
        if word != "note":  # an asked question keeps its default and read_only (default_and_read_only)
            messages = {key: value for key, value in messages.items() if key not in {"default", "read_only"}}
        for key, header in row.headers.items():
            base, value = key.split("::")[0], row.cells.get(key, "").strip()
            if base not in messages or not value or (base == "read_only" and value.lower() in FALSE_VALUES):
                continue
            self.warn("survey", row.number, header, messages[base])

    # -- mapping definition problems back onto the workbook -----------------------------------------------------

    def locate(self, path: str, message: str) -> XLSFormProblem:
        prefix = path
        while prefix and prefix not in self.locations:
            cut = max(prefix.rfind("."), prefix.rfind("["))
            prefix = prefix[:cut] if cut > 0 else ""
        message = re.sub(
            r"\$\.pages\[\d+\]\.questions\[\d+\]",
            lambda m: _("row %(row)d", row=self.locations.get(m.group(0), ("", 0, {}))[1]),
            message,
        )
        if not prefix:
            return XLSFormProblem("survey", 0, "", message)
        sheet, row, columns = self.locations[prefix]
        rest = path[len(prefix) :].lstrip(".")
        key = re.split(r"[.\[]", rest, maxsplit=1)[0] if rest else ""
        column = columns.get(key, key or "type")
        if key == "choices" and rest == "choices":
            column = "type"
        if key == "settings":
            column = columns.get("settings", "type")
        return XLSFormProblem(sheet, row, column, message)


def _combine(conditions: list[str]) -> str:
    """Conditions that must all hold, as one expression."""
    parts = [c.strip() for c in conditions if c and c.strip()]
    if len(parts) <= 1:
        return parts[0] if parts else ""
    return " and ".join(f"({part})" for part in parts)


def read_xlsform(data: bytes, *, fallback_title: str = "", warnings: list[XLSFormProblem] | None = None) -> dict:
    """The definition document of the workbook (.xlsx, or a legacy .xls); raise :class:`XLSFormInvalid` with every
    problem found. ``warnings`` receives what is imported differently or left out (each with its place)."""
    sheets = _read_sheets(data)
    if "survey" not in sheets:
        raise XLSFormInvalid([XLSFormProblem("survey", 0, "", _("The workbook has no “survey” sheet."))])
    converter = _Converter(sheets, fallback_title)
    survey = converter.settings()
    lists = converter.choice_lists()
    pages = converter.pages(lists)
    definition = {"format": FORMAT, "version": FORMAT_VERSION, "survey": survey, "pages": pages}
    problems = list(converter.problems)
    # The definition's own checks too, so that every problem is listed at once; not on a row already refused, nor
    # about a question that was (its refusal says why).
    reported = {(p.sheet, p.row) for p in problems}
    for error in validate_definition(definition):
        located = converter.locate(error.path, error.message)
        if (located.sheet, located.row) in reported or any(
            f"“{name}”" in located.message for name in converter.refused
        ):
            continue
        problems.append(located)
    if not any(page["questions"] for page in pages) and not problems:
        problems.append(XLSFormProblem("survey", 0, "", _("The survey sheet has no question.")))
    order = {"settings": 0, "survey": 1, "choices": 2}
    if problems:
        problems.sort(key=lambda p: (order.get(p.sheet, 3), p.row))
        raise XLSFormInvalid(problems)
    if warnings is not None:
        warnings.extend(sorted(converter.warnings, key=lambda p: (order.get(p.sheet, 3), p.row)))
    return definition


def import_xlsform(data: bytes, process: Any, actor: Any, *, fallback_title: str = ""):
    """Create a draft survey from the workbook (all or nothing); raise :class:`XLSFormInvalid`."""
    definition = read_xlsform(data, fallback_title=fallback_title)
    try:
        return import_definition(definition, process, actor)
    except DefinitionInvalid as exc:  # pragma: no cover - read_xlsform validated the same document
        raise XLSFormInvalid([XLSFormProblem("survey", 0, "", str(e)) for e in exc.errors]) from None
