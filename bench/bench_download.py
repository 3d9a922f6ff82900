"""The web downloads of a survey's responses through the real server: the worker's memory and the throughput.

    .venv/bin/python -m bench download
    BENCH_DOWNLOAD_RESPONSES=10000 .venv/bin/python -m bench download      # a smaller run

1. A PostgreSQL database of its own on the local server (``BENCH_DOWNLOAD_SERVER`` names another; created, then
   dropped at the end; the benchmark is skipped with one line when PostgreSQL does not answer), holding the
   20-question survey of bench/bench_respond.py and N synthetic responses (app/devdata/synthetic.py, without moderation
   items: they are not what is measured) and a facilitator account.
2. gunicorn with the production configuration (``CONCERTO_CONFIG=production``, the harness of the live tier,
   tests/live/harness.py), **one worker of one thread**, so that the worker's memory is the download's.
3. Signed in as the facilitator over HTTP, each download (``/surveys/<id>/export.csv``, ``export.json``,
   ``export.xlsx``) read to the end by httpx in chunks and written to a temporary file; meanwhile the worker's
   resident set size (``VmRSS`` in /proc/<pid>/status) is sampled every 10 ms. Reported: wall time, MB/s, the
   rows in the file (checked against the number of responses), the worker's RSS before the download, its peak
   growth over the download, and its growth when 10 %, 50 % and 100 % of the body had arrived (flat memory: the
   three are alike, whatever N).
"""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESPONSES = int(os.environ.get("BENCH_DOWNLOAD_RESPONSES", "100000"))
SERVER = os.environ.get("BENCH_DOWNLOAD_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
MEMORY_BUDGET_MB = 100.0
FACILITATOR = ("animation.banc@example.org", "une phrase de passe pour le banc d’essai")


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text(encoding="ascii").split()
    if len(children) != 1:
        raise RuntimeError(f"expected one gunicorn worker, found {children}")
    return int(children[0])


class Sampler:
    """The worker's RSS every 10 ms, with the number of body bytes received at that moment."""

    def __init__(self, pid: int) -> None:
        self.pid, self.received, self.samples = pid, 0, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((self.received, rss_kb(self.pid)))
            time.sleep(0.01)

    def __enter__(self) -> Sampler:
        self.base = rss_kb(self.pid)
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append((self.received, rss_kb(self.pid)))

    def growth_mb(self, until_share: float = 1.0) -> float:
        """Peak RSS growth (MB) while the first ``until_share`` of the body arrived."""
        total = self.received or 1
        seen = [rss for received, rss in self.samples if received <= until_share * total]
        return (max(seen, default=self.base) - self.base) / 1000


def populate(url: str) -> int:
    """Schema, survey, responses and the facilitator; returns the survey's id."""
    from app import create_app
    from app.core.extensions import db
    from app.devdata.synthetic import generate_responses
    from app.models import Role, User
    from bench.bench_respond import build_survey

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        survey = build_survey()
        user = User(email=FACILITATOR[0], name="Animation (banc)", role=Role.FACILITATOR, locale="fr_CA")
        user.set_password(FACILITATOR[1])
        db.session.add(user)
        db.session.commit()
        end = datetime.now(UTC)
        started = time.perf_counter()
        done = generate_responses(
            survey, RESPONSES, seed=1, start=end - timedelta(days=45), end=end, moderation_items=False
        )
        db.session.commit()
        print(
            f"   {done.responses:,} responses, {done.answers:,} answers generated in "
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )
        survey_id = survey.id
        db.session.remove()
        db.engine.dispose()
    return survey_id


def count_rows(path: Path, fmt: str) -> int:
    if fmt == "csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return sum(1 for _row in csv.reader(handle)) - 1
    if fmt == "json":
        return len(json.loads(path.read_text(encoding="utf-8")))
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return workbook.worksheets[0].max_row - 1
    finally:
        workbook.close()


def download(browser, url: str, pid: int, target: Path) -> dict:
    with Sampler(pid) as sampler, target.open("wb") as out:
        started = time.perf_counter()
        with browser.http.stream("GET", url, timeout=3600) as response:
            if response.status_code != 200:
                raise RuntimeError(f"{url}: status {response.status_code}")
            first = None
            for chunk in response.iter_raw(65_536):
                first = first or time.perf_counter() - started
                out.write(chunk)
                sampler.received += len(chunk)
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "first_byte_s": first or seconds,
        "bytes": sampler.received,
        "base_mb": sampler.base / 1000,
        "growth_mb": sampler.growth_mb(),
        "growth_10_mb": sampler.growth_mb(0.10),
        "growth_50_mb": sampler.growth_mb(0.50),
    }


def run() -> list[dict]:
    import sqlalchemy as sa

    from tests.live.harness import Browser, Gunicorn, create_database, production_env

    try:
        sa.create_engine(SERVER, poolclass=sa.pool.NullPool).connect().close()
    except sa.exc.SQLAlchemyError as error:
        reason = f"PostgreSQL does not answer at {sa.make_url(SERVER).render_as_string()}: {error.__class__.__name__}"
        print(f"   skipped: {reason}", flush=True)
        return [{"name": "downloads not measured (needs PostgreSQL)", "value": 0, "unit": "", "target": "", "ok": True}]

    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="concerto-bench-download-") as tmp:
        folder = Path(tmp)
        database = create_database(folder, "bench_download", server=SERVER)
        server = None
        try:
            survey_id = populate(database.url)
            env = production_env(database.url, ratelimit_uri="memory://", key_prefix="bench-download")
            server = Gunicorn(env, folder / "gunicorn.log", workers=1, threads=1).start()
            pid = worker_pid(server.process.pid)
            browser = Browser(server.url)
            try:
                browser.sign_in(*FACILITATOR)
                assert browser.path != "/login", "the facilitator could not sign in"
                browser.get(f"/surveys/{survey_id}/codebook.csv")  # the survey loaded once, as any page would
                for fmt in ("csv", "json", "xlsx"):
                    target = folder / f"export.{fmt}"
                    figures = download(browser, f"/surveys/{survey_id}/export.{fmt}", pid, target)
                    counted = count_rows(target, fmt)
                    target.unlink()
                    mb = figures["bytes"] / 1e6
                    print(
                        f"   {fmt}: {counted:,} rows, {mb:.1f} MB in {figures['seconds']:.1f} s "
                        f"({mb / figures['seconds']:.1f} MB/s, first byte after {figures['first_byte_s']:.2f} s); "
                        f"worker RSS {figures['base_mb']:.0f} MB before, peak growth "
                        f"{figures['growth_10_mb']:.1f} / {figures['growth_50_mb']:.1f} / {figures['growth_mb']:.1f}"
                        f" MB at 10 / 50 / 100 % of the body",
                        flush=True,
                    )
                    rows.append(
                        {
                            "name": f"{fmt.upper()} download of {RESPONSES:,} ({counted:,} rows)",
                            "value": figures["seconds"],
                            "unit": "s",
                            "target": "reference",
                            "ok": counted == RESPONSES,
                        }
                    )
                    rows.append(
                        {
                            "name": f"{fmt.upper()} download, worker peak RSS growth",
                            "value": figures["growth_mb"],
                            "unit": "MB",
                            "target": f"< {MEMORY_BUDGET_MB:.0f} MB",
                            "ok": figures["growth_mb"] < MEMORY_BUDGET_MB,
                        }
                    )
            finally:
                browser.close()
        except Exception:
            if server is not None:
                print("   gunicorn's log (end):\n" + server.log_text()[-3000:], flush=True)
            raise
        finally:
            if server is not None:
                server.stop()
            database.drop()
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
