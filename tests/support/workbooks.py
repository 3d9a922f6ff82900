"""Hostile .xlsx workbooks, built in memory: a zip bomb, too many cells, a cell far to the right, a lying sheet
dimension. Used by tests/integration/test_hostile_files.py and bench/bench_import.py."""

import io
import re
import zipfile
from collections.abc import Iterable

from openpyxl import Workbook

SHEET_START = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
SHEET_END = b"</sheetData></worksheet>"


def small_xlsform() -> bytes:
    """A valid one-question XLSForm."""
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label::French (fr)"])
    sheet.append(["text", "avis", "Votre avis"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def replace_sheet(workbook: bytes, chunks: Iterable[bytes]) -> bytes:
    """The workbook with its first sheet's XML replaced by ``chunks`` (streamed: never all in memory)."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                entry = zipfile.ZipInfo(info.filename)
                entry.compress_type = zipfile.ZIP_DEFLATED
                with target.open(entry, "w", force_zip64=True) as handle:
                    for chunk in chunks:
                        handle.write(chunk)
            else:
                target.writestr(info, source.read(info.filename))
    return out.getvalue()


def cell(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def header() -> bytes:
    return b'<row r="1">' + cell("A1", "type") + cell("B1", "name") + cell("C1", "label") + b"</row>"


def zip_bomb(megabytes: int) -> bytes:
    """A survey sheet whose one cell holds ``megabytes`` MB of the same letter: ~1,000 times smaller zipped."""

    def chunks():
        yield SHEET_START + header() + b'<row r="2"><c r="A2" t="inlineStr"><is><t>'
        block = b"a" * (1024 * 1024)
        for _ in range(megabytes):
            yield block
        yield b"</t></is></c></row>" + SHEET_END

    return replace_sheet(small_xlsform(), chunks())


def many_cells(rows: int = 30_000, columns: int = 10) -> bytes:
    """``rows`` × ``columns`` + 1 small cells (without references: placed one after the other)."""

    def chunks():
        yield SHEET_START + header()
        for _row in range(rows):
            yield b"<row>" + b"<c><v>1</v></c>" * columns + b"</row>"
        yield b"<row><c><v>1</v></c></row>" + SHEET_END

    return replace_sheet(small_xlsform(), chunks())


def far_right(rows: int = 2000) -> bytes:
    """One cell in column XFD (16,384) on each of ``rows`` rows: openpyxl would fill every row up to it."""

    def chunks():
        yield SHEET_START + header()
        for row in range(2, rows + 2):
            yield f'<row r="{row}">'.encode() + cell(f"XFD{row}", "x") + b"</row>"
        yield SHEET_END

    return replace_sheet(small_xlsform(), chunks())


def lying_dimension() -> bytes:
    """The valid XLSForm with a sheet that declares itself A1:XFD1048576, as some tools write it."""
    workbook = small_xlsform()
    sheet = zipfile.ZipFile(io.BytesIO(workbook)).read("xl/worksheets/sheet1.xml")
    lying = re.sub(rb'<dimension ref="[^"]+"\s*/>', b'<dimension ref="A1:XFD1048576"/>', sheet)
    assert lying != sheet
    return replace_sheet(workbook, [lying])
