"""The strategy ladder: every built-in strategy player over every curated scenario.

    python benchmarks/bench_ladder.py [--jobs N] [--json FILE] [--seed N] [SCENARIO ...]

Prints one row per scenario with each strategy's total score (``chaosgame.game.strategies``),
the mean of each strategy over the scenarios played, the scenarios where a cheap strategy
comes within 25 points of the reference (marked ``*`` in the table), the actions the game
refused per strategy, and the wall time. Scenarios are played in ``--jobs`` processes
(default 2), each scenario's strategies in one process so its comparison runs are simulated
once. ``--json FILE`` also writes every score with its parts.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from pathlib import Path
from typing import Any

from chaosgame.game.strategies import STRATEGIES, run_strategy
from chaosgame.scenario.library import find, scenario_paths
from chaosgame.scenario.loader import load_scenario

CLOSE = 25.0
"""A cheap strategy this close to the reference (or above it) is flagged."""
SHORT = {
    "nothing": "none",
    "random": "rand",
    "undo-latest": "undo",
    "loudest-alert": "loud",
    "plausible-shotgun": "shot",
    "read-the-id": "id",
    "heuristic": "heur",
    "reference": "ref",
}
"""Column headings."""


def play(job: tuple[str, int | None]) -> dict[str, Any]:
    """Every strategy on one scenario file: scores, refused actions, CPU seconds."""
    path, seed = job
    t0 = time.process_time()
    sc = load_scenario(Path(path))
    scores: dict[str, dict[str, Any]] = {}
    skipped: dict[str, list[str]] = {}
    for name in STRATEGIES:
        run = run_strategy(name, sc, seed)
        scores[name] = run.score().as_dict()
        skipped[name] = run.skipped
    return {
        "scenario": sc.id,
        "scores": scores,
        "skipped": skipped,
        "cpu_s": round(time.process_time() - t0, 2),
    }


NOT_CHEAP = ("heuristic", "reference")
"""The players that reason (the others are the cheap strategies)."""


def close_calls(row: dict[str, Any]) -> list[str]:
    """The cheap strategies within :data:`CLOSE` points of the reference on this row."""
    ref = row["scores"]["reference"]["total"]
    return [n for n, s in row["scores"].items() if n not in NOT_CHEAP and s["total"] >= ref - CLOSE]


def table(rows: list[dict[str, Any]]) -> str:
    """The ladder as text: a row per scenario, then the means."""
    names = list(STRATEGIES)
    width = max([len("scenario"), *(len(r["scenario"]) for r in rows)]) + 2
    lines = [f"{'scenario':<{width}}" + "".join(f"{SHORT.get(n, n):>7}" for n in names)]
    for r in rows:
        near = set(close_calls(r))
        cells = "".join(
            f"{r['scores'][n]['total']:>6.1f}{'*' if n in near else ' '}" for n in names
        )
        lines.append(f"{r['scenario']:<{width}}{cells}")
    means = {n: sum(r["scores"][n]["total"] for r in rows) / max(len(rows), 1) for n in names}
    lines.append(f"{'mean':<{width}}" + "".join(f"{means[n]:>6.1f} " for n in names))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*", help="curated ids or files (default: all)")
    parser.add_argument("--jobs", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--json", type=Path, help="also write every score to this file")
    parser.add_argument("--seed", type=int, help="seed (default: each scenario's own)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    try:
        paths = [find(s) for s in args.scenarios] if args.scenarios else scenario_paths()
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    jobs = [(str(p), args.seed) for p in paths]
    started = time.perf_counter()
    if args.jobs == 1:
        rows = [play(j) for j in jobs]
    else:
        with multiprocessing.Pool(args.jobs) as pool:
            rows = list(pool.imap(play, jobs))
    wall = time.perf_counter() - started
    print(table(rows))
    flagged = [(r["scenario"], close_calls(r)) for r in rows if close_calls(r)]
    print()
    print(f"within {CLOSE:g} points of the reference (*): {len(flagged)} of {len(rows)} scenarios")
    for scenario, names in flagged:
        print(f"  {scenario}: {', '.join(names)}")
    refused = {n: sum(len(r["skipped"][n]) for r in rows) for n in STRATEGIES}
    means = {n: sum(r["scores"][n]["total"] for r in rows) / max(len(rows), 1) for n in STRATEGIES}
    cheap = max((m, n) for n, m in means.items() if n not in NOT_CHEAP)
    print(
        f"heuristic {means['heuristic']:.1f}, best cheap strategy {cheap[1]} {cheap[0]:.1f}: "
        f"{means['heuristic'] - cheap[0]:+.1f} points (target at least +15); "
        f"reference {means['reference']:.1f}"
    )
    print("actions refused: " + ", ".join(f"{n} {k}" for n, k in refused.items()))
    stopped = [
        f"{r['scenario']} {n}: {note}"
        for r in rows
        for n, notes in r["skipped"].items()
        for note in notes
        if note.startswith("the strategy stopped")
    ]
    for line in stopped:
        print(f"  {line}")
    cpu = sum(r["cpu_s"] for r in rows)
    print(f"wall time {wall:.1f} s with {args.jobs} jobs ({cpu:.1f} CPU s)")
    if args.json is not None:
        means = {
            n: sum(r["scores"][n]["total"] for r in rows) / max(len(rows), 1) for n in STRATEGIES
        }
        data = {"rows": rows, "means": means, "close": dict(flagged), "wall_s": wall}
        args.json.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
