"""``payments-stay-down-after-blip`` really needs the contention law: without it the lock's damage
ends with the lock; with it, doing nothing or scaling the app leaves payments down, and only
capping the pools (with retries stopped) or shedding load brings them back."""

from __future__ import annotations

from typing import Any

from chaosgame.engine.sim import Simulator
from chaosgame.scenario.actions import mitigation_adapter
from chaosgame.scenario.library import load
from chaosgame.scenario.model import Scenario

ADAPTER = mitigation_adapter()
NAME = "payments-stay-down-after-blip"


def without_contention() -> Scenario:
    sc = load(NAME)
    comps = [
        c.model_copy(update={"resources": None}) if c.name == "ledger-db" else c
        for c in sc.components
    ]
    return sc.model_copy(update={"components": comps})


def payment_errors(sc: Scenario, actions: list[dict[str, Any]], start: float, end: float) -> float:
    """Mean error share of the payments journey between two times, acting at 25 minutes."""
    sim = Simulator(sc, seed=sc.seed)
    sim.run_until(1500)
    for spec in actions:
        sim.mitigate(ADAPTER.validate_python(spec))
    sim.run_until(end)
    a, b = int(start / sim.dt), int(end / sim.dt)
    return float(sim.history.journey["errors"][a:b, 0].mean())


def test_the_collapse_outlives_the_lock_only_with_the_contention_law() -> None:
    sc = load(NAME)
    assert payment_errors(sc, [], 1800, 3000) > 0.5  # the lock ended at 23 min
    assert payment_errors(without_contention(), [], 1800, 3000) < 0.01


def test_scaling_the_app_fails_and_capping_the_pools_works() -> None:
    sc = load(NAME)
    scale = [{"action": "scale", "target": "wallet-api", "replicas": 24}]
    assert payment_errors(sc, scale, 2100, 3000) > 0.5
    reference = [step.model_dump() for step in sc.truth.mitigations]
    assert [r["action"] for r in reference] == ["resize-pool", "disable-retries"]
    assert payment_errors(sc, reference, 2100, 3000) < 0.01
