"""Scale-out benchmark: the load bench's respondents against one gunicorn server, then two, behind one local nginx.

    .venv/bin/python -m bench scaleout          # or: make bench BENCH=scaleout
    BENCH_SCALEOUT_RESPONDENTS=100 .venv/bin/python -m bench scaleout      # a smaller run

Needs a local PostgreSQL and Redis (as bench_load.py) and Debian's nginx (``apt-get install nginx``; the bench
installs nothing: without it, it is skipped with one line saying so). Issue 19: show that a second app server,
on the same PostgreSQL and Redis, behind a reverse proxy, adds throughput, and where the next bottleneck is.

1. *Database*: ``bench_scaleout`` (``BENCH_SCALEOUT_DATABASE_URL``), dropped and recreated, prepared as the load
   bench does (migrations, demo, the 20-question survey).
2. *Servers*: two ``gunicorn --config gunicorn.conf.py bench.floor_app:app`` (the production configuration, each
   with its own workers and pool), and one nginx (its own configuration file, written in a temporary directory;
   ``least_conn`` over the servers, keep-alive connections to them) in front. The *one server* run sends everything
   through the same nginx with one upstream, the *two servers* run with both: the proxy's own cost is in both.
3. *Phases*, for each configuration: the floor (``BENCH_SCALEOUT_RESPONDENTS`` clients × 13 bare inserts), then
   the flood of respondents (the same number, each opening the survey, pressing Start and sending every page
   without a pause): throughput in completed responses and requests per second.
4. *Where the time goes*: the CPU seconds used during each flood by the app servers (gunicorn processes and their
   workers), by PostgreSQL (backends connected to the bench database), by nginx and by the driver; and the most
   connections to the database seen at once (``pg_stat_activity``, sampled every 0.2 s), and how many of them were
   running a statement at once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import sqlalchemy as sa

from bench import bench_load as load

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_scaleout"
RESPONDENTS = int(os.environ.get("BENCH_SCALEOUT_RESPONDENTS", "200"))
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
{user}
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {work}/nginx-body;
    proxy_temp_path {work}/nginx-proxy;
    fastcgi_temp_path {work}/nginx-fastcgi;
    uwsgi_temp_path {work}/nginx-uwsgi;
    scgi_temp_path {work}/nginx-scgi;
    upstream concerto {{
        least_conn;
{servers}
        keepalive 64;
        keepalive_timeout 4s;  # below gunicorn's 5 s, so nginx never reuses a connection gunicorn is closing
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://concerto;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 120s;
        }}
    }}
}}
"""


def nginx_binary() -> str:
    """Debian's nginx, or :class:`bench.databases.Skipped` saying how to install it."""
    from bench.databases import Skipped

    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
    if not found:
        raise Skipped("nginx is not installed (apt-get install nginx)")
    return found


class Nginx:
    def __init__(self, binary: str, work: Path, port: int, upstreams: list[str]) -> None:
        self.base_url = f"http://127.0.0.1:{port}"
        conf = work / f"nginx-{len(upstreams)}.conf"
        servers = "\n".join(f"        server {u.removeprefix('http://')};" for u in upstreams)
        user = "user root root;" if os.geteuid() == 0 else ""  # its temporary files are in our private directory
        conf.write_text(NGINX_CONF.format(work=work, port=port, servers=servers, user=user), encoding="utf-8")
        self.process = subprocess.Popen([binary, "-c", str(conf), "-e", str(work / "nginx-error.log")])
        deadline = time.monotonic() + 10
        while not (work / "nginx.pid").exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start: {(work / 'nginx-error.log').read_text()[-2000:]}")
            time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# ------------------------------------------------------------------------------------------------------ CPU use


def _processes() -> dict[int, tuple[int, str, float]]:
    """pid -> (parent pid, command name, CPU seconds so far) for every process we may read."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            text = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        table[int(entry.name)] = (int(fields[1]), name, (int(fields[11]) + int(fields[12])) / CLOCK_TICKS)
    return table


def _machine_busy() -> float:
    """CPU seconds the whole machine spent not idle so far (every process, ours and others')."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


def _descendants(table: dict, roots: set[int]) -> set[int]:
    found = set(roots)
    grew = True
    while grew:
        grew = False
        for pid, (parent, _name, _cpu) in table.items():
            if parent in found and pid not in found:
                found.add(pid)
                grew = True
    return found


class Watch:
    """CPU seconds used by the app servers, PostgreSQL (backends of the bench database), nginx, while it runs;
    and the most connections to the bench database at once, total and running a statement."""

    def __init__(self, url: sa.URL, servers: list[int], nginx: int) -> None:
        self.engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        self.database = url.database
        self.roots = {"app servers": set(servers), "nginx": {nginx}}
        self.connections = 0
        self.active = 0
        self.backends: set[int] = set()
        self._stop = threading.Event()

    def __enter__(self) -> Watch:
        self.before = _processes()
        self.machine_before = _machine_busy()
        self.sampler = threading.Thread(target=self._sample, daemon=True)
        self.sampler.start()
        return self

    def _sample(self) -> None:
        query = sa.text("SELECT pid, state FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid()")
        with self.engine.connect() as connection:
            while not self._stop.wait(0.2):
                rows = connection.execute(query, {"d": self.database}).all()
                connection.rollback()
                self.backends.update(pid for pid, _state in rows)
                self.connections = max(self.connections, len(rows))
                self.active = max(self.active, sum(state == "active" for _pid, state in rows))

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self.sampler.join()
        self.engine.dispose()
        after = _processes()
        machine = _machine_busy() - self.machine_before
        self.cpu = {}
        groups = {name: _descendants(after, roots) for name, roots in self.roots.items()}
        groups["PostgreSQL (bench database)"] = self.backends
        for name, pids in groups.items():
            self.cpu[name] = sum(
                after[pid][2] - (self.before[pid][2] if pid in self.before else 0.0) for pid in pids if pid in after
            )
        self.cpu["the whole machine (every process)"] = machine


# ------------------------------------------------------------------------------------------------------ run


def run() -> list[dict]:
    from bench.databases import database

    binary = nginx_binary()
    url = sa.make_url(os.environ.get("BENCH_SCALEOUT_DATABASE_URL", DEFAULT_DATABASE_URL))
    redis_url = os.environ.get("BENCH_REDIS_URL", load.DEFAULT_REDIS_URL)
    load._check_services(url, redis_url)
    with database(url.render_as_string(hide_password=False), reset=True):
        return _measure(binary, url, redis_url)


def _configuration(
    label: str, url: sa.URL, work: Path, base_url: str, slug: str, first: int, servers: list, proxy: Nginx
) -> dict:
    load._warm_up(f"{base_url}/s/{slug}")
    floor = load._drive("floor", {"base_url": base_url, "concurrency": RESPONDENTS, "requests": 13}, work)
    load._say(f"{label}: floor", floor, "inserts")
    config = {"base_url": base_url, "concurrency": RESPONDENTS, "slug": slug, "first_index": first}
    before = [_lines(server) for server in servers]
    with Watch(url, [s.process.pid for s in servers], proxy.process.pid) as watch:
        flood = load._drive("respond", config, work)
    answered = [_lines(server) - count for server, count in zip(servers, before, strict=True)]
    load._say(f"{label}: respondents", flood, "complete")
    cpu = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in watch.cpu.items())
    print(
        f"   {label}: CPU during the flood ({flood['wall_s']:.1f} s): {cpu}, driver {flood['driver_cpu_s']:.1f} s;"
        f" database connections at most {watch.connections}, {watch.active} running at once;"
        f" requests answered per server {answered}",
        flush=True,
    )
    return {
        "floor": floor,
        "flood": flood,
        "cpu": watch.cpu,
        "connections": watch.connections,
        "active": watch.active,
        "answered": answered,
    }


def _lines(server) -> int:
    """Requests this server answered so far (its access log: one line each)."""
    path = Path(server.env["GUNICORN_ACCESS_LOG"])
    return sum(1 for _ in path.open()) if path.exists() else 0


def _measure(binary: str, url: sa.URL, redis_url: str) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="concerto-bench-scaleout-") as tmp:
        work = Path(tmp)
        ports = [load._free_port() for _ in range(3)]
        proxy_url = f"http://127.0.0.1:{ports[2]}"
        envs = []
        for port in ports[:2]:
            env = load.server_env(url, redis_url, port, work)
            env["PUBLIC_URL"] = proxy_url  # the address people use: the proxy's
            env["GUNICORN_ACCESS_LOG"] = str(work / f"access-{port}.log")
            envs.append(env)
        envs[1]["SECRET_KEY"] = envs[0]["SECRET_KEY"]  # one site: a session made by one server is read by the other
        slug, _setup = load.prepare_database(url, envs[0], work)
        machine = load.machine_description(url)
        servers = [load.Server(envs[0], work, "gunicorn-a")]
        results = {}
        proxy = None
        try:
            print(f"   server A: {servers[0].ready()}", flush=True)
            proxy = Nginx(binary, work, ports[2], [servers[0].base_url])
            results[1] = _configuration("one server", url, work, proxy_url, slug, 0, servers, proxy)
            proxy.stop()
            servers.append(load.Server(envs[1], work, "gunicorn-b"))
            print(f"   server B: {servers[1].ready()}", flush=True)
            proxy = Nginx(binary, work, ports[2], [s.base_url for s in servers])
            results[2] = _configuration("two servers", url, work, proxy_url, slug, RESPONDENTS, servers, proxy)
        except Exception:
            for server in servers:
                print(f"   {server.log_path.name} (end):\n{server.tail(2000)}", flush=True)
            raise
        finally:
            if proxy is not None:
                proxy.stop()
            for server in servers:
                server.stop()
        return figures(results, machine)


def figures(results: dict, machine: str) -> list[dict]:
    row = load._row
    rows = [row(f"machine: {machine}; {os.cpu_count()} cores for everything", 0, "", "reference", True)]
    throughput = {}
    for count, label in ((1, "one server"), (2, "two servers")):
        result = results[count]
        floor, flood = result["floor"], result["flood"]
        requests = sum(len(v) for v in flood["latencies"].values())
        throughput[count] = flood["completed"] / flood["wall_s"]
        errors = floor["error_count"] + flood["error_count"]
        rows += [
            row(
                f"{label}: floor (bare insert), via nginx",
                round(floor["completed"] / floor["wall_s"], 1),
                "req/s",
                "reference",
                floor["error_count"] == 0,
            ),
            row(
                f"{label}: {RESPONDENTS} respondents at once, completed per second",
                round(throughput[count], 2),
                "resp/s",
                f"= {RESPONDENTS} done",
                flood["completed"] == RESPONDENTS,
            ),
            row(f"{label}: requests per second", round(requests / flood["wall_s"], 1), "req/s", "reference", True),
            row(
                f"{label}: page latency p95",
                round(load.percentile([ms for v in flood["latencies"].values() for ms in v], 95)),
                "ms",
                "reference",
                True,
            ),
            row(f"{label}: errors", errors, "", "= 0", errors == 0),
        ]
        for name, seconds in result["cpu"].items():
            rows.append(
                row(f"{label}: CPU of {name} / wall", round(seconds / flood["wall_s"], 2), "cores", "reference", True)
            )
        rows.append(
            row(
                f"{label}: CPU of the driver / wall",
                round(flood["driver_cpu_s"] / flood["wall_s"], 2),
                "cores",
                "reference",
                True,
            )
        )
        rows.append(
            row(
                f"{label}: requests answered by each server",
                " / ".join(str(n) for n in result["answered"]),
                "req",
                "every server",
                all(result["answered"]),
            )
        )
        rows.append(
            row(
                f"{label}: database connections at most (running at once)",
                result["connections"],
                "",
                f"{result['active']} active",
                True,
            )
        )
    gain = throughput[2] / throughput[1] if throughput[1] else float("nan")
    rows.append(
        row(
            "two servers / one server, completed responses per second",
            round(gain, 2),
            "x",
            f"reference ({os.cpu_count()} cores)",
            True,
        )
    )
    return rows


if __name__ == "__main__":
    for item in run():
        print(item)
