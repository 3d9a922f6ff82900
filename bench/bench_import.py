"""Benchmark of the XLSForm import against hostile workbooks: what a ~1 MB upload can cost the server.

    .venv/bin/python -m bench import

Each workbook is built in memory (tests/support/workbooks.py); each figure is the best of 3 runs of
``read_xlsform`` (the work the import page and ``flask import-form`` do before any database write), and the
peak of Python allocations during the first run (tracemalloc). The budget that matters: a hostile workbook is
refused in well under a second and a few megabytes, whatever it would unpack to.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

REPEAT = 3
REFUSE_BUDGET_S = 0.5
REFUSE_BUDGET_MB = 64.0


def _measure(read: Callable[[bytes], object], data: bytes) -> tuple[float, float, str]:
    from app.builder.xlsform import XLSFormInvalid

    timings, peak, outcome = [], 0.0, ""
    for attempt in range(REPEAT):
        if attempt == 0:
            tracemalloc.start()
        started = time.perf_counter()
        try:
            read(data)
            outcome = "accepted"
        except XLSFormInvalid:
            outcome = "refused"
        timings.append(time.perf_counter() - started)
        if attempt == 0:
            peak = tracemalloc.get_traced_memory()[1] / (1024 * 1024)
            tracemalloc.stop()
    return min(timings), peak, outcome


def run() -> list[dict]:
    from app import create_app
    from app.builder.xlsform import read_xlsform
    from tests.support.workbooks import far_right, lying_dimension, many_cells, small_xlsform, zip_bomb

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    cases = [
        ("zip bomb, 1,000 MB unpacked", zip_bomb(1000), "refused"),
        ("300,001 cells", many_cells(), "refused"),
        ("a cell in column XFD on 5,000 rows", far_right(5000), "refused"),
        ("valid form, sheet claims A1:XFD1048576", lying_dimension(), "accepted"),
        ("valid one-question form", small_xlsform(), "accepted"),
    ]
    rows = []
    with app.test_request_context():
        for name, data, expected in cases:
            seconds, megabytes, outcome = _measure(lambda data: read_xlsform(data, fallback_title="bench"), data)
            ok = outcome == expected and seconds < REFUSE_BUDGET_S and megabytes < REFUSE_BUDGET_MB
            size = f"{len(data) / 1024:,.0f} KB"
            rows.append(
                {"name": f"{name} ({size}): {outcome}", "value": seconds, "unit": "s", "target": "< 0.5 s", "ok": ok}
            )
            rows.append(
                {"name": f"{name}: peak Python memory", "value": megabytes, "unit": "MB", "target": "< 64 MB", "ok": ok}
            )
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
