"""Traffic steering, resolvers and providers against independent references.

Each test names its reference: a closed form (sums and shares of rates, the M/M/c queueing law
written out by hand), a tick computed by hand (a resolver cache's expiry), or a documented
real behaviour.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from chaosgame.engine.mitigations import MitigationError
from chaosgame.engine.sim import Simulator
from chaosgame.engine.steering import LOOKUP_TIMEOUT
from chaosgame.scenario.actions import mitigation_adapter
from tests.engine.steering_fleet import STEER, steer_fleet

DRAIN_DELAY = 60.0


def act(sim: Simulator, action: str, target: str, **params: Any) -> None:
    sim.mitigate(
        mitigation_adapter().validate_python({"action": action, "target": target, **params})
    )


def served(sim: Simulator, name: str) -> float:
    return float(sim.served[:, sim.world.index[name]].sum())


def acted(action: str, target: str, until: float = 400.0, **params: Any) -> Simulator:
    """The fleet, ``action`` asked for at 300 s (acting at 360 s), run to ``until``."""
    sim = Simulator(steer_fleet(**params.pop("scenario", {})))
    sim.run_until(300.0)
    act(sim, action, target, **params)
    sim.run_until(until)
    return sim


def sakasegawa(service: float, rho: float, servers: float) -> float:
    """M/M/c time in system, written out: ``S + S rho^(sqrt(2(c+1))-1) / (c (1 - rho))``."""
    return service + service * rho ** (math.sqrt(2 * (servers + 1)) - 1) / (servers * (1 - rho))


def test_equal_weights_split_a_group_in_half() -> None:
    """Closed form: two members of weight 1 each carry half of the caller's calls."""
    sim = Simulator(steer_fleet())
    sim.run_until(200.0)
    front = served(sim, "front")
    assert served(sim, "web-a") == pytest.approx(front / 2, rel=1e-12)
    assert served(sim, "web-b") == pytest.approx(front / 2, rel=1e-12)
    assert served(sim, "standby") == 0.0  # weight 0: a standby carries nothing


def test_draining_a_region_sends_its_share_to_the_other_and_the_queueing_law_holds() -> None:
    """Closed form: after region a is drained, web-b serves the whole front (the sum of both
    members' shares) and web-a nothing; web-b's utilisation is that rate over its capacity
    and its latency is the M/M/c law written out by hand (Sakasegawa)."""
    sim = acted("drain", "a")
    front, b = served(sim, "front"), served(sim, "web-b")
    assert b == pytest.approx(front, rel=1e-12)
    assert served(sim, "web-a") == 0.0
    assert served(sim, "store-b") == pytest.approx(2.0 * front, rel=1e-12)  # its own calls
    i = sim.world.index["web-b"]
    rho = b / (4 * 50.0)
    assert float(sim.rho[i]) == pytest.approx(rho, rel=1e-12)
    assert 0.5 < rho < 0.7
    assert float(sim.own_lat[i]) == pytest.approx(sakasegawa(0.02, rho, 4), rel=1e-9)
    assert any("web-b" in e.message for e in sim.events if e.kind == "mitigation")


def test_a_drained_region_moves_load_onto_a_region_too_small_for_it() -> None:
    """Documented real behaviour (region evacuations): the surviving region saturates when it
    cannot carry both shares; users then see errors where they saw none."""
    small = {"patch": {"web-b": {"replicas": 2}}}
    before = Simulator(steer_fleet(**small))
    before.run_until(300.0)
    assert float(before.err[:, before.world.index["front"]].max()) < 1e-6
    sim = acted("drain", "a", until=600.0, scenario=small)
    i = sim.world.index["web-b"]
    assert served(sim, "web-b") <= 2 * 50.0 + 1e-9  # capacity bounds what it serves
    assert float(sim.arriving[i]) > 100.0
    assert float(sim.err[:, sim.world.index["front"]].max()) > 0.05


def test_weights_w_and_one_minus_w_split_the_load_exactly() -> None:
    """Closed form: shift-weights to=web-a weight=w sends w of the calls to web-a, 1-w to
    web-b."""
    sim = acted("shift-weights", "front", to="web-a", weight=0.3)
    front = served(sim, "front")
    assert served(sim, "web-a") == pytest.approx(0.3 * front, rel=1e-12)
    assert served(sim, "web-b") == pytest.approx(0.7 * front, rel=1e-12)


def test_a_repointed_call_loads_the_new_callee_and_not_the_old() -> None:
    """Closed form: after repoint, the standby serves web-a's calls (2 per request) and the
    old store none."""
    sim = acted("repoint", "web-a", to="store-a", onto="standby")
    assert served(sim, "store-a") == 0.0
    assert served(sim, "standby") == pytest.approx(2.0 * served(sim, "web-a"), rel=1e-12)


def test_set_fanout_changes_the_calls_per_request() -> None:
    """Closed form: the callee serves caller rate x the new calls per request."""
    sim = acted("set-fanout", "web-b", to="store-b", calls=0.5)
    assert served(sim, "store-b") == pytest.approx(0.5 * served(sim, "web-b"), rel=1e-12)


def test_calls_that_now_cross_regions_pay_the_latency_between_them() -> None:
    """Closed form: a front door in region a whose calls all go to web-b after the drain pays
    the 30 ms one-way latency on each: its latency is its own plus web-b's plus 30 ms (the
    timeout is far, so the truncated mean is the mean)."""
    pinned = {"patch": {"front": {"region": "a"}}}
    sim = acted("drain", "a", scenario=pinned)
    w = sim.world
    f, b = w.index["front"], w.index["web-b"]
    expected = float(sim.own_lat[f]) + float(sim.lat[0, b]) + 0.030
    assert float(sim.lat[0, f]) == pytest.approx(expected, rel=1e-6)


def test_failover_region_moves_the_load_instead_of_relabelling() -> None:
    """Closed form: a region failover drains the balanced members of the failed region onto
    the other's (web-b serves the whole front); components with no counterpart move as before."""
    sim = acted("failover-region", "a", until=700.0, to="b")
    w, st = sim.world, sim.state
    assert served(sim, "web-b") == pytest.approx(served(sim, "front"), rel=1e-12)
    assert served(sim, "web-a") == 0.0
    assert w.regions[int(st.region[w.index["web-a"]])] == "a"  # drained, not moved
    assert w.regions[int(st.region[w.index["store-a"]])] == "b"  # no counterpart: moved


def test_a_fleet_without_groups_fails_over_as_before() -> None:
    """Without balance groups, failover-region relabels the region's components (the old law):
    the calls are those of the world."""
    data = {**STEER, "dependencies": [d for d in STEER["dependencies"] if "balance" not in d]}
    data["dependencies"] = [*data["dependencies"], {"from": "front", "to": "web-a"}]
    sim = Simulator(steer_fleet(dependencies=data["dependencies"]))
    sim.run_until(300.0)
    act(sim, "failover-region", "a", to="b")
    sim.run_until(700.0)
    assert sim.calls is sim.world.calls
    assert sim.steering is None
    assert sim.world.regions[int(sim.state.region[sim.world.index["web-a"]])] == "b"


@pytest.mark.parametrize(
    ("action", "target", "params", "says"),
    [
        ("drain", "nowhere", {}, "neither a component nor a region"),
        ("drain", "store-b", {}, "no balance group sends calls to 'store-b'"),
        ("drain", "dns", {}, "no balance group"),
        ("shift-weights", "front", {"to": "store-a", "weight": 0.5}, "'front' does not call"),
        ("shift-weights", "web-b", {"to": "store-b", "weight": 0.5}, "in no balance group"),
        ("repoint", "web-a", {"to": "store-a", "onto": "store-b"}, "has no call to 'store-b'"),
        ("set-fanout", "web-a", {"to": "dns", "calls": 1.0}, "'web-a' does not call 'dns'"),
        ("contact-provider", "web-a", {}, "it takes external, dns"),
    ],
)
def test_steering_targets_are_checked_with_a_sentence(
    action: str, target: str, params: dict[str, Any], says: str
) -> None:
    sim = Simulator(steer_fleet())
    with pytest.raises(MitigationError, match=says):
        act(sim, action, target, **params)


def test_a_region_whose_groups_stay_inside_it_cannot_be_drained() -> None:
    data = [d for d in STEER["dependencies"] if d["to"] != "web-b"]
    sim = Simulator(steer_fleet(dependencies=data))
    with pytest.raises(MitigationError, match="nothing could take its share"):
        act(sim, "drain", "a")


# ------------------------------------------------------------- resolvers


RESOLVING = {
    "patch": {
        "web-a": {"resolver": "dns", "dns_ttl": 60.0},
        "web-b": {"resolver": "dns", "dns_ttl": 60.0},
    }
}
OUTAGE = {"kind": "dependency-outage", "target": "dns", "at": 300.0, "error_rate": 1.0}


def call_failure(sim: Simulator, src: str, dst: str) -> float:
    e = sim.world.edge_index[(src, dst)]
    return float(sim.fin[0, e])


def test_a_dns_outage_bites_as_cached_entries_expire() -> None:
    """A tick computed by hand: with a 60 s TTL at 10 s ticks, one sixth of the cached names
    expire each tick. The resolver fails from the tick at 300 s; the caches see it from the
    next tick (they read the resolver's last tick), so ``n`` ticks after that, ``n / 6`` of
    the calls cannot resolve their callee and fail, until all do."""
    sim = Simulator(steer_fleet(faults=[OUTAGE], **RESOLVING))
    sim.run_until(300.0)
    assert call_failure(sim, "web-b", "store-b") < 1e-9
    seen = []
    for _ in range(8):
        sim.step()
        seen.append(call_failure(sim, "web-b", "store-b"))
    expected = [0.0, 1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6, 1.0, 1.0]
    assert seen == pytest.approx(expected, abs=1e-9)


def test_a_resolver_restart_shorter_than_the_ttl_is_mostly_hidden_by_the_cache() -> None:
    """A tick computed by hand: a restart takes the resolver's replicas out for its 30 s
    restart time (3 ticks); the caches miss 1/6 more per tick while it is out and recover as
    soon as it answers again, so at most 3/6 of the calls fail and then none."""
    sim = Simulator(steer_fleet(**RESOLVING))
    sim.run_until(300.0)
    act(sim, "restart", "dns")
    seen = []
    for _ in range(14):
        sim.step()
        seen.append(call_failure(sim, "web-a", "store-a"))
    assert max(seen) == pytest.approx(3 / 6, abs=1e-9)
    assert seen[-1] < 1e-9


def test_a_slow_resolver_adds_its_time_to_the_calls_that_look_up() -> None:
    """Closed form: each tick one sixth of the names expire and are looked up; those calls pay
    the resolver's latency (below the lookup timeout, so none fails)."""
    slow = {**OUTAGE, "error_rate": 0.0, "added_latency": 1.0}
    sim = Simulator(steer_fleet(faults=[slow], **RESOLVING))
    sim.run_until(400.0)
    w = sim.world
    dns = w.index["dns"]
    lookup = min(float(sim.lat[0, dns]), LOOKUP_TIMEOUT)
    assert lookup > 1.0
    e = w.edge_index[("web-b", "store-b")]
    assert float(sim.mods.edge_lat[e]) == pytest.approx(lookup / 6, rel=1e-9)
    assert call_failure(sim, "web-b", "store-b") < 1e-6


def test_a_resolver_nobody_names_changes_nothing() -> None:
    sim = Simulator(steer_fleet(faults=[OUTAGE]))
    sim.run_until(600.0)
    assert sim.steering is None
    assert call_failure(sim, "web-b", "store-b") < 1e-9


# ------------------------------------------------------------- providers


def test_contacting_the_provider_cures_its_fault_after_the_scenario_s_time() -> None:
    """Documented real behaviour: a third party fixes its side in its own time. The scenario
    says 10 minutes (``recovery:``); the fault on the provider ends then, not before."""
    fault = {"kind": "third-party-slow", "target": "provider", "at": 100.0, "added_latency": 3}
    rules = {"actions": [{"action": "contact-provider", "takes": "10m"}]}
    sim = Simulator(steer_fleet(faults=[fault], recovery=rules))
    sim.run_until(300.0)
    act(sim, "contact-provider", "provider")
    p = sim.world.index["provider"]
    sim.run_until(890.0)
    assert float(sim.lat[0, p]) > 3.0
    sim.run_until(910.0)
    assert float(sim.lat[0, p]) < 0.1


def test_dns_and_external_components_can_be_restarted_scaled_and_given_memory() -> None:
    sim = Simulator(steer_fleet())
    sim.run_until(100.0)
    act(sim, "scale", "provider", replicas=3)
    act(sim, "raise-limit", "dns", resource="memory")
    act(sim, "restart", "provider")
    sim.run_until(400.0)
    w = sim.world
    assert float(sim.state.desired[w.index["provider"]]) == 3.0
    assert float(sim.state.mem_limit[w.index["dns"]]) == 2 * 512.0
    assert any(e.kind == "restart" and e.component == "provider" for e in sim.events)


def test_balance_groups_are_validated_with_their_place() -> None:
    from pydantic import ValidationError

    bad = [
        {"from": "front", "to": "web-a", "weight": 0.5},
        {"from": "front", "to": "web-b", "balance": "web", "weight": 0.0},
    ]
    with pytest.raises(ValidationError) as err:
        steer_fleet(dependencies=bad)
    text = str(err.value)
    assert "dependencies[0].weight: a weight needs `balance:`" in text
    assert "balance group 'web' of 'front' has no member with a weight above 0" in text
    with pytest.raises(ValidationError, match="'store-a' is a database; a resolver is a dns"):
        steer_fleet(patch={"web-a": {"resolver": "store-a"}})


def test_history_matches_the_world_when_nothing_steers() -> None:
    sim = Simulator(steer_fleet())
    assert np.array_equal(sim.calls, sim.world.calls)


def test_traces_follow_the_calls_in_force() -> None:
    """Honest evidence: before the drain, traces reach both web tiers; after it, none reach
    the drained one."""
    from chaosgame.telemetry.traces import build

    sim = acted("drain", "a", until=600.0)

    def services(tick: int) -> set[str]:
        seen: set[str] = set()
        for n in range(40):
            tr = build(sim, 0, tick, 0, n)
            assert tr is not None
            seen |= {s["service"] for s in tr["spans"]}
        return seen

    assert {"web-a", "web-b"} <= services(20)
    after = services(50)
    assert "web-b" in after
    assert "web-a" not in after


def test_a_standby_web_tier_writes_access_logs_once_weights_send_it_the_journey() -> None:
    """Honest evidence: a member that starts as a standby (weight 0) writes no access lines
    while it carries nothing, and writes them for the journey once `shift-weights` sends it
    traffic, in proportion to what it serves (as its callers' traces already show)."""
    from chaosgame.telemetry.logs import categories, counts

    deps = [dict(d) for d in STEER["dependencies"]]
    deps[1]["weight"] = 0.0  # web-b is the standby of the web group
    sim = acted(
        "shift-weights",
        "front",
        until=900.0,
        to="web-b",
        weight=0.5,
        scenario={"dependencies": deps},
    )
    b = sim.world.index["web-b"]
    ok = [c for c in categories(sim, b) if c.key.startswith("ok/")]
    assert ok, "web-b has no access-log category for the journey"
    lines = counts(sim, ok, 0, sim.history.ticks, sim.now).sum(0)
    assert lines[:30].sum() == 0  # a standby serves nothing and logs nothing
    assert lines[40:].sum() > 0  # after the shift (acting at 360 s) it logs what it serves
