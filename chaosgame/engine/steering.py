"""Traffic steering and name resolution: where calls go, and what a resolver's trouble does.

**Balance groups.** A caller's dependencies with the same ``balance`` name split its calls:
member ``e`` carries ``calls_e x weight_e / sum(weights of the group)`` calls per request
(:func:`shares`). The world starts with these shares (``World.calls``); the actions here
change the weights (``drain``, ``shift-weights``, ``repoint``, a ``failover-region`` between
regions with members on both sides) or an edge's calls per request (``set-fanout``), and the
tick then reads ``Simulator.calls`` in place of ``World.calls``. Load moves with the weights:
the members that gain them carry it (and may saturate); a call that now crosses regions pays
the latency between them (``tick.call_terms`` reads the regions of caller and callee).

**Resolvers.** A component with a ``resolver`` resolves its callees' names through that
``dns`` component, and keeps each answer for ``dns_ttl``. Cached entries were renewed at
uniformly spread times, so they expire at a steady ``1 / B`` of them per tick
(``B = dns_ttl / tick``, at least 1). An entry that expires, or that could not be resolved
before, is looked up: the lookup fails with the resolver's failure share ``p`` (its error
share last tick, 1 while it has no replica ready, or its latency past ``LOOKUP_TIMEOUT``) and
then every call that needs it fails too. So with the resolver down from a tick on, the share of
calls failing after ``n`` ticks is ``min(n / B, 1)``: a DNS outage bites as the cache expires.
Calls that looked up pay the lookup's time.

Both are skipped entirely in a scenario that uses neither: :func:`setup` returns ``None`` and
the tick reads the world's calls unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from chaosgame.engine import physics as ph
from chaosgame.engine.mitigations import CHECKS, MitigationError, applies
from chaosgame.engine.state import Modifiers
from chaosgame.engine.world import F64, I64, World, _class_mask
from chaosgame.scenario.actions import MitigationBase
from chaosgame.scenario.model import Dependency
from chaosgame.scenario.steering import (
    PROVIDED,
    ContactProvider,
    Drain,
    MoveCalls,
    SetFanout,
    ShiftWeights,
)

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator

LOOKUP_TIMEOUT = 5.0
"""Seconds a lookup waits for the resolver (the resolv.conf default) before it fails."""


def shares(deps: list[Dependency]) -> F64:
    """Each dependency's share of its balance group's calls (1 outside any group)."""
    weight = np.array([d.weight if d.balance is not None else 1.0 for d in deps])
    group = group_ids(deps)
    return share_of(weight, group)


def group_ids(deps: list[Dependency]) -> I64:
    """A number per balance group (caller, name), -1 for a dependency in none."""
    ids: dict[tuple[str, str], int] = {}
    out = np.full(len(deps), -1, dtype=np.int64)
    for e, d in enumerate(deps):
        if d.balance is not None:
            out[e] = ids.setdefault((d.source, d.balance), len(ids))
    return out


def share_of(weight: F64, group: I64) -> F64:
    """``weight / sum(weights of its group)``, and 1 outside groups."""
    inside = group >= 0
    if not inside.any():
        return np.ones(len(weight))
    total = np.bincount(group[inside], weight[inside], minlength=int(group.max()) + 1)
    out: F64 = np.where(
        inside, weight / np.maximum(total[np.maximum(group, 0)], 1e-300), 1.0
    ).astype(np.float64)
    return out


@dataclass
class Steering:
    """Where calls go now, and the resolvers' caches (one per simulator that needs them)."""

    group: I64  # (E,) balance group of each edge, -1 where none
    weight: F64  # (E,) current weight of each member (1 outside groups)
    fanout: F64  # (E,) calls per request of each edge
    takes: F64  # (K, E) 1 where the class takes the edge
    changes: list[tuple[int, F64]] = field(default_factory=list)
    """``(tick, calls)`` from which each new calls matrix holds (for telemetry)."""
    # resolvers: the components that resolve through one, in order
    callers: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    resolver: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    ages: F64 = field(default_factory=lambda: np.zeros((0, 0)))
    """(C, Bmax) share of each caller's cached entries by age in ticks (oldest last)."""
    last: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """(C,) column of each caller's oldest age (``B - 1``)."""
    unresolved: F64 = field(default_factory=lambda: np.zeros(0))
    """(C,) share of each caller's entries expired and not yet resolved again."""
    edges: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Edges whose caller resolves through a resolver (not the calls to the resolver)."""
    edge_caller: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """For each of those edges, its caller's row in :attr:`callers`."""

    def calls(self) -> F64:
        """Calls per request of every class on every edge, with the current weights."""
        out: F64 = self.takes * (self.fanout * share_of(self.weight, self.group))[None, :]
        return out


def build(w: World) -> Steering:
    """The steering state of world ``w`` as the scenario starts."""
    sc, deps = w.scenario, w.deps
    takes = np.zeros((w.k, w.e))
    for e, d in enumerate(deps):
        mask = _class_mask(sc, d, w.journeys)
        takes[:, e] = [1.0 if mask[j] else 0.0 for j in w.class_journey]
    st = Steering(
        group=group_ids(deps),
        weight=np.array([d.weight if d.balance is not None else 1.0 for d in deps]),
        fanout=np.array([d.calls for d in deps]),
        takes=takes,
    )
    resolving = [(i, c) for i, c in enumerate(sc.components) if c.resolver is not None]
    if resolving:
        dt = sc.tick
        sizes = np.array([max(1, round(c.dns_ttl / dt)) for _, c in resolving], dtype=np.int64)
        st.callers = np.array([i for i, _ in resolving], dtype=np.int64)
        st.resolver = np.array([w.index[c.resolver or ""] for _, c in resolving], dtype=np.int64)
        cols = np.arange(int(sizes.max()))[None, :]
        st.ages = np.where(cols < sizes[:, None], 1.0 / sizes[:, None], 0.0)
        st.last = sizes - 1
        st.unresolved = np.zeros(len(resolving))
        row = {int(i): r for r, i in enumerate(st.callers)}
        edges = [
            e
            for e in range(w.e)
            if int(w.src[e]) in row and int(w.dst[e]) != st.resolver[row[int(w.src[e])]]
        ]
        st.edges = np.array(edges, dtype=np.int64)
        st.edge_caller = np.array([row[int(w.src[e])] for e in edges], dtype=np.int64)
    return st


def uses(w: World) -> bool:
    """Whether the scenario names a resolver (the per-tick law then runs)."""
    return any(c.resolver is not None for c in w.scenario.components)


def setup(sim: Simulator) -> Steering | None:
    """The simulator's steering state, or None when the scenario resolves through nothing
    (actions that steer build it when they first act)."""
    return build(sim.world) if uses(sim.world) else None


def state(sim: Simulator) -> Steering:
    """The steering state, built on first use."""
    if sim.steering is None:
        sim.steering = build(sim.world)
    return sim.steering


def resolve(sim: Simulator, m: Modifiers) -> None:
    """One tick of every resolver cache: entries expire, are looked up, and calls whose entry
    cannot be resolved fail (see the module's docstring)."""
    s = sim.steering
    if s is None or not s.callers.size:
        return
    st, r = sim.state, s.resolver
    err = sim.err[:, r].max(0)
    down = np.where(st.ready[r] <= 0, 1.0, 0.0)
    mean, floor = sim.lat[:, r].max(0), sim.floor[:, r].max(0)
    slow = ph.timeout_probability(np.full(len(r), LOOKUP_TIMEOUT), mean, floor)
    p = ph.combine(ph.combine(err, down), slow)
    rows = np.arange(len(s.callers))
    expiring = s.ages[rows, s.last]
    looked_up = expiring + s.unresolved
    s.unresolved = looked_up * p
    s.ages[:, 1:] = s.ages[:, :-1]
    s.ages[:, 0] = looked_up * (1.0 - p)
    s.ages[np.arange(s.ages.shape[1])[None, :] > s.last[:, None]] = 0.0
    if not s.edges.size:
        return
    fail = s.unresolved[s.edge_caller]
    e = s.edges
    m.edge_fail[e] = ph.combine(m.edge_fail[e], fail)
    lookup = np.minimum(mean, LOOKUP_TIMEOUT)
    m.edge_lat[e] += np.minimum(looked_up, 1.0)[s.edge_caller] * lookup[s.edge_caller]


def calls_at(sim: Simulator, tick: int) -> F64:
    """Calls per request of every class on every edge at ``tick`` (for telemetry)."""
    s = sim.steering
    out = sim.world.calls
    if s is None:
        return out
    for at, calls in s.changes:
        if at > tick:
            break
        out = calls
    return out


def _commit(sim: Simulator, s: Steering) -> None:
    sim.calls = s.calls()
    s.changes.append((sim.tick, sim.calls))


# ------------------------------------------------------------- validation


def _members(sim: Simulator, caller: str, to: str, action: str) -> int:
    """The edge ``caller -> to``, or a sentence saying why there is none."""
    w = sim.world
    e = w.edge_index.get((caller, to))
    if e is None:
        callees = sorted(d for s, d in w.edge_index if s == caller)
        raise MitigationError(
            f"{action}: '{caller}' does not call '{to}' (it calls: {', '.join(callees) or 'nothing'})"
        )
    return e


def _grouped(sim: Simulator, e: int, action: str) -> int:
    w = sim.world
    g = int(w_group(w)[e])
    if g < 0:
        d = w.deps[e]
        raise MitigationError(
            f"{action}: the calls from '{d.source}' to '{d.to}' are in no balance group (a "
            "dependency with `balance:` in the scenario)"
        )
    return g


def w_group(w: World) -> I64:
    """Balance group of each edge of world ``w`` (-1 where none)."""
    return group_ids(w.deps)


def _component(sim: Simulator, spec: MitigationBase, kinds: tuple[str, ...]) -> int:
    w = sim.world
    if spec.target not in w.index:
        from chaosgame.scenario.model import _suggest

        raise MitigationError(
            f"{spec.action}: unknown component '{spec.target}'{_suggest(spec.target, w.names)}"
        )
    i = w.index[spec.target]
    if w.kinds[i] not in kinds:
        raise MitigationError(
            f"{spec.action} cannot act on '{spec.target}', a {w.kinds[i]}; it takes "
            f"{', '.join(kinds)}"
        )
    if sim.scenario.parties:
        from chaosgame.engine.parties import check_owner

        check_owner(sim, spec)
    return i


def _check_drain(sim: Simulator, spec: MitigationBase) -> None:
    w = sim.world
    if spec.target not in w.index and spec.target in w.regions:
        if not _region_moves(sim, w.regions.index(spec.target), None):
            raise MitigationError(
                f"drain: no balance group has members both in region '{spec.target}' and "
                "outside it; nothing could take its share"
            )
        return
    if spec.target not in w.index:
        from chaosgame.scenario.model import _suggest

        known = [*w.names, *w.regions]
        raise MitigationError(
            f"drain: '{spec.target}' is neither a component nor a region"
            f"{_suggest(spec.target, known)}"
        )
    i = _component(sim, spec, Drain.targets)
    group = w_group(w)
    mine = np.flatnonzero((w.dst == i) & (group >= 0))
    if not mine.size:
        raise MitigationError(
            f"drain: no balance group sends calls to '{spec.target}' (drain takes a member of "
            "a balance group, or a region)"
        )
    if all((group == group[e]).sum() < 2 for e in mine):
        raise MitigationError(
            f"drain: '{spec.target}' is the only member of its balance group; nothing could "
            "take its share"
        )


def _check_shift(sim: Simulator, spec: MitigationBase) -> None:
    assert isinstance(spec, ShiftWeights)
    _component(sim, spec, ShiftWeights.targets)
    e = _members(sim, spec.target, spec.to, spec.action)
    g = _grouped(sim, e, spec.action)
    if spec.weight < 1.0 and (w_group(sim.world) == g).sum() < 2:
        raise MitigationError(
            f"shift-weights: '{spec.to}' is the only member of its balance group; nothing "
            f"could take the other {1 - spec.weight:.0%}"
        )


def _check_repoint(sim: Simulator, spec: MitigationBase) -> None:
    assert isinstance(spec, MoveCalls)
    _component(sim, spec, MoveCalls.targets)
    old = _members(sim, spec.target, spec.to, spec.action)
    if (spec.target, spec.onto) not in sim.world.edge_index:
        raise MitigationError(
            f"repoint: '{spec.target}' has no call to '{spec.onto}' to re-point onto (the "
            "scenario declares one as a member of the same balance group, often `weight: 0`)"
        )
    new = sim.world.edge_index[(spec.target, spec.onto)]
    group = w_group(sim.world)
    if group[old] < 0 or group[old] != group[new]:
        raise MitigationError(
            f"repoint: the calls from '{spec.target}' to '{spec.to}' and to '{spec.onto}' are "
            "not in one balance group"
        )


def _check_fanout(sim: Simulator, spec: MitigationBase) -> None:
    assert isinstance(spec, SetFanout)
    _component(sim, spec, SetFanout.targets)
    _members(sim, spec.target, spec.to, spec.action)


def _check_provider(sim: Simulator, spec: MitigationBase) -> None:
    _component(sim, spec, PROVIDED)


CHECKS.update(
    {
        "drain": _check_drain,
        "shift-weights": _check_shift,
        "repoint": _check_repoint,
        "set-fanout": _check_fanout,
        "contact-provider": _check_provider,
    }
)


# ------------------------------------------------------------- effects


def _spread(s: Steering, amount: float, to: I64) -> None:
    """Add ``amount`` of weight to the members ``to`` in proportion to theirs (evenly when
    they have none)."""
    have = s.weight[to].sum()
    if have > 0:
        s.weight[to] += amount * s.weight[to] / have
    else:
        s.weight[to] += amount / len(to)


def _move(s: Steering, leaving: I64, onto: I64) -> None:
    """Move the weight of members ``leaving`` to members ``onto`` (both of one group)."""
    amount = float(s.weight[leaving].sum())
    s.weight[leaving] = 0.0
    if amount > 0 and onto.size:
        _spread(s, amount, onto)


def _region_moves(sim: Simulator, region: int, to: int | None) -> list[tuple[I64, I64]]:
    """For each balance group with members in ``region`` and members outside it: the members
    leaving and those taking their share (those in region ``to`` when it has any)."""
    w = sim.world
    group = w_group(w)
    where = sim.state.region[w.dst]
    out = []
    for g in np.unique(group[group >= 0]):
        members = np.flatnonzero(group == g)
        inside = members[where[members] == region]
        outside = members[where[members] != region]
        if not inside.size or not outside.size:
            continue
        if to is not None and (where[outside] == to).any():
            outside = outside[where[outside] == to]
        out.append((inside, outside))
    return out


def evacuate(sim: Simulator, region: int, to: int) -> set[int]:
    """Move every balanced share in ``region`` to region ``to`` (a region failover); return
    the components drained (they stay where they are, idle). Nothing when no group has
    members on both sides, which leaves a failover as it always was."""
    w = sim.world
    if not (w_group(w) >= 0).any():
        return set()
    moves = _region_moves(sim, region, to)
    if not moves:
        return set()
    s = state(sim)
    for leaving, onto in moves:
        _move(s, leaving, onto)
    _commit(sim, s)
    return {int(w.dst[e]) for leaving, _ in moves for e in leaving}


@applies(Drain)
def _drain(spec: Drain, sim: Simulator) -> str:
    w = sim.world
    s = state(sim)
    if spec.target not in w.index:
        moves = _region_moves(sim, w.regions.index(spec.target), None)
        if not moves:
            return "no balanced calls left to move; nothing changed"
        for leaving, onto in moves:
            _move(s, leaving, onto)
        _commit(sim, s)
        names = sorted({w.names[int(w.dst[e])] for _, onto in moves for e in onto})
        return f"region drained; its share now goes to {', '.join(names)}"
    i = w.index[spec.target]
    taken = []
    for e in np.flatnonzero((w.dst == i) & (s.group >= 0)):
        others = np.flatnonzero((s.group == s.group[e]) & (np.arange(w.e) != e))
        if others.size:
            _move(s, np.array([e]), others)
            taken += [w.names[int(w.dst[o])] for o in others]
    _commit(sim, s)
    return f"drained; {', '.join(sorted(set(taken))) or 'nothing'} take its share"


@applies(ShiftWeights)
def _shift(spec: ShiftWeights, sim: Simulator) -> str:
    w, s = sim.world, state(sim)
    e = w.edge_index[(spec.target, spec.to)]
    members = np.flatnonzero(s.group == s.group[e])
    others = members[members != e]
    total = float(s.weight[members].sum())
    rest = float(s.weight[others].sum())
    if others.size:
        if rest > 0:
            s.weight[others] *= (1.0 - spec.weight) * total / rest
        else:
            s.weight[others] = (1.0 - spec.weight) * total / others.size
    s.weight[e] = spec.weight * total
    _commit(sim, s)
    return f"{spec.weight:.0%} of the calls to {spec.to}, {1 - spec.weight:.0%} to the others"


@applies(MoveCalls)
def _repoint(spec: MoveCalls, sim: Simulator) -> str:
    w, s = sim.world, state(sim)
    old, new = w.edge_index[(spec.target, spec.to)], w.edge_index[(spec.target, spec.onto)]
    s.weight[new] += s.weight[old]
    s.weight[old] = 0.0
    _commit(sim, s)
    return f"calls to {spec.to} now go to {spec.onto}"


@applies(SetFanout)
def _fanout(spec: SetFanout, sim: Simulator) -> str:
    w, s = sim.world, state(sim)
    e = w.edge_index[(spec.target, spec.to)]
    before = float(s.fanout[e])
    s.fanout[e] = spec.calls
    _commit(sim, s)
    return f"{spec.calls:g} calls per request to {spec.to} (was {before:g})"


@applies(ContactProvider)
def _provider(spec: ContactProvider, sim: Simulator) -> str:
    i = sim.world.index[spec.target]
    sim.state.resets[("provider", i)] = sim.now
    return "the provider has fixed its side"


def cured(sim: Simulator, i: int, since: float) -> bool:
    """Whether the provider of component ``i`` fixed its side at or after ``since``."""
    return sim.state.reset_since("provider", i, since)
