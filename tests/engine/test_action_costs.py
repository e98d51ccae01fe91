"""What rollbacks, scale-outs and failovers cost (``engine/costs.py``, ``game/harm.py``).

Each test names its independent reference: a closed form computed by hand here, or a
documented real behaviour (Kubernetes rolling updates, asynchronous replication).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from chaosgame.engine.sim import Simulator
from chaosgame.game import harm
from chaosgame.scenario.actions import mitigation_adapter
from chaosgame.scenario.harm import PRICE_PER_NODE_HOUR, PRICE_PER_REPLICA_HOUR
from tests.engine.fleet import FLEET, fleet

DELAY = 120.0
"""The rollback's own delay before it starts (``scenario/actions.py``)."""


def m(action: str, target: str, **params: Any) -> Any:
    return mitigation_adapter().validate_python({"action": action, "target": target, **params})


def watched(sc: Any) -> tuple[Simulator, dict[float, Simulator]]:
    """A simulator and, by tick start, what to read of its modifiers (filled as it runs)."""
    sim = Simulator(sc)
    seen: dict[float, Any] = {}

    def observe(s: Simulator) -> None:
        i, e = s.world.index["api"], s.world.edge_index[("api", "db")]
        seen[round(s.now, 6)] = (s.mods.err[:, i].copy(), float(s.mods.edge_fail[e]))

    sim.observers.append(observe)
    return sim, seen


def deployed(strategy: str = "rolling", **ships: Any) -> list[dict[str, Any]]:
    """``api`` on v2 since yesterday (deployed over 300 s), v1 before it."""
    v2: dict[str, Any] = {"at": -3600.0, "component": "api", "version": "v2", "duration": 300.0}
    v2["strategy"] = strategy
    if ships:
        v2["ships"] = ships
    return [*FLEET["deploys"], v2]


def v1_share(sim: Simulator) -> float:
    return sim.state.versions[sim.world.index["api"]].share("v1", sim.now)


# ------------------------------------------------------------------ rollbacks
def test_a_rollback_replaces_the_pods_over_the_deploy_duration() -> None:
    """Closed form (a rolling update replaces pods at a steady pace, Kubernetes'
    ``maxSurge``/``maxUnavailable`` waves): asked at 300 s, the rollback starts at 420 s and v1
    serves ``(t - 420) / 300`` of the traffic: 0.5 at 570 s, all of it from 720 s."""
    sim = Simulator(fleet(deploys=deployed()))
    sim.run_until(300.0)
    assert sim.mitigate(m("rollback", "api")) == 300.0 + DELAY
    sim.run_until(570.0)
    assert v1_share(sim) == pytest.approx(0.5)
    sim.run_until(730.0)
    v = sim.state.versions[sim.world.index["api"]]
    assert (v.stable, v.rollout) == ("v1", None)
    assert "v2" not in v.history  # the rolled-back version is gone, not queued to come back
    said = next(e.message for e in sim.events if e.message.startswith("rollback:"))
    assert said == "rollback: v2 -> v1: rolling back, every pod replaced in 5 min"


def test_a_blue_green_rollback_switches_at_once() -> None:
    """Documented behaviour: blue-green keeps the old stack, so going back is a switch."""
    sim = Simulator(fleet(deploys=deployed("blue-green")))
    sim.run_until(sim.mitigate(m("rollback", "api")) + 10.0)
    assert v1_share(sim) == 1.0


def test_aborting_a_rollout_takes_what_it_reached() -> None:
    """Closed form: a 300 s rollout started at 60 s has reached ``w = 0.2`` at 120 s; an abort
    effective then brings its pods back over ``w x 300 = 60`` s: v1 at 0.9 at 150 s."""
    v2 = {"at": 60.0, "component": "api", "version": "v2", "duration": 300.0}
    sim = Simulator(fleet(deploys=[*FLEET["deploys"], v2]))
    sim.run_until(0.0)
    sim.mitigate(m("rollback", "api"))
    sim.run_until(150.0)
    assert v1_share(sim) == pytest.approx(0.9)
    sim.run_until(190.0)
    assert sim.state.versions[sim.world.index["api"]].rollout is None


def test_a_rollback_past_a_shipped_feature_fails_its_requests() -> None:
    """Tick by hand: the feature is 20 % of the shop journey's requests, served only by v2.
    Halfway through the rollback (570 s) half the pods are v1: 0.2 x 0.5 = 0.1 of shop's
    requests fail at api; login's never do. Once every pod is v1: 0.2. The migration fails 5 %
    of every request on v1 on top: ``1 - (1 - 0.2)(1 - 0.05) = 0.24`` for shop."""
    feature = {"what": "one-click reorder", "share": 0.2, "journey": "shop"}
    sc = fleet(deploys=deployed(features=[feature]))
    sim, seen = watched(sc)
    w = sim.world
    shop = w.class_journey == w.journeys.index("shop")
    sim.run_until(300.0)
    sim.mitigate(m("rollback", "api"))
    sim.run_until(1000.0)
    assert seen[400.0][0].max() == 0.0  # before the rollback nothing fails
    assert seen[570.0][0][shop] == pytest.approx(0.1)
    assert seen[570.0][0][~shop].max() == 0.0
    assert seen[900.0][0][shop] == pytest.approx(0.2)
    said = next(e.message for e in sim.events if e.message.startswith("rollback:"))
    assert said.endswith("v1 lacks what v2 shipped: one-click reorder")

    migration = {"what": "orders.v2 columns", "share": 0.05}
    sc = fleet(deploys=deployed(features=[feature], migration=migration))
    sim, seen = watched(sc)
    sim.run_until(300.0)
    sim.mitigate(m("rollback", "api"))
    sim.run_until(1000.0)
    assert seen[900.0][0][shop] == pytest.approx(1.0 - 0.8 * 0.95)
    assert seen[900.0][0][~shop] == pytest.approx(0.05)


def test_a_degraded_feature_answers_wrongly_and_an_unfinished_rollout_shipped_nothing() -> None:
    """Tick by hand: ``without: degrade`` makes 30 % of the requests wrong on v1, not failed.
    A rollout aborted before it reached every pod shipped nothing clients rely on."""
    feature = {"what": "smart sort", "share": 0.3, "without": "degrade"}
    sim = Simulator(fleet(deploys=deployed(features=[feature])))
    sim.run_until(300.0)
    sim.mitigate(m("rollback", "api"))
    sim.run_until(1000.0)
    i = sim.world.index["api"]
    assert sim.mods.wrong[:, i] == pytest.approx(np.full(sim.world.k, 0.3))
    assert sim.mods.err[:, i].max() == 0.0

    v2 = {"at": 60.0, "component": "api", "version": "v2", "duration": 600.0}
    v2["ships"] = {"features": [feature]}
    sim = Simulator(fleet(deploys=[*FLEET["deploys"], v2]))
    sim.run_until(120.0)
    sim.mitigate(m("rollback", "api"))
    sim.run_until(1000.0)
    assert sim.mods.wrong[:, i].max() == 0.0


# ------------------------------------------------------------------ failovers
RESOLVING = {"api": {"resolver": "dns", "dns_ttl": 60.0}}


def test_callers_that_cached_the_old_primary_fail_until_their_ttl() -> None:
    """Closed form (the stale-address law with no sticky clients): api resolves through dns with
    a 60 s TTL; ``t`` seconds after the failover ``1 - t / 60`` of its calls to db still go to
    the old primary and fail: 2/3 after 20 s, none after 60 s."""
    sim, seen = watched(fleet(patch=RESOLVING))
    sim.run_until(300.0)
    at = sim.mitigate(m("failover-db", "db"))
    sim.run_until(at + 120.0)
    assert seen[at - 10.0][1] == 0.0
    assert seen[at + 20.0][1] == pytest.approx(1.0 - 20.0 / 60.0)
    assert seen[at + 60.0][1] == 0.0
    said = next(e.message for e in sim.events if e.message.startswith("failover-db:"))
    assert said.endswith("api still cache the old address")


def test_the_refresh_is_opt_in_without_a_resolver() -> None:
    """Without a resolver a caller follows at once (a virtual IP or proxy); ``address_refresh``
    gives it a connection pool that keeps the old primary for that long: 1 - 30 / 120."""
    sim, seen = watched(fleet())
    sim.run_until(300.0)
    at = sim.mitigate(m("failover-db", "db"))
    sim.run_until(at + 60.0)
    assert max(v[1] for v in seen.values()) == 0.0
    sim, seen = watched(fleet(patch={"api": {"address_refresh": 120.0}}))
    sim.run_until(300.0)
    at = sim.mitigate(m("failover-db", "db"))
    sim.run_until(at + 60.0)
    assert seen[at + 30.0][1] == pytest.approx(0.75)


def test_a_switchover_refuses_writes_until_the_replica_caught_up_a_promotion_loses_them() -> None:
    """Documented behaviour of asynchronous replication (PostgreSQL, MySQL): a planned
    switchover makes the primary read-only until the replica has applied its backlog ``B``
    (``B / apply rate`` seconds, here 60/s x the lag fault's factor), then promotes it: no
    write lost, and db fails its write share (0.3) of requests meanwhile. Promoting the replica
    at once instead loses exactly ``B``."""
    lag = [{"kind": "replication-lag", "target": "replica", "at": 60.0, "until": 3000.0}]
    sim = Simulator(fleet(faults=lag))
    sim.run_until(300.0)
    at = sim.mitigate(m("failover-db", "db"))
    sim.run_until(at)
    r, db = sim.world.index["replica"], sim.world.index["db"]
    backlog = float(sim.state.repl_backlog[r])
    catch_up = backlog / (60.0 * float(sim.mods.apply_factor[r]))
    assert backlog > 1.0
    assert catch_up > 2 * sim.dt
    sim.run_until(at + sim.dt)
    said = next(e.message for e in sim.events if e.message.startswith("failover-db:"))
    assert f"writes refused for {catch_up:.0f} s while it catches up, nothing lost" in said
    assert sim.mods.err[:, db] == pytest.approx(np.full(sim.world.k, 0.3))
    sim.run_until(at + catch_up + 2 * sim.dt)
    assert sim.mods.err[:, db].max() == 0.0
    h = sim.history
    assert h.journey["lost"][: h.ticks].max() == 0.0

    sim = Simulator(fleet(faults=lag))
    sim.run_until(300.0)
    at = sim.mitigate(m("promote-replica", "replica"))
    sim.run_until(at)
    backlog = float(sim.state.repl_backlog[r])
    sim.run_until(at + sim.dt)
    said = next(e.message for e in sim.events if e.message.startswith("promote-replica:"))
    assert f"losing {backlog:.0f} unreplicated writes" in said


# ------------------------------------------------------------------ capacity cost
def test_extra_replicas_and_added_nodes_are_billed_by_the_hour() -> None:
    """Hand arithmetic on the default prices: api scaled 3 -> 6 (billed from when it takes
    effect, ``a``) and 2 nodes added (billed from their launch, ``b``), measured until ``T``:
    ``3 x (T - a) / 3600 x 0.10 + 2 x (T - b) / 3600 x 0.40``. Without ``harm:`` the scenario
    still measures it."""
    sim = Simulator(fleet(duration=7200.0))
    sim.run_until(600.0)
    a = sim.mitigate(m("scale", "api", replicas=6))
    b = sim.mitigate(m("add-nodes", "prod", count=2))
    end = 4200.0
    sim.run_until(end)
    got = harm.measures(sim.scenario, harm.series(sim), 0, int(end / sim.dt), sim.dt)
    replica_s, node_s = 3 * (end - a), 2 * (end - b)
    want = (replica_s * PRICE_PER_REPLICA_HOUR["service"] + node_s * PRICE_PER_NODE_HOUR) / 3600
    assert got["extra_replica_s"] == pytest.approx(replica_s)
    assert got["extra_node_s"] == pytest.approx(node_s)
    assert got["cost"] == pytest.approx(want, abs=0.005)


def test_a_scenario_can_price_capacity_its_own_way() -> None:
    """Hand arithmetic: a database replica-hour priced 2.0 and nodes 1.0: one extra db
    replica from ``a`` and one node from ``b`` until ``T`` cost ``2 (T - a) + (T - b)`` / 3600."""
    sc = fleet(
        duration=7200.0, harm={"cost": {"per_kind": {"database": 2.0}, "per_node_hour": 1.0}}
    )
    sim = Simulator(sc)
    sim.run_until(600.0)
    a = sim.mitigate(m("scale", "db", replicas=2))
    b = sim.mitigate(m("add-nodes", "prod", count=1))
    end = 4200.0
    sim.run_until(end)
    got = harm.measures(sc, harm.series(sim), 0, int(end / sim.dt), sim.dt)
    assert got["cost"] == pytest.approx((2.0 * (end - a) + (end - b)) / 3600, abs=0.005)
