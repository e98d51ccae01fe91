"""Data laws: writes lost, backups, the copies a database can come back on, diverged primaries.

Each test names its independent reference: a closed-form law, a tick computed by hand here, or
a documented real behaviour of replicated databases.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from chaosgame.engine.grading import evaluate
from chaosgame.engine.sim import Simulator
from chaosgame.scenario.actions import mitigation_adapter
from tests.engine.fleet import FLEET, fleet


def play(actions: list[tuple[float, dict[str, Any]]], until: float, **scenario: Any) -> Simulator:
    """Run the catalogue fleet, asking for each mitigation at its time."""
    sim = Simulator(fleet(**scenario))
    for at, spec in sorted(actions, key=lambda a: a[0]):
        sim.run_until(at)
        sim.mitigate(mitigation_adapter().validate_python(spec))
    sim.run_until(until)
    return sim


def m(action: str, target: str, **params: Any) -> dict[str, Any]:
    return {"action": action, "target": target, **params}


def f(kind: str, target: str, at: float, **params: Any) -> dict[str, Any]:
    return {"kind": kind, "target": target, "at": at, **params}


def lag_series(sim: Simulator, name: str = "replica") -> np.ndarray:
    h = sim.history
    return h.comp["replication_lag"][: h.ticks, sim.world.index[name]].astype(np.float64)


def with_second_replica() -> list[dict[str, Any]]:
    """The fleet's components plus a second replica of ``db``, in the primary's region."""
    second = {
        "name": "replica-eu",
        "kind": "database",
        "region": "eu",
        "replicas": 1,
        "capacity": 300.0,
        "service_time": 0.005,
        "replica_of": "db",
        "apply_rate": 60.0,
        "write_fraction": 0.0,
    }
    return [*FLEET["components"], second]


# ------------------------------------------------------------- defects


def test_a_failover_after_a_crash_loses_no_rejected_write() -> None:
    """Documented behaviour: a write the crashed primary rejected was never acknowledged, so it
    is not in any copy and cannot be lost; only acknowledged writes the replica had not applied
    are. Replication keeps up before the crash (apply 60/s above the write rate), so a failover
    loses nothing and the check sees no lost write."""
    crash = [f("database-crash", "db", 300.0)]
    sim = play([(600.0, m("failover-db", "db"))], 1500.0, faults=crash)
    h = sim.history
    assert float(h.journey["lost"][: h.ticks].max()) == 0.0
    assert "after catching up" in next(e.message for e in sim.events if "failover-db:" in e.message)
    out = evaluate(sim, 300.0, 600.0)
    assert not any("lost" in r for r in out.reasons), out.reasons


def test_replication_lag_grows_a_second_per_second_once_replay_stops() -> None:
    """Hand-computed: a replica whose replay stops entirely reports the time since the last
    write it applied, which grows by one tick (10 s) per tick; never a near-infinite lag."""
    stopped = [f("replication-lag", "replica", 300.0, apply_factor=0.0)]
    sim = play([], 600.0, faults=stopped)
    lag = lag_series(sim)
    assert lag.max() < 400.0
    run = lag[31:60]
    assert np.allclose(np.diff(run), 10.0)


def test_promote_replica_promotes_the_replica_named() -> None:
    """Hand-computed: promoting ``replica-eu`` moves the primary to its region (eu) and clears
    its own backlog, whatever the order of the replicas."""
    sim = play(
        [(300.0, m("promote-replica", "replica-eu"))], 400.0, components=with_second_replica()
    )
    w, st = sim.world, sim.state
    message = next(e.message for e in sim.events if "promote-replica:" in e.message)
    assert message.startswith("promote-replica: replica-eu promoted"), message
    assert w.regions[int(st.region[w.index["replica-eu"]])] == "eu"
    assert w.regions[int(st.region[w.index["replica"]])] == "us"  # untouched


# ------------------------------------------------------------- writes lost, counted


def acked_per_tick(sim: Simulator, name: str = "db") -> np.ndarray:
    """Writes a database acknowledged each tick, from its history (reference): requests it
    served that did not fail, times its write share, times the tick."""
    h, i = sim.history, sim.world.index[name]
    served = h.comp["served"][: h.ticks, i].astype(np.float64)
    errors = h.comp["errors"][: h.ticks, i].astype(np.float64)
    return served * (1.0 - errors) * sim.scenario.component(name).write_fraction * sim.dt


def durability_bad(sim: Simulator) -> float:
    from chaosgame.engine import slo

    (s,) = [x for x in slo.all_series(sim) if x.slo.sli == "durability"]
    return float(s.bad.sum())


def test_a_data_block_that_is_never_used_changes_no_number() -> None:
    """Opt-in: with a ``data:`` block and no loss, every recorded number is as without it."""
    plain = play([], 900.0)
    counted = play([], 900.0, data={})
    assert plain.history.digest() == counted.history.digest()


def test_acknowledged_writes_are_served_writes_that_did_not_fail() -> None:
    """Hand-computed per tick: ``served x (1 - errors) x write_fraction``, so a crashed primary
    acknowledges nothing."""
    sim = play([], 900.0, data={}, faults=[f("database-crash", "db", 600.0)])
    ds = sim.data
    assert ds is not None
    col = int(np.flatnonzero(ds.dbs == sim.world.index["db"])[0])
    mine = np.diff(np.array([0.0] + [float(t[col]) for t in ds.totals]))
    assert np.allclose(mine, acked_per_tick(sim), rtol=1e-5)
    assert mine[62:].max() < 1e-9  # the crash: every write rejected


def test_promoting_a_lagging_replica_counts_every_write_it_lacked() -> None:
    """Hand-computed: replay at 10% of 60 writes/s from 60 s to 300 s leaves a backlog of
    ``sum(acked) - 6/s x 240 s`` (the backlog never empties); promoting (asked at 250 s, 45 s
    to act: the tick of 300 s) loses exactly that many writes, all counted by the durability
    SLO (not one tick's share)."""
    lag = [f("replication-lag", "replica", 60.0, until=300.0)]
    sim = play([(250.0, m("promote-replica", "replica"))], 500.0, data={}, faults=lag)
    acked = acked_per_tick(sim)
    backlog = acked[6:30].sum() - 6.0 * 240.0
    ds = sim.data
    assert ds is not None
    (loss,) = ds.losses
    assert loss.writes == pytest.approx(backlog, rel=1e-4)
    assert loss.writes > acked[30] * 3  # several ticks' worth of writes
    # shared by the classes' load on the database the tick before (history), shop's part
    w = sim.world
    load = sim.history.cls["offered"][29, :, w.index["db"]].astype(np.float64)
    shop = load[w.class_journey == 0].sum() / load.sum()
    assert durability_bad(sim) == pytest.approx(backlog * shop, rel=1e-4)
    assert float(sim.history.journey["lost"][: sim.history.ticks].max()) == 0.0  # no pulse
