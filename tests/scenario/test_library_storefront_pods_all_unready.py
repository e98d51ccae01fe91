"""The deep health check scenario really turns on its readiness check.

With the check calling the catalog database, the locked table takes every storefront pod
out of the load balancer and the journey fails outright; the same fleet with a shallow check
keeps every pod in rotation. Restarting the storefront does not help; pausing the migration
does.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from chaosgame.engine.sim import Simulator
from chaosgame.scenario.actions import mitigation_adapter
from chaosgame.scenario.library import load
from chaosgame.scenario.model import Scenario

PATH = "scenarios/storefront-pods-all-unready.yaml"
LATE = 1800.0  # twelve minutes into the lock


@cache
def scenario(deep: bool = True) -> Scenario:
    sc = load(PATH)
    if deep:
        return sc
    data = sc.model_dump(by_alias=True)
    for c in data["components"]:
        if c.get("readiness"):
            c["readiness"]["checks"] = []
    return Scenario.model_validate(data)


def run(sc: Scenario, *actions: dict[str, Any]) -> Simulator:
    sim = Simulator(sc)
    sim.run_until(1500.0)
    for spec in actions:
        sim.mitigate(mitigation_adapter().validate_python(spec))
    sim.run_until(LATE + 600.0)
    return sim


def ready(sim: Simulator, t: float) -> float:
    return float(sim.history.comp["replicas"][int(t / sim.dt), sim.world.index["storefront"]])


def browse_errors(sim: Simulator, t: float) -> float:
    return float(sim.history.journey["errors"][int(t / sim.dt)].max())


def test_the_deep_check_ejects_every_pod_and_a_shallow_one_none() -> None:
    deep, shallow = run(scenario()), run(scenario(deep=False))
    assert ready(deep, 1000.0) == 6
    assert ready(deep, LATE) == 0
    assert browse_errors(deep, LATE) > 0.99
    assert ready(shallow, LATE) == 6
    assert browse_errors(shallow, LATE) < browse_errors(deep, LATE) - 0.2
    assert deep.history.comp["restarts"][int(LATE / deep.dt), deep.world.index["storefront"]] == 0


def test_restarting_the_storefront_fails_and_pausing_the_migration_works() -> None:
    restarted = run(scenario(), {"action": "restart", "target": "storefront"})
    assert ready(restarted, LATE + 500.0) == 0
    paused = run(scenario(), {"action": "pause-job", "target": "catalog-db"})
    assert ready(paused, LATE + 500.0) == 6
    assert browse_errors(paused, LATE + 500.0) < 0.001
