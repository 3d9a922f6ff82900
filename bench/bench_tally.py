"""Benchmark of the pure tally: 10,000 random ranked ballots over 30 options.

    .venv/bin/python bench/bench_tally.py

``run()`` returns one dict per measure (``name``, ``value``, ``unit``, ``target``, ``ok``); the budget that
matters is Schulze + Borda together under 2 s. Ballots are generated with a seeded RNG (not timed): partial
rankings of 1 to 30 options, one ballot in ten with tied ranks. Each figure is the best of 3 runs.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.voting.ballot_csv import parse_ballot_csv
from app.voting.tally import tally

SEED = 20240611
N_BALLOTS = 10_000
N_OPTIONS = 30
REPEAT = 3
BUDGET_S = 2.0


def make_options(n: int = N_OPTIONS) -> list[str]:
    return [f"Option {i:02d}" for i in range(1, n + 1)]


def make_ranked_ballots(options: list[str], n: int = N_BALLOTS, seed: int = SEED) -> list[dict[str, int]]:
    rng = np.random.default_rng(seed)
    ballots = []
    for _ in range(n):
        k = int(rng.integers(1, len(options) + 1))
        chosen = rng.permutation(len(options))[:k]
        tied = rng.random() < 0.1  # ties (and gaps): the tally accepts them
        ranks = np.sort(rng.integers(1, k + 1, size=k)) if tied else np.arange(1, k + 1)
        ballots.append({options[i]: int(r) for i, r in zip(chosen, ranks, strict=True)})
    return ballots


def make_graded_ballots(options: list[str], n: int = N_BALLOTS, seed: int = SEED) -> list[dict[str, int]]:
    rng = np.random.default_rng(seed)
    grades = rng.integers(0, 6, size=(n, len(options)))
    return [dict(zip(options, map(int, row), strict=True)) for row in grades]


def ranked_csv(options: list[str], ballots: list[dict[str, int]]) -> str:
    lines = [";".join(options)]
    lines += [";".join(str(b[o]) if o in b else "" for o in options) for b in ballots]
    return "\n".join(lines) + "\n"


def best_of(function: Callable[[], object], repeat: int = REPEAT) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return min(timings)


def row(name: str, seconds: float, budget: float = BUDGET_S) -> dict:
    return {"name": name, "value": round(seconds, 4), "unit": "s", "target": f"< {budget:g} s", "ok": seconds < budget}


def run() -> list[dict]:
    options = make_options()
    ranked = make_ranked_ballots(options)
    graded = make_graded_ballots(options)
    # Ballots with ties are not valid in a CSV (duplicate ranks are refused there): time the valid ones.
    valid_text = ranked_csv(options, [b for b in ranked if len(set(b.values())) == len(b)])
    n_rows = len(parse_ballot_csv(valid_text, "schulze")[1])
    label = f"{N_BALLOTS:,} ballots x {N_OPTIONS} options"

    def schulze_and_borda() -> None:
        tally("schulze", options, ranked)
        tally("borda", options, ranked)

    return [
        row(f"schulze + borda, {label}", best_of(schulze_and_borda)),
        row(f"schulze, {label}", best_of(lambda: tally("schulze", options, ranked))),
        row(f"borda, {label}", best_of(lambda: tally("borda", options, ranked))),
        row(f"majority judgment, {label}", best_of(lambda: tally("majority-judgment", options, graded))),
        row(
            f"parse ranked CSV, {n_rows:,} rows x {N_OPTIONS}", best_of(lambda: parse_ballot_csv(valid_text, "schulze"))
        ),
    ]


def main() -> int:
    rows = run()
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        status = "ok" if r["ok"] else "TOO SLOW"
        print(f"{r['name']:<{width}}  {r['value']:>8.4f} {r['unit']}  target {r['target']:<7}  {status}")
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
