"""The laws of ../shared/physics.md, each as a test of the engine."""

from __future__ import annotations

import random

import numpy as np
import pytest

from chaosgame.engine import physics as ph
from chaosgame.engine.sim import Simulator
from tests.conftest import make_scenario


def mmc_time_in_system(lam: float, service: float, servers: int, n: int, seed: int) -> float:
    """Average time in system of an M/M/c queue, by direct discrete-event simulation."""
    rng = random.Random(seed)
    free_at = [0.0] * servers
    t = 0.0
    total = 0.0
    for _ in range(n):
        t += rng.expovariate(lam)
        k = min(range(servers), key=free_at.__getitem__)
        start = max(t, free_at[k])
        free_at[k] = start + rng.expovariate(1.0 / service)
        total += free_at[k] - t
    return total / n


@pytest.mark.parametrize(("servers", "rho"), [(1, 0.5), (1, 0.8), (4, 0.7), (8, 0.85)])
def test_littles_law_against_a_real_queue(servers: int, rho: float) -> None:
    # Requests in flight = arrival rate x time in system. The engine's time in system for an
    # unsaturated component must match a simulated queue's, so lambda x W gives its L.
    service = 0.05
    lam = rho * servers / service
    measured = mmc_time_in_system(lam, service, servers, 200_000, seed=servers)
    model = float(ph.queueing_delay(np.array(service), np.array(rho), np.array(servers)))
    assert lam * model == pytest.approx(lam * measured, rel=0.05)


def test_single_queue_is_s_over_one_minus_rho() -> None:
    w = ph.queueing_delay(np.array(0.1), np.array(0.75), np.array(1.0))
    assert float(w) == pytest.approx(0.1 / 0.25)


@pytest.mark.parametrize(("servers", "offered"), [(2, 1.5), (5, 4.0), (10, 7.0), (20, 18.0)])
def test_time_in_system_follows_erlang_c(servers: int, offered: float) -> None:
    # The engine uses Sakasegawa's closed form; the exact answer needs Erlang C's waiting
    # probability. Time in system (what a player sees as latency) agrees within 3 %.
    service = 1.0
    rho = offered / servers
    exact = service + ph.erlang_c(servers, offered) * service / (servers * (1 - rho))
    model = float(ph.queueing_delay(np.array(service), np.array(rho), np.array(servers)))
    assert model == pytest.approx(exact, rel=0.03)


def test_latency_rises_steeply_near_saturation() -> None:
    rhos = np.array([0.1, 0.5, 0.8, 0.9, 0.95])
    w = ph.queueing_delay(np.full(5, 0.02), rhos, np.full(5, 2.0))
    steps = np.diff(w)
    assert (steps > 0).all()
    assert steps[-1] > 5 * steps[0]


@pytest.mark.parametrize(("p", "r"), [(0.0, 3), (0.3, 2), (0.5, 3), (0.9, 5), (1.0, 3)])
def test_retry_attempts_are_a_geometric_sum(p: float, r: int) -> None:
    expected = sum(p**i for i in range(r + 1))
    got = float(ph.attempts_per_request(np.array(p), np.array(float(r))))
    assert got == pytest.approx(expected)
    assert float(ph.final_failure(np.array(p), np.array(float(r)))) == pytest.approx(p ** (r + 1))


def test_pool_ceiling_is_p_over_w() -> None:
    assert float(ph.pool_ceiling(np.array(10.0), np.array(3.0), np.array(0.05))) == pytest.approx(
        600
    )


def test_cache_refills_as_keys_are_read() -> None:
    hit = ph.cache_refill(np.array(0.0), np.array(0.9), np.array(20000.0), np.array(20000.0))
    assert 0.5 < float(hit) < 0.9
    again = ph.cache_refill(hit, np.array(0.9), np.array(20000.0), np.array(20000.0))
    assert float(hit) < float(again) < 0.9


def test_autoscaler_formula_is_bounded() -> None:
    assert ph.autoscale_desired(4, 0.9, 0.6, 2, 10) == 6
    assert ph.autoscale_desired(4, 3.0, 0.6, 2, 10) == 10
    assert ph.autoscale_desired(4, 0.1, 0.6, 2, 10) == 2


def test_burn_rate_arithmetic() -> None:
    assert ph.burn_rate(bad=144, total=10000, target=0.999) == pytest.approx(14.4)
    assert ph.burn_rate(0, 0, 0.99) == 0.0


def tick_of(sim: Simulator, seconds: float) -> int:
    return int(seconds / sim.dt)


def run(sc, until: float = 1800.0) -> Simulator:
    sim = Simulator(sc)
    sim.run_until(until)
    return sim


def test_offered_load_is_callers_rate_times_calls() -> None:
    deps = [{"from": "gw", "to": "api", "timeout": 30.0}, {"from": "api", "to": "db", "calls": 3.0}]
    sim = run(make_scenario(dependencies=deps), 600.0)
    db = sim.world.index["db"]
    api = sim.world.index["api"]
    served_api = sim.history.comp["served"][-1 + sim.history.ticks, api]
    assert sim.history.comp["offered"][sim.history.ticks - 1, db] == pytest.approx(
        3 * served_api, rel=1e-3
    )


def test_saturated_component_latency_rises_and_errors_appear() -> None:
    calm = run(make_scenario(), 900)
    busy = run(
        make_scenario(journeys=[{"name": "shop", "entry": "api", "via": "gw", "rate": 150.0}]), 900
    )
    api = calm.world.index["api"]
    t = calm.history.ticks - 1
    assert busy.history.comp["latency"][t, api] > 5 * calm.history.comp["latency"][t, api]
    assert calm.history.comp["errors"][t, api] == 0
    assert busy.history.comp["errors"][t, api] > 0.2


def test_a_dependency_past_the_timeout_is_an_error_upstream() -> None:
    hang = {
        "kind": "dependency-outage",
        "target": "db",
        "at": 300.0,
        "error_rate": 0.0,
        "added_latency": 2.0,
    }
    sim = run(make_scenario(faults=[hang]), 900)
    api, db = sim.world.index["api"], sim.world.index["db"]
    t = sim.history.ticks - 1
    e = sim.world.edge_index[("api", "db")]
    assert sim.history.edge["fail"][t, e] > 0.3  # calls time out
    assert sim.history.comp["errors"][t, api] > 0.3  # the caller fails
    assert sim.history.comp["errors"][t, db] < 0.05  # the callee itself did not fail the work


def test_retries_multiply_load_by_the_expected_factor() -> None:
    deps = [
        {"from": "gw", "to": "api", "timeout": 30.0},
        {"from": "api", "to": "db", "retries": {"count": 2, "backoff": 0.01}},
    ]
    fault = [{"kind": "dependency-outage", "target": "db", "at": 300.0, "error_rate": 0.5}]
    sim = run(make_scenario(dependencies=deps, faults=fault), 900)
    api, db = sim.world.index["api"], sim.world.index["db"]
    t = sim.history.ticks - 1
    ratio = sim.history.comp["offered"][t, db] / sim.history.comp["served"][t, api]
    assert ratio == pytest.approx(1 + 0.5 + 0.25, rel=0.02)


def test_circuit_breaker_sheds_load_and_half_opens() -> None:
    deps = [
        {"from": "gw", "to": "api", "timeout": 30.0},
        {
            "from": "api",
            "to": "db",
            "breaker": {"error_threshold": 0.5, "window": 20.0, "cooldown": 60.0},
        },
    ]
    fault = [{"kind": "dependency-outage", "target": "db", "at": 300.0, "until": 900.0}]
    sim = run(make_scenario(dependencies=deps, faults=fault), 1500)
    db = sim.world.index["db"]
    e = sim.world.edge_index[("api", "db")]
    h = sim.history
    during = slice(tick_of(sim, 400), tick_of(sim, 890))
    assert (h.edge["breaker"][during, e] == 1).any()
    assert h.comp["offered"][during, db].min() < 0.2 * h.comp["offered"][tick_of(sim, 250), db]
    assert (h.edge["breaker"][during, e] == 2).any()  # half-open trials after the cool-down
    assert h.edge["breaker"][h.ticks - 1, e] == 0  # closed again once the dependency is back
    assert h.comp["errors"][h.ticks - 1, sim.world.index["api"]] < 0.001


def test_pool_beyond_its_ceiling_makes_callers_wait_and_fail() -> None:
    deps = [
        {"from": "gw", "to": "api", "timeout": 30.0},
        {"from": "api", "to": "db", "pool": 1, "timeout": 1.0},
    ]
    fault = [{"kind": "latency-regression", "target": "db", "at": 300.0, "factor": 10.0}]
    sim = run(make_scenario(dependencies=deps, faults=fault), 900)
    e = sim.world.edge_index[("api", "db")]
    t = sim.history.ticks - 1
    ceiling = 1 * 2 / sim.history.edge["call_time"][t, e]
    assert sim.history.edge["rate"][t, e] <= ceiling * 1.05
    assert sim.history.edge["pool_wait"][t, e] > 0


def test_autoscaler_acts_after_its_delay_and_not_past_its_maximum() -> None:
    comps = make_scenario().model_dump(by_alias=True)["components"]
    comps[1]["autoscaling"] = {
        "metric": "cpu",
        "target": 0.5,
        "min": 2,
        "max": 5,
        "delay": 120.0,
        "startup": 30.0,
    }
    spike = [
        {"kind": "traffic-spike", "target": "api", "journey": "shop", "at": 600.0, "factor": 8.0}
    ]
    sim = run(make_scenario(components=comps, faults=spike), 1800)
    api = sim.world.index["api"]
    desired = sim.history.comp["desired"][:, api]
    first_change = int(np.flatnonzero(desired[: sim.history.ticks] != desired[0])[0])
    assert first_change * sim.dt >= 600 + 120 - 1e-6
    assert desired[: sim.history.ticks].max() == 5
    ready = sim.history.comp["replicas"][:, api]
    assert int(np.flatnonzero(ready[: sim.history.ticks] > 2)[0]) > first_change  # startup time


def test_removing_the_fault_brings_the_sli_back() -> None:
    fault = [
        {
            "kind": "dependency-outage",
            "target": "db",
            "at": 300.0,
            "until": 900.0,
            "error_rate": 0.3,
        }
    ]
    sim = run(make_scenario(faults=fault), 1500)
    j = sim.history.journey["errors"]
    assert j[tick_of(sim, 600)].max() > 0.2
    assert j[sim.history.ticks - 1].max() < 1e-6


def test_memory_leak_ends_in_oom_kills_and_restarts() -> None:
    fault = [{"kind": "memory-leak", "target": "api", "at": 0.0, "mb_per_1k_requests": 20.0}]
    sim = run(make_scenario(faults=fault), 3000)
    api = sim.world.index["api"]
    h = sim.history
    assert h.comp["restarts"][h.ticks - 1, api] > 0
    assert h.comp["memory"][: h.ticks, api].max() <= 512.0 + 20.0
    assert any(e.kind == "oom" for e in sim.events)
    assert h.comp["replicas"][: h.ticks, api].min() < 2


def test_cold_cache_sends_every_read_to_the_backing_store() -> None:
    comps = [
        {"name": "gw", "kind": "gateway", "replicas": 2, "capacity": 500.0},
        {"name": "api", "kind": "service", "replicas": 4, "capacity": 100.0},
        {"name": "cache", "kind": "cache", "replicas": 2, "capacity": 5000.0, "hit_ratio": 0.9},
        {"name": "db", "kind": "database", "replicas": 1, "capacity": 1000.0},
    ]
    deps = [
        {"from": "gw", "to": "api", "timeout": 30.0},
        {"from": "api", "to": "cache"},
        {"from": "cache", "to": "db"},
    ]
    flush = [{"kind": "cache-flush", "target": "cache", "at": 600.0}]
    sim = run(make_scenario(components=comps, dependencies=deps, faults=flush), 1800)
    db, cache = sim.world.index["db"], sim.world.index["cache"]
    h = sim.history
    before = tick_of(sim, 590)
    reads = h.comp["served"][before, cache]
    assert h.comp["offered"][before, db] == pytest.approx(0.1 * reads, rel=0.01)
    at = tick_of(sim, 600)
    assert h.comp["offered"][at, db] == pytest.approx(h.comp["served"][at, cache], rel=0.02)
    assert h.comp["cache_hit"][h.ticks - 1, cache] > 0.8


def test_queue_grows_by_produce_minus_consume() -> None:
    comps = [
        {"name": "api", "kind": "service", "replicas": 2, "capacity": 100.0},
        {"name": "q", "kind": "queue", "replicas": 1, "capacity": 5000.0},
        {"name": "worker", "kind": "worker", "replicas": 1, "capacity": 30.0},
    ]
    deps = [{"from": "api", "to": "q"}, {"from": "q", "to": "worker", "mode": "async"}]
    sc = make_scenario(
        components=comps,
        dependencies=deps,
        journeys=[{"name": "shop", "entry": "api", "rate": 50.0}],
    )
    sim = run(sc, 600)
    q = sim.world.index["q"]
    h = sim.history
    produced = h.comp["served"][: h.ticks, sim.world.index["api"]].sum() * sim.dt
    consumed = h.comp["served"][: h.ticks, sim.world.index["worker"]].sum() * sim.dt
    assert h.comp["backlog"][h.ticks - 1, q] == pytest.approx(produced - consumed, rel=0.01)
    lag = h.comp["consumer_lag"][h.ticks - 1, q]
    assert lag == pytest.approx(h.comp["backlog"][h.ticks - 1, q] / 30.0, rel=0.01)


def test_replication_lag_grows_when_apply_is_slower_than_writes() -> None:
    comps = [
        {"name": "api", "kind": "service", "replicas": 2, "capacity": 100.0},
        {"name": "db", "kind": "database", "replicas": 1, "capacity": 500.0, "write_fraction": 0.5},
        {
            "name": "db-replica",
            "kind": "database",
            "replicas": 1,
            "replica_of": "db",
            "apply_rate": 10.0,
        },
    ]
    deps = [{"from": "api", "to": "db"}]
    sc = make_scenario(
        components=comps,
        dependencies=deps,
        journeys=[{"name": "shop", "entry": "api", "rate": 40.0}],
    )
    sim = run(sc, 600)
    lag = sim.history.comp["replication_lag"][: sim.history.ticks, sim.world.index["db-replica"]]
    assert lag[-1] > lag[10] > 0


def test_slo_budget_and_burn_from_the_simulation() -> None:
    from chaosgame.engine.slo import series

    fault = [{"kind": "dependency-outage", "target": "db", "at": 600.0, "error_rate": 0.02}]
    sc = make_scenario(faults=fault)
    sim = run(sc, 1800)
    s = series(sim, sc.slos[0])
    end = sim.history.ticks
    assert s.burn(end, 300.0) == pytest.approx(0.02 / 0.001, rel=0.05)
    expected_budget = 0.001 * 40.0 * 28 * 86400
    assert s.budget() == pytest.approx(expected_budget, rel=0.1)
    # 20x for 20 minutes: the 1 h window has burned only 6.7x, so no page yet ...
    assert s.burn(end, 3600.0) == pytest.approx(20 * 1200 / 3600, rel=0.05)
    assert not s.paging(end)
    # ... and once the burn has covered most of the hour, both windows exceed 14.4.
    sim.run_until(600.0 + 3000.0)
    assert series(sim, sc.slos[0]).paging(sim.history.ticks)


def test_the_fast_retry_path_agrees_with_the_definitions() -> None:
    p = np.linspace(0.0, 1.0, 41)
    r = np.full(41, 3.0)
    att, fin = ph.retry_outcome(p, r)
    assert np.allclose(att, ph.attempts_per_request(p, r), atol=1e-6)
    assert np.allclose(fin, ph.final_failure(p, r), atol=1e-6)
