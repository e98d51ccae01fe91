"""Composed faults in the engine: mechanisms, conditions, remedies, aggravators, lasting damage.

A fault with ``effects:`` writes them into the tick's :class:`Modifiers` instead of its
kind's own effect (what the kind *introduces* at its start, a deploy or a config push, still
happens). Conditions gate its strength; ``remedies:`` end it for good when one of those
actions takes effect (and the kind's hard-wired remedies no longer do); ``aggravators:`` make
it worse; ``lasting:`` leaves damage on components that stays, after the cause is gone, until
each one's own recovery action. The tick loop names none of this: it calls
:meth:`ActiveFault.apply`, and :func:`after_mitigation` runs when a mitigation takes effect.

What each mechanism writes (``x`` is the fault's strength this tick, ``a`` the amount):

==============  ===========================================================================
latency         ``lat_add += a x`` (seconds), or ``edge_lat`` of the calls ``to`` one callee
service-time    ``svc_factor *= 1 + (a - 1) x``
errors          ``err`` of the classes in scope combines with ``a x``, or ``edge_fail``
wrong           ``wrong`` of the classes in scope combines with ``a x``
cpu             ``cpu_factor *= 1 + (a - 1) x``
memory          ``leak += a / 1000 x`` MB per request, or (``per: second``) resident memory
                grows ``a x`` MB per second
connections     ``pool_factor *= 1 - a x`` on the target's pooled calls (or those ``to`` one)
crash-loop      ``crash = max(crash, a x)``: that share of ready replicas crashes every tick
stuck           a share ``s = a x`` of requests hang until their caller's timeout ``T``:
                they fail (``err``), add ``s T`` to the mean latency and hold a worker, so
                capacity is divided by ``1 + s T / S`` (``S`` the service time)
down            ``unready = max(unready, a x)``: that share of replicas is out of service
cold            a cache's hit ratio is held at most ``1 - a x`` (it refills once released)
==============  ===========================================================================

Scoped effects (``journeys``/``tenants``) hit only those classes for errors, wrong answers
and stuck requests; CPU, memory and service time are shared by every request a replica
serves, so a scope weights them by its share of the component's traffic (last tick's).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from chaosgame.engine.state import Modifiers, Versions, filled
from chaosgame.engine.versionlog import note_version_error
from chaosgame.engine.world import F64, classes_hit
from chaosgame.scenario.compose import Effect, StateOf, Trigger, extended, in_range, is_range
from chaosgame.scenario.units import seconds_past_midnight

if TYPE_CHECKING:
    from chaosgame.engine.faults import ActiveFault
    from chaosgame.engine.sim import Simulator
    from chaosgame.scenario.actions import MitigationBase
    from chaosgame.scenario.faults import Condition

FRACTIONS = ("err", "wrong", "lost", "block", "unready", "crash", "edge_fail", "shed")
"""Modifiers that are shares: an aggravated kind effect is clipped to 1 in these."""


@dataclass
class Runtime:
    """What has happened to one composed fault so far."""

    ended_at: float | None = None
    """When a listed remedy took effect (the fault acts no more)."""
    multiply: float = 1.0
    extra: list[Effect] = field(default_factory=list)
    spread: list[int] = field(default_factory=list)
    fired: set[int] = field(default_factory=set)
    """Aggravators already applied (each acts the first time its action takes effect)."""
    acted: dict[int, float] = field(default_factory=dict)
    """Seconds the fault has acted since each lasting component's last recovery."""
    damaged: set[int] = field(default_factory=set)


def runtime(sim: Simulator, number: int, target: int) -> Runtime:
    """The runtime record of fault ``number`` on component ``target`` (made on first use): a
    fault with ``select:`` lives in many components, and each ends or worsens on its own."""
    rt: Runtime | None = sim.memo.get(("compose", number, target))
    if rt is None:
        rt = sim.memo[("compose", number, target)] = Runtime()
    return rt


# ---------------------------------------------------------------- conditions


def version_share(v: Versions, text: str, now: float) -> float:
    """Share of traffic served by version ``text``, or by the versions in range ``text``."""
    if not is_range(text):
        return v.share(text, now)
    running = [v.stable]
    if v.rollout is not None and v.rollout.to != v.stable:
        running.append(v.rollout.to)
    return sum(v.share(x, now) for x in running if in_range(x, text))


def _load(sim: Simulator, i: int, metric: str) -> float:
    values = getattr(sim, "arriving" if metric == "rps" else "rho", None)
    return 0.0 if values is None else float(values[i])


def _state(sim: Simulator, s: StateOf, now: float) -> float:
    """Share for which ``s`` holds of its component (a version share, otherwise 0 or 1)."""
    st, w = sim.state, sim.world
    i = w.index[s.component]
    share = 1.0
    if s.version is not None:
        share *= version_share(st.versions[i], s.version, now)
    for key, value in (s.config or {}).items():
        if st.config.get((i, key)) != value:
            return 0.0
    for key, value in (s.config_not or {}).items():
        if st.config.get((i, key)) == value:
            return 0.0
    tags = sim.scenario.components[i].tags
    for key in s.missing or []:
        if (i, key) in st.config or key in tags:
            return 0.0
    if s.load is not None and not _above_below(sim, i, s.load.metric, s.load.above, s.load.below):
        return 0.0
    if s.fault is not None and not any(
        f.spec.kind == s.fault and f.target == i and acting(sim, f, now) for f in sim.faults
    ):
        return 0.0
    return share


def _above_below(
    sim: Simulator, i: int, metric: str, above: float | None, below: float | None
) -> bool:
    value = _load(sim, i, metric)
    return (above is None or value > above) and (below is None or value < below)


def acting(sim: Simulator, fault: ActiveFault, now: float) -> bool:
    """Whether ``fault`` acts at ``now`` (a condition naming a fault that names this one back
    reads it as not acting, so a cycle never recurses forever)."""
    visiting: set[int] = sim.memo.setdefault("compose/visiting", set())
    if fault.number in visiting:
        return False
    visiting.add(fault.number)
    try:
        return fault.strength(sim, now) > 0.0
    finally:
        visiting.discard(fault.number)


def _in_window(sim: Simulator, daily: str, now: float) -> bool:
    start_h, start_m, end_h, end_m = (int(p) for p in daily.replace("-", ":").split(":"))
    t = (seconds_past_midnight(sim.scenario.clock_start) + now) % 86400.0
    lo, hi = start_h * 3600.0 + start_m * 60.0, end_h * 3600.0 + end_m * 60.0
    return lo <= t < hi if lo <= hi else (t >= lo or t < hi)


def own_share(sim: Simulator, cond: Condition, i: int, now: float) -> float:
    """Share for which a whole condition holds on component ``i`` (used for ``any:``)."""
    st = sim.state
    share = 1.0
    if cond.version is not None:
        share *= version_share(st.versions[i], cond.version, now)
    if cond.flag is not None:
        on, pct = st.flags.get(cond.flag, (False, 0.0))
        share *= pct / 100.0 if on else 0.0
    for key, value in (cond.config or {}).items():
        if st.config.get((i, key)) != value:
            return 0.0
    return share * extra_share(sim, cond, i, now)


def extra_share(sim: Simulator, cond: Condition, i: int, now: float) -> float:
    """The factor the richer conditions (load, time, other components, ``any``) give."""
    if not extended(cond):
        return 1.0
    if cond.after is not None and now < cond.after:
        return 0.0
    if cond.before is not None and now >= cond.before:
        return 0.0
    if cond.daily is not None and not _in_window(sim, cond.daily, now):
        return 0.0
    if cond.load is not None and not _above_below(
        sim, i, cond.load.metric, cond.load.above, cond.load.below
    ):
        return 0.0
    share = 1.0
    for s in cond.components or []:
        share *= _state(sim, s, now)
        if share <= 0.0:
            return 0.0
    if cond.any:
        share *= max(own_share(sim, sub, i, now) for sub in cond.any)
    return share


# ---------------------------------------------------------------- effects


def _mask(sim: Simulator, e: Effect) -> F64:
    """The traffic classes an effect hits (cached per effect)."""
    key = ("compose/mask", id(e))
    cached: tuple[Effect, F64] | None = sim.memo.get(key)
    if cached is not None and cached[0] is e:
        return cached[1]
    out = classes_hit(sim.world, e.journeys, e.tenants)
    sim.memo[key] = (e, out)
    return out


def _weight(sim: Simulator, i: int, kmask: F64) -> float:
    """Share of component ``i``'s traffic (last tick) in the classes of ``kmask``."""
    served = sim.served[:, i]
    total = float(served.sum())
    if total <= 0.0:
        return float(kmask.mean())
    return float((served * kmask).sum()) / total


def _combine(a: F64, b: F64 | float) -> F64:
    return 1.0 - (1.0 - a) * (1.0 - b)


def write(sim: Simulator, m: Modifiers, e: Effect, i: int, x: float) -> None:
    """Write effect ``e`` on component ``i`` at strength ``x`` into the modifiers."""
    w, st = sim.world, sim.state
    a = e.amount
    scoped = e.journeys is not None or e.tenants is not None
    kmask = _mask(sim, e) if scoped else filled(w.k, 1.0)
    weight = _weight(sim, i, kmask) if scoped else 1.0
    mech = e.mechanism
    edge = w.edge_index[(w.names[i], e.to)] if e.to is not None else -1
    if mech == "errors":
        if edge >= 0:
            m.edge_fail[edge] = 1.0 - (1.0 - m.edge_fail[edge]) * (1.0 - min(a * x, 1.0))
        else:
            m.add_err(i, min(a * x, 1.0), kmask)
    elif mech == "latency":
        if edge >= 0:
            m.edge_lat[edge] += a * x
        else:
            m.lat_add[i] += a * x
    elif mech == "service-time":
        m.svc_factor[i] *= 1.0 + (a - 1.0) * x * weight
    elif mech == "wrong":
        m.wrong[:, i] = _combine(m.wrong[:, i], min(a * x, 1.0) * kmask)
    elif mech == "cpu":
        m.cpu_factor[i] *= 1.0 + (a - 1.0) * x * weight
    elif mech == "memory":
        if e.per == "second":
            st.mem[i] += a * x * weight * sim.dt
        else:
            m.leak[i] += a / 1000.0 * x * weight
    elif mech == "connections":
        for d in np.flatnonzero((w.src == i) & (st.pool > 0)):
            if e.to is None or int(d) == edge:
                m.pool_factor[d] *= max(1.0 - a * x, 0.0)
    elif mech == "crash-loop":
        m.crash[i] = max(float(m.crash[i]), min(a * x, 1.0))
    elif mech == "stuck":
        s = min(a * x, 1.0)
        wait = float(sim._max_wait_for(st.timeout)[i])
        m.add_err(i, s, kmask)
        share = s * weight  # the hung share of all the component's requests
        m.lat_add[i] += share * wait
        m.cap_factor[i] /= 1.0 + share * wait / max(float(w.service_time[i]), 1e-9)
    elif mech == "down":
        m.unready[i] = max(float(m.unready[i]), min(a * x, 1.0))
    elif mech == "cold":
        st.hit[i] = min(float(st.hit[i]), max(1.0 - a * x, 0.0))


# ---------------------------------------------------------------- the fault each tick


@contextmanager
def _no_resets(sim: Simulator) -> Iterator[None]:
    """Hide the mitigations' resets from a kind's effect: its hard-wired remedies (a restart,
    a failover, a killed query...) no longer end it when the fault lists its own."""
    saved = sim.state.resets
    sim.state.resets = {}
    try:
        yield
    finally:
        sim.state.resets = saved


def adjust(fault: ActiveFault, sim: Simulator, x: float) -> float:
    """The strength after remedies (0 once ended) and aggravators (multiplied)."""
    rt = runtime(sim, fault.number, fault.target)
    if rt.ended_at is not None:
        return 0.0
    return x * rt.multiply


def apply(fault: ActiveFault, sim: Simulator, m: Modifiers, x: float) -> None:
    """Write a composed fault's effect for this tick (``x``: its adjusted strength)."""
    from chaosgame.engine.faults import EFFECTS

    spec, rt, i = fault.spec, runtime(sim, fault.number, fault.target), fault.target
    if x > 0.0:
        version = fault.version
        before = m.err[:, i].copy() if version is not None else None
        if spec.effects is not None:
            for e in [*spec.effects, *rt.extra]:
                write(sim, m, e, i if e.target is None else sim.world.index[e.target], x)
            for j in rt.spread:
                for e in spec.effects:
                    write(sim, m, e, j, x)
        else:
            for e in rt.extra:
                write(sim, m, e, i if e.target is None else sim.world.index[e.target], x)
            fn = EFFECTS.get(spec.kind)
            if fn is not None:
                if spec.remedies is not None:
                    with _no_resets(sim):
                        fn(spec, sim, m, i, x, fault.kmask)
                else:
                    fn(spec, sim, m, i, x, fault.kmask)
                if x > 1.0:
                    for name in FRACTIONS:
                        arr = getattr(m, name)
                        np.minimum(arr, 1.0, out=arr)
        if version is not None and before is not None:
            share = fault.condition(sim, sim.now)
            note_version_error(sim.versionlog, i, version, before, m.err[:, i], share)
    if spec.lasting is not None:
        _lasting(fault, sim, m, x, rt)


def _lasting(fault: ActiveFault, sim: Simulator, m: Modifiers, x: float, rt: Runtime) -> None:
    lasting = fault.spec.lasting
    assert lasting is not None
    w = sim.world
    on = [w.index[n] for n in lasting.on] if lasting.on else [fault.target]
    for j in on:
        if x > 0.0 and j not in rt.damaged:
            rt.acted[j] = rt.acted.get(j, 0.0) + sim.dt
            if rt.acted[j] >= lasting.after - 1e-9:
                rt.damaged.add(j)
                if lasting.message:
                    sim.record("probe", w.names[j], lasting.message)
        if j in rt.damaged:
            for e in lasting.effects:
                write(sim, m, e, j, 1.0)


# ---------------------------------------------------------------- actions


def _matches(t: Trigger, spec: MitigationBase, default: str) -> bool:
    if spec.action != t.action or spec.target != (t.target or default):
        return False
    return all(getattr(spec, k, None) == v for k, v in (t.params or {}).items())


def after_mitigation(sim: Simulator, spec: MitigationBase) -> None:
    """A mitigation has taken effect: end, aggravate or recover the composed faults it names."""
    w, now = sim.world, sim.now
    for fault in sim.faults:
        f = fault.spec
        if f.remedies is None and f.aggravators is None and f.lasting is None:
            continue
        rt = runtime(sim, fault.number, fault.target)
        if now < f.at:
            continue
        if rt.ended_at is None and any(_matches(t, spec, f.target) for t in f.remedies or []):
            rt.ended_at = now
        for n, a in enumerate(f.aggravators or []):
            if rt.ended_at is None and n not in rt.fired and _matches(a, spec, f.target):
                rt.fired.add(n)
                rt.multiply *= a.multiply or 1.0
                rt.extra.extend(a.effects or [])
                rt.spread.extend(w.index[c] for c in a.spread or [])
        lasting = f.lasting
        if lasting is not None and spec.action in lasting.recovery and spec.target in w.index:
            j = w.index[spec.target]
            rt.damaged.discard(j)
            rt.acted.pop(j, None)
