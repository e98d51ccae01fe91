"""How long ``chaosgame check`` takes: per curated scenario, and per 30-component incident.

    python benchmarks/bench_check.py [--fleets N] [--no-curated] [SCENARIO ...]

Prints the CPU seconds one cold check takes (no comparison run kept from an earlier check)
for every curated scenario (or those named), with their median and 90th percentile; then the
median for ``N`` (default 10) procedural 30-component fleets, each with a bad deploy on a
journey's entry service and an innocent deploy as a red herring, and for ``N`` generated
30-component incidents (``chaosgame.generate.build``, seeds 1 to ``N``, normal difficulty). CPU seconds, not wall-clock
ones, so a busy machine does not blur the figures.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from chaosgame.game import baselines
from chaosgame.generate.topology import fleet
from chaosgame.proof.checker import check_scenario
from chaosgame.scenario.library import find, scenario_paths
from chaosgame.scenario.loader import load_scenario
from chaosgame.scenario.model import Scenario


def fleet_incident(seed: int, size: int = 30) -> Scenario:
    """A procedural fleet of about ``size`` components whose first journey's entry service
    gets a bad deploy 20 minutes in, while another service deploys harmlessly."""
    data = fleet(size, seed).model_dump(mode="json", by_alias=True, exclude_none=True)
    culprit, innocent = "svc-0-0", "svc-1-0"
    for c in data["components"]:
        if c["name"] == culprit:
            c["version"] = "v1.0.0"
    data["deploys"] = [
        {"id": "culprit", "at": 1200.0, "component": culprit, "version": "v1.1.0"},
        {"id": "innocent", "at": 1300.0, "component": innocent, "version": "v2.0.0"},
    ]
    data["faults"] = [
        {
            "kind": "bad-deploy",
            "target": culprit,
            "version": "v1.1.0",
            "at": 1200.0,
            "error_rate": 0.6,
        }
    ]
    data["truth"] = {
        "root_cause": {"component": culprit, "kind": "bad-deploy"},
        "red_herrings": [{"ref": "innocent", "why": "a harmless release at the same time"}],
        "reference_solution": [{"action": "rollback", "target": culprit}],
    }
    return Scenario.model_validate(data)


def timed_check(sc: Scenario) -> tuple[float, bool]:
    """CPU seconds of one cold check of ``sc``, and whether it passed."""
    baselines.clear_memory()
    t0 = time.process_time()
    checks = check_scenario(sc)
    return time.process_time() - t0, all(c.ok for c in checks)


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]


def curated(paths: list[Path]) -> None:
    secs: list[float] = []
    for path in paths:
        sc = load_scenario(path)
        took, ok = timed_check(sc)
        secs.append(took)
        print(f"{sc.id:<40}{took:>7.2f} s{'' if ok else '  (fails its checks)'}")
    if secs:
        print(
            f"curated check: median {statistics.median(secs):.2f} s, p90 {_p90(secs):.2f} s, "
            f"max {max(secs):.2f} s over {len(secs)} scenarios"
        )


def fleets(count: int) -> None:
    secs: list[float] = []
    passed = 0
    for seed in range(1, count + 1):
        sc = fleet_incident(seed)
        took, ok = timed_check(sc)
        secs.append(took)
        passed += ok
    if secs:
        print(
            f"30-component fleet with a bad deploy ({len(sc.components)} components): median "
            f"{statistics.median(secs):.2f} s, p90 {_p90(secs):.2f} s over {count} seeds "
            f"({passed} pass)"
        )


def generated(count: int) -> None:
    """Generated 30-component incidents (``chaosgame.generate.build``), when it is there."""
    try:
        from chaosgame.generate.build import generate
        from chaosgame.generate.codes import SeedCode
    except ImportError:
        print("generated incidents: no generator (chaosgame.generate.build) here")
        return
    secs: list[float] = []
    made: list[float] = []
    passed = 0
    for seed in range(1, count + 1):
        t0 = time.process_time()
        sc = Scenario.model_validate(generate(SeedCode(seed), size=30))
        made.append(time.process_time() - t0)
        took, ok = timed_check(sc)
        secs.append(took)
        passed += ok
    if secs:
        print(
            f"generated 30-component incident: check median {statistics.median(secs):.2f} s, "
            f"p90 {_p90(secs):.2f} s, generate median {statistics.median(made):.3f} s over "
            f"{count} seeds ({passed} pass)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", help="curated scenarios (default: all)")
    parser.add_argument("--fleets", type=int, default=10, help="30-component seeds to check")
    parser.add_argument("--no-curated", action="store_true", help="only the fleets")
    args = parser.parse_args()
    if not args.no_curated:
        paths = [find(p) for p in args.scenarios] if args.scenarios else scenario_paths()
        curated(paths)
    fleets(args.fleets)
    generated(args.fleets)


if __name__ == "__main__":
    main()
