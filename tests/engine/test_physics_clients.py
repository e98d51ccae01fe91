"""The clients' laws (``engine/clients.py``), each against an independent reference.

The references: ticks computed by hand in the tests (backoff waves, jitter spreads, the
pent-up reservoir), closed forms (``1 + p + ... + p^r`` attempts, the linear expiry of
address caches), and a seeded Monte Carlo of clients for the arrival shares.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from chaosgame.engine import clients
from chaosgame.engine import physics as ph
from chaosgame.engine.sim import Simulator
from chaosgame.engine.state import Modifiers
from tests.conftest import make_scenario

DT = 10.0


def journey(**client: Any) -> dict[str, Any]:
    return {"name": "shop", "entry": "api", "via": "gw", "rate": 40.0, "clients": client}


def harness(**client: Any) -> Simulator:
    """A tiny world whose one journey has these clients; the tests drive the clients by hand."""
    return Simulator(make_scenario(journeys=[journey(**client)]), seed=1)


def drive(sim: Simulator, demand: list[float], p: list[float], shed: float = 0.0) -> list[float]:
    """Call the clients tick by tick with ``demand`` (requests/s) and the failure share the
    clients saw the tick before (``p[t]`` is what tick ``t``'s clients react to). Returns the
    attempts per second at the front door, tick by tick."""
    w = sim.world
    front = int(w.class_front[0])
    out = []
    for t, (d, fail) in enumerate(zip(demand, p, strict=True)):
        sim.tick = t
        sim.err = np.zeros((w.k, w.n))
        sim.err[0, front] = fail
        m = Modifiers.neutral(w)
        m.shed[front] = shed
        at_front, at_old = clients.arrivals(sim, m, np.array([d]))
        out.append(float(at_front[0] + at_old[0]))
    return out


# ------------------------------------------------------------------ retries with backoff


def test_arrival_shares_by_hand() -> None:
    """Failures spread uniformly over their tick, waiting a fixed or uniform delay (ticks of
    10 s): worked out with the trapezoid of ``u + v`` by hand."""
    share = clients.arrival_shares
    assert share(30.0, 30.0, DT).tolist() == pytest.approx([0, 0, 0, 1])  # lands in tick 3
    assert share(15.0, 15.0, DT).tolist() == pytest.approx([0, 0.5, 0.5])  # straddles two
    assert share(0.0, 20.0, DT).tolist() == pytest.approx([0.25, 0.5, 0.25])  # full jitter
    assert share(0.0, 30.0, DT).tolist() == pytest.approx([1 / 6, 1 / 3, 1 / 3, 1 / 6])
    assert share(10.0, 20.0, DT).tolist() == pytest.approx([0, 0.5, 0.5])  # equal jitter
    assert share(0.5, 0.5, DT).tolist() == pytest.approx([0.95, 0.05])  # a short backoff


@pytest.mark.parametrize(("low", "high"), [(0.0, 37.0), (12.0, 24.0), (23.0, 23.0)])
def test_arrival_shares_match_simulated_clients(low: float, high: float) -> None:
    """A seeded Monte Carlo of clients: each fails at a uniform moment of its tick and waits a
    uniform delay; the tick its retry lands in is counted."""
    rng = np.random.default_rng(5)
    n = 400_000
    lands = np.floor(rng.uniform(0, DT, n) + rng.uniform(low, high, n)) // DT
    counted = np.bincount(lands.astype(int)) / n
    model = clients.arrival_shares(low, high, DT)
    assert model[: counted.size] == pytest.approx(counted, abs=3e-3)
    assert model.sum() == pytest.approx(1.0)


def test_waits_double_up_to_the_cap() -> None:
    sc = make_scenario(journeys=[journey(retries=4, backoff=10.0, max_backoff=30.0, jitter="none")])
    c = sc.journeys[0].clients
    assert c is not None
    assert clients.backoff_waits(c) == [(10, 10), (20, 20), (30, 30), (30, 30)]


def test_without_jitter_a_synchronized_failure_comes_back_in_waves() -> None:
    """100 clients start together, everything fails; backoff 10 s doubling, no jitter: the
    retries arrive all at once 10 s, 30 s and 70 s after the first try (ticks 1, 3, 7)."""
    sim = harness(retries=3, backoff=10.0, jitter="none")
    seen = drive(sim, [100.0] + [0.0] * 9, [1.0] * 10)
    assert seen == pytest.approx([100, 100, 0, 100, 0, 0, 0, 100, 0, 0])


def test_full_jitter_spreads_the_same_retries() -> None:
    """The same clients with full jitter, by hand. Retry 1 waits U(0, 10 s): shares 1/2, 1/2
    of ticks 0 and 1. Retry 2 waits U(0, 20 s): 1/4, 1/2, 1/4. Everything fails, so tick 0
    sees 100 + 50 (retry 1) + 12.5 (retry 2 of those 50); tick 1 sees the other 50 of
    retry 1, 25 of the first 50's retry 2 and 12.5 of the second 50's retry 2 (those are
    the second 50's own share 1/4); and so on."""
    sim = harness(retries=2, backoff=10.0, jitter="full")
    seen = drive(sim, [100.0, 0, 0, 0, 0], [1.0] * 5)
    # retry 2 from the 50 failing in tick 0: 12.5, 25, 12.5 in ticks 0, 1, 2
    # retry 2 from the 50 failing in tick 1: 12.5, 25, 12.5 in ticks 1, 2, 3
    assert seen == pytest.approx([162.5, 50 + 25 + 12.5, 12.5 + 25, 12.5, 0])


def test_no_jitter_concentrates_the_recovery_surge() -> None:
    """The failure lifts after tick 0. Without jitter, the whole first tick's retries land on
    the first healthy tick (twice the traffic); with full jitter half of them already came
    back (and failed) in tick 0, and the first healthy tick sees 1.5 times the traffic."""
    flat = drive(harness(retries=1, backoff=10.0, jitter="none"), [100.0] * 3, [1, 0, 0])
    jittered = drive(harness(retries=1, backoff=10.0, jitter="full"), [100.0] * 3, [1, 0, 0])
    assert flat == pytest.approx([100, 200, 100])
    assert jittered == pytest.approx([150, 150, 100])


@pytest.mark.parametrize(("p", "retries", "jitter"), [(0.3, 3, "none"), (0.6, 2, "full")])
def test_steady_failure_multiplies_attempts_like_call_retries(
    p: float, retries: int, jitter: str
) -> None:
    """Closed form: with per-attempt failure ``p`` and ``r`` retries the front door sees
    ``1 + p + ... + p^r`` attempts per request once the retries of earlier ticks are due."""
    sim = harness(retries=retries, backoff=5.0, jitter=jitter)
    seen = drive(sim, [40.0] * 30, [p] * 30)
    expected = 40.0 * sum(p**a for a in range(retries + 1))
    assert seen[-1] == pytest.approx(expected)
    assert seen[-1] == pytest.approx(40.0 * float(ph.attempts_per_request(p, retries)))


# ------------------------------------------------------------------ pent-up demand


def test_pent_up_reservoir_by_hand() -> None:
    """Half of the users who fail come back; ``after = dt / ln 2`` drains half the reservoir
    each tick. 100 requests/s for three failing ticks, then service returns:

    tick 0: 100/s fail -> reservoir 0.5 x 100 x 10 = 500
    tick 1: 250 come back (25/s): 125/s fail -> 250 + 0.5 x 1250 = 875
    tick 2: 437.5 come back: 143.75/s fail -> 437.5 + 718.75 = 1156.25
    tick 3 (healthy): 578.125 come back: 157.8125/s, all served -> 578.125
    tick 4: 289.0625 come back: 128.90625/s
    """
    sim = harness(pent_up={"share": 0.5, "after": DT / math.log(2)})
    seen = drive(sim, [100.0] * 5, [1, 1, 1, 0, 0])
    assert seen == pytest.approx([100, 125, 143.75, 157.8125, 128.90625])
    assert sim.clients is not None
    assert float(sim.clients.reservoir[0]) == pytest.approx(289.0625)


def test_users_told_to_come_back_later_do_not_retry_at_once() -> None:
    """A shed request (503 with Retry-After) is not retried by the client's backoff loop; the
    pent-up share comes back later. Shedding half, with three client retries: the front door
    sees the demand plus the returning users, never the 1 + q + q^2 + q^3 of a retry storm."""
    sim = harness(retries=3, backoff=5.0, jitter="none", pent_up={"share": 1.0, "after": 86400.0})
    seen = drive(sim, [100.0] * 6, [0.0] + [0.5] * 5, shed=0.5)
    assert seen == pytest.approx([100.0] * 6, rel=1e-3)  # a day's wait: few come back yet
    assert sim.clients is not None
    # the shed half of five ticks went to the reservoir (shed seen from tick 1 on)
    assert float(sim.clients.reservoir[0]) == pytest.approx(0.5 * 100 * DT * 5, rel=1e-3)


def test_the_returning_herd_knocks_a_recovered_service_over() -> None:
    """In the engine: the API fails for five minutes; its users' clients retry three times and
    most come back later. After the fault ends, the front door sees far more than the normal
    traffic, and the API, sized for normal traffic, fails again after it came back."""
    js = [journey(retries=3, backoff=5.0, jitter="none", pent_up={"share": 0.9, "after": 120.0})]
    faults = [{"kind": "dependency-outage", "target": "db", "at": 300.0, "until": 600.0}]
    sim = Simulator(make_scenario(journeys=js, faults=faults), seed=1)
    sim.run_until(900.0)
    rate = sim.history.journey["rate"][:, 0]
    errors = sim.history.journey["errors"][:, 0]
    assert rate[20:29].mean() == pytest.approx(40.0, rel=0.1)
    assert rate[62:70].mean() > 2 * 40.0  # the herd after the fault ended
    assert errors[62:70].mean() > 0.2
    plain = Simulator(make_scenario(faults=faults), seed=1)
    plain.run_until(900.0)
    assert plain.history.journey["errors"][62:70, 0].mean() < 0.01  # no herd, no relapse


# ------------------------------------------------------------------ stale addresses


def test_stale_share_expires_linearly_over_the_ttl() -> None:
    """Caches filled at uniformly spread times, each holding the address for the TTL: the
    share still holding the old one falls linearly to the sticky share."""
    assert clients.stale_share(100.0, 200.0, 60.0, 0.1) == 1.0
    assert clients.stale_share(200.0, 200.0, 60.0, 0.1) == pytest.approx(1.0)
    assert clients.stale_share(230.0, 200.0, 60.0, 0.1) == pytest.approx(0.1 + 0.9 * 0.5)
    assert clients.stale_share(260.0, 200.0, 60.0, 0.1) == pytest.approx(0.1)
    assert clients.stale_share(900.0, 200.0, 60.0, 0.0) == 0.0


def stale_world() -> Simulator:
    comps = [
        {"name": "gw", "kind": "gateway", "replicas": 2, "capacity": 500.0, "service_time": 0.002},
        {"name": "old-lb", "kind": "gateway", "replicas": 0, "capacity": 500.0},
        {"name": "api", "kind": "service", "replicas": 2, "capacity": 50.0, "service_time": 0.02},
        {"name": "db", "kind": "database", "replicas": 1, "capacity": 400.0},
    ]
    move = {"old": "old-lb", "at": 300.0, "ttl": 200.0, "sticky": 0.1}
    sc = make_scenario(components=comps, journeys=[journey(stale_address=move)])
    return Simulator(sc, seed=1)


def test_clients_with_a_stale_address_fail_where_the_old_target_is_gone() -> None:
    """The address moved at 300 s from a load balancer that is gone (no replicas). The share
    of requests that fail is the share of caches not yet refreshed: at 400 s (half the TTL)
    0.1 + 0.9 x 0.5 = 0.55; after the TTL only the sticky 10 %."""
    sim = stale_world()
    sim.run_until(700.0)
    h, old = sim.history, sim.world.index["old-lb"]
    errors, rate = h.journey["errors"][:, 0], h.journey["rate"][:, 0]
    assert errors[20] == pytest.approx(1.0)  # before the move, the journey used old-lb
    assert errors[40] == pytest.approx(0.55, abs=1e-6)
    assert errors[60] == pytest.approx(0.1, abs=1e-6)
    assert h.comp["offered"][40, old] == pytest.approx(0.55 * rate[40], rel=1e-5)
    assert any("moved from old-lb to gw" in e.message for e in sim.events)


# ------------------------------------------------------------------ stale versions


def test_old_app_versions_fail_on_pods_without_their_api() -> None:
    """A fifth of the users run an old app; the API it calls is gone in v2. A rolling deploy
    of v2 over 200 s from 300 s: the journey fails 0.2 x (share of pods on v2)."""
    js = [journey(stale_version={"share": 0.2, "removed_in": ["v2"]})]
    deploys = [{"at": 300.0, "component": "api", "version": "v2", "duration": 200.0}]
    sim = Simulator(make_scenario(journeys=js, deploys=deploys), seed=1)
    sim.run_until(700.0)
    errors = sim.history.journey["errors"][:, 0]
    assert errors[25] == 0.0
    assert errors[40] == pytest.approx(0.2 * 0.5, abs=1e-6)  # half the pods at 400 s
    assert errors[60] == pytest.approx(0.2, abs=1e-6)


# ------------------------------------------------------------------ opt-in


def test_an_empty_clients_block_changes_nothing_bit_for_bit() -> None:
    """Clients that neither retry, come back nor cache leave the demand as it is; a journey
    without the block never reaches the clients' code at all."""
    faults = [{"kind": "dependency-outage", "target": "db", "at": 300.0, "until": 600.0}]
    plain = Simulator(make_scenario(faults=faults), seed=3)
    empty = Simulator(make_scenario(journeys=[journey()], faults=faults), seed=3)
    assert plain.world.clients is None
    assert plain.clients is None
    assert empty.world.clients is not None
    plain.run_until(900.0)
    empty.run_until(900.0)
    assert plain.history.digest() == empty.history.digest()


def test_a_clients_block_that_makes_no_sense_is_refused_with_where_and_what() -> None:
    from pydantic import ValidationError

    bad = journey(
        backoff=10.0, max_backoff=5.0, stale_address={"old": "gw", "at": 10.0, "ttl": 5.0}
    )
    with pytest.raises(ValidationError) as err:
        make_scenario(journeys=[bad])
    text = str(err.value)
    assert "journeys[0].clients.max_backoff: shorter than the backoff (10s)" in text
    assert "journeys[0].clients.stale_address.old: 'gw' is where the journey's address" in text
    with pytest.raises(ValidationError, match="unknown component 'lb-gone'"):
        make_scenario(journeys=[journey(stale_address={"old": "lb-gone", "at": 0, "ttl": 5})])
