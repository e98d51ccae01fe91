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
from tests.engine.fleet import FLEET, fleet, play


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
    assert "nothing lost" in next(e.message for e in sim.events if "failover-db:" in e.message)
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


# ------------------------------------------------------------- backups


BACKUPS = {
    "backups": [
        {"name": "nightly", "database": "db", "taken_at": -3600.0, "size_gb": 30.0,
         "copy_mb_per_s": 50.0, "method": "logical dump"},
        {"name": "hourly", "database": "db", "taken_at": 120.0, "size_gb": 30.0,
         "copy_mb_per_s": 100.0, "method": "disk snapshot", "restores": "empty"},
    ]
}  # fmt: skip
CRASH = f("database-crash", "db", 300.0)


def restore_event(sim: Simulator) -> tuple[float, str]:
    e = next(e for e in sim.events if e.message.startswith("restore-backup:"))
    return e.time, e.message


def test_a_restore_takes_size_over_throughput_and_loses_the_writes_after_its_backup() -> None:
    """Hand-computed: 30 GB at 50 MB/s is 600 s; the copy lacks every write acknowledged
    after it was taken: an hour before the window at the first tick's rate, plus the window's
    writes until the crash (none after: the crashed primary acknowledged nothing)."""
    spec = m("restore-backup", "db", backup="nightly")
    sim = play([(400.0, spec)], 1200.0, data=BACKUPS, faults=[CRASH])
    at, message = restore_event(sim)
    assert at == pytest.approx(1000.0)  # asked at 400 s, acts on the first tick at or after 1000
    acked = acked_per_tick(sim)
    expected = acked[0] / sim.dt * 3600.0 + acked[:30].sum()
    ds = sim.data
    assert ds is not None
    (loss,) = ds.losses
    assert loss.writes == pytest.approx(expected, rel=1e-4)
    assert "from nightly" in message


def test_a_backup_that_does_not_restore_fails_after_its_copy_and_leaves_the_database_down() -> None:
    """The newest backup (default) is empty: the restore copies for 30 GB / 100 MB/s = 300 s,
    then fails; nothing is lost, nothing comes back."""
    sim = play([(400.0, m("restore-backup", "db"))], 1200.0, data=BACKUPS, faults=[CRASH])
    at, message = restore_event(sim)
    assert at == pytest.approx(700.0)
    assert "restore of hourly failed" in message
    h, db = sim.history, sim.world.index["db"]
    assert float(h.comp["errors"][h.ticks - 1, db]) > 0.99
    assert sim.data is not None
    assert not sim.data.losses


def test_backups_are_listed_in_the_event_timeline_as_jobs() -> None:
    """The player lists backups as job runs (``events kind=job``): name, method, size, time."""
    sim = play([], 300.0, data=BACKUPS)
    jobs = [e for e in sim.events if e.kind == "job"]
    assert [(e.time, e.component) for e in jobs] == [(-3600.0, "db"), (120.0, "db")]
    assert "backup nightly of db completed (logical dump): 30 GB" in jobs[0].message


def test_a_backup_job_that_never_ran_leaves_no_completed_run_in_the_timeline() -> None:
    """Honest evidence: a job that never ran wrote no log of a completed run, so the player
    finds its absence, never a success that did not happen; a restore from it still fails."""
    never = {
        "backups": [{**BACKUPS["backups"][0]}, {**BACKUPS["backups"][1], "restores": "never-ran"}]
    }
    sim = play(
        [(400.0, m("restore-backup", "db", backup="hourly"))], 1200.0, data=never, faults=[CRASH]
    )
    jobs = [e for e in sim.events if e.kind == "job"]
    assert [e.time for e in jobs] == [-3600.0]
    assert "hourly" not in " ".join(e.message for e in jobs)
    assert "restore of hourly failed" in restore_event(sim)[1]


def test_restoring_an_unknown_backup_is_refused_with_the_names() -> None:
    from chaosgame.engine.mitigations import MitigationError

    sim = Simulator(fleet(data=BACKUPS))
    with pytest.raises(MitigationError, match="its backups: nightly, hourly"):
        sim.mitigate(mitigation_adapter().validate_python(m("restore-backup", "db", backup="x")))


def test_the_rpo_choice_each_copy_loses_what_it_lacks() -> None:
    """Hand-computed, one crash, three ways back: waiting for the primary loses nothing (the
    writes it rejected were never acknowledged); promoting the lagging replica loses its
    backlog at the crash (replay at 6/s for 240 s against the acknowledged writes); restoring
    last night's backup loses an hour and five minutes of writes, the most."""
    lag = f("replication-lag", "replica", 60.0, until=300.0)
    crash = {**CRASH, "until": 1200.0}
    waited = play([], 1500.0, data=BACKUPS, faults=[lag, crash])
    promoted = play(
        [(400.0, m("promote-replica", "replica"))], 1500.0, data=BACKUPS, faults=[lag, crash]
    )
    restored = play(
        [(400.0, m("restore-backup", "db", backup="nightly"))],
        1500.0,
        data=BACKUPS,
        faults=[lag, crash],
    )
    lost = [sum(x.writes for x in s.data.losses) for s in (waited, promoted, restored) if s.data]
    acked = acked_per_tick(waited)
    backlog = acked[6:30].sum() - 6.0 * 240.0
    assert lost[0] == 0.0
    assert lost[1] == pytest.approx(backlog, rel=1e-4)
    assert lost[2] == pytest.approx(acked[0] / 10.0 * 3600.0 + acked[:30].sum(), rel=1e-4)
    assert lost[0] < lost[1] < lost[2]


# ------------------------------------------------------------- diverged primaries


SPLIT = f("split-brain", "db", 300.0, until=420.0, writes_elsewhere=0.3)


def test_a_split_brain_diverges_the_copies_by_the_writes_each_took() -> None:
    """Hand-computed: from 300 s to 420 s (ticks 30-41) the old primary takes 30% of the
    acknowledged writes and the promoted copy 70%; after the split the serving copy keeps
    taking every write the other lacks. Replication between them stops (the lag grows a tick
    per tick) and reads miss the other copy's writes (``diverged_reads``)."""
    sim = play([], 600.0, data={"diverged_reads": 0.05}, faults=[SPLIT])
    acked = acked_per_tick(sim)
    ds, db = sim.data, sim.world.index["db"]
    assert ds is not None
    assert ds.theirs[db] == pytest.approx(0.3 * acked[30:42].sum(), rel=1e-4)
    assert ds.ours[db] == pytest.approx(0.7 * acked[30:42].sum() + acked[42:60].sum(), rel=1e-4)
    lag = lag_series(sim)
    assert np.allclose(np.diff(lag[31:60]), 10.0)
    assert float(sim.history.comp["errors"][59, db]) < 0.01  # not errors: wrong answers
    assert sim.wrong[:, db].max() == pytest.approx(0.05)


def test_failing_back_at_once_loses_the_writes_the_promoted_copy_took() -> None:
    """Hand-computed: failing back (asked at 430 s, acting at 550 s) keeps the old primary's
    copy and loses everything only the promoted copy held: 70% of the split's writes and all
    writes since it ended."""
    sim = play([(430.0, m("failover-db", "db"))], 900.0, data={}, faults=[SPLIT])
    acked = acked_per_tick(sim)
    ds = sim.data
    assert ds is not None
    (loss,) = ds.losses
    assert loss.tick == 55
    assert loss.writes == pytest.approx(0.7 * acked[30:42].sum() + acked[42:55].sum(), rel=1e-4)
    assert not ds.theirs.any()


def test_reconciling_takes_diverged_over_rate_and_loses_nothing() -> None:
    """Hand-computed: ``reconcile`` asked at 430 s takes diverged writes / 5 per second; once
    done no write is lost, the copies agree, reads are right and a planned failback loses
    nothing."""
    rules = {"reconcile_per_s": 5.0}
    sim = play([(430.0, m("reconcile", "db"))], 430.0, data=rules, faults=[SPLIT])
    theirs = float(sim.data.theirs[sim.world.index["db"]]) if sim.data else 0.0
    pending = sim.pending[-1]
    assert pending.at == pytest.approx(430.0 + max(60.0, theirs / 5.0))
    sim.run_until(pending.at + 30.0)
    sim.mitigate(mitigation_adapter().validate_python(m("failover-db", "db")))
    sim.run_until(pending.at + 400.0)
    assert sim.data is not None
    assert not sim.data.losses
    assert not sim.data.theirs.any()
    assert sim.wrong[:, sim.world.index["db"]].max() < 1e-3
    out = evaluate(sim, 300.0, 200.0)
    assert not any("lost" in r or "reconciled" in r for r in out.reasons), out.reasons


def test_the_backups_command_lists_the_backup_runs_of_a_database() -> None:
    """The same vocabulary everywhere: ``backups db`` is a query of the job runs, 30 days back."""
    from chaosgame.game.commands import parse_command
    from chaosgame.telemetry.query import run

    action = parse_command("backups db")
    assert action == {"type": "query", "q": "events kind=job component=db --since=30d"}
    assert isinstance(action, dict)
    sim = play([], 300.0, data=BACKUPS)
    result, _cost = run(sim, action["q"])
    assert [e["details"]["backup"] for e in result["events"]] == ["nightly", "hourly"]
