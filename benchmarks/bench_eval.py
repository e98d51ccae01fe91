"""The speed of ``chaosgame eval``: episodes a minute over the curated library.

    python benchmarks/bench_eval.py [--policy NAME] [--jobs 2] [--limit N] [SCENARIO ...]

Plays the policy (default ``heuristic`` when the strategy players have it, else
``plausible-shotgun``) over every curated scenario twice with ``--jobs`` processes, as
``chaosgame eval`` does, in a fresh run database:

* cold: the comparison runs every score is measured against are simulated (once per
  scenario, in the worker that plays it) and kept in the run records;
* warm: the same evaluation again, reading them back (what evaluating a policy again costs).

For each it prints episodes a minute (target: 200 for ``heuristic`` with 2 jobs), the mean
CPU seconds per episode in the workers (and the rate two idle cores reach at that cost: on a
machine others share, the wall-clock rate is lower), and the share of it spent on the
comparison runs.
It also checks that the two runs gave the same scores.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from chaosgame.evaluate import harness
from chaosgame.evaluate.incidents import from_scenarios
from chaosgame.game.strategies import STRATEGIES

TARGET = 200.0
"""Episodes a minute ``heuristic`` must reach with 2 jobs."""
WORKERS = 2
"""Cores the CPU-bound rate is given for (the figure holds on a shared, busy machine)."""


def measure(jobs: list[harness.Job], workers: int) -> tuple[list[harness.JobResult], float]:
    """Every job played with ``workers`` processes; the results and the wall seconds."""
    started = time.perf_counter()
    results = harness.run(jobs, workers)
    return results, time.perf_counter() - started


def report(label: str, results: list[harness.JobResult], wall: float) -> None:
    episodes = sum(len(r.episodes) for r in results)
    cpu = sum(r.cpu_s for r in results)
    comparisons = sum(r.comparison_cpu_s for r in results)
    each = cpu / max(episodes, 1)
    print(
        f"{label:5} {episodes} episodes in {wall:5.1f} s: {60 * episodes / wall:6.1f} a minute; "
        f"{each:.2f} CPU s per episode ({60 * WORKERS / max(each, 1e-9):.0f} a minute on "
        f"{WORKERS} idle cores), {100 * comparisons / max(cpu, 1e-9):.0f} % of it on the "
        "comparison runs"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*", help="curated ids or files (default: all)")
    default = "heuristic" if "heuristic" in STRATEGIES else "plausible-shotgun"
    parser.add_argument("--policy", default=default, help=f"policy (default {default})")
    parser.add_argument("--jobs", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N scenarios")
    args = parser.parse_args(argv)
    incidents = from_scenarios(args.scenarios or ["curated"])
    if args.limit:
        incidents = incidents[: args.limit]
    print(f"{args.policy} over {len(incidents)} curated scenarios with {args.jobs} jobs")
    with tempfile.TemporaryDirectory() as folder:
        records = str(Path(folder) / "runs.sqlite3")
        jobs = [harness.Job(i, (args.policy,), None, records) for i in incidents]
        cold, cold_wall = measure(jobs, args.jobs)
        report("cold", cold, cold_wall)
        warm, warm_wall = measure(jobs, args.jobs)
        report("warm", warm, warm_wall)
    same = [e["total"] for r in cold for e in r.episodes] == [
        e["total"] for r in warm for e in r.episodes
    ]
    print(f"same scores cold and warm: {'yes' if same else 'NO'}")
    if args.policy == "heuristic":
        rate = 60 * sum(len(r.episodes) for r in warm) / warm_wall
        print(f"target {TARGET:.0f} a minute (warm): {'met' if rate >= TARGET else 'NOT met'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
