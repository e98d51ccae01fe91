"""Engine defects found while encoding real outages, each checked against an independent
reference: a closed form, a tick computed by hand, or a documented real behaviour."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from chaosgame.engine.sim import Simulator
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


@pytest.mark.parametrize("name", ["dispatch-liveness-death-spiral", "edge-rules-bundle-crash-loop"])
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
