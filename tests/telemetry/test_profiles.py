"""CPU profiles: frames from the simulation's CPU per endpoint and the faults' CPU factors,
sampled deterministically, gaps respected, and a query that costs time."""

from __future__ import annotations

from typing import Any

import pytest

from chaosgame.engine.sim import Simulator
from chaosgame.game.player import PlayerView
from chaosgame.scenario.model import Scenario
from chaosgame.telemetry import profiles
from chaosgame.telemetry.errors import QueryError
from chaosgame.telemetry.query import run
from tests.conftest import make_scenario

FRAME = "regex rule 'waf-xss-42'"


def _scenario(
    factor: float = 3.0, fault: dict[str, Any] | None = None, **telemetry: Any
) -> Scenario:
    api: dict[str, Any] = {
        "name": "api",
        "kind": "service",
        "replicas": 4,
        "capacity": 50.0,
        "cpu_limit": 4.0,
        "service_time": 0.02,
    }
    if telemetry:
        api["telemetry"] = telemetry
    return make_scenario(
        components=[
            {"name": "gw", "kind": "gateway", "replicas": 2, "capacity": 500.0},
            api,
        ],
        dependencies=[{"from": "gw", "to": "api", "timeout": 30.0}],
        journeys=[
            {"name": "shop", "entry": "api", "via": "gw", "rate": 30.0},
            {"name": "browse", "entry": "api", "via": "gw", "rate": 10.0},
        ],
        flags=[{"name": "deep-scan", "components": ["api"], "on": True}],
        faults=[
            {
                "kind": "expensive-flag",
                "target": "api",
                "flag": "deep-scan",
                "at": 600.0,
                "cpu_factor": factor,
                "frame": FRAME,
                **(fault or {}),
            }
        ],
        truth={"root_cause": {"component": "api", "kind": "expensive-flag"}},
    )


def _shares(result: dict[str, Any]) -> dict[str, float]:
    total = sum(f["samples"] for f in result["frames"])
    return {f["frame"]: f["samples"] / total for f in result["frames"]}


def test_frames_match_the_hand_computed_cpu_shares() -> None:
    sim = Simulator(_scenario(3.0))
    sim.run_until(1800.0)
    result, _ = run(sim, "profile api --since=10m")
    got = _shares(result)
    # a CPU factor of 3 means two thirds of the CPU is the fault's frame; the rest is serving,
    # 6 % of it in the runtime and the remainder split 3:1 by the journeys' request rates
    base = 1.0 / 3.0
    want = {
        FRAME: 2.0 / 3.0,
        profiles.RUNTIME: base * profiles.RUNTIME_SHARE,
        "handle /api/shop": base * (1 - profiles.RUNTIME_SHARE) * 0.75,
        "handle /api/browse": base * (1 - profiles.RUNTIME_SHARE) * 0.25,
    }
    assert set(got) == set(want)
    for name, share in want.items():
        assert got[name] == pytest.approx(share, abs=0.02), name
    stacks = {f["frame"]: f["stack"] for f in result["frames"]}
    assert stacks[FRAME] == f"api (main);serve;middleware;{FRAME}"


def test_before_the_fault_there_is_no_fault_frame() -> None:
    sim = Simulator(_scenario(3.0))
    sim.run_until(600.0)
    result, _ = run(sim, "profile api --since=5m")
    assert FRAME not in _shares(result)


def test_profiles_are_deterministic_per_seed_and_cost_time() -> None:
    def once(seed: int) -> tuple[dict[str, Any], float]:
        sim = Simulator(_scenario(), seed)
        sim.run_until(1500.0)
        return run(sim, "profile api")

    (a, cost), (b, _) = once(3), once(3)
    assert a == b
    assert cost == 60.0
    c, _ = once(4)
    assert [f["samples"] for f in c["frames"]] != [f["samples"] for f in a["frames"]]


def test_an_unnamed_fault_frame_is_an_address_never_the_kind() -> None:
    sc = _scenario()
    fault = sc.faults[0].model_copy(update={"frame": None})
    sim = Simulator(sc.model_copy(update={"faults": [fault]}))
    sim.run_until(1500.0)
    result, _ = run(sim, "profile api")
    top = result["frames"][0]["frame"]
    assert top.startswith("0x")
    assert "(no symbols)" in top
    assert "expensive" not in str(result)
    assert "flag" not in top


def test_no_profiler_no_profile() -> None:
    sim = Simulator(_scenario(profiles=False))
    sim.run_until(1500.0)
    result, cost = run(sim, "profile api")
    assert result["frames"] == []
    assert cost == 60.0
    assert any("no profiler" in n for n in result["notes"])


def test_bad_profile_queries_say_what_is_wrong() -> None:
    sim = Simulator(_scenario())
    sim.run_until(700.0)
    with pytest.raises(QueryError, match="did you mean 'api'"):
        run(sim, "profile apj")
    with pytest.raises(QueryError, match="usage: profile COMPONENT"):
        run(sim, "profile")


def test_the_player_view_charges_the_profile_query() -> None:
    view = PlayerView(_scenario(), seed=1)
    view.start()
    out = view.act({"type": "query", "q": "profile api"})
    assert out["ok"], out
    assert out["result"]["kind"] == "profile"
    assert out["cost_s"] == pytest.approx(60.0)


def test_a_composed_cpu_effect_shows_as_its_frame_on_each_component_it_hits() -> None:
    effects = [
        {"mechanism": "cpu", "amount": 3.0},
        {"mechanism": "cpu", "amount": 2.0, "target": "gw"},
    ]
    sim = Simulator(_scenario(fault={"effects": effects}))
    sim.run_until(1800.0)
    api = _shares(run(sim, "profile api --since=10m")[0])
    gw = _shares(run(sim, "profile gw --since=10m")[0])
    assert api[FRAME] == pytest.approx(2.0 / 3.0, abs=0.02)
    assert gw[FRAME] == pytest.approx(1.0 / 2.0, abs=0.02)
