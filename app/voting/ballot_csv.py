"""Read paper ballots transcribed in a CSV file, with errors that name the row and the column at fault.

Format
------
- UTF-8, with or without a byte-order mark (as saved by Excel's "CSV UTF-8" or LibreOffice). A file in
  Windows-1252 (Excel's plain "CSV" on Windows) is refused with the place of the first byte that is not UTF-8
  and the two ways out, unless the caller asks for ``encoding="windows-1252"``.
- Separator: comma, semicolon (the French-Canadian Excel default) or tab (a copy from a spreadsheet),
  detected from the whole file: the one that gives every row the header's number of cells wins; when several
  (or none) do, the one that occurs most often outside quotes in the header, comma on a tie. Standard CSV
  quoting (``"Parc, phase 2"``). A cell that opens a quotation mark and never closes it on its line is
  refused (it would swallow the following lines).
- Row 1 is the header: one option name per column, unique and non-empty (spaces around names are trimmed).
- Every following row is one ballot, with exactly one cell per option. A cell holds:

  ================== ===================================================================================
  approval           ``1`` (approved) or ``0``; empty = 0.
  points             the points given, a non-negative integer; empty = 0.
  schulze, borda     the rank, 1 = first; empty = not ranked. Ranks must be 1, 2, 3… without repetition
                     and without gaps, as on the online ballot (:func:`app.voting.tally.validate_ranking`).
  majority-judgment  the grade, an integer from 0 (“À rejeter”) to ``grades - 1`` (6 grades by default:
                     0 À rejeter, 1 Insuffisant, 2 Passable, 3 Assez bien, 4 Bien, 5 Excellent) or, with
                     the 6 default grades, its name in French or in English (case and accents do not
                     matter); empty = no grade, which the tally counts as the lowest grade (0).
  ================== ===================================================================================

- Blank lines are read the same wherever they are, so that the count never depends on the order of the
  ballots. A row of empty cells (``;;`` for three options, ``"",""``) is a blank ballot, on the last line
  as anywhere else. A line with nothing on it is one empty cell: with a single option it is a blank ballot
  (the anonymous ballots export writes ``""``); with several options it is not a ballot at all, so it is an
  error between two ballots (a stray line break must not shift or invent a ballot) and ignored after the
  last one.
- Rows are numbered from 1 like a spreadsheet: the header is row 1, the first ballot row 2. Columns are
  named by their option name, or by their spreadsheet letter (A, B, …, AA) when the header cell is empty,
  duplicated or missing.

:func:`parse_ballot_csv` returns the options and the ballots or raises the first :class:`BallotFileError`;
:func:`check_ballot_csv` returns every error (for a per-row report on the import page).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from typing import Any, TextIO, TypedDict, Unpack

from flask_babel import lazy_gettext as _l

from app.voting.tally import (
    DEFAULT_GRADES,
    METHODS,
    Ballot,
    BallotError,
    validate_approval,
    validate_grades,
    validate_points,
    validate_ranking,
)

_INTEGER = re.compile(r"[+-]?[0-9]+")


class BallotFileError(ValueError):
    """A problem in a ballot file: ``row`` (1-based, header = 1), ``column`` (the option name, a column
    letter, or None for the whole row), a translatable ``message`` and a machine ``code``."""

    def __init__(
        self, row: int, column: str | None, message: Any, *, code: str = "invalid", column_is_name: bool = True
    ) -> None:
        super().__init__(row, column, message)
        self.row = row
        self.column = column
        self.message = message
        self.code = code
        self.column_is_name = column_is_name

    def __str__(self) -> str:
        if self.column is None:
            return str(_l("Row %(row)d: %(message)s", row=self.row, message=self.message))
        column = str(_l("“%(name)s”", name=self.column)) if self.column_is_name else self.column
        return str(_l("Row %(row)d, column %(column)s: %(message)s", row=self.row, column=column, message=self.message))

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "code": self.code, "message": str(self.message)}


class FileRules(TypedDict, total=False):
    """What a file is read against, each optional: how many ``grades`` (majority judgment, 6 by default), the
    limits of the online ballot (``max_choices``, ``budget``, ``max_per_option``: None or absent, no limit) and
    the file's ``encoding`` ("utf-8" by default, or "windows-1252")."""

    grades: int
    max_choices: int | None
    budget: int | None
    max_per_option: int | None
    encoding: str


def parse_ballot_csv(
    text: str | bytes | TextIO, method: str, **rules: Unpack[FileRules]
) -> tuple[list[str], list[Ballot]]:
    """Parse ``text`` (a str, UTF-8 bytes or a text file) for ``method``.

    Returns ``(options, ballots)``: approval ballots are frozensets of approved options; the others are
    dicts ``option -> int`` holding the non-empty cells (points: every cell, empty = 0). Raises the first
    :class:`BallotFileError`. ``max_choices``, ``budget`` and ``max_per_option``, when given, are enforced
    like on the online ballot.
    """
    options: list[str] = []
    ballots: list[Ballot] = []
    for error in _scan(text, method, options, ballots, **rules):
        raise error
    return options, ballots


def check_ballot_csv(
    text: str | bytes | TextIO, method: str, *, max_errors: int | None = None, **rules: Unpack[FileRules]
) -> list[BallotFileError]:
    """Every error in the file, in row then column order (at most ``max_errors``); [] when it is valid."""
    errors: list[BallotFileError] = []
    for error in _scan(text, method, [], [], **rules):
        errors.append(error)
        if max_errors is not None and len(errors) >= max_errors:
            break
    return errors


def column_letter(index: int) -> str:
    """Spreadsheet column name of a 0-based column index: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _scan(
    source: str | bytes | TextIO,
    method: str,
    options: list[str],
    ballots: list[Ballot],
    *,
    grades: int = DEFAULT_GRADES,
    max_choices: int | None = None,
    budget: int | None = None,
    max_per_option: int | None = None,
    encoding: str = "utf-8",
) -> Iterator[BallotFileError]:
    """Yield the errors of the file in order; fill ``options`` and ``ballots`` as it goes."""
    if method not in METHODS:
        raise ValueError(f"unknown voting method {method!r}; expected one of {', '.join(METHODS)}")
    if not isinstance(grades, int) or isinstance(grades, bool) or grades < 2:
        raise ValueError(f"grades must be an int >= 2, not {grades!r}")
    text = yield from _read_text(source, encoding)
    if text is None:
        return
    try:
        records = read_records(text)
    except csv.Error as exc:
        yield BallotFileError(1, None, _l("This is not a readable CSV file (%(error)s).", error=str(exc)), code="csv")
        return
    if all(not cell.strip() for record in records for cell in record):
        yield BallotFileError(1, None, _l("The file is empty."), code="empty_file")
        return
    if len(records[0]) > 1:  # lines with nothing on them after the last ballot are not ballots
        while records and not records[-1]:
            records.pop()
    for row, record in enumerate(records, start=1):
        for col, cell in enumerate(record):
            if "\n" in cell or "\r" in cell:
                message = _l(
                    "This cell opens a quotation mark that is never closed, so the lines after it were read into "
                    "it. Close the quotation mark or remove it."
                )
                name = records[0][col].strip() if row > 1 and col < len(records[0]) else ""
                if name and "\n" not in name and "\r" not in name:
                    yield BallotFileError(row, unicodedata.normalize("NFC", name), message, code="unclosed_quote")
                else:
                    yield BallotFileError(row, column_letter(col), message, code="unclosed_quote", column_is_name=False)
                return

    if not records[0]:
        yield BallotFileError(1, None, _l("The header row is empty: it must name the options."), code="empty_header")
        return
    header = [unicodedata.normalize("NFC", cell.strip()) for cell in records[0]]
    labels: list[tuple[str, bool]] = []  # (label, is an option name) of each column, for error messages
    first_column: dict[str, int] = {}
    header_ok = True
    for col, name in enumerate(header):
        if not name:
            header_ok = False
            labels.append((column_letter(col), False))
            yield BallotFileError(
                1, column_letter(col), _l("The option name is empty."), code="empty_option", column_is_name=False
            )
        elif name in first_column:
            header_ok = False
            labels.append((column_letter(col), False))
            message = _l(
                "The option name “%(name)s” is already used by column %(other)s.",
                name=name,
                other=column_letter(first_column[name]),
            )
            yield BallotFileError(1, column_letter(col), message, code="duplicate_option", column_is_name=False)
        else:
            first_column[name] = col
            labels.append((name, True))
    if header_ok:
        options.extend(header)
    n = len(header)

    for row, record in enumerate(records[1:], start=2):
        if not record and n > 1:
            yield BallotFileError(row, None, _l("The row is empty."), code="empty_row")
            continue
        cells = [cell.strip() for cell in record] if record else [""]
        if len(cells) != n:
            if len(cells) < n:
                label, is_name = labels[len(cells)]
            else:
                label, is_name = column_letter(n), False
            message = _l("The row has %(cells)d cells instead of %(expected)d.", cells=len(cells), expected=n)
            yield BallotFileError(row, label, message, code="cell_count", column_is_name=is_name)
            continue
        values: dict[str, int] = {}
        approved: list[str] = []
        row_ok = True
        for col, cell in enumerate(cells):
            label, is_name = labels[col]
            value, error = _parse_cell(method, cell, grades)
            if error is not None:
                row_ok = False
                yield BallotFileError(row, label, error[1], code=error[0], column_is_name=is_name)
            elif value is not None:
                values[label] = value
                if method == "approval" and value:
                    approved.append(label)
        if not row_ok or not header_ok:  # rules across the row need sound option names
            continue
        if method == "approval":
            problems = validate_approval(list(values), approved, max_choices)
        elif method == "points":
            problems = validate_points(list(values), values, budget, max_per_option)
        elif method == "majority-judgment":
            problems = validate_grades(list(values), values, grades, require_all=False)
        else:
            problems = validate_ranking(list(values), values)
        for problem in problems:
            yield _row_error(row, problem, labels)
        if not problems:
            ballots.append(frozenset(approved) if method == "approval" else values)


ENCODINGS = ("utf-8", "windows-1252")


def decode(data: bytes, encoding: str = "utf-8") -> str:
    """The text of a file's bytes (UTF-8 with or without BOM, or Windows-1252); raises UnicodeDecodeError."""
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding!r}; expected one of {', '.join(ENCODINGS)}")
    return data.decode("utf-8-sig" if encoding == "utf-8" else "cp1252").removeprefix("\ufeff")


def read_records(text: str) -> list[list[str]]:
    """The rows of the file, split on its separator (:func:`detect_delimiter`); raises csv.Error."""
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text)))


def _read_text(source: str | bytes | TextIO, encoding: str) -> Iterator[BallotFileError]:
    """A generator returning the decoded text (None after yielding an error)."""
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
        try:
            text = decode(data, encoding)
        except UnicodeDecodeError as exc:
            yield _encoding_error(data, exc.start, encoding)
            return None
    elif isinstance(source, str):
        text = source
    else:
        text = source.read()
    return text.removeprefix("\ufeff")


def _encoding_error(data: bytes, offset: int, encoding: str) -> BallotFileError:
    """The row and column of the first byte that ``encoding`` cannot read, and how to fix the file."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    row = data.count(b"\n", 0, offset) + 1
    text = data.decode("utf-8-sig" if encoding == "utf-8" else "cp1252", errors="replace")
    delimiter = detect_delimiter(text)
    before = data[line_start:offset].decode("utf-8", errors="replace")
    column = column_letter(_delimiters_outside_quotes(before, delimiter))
    if encoding == "utf-8":
        message = _l(
            "The file is not in UTF-8 (it is probably in Windows-1252, as Excel saves a “CSV” file). Save it as "
            "“CSV UTF-8”, or read it as Windows-1252 (the “Encoding” choice of the import page, the option "
            "--encoding windows-1252 of flask tally)."
        )
    else:
        message = _l("The file is not in Windows-1252 either. Save it as “CSV UTF-8”.")
    return BallotFileError(row, column, message, code="encoding", column_is_name=False)


def _delimiters_outside_quotes(text: str, delimiter: str) -> int:
    count = 0
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count


DELIMITERS = (",", ";", "\t")


def detect_delimiter(text: str) -> str:
    """The separator of the file: among comma, semicolon and tab, the one that gives every non-empty row the
    number of cells of the header (more than one); when several or none do, the one found most often outside
    quotes in the header (comma on a tie). One-column files have none: comma."""
    header_counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            if char in "\r\n":
                break
            if char in header_counts:
                header_counts[char] += 1
    consistent = []
    for delimiter in DELIMITERS:
        if not header_counts[delimiter]:
            continue
        try:
            widths = {len(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if r}
        except csv.Error:
            continue
        if len(widths) == 1:
            consistent.append(delimiter)
    candidates = consistent or list(DELIMITERS)
    return max(candidates, key=lambda d: (header_counts[d], d == ","))


# Grade names accepted in majority-judgment cells (with the default 6 grades), in both languages.
GRADE_NAMES = (
    ("À rejeter", "Insuffisant", "Passable", "Assez bien", "Bien", "Excellent"),
    ("Reject", "Poor", "Fair", "Fairly good", "Good", "Excellent"),
)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


_GRADE_BY_NAME = {_fold(name): grade for names in GRADE_NAMES for grade, name in enumerate(names)}


def _parse_cell(method: str, cell: str, grades: int = DEFAULT_GRADES) -> tuple[int | None, tuple[str, Any] | None]:
    """``(value, None)`` or ``(None, (code, message))``; an empty cell is ``(None, None)`` except for points
    and approval, where it means 0."""
    if not cell:
        return (0, None) if method in ("approval", "points") else (None, None)
    if method == "majority-judgment" and grades == DEFAULT_GRADES and _fold(cell) in _GRADE_BY_NAME:
        return _GRADE_BY_NAME[_fold(cell)], None
    if method == "approval":
        if cell in ("0", "1"):
            return int(cell), None
        return None, ("not_approval", _l("Expected 1 (approved), 0 or an empty cell, not “%(cell)s”.", cell=cell))
    if not _INTEGER.fullmatch(cell):
        return None, ("not_integer", _l("Expected a whole number, not “%(cell)s”.", cell=cell))
    value = int(cell)
    if value < 0:
        if method == "points":
            return None, ("negative", _l("Points cannot be negative (%(value)d).", value=value))
        if method in ("schulze", "borda"):
            return None, ("negative", _l("A rank cannot be negative (%(value)d); 1 is first.", value=value))
        return None, ("negative", _l("A grade cannot be negative (%(value)d); 0 is the lowest.", value=value))
    return value, None


def _row_error(row: int, problem: BallotError, labels: list[tuple[str, bool]]) -> BallotFileError:
    if problem.option is None:
        return BallotFileError(row, None, problem.message, code=problem.code)
    is_name = any(label == problem.option and named for label, named in labels)
    return BallotFileError(row, problem.option, problem.message, code=problem.code, column_is_name=is_name)
