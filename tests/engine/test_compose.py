"""Composed faults (``chaosgame.engine.compose``): what each mechanism writes, how each
condition gates, and remedies, aggravators and lasting damage, by hand-computed ticks.

The shared fleet ticks every 10 s; a fault ``at: 60`` with intensity 1 and a step onset acts
at full strength (``x = 1``) from the tick at t = 60 on, so after ``run_until(t)`` the last
tick's modifiers (``sim.mods``, the tick at ``t - 10``) carry exactly the amounts written.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from chaosgame.engine.sim import Simulator
from chaosgame.scenario.actions import mitigation_adapter
from chaosgame.scenario.compose import in_range, version_key
from tests.engine.fleet import FLEET, fleet


def _sim(*faults: dict[str, Any], **over: Any) -> Simulator:
    return Simulator(fleet(faults=list(faults), **over))


def _fault(kind: str = "dependency-outage", target: str = "api", **kw: Any) -> dict[str, Any]:
    return {"kind": kind, "target": target, "at": 60.0, **kw}


def _fx(mechanism: str, amount: float, **kw: Any) -> dict[str, Any]:
    return {"mechanism": mechanism, "amount": amount, **kw}


def _act(sim: Simulator, action: str, target: str, **params: Any) -> float:
    spec = mitigation_adapter().validate_python({"action": action, "target": target, **params})
    return sim.mitigate(spec)


def _i(sim: Simulator, name: str) -> int:
    return sim.world.index[name]


def _e(sim: Simulator, src: str, dst: str) -> int:
    return sim.world.edge_index[(src, dst)]


def _classes(sim: Simulator, journey: str) -> Any:
    return sim.world.class_journey == sim.world.journeys.index(journey)


# ---------------------------------------------------------------- each mechanism


def test_errors_fail_that_share_of_every_class() -> None:
    sim = _sim(_fault(effects=[_fx("errors", 0.4)]))
    sim.run_until(50.0)
    assert sim.mods.err[:, _i(sim, "api")].max() == 0.0  # before the fault
    sim.run_until(100.0)
    assert sim.mods.err[:, _i(sim, "api")] == pytest.approx(0.4)


def test_errors_scoped_to_a_journey_hit_only_its_classes() -> None:
    sim = _sim(_fault(effects=[_fx("errors", 0.4, journeys=["login"])]))
    sim.run_until(100.0)
    err = sim.mods.err[:, _i(sim, "api")]
    login = _classes(sim, "login")
    assert err[login] == pytest.approx(0.4)
    assert (err[~login] == 0.0).all()


def test_errors_and_latency_on_the_calls_to_one_dependency() -> None:
    sim = _sim(_fault(effects=[_fx("errors", 0.5, to="ext"), _fx("latency", 0.3, to="db")]))
    sim.run_until(100.0)
    assert sim.mods.edge_fail[_e(sim, "api", "ext")] == pytest.approx(0.5)
    assert sim.mods.edge_lat[_e(sim, "api", "db")] == pytest.approx(0.3)
    assert sim.mods.err[:, _i(sim, "api")].max() == 0.0  # the component itself is fine


@pytest.mark.parametrize(
    ("mechanism", "amount", "field", "expected"),
    [
        ("latency", 0.25, "lat_add", 0.25),
        ("service-time", 3.0, "svc_factor", 3.0),
        ("cpu", 2.5, "cpu_factor", 2.5),
        ("memory", 4.0, "leak", 0.004),  # MB per 1,000 requests -> MB per request
        ("crash-loop", 0.25, "crash", 0.25),
        ("down", 0.5, "unready", 0.5),
    ],
)
def test_component_mechanisms_write_their_modifier(
    mechanism: str, amount: float, field: str, expected: float
) -> None:
    sim = _sim(_fault(effects=[_fx(mechanism, amount)]))
    sim.run_until(100.0)
    assert getattr(sim.mods, field)[_i(sim, "api")] == pytest.approx(expected)


def test_wrong_answers_feed_the_correctness_modifier() -> None:
    sim = _sim(_fault(effects=[_fx("wrong", 0.1)]))
    sim.run_until(100.0)
    assert sim.mods.wrong[:, _i(sim, "api")] == pytest.approx(0.1)


def test_cpu_scoped_to_a_journey_is_weighted_by_its_share_of_traffic() -> None:
    # CPU per request rises by (3 - 1) x login's share of the requests api served
    sim = _sim(_fault(effects=[_fx("cpu", 3.0, journeys=["login"])]))
    sim.run_until(100.0)
    served = sim.served[:, _i(sim, "api")].copy()  # what the next tick weights by
    sim.run_until(110.0)
    share = float(served[_classes(sim, "login")].sum() / served.sum())
    assert 0.1 < share < 0.3
    assert sim.mods.cpu_factor[_i(sim, "api")] == pytest.approx(1 + 2 * share)


def test_memory_per_second_grows_resident_memory_without_traffic() -> None:
    base, sim = _sim(), _sim(_fault(effects=[_fx("memory", 1.5, per="second")]))
    base.run_until(120.0)
    sim.run_until(120.0)
    i = _i(sim, "api")
    # six ticks (60 ... 110) of 10 s at 1.5 MB/s
    assert sim.state.mem[i] - base.state.mem[i] == pytest.approx(6 * 15.0)


def test_connections_hold_a_share_of_the_pool() -> None:
    sim = _sim(_fault(effects=[_fx("connections", 0.6)]))
    sim.run_until(100.0)
    # api has one pooled call (to db, 10 per replica): 40 % of it stays usable
    assert sim.mods.pool_factor[_e(sim, "api", "db")] == pytest.approx(0.4)
    assert sim.mods.pool_factor[_e(sim, "api", "ext")] == 1.0


def test_crash_loop_crashes_replicas_with_back_off() -> None:
    sim = _sim(_fault(effects=[_fx("crash-loop", 0.34)]))
    sim.run_until(200.0)
    i = _i(sim, "api")
    assert sim.state.crashes[i] >= 2
    assert any(e.kind == "crash" and e.component == "api" for e in sim.events)


def test_stuck_requests_fail_wait_for_the_timeout_and_hold_workers() -> None:
    sim = _sim(_fault(effects=[_fx("stuck", 0.2)]))
    sim.run_until(100.0)
    i = _i(sim, "api")
    wait = float(sim._max_wait_for(sim.state.timeout)[i])  # the callers' shortest timeout
    assert sim.mods.err[:, i] == pytest.approx(0.2)
    assert sim.mods.lat_add[i] == pytest.approx(0.2 * wait)
    # a worker held for `wait` per stuck request: capacity / (1 + 0.2 x wait / 20 ms)
    assert sim.mods.cap_factor[i] == pytest.approx(1 / (1 + 0.2 * wait / 0.02))


def test_cold_holds_a_cache_s_hit_ratio_down() -> None:
    sim = _sim(_fault("dependency-outage", "cache", effects=[_fx("cold", 0.8)], until=200.0))
    sim.run_until(190.0)
    i = _i(sim, "cache")
    assert sim.state.hit[i] <= 0.2 + 0.05  # refilled by at most one tick's reads
    sim.run_until(900.0)
    assert sim.state.hit[i] > 0.5  # released, it refills


def test_effects_replace_the_kind_s_own_effect() -> None:
    deploys = [*FLEET["deploys"], {"at": 60.0, "component": "api", "version": "v2"}]
    plain = _sim(_fault("bad-deploy", version="v2", error_rate=0.5), deploys=deploys)
    composed = _sim(
        _fault("bad-deploy", version="v2", error_rate=0.5, effects=[_fx("latency", 0.1)]),
        deploys=deploys,
    )
    plain.run_until(500.0)
    composed.run_until(500.0)
    i = _i(plain, "api")
    assert plain.mods.err[:, i] == pytest.approx(0.5)
    assert composed.mods.err[:, i].max() == 0.0
    assert composed.mods.lat_add[i] == pytest.approx(0.1)  # still bound to v2, now all pods


# ---------------------------------------------------------------- conditions


def test_version_ordering() -> None:
    assert version_key("v2.10") > version_key("v2.9")  # type: ignore[operator]
    assert version_key("v2.4") == version_key("v2.4.0")
    assert version_key("v2.4.0-rc1") < version_key("v2.4.0")  # type: ignore[operator]
    assert version_key("sha256:abc") is None
    assert in_range("v2.4.1", ">=v2.4")
    assert in_range("v3.0.0", ">=v2.4")
    assert not in_range("v2.3.9", ">=v2.4")
    assert not in_range("v3.0", ">=v2.4,<v3")
    assert in_range("v2.4", "v2.4")
    assert not in_range("v2.4.0", "v2.4")  # an exact version stays exact


def _deployed(version: str, **deploy: Any) -> list[dict[str, Any]]:
    step = {"at": 60.0, "component": "api", "version": version, "duration": 60.0, **deploy}
    return [*FLEET["deploys"], step]


def test_a_version_range_gates_on_this_release_and_later() -> None:
    later = _sim(
        _fault(effects=[_fx("errors", 0.5)], when={"version": ">=v2.4"}),
        deploys=_deployed("v2.5.1"),
    )
    older = _sim(
        _fault(effects=[_fx("errors", 0.5)], when={"version": ">=v2.4"}),
        deploys=_deployed("v2.3.0"),
    )
    later.run_until(300.0)
    older.run_until(300.0)
    i = _i(later, "api")
    assert later.mods.err[:, i] == pytest.approx(0.5)
    assert older.mods.err[:, i].max() == 0.0


def test_a_version_range_follows_a_canary_s_share() -> None:
    sim = _sim(
        _fault(effects=[_fx("errors", 0.5)], when={"version": ">=v2"}),
        deploys=_deployed("v2.0.1", strategy="canary", weight=0.25),
    )
    sim.run_until(300.0)
    assert sim.mods.err[:, _i(sim, "api")] == pytest.approx(0.5 * 0.25)


def test_a_config_change_on_another_component_triggers_the_fault() -> None:
    # a selector change on the cache (component A) breaks api (component B)
    configs = [{"at": 150.0, "component": "cache", "key": "selector", "value": "app=api,tier=web"}]
    when = {"components": [{"component": "cache", "config": {"selector": "app=api,tier=web"}}]}
    sim = _sim(_fault(effects=[_fx("errors", 0.3)], when=when), configs=configs)
    sim.run_until(150.0)
    assert sim.mods.err[:, _i(sim, "api")].max() == 0.0
    sim.run_until(170.0)
    assert sim.mods.err[:, _i(sim, "api")] == pytest.approx(0.3)


def test_a_missing_key_holds_until_it_is_set() -> None:
    configs = [{"at": 150.0, "component": "db", "key": "label:tier", "value": "core"}]
    when = {"components": [{"component": "db", "missing": ["label:tier"]}]}
    sim = _sim(_fault(effects=[_fx("errors", 0.3)], when=when), configs=configs)
    sim.run_until(150.0)
    assert sim.mods.err[:, _i(sim, "api")] == pytest.approx(0.3)
    sim.run_until(170.0)
    assert sim.mods.err[:, _i(sim, "api")].max() == 0.0


def test_a_tag_counts_as_present() -> None:
    when = {"components": [{"component": "db", "missing": ["tier"]}]}
    sim = _sim(
        _fault(effects=[_fx("errors", 0.3)], when=when), patch={"db": {"tags": {"tier": "core"}}}
    )
    sim.run_until(150.0)
    assert sim.mods.err[:, _i(sim, "api")].max() == 0.0


def test_another_component_s_active_fault_triggers_this_one() -> None:
    first = {"kind": "dependency-outage", "target": "db", "at": 200.0, "until": 400.0}
    when = {"components": [{"component": "db", "fault": "dependency-outage"}]}
    sim = _sim(first, _fault("stale-dns", "ext", effects=[_fx("errors", 0.2)], when=when))
    i = _i(sim, "ext")
    sim.run_until(190.0)
    assert sim.mods.err[:, i].max() == 0.0
    sim.run_until(300.0)
    assert sim.mods.err[:, i] == pytest.approx(0.2)
    sim.run_until(420.0)
    assert sim.mods.err[:, i].max() == 0.0


def test_load_conditions_read_last_tick() -> None:
    high = _sim(
        _fault(effects=[_fx("errors", 0.2)], when={"load": {"metric": "rps", "above": 500}})
    )
    low = _sim(_fault(effects=[_fx("errors", 0.2)], when={"load": {"metric": "rps", "above": 20}}))
    busy = {"components": [{"component": "api", "load": {"metric": "utilisation", "above": 0.3}}]}
    util = _sim(_fault(effects=[_fx("errors", 0.2)], when=busy))
    for s in (high, low, util):
        s.run_until(100.0)
    i = _i(high, "api")
    assert float(low.arriving[i]) > 20.0  # about 54 requests/s arrive at api
    assert high.mods.err[:, i].max() == 0.0
    assert low.mods.err[:, i] == pytest.approx(0.2)
    assert util.mods.err[:, i] == pytest.approx(0.2)  # 54 / (3 x 40) = 0.45 > 0.3


def test_time_conditions_after_before_and_a_daily_window() -> None:
    window = _sim(_fault(effects=[_fx("errors", 0.2)], when={"after": 300.0, "before": 600.0}))
    # the fleet's clock starts at 09:00; 09:05-09:10 is t = 300 ... 600
    daily = _sim(_fault(effects=[_fx("errors", 0.2)], when={"daily": "09:05-09:10"}))
    i = _i(window, "api")
    for t, on in ((290.0, False), (400.0, True), (700.0, False)):
        window.run_until(t)
        daily.run_until(t)
        assert bool(window.mods.err[:, i].max() > 0) == on
        assert bool(daily.mods.err[:, i].max() > 0) == on


def test_any_holds_when_one_of_its_conditions_does() -> None:
    flags = [{"name": "new-path", "components": ["api"], "changes": [{"at": 500.0, "on": True}]}]
    when = {"any": [{"flag": "new-path"}, {"before": 200.0}]}
    sim = _sim(_fault(effects=[_fx("errors", 0.2)], when=when), flags=flags)
    i = _i(sim, "api")
    for t, on in ((150.0, True), (300.0, False), (600.0, True)):
        sim.run_until(t)
        assert bool(sim.mods.err[:, i].max() > 0) == on


# ---------------------------------------------------------------- remedies and aggravators


def test_a_listed_remedy_ends_it_and_the_kind_s_default_no_longer_does() -> None:
    def run(remedies: list[dict[str, Any]] | None, action: str, target: str) -> float:
        fault = _fault("stale-dns", "db", stale_share=0.5)
        if remedies is not None:
            fault["remedies"] = remedies
        sim = _sim(fault)
        sim.run_until(200.0)
        at = _act(sim, action, target, **({"on": False} if action == "toggle-flag" else {}))
        sim.run_until(at + 20.0)
        return float(sim.mods.edge_fail[_e(sim, "api", "db")])

    remedy = [{"action": "toggle-flag", "target": "new-path", "params": {"on": False}}]
    # stale-dns: restarting the caller re-resolves its endpoints (the kind's remedy) ...
    assert run(None, "restart", "api") == 0.0
    # ... but not once the scenario lists its own remedies
    assert run(remedy, "restart", "api") == pytest.approx(0.5)
    assert run(remedy, "toggle-flag", "new-path") == 0.0


def test_a_remedy_must_match_its_parameters() -> None:
    remedy = [{"action": "toggle-flag", "target": "new-path", "params": {"on": False}}]
    sim = _sim(_fault(effects=[_fx("errors", 0.3)], remedies=remedy))
    sim.run_until(200.0)
    at = _act(sim, "toggle-flag", "new-path", on=True)
    sim.run_until(at + 20.0)
    assert sim.mods.err[:, _i(sim, "api")] == pytest.approx(0.3)


def test_an_aggravator_multiplies_adds_and_spreads() -> None:
    aggr = [
        {"action": "restart", "target": "api", "multiply": 2.0},
        {"action": "scale", "target": "api", "effects": [_fx("latency", 0.5)]},
        {"action": "restart", "target": "worker", "spread": ["worker"]},
    ]
    sim = _sim(_fault(effects=[_fx("errors", 0.2)], aggravators=aggr))
    i, k = _i(sim, "api"), _i(sim, "worker")
    sim.run_until(200.0)
    sim.run_until(_act(sim, "restart", "api") + 20.0)
    assert sim.mods.err[:, i] == pytest.approx(0.4)
    sim.run_until(_act(sim, "scale", "api", replicas=4) + 20.0)
    assert sim.mods.lat_add[i] == pytest.approx(0.5 * 2.0)  # at the fault's strength
    sim.run_until(_act(sim, "restart", "worker") + 20.0)
    assert sim.mods.err[:, k] == pytest.approx(0.4)  # the fault's effects now act there too
    # each aggravator acts once: a second restart changes nothing
    sim.run_until(_act(sim, "restart", "api") + 20.0)
    assert sim.mods.err[:, i] == pytest.approx(0.4)


def test_an_aggravated_kind_effect_stays_a_share() -> None:
    deploys = _deployed("v2")
    aggr = [{"action": "restart", "multiply": 3.0}]
    sim = _sim(
        _fault("bad-deploy", version="v2", error_rate=0.6, aggravators=aggr), deploys=deploys
    )
    sim.run_until(300.0)
    i = _i(sim, "api")
    assert sim.mods.err[:, i] == pytest.approx(0.6)
    sim.run_until(_act(sim, "restart", "api") + 20.0)
    assert sim.mods.err[:, i] == pytest.approx(1.0)


# ---------------------------------------------------------------- lasting damage


def _lasting_fault(**lasting: Any) -> dict[str, Any]:
    spec = {
        "on": ["api", "worker"],
        "after": 60.0,
        "effects": [_fx("down", 0.5)],
        "recovery": ["restart"],
        "message": "host stopped answering health checks",
        **lasting,
    }
    return _fault("bad-deploy", version="v2", effects=[_fx("errors", 0.3)], lasting=spec)


def test_lasting_damage_outlives_the_removed_cause_until_each_recovery() -> None:
    sim = _sim(_lasting_fault(), deploys=_deployed("v2"))
    i, k = _i(sim, "api"), _i(sim, "worker")
    sim.run_until(100.0)
    assert sim.mods.unready[i] == 0.0  # acting, not yet for 60 s
    sim.run_until(200.0)
    assert sim.mods.unready[i] == pytest.approx(0.5)
    assert sim.mods.unready[k] == pytest.approx(0.5)
    assert [e.component for e in sim.events if e.kind == "probe"] == ["api", "worker"]
    # removing the cause stops new damage: the errors end, the damage stays
    sim.run_until(_act(sim, "rollback", "api") + 60.0 + 20.0)  # the deploy's 60 s
    assert sim.mods.err[:, i].max() == 0.0
    assert sim.mods.unready[i] == pytest.approx(0.5)
    # each component recovers with its own action, and stays recovered
    sim.run_until(_act(sim, "restart", "api") + 200.0)
    assert sim.mods.unready[i] == 0.0
    assert sim.mods.unready[k] == pytest.approx(0.5)
    sim.run_until(_act(sim, "restart", "worker") + 200.0)
    assert sim.mods.unready[k] == 0.0


def test_recovering_while_the_cause_still_acts_is_undone() -> None:
    sim = _sim(_lasting_fault(on=None), deploys=_deployed("v2"))
    i = _i(sim, "api")
    sim.run_until(200.0)
    at = _act(sim, "restart", "api")
    sim.run_until(at + 20.0)
    assert sim.mods.unready[i] == 0.0  # repaired ...
    sim.run_until(at + 100.0)
    assert sim.mods.unready[i] == pytest.approx(0.5)  # ... and damaged again by the release


def test_without_the_new_fields_nothing_changes() -> None:
    # a fault that uses none of the new fields still runs the kind's own effect, bit for bit
    a = _sim(_fault("bad-deploy", version="v2", error_rate=0.5), deploys=_deployed("v2"))
    b = _sim(_fault("bad-deploy", version="v2", error_rate=0.5), deploys=_deployed("v2"))
    a.run_until(600.0)
    b.run_until(600.0)
    assert np.array_equal(a.mods.err, b.mods.err)
    assert not any(k[0] == "compose" for k in a.memo if isinstance(k, tuple))


def test_faults_that_wait_for_each_other_never_act_and_never_recurse() -> None:
    on_ext = {"components": [{"component": "ext", "fault": "stale-dns"}]}
    on_db = {"components": [{"component": "db", "fault": "dependency-outage"}]}
    sim = _sim(
        _fault("dependency-outage", "db", effects=[_fx("errors", 0.2)], when=on_ext),
        _fault("stale-dns", "ext", effects=[_fx("errors", 0.2)], when=on_db),
    )
    sim.run_until(300.0)
    assert sim.mods.err[:, _i(sim, "db")].max() == 0.0
    assert sim.mods.err[:, _i(sim, "ext")].max() == 0.0


def test_stuck_requests_of_one_journey_fail_that_journey_and_slow_by_its_share() -> None:
    sim = _sim(_fault(effects=[_fx("stuck", 0.5, journeys=["login"])]))
    sim.run_until(100.0)
    i = _i(sim, "api")
    served = sim.served[:, i].copy()  # what the next tick weights by
    sim.run_until(110.0)
    login = _classes(sim, "login")
    share = 0.5 * float(served[login].sum() / served.sum())
    wait = float(sim._max_wait_for(sim.state.timeout)[i])
    assert sim.mods.err[login, i] == pytest.approx(0.5)
    assert (sim.mods.err[~login, i] == 0.0).all()
    assert sim.mods.lat_add[i] == pytest.approx(share * wait)
