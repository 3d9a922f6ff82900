"""`make bench`: run every bench/bench_*.py module's run() and print one table.

Each module exposes ``run() -> list[dict]`` with keys name, value, unit, target, ok. A module may be named on
the command line to run it alone: ``python -m bench tally``. A benchmark that cannot run on this machine (no
PostgreSQL, no Redis) raises :class:`bench.databases.Skipped`: one line says why, the others still run, and a
skip does not fail ``make bench``. The databases a benchmark needs are created and dropped by bench/databases.py.
"""

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def _modules(selected: list[str]) -> list[str]:
    names = sorted(
        info.name for info in pkgutil.iter_modules([str(Path(__file__).parent)]) if info.name.startswith("bench_")
    )
    if selected:
        names = [n for n in names if n.removeprefix("bench_") in selected or n in selected]
    return names


def main(argv: list[str]) -> int:
    from bench.databases import Skipped

    rows: list[dict] = []
    skipped: list[str] = []
    for name in _modules(argv):
        started = time.perf_counter()
        print(f"== {name}", flush=True)
        module = importlib.import_module(f"bench.{name}")
        try:
            results = module.run()
        except Skipped as reason:
            print(f"   skipped: {reason}", flush=True)
            skipped.append(f"{name.removeprefix('bench_')} skipped: {reason}")
            continue
        for row in results:
            rows.append({"bench": name.removeprefix("bench_"), **row})
        print(f"   done in {time.perf_counter() - started:.1f} s", flush=True)
    width = max((len(r["name"]) for r in rows), default=10)
    print()
    if rows:
        print(f"{'bench':<10} {'measure':<{width}} {'value':>12} {'unit':<8} {'target':<14} ok")
    for r in rows:
        value = f"{r['value']:.4g}" if isinstance(r["value"], float) else str(r["value"])
        verdict = "yes" if r["ok"] else "NO"
        print(f"{r['bench']:<10} {r['name']:<{width}} {value:>12} {r['unit']:<8} {r['target']:<14} {verdict}")
    for line in skipped:
        print(line)
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
