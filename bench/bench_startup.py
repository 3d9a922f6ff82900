"""Benchmark of start-up: what a command or a worker pays before its first useful line, and the first free text.

    .venv/bin/python -m bench startup          # or: make bench BENCH=startup

1. *Commands*: ``python -c "import wsgi"``, ``flask --app wsgi --help`` and ``flask --app wsgi tally`` on a
   two-ballot file, each run ``BENCH_STARTUP_RUNS`` (7) times in a fresh process: CPU time (user + system, the
   median) and wall time (fastest and median). Start-up runs on one thread, so on an idle machine wall ≈ CPU;
   on the shared machine the wall time grows with the load, the CPU time much less. Target ≤ 1.5 s.
2. *First free text*: in a fresh process that imported the app, the time of the first PII detection of an answer
   (what the first free-text answer costs a worker that has not loaded the French model: spaCy, its pipeline and
   the word lists), of the next one, and of :func:`app.moderation.pii.warm_up` (what gunicorn.conf.py's
   ``post_worker_init`` pays in each worker before it takes traffic).
3. *First free-text answers under gunicorn*: one worker, a one-question survey (a long text) imported with
   ``flask import-form``; three respondents in turn answer it over HTTP; the figure is the completing POST (where
   the answer is scanned for personal information), with ``NLP_WARM_UP=0`` (the model loads on the first free
   text, as before issue 21) and with the default (loaded before the fork).
4. *Memory per worker*: gunicorn with gunicorn.conf.py and 2 workers (production configuration, SQLite), once
   every worker is ready: each worker's Rss, Pss (its share of the pages it shares with the master and the other
   workers) and private memory, and the sum of Pss over the server (master + workers), for three set-ups: the
   app without the model, the model loaded by each worker, the model loaded once by the master before the fork
   (the default: ``preload_app`` and ``when_ready``).
"""

from __future__ import annotations

import json
import os
import re
import resource
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("BENCH_STARTUP_RUNS", "7"))
BUDGET_S = 1.5
BIN = Path(sys.executable).parent


def _env(**extra: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in {"TEST_DATABASE_URL", "FLASK_APP"}}
    env.update({"CONCERTO_CONFIG": "testing", "PYTHONPATH": str(ROOT), **extra})
    return env


def _timed(command: list[str]) -> tuple[float, float, float]:
    """Fastest and median wall time of ``command`` over RUNS fresh processes (after one unmeasured run), and its
    median CPU time (user + system): on a machine busy with other work the wall time grows, the CPU time much less,
    and on an idle machine the two are close (start-up is one thread)."""
    walls, cpus = [], []
    for run in range(RUNS + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, env=_env(), check=True, capture_output=True)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if run:
            walls.append(wall)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(walls), statistics.median(walls), statistics.median(cpus)


def commands(work: Path) -> list[dict]:
    ballots = work / "ballots.csv"
    ballots.write_text("Parc,Quai\n1,0\n1,1\n", encoding="utf-8")
    flask = str(BIN / "flask")
    measured = {
        "import wsgi": [sys.executable, "-c", "import wsgi"],
        "flask --app wsgi --help": [flask, "--app", "wsgi", "--help"],
        "flask --app wsgi tally (2 ballots)": [flask, "--app", "wsgi", "tally", "-m", "approval", "-i", str(ballots)],
    }
    load = os.getloadavg()[0]
    rows = []
    for name, command in measured.items():
        fastest, median, cpu = _timed(command)
        print(f"   {name}: CPU {cpu:.2f} s, wall fastest {fastest:.2f} s, median {median:.2f} s", flush=True)
        rows.append(
            {
                "name": f"{name}: CPU (wall fastest {fastest:.2f} s, median {median:.2f} s, load {load:.1f})",
                "value": round(cpu, 2),
                "unit": "s",
                "target": f"<= {BUDGET_S} s",
                "ok": min(cpu, fastest) <= BUDGET_S,
            }
        )
    return rows


FIRST_TEXT = """
import json, time
import wsgi
from app.moderation import pii
texts = ["Appelez Marie Gagnon au 819 555-0199 pour les inscriptions.",
         "Mon voisin Jean Tremblay pourrait offrir du covoiturage le samedi."]
started = time.perf_counter(); pii.detect(texts[0]); first = time.perf_counter() - started
started = time.perf_counter(); pii.detect(texts[1]); second = time.perf_counter() - started
print(json.dumps({"first": first, "second": second}))
"""

WARM_UP = """
import json, time
import wsgi
from app.moderation import pii
started = time.perf_counter(); pii.warm_up(); warm_up = time.perf_counter() - started
started = time.perf_counter(); pii.detect("Appelez Marie Gagnon au 819 555-0199 pour les inscriptions.")
print(json.dumps({"warm_up": warm_up, "first": time.perf_counter() - started}))
"""


def _python_json(code: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env=_env(), check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def first_free_text() -> list[dict]:
    cold = _python_json(FIRST_TEXT)
    warm = _python_json(WARM_UP)
    print(
        f"   first free text without warm-up {cold['first']:.2f} s, the next {cold['second'] * 1000:.0f} ms; "
        f"warm-up {warm['warm_up']:.2f} s, then the first free text {warm['first'] * 1000:.0f} ms",
        flush=True,
    )
    return [
        {
            "name": "first free text, model not loaded",
            "value": round(cold["first"], 2),
            "unit": "s",
            "target": "reference",
            "ok": True,
        },
        {
            "name": "next free text",
            "value": round(cold["second"] * 1000, 1),
            "unit": "ms",
            "target": "reference",
            "ok": True,
        },
        {
            "name": "warm-up (in the gunicorn master, once)",
            "value": round(warm["warm_up"], 2),
            "unit": "s",
            "target": "reference",
            "ok": True,
        },
        {
            "name": "first free text after the warm-up",
            "value": round(warm["first"] * 1000, 1),
            "unit": "ms",
            "target": "≈ next free text",
            "ok": warm["first"] < 10 * max(cold["second"], 0.01),
        },
    ]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


WORKERS = 2
SETUPS = {  # name -> environment
    "app alone (GUNICORN_PRELOAD=0 NLP_WARM_UP=0)": {"GUNICORN_PRELOAD": "0", "NLP_WARM_UP": "0"},
    "model loaded by each worker (GUNICORN_PRELOAD=0)": {"GUNICORN_PRELOAD": "0", "NLP_WARM_UP": "1"},
    "model loaded by the master, shared (default)": {"GUNICORN_PRELOAD": "1", "NLP_WARM_UP": "1"},
}


def _memory_mb(pid: int) -> dict[str, float]:
    """Rss, Pss and private (clean + dirty) memory of a process, in MB (/proc/<pid>/smaps_rollup)."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text(encoding="ascii").splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0]) / 1024
    return {"rss": fields["Rss"], "pss": fields["Pss"], "private": fields["Private_Clean"] + fields["Private_Dirty"]}


@contextmanager
def _gunicorn(work: Path, setup: dict[str, str]) -> Iterator[tuple[str, list[int], int]]:
    """gunicorn with gunicorn.conf.py (production configuration, SQLite) on a free port, once every worker is ready:
    yields its base URL, the workers' pids and the master's."""
    import httpx

    port = _free_port()
    setup = {"GUNICORN_WORKERS": str(WORKERS), **setup}
    env = _env(
        CONCERTO_CONFIG="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        DATABASE_URL=f"sqlite:///{work / 'startup.db'}",
        RATELIMIT_STORAGE_URI="memory://",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_ACCESS_LOG=str(work / "access.log"),
        **setup,
    )
    count = int(setup["GUNICORN_WORKERS"])
    warmed_by_workers = setup.get("GUNICORN_PRELOAD", "1") == "0" and setup.get("NLP_WARM_UP", "1") == "1"
    log_path = work / f"gunicorn-{port}.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 300
            while True:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start:\n{log_path.read_text()[-3000:]}")
                text = log_path.read_text()
                workers = [int(pid) for pid in re.findall(r"Booting worker with pid: (\d+)", text)]
                ready = len(re.findall(r"Worker \d+: French language model ready", text)) >= count
                if len(workers) >= count and (ready or not warmed_by_workers):
                    try:
                        if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                time.sleep(0.3)
            yield f"http://127.0.0.1:{port}", workers, server.pid
        finally:
            server.terminate()
            server.wait(timeout=30)


def gunicorn_memory(work: Path, name: str, setup: dict[str, str]) -> dict[str, float]:
    """Memory of the workers (mean) and of the whole server (sum of Pss) once every worker is ready."""
    with _gunicorn(work, setup) as (_, workers, master_pid):
        time.sleep(2)
        each = [_memory_mb(pid) for pid in workers]
        master = _memory_mb(master_pid)
    measured = {key: statistics.mean(m[key] for m in each) for key in ("rss", "pss", "private")}
    measured["total"] = master["pss"] + sum(m["pss"] for m in each)
    print(
        f"   {name}: per worker Rss {measured['rss']:.0f} MB, Pss {measured['pss']:.0f} MB, private "
        f"{measured['private']:.0f} MB; server ({WORKERS} workers + master) {measured['total']:.0f} MB",
        flush=True,
    )
    return measured


FREE_TEXT_SURVEY = {
    "format": "concerto-questionnaire",
    "version": 1,
    "survey": {"slug": "banc-texte-libre", "title": {"fr": "Une question ouverte", "en": "One open question"}},
    # One open question: its answers go to the moderation queue, scanned for personal information on completion.
    "pages": [
        {
            "title": {"fr": "Votre avis", "en": "Your opinion"},
            "questions": [
                {
                    "code": "aide",
                    "type": "long_text",
                    "label": {"fr": "Qu’est-ce qui vous aiderait?", "en": "What would help you?"},
                    "settings": {"open": True},  # to the moderation queue: scanned for personal information
                },
            ],
        }
    ],
}
ANSWERS = [
    "Appelez Marie Gagnon au 819 555-0199 pour les inscriptions du samedi.",
    "Mon voisin Jean Tremblay pourrait offrir du covoiturage vers la halte-garderie.",
    "Plus de places en garderie à Coaticook, et un autobus le soir.",
]


def _answer_the_survey(client, base_url: str, text: str) -> float:
    """A respondent's whole journey; returns the seconds of the last POST (the completion: the free-text scan)."""
    landing = client.get(f"{base_url}/s/banc-texte-libre").text
    start = {
        "csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', landing).group(1),
        "start_key": re.search(r'name="start_key" type="hidden" value="([^"]+)"', landing).group(1),
    }
    page = client.post(f"{base_url}/s/banc-texte-libre", data=start, follow_redirects=True)
    form = {
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1),
        "submission_key": re.search(r'name="submission_key" value="([^"]+)"', page.text).group(1),
        "action": "next",
        "q_aide": text,
    }
    started = time.perf_counter()
    done = client.post(str(page.url), data=form, follow_redirects=False)
    seconds = time.perf_counter() - started
    assert done.status_code == 302 and done.headers["location"].endswith("/thanks"), (done.status_code, done.text[:300])
    return seconds


def first_submissions(work: Path) -> list[dict]:
    """Under gunicorn (one worker), the completion of the first three free-text answers the worker receives."""
    import httpx

    definition = work / "free-text.json"
    definition.write_text(json.dumps(FREE_TEXT_SURVEY, ensure_ascii=False), encoding="utf-8")
    database = {"CONCERTO_CONFIG": "development", "DATABASE_URL": f"sqlite:///{work / 'startup.db'}"}
    for command in (["seed-demo"], ["import-form", str(definition), "--open"]):
        subprocess.run(
            [str(BIN / "flask"), "--app", "wsgi", *command],
            cwd=ROOT,
            env=_env(**database),
            check=True,
            capture_output=True,
        )
    rows = []
    for name, setup in (
        ("NLP_WARM_UP=0 (the model loads on the first free text)", {"NLP_WARM_UP": "0"}),
        ("default (the model loaded before the fork)", {"NLP_WARM_UP": "1"}),
    ):
        with _gunicorn(work, {"GUNICORN_WORKERS": "1", "SESSION_COOKIE_SECURE": "0", **setup}) as (base_url, _, _):
            timings = []
            for text in ANSWERS:
                with httpx.Client(timeout=120) as client:
                    timings.append(_answer_the_survey(client, base_url, text))
        print(f"   {name}: completions {', '.join(f'{t * 1000:.0f} ms' for t in timings)}", flush=True)
        rows.append(
            {
                "name": f"first free-text completion, {name} "
                f"(then {timings[1] * 1000:.0f}, {timings[2] * 1000:.0f} ms)",
                "value": round(timings[0] * 1000),
                "unit": "ms",
                "target": "reference",
                "ok": True,
            }
        )
    return rows


def memory(work: Path) -> list[dict]:
    rows = []
    for name, setup in SETUPS.items():
        measured = gunicorn_memory(work, name, setup)
        rows.append(
            {
                "name": f"worker memory, {name}: Pss (Rss {measured['rss']:.0f}, private {measured['private']:.0f})",
                "value": round(measured["pss"]),
                "unit": "MB",
                "target": "reference",
                "ok": True,
            }
        )
        rows.append(
            {
                "name": f"server with {WORKERS} workers, {name}: sum of Pss",
                "value": round(measured["total"]),
                "unit": "MB",
                "target": "reference",
                "ok": True,
            }
        )
    return rows


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="concerto-bench-startup-") as tmp:
        work = Path(tmp)
        done = subprocess.run(
            [str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
            cwd=ROOT,
            env=_env(CONCERTO_CONFIG="development", DATABASE_URL=f"sqlite:///{work / 'startup.db'}"),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-2000:])
        return commands(work) + first_free_text() + first_submissions(work) + memory(work)


if __name__ == "__main__":
    for row in run():
        print(row)
