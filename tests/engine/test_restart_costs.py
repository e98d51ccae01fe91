"""What a restart costs (``engine/restart_costs.py``), against references computed by hand:
replicas out for their restart time (all at once, or a quarter at a time as Kubernetes' rolling
restart with ``maxUnavailable: 25%``), a cache's hit ratio refilling by the closed form of the
cache law, and the handshake CPU of the pools a restarted fleet reopens at once."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from chaosgame.engine.restart_costs import CONNECT_CPU, default_connect_cpu
from chaosgame.engine.sim import Simulator
from chaosgame.scenario.actions import mitigation_adapter
from chaosgame.scenario.model import Scenario
from tests.conftest import make_scenario

ADAPTER = mitigation_adapter()
GW = {"name": "gw", "kind": "gateway", "replicas": 4, "capacity": 50000.0, "service_time": 0.002}
DELAY = 60.0  # a restart acts a minute after it is asked for (its catalogue delay)


def fleet(
    app: dict[str, Any], below: dict[str, Any], call: dict[str, Any], rate: float
) -> Scenario:
    """gateway -> app -> one dependency, one journey at ``rate`` requests/s."""
    return make_scenario(
        components=[GW, {"name": "app", "kind": "service", **app}, below],
        dependencies=[
            {"from": "gw", "to": "app", "timeout": 30.0},
            {"from": "app", "to": below["name"], **call},
        ],
        journeys=[{"name": "shop", "entry": "app", "via": "gw", "rate": rate}],
    )


def restarted(
    sc: Scenario, target: str, *, rolling: bool = False, until: float = 900.0
) -> Simulator:
    """Run 5 minutes, restart ``target`` (it acts at 360 s), run on to ``until``."""
    sim = Simulator(sc, seed=2)
    sim._noise = lambda journey, rate: 1.0  # type: ignore[method-assign]
    sim.run_until(300)
    spec: dict[str, Any] = {"action": "restart", "target": target}
    if rolling:
        spec["rolling"] = True
    sim.mitigate(ADAPTER.validate_python(spec))
    sim.run_until(until)
    return sim


DB = {"name": "db", "kind": "database", "replicas": 1, "capacity": 4000.0, "service_time": 0.005}


def tick_of(t: float) -> int:
    return int(t // 10)


def test_all_at_once_every_replica_is_out_for_its_restart_time() -> None:
    """8 replicas recycled at 360 s with a 30 s restart time: none serves in the ticks at 360,
    370 and 380 s (every request fails), all 8 are back at 390 s."""
    sim = restarted(fleet({"replicas": 8}, DB, {"timeout": 1.0}, 200.0), "app")
    ready = sim.history.comp["replicas"][:, 1]
    errors = sim.history.journey["errors"][:, 0]
    for t in (360, 370, 380):
        assert ready[tick_of(t)] == 0
        assert errors[tick_of(t)] == pytest.approx(1.0, abs=1e-6)
    assert ready[tick_of(390)] == 8
    assert errors[tick_of(400)] < 1e-3


def test_a_rolling_restart_recycles_a_quarter_at_a_time_and_barely_hurts() -> None:
    """8 replicas, 30 s restart time: waves of ceil(8 / 4) = 2, each once the last is back, so
    6 serve from 360 s to 480 s (4 waves x 30 s) and 8 after; with 100 % headroom no request
    waits, and only the requests in flight on the recycled pods fail: per wave
    (latency / tick + 2 %) x 2 / 8 of a tick's requests, about half a percent."""
    sim = restarted(fleet({"replicas": 8}, DB, {"timeout": 1.0}, 200.0), "app", rolling=True)
    ready = sim.history.comp["replicas"][:, 1]
    assert [int(ready[tick_of(t)]) for t in range(360, 480, 10)] == [6] * 12
    assert ready[tick_of(480)] == 8
    waves = [e for e in sim.events if e.kind == "restart" and e.component == "app"]
    assert [e.message for e in waves[:4]] == ["2 of 8 replicas restarted"] * 4
    assert waves[-1].message == "rolling restart finished"
    errors = sim.history.journey["errors"][tick_of(360) : tick_of(490), 0]
    assert errors.max() < 0.01
    assert errors.max() > 0.0025  # the requests in flight on the recycled pods


def cached() -> Scenario:
    """app -> a 4-replica cache (warm hit ratio 0.9, 20,000 reads to refill) -> db."""
    cache = {
        "name": "cache",
        "kind": "cache",
        "replicas": 4,
        "capacity": 5000.0,
        "service_time": 0.001,
        "hit_ratio": 0.9,
        "keyspace_reads": 20000.0,
    }
    sc = fleet({"replicas": 4}, cache, {"timeout": 1.0}, 100.0)
    db = {"name": "db", "kind": "database", "replicas": 1, "capacity": 4000.0}
    return sc.model_copy(
        update={
            "components": [*sc.components, type(sc.components[0]).model_validate(db)],
            "dependencies": [
                *sc.dependencies,
                type(sc.dependencies[0]).model_validate({"from": "cache", "to": "db"}),
            ],
        }
    )


def test_a_restarted_cache_comes_back_cold_and_refills_by_the_cache_law() -> None:
    """All at once the hit ratio drops to 0; once the cache serves again it refills as
    ``0.9 (1 - exp(-R / 20000))`` with ``R`` the reads since it came back (the store answers
    every miss), and the misses go to the store meanwhile."""
    sim = restarted(cached(), "cache")
    hit = sim.history.comp["cache_hit"][:, 2].astype(np.float64)
    served = sim.history.comp["served"][:, 2].astype(np.float64)
    back = tick_of(390)
    assert hit[tick_of(360)] == 0.0
    for t in range(back, back + 6):
        reads = served[back : t + 1].sum() * 10.0
        assert hit[t] == pytest.approx(0.9 * (1 - math.exp(-reads / 20000.0)), rel=1e-3)
    db = sim.history.comp["offered"][:, 3]
    assert db[back] > 5 * db[tick_of(300)]  # the cold cache sends its misses to the store


def test_a_rolling_restart_of_a_cache_loses_the_keys_of_each_wave() -> None:
    """Each wave recycles 1 of 4 replicas: the hit ratio falls by a quarter of what it was."""
    sim = restarted(cached(), "cache", rolling=True)
    hit = sim.history.comp["cache_hit"][:, 2].astype(np.float64)
    before = hit[tick_of(350)]
    # the hit ratio written for the tick of the first wave: a quarter lost, then one tick of
    # refilling by the cache law
    served = float(sim.history.comp["served"][tick_of(360), 2]) * 10.0
    after = 0.9 - (0.9 - 0.75 * before) * math.exp(-served / 20000.0)
    assert hit[tick_of(360)] == pytest.approx(after, rel=1e-3)


def pooled(replicas: int, pool: int, cpu: float) -> Scenario:
    db = {**DB, "cpu_limit": cpu}
    return fleet(
        {"replicas": replicas, "capacity": 50.0}, db, {"timeout": 2.0, "pool": pool}, 400.0
    )


def test_restarted_replicas_reopen_their_pools_at_once_and_the_store_pays_the_handshakes() -> None:
    """40 replicas x 25 connections come back at 390 s and open 1,000 connections within the
    connect timeout (10 s): 100 a second at the database's 5 ms each is 0.5 of its 4 cores for
    that tick (``handshakes`` 0.125 of its CPU), then nothing once the pools are open."""
    seen: list[float] = []
    sc = pooled(40, 25, 4.0)
    sim = Simulator(sc, seed=2)
    sim.observers.append(lambda s: seen.append(float(s.load_state.handshakes[2])))  # type: ignore[union-attr]
    sim.run_until(300)
    sim.mitigate(ADAPTER.validate_python({"action": "restart", "target": "app"}))
    sim.run_until(600)
    assert default_connect_cpu("database") == CONNECT_CPU["database"] == 0.005
    assert seen[tick_of(390)] == pytest.approx(1000 / 10 * 0.005 / 4.0)
    assert seen[tick_of(400)] == 0.0
    assert max(seen[: tick_of(390)]) == 0.0
    cpu = sim.history.comp["cpu"][:, 2]
    assert cpu[tick_of(390)] > cpu[tick_of(350)] + 0.1


def test_a_big_fleet_restarted_at_once_saturates_a_small_store_with_handshakes() -> None:
    """200 replicas x 50 connections: 10,000 in 10 s need 1,000 x 5 ms = 5 cores of a 2-core
    database; none completes in time, the herd goes on and the journey fails. Restarted
    rolling, a wave of 50 replicas opens 2,500 (1.25 cores) and the pools fill."""
    sim = restarted(pooled(200, 50, 2.0), "app", until=700)
    assert any(e.kind == "connections" and e.component == "db" for e in sim.events)
    assert sim.history.journey["errors"][tick_of(400) : tick_of(700), 0].min() > 0.9
    rolling = restarted(pooled(200, 50, 2.0), "app", rolling=True, until=900)
    assert not any(e.kind == "connections" for e in rolling.events)
    assert rolling.history.journey["errors"][tick_of(520) :, 0].max() < 0.01


def test_telemetry_shows_the_replicas_out_the_cold_cache_and_the_connection_surge() -> None:
    """What a player can query: available replicas fall to 0 during the restart, the cache's
    hit ratio drops to 0, and the database accepted the reopened pools (4 x 25 = 100 new
    connections, where before it accepted none)."""
    from tests.telemetry.test_gaps import run

    sc = cached()
    deps = [d.model_dump(by_alias=True) for d in sc.dependencies]
    deps[1]["pool"] = 25  # app -> cache
    sim = restarted(
        sc.model_copy(
            update={"dependencies": [type(sc.dependencies[0]).model_validate(d) for d in deps]}
        ),
        "cache",
    )

    def points(q: str) -> dict[float, float]:
        return dict(run(sim, q)[0]["series"][0]["points"])

    up = points('kube_deployment_status_replicas_available{service="cache"}')
    assert up[300.0] == 4
    assert min(up.values()) == 0
    hit = points('cache_hit_ratio{service="cache"}')
    assert hit[300.0] == pytest.approx(0.9, abs=0.01)
    assert min(hit.values()) == pytest.approx(0.0, abs=1e-6)
    opened = points('db_connections_opened_total{service="cache"}')
    assert opened[380.0] == 0.0
    assert opened[max(opened)] == pytest.approx(100.0, rel=1e-3)
