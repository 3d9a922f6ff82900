from datetime import date
from decimal import Decimal

import pytest

from app.exports.export import csv_cell, neutralize, unneutralize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+33 1 23", "'+33 1 23"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Élève = 3", "Élève = 3"),
        ("", ""),
        ("plain", "plain"),
        # A reader splitting on ";" (Excel in fr-CA) or at a line break starts a cell there.
        ('ok;=HYPERLINK("http://x")', 'ok;\'=HYPERLINK("http://x")'),
        ("ok;+1;-2;@A1", "ok;'+1;'-2;'@A1"),
        ('ok;"=1"', 'ok;\'"=1"'),
        ("deux\r\n=lignes", "deux\r\n'=lignes"),
        ("=1;=2", "'=1;'=2"),
        ("a; =1", "a; =1"),
        ("3;4, 5=6", "3;4, 5=6"),
    ],
)
def test_neutralize(text, expected):
    assert neutralize(text) == expected
    assert unneutralize(expected) == text


def test_csv_cell_formats_values_and_neutralizes_only_text():
    assert csv_cell(None) == ""
    assert csv_cell(Decimal("3.000000")) == "3"
    assert csv_cell(Decimal("-2.500000")) == "-2.5"
    assert csv_cell(Decimal("100")) == "100"
    assert csv_cell(7) == "7"
    assert csv_cell(date(2026, 5, 1)) == "2026-05-01"
    assert csv_cell("-moins") == "'-moins"


def _export_threads() -> list:
    import threading

    return [t for t in threading.enumerate() if t.name == "export-prefetch"]


def test_the_prefetching_thread_ends_with_the_export_however_it_ends():
    """app.exports.export._prefetched reads the next batch in a thread: a download cut short (the generator
    closed after one item) or a failing read must not leave it running, and the read's error reaches the
    export."""
    from app.exports.export import _prefetched

    closed = []

    def batches():
        try:
            yield from range(1_000)
        finally:
            closed.append(True)

    items = _prefetched(batches())
    assert next(items) == 0
    items.close()
    assert closed == [True] and _export_threads() == []

    def failing():
        yield 1
        raise RuntimeError("the database went away")

    items = _prefetched(failing())
    assert next(items) == 1
    with pytest.raises(RuntimeError, match="went away"):
        next(items)
    assert _export_threads() == []
    assert list(_prefetched(iter(range(5)))) == [0, 1, 2, 3, 4]
