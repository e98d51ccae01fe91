"""What rollbacks, scale-outs and failovers cost in production, simulated.

* **A rollback takes its deploy time.** Rolling back is a deploy of the older version: with
  the rolled-back deploy's strategy, its pods are replaced over its ``duration`` (rolling and
  canary), at once for a blue-green deploy (the old stack is still there) and at once with
  every pod restarting for ``recreate``. Aborting a rollout that reached a share ``w`` of the
  pods takes ``w x duration``; finishing a rollback canary that already moved ``s`` back takes
  ``(1 - s) x duration``. The old version's share of traffic grows linearly meanwhile
  (:class:`chaosgame.engine.state.Versions`).
* **A rollback removes what the release shipped.** A deploy may declare features and a
  migration (``Deploy.ships``). Once its version has reached every pod, clients rely on them;
  from then on, the share of the component's traffic on versions older than it (``1 - sum of
  the shares of its version and of the versions deployed after it``) fails each feature's
  ``share`` of requests (of its journey when it names one), or answers them wrongly
  (``without: degrade``), and fails the migration's ``share`` of requests. A rollout aborted
  before it reached every pod shipped nothing anyone relies on.
* **Scaling costs nodes.** Nodes ``add-nodes`` launched are kept in a ledger by tick (the
  capacity cost in ``game/harm.py`` bills them); replicas scaled out are billed from the
  history's ``desired`` series.
* **A failover loses the writes its replica had not applied** (``remedies._failover``) and
  **breaks the callers that cached the old primary.** A caller of the database keeps using
  the old address for ``address_refresh`` seconds (default: its ``dns_ttl`` when it resolves
  names through a resolver; otherwise it follows at once). Its cached entries were filled at
  uniformly spread times, so the share of its calls still going to the old primary
  ``t`` seconds after the failover is ``max(0, 1 - t / refresh)`` (the stale-address law of
  ``engine/clients.py`` with no sticky clients), and those calls fail: the old primary is
  fenced (down, read-only or demoted).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from chaosgame.engine import physics as ph
from chaosgame.engine.clients import stale_share
from chaosgame.engine.state import Modifiers, Rollout, Versions

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator
    from chaosgame.scenario.model import Deploy

DEFAULT_DEPLOY_S = 300.0
"""How long a rollback takes when no deploy of the scenario brought the version (a rollout a
fault started): the default deploy duration."""
NODES = "costs:nodes"
"""``Simulator.memo`` key of the node ledger: ``[(tick, cluster, nodes launched)]``."""


# ------------------------------------------------------------------ rollbacks
def _deploy_of(sim: Simulator, name: str, version: str) -> Deploy | None:
    """The scenario's latest deploy of ``version`` on component ``name`` started by now."""
    mine = [
        d
        for d in sim.scenario.deploys
        if d.component == name and d.version == version and d.at <= sim.now + 1e-9
    ]
    return max(mine, key=lambda d: d.at, default=None)


def _pace(sim: Simulator, name: str, bad: str) -> tuple[float, str]:
    """How long replacing every pod of ``bad`` takes, and the strategy that does it."""
    d = _deploy_of(sim, name, bad)
    if d is None:
        return DEFAULT_DEPLOY_S, "rolling"
    if d.strategy in ("blue-green", "recreate"):
        return 0.0, d.strategy
    return d.duration, "rolling"


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds >= 90 else f"{seconds:.0f} s"


def rollback(sim: Simulator, i: int) -> str | None:
    """A full rollback of component ``i``, paced as a deploy; what it did (None: nothing to
    roll back to)."""
    from chaosgame.engine.control import take_down

    v = sim.state.versions[i]
    now, name = sim.now, sim.world.names[i]
    r = v.rollout
    if r is not None and r.rollback:  # finishing a rollback canary
        bad, back, done = v.stable, r.to, v.weight(now)
    elif r is not None:  # aborting a rollout: its pods go back to the stable version
        bad, back, done = r.to, v.stable, 1.0 - v.weight(now)
    elif v.history:
        bad, back, done = v.stable, v.history.pop(), 0.0
    else:
        return None
    duration, strategy = _pace(sim, name, bad)
    lost = _register_shipped(sim, i, v)
    v.stable = bad
    if duration <= 0:
        v.stable, v.rollout = back, None
        if strategy == "recreate":
            take_down(sim, i, int(sim.state.ready[i]), "restart", backoff=False)
        how = "every pod restarted" if strategy == "recreate" else "traffic switched back"
        text = f"{bad} -> {back} ({how})"
    else:
        start = now - done * duration
        v.rollout = Rollout(back, start, duration, "rolling", 1.0, rollback=True)
        left = (1.0 - done) * duration
        text = f"{bad} -> {back}: rolling back, every pod replaced in {_minutes(left)}"
    if lost:
        text += f"; {back} lacks what {bad} shipped: {', '.join(lost)}"
    return text


def _have(sim: Simulator, name: str, d: Deploy) -> list[str]:
    """The versions that carry what deploy ``d`` shipped: its own and those deployed after."""
    later = [x.version for x in sim.scenario.deploys if x.component == name and x.at > d.at]
    return [d.version, *later]


def _landed(v: Versions, d: Deploy, have: list[str]) -> bool:
    """Whether deploy ``d``'s version has reached every pod (clients rely on what it shipped):
    its version, or a later one, is the stable one."""
    return v.stable in have and (d.reached is None or d.reached >= 1.0)


def _register_shipped(sim: Simulator, i: int, v: Versions) -> list[str]:
    """Before a rollback of component ``i``: the standing effect of what its landed deploys
    shipped (on the traffic older versions serve); returns what the rollback takes away."""
    w = sim.world
    name = w.names[i]
    shipped = [
        (d, have)
        for d in sim.scenario.deploys
        if d.component == name and d.ships is not None and d.at <= sim.now + 1e-9
        for have in [_have(sim, name, d)]
        if _landed(v, d, have)
    ]
    key = ("shipped", name)
    if not shipped:
        return []
    known = sim.memo.setdefault(key, [])
    for d, have in shipped:
        if all(d is not x for x, _ in known):
            known.append((d, have))
    plan = list(known)

    def standing(sim: Simulator, m: Modifiers) -> None:
        versions = sim.state.versions[i]
        now = sim.now
        for d, have in plan:
            old = 1.0 - min(sum(versions.share(x, now) for x in have), 1.0)
            if old <= 0.0:
                continue
            assert d.ships is not None
            for f in d.ships.features:
                kmask = np.ones(w.k)
                if f.journey is not None:
                    kmask = (w.class_journey == w.journeys.index(f.journey)).astype(np.float64)
                if f.without == "fail":
                    m.add_err(i, f.share * old, kmask)
                else:
                    m.wrong[:, i] = ph.combine(m.wrong[:, i], f.share * old * kmask)
            if d.ships.migration is not None:
                m.add_err(i, d.ships.migration.share * old, np.ones(w.k))

    sim.standing[key] = standing
    lost = []
    for d, _ in plan:
        assert d.ships is not None
        lost += [f.what for f in d.ships.features]
        if d.ships.migration is not None:
            lost.append(f"rows written after {d.ships.migration.what}")
    return lost


# ------------------------------------------------------------------ scaling
def launched(sim: Simulator, c: int, nodes: int) -> None:
    """Note ``nodes`` launched in cluster ``c`` now (they are billed from this tick)."""
    if nodes > 0:
        sim.memo.setdefault(NODES, []).append((sim.tick, c, nodes))


def added_nodes(sim: Simulator, ticks: int) -> np.ndarray:
    """Nodes added with ``add-nodes`` and running at each of the first ``ticks`` ticks."""
    out = np.zeros(ticks)
    for tick, _c, nodes in sim.memo.get(NODES, []):
        out[min(tick, ticks) :] += nodes
    return out


# ------------------------------------------------------------------ failovers
def refresh_of(sim: Simulator, caller: int) -> float:
    """Seconds component ``caller`` keeps a database's old address after a failover."""
    c = sim.scenario.components[caller]
    if c.address_refresh is not None:
        return c.address_refresh
    return c.dns_ttl if c.resolver is not None else 0.0


def stale_primary(sim: Simulator, p: int) -> list[str]:
    """After a failover of database ``p``: its callers that cached the old primary keep
    calling it until their cache refreshes, failing; returns those callers' names."""
    w = sim.world
    at = sim.now
    edges = [
        (int(e), refresh_of(sim, int(w.src[e])))
        for e in np.flatnonzero(w.dst == p)
        if refresh_of(sim, int(w.src[e])) > 0
    ]
    if not edges:
        return []

    def standing(sim: Simulator, m: Modifiers) -> None:
        for e, ttl in edges:
            share = stale_share(sim.now, at, ttl, 0.0)
            if share > 0:
                m.edge_fail[e] = 1.0 - (1.0 - m.edge_fail[e]) * (1.0 - share)

    sim.standing[("stale-primary", w.names[p])] = standing
    return sorted({w.names[int(w.src[e])] for e, _ in edges})
