"""Live-room benchmark: 300 phones join a room and vote within a minute, on one small server.

    .venv/bin/python -m bench live_room          # or: make bench BENCH=live_room
    BENCH_LIVE_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_live   (the default)

1. *Database*: a fresh PostgreSQL database (created, then dropped: bench/databases.py), ``flask db upgrade``,
   ``flask seed-demo``, then ``bench/live_room_setup.py``: two open approval ballots of 5 options in the demo
   process, each with a room open in the demo's assembly, anonymous one vote per phone.
2. *Server*: the production application under gunicorn (``gunicorn.conf.py``: workers and threads from the CPU
   count), rate limits in Redis, ``LIVE_JOIN_RATE_LIMIT`` raised since every phone comes from 127.0.0.1.
3. *Phones* (httpx, asyncio, each phone its own cookies and a new connection per request, as a browser without
   JavaScript): open ``/live``, type the code (POST), land on the room's ballot, tick one or two options and
   send; the answer must be the page saying the vote is recorded. A projector polls ``/live/<code>/status``
   every 3 s meanwhile.
   - *minute*: 300 phones arriving evenly over 60 seconds (a room scanning the code as it is shown);
   - *burst*: 300 other phones all at the same moment, on the second room (the worst case).
4. *Checks*: the casts stored for each ballot equal the phones told "recorded", and the projector's last turnout
   equals them too.

Figures: join-to-vote time of a phone (its 4 requests, p50/p95/max), request latency p95, errors, wall time.
Budgets: every phone recorded, 0 errors, p95 join-to-vote under 2 s in the minute phase, the burst done within
60 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_live"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
PHONES = int(os.environ.get("BENCH_LIVE_PHONES", "300"))
ARRIVAL_S = 60.0
POLL_S = 3.0
P95_BUDGET_S = 2.0
BURST_BUDGET_S = 60.0
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def _token(html: str) -> str:
    match = CSRF.search(html)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


async def _phone(base: str, code: str, options: list[int], delay: float, rng: random.Random, out: dict) -> None:
    import httpx

    from bench.load_driver import _SSL_CONTEXT  # one SSL context for every client (see load_driver._client)

    await asyncio.sleep(delay)
    started = time.perf_counter()
    # A new connection per request: under load, gunicorn closes a kept-alive connection just as the next request
    # goes out on it (ReadError); a browser retries that request on a new connection, this driver avoids the race.
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=0)
    async with httpx.AsyncClient(
        base_url=base, timeout=120.0, follow_redirects=True, limits=limits, verify=_SSL_CONTEXT
    ) as client:
        try:
            steps = []

            async def timed(kind: str, coroutine):
                begin = time.perf_counter()
                response = await coroutine
                steps.append((kind, time.perf_counter() - begin))
                return response

            join = await timed("GET /live", client.get("/live"))
            ballot = await timed(
                "POST /live (code) + ballot page",
                client.post("/live", data={"csrf_token": _token(join.text), "code": code.lower()}),
            )
            if ballot.status_code != 200 or "ballot-form" not in ballot.text:
                raise RuntimeError(f"join: status {ballot.status_code}")
            picks = rng.sample(options, rng.choice([1, 2]))
            sent = await timed(
                "POST vote",
                client.post(
                    f"/live/{code}/vote", data={"csrf_token": _token(ballot.text), "choice": [str(p) for p in picks]}
                ),
            )
            if sent.status_code != 200 or 'class="receipt"' not in sent.text:
                raise RuntimeError(f"vote: status {sent.status_code}")
            out["done"].append(time.perf_counter() - started)
            for kind, seconds in steps:
                out["latencies"].setdefault(kind, []).append(seconds)
        except Exception as error:
            out["errors"].append(repr(error)[:200])


async def _projector(base: str, code: str, stop: asyncio.Event, out: dict) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=60.0) as client:
        while True:
            begin = time.perf_counter()
            try:
                response = await client.get(f"/live/{code}/status")
                out["latencies"].setdefault("GET status", []).append(time.perf_counter() - begin)
                out["turnout"] = response.json()["turnout"]
            except Exception as error:
                out["errors"].append(f"projector: {error!r}"[:200])
            if stop.is_set():
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), POLL_S)


async def _phase(base: str, room: dict, arrival_s: float, seed: int) -> dict:
    rng = random.Random(seed)
    out: dict = {"done": [], "errors": [], "latencies": {}, "turnout": None, "load_before": os.getloadavg()[0]}
    stop = asyncio.Event()
    projector = asyncio.create_task(_projector(base, room["code"], stop, out))
    started = time.perf_counter()
    phones = [
        _phone(base, room["code"], room["options"], arrival_s * i / PHONES, random.Random(rng.random()), out)
        for i in range(PHONES)
    ]
    await asyncio.gather(*phones)
    out["wall_s"] = time.perf_counter() - started
    out["load_after"] = os.getloadavg()[0]
    stop.set()
    await projector
    return out


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def _casts(url: sa.URL, ballot_id: int) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(
                sa.text("SELECT count(*) FROM ballot_casts WHERE ballot_id = :b"), {"b": ballot_id}
            )
    finally:
        engine.dispose()


def _rows(name: str, phase: dict, casts: int, budget_ok: bool, budget_text: str) -> list[dict]:
    done = phase["done"]
    latencies = [value for values in phase["latencies"].values() for value in values]
    recorded = len(done)
    return [
        {
            "name": f"{name}: phones recorded",
            "value": recorded,
            "unit": "phones",
            "target": f"= {PHONES}",
            "ok": recorded == PHONES,
        },
        {
            "name": f"{name}: casts stored",
            "value": casts,
            "unit": "casts",
            "target": "= recorded",
            "ok": casts == recorded,
        },
        {
            "name": f"{name}: projector turnout",
            "value": phase["turnout"],
            "unit": "casts",
            "target": "= stored",
            "ok": phase["turnout"] == casts,
        },
        {
            "name": f"{name}: errors",
            "value": len(phase["errors"]),
            "unit": "",
            "target": "0",
            "ok": not phase["errors"],
        },
        {
            "name": f"{name}: join-to-vote p50",
            "value": statistics.median(done) if done else float("nan"),
            "unit": "s",
            "target": "",
            "ok": True,
        },
        {
            "name": f"{name}: join-to-vote p95",
            "value": _percentile(done, 95),
            "unit": "s",
            "target": budget_text,
            "ok": budget_ok,
        },
        {
            "name": f"{name}: join-to-vote max",
            "value": max(done) if done else float("nan"),
            "unit": "s",
            "target": "",
            "ok": True,
        },
        {"name": f"{name}: request p95", "value": _percentile(latencies, 95), "unit": "s", "target": "", "ok": True},
        {"name": f"{name}: wall time", "value": phase["wall_s"], "unit": "s", "target": "", "ok": True},
        {
            "name": f"{name}: machine load (1 min avg, before/after)",
            "value": f"{phase['load_before']:.1f}/{phase['load_after']:.1f}",
            "unit": "",
            "target": "",
            "ok": True,
        },
    ]


def run() -> list[dict]:
    from bench.bench_load import _check_services
    from bench.databases import database

    url = sa.make_url(os.environ.get("BENCH_LIVE_DATABASE_URL", DEFAULT_DATABASE_URL))
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    _check_services(url, redis_url)
    with database(url.render_as_string(hide_password=False), reset=True):
        return _measure(url, redis_url)


def _measure(url: sa.URL, redis_url: str) -> list[dict]:
    from bench.bench_load import _flask, _free_port, _run, _wait_ready, server_env

    with tempfile.TemporaryDirectory(prefix="concerto-bench-live-") as tmp:
        work = Path(tmp)
        port = _free_port()
        env = server_env(url, redis_url, port, work)
        env["LIVE_JOIN_RATE_LIMIT"] = "1000000/minute"
        print(f"   database {url.database}: migrate, seed, open two rooms", flush=True)
        _flask(env, "db", "upgrade")
        _flask(env, "seed-demo")
        rooms = json.loads(_run(env, sys.executable, "-m", "bench.live_room_setup", "2"))["rooms"]
        base = f"http://127.0.0.1:{port}"
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        log = (work / "gunicorn.log").open("w")
        server = subprocess.Popen(
            [gunicorn, "--config", "gunicorn.conf.py", "wsgi:app"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            print(f"   gunicorn on {base}: {_wait_ready(base, server)}", flush=True)
            for _ in range(10):  # every worker boots and renders the pages once
                _run(env, sys.executable, "-c", f"import httpx; httpx.get('{base}/live', timeout=120)")
            minute = asyncio.run(_phase(base, rooms[0], ARRIVAL_S, 1))
            print(f"   minute: {len(minute['done'])} phones in {minute['wall_s']:.1f} s, errors {minute['errors'][:3]}")
            burst = asyncio.run(_phase(base, rooms[1], 0.0, 2))
            print(f"   burst: {len(burst['done'])} phones in {burst['wall_s']:.1f} s, errors {burst['errors'][:3]}")
        except Exception:
            log.flush()
            print("   gunicorn's log (end):\n" + (work / "gunicorn.log").read_text()[-4000:], flush=True)
            raise
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            log.close()
            text = (work / "gunicorn.log").read_text()
            print(
                f"   gunicorn log: {text.count('WORKER TIMEOUT')} worker timeouts, "
                f"{text.count('Traceback')} tracebacks, {text.count('Booting worker')} workers booted",
                flush=True,
            )
        minute_casts = _casts(url, rooms[0]["ballot_id"])
        burst_casts = _casts(url, rooms[1]["ballot_id"])
        p95 = _percentile(minute["done"], 95)
        return [
            *_rows("minute", minute, minute_casts, p95 < P95_BUDGET_S, f"< {P95_BUDGET_S} s"),
            *_rows(
                "burst",
                burst,
                burst_casts,
                burst["wall_s"] < BURST_BUDGET_S and len(burst["done"]) == PHONES,
                f"all in < {BURST_BUDGET_S:.0f} s",
            ),
        ]


if __name__ == "__main__":
    for row in run():
        print(row)
