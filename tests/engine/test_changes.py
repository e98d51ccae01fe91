"""Deploys, flags, tenants and latent faults: conditions decide how much of a fault is live."""

from __future__ import annotations

import numpy as np
import pytest

from chaosgame.engine.sim import Simulator
from tests.conftest import make_scenario


def journey_errors(sim: Simulator, at: float) -> np.ndarray:
    return sim.history.journey["errors"][int(at / sim.dt)]


def test_canary_weight_scales_a_bad_version() -> None:
    deploys = [
        {"at": 600.0, "component": "api", "version": "v2", "strategy": "canary", "weight": 0.1}
    ]
    faults = [{"kind": "bad-deploy", "target": "api", "version": "v2", "error_rate": 0.5}]
    sim = Simulator(make_scenario(deploys=deploys, faults=faults))
    sim.run_until(1200.0)
    assert journey_errors(sim, 500.0).max() == 0.0
    assert journey_errors(sim, 1000.0).max() == pytest.approx(0.05, rel=0.02)


def test_rolling_deploy_ramps_in_and_rollback_removes_it() -> None:
    from chaosgame.scenario.actions import Rollback

    deploys = [
        {"at": -86400.0, "component": "api", "version": "v1"},
        {"at": 600.0, "component": "api", "version": "v2", "duration": 300.0},
    ]
    faults = [{"kind": "bad-deploy", "target": "api", "version": "v2", "error_rate": 0.4}]
    sim = Simulator(make_scenario(deploys=deploys, faults=faults))
    sim.run_until(750.0)
    assert 0.1 < journey_errors(sim, 740.0).max() < 0.3  # about half the pods on v2
    sim.run_until(1000.0)
    assert journey_errors(sim, 990.0).max() == pytest.approx(0.4, rel=0.02)
    sim.mitigate(Rollback(action="rollback", target="api"))
    sim.run_until(1500.0)
    assert journey_errors(sim, 1490.0).max() == 0.0
    assert any("v2 -> v1" in e.message for e in sim.events)


def test_flag_percentage_gates_an_expensive_path() -> None:
    comps = make_scenario().model_dump(by_alias=True)["components"]
    flags = [
        {
            "name": "new-path",
            "components": ["api"],
            "changes": [{"at": 600.0, "on": True, "percentage": 50.0}],
        }
    ]
    faults = [{"kind": "expensive-flag", "target": "api", "flag": "new-path", "cpu_factor": 10.0}]
    sim = Simulator(make_scenario(components=comps, flags=flags, faults=faults))
    sim.run_until(1200.0)
    api = sim.world.index["api"]
    throttle = sim.history.comp["throttle"][: sim.history.ticks, api]
    assert throttle[50] == 1.0
    assert throttle[110] > 1.0  # CPU demand above the limit stretches service time
    assert sim.history.comp["latency"][110, api] > sim.history.comp["latency"][50, api]


def test_latent_fault_waits_for_its_trigger() -> None:
    # v2 shipped days ago with a broken code path that only a config value turns on
    comps = make_scenario().model_dump(by_alias=True)["components"]
    comps[1]["version"] = "v2"
    configs = [
        {
            "at": 900.0,
            "component": "api",
            "key": "checkout.mode",
            "value": "fast",
            "previous": "safe",
        }
    ]
    faults = [
        {
            "kind": "bad-deploy",
            "target": "api",
            "version": "v2",
            "error_rate": 0.3,
            "when": {"config": {"checkout.mode": "fast"}},
        }
    ]
    sim = Simulator(make_scenario(components=comps, configs=configs, faults=faults))
    sim.run_until(1500.0)
    assert journey_errors(sim, 800.0).max() == 0.0
    assert journey_errors(sim, 1400.0).max() == pytest.approx(0.3, rel=0.02)


def test_harm_on_one_tenant_hides_in_the_fleet_average() -> None:
    tenants = [{"name": "big", "share": 0.05}, {"name": "rest", "share": 0.95}]
    faults = [
        {
            "kind": "dependency-outage",
            "target": "db",
            "at": 300.0,
            "error_rate": 0.8,
            "tenants": ["big"],
        }
    ]
    sim = Simulator(make_scenario(tenants=tenants, faults=faults))
    sim.run_until(900.0)
    from chaosgame.engine.slo import series

    slo = sim.scenario.slos[0]
    t = sim.history.ticks
    assert series(sim, slo, "big").good_ratio(t - 30, t) < 0.3
    assert series(sim, slo, "rest").good_ratio(t - 30, t) == 1.0
    assert series(sim, slo).good_ratio(t - 30, t) > 0.95  # the average looks fine


def test_disk_fills_and_writes_fail() -> None:
    comps = make_scenario().model_dump(by_alias=True)["components"]
    comps[2].update(
        {"disk_gb": 1.0, "disk_used_gb": 0.999, "write_fraction": 0.2, "bytes_per_write": 10000.0}
    )
    sim = Simulator(make_scenario(components=comps))
    sim.run_until(900.0)
    db = sim.world.index["db"]
    h = sim.history
    assert h.comp["disk"][h.ticks - 1, db] >= 1.0
    assert h.comp["errors"][h.ticks - 1, db] == pytest.approx(0.2, rel=0.01)


def test_scaling_a_caller_adds_connections_to_what_it_calls() -> None:
    from chaosgame.scenario.actions import Scale

    deps = [{"from": "gw", "to": "api", "timeout": 30.0}, {"from": "api", "to": "db", "pool": 5}]
    slow = [{"kind": "latency-regression", "target": "db", "at": 0.0, "factor": 30.0}]
    sim = Simulator(make_scenario(dependencies=deps, faults=slow))
    sim.run_until(600.0)
    db = sim.world.index["db"]
    before = sim.history.comp["connections"][sim.history.ticks - 1, db]
    sim.mitigate(Scale(action="scale", target="api", replicas=6))
    sim.run_until(1200.0)
    after = sim.history.comp["connections"][sim.history.ticks - 1, db]
    assert after > 2 * before
