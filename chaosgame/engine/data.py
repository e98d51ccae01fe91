"""Data laws (a scenario's ``data:`` block, ``chaosgame.scenario.data``): writes lost counted as
writes, backups restored at their copy throughput, diverged primaries and their reconciliation.

* **Acknowledged writes.** Every tick each database acknowledges
  ``sum_k served_k x (1 - err_k) x write_fraction x write_factor`` writes per second (a write it
  rejected was an error for its client: unavailability, not a lost write). Their running total
  says how many writes a copy taken at time ``T`` lacks: the writes acknowledged since ``T``
  (before the window, at the rate of the first tick).
* **Writes lost** are counted, not pulsed: a failover loses the writes its replica had not
  applied, a restore the writes acknowledged after its backup was taken, a failback across
  diverged copies the writes only the abandoned copy took. Each loss is shared among the
  classes of traffic by their load on the database at that tick, and the durability SLO counts
  it as that many bad events (:func:`lost_by_class`).
* **Backups** are objects: a restore picks one (``backup:``, default the newest), takes
  ``size / throughput``, and either brings the database back on its copy or fails as the
  scenario says (corrupt, empty, never ran), leaving it as it was.
* **Diverged primaries.** While a split brain lets the old primary take a share ``s`` of the
  writes, the other copy gains ``s`` of them and the serving copy ``1 - s``; the copies stay
  diverged (replication stopped, reads missing the other copy's writes wrong at
  ``data.diverged_reads``) until ``reconcile`` (diverged writes / ``reconcile_per_s``) merges
  them, or a failover keeps one copy and loses the other's.

Only scenarios with a ``data:`` block have a :class:`DataState` (``Simulator.data``); without
one none of this runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from chaosgame.engine.physics import TINY
from chaosgame.engine.world import F64, I64
from chaosgame.scenario.data import Backup, Data

if TYPE_CHECKING:
    from chaosgame.engine.sim import Event, Simulator
    from chaosgame.engine.state import Modifiers
    from chaosgame.scenario.actions import MitigationBase

LOSSES = "data:losses"
"""``Simulator.memo`` key of the writes lost in a scenario without a ``data:`` block."""
RESTORE_FAILS = {
    "corrupt": "the copy does not verify (checksum mismatch in its files); nothing was restored",
    "empty": "the copy holds no rows; nothing was restored",
    "never-ran": "the backup has no files: its job never ran; nothing was restored",
}


@dataclass
class Loss:
    """Writes lost at one tick on one database, and how they fall on the classes."""

    tick: int
    database: int
    writes: float
    weights: F64  # (K,) sums to 1


@dataclass
class DataState:
    """What the data laws keep between ticks."""

    rules: Data
    dbs: I64  # primaries: databases that replicate nothing
    acked: F64  # (N,) writes/s acknowledged last tick
    totals: list[F64] = field(default_factory=list)
    """Cumulative writes acknowledged by each primary at the end of each tick (``dbs`` order)."""
    first: F64 | None = None  # acknowledged writes/s at the first tick (the past's rate)
    losses: list[Loss] = field(default_factory=list)
    split: F64 = field(default_factory=lambda: np.zeros(0))  # this tick: share to the other
    theirs: F64 = field(default_factory=lambda: np.zeros(0))  # writes only the other copy holds
    ours: F64 = field(default_factory=lambda: np.zeros(0))  # writes only the serving copy holds
    upcoming: list[Backup] = field(default_factory=list)  # backups taken later in the window


def start(sim: Simulator) -> DataState | None:
    """The data state of ``sim`` (None without a ``data:`` block); lists past backups."""
    rules = sim.scenario.data
    if rules is None:
        return None
    w = sim.world
    dbs = np.flatnonzero((np.array(w.kinds) == "database") & (w.replica_of < 0))
    n = w.n
    ds = DataState(
        rules=rules,
        dbs=dbs.astype(np.int64),
        acked=np.zeros(n),
        split=np.zeros(n),
        theirs=np.zeros(n),
        ours=np.zeros(n),
    )
    past = [b for b in rules.backups if b.taken_at <= 0]
    ds.upcoming = sorted((b for b in rules.backups if b.taken_at > 0), key=lambda b: b.taken_at)
    ran = [b for b in past if b.restores != "never-ran"]  # a job that never ran left no record
    if ran:
        sim.events.extend(_backup_event(sim, b) for b in ran)
        sim.events.sort(key=lambda e: e.time)
    return ds


def _backup_event(sim: Simulator, b: Backup) -> Event:
    from chaosgame.engine.sim import Event

    how = f" ({b.method})" if b.method else ""
    text = (
        f"backup {b.name} of {b.database} completed{how}: {b.size_gb:g} GB "
        f"(restores at {b.copy_mb_per_s:g} MB/s)"
    )
    details = (("job", "backup"), ("backup", b.name), ("status", "completed"))
    return Event(b.taken_at, "job", b.database, text, "backup-agent", details)


# ------------------------------------------------------------- per tick


def diverge(sim: Simulator, i: int, share: float) -> None:
    """This tick, another primary of database ``i`` takes ``share`` of its writes."""
    ds = sim.data
    if ds is not None:
        ds.split[i] = max(float(ds.split[i]), share)


def diverge_from(sim: Simulator, i: int, writes: float) -> None:
    """``writes`` of database ``i`` are now only on a copy that does not serve."""
    ds = sim.data
    if ds is not None:
        ds.theirs[i] += writes


def before_flow(sim: Simulator, m: Modifiers) -> None:
    """Diverged copies: replication between them stops; reads miss the other copy's writes."""
    ds = sim.data
    assert ds is not None
    apart = (ds.theirs > 0) | (ds.ours > 0) | (ds.split > 0)
    if not apart.any():
        return
    w = sim.world
    wrong = np.where(ds.theirs > 0, ds.rules.diverged_reads, 0.0)
    m.wrong[:] = 1.0 - (1.0 - m.wrong) * (1.0 - wrong[None, :])
    rep = w.replica_of >= 0
    cut = rep & apart[np.maximum(w.replica_of, 0)]
    m.apply_factor[cut] = 0.0


def after_tick(sim: Simulator, m: Modifiers) -> None:
    """Count the writes acknowledged this tick; grow the diverged copies."""
    ds = sim.data
    assert ds is not None
    w, d, dt = sim.world, ds.dbs, sim.dt
    served, err = sim.served[:, d], sim.err[:, d]
    ds.acked[d] = (served * (1.0 - err)).sum(0) * w.write_fraction[d] * m.write_factor[d]
    if ds.first is None:
        ds.first = ds.acked[d].copy()
    before = ds.totals[-1] if ds.totals else np.zeros(d.size)
    ds.totals.append(before + ds.acked[d] * dt)
    s = ds.split
    apart = (s > 0) | (ds.theirs > 0) | (ds.ours > 0)
    if apart.any():
        ds.theirs += s * ds.acked * dt
        ds.ours += np.where(apart, (1.0 - s) * ds.acked * dt, 0.0)
    s[:] = 0.0
    while ds.upcoming and ds.upcoming[0].taken_at <= sim.now + dt - 1e-9:
        b = ds.upcoming.pop(0)
        if b.restores != "never-ran":  # a job that never ran left no record
            sim.events.append(_backup_event(sim, b))


def acked_since(sim: Simulator, i: int, t: float) -> float:
    """Writes database ``i`` acknowledged from time ``t`` until now (the past at the first
    tick's rate)."""
    ds = sim.data
    assert ds is not None
    col = int(np.flatnonzero(ds.dbs == i)[0])
    now = float(ds.totals[-1][col]) if ds.totals else 0.0
    rate0 = float(ds.first[col]) if ds.first is not None else 0.0
    if t <= 0:
        return now + rate0 * -t
    row = min(int(t / sim.dt + 1e-9), len(ds.totals)) - 1
    then = float(ds.totals[row][col]) if row >= 0 else 0.0
    return max(now - then, 0.0)


# ------------------------------------------------------------- losses


def lose(sim: Simulator, i: int, writes: float) -> None:
    """Count ``writes`` lost on database ``i`` now, shared by the classes' load on it."""
    if writes <= 0:
        return
    load = sim.offered[:, i] if hasattr(sim, "offered") else np.zeros(sim.world.k)
    total = float(load.sum())
    weights = load / total if total > TINY else sim.world.class_share.copy()
    _losses(sim).append(Loss(sim.tick, i, writes, weights))


def _losses(sim: Simulator) -> list[Loss]:
    """The writes counted lost: the data state's, or (a scenario without a ``data:`` block,
    whose failovers still lose writes) a ledger of their own."""
    ds = sim.data
    if ds is not None:
        return ds.losses
    out: list[Loss] = sim.memo.setdefault(LOSSES, [])
    return out


def lost_by_class(sim: Simulator) -> F64 | None:
    """Writes lost per tick and class ``[ticks, K]`` (None when none could be: no ``data:``
    block and no write lost)."""
    if sim.data is None and not sim.memo.get(LOSSES):
        return None
    out = np.zeros((sim.history.ticks, sim.world.k))
    for loss in _losses(sim):
        if loss.tick < out.shape[0]:
            out[loss.tick] += loss.writes * loss.weights
    return out


def lost_since(sim: Simulator, since: float) -> float:
    """Writes counted lost at or after simulated time ``since``."""
    lo = int(round(since / sim.dt))
    return sum(loss.writes for loss in _losses(sim) if loss.tick >= lo)


def diverged(sim: Simulator) -> float:
    """Writes only a copy that does not serve holds (to be reconciled)."""
    ds = sim.data
    return 0.0 if ds is None else float(ds.theirs.sum())


# ------------------------------------------------------------- actions


def on_failover(sim: Simulator, p: int, backlog: float) -> float:
    """A failover of ``p`` that loses ``backlog`` unapplied writes: the copy it leaves may also
    hold writes no other copy has (diverged). Counts the loss; returns the writes lost."""
    ds = sim.data
    assert ds is not None
    lost = backlog
    if ds.theirs[p] > 0 or ds.ours[p] > 0:
        # the copy left behind keeps what only it took; the other becomes the serving one
        lost = float(ds.ours[p])
        ds.theirs[p] = ds.ours[p] = 0.0
    lose(sim, p, lost)
    return lost


def backup_for(sim: Simulator, target: str, name: str | None) -> Backup | None:
    """The backup a restore of ``target`` uses: the one named, else the newest taken."""
    ds = sim.data
    if ds is None:
        return None
    mine = [b for b in ds.rules.backups if b.database == target and b.taken_at <= sim.now]
    if name is not None:
        return next((b for b in ds.rules.backups if b.database == target and b.name == name), None)
    return max(mine, key=lambda b: b.taken_at, default=None)


def check(sim: Simulator, spec: MitigationBase) -> None:
    """A restore must name a backup of its target that exists (when backups are listed)."""
    from chaosgame.engine.mitigations import MitigationError

    ds = sim.data
    if ds is None or spec.action != "restore-backup":
        return
    name = getattr(spec, "backup", None)
    mine = [b for b in ds.rules.backups if b.database == spec.target]
    if not mine:
        return
    if name is not None and backup_for(sim, spec.target, name) is None:
        names = ", ".join(b.name for b in mine)
        raise MitigationError(
            f"restore-backup: no backup '{name}' of {spec.target} (its backups: {names})"
        )
    b = backup_for(sim, spec.target, name)
    if b is None or b.taken_at > sim.now:
        raise MitigationError(f"restore-backup: backup '{name}' of {spec.target} is not taken yet")


def delay(sim: Simulator, spec: MitigationBase) -> float | None:
    """How long a data action takes here: a restore ``size / throughput`` of its backup, a
    reconcile ``diverged writes / rate``; None: the catalogue's delay."""
    ds = sim.data
    if ds is None:
        return None
    if spec.action == "restore-backup":
        b = backup_for(sim, spec.target, getattr(spec, "backup", None))
        return None if b is None else b.restore_seconds
    if spec.action == "reconcile":
        i = sim.world.index[spec.target]
        return max(60.0, float(ds.theirs[i]) / ds.rules.reconcile_per_s)
    return None


def restore(sim: Simulator, i: int, name: str | None) -> tuple[bool, str]:
    """Restore database ``i`` from its backup: (whether it came back on the copy, what
    happened). A good copy loses the writes acknowledged after it was taken."""
    ds = sim.data
    assert ds is not None
    target = sim.world.names[i]
    b = backup_for(sim, target, name)
    if b is None:
        if any(x.database == target for x in ds.rules.backups):
            return False, "no backup of it is taken yet; nothing was restored"
        return True, ""
    if b.restores != "yes":
        return False, f"restore of {b.name} failed: {RESTORE_FAILS[b.restores]}"
    lost = acked_since(sim, i, b.taken_at)
    lose(sim, i, lost)
    ds.theirs[i] = ds.ours[i] = 0.0
    w = sim.world
    for r in np.flatnonzero(w.replica_of == i):
        sim.state.repl_backlog[r] = 0.0
    return True, f"from {b.name}, losing {lost:.0f} writes acknowledged after it"


def reconcile(sim: Simulator, i: int) -> str:
    """Merge the copies of database ``i``: the writes only the other held are replayed."""
    ds = sim.data
    if ds is None:
        return "nothing to reconcile (one copy serves)"
    theirs = float(ds.theirs[i])
    if theirs <= 0 and ds.ours[i] <= 0:
        return "nothing to reconcile (the copies do not differ)"
    ds.theirs[i] = ds.ours[i] = 0.0
    w = sim.world
    for r in np.flatnonzero(w.replica_of == i):
        sim.state.repl_backlog[r] = 0.0
    return f"{theirs:.0f} diverged writes replayed; the copies agree again"


def data_problems(sim: Simulator, since: float) -> list[str]:
    """What the data laws leave wrong after ``since``: writes lost, copies never reconciled."""
    if sim.data is None:
        return []
    problems = []
    lost = lost_since(sim, since)
    if lost >= 0.5:
        problems.append(f"writes were lost: {lost:.0f} acknowledged writes are in no copy")
    apart = diverged(sim)
    if apart >= 0.5:
        problems.append(f"{apart:.0f} diverged writes were never reconciled into the serving copy")
    return problems
