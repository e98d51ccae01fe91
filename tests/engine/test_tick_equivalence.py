"""The engine's fast tick computes, bit for bit, what the plain passes of ``plain_tick`` do.

Both run the same scenarios side by side; every float64 output of every tick must be equal.
The runs between them use eight or more traffic classes (numpy sums those pairwise, so the
memory layout of a sum over classes matters), queues, pools that saturate, a breaker that
trips, refused calls, a WAF rule, a fallback and a held-open breaker, stale replicas and a
quota that refuses requests.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from chaosgame.engine import sim as sim_module
from chaosgame.engine.sim import Simulator
from chaosgame.generate.topology import fleet as generated
from chaosgame.scenario.actions import mitigation_adapter
from chaosgame.scenario.library import load
from chaosgame.scenario.model import Scenario
from tests.engine import plain_tick
from tests.engine.fleet import FLEET, fleet

OUTPUTS = [
    "rates",
    "offered",
    "served",
    "arriving",
    "cap",
    "throttle",
    "drain",
    "cpu",
    "own_lat",
    "p_true",
    "fin",
    "pool_fail",
    "rho",
    "err",
    "lat",
    "floor",
    "wrong",
    "lost",
    "edge_rate",
]

Plan = list[tuple[float, dict[str, Any]]]


def busy_fleet() -> tuple[Scenario, Plan]:
    """The catalogue fleet with 12 classes, a breaker to the third party that trips, config
    that refuses calls, a WAF rule, a traffic spike that fills the database pool, and later
    a held-open breaker, a fallback, a rate limit and a third party's quota."""
    deps = copy.deepcopy(FLEET["dependencies"])
    for d in deps:
        if d["to"] == "ext":
            d["breaker"] = {"error_threshold": 0.3, "window": 20.0, "cooldown": 60.0}
    configs = [
        ("gw", "waf_block:login", "0.3", 100.0),
        ("api", "allow:db", "false", 120.0),
        ("api", "grant:cache", "false", 150.0),
        ("api", "allow:db", "true", 240.0),
    ]
    sc = fleet(
        tenants=[{"name": f"t{i}", "share": s} for i, s in enumerate((0.4, 0.3, 0.2, 0.1))],
        dependencies=deps,
        faults=[
            {"kind": "dependency-outage", "target": "ext", "at": 60.0, "error_rate": 0.9},
            {
                "kind": "traffic-spike",
                "target": "api",
                "journey": "shop",
                "at": 200.0,
                "factor": 4.0,
            },
            {"kind": "third-party-rate-limit", "target": "ext", "at": 400.0, "quota_rps": 5.0},
        ],  # fmt: skip
        configs=[{"component": c, "key": k, "value": v, "at": at} for c, k, v, at in configs],
    )
    plan: Plan = [
        (300.0, {"action": "open-breaker", "target": "api", "to": "dns"}),
        (360.0, {"action": "switch-fallback", "target": "api", "to": "replica"}),
        (360.0, {"action": "rate-limit", "target": "gw", "journey": "report"}),
    ]
    return sc, plan


def run(sc: Scenario, plan: Plan, until: float, seen: Callable[[Simulator], None]) -> Simulator:
    sim = Simulator(sc, seed=11)
    sim.observers.append(seen)
    adapter = mitigation_adapter()
    for at, spec in plan:
        sim.run_until(at)
        sim.mitigate(adapter.validate_python(spec))
    sim.run_until(until)
    return sim


CASES: dict[str, Callable[[], tuple[Scenario, Plan, float]]] = {
    "busy-fleet": lambda: (*busy_fleet(), 700.0),
    "seats-sold-twice": lambda: (load("seats-sold-twice"), [], 900.0),
    "rides-fail-at-morning-peak": lambda: (load("rides-fail-at-morning-peak"), [], 900.0),
    "payments-stay-down-after-blip": lambda: (load("payments-stay-down-after-blip"), [], 1800.0),
    "generated-60": lambda: (generated(60, seed=4, tiers=6), [], 600.0),
    "login-fix-does-not-hold": lambda: (load("login-fix-does-not-hold"), [], 1800.0),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_fast_tick_equals_plain_tick(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    sc, plan, until = CASES[case]()
    ticks: dict[str, list[list[bytes]]] = {"fast": [], "plain": []}

    def recorder(kind: str) -> Callable[[Simulator], None]:
        def seen(sim: Simulator) -> None:
            ticks[kind].append([np.asarray(getattr(sim, o)).tobytes() for o in OUTPUTS])

        return seen

    fast = run(sc, plan, until, recorder("fast"))
    with monkeypatch.context() as patch:
        patch.setattr(sim_module, "flow", plain_tick.flow)
        plain = run(sc, plan, until, recorder("plain"))
    assert len(ticks["fast"]) == len(ticks["plain"]) > 0
    for t, (a, b) in enumerate(zip(ticks["fast"], ticks["plain"], strict=True)):
        differ = [o for o, x, y in zip(OUTPUTS, a, b, strict=True) if x != y]
        assert not differ, f"tick {t}: the fast tick differs from the plain one in {differ}"
    assert fast.history.digest() == plain.history.digest()
    assert [e.as_dict() for e in fast.events] == [e.as_dict() for e in plain.events]


def test_the_busy_fleet_reaches_every_branch() -> None:
    """Guard the guard: the busy fleet really exercises what the fast tick special-cases."""
    sc, plan = busy_fleet()
    hit: dict[str, bool] = {}

    def seen(sim: Simulator) -> None:
        st, m = sim.state, sim.mods
        hit["classes"] = sim.world.k >= 8
        for name, now in (
            ("breaker", bool((st.breaker == 1).any())),
            ("denied", bool((st.deny_slow | st.deny_fast).any())),
            ("blocked", sim._blocked is not None),
            ("pool", bool((sim.pool_fail > 0).any())),
            ("held-open", bool((m.edge_open > 0).any())),
            ("fallback", bool((m.edge_off > 0).any())),
            ("quality", bool(sim.wrong.any())),
            ("queue", bool((sim.drain > 0).any())),
            ("quota", bool(sim.refusals.ticks)),
        ):
            hit[name] = hit.get(name, False) or now

    run(sc, plan, 700.0, seen)
    assert hit == dict.fromkeys(hit, True), hit
