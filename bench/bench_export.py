"""Benchmark of synthetic responses and of the streamed CSV export, on PostgreSQL.

    .venv/bin/python -m bench export
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_db .venv/bin/python -m bench export
    BENCH_EXPORT_RESPONSES=10000 .venv/bin/python -m bench export      # a smaller run

1. *Generation*: 100,000 synthetic responses (app/devdata/synthetic.py: bulk Core inserts in chunks of 2,000, moderation
   items for open and "other" texts included) to the 20-question parent-needs survey of bench/bench_respond.py.
2. *Export*, in a fresh process: the CSV and the JSON exports of those responses (:func:`app.exports.export.csv_chunks`
   and ``json_chunks``, batches of 1,000 responses) written to /dev/null. Measured: responses per second (target
   ≥ 20,000/s, issue 19) and **peak RSS growth** of the process over each export (resident set size read from
   /proc/self/statm every 5 ms by a thread, peak minus the value just before the export; RSS includes what the
   database driver and the C libraries hold, not only Python objects; target < 100 MB).
3. *Floor*, in the same process just before: the same statements through the same psycopg cursors, every row
   fetched and nothing done with it (``_postgresql_batches``): what reading the responses costs at least. The
   rows print each export's ratio to it.

The database is PostgreSQL ``bench_export`` on 127.0.0.1 by default (``BENCH_DATABASE_URL`` to change it): created
when missing and then dropped (bench/databases.py); its tables are dropped and created again (never point it at a
database holding data). Skipped, with the reason, when PostgreSQL does not answer.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_export"
RESPONSES = int(os.environ.get("BENCH_EXPORT_RESPONSES", "100000"))
GENERATION_BUDGET_S = 60.0 * RESPONSES / 100_000
MEMORY_BUDGET_MB = 100.0
RATE_TARGET = 20_000  # responses per second
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * PAGE


class PeakRSS:
    """Samples the resident set size in a thread while the block runs."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval, self.peak, self.base = interval, 0, 0
        self._stop = threading.Event()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes())
            time.sleep(self.interval)

    def __enter__(self) -> PeakRSS:
        gc.collect()
        self.base = self.peak = rss_bytes()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.base) / 1e6


def run() -> list[dict]:
    from bench.databases import database

    with database(os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)) as url:
        return _run(url)


def _run(url: str) -> list[dict]:
    from app import create_app
    from app.core.extensions import db
    from app.devdata.synthetic import generate_responses
    from bench.bench_respond import QUESTIONS, build_survey

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    rows: list[dict] = []
    with app.app_context():
        db.drop_all()
        db.create_all()
        survey = build_survey()
        survey_id = survey.id
        assert len(QUESTIONS) == 20
        end = datetime.now(UTC)
        started, cpu = time.perf_counter(), time.process_time()
        done = generate_responses(survey, RESPONSES, seed=1, start=end - timedelta(days=45), end=end)
        db.session.commit()
        generation, cpu = time.perf_counter() - started, time.process_time() - cpu
        db.session.execute(db.text("ANALYZE"))  # as autovacuum would, before anyone exports
        db.session.commit()
        print(
            f"   generated {done.responses:,} responses ({done.complete:,} complete), {done.answers:,} answers, "
            f"{done.moderation_items:,} moderation items in {generation:.1f} s (this process's CPU: {cpu:.1f} s; "
            f"the rest is the database server and waiting for a core, load average {os.getloadavg()[0]:.1f})",
            flush=True,
        )
        db.session.expunge_all()
        db.session.close()

        # The exports run in a fresh process: the heap left by the generation would hide any growth.
        child = subprocess.run(
            [sys.executable, __file__, "--export", url, str(survey_id)],
            check=True,
            capture_output=True,
            text=True,
        )
        measured = json.loads(child.stdout.strip().splitlines()[-1])
        floor = measured["floor"]
        print(
            f"   floor: the same rows read through the same cursors in {floor['seconds']:.2f} s "
            f"({floor['rows']:,} rows; CPU {floor['cpu']:.2f} s)",
            flush=True,
        )
        for fmt in ("csv", "json"):
            m = measured[fmt]
            print(
                f"   {fmt.upper()} export: {m['characters'] / 1e6:.1f} M characters in {m['seconds']:.2f} s "
                f"(CPU {m['cpu']:.2f} s), peak RSS growth {m['growth_mb']:.1f} MB (RSS before: {m['base_mb']:.0f} MB)",
                flush=True,
            )
        print(f"   load average after: {os.getloadavg()[0]:.1f}", flush=True)
        db.session.close()
        db.drop_all()
        db.engine.dispose()
    rows.append(
        {
            "name": f"generate {RESPONSES:,} responses",
            "value": generation,
            "unit": "s",
            "target": f"< {GENERATION_BUDGET_S:.0f} s",
            "ok": generation < GENERATION_BUDGET_S,
        }
    )
    rows.append(
        {
            "name": f"floor: read the same rows ({RESPONSES:,})",
            "value": RESPONSES / floor["seconds"],
            "unit": "resp/s",
            "target": "reference",
            "ok": True,
        }
    )
    for fmt in ("csv", "json"):
        m = measured[fmt]
        rate = RESPONSES / m["seconds"]
        rows.append(
            {
                "name": f"{fmt.upper()} export of {RESPONSES:,} (÷ floor {m['seconds'] / floor['seconds']:.1f}×)",
                "value": rate,
                "unit": "resp/s",
                "target": f">= {RATE_TARGET:,}/s",
                "ok": rate >= RATE_TARGET,
            }
        )
        rows.append(
            {
                "name": f"{fmt.upper()} export peak RSS growth",
                "value": m["growth_mb"],
                "unit": "MB",
                "target": f"< {MEMORY_BUDGET_MB:.0f} MB",
                "ok": m["growth_mb"] < MEMORY_BUDGET_MB,
            }
        )
    return rows


def export_only(url: str, survey_id: int) -> dict:
    """In this (fresh) process: the floor (the rows read and dropped), then the CSV and the JSON exports streamed
    to /dev/null, each measuring time and peak RSS growth."""
    from app import create_app
    from app.core.extensions import db
    from app.exports.export import ExportOptions, Response, _postgresql_batches, csv_chunks, json_chunks

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    measured: dict = {}
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))  # connect before the baseline
        started, cpu, rows = time.perf_counter(), time.process_time(), 0
        for batch, answers in _postgresql_batches(db.session.connection(), [Response.survey_id == survey_id], 1_000):
            rows += len(batch) + len(answers)
        measured["floor"] = {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, "rows": rows}
        db.session.rollback()
        for fmt, chunks in (("csv", csv_chunks), ("json", json_chunks)):
            written = 0
            with open(os.devnull, "w", encoding="utf-8") as sink, PeakRSS() as memory:
                started, cpu = time.perf_counter(), time.process_time()
                for chunk in chunks(survey_id, ExportOptions()):
                    written += len(chunk)
                    sink.write(chunk)
                seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            db.session.rollback()
            measured[fmt] = {
                "seconds": seconds,
                "cpu": cpu,
                "characters": written,
                "growth_mb": memory.growth_mb,
                "base_mb": memory.base / 1e6,
            }
    return measured


def main(argv: list[str]) -> int:
    if argv[:1] == ["--export"]:
        print(json.dumps(export_only(argv[1], int(argv[2]))))
        return 0
    for row in run():
        print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
