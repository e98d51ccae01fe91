"""Engine defects found while encoding real outages, each checked against an independent
reference: a closed form, a tick computed by hand, or a documented real behaviour."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from chaosgame.engine.sim import Simulator
from chaosgame.engine.world import F64
from chaosgame.scenario.library import load
from chaosgame.scenario.model import Scenario
from tests.conftest import make_scenario
from tests.engine.fleet import fleet

# ----------------------------------------------------------------- error shares stay shares


def two_journeys(api_replicas: int = 2, **overrides: Any) -> Scenario:
    """The tiny scenario with a second journey through the same API and an idle standby."""
    api = {"name": "api", "kind": "service", "capacity": 50.0, "service_time": 0.02}
    comps = [
        {"name": "gw", "kind": "gateway", "replicas": 2, "capacity": 500.0, "service_time": 0.002},
        {**api, "replicas": api_replicas},
        {"name": "db", "kind": "database", "replicas": 1, "capacity": 400.0, "service_time": 0.005},
        {"name": "standby", "kind": "service", "replicas": 1, "service_time": 0.03},
    ]
    data: dict[str, Any] = {
        "components": comps,
        "journeys": [
            {"name": "shop", "entry": "api", "via": "gw", "rate": 30.0},
            {"name": "login", "entry": "api", "via": "gw", "rate": 10.0},
        ],
        **overrides,
    }
    return make_scenario(**data)


def test_a_component_that_serves_nothing_fails_every_request_not_two() -> None:
    """Hand-computed: with no replica, every request that reaches the API fails, so its
    error share is 1 (one per request), whatever the number of journeys."""
    sim = Simulator(two_journeys(api_replicas=0))
    sim.run_until(60.0)
    h = sim.history
    assert h.comp["served"][: h.ticks, 1].max() == 0.0
    assert h.comp["errors"][: h.ticks, 1] == pytest.approx(1.0)


def test_an_idle_component_reports_its_own_latency_once() -> None:
    """Hand-computed: a component no request reaches has an empty queue, so its latency is
    its service time (not once per journey)."""
    sim = Simulator(two_journeys())
    sim.run_until(60.0)
    h = sim.history
    assert h.comp["offered"][: h.ticks, 3].max() == 0.0
    assert h.comp["latency"][: h.ticks, 3] == pytest.approx(0.03)
    assert h.comp["errors"][: h.ticks, 3] == pytest.approx(0.0)


SHARES = {
    "comp": ("errors",),
    "cls": ("errors",),
    "edge": ("fail", "final_fail", "pool_wait"),
    "journey": ("errors", "wrong", "lost"),
}


@pytest.mark.parametrize("name", ["rides-fail-at-evening-rush", "edge-regions-keep-crashing"])
def test_no_error_share_in_history_leaves_zero_to_one(name: str) -> None:
    """Property: a share of requests is a probability; none of the history's leaves [0, 1],
    in scenarios where components die, sit idle or serve several journeys."""
    sc = load(name)
    sim = Simulator(sc, seed=7)
    sim.run_until(min(sc.duration, 2400.0))
    h = sim.history
    for table, names in SHARES.items():
        for series in names:
            values = getattr(h, table)[series][: h.ticks]
            assert np.isfinite(values).all(), (table, series)
            assert values.min() >= 0.0, (table, series)
            assert values.max() <= 1.0 + 1e-6, (table, series, float(values.max()))


# ----------------------------------------------------------------- a cache fills from answers


def half_cold(**patch: dict[str, Any]) -> tuple[Simulator, int]:
    """The fleet with its cache half emptied at the start (hit ratio 0.45 of its 0.9)."""
    sim = Simulator(fleet(patch=patch))
    cache = sim.world.index["cache"]
    sim.state.hit[cache] = 0.45
    return sim, cache


def test_a_cache_whose_store_fails_every_miss_stays_cold() -> None:
    """Documented behaviour (docs/architecture.md): a cache refills only with the misses its
    store answered. With the store down, every miss fails and no key is filled: the hit
    ratio stays where it was, however many hits it serves."""
    sim, cache = half_cold(db={"replicas": 0})
    sim.run_until(600.0)
    h = sim.history
    assert h.comp["served"][: h.ticks, cache].min() > 0.0
    assert h.comp["cache_hit"][: h.ticks, cache] == pytest.approx(0.45)


def test_a_cache_refills_with_the_misses_its_store_answered() -> None:
    """Closed form: after one tick of ``R`` reads whose misses are answered with probability
    ``1 - f``, the hit ratio is ``target - (target - hit) exp(-R (1 - f) / keyspace)``. The
    store here is too small for its load, so a good share of the misses fail."""
    sim, cache = half_cold(db={"capacity": 20.0})
    sim.run_until(120.0)
    to_db = sim.world.edge_index[("cache", "db")]
    f = float((sim.fin[:, to_db] * sim.edge_rate[:, to_db]).sum() / sim.edge_rate[:, to_db].sum())
    assert 0.2 < f < 0.9
    before = float(sim.state.hit[cache])
    sim.step()
    reads = float(sim.served[:, cache].sum()) * sim.dt
    f = float((sim.fin[:, to_db] * sim.edge_rate[:, to_db]).sum() / sim.edge_rate[:, to_db].sum())
    expected = 0.9 - (0.9 - before) * np.exp(-reads * (1.0 - f) / 20000.0)
    assert float(sim.state.hit[cache]) == pytest.approx(expected, rel=1e-12)


# ----------------------------------------------------------------- faults bound to a version

OLD = {"at": -259200.0, "component": "api", "version": "v1"}


def shop_errors(sim: Simulator, since: float) -> F64:
    """The shop journey's error share at its front, tick by tick from ``since``."""
    h = sim.history
    return h.journey["errors"][int(since // sim.dt) : h.ticks, 0].astype(np.float64)


def test_a_fault_bound_to_the_version_the_history_deployed_acts() -> None:
    """Documented behaviour (docs/authoring.md, partial deploys): a deploy before the window
    counts as rolled out to every pod. A fault bound to that version therefore acts on all of
    the traffic from its start: the shop fails at its error rate."""
    v2 = {"at": -600.0, "component": "api", "version": "v2"}
    fault = {"kind": "bad-deploy", "target": "api", "version": "v2", "at": 600.0}
    sim = Simulator(fleet(deploys=[OLD, v2], faults=[{**fault, "error_rate": 0.4}]))
    assert sim.state.versions[sim.world.index["api"]].stable == "v2"
    sim.run_until(900.0)
    assert shop_errors(sim, 0.0)[:50].max() < 0.01
    assert shop_errors(sim, 610.0) == pytest.approx(0.4, abs=0.01)


def test_a_fault_rolls_out_a_version_the_history_deployed_long_ago() -> None:
    """Hand-computed: the history ran v2 days ago and has run v3 since; a bad canary of v2 at
    10 minutes puts v2 on 20 % of the traffic, which fails 80 % of it: 0.2 x 0.8 = 16 %."""
    deploys = [
        OLD,
        {"at": -172800.0, "component": "api", "version": "v2"},
        {"at": -86400.0, "component": "api", "version": "v3"},
    ]
    fault = {"kind": "bad-canary", "target": "api", "version": "v2", "at": 600.0}
    sim = Simulator(fleet(deploys=deploys, faults=[{**fault, "weight": 0.2, "error_rate": 0.8}]))
    sim.run_until(900.0)
    v = sim.state.versions[sim.world.index["api"]]
    assert v.share("v2", sim.now) == pytest.approx(0.2)
    assert shop_errors(sim, 610.0) == pytest.approx(0.16, abs=0.01)


def test_a_fault_waits_for_the_deploy_of_its_version_the_history_makes_later() -> None:
    """The history deploys v2 at 20 minutes; the canary the fault would make at 10 minutes
    is that deploy, so nothing fails before it and the fault acts once v2 is served."""
    v2 = {"at": 1200.0, "component": "api", "version": "v2", "duration": 60.0}
    fault = {"kind": "bad-canary", "target": "api", "version": "v2", "at": 600.0}
    sim = Simulator(fleet(deploys=[OLD, v2], faults=[{**fault, "weight": 0.2, "error_rate": 0.8}]))
    sim.run_until(1500.0)
    errors = shop_errors(sim, 0.0)
    assert errors[:120].max() < 0.01
    assert errors[-10:] == pytest.approx(0.8, abs=0.01)


# ----------------------------------------------------------------- the change a fault brings

COMMAND = {"author": "r.okafor", "command": "netctl drop --peer ext"}
FEATURE_ON = {"at": 1200.0, "component": "api", "key": "feature", "value": "on"}


def events_of(sim: Simulator, kind: str, component: str) -> list[float]:
    return [e.time for e in sim.events if e.kind == kind and e.component == component]


def outage(**extra: Any) -> dict[str, Any]:
    return {"kind": "dependency-outage", "target": "ext", "at": 600.0, "change": COMMAND, **extra}


def test_a_fault_change_waits_for_its_condition() -> None:
    """The rule chosen (docs/authoring.md): a fault with a ``when`` makes its change when its
    condition first holds at or after ``at``. The operator's command of an outage bound to a
    config value set at 20 minutes shows at 20 minutes, not at the fault's 10."""
    when = {"config": {"feature": "on"}}
    sim = Simulator(fleet(configs=[{**FEATURE_ON, "component": "ext"}], faults=[outage(when=when)]))
    sim.run_until(1800.0)
    assert events_of(sim, "audit", "ext") == [1200.0]


def test_a_fault_change_whose_condition_never_holds_never_shows() -> None:
    """A fault whose condition never holds never acts, and the change that brings it never
    happens either: no audit event."""
    sim = Simulator(fleet(faults=[outage(when={"after": 3000.0})]))
    sim.run_until(1800.0)
    assert events_of(sim, "audit", "ext") == []
    h = sim.history
    assert h.comp["errors"][: h.ticks, sim.world.index["ext"]].max() < 0.01


def test_a_kind_that_makes_its_own_condition_true_still_makes_its_change() -> None:
    """A retry storm's own config push is what sets the retries its condition reads, so that
    part of the condition cannot hold it back; its time window (``after``) does."""
    fault = {
        "kind": "retry-storm",
        "target": "gw",
        "to": "api",
        "at": 600.0,
        "retries": 8,
        "when": {"config": {"retries:api": "8"}, "after": 1200.0},
    }
    deps = [*fleet().model_dump(by_alias=True)["dependencies"]]
    deps.append({"from": "gw", "to": "api", "timeout": 1.0})
    sim = Simulator(fleet(dependencies=deps, faults=[fault]))
    sim.run_until(1800.0)
    assert events_of(sim, "config", "gw") == [1200.0]
    assert sim.state.config[(sim.world.index["gw"], "retries:api")] == "8"


# ----------------------------------------------------------------- fractional calls per request

API = {"name": "api", "kind": "service", "replicas": 4, "capacity": 50.0, "service_time": 0.02}
EXT = {"kind": "external", "replicas": 1, "capacity": 1000.0, "service_time": 0.05}


def side_calls(calls: list[float], faults: list[dict[str, Any]]) -> Simulator:
    """gw -> api, which calls third parties ``ext0``, ``ext1``... ``calls[n]`` times per
    request each (and nothing else), run for two minutes."""
    comps: list[dict[str, Any]] = [
        {"name": "gw", "kind": "gateway", "replicas": 2, "capacity": 500.0, "service_time": 0.002},
        API,
        *({**EXT, "name": f"ext{n}"} for n in range(len(calls))),
    ]
    deps: list[dict[str, Any]] = [{"from": "gw", "to": "api", "timeout": 30.0}]
    deps += [
        {"from": "api", "to": f"ext{n}", "timeout": 2.0, "calls": c} for n, c in enumerate(calls)
    ]
    sc = make_scenario(components=comps, dependencies=deps, faults=faults)
    sim = Simulator(sc)
    sim.run_until(120.0)
    return sim


def down(target: str, rate: float = 1.0, **extra: Any) -> dict[str, Any]:
    return {"kind": "dependency-outage", "target": target, "at": 0.0, "error_rate": rate, **extra}


def api_share(sim: Simulator, series: str = "errors") -> float:
    """The shop journey's share at its front in the last tick."""
    return float(sim.history.journey[series][sim.history.ticks - 1, 0])


def test_a_dead_dependency_called_on_two_percent_of_requests_fails_two_percent() -> None:
    """Hand-computed: a request calls the dependency with probability 0.02; every such call
    fails, none of the others do: 2 % of requests fail (not 1 - (1 - 1)^0.02, nearly all)."""
    sim = side_calls([0.02], [down("ext0")])
    assert api_share(sim) == pytest.approx(0.02, abs=1e-4)


def test_one_bad_replica_of_four_called_a_quarter_of_the_time_spoils_a_quarter() -> None:
    """Hand-computed: requests spread over four backends (0.25 calls each); the one that
    fails every call fails the quarter of requests it gets."""
    sim = side_calls([0.25, 0.25, 0.25, 0.25], [down("ext0")])
    assert api_share(sim) == pytest.approx(0.25, abs=1e-4)


def test_one_and_a_half_calls_make_one_call_and_another_half_the_time() -> None:
    """Closed form: ``floor(c)`` certain calls plus one more with probability ``frac(c)``:
    P(fail) = 1 - (1 - f)^floor(c) (1 - frac(c) f) = 1 - 0.8 x 0.9 = 0.28 for c = 1.5,
    f = 0.2 (not 1 - 0.8^1.5 = 0.2845)."""
    sim = side_calls([1.5], [down("ext0", 0.2)])
    assert api_share(sim) == pytest.approx(0.28, abs=1e-4)


def test_wrong_answers_from_a_rare_call_follow_the_same_law() -> None:
    """Hand-computed: a dependency called on 5 % of requests answers every call wrongly; 5 % of
    the answers are wrong."""
    wrong = down("ext0", 0.0, effects=[{"mechanism": "wrong", "amount": 1.0}])
    sim = side_calls([0.05], [wrong])
    assert api_share(sim, "wrong") == pytest.approx(0.05, abs=1e-4)


def test_a_cache_in_front_of_a_dead_store_fails_its_misses_only() -> None:
    """Hand-computed: a read misses with probability 1 - hit = 0.1 and only a miss calls the
    store, which fails every call: the cache fails 10 % of its reads."""
    sim = Simulator(fleet(patch={"db": {"replicas": 0}}))
    sim.run_until(120.0)
    cache = sim.world.index["cache"]
    assert float(sim.history.comp["errors"][sim.history.ticks - 1, cache]) == pytest.approx(
        0.1, abs=1e-4
    )


# ----------------------------------------------------------------- quota refusals

QUOTA = {"kind": "third-party-rate-limit", "target": "ext", "at": 0.0, "quota_rps": 10.0}


def behind_quota() -> Simulator:
    """gw -> api -> ext (a third party with a quota of 10 requests/s) -> inner, called twice
    per request ext accepts; about 42 requests/s reach ext."""
    comps = [
        {"name": "gw", "kind": "gateway", "replicas": 2, "capacity": 500.0, "service_time": 0.002},
        API,
        {**EXT, "name": "ext"},
        {"name": "inner", "kind": "database", "replicas": 1, "capacity": 1000.0},
    ]
    deps = [
        {"from": "gw", "to": "api", "timeout": 30.0},
        {"from": "api", "to": "ext", "timeout": 2.0},
        {"from": "ext", "to": "inner", "timeout": 1.0, "calls": 2},
    ]
    sim = Simulator(make_scenario(components=comps, dependencies=deps, faults=[QUOTA]))
    sim.run_until(120.0)
    return sim


def test_requests_a_quota_refuses_go_no_further() -> None:
    """Documented behaviour (HTTP 429, RFC 6585): a refused request is answered at once and
    never processed. Of ``A`` requests/s, ext serves its quota of 10 and refuses ``1 - 10/A``
    of them; only the 10 it serves call inner, twice each: 20 calls/s."""
    sim = behind_quota()
    ext, inner = sim.world.index["ext"], sim.world.index["inner"]
    arriving = float(sim.arriving[ext])
    assert arriving > 30.0
    assert float(sim.served[:, ext].sum()) == pytest.approx(10.0)
    assert float(sim.offered[:, inner].sum()) == pytest.approx(20.0)
    assert float(sim.err[0, ext]) == pytest.approx(1.0 - 10.0 / arriving, abs=1e-6)
