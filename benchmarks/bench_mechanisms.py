"""The cost of the mechanisms real incidents are made of, as ratios to the same fleet without
them: composed effects, conditions on other components, remedies, aggravators and lasting
damage, one fault spread over a whole fleet by a selector, and the incidents of the library
that use them.

Run with ``python benchmarks/bench_mechanisms.py``. Targets, on the idle 2-core reference
machine:

* a 1,000-component fleet for 2 hours at 10-second ticks, with one composed fault selected on
  every service (each with its own effects, conditions, remedy, aggravator and lasting damage):
  at most 2x the same fleet without a fault;
* each library incident that uses the mechanisms, its whole window simulated: at most 3x the
  same incident with its faults removed (what the mechanisms add to a normal day's tick).
"""

from __future__ import annotations

from typing import Any

from bench_engine import timed

from chaosgame.engine.sim import Simulator
from chaosgame.generate.topology import fleet
from chaosgame.scenario.library import scenario_paths
from chaosgame.scenario.loader import load_scenario
from chaosgame.scenario.model import Scenario

FLEET_TARGET = 2.0
"""The fleet-wide composed fault may at most double the tick's cost."""
INCIDENT_TARGET = 3.0
"""An incident's faults may at most triple the cost of its normal day."""
MECHANISMS = (
    "effects",
    "remedies",
    "aggravators",
    "lasting",
    "select",
    "change",
    "frame",
)


def _fleet_fault(sc: Scenario) -> dict[str, Any]:
    return {
        "kind": "dependency-outage",
        "select": {"kind": "service"},
        "at": 1800.0,
        "intensity": 0.5,
        "effects": [
            {"mechanism": "latency", "amount": 0.05},
            {"mechanism": "errors", "amount": 0.05},
            {"mechanism": "cpu", "amount": 1.5},
        ],
        "when": {"components": [{"component": "edge", "load": {"metric": "rps", "above": 1.0}}]},
        "remedies": [{"action": "rollback"}],
        "aggravators": [{"action": "restart", "multiply": 2.0}],
        "lasting": {
            "after": 600.0,
            "effects": [{"mechanism": "service-time", "amount": 1.2}],
            "recovery": ["restart"],
        },
    }


def with_fleet_fault(sc: Scenario) -> Scenario:
    data = sc.model_dump(mode="json", by_alias=True, exclude_unset=True)
    data["faults"] = [_fleet_fault(sc)]
    return Scenario.model_validate(data)


def run(sc: Scenario, until: float) -> None:
    Simulator(sc).run_until(until)


def uses_mechanisms(sc: Scenario) -> bool:
    faulty = any(getattr(f, m, None) for f in sc.faults for m in MECHANISMS)
    return bool(
        faulty
        or sc.recovery is not None
        or sc.parties
        or sc.pipelines
        or sc.evidence.logs
        or sc.evidence.metrics
    )


def main() -> None:
    plain = fleet(1000, seed=3)
    faulty = with_fleet_fault(plain)
    sim = Simulator(faulty)
    print(
        f"generated fleet: {len(plain.components)} components; the selected fault lives in "
        f"{len(sim.faults)} of them"
    )
    base, _, base_cpu = timed(3, lambda: run(plain, 7200.0))
    best, _, cpu = timed(3, lambda: run(faulty, 7200.0))
    ratio = best / base
    verdict = "meets" if ratio <= FLEET_TARGET else "MISSES"
    print(
        f"1,000 components x 2 h: no fault {base:.2f} s (CPU {base_cpu:.2f} s); fleet-wide "
        f"composed fault {best:.2f} s (CPU {cpu:.2f} s): {ratio:.2f}x, target <= "
        f"{FLEET_TARGET:g}x: {verdict} it"
    )
    print()
    print(f"{'incident':44} {'ticks':>6} {'normal day':>11} {'incident':>9} {'ratio':>6}")
    worst = 0.0
    for path in scenario_paths():
        sc = load_scenario(path)
        if not uses_mechanisms(sc):
            continue
        calm = sc.model_copy(update={"faults": []})
        a, _, _ = timed(3, lambda calm=calm: run(calm, calm.duration))  # type: ignore[misc]
        b, _, _ = timed(3, lambda sc=sc: run(sc, sc.duration))  # type: ignore[misc]
        worst = max(worst, b / a)
        ticks = int(sc.duration / sc.tick)
        print(f"{sc.id:44} {ticks:>6} {a:>10.3f}s {b:>8.3f}s {b / a:>5.2f}x")
    verdict = "meets" if worst <= INCIDENT_TARGET else "MISSES"
    print(f"worst ratio {worst:.2f}x, target <= {INCIDENT_TARGET:g}x: {verdict} it")


if __name__ == "__main__":
    main()
