"""Load-dependent resources (``engine/load.py``), each law against an independent reference:
Little's law and the Universal Scalability Law computed by hand, Erlang C's exact M/M/c, and
the documented behaviour of metastable collapses and reconnect herds."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from chaosgame.engine import physics as ph
from chaosgame.engine.control import take_down
from chaosgame.engine.sim import Simulator
from chaosgame.scenario.actions import mitigation_adapter
from chaosgame.scenario.model import Scenario
from tests.conftest import make_scenario

ADAPTER = mitigation_adapter()
GW = {"name": "gw", "kind": "gateway", "replicas": 4, "capacity": 50000.0, "service_time": 0.002}
NET = 0.0005  # one call's network time inside a region (engine.world.LOCAL_LATENCY)


def scenario(
    app: dict[str, Any], below: dict[str, Any], call: dict[str, Any], rate: float
) -> Scenario:
    """gateway -> app -> one dependency (``below``), one journey at ``rate``."""
    app = {"name": "app", "kind": "service", **app}
    return make_scenario(
        components=[GW, app, below],
        dependencies=[
            {"from": "gw", "to": "app", "timeout": 30.0},
            {"from": "app", "to": below["name"], **call},
        ],
        journeys=[{"name": "shop", "entry": "app", "via": "gw", "rate": rate}],
    )


def steady(sc: Scenario, until: float, seed: int = 1) -> Simulator:
    """Run without the per-tick traffic fluctuation, so a steady state is exactly steady."""
    sim = Simulator(sc, seed=seed)
    sim._noise = lambda journey, rate: 1.0  # type: ignore[method-assign]
    sim.run_until(until)
    return sim


def act(sim: Simulator, spec: dict[str, Any]) -> None:
    sim.mitigate(ADAPTER.validate_python(spec))


# ------------------------------------------------------------------ opt-in


def test_a_scenario_without_resources_compiles_no_load_law() -> None:
    sim = Simulator(make_scenario())
    assert sim.world.load is None
    assert sim.load_state is None


# ------------------------------------------------------------------ memory


def test_working_set_grows_with_requests_in_flight_by_littles_law() -> None:
    """Working set = base + MB per request x in flight per replica, where in flight is the
    served rate x time in system (Little's law), read from the tick before."""
    app = {"replicas": 2, "capacity": 500.0, "resources": {"memory_per_request_mb": 2.0}}
    db = {"name": "db", "kind": "database", "replicas": 1, "capacity": 4000.0, "service_time": 0.5}
    sim = Simulator(scenario(app, db, {"timeout": 5.0}, rate=40.0), seed=1)
    seen: list[float] = []
    sim.observers.append(lambda s: seen.append(float((s.served[:, 1] * s.lat[:, 1]).sum())))
    sim.run_until(300)
    memory = sim.history.comp["memory"][: sim.history.ticks, 1]
    for t in range(5, sim.history.ticks):
        by_hand = 256.0 + 2.0 * seen[t - 1] / 2
        assert memory[t] == pytest.approx(by_hand, rel=1e-5)
    assert memory[-1] > 256.0 + 2.0 * 40.0 * 0.5 / 2 * 0.9  # about 20 MB above the base


def test_working_set_grows_with_the_fan_out_in_flight() -> None:
    """A replica holds MB per call it has in flight to its dependencies: rate x fan-out x call
    time (Little), so ten times the fan-out holds about ten times the memory."""
    db = {"name": "db", "kind": "database", "replicas": 1, "capacity": 40000.0, "service_time": 0.1}
    extra = []
    for fan_out in (1.0, 10.0):
        app = {"replicas": 2, "capacity": 500.0, "resources": {"memory_per_call_mb": 0.5}}
        sim = steady(scenario(app, db, {"timeout": 5.0, "calls": fan_out}, rate=40.0), 300)
        st = sim.state
        in_flight = sim.edge_rate[:, 1].sum() * st.call_time[1]
        rate = 40.0 * fan_out  # calls/s; the store is one M/M/1 server: S / (1 - rho)
        assert in_flight == pytest.approx(rate * (0.1 / (1 - rate / 40000.0) + NET), rel=1e-3)
        row = sim.history.ticks - 1
        extra.append(float(sim.history.comp["memory"][row, 1]) - 256.0)
        assert extra[-1] == pytest.approx(0.5 * in_flight / 2, rel=1e-3)
    assert extra[1] == pytest.approx(10 * extra[0], rel=0.02)


def test_requests_piling_up_behind_a_slow_dependency_reach_the_limit_and_oomkill() -> None:
    """The same fleet is healthy when its dependency is fast; when the dependency slows, more
    requests are in flight, the working set reaches the limit and replicas are OOMKilled:
    60/s x 1 s / 2 replicas x 10 MB = 300 MB above the 256 MB base, past the 512 MB limit;
    at 50 ms, 15 MB."""
    app = {"replicas": 2, "capacity": 500.0, "resources": {"memory_per_request_mb": 10.0}}
    kills = []
    for dep_time in (0.05, 1.0):
        db = {"name": "db", "kind": "database", "replicas": 1, "capacity": 4000.0}
        db["service_time"] = dep_time
        sim = steady(scenario(app, db, {"timeout": 5.0}, rate=60.0), 600)
        kills.append(sum(e.kind == "oom" for e in sim.events))
    assert kills[0] == 0
    assert kills[1] > 0


# ------------------------------------------------------------------ workers


def worker_fleet(rate: float, workers: int, dep_time: float) -> Scenario:
    app = {
        "replicas": 2,
        "capacity": 100000.0,
        "service_time": 0.01,
        "cpu_limit": 64.0,
        "resources": {"workers": workers},
    }
    dep = {"name": "dep", "kind": "external", "replicas": 4, "capacity": 100000.0}
    dep["service_time"] = dep_time
    return scenario(app, dep, {"timeout": 10.0}, rate=rate)


@pytest.mark.parametrize("offered", [4.0, 6.0, 7.0])
def test_workers_queue_as_m_m_c_with_replicas_times_workers_servers(offered: float) -> None:
    """Two replicas of four workers are an M/M/8 queue whose servers are held for the hold
    time (own service + the dependency's call). Time in system (wait for a worker + hold)
    agrees with Erlang C's exact answer within 3 %, as the engine's other queues do."""
    hold = 0.01 + 0.2 + NET
    sim = steady(worker_fleet(offered / hold, 4, 0.2), 600)
    assert sim.load_state is not None
    assert sim.load_state.hold[1] == pytest.approx(hold, rel=1e-6)
    waited = float(sim.own_lat[1]) - 0.01  # own latency is service + the wait for a worker
    exact = hold + ph.erlang_c(8, offered) * hold / (8 - offered)
    assert hold + waited == pytest.approx(exact, rel=0.03)


def test_a_slow_dependency_holds_the_workers_and_caps_throughput() -> None:
    """Throughput falls to replicas x workers / hold: 2 x 4 / (10 ms + 2 s), whatever the
    replica's CPU could do; the rest queue and time out at the front door."""
    sim = steady(worker_fleet(20.0, 4, 2.0), 900)
    hold = 0.01 + 2.0 + NET
    assert sim.served[:, 1].sum() == pytest.approx(2 * 4 / hold, rel=1e-3)
    assert sim.err[:, 1].max() > 0.5
    fast = steady(worker_fleet(20.0, 4, 0.05), 900)  # same workers, fast dependency: all served
    assert fast.served[:, 1].sum() == pytest.approx(20.0, rel=1e-3)


# ------------------------------------------------------------------ contention (USL)

ALPHA, BETA = 0.02, 0.0005


def usl(n: float, capacity: float) -> float:
    """X(N) = g N / (1 + a (N - 1) + b N (N - 1)), with g set so the peak is ``capacity``."""
    knee = math.sqrt((1 - ALPHA) / BETA)
    shape = lambda x: x / (1 + ALPHA * (x - 1) + BETA * x * (x - 1))  # noqa: E731
    return capacity * shape(n) / shape(knee)


@pytest.mark.parametrize("connections", [10, 44, 200])
def test_throughput_at_a_held_concurrency_follows_the_universal_scalability_law(
    connections: int,
) -> None:
    """Overloaded, with ``max_connections`` in use, the database serves X(N) computed by hand:
    below the knee (about 44) more connections serve more, past it they serve less."""
    db = {
        "name": "db",
        "kind": "database",
        "replicas": 1,
        "capacity": 600.0,
        "service_time": 0.005,
        "max_connections": connections,
        "resources": {"contention": ALPHA, "coherency": BETA},
    }
    app = {"replicas": 8, "capacity": 500.0}
    sim = steady(scenario(app, db, {"timeout": 2.0}, rate=1500.0), 900)
    assert sim.load_state is not None
    assert sim.load_state.concurrency[2] == pytest.approx(connections)
    assert sim.served[:, 2].sum() == pytest.approx(usl(connections, 600.0), rel=1e-3)


def test_queries_slow_down_with_concurrency() -> None:
    """Each query takes ``1 + a (N - 1) + b N (N - 1)`` times as long at concurrency N (the
    USL's response time N / X(N), relative to a query alone)."""
    db = {
        "name": "db",
        "kind": "database",
        "replicas": 1,
        "capacity": 600.0,
        "service_time": 0.005,
        "max_connections": 200,
        "resources": {"contention": ALPHA, "coherency": BETA},
    }
    sim = steady(scenario({"replicas": 8, "capacity": 500.0}, db, {"timeout": 2.0}, 1500.0), 900)
    stretch = 1 + ALPHA * 199 + BETA * 200 * 199
    assert float(sim.floor[0, 2]) == pytest.approx(0.005 * stretch, rel=1e-6)


def storm_fleet(resources: bool) -> Scenario:
    """Ten app replicas with pools of 20 (200 connections, past the knee) in front of a
    database that serves 600/s at best; 400/s arrive; a migration holds a lock for 2 min."""
    db: dict[str, Any] = {
        "name": "db",
        "kind": "database",
        "replicas": 1,
        "capacity": 600.0,
        "service_time": 0.005,
        "max_connections": 300,
    }
    if resources:
        db["resources"] = {"contention": ALPHA, "coherency": BETA}
    return make_scenario(
        components=[GW, {"name": "app", "kind": "service", "replicas": 10, "capacity": 200.0}, db],
        dependencies=[
            {"from": "gw", "to": "app", "timeout": 30.0},
            {"from": "app", "to": "db", "timeout": 2.0, "pool": 20, "retries": {"count": 2}},
        ],
        journeys=[{"name": "shop", "entry": "app", "via": "gw", "rate": 400.0}],
        faults=[
            {"kind": "migration-lock", "target": "db", "at": 600.0, "until": 720.0, "wait": 3.0}
        ],
        truth={"root_cause": {"component": "db", "kind": "migration-lock"}},
    )


def errors(sim: Simulator, start: float, end: float) -> float:
    """Mean error share of the app between two times."""
    a, b = int(start / sim.dt), int(end / sim.dt)
    return float(sim.history.comp["errors"][a:b, 1].mean())


def test_a_connection_storm_outlives_its_trigger_until_load_is_shed() -> None:
    """Metastable collapse (hysteresis): the lock ends at 12 min; past the knee the database
    serves less than arrives, queries queue, callers time out and retry, the pools stay full,
    and it stays collapsed. Without contention the same fleet recovers by itself. Shedding
    load for five minutes lets it recover, and it stays recovered once the shedding stops."""
    plain = Simulator(storm_fleet(resources=False), seed=3)
    plain.run_until(1800)
    assert errors(plain, 600, 720) > 0.5  # the trigger hurts both
    assert errors(plain, 900, 1800) < 0.01  # ... and without the law, it is over when it ends

    stuck = Simulator(storm_fleet(resources=True), seed=3)
    stuck.run_until(2400)
    assert errors(stuck, 900, 2400) > 0.15
    assert stuck.history.comp["connections"][int(900 / 10) : 240, 2].max() == pytest.approx(200)

    shed = Simulator(storm_fleet(resources=True), seed=3)
    shed.run_until(1000)
    act(shed, {"action": "shed-load", "target": "app", "fraction": 0.4})
    shed.run_until(1300)
    act(shed, {"action": "shed-load", "target": "app", "fraction": 0.0})
    shed.run_until(2400)
    assert errors(shed, 1500, 2400) < 0.01
    assert shed.history.comp["connections"][150:240, 2].max() < 44  # below the knee again


def test_restarting_the_callers_or_killing_queries_does_not_end_the_storm() -> None:
    """The tempting fixes leave the loop intact: more app replicas open more connections (the
    collapse deepens), killed queries are replaced by retries within a minute."""
    for spec in (
        {"action": "scale", "target": "app", "replicas": 16},
        {"action": "kill-query", "target": "db"},
    ):
        sim = Simulator(storm_fleet(resources=True), seed=3)
        sim.run_until(1000)
        act(sim, spec)
        sim.run_until(2400)
        assert errors(sim, 1500, 2400) > 0.15, spec


# ------------------------------------------------------------------ reconnect herds


def herd_fleet(pool: int = 25, spread: float = 0.0) -> Scenario:
    """40 app replicas with pools of ``pool`` to a 4-core database; a new connection costs it
    50 ms of CPU."""
    db = {
        "name": "db",
        "kind": "database",
        "replicas": 1,
        "capacity": 2000.0,
        "service_time": 0.005,
        "cpu_limit": 4.0,
        "resources": {"connect_cpu": 0.05},
    }
    app = {"replicas": 40, "capacity": 50.0, "resources": {"reconnect_spread": spread}}
    return scenario(app, db, {"timeout": 2.0, "pool": pool}, rate=800.0)


def restarted(
    sc: Scenario, until: float, then: Callable[[Simulator], None] | None = None
) -> Simulator:
    sim = Simulator(sc, seed=3)
    sim.run_until(300)
    take_down(sim, 2, 1, "restart", backoff=False)  # back after its 30 s restart time
    if then is not None:
        sim.run_until(400)
        then(sim)
    sim.run_until(until)
    return sim


def test_a_reconnect_herd_keeps_a_restarted_store_saturated() -> None:
    """40 x 25 = 1000 connections retried every 10 s (the connect timeout) need 1000 / 10 x
    50 ms = 5 cores of a 4-core store: every handshake shares a saturated CPU, none completes
    before its timeout, and the store stays pegged with no queries served."""
    sim = restarted(herd_fleet(), 900)
    assert sim.load_state is not None
    assert sim.load_state.handshakes[2] == pytest.approx(1000 / 10 * 0.05 / 4)
    assert sim.load_state.open[1] == 0.0
    tail = slice(40, sim.history.ticks)
    assert sim.history.comp["cpu"][tail, 2].min() == pytest.approx(1.0)
    assert sim.history.comp["errors"][tail, 1].min() > 0.99
    assert any(e.kind == "connections" and e.component == "db" for e in sim.events)


def test_spread_reconnects_or_a_smaller_pool_let_the_store_come_back() -> None:
    """Jittered over 60 s, 1000 / 60 connections a second need 0.83 cores: the pools refill
    (1000 / 60 x 10 s = 167 in the first tick) and nothing fails. Pools of 10 (400 in all)
    need 2 cores and open at once. Shrinking the pools during a herd ends it."""
    spread = restarted(herd_fleet(spread=60.0), 900)
    assert spread.load_state is not None
    first = int(340 / 10)  # the first tick with the store back
    assert spread.history.comp["errors"][first:, 1].max() < 0.01
    assert spread.load_state.open[1] == pytest.approx(1000.0, rel=0.01)
    small = restarted(herd_fleet(pool=10), 900)
    assert small.history.comp["errors"][first + 1 :, 1].max() < 0.01

    def shrink(sim: Simulator) -> None:
        act(sim, {"action": "resize-pool", "target": "app", "to": "db", "size": 10})

    rescued = restarted(herd_fleet(), 900, then=shrink)
    assert rescued.history.comp["errors"][60:, 1].max() < 0.01
    assert np.isclose(rescued.load_state.open[1], 400.0)  # type: ignore[union-attr]


def test_a_failover_drops_every_connection_and_starts_the_herd() -> None:
    """After a failover every pool reconnects to the new primary at once (the same sum as a
    restart: 5 cores of handshakes for 4), with no replica lost."""
    sc = herd_fleet()
    replica = {
        "name": "db-replica",
        "kind": "database",
        "replicas": 1,
        "capacity": 2000.0,
        "replica_of": "db",
        "apply_rate": 5000.0,
    }
    sc = sc.model_copy(
        update={"components": [*sc.components, type(sc.components[2]).model_validate(replica)]}
    )
    sim = Simulator(sc, seed=3)
    sim.run_until(300)
    act(sim, {"action": "failover-db", "target": "db"})
    sim.run_until(700)
    assert sim.state.ready[2] == 1
    assert sim.load_state is not None
    assert sim.load_state.open[1] == 0.0
    assert any(e.kind == "connections" for e in sim.events)
