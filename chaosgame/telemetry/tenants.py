"""Tenant labels: per-tenant request metrics, log lines and spans, from the per-class history.

The engine simulates one traffic *class* per (journey, tenant); the history keeps each class's
offered load, error share and latency at every component. When a scenario has tenants (more
than the default single tenant ``all``), a component whose ``telemetry.tenant_labels`` is
true splits its request metrics by class with a ``tenant`` label, writes a ``tenant`` field
in its access-log lines and a ``tenant`` attribute on its spans, so that harm falling on one
customer can be found with a query
(``sum by (tenant) (rate(http_requests_total{code=~"5.."}[5m]))``). Components without it
stay per endpoint (the tenant is not propagated there, an observability gap). A scenario
without tenants, or where no component labels them, is unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from chaosgame.telemetry.recorder import recorder

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator
    from chaosgame.telemetry.metrics_http import Split


def has_tenants(sim: Simulator) -> bool:
    """Whether the scenario has tenants beyond the default single ``all``."""
    ts = sim.scenario.tenants
    return len(ts) > 1 or ts[0].name != "all"


def tenanted(sim: Simulator) -> bool:
    """Whether any telemetry of this game carries tenant labels: the scenario has tenants
    and at least one component has ``telemetry.tenant_labels`` (kept with the game)."""
    rec = recorder(sim)
    out: bool | None = rec.cache.get("tenants/on")
    if out is None:
        out = rec.cache["tenants/on"] = has_tenants(sim) and any(
            c.telemetry.tenant_labels for c in sim.scenario.components
        )
    return out


def labelled(sim: Simulator, i: int) -> bool:
    """Whether component ``i``'s telemetry carries the tenant."""
    return tenanted(sim) and sim.scenario.components[i].telemetry.tenant_labels


def class_split(sim: Simulator, comps: list[int], hi: int, latency: bool = True) -> Split:
    """Like :func:`chaosgame.telemetry.metrics_http.journey_split`, with one pair per
    (component, class) where the component carries tenant labels.

    A class pair is written ``(component, J + class)`` with ``J`` the number of journeys, so
    that :func:`pair_tenant` can tell it from a journey pair ``(component, journey)``.
    """
    from chaosgame.telemetry.metrics_http import _journey_split, _peak

    plain = [i for i in comps if not labelled(sim, i)]
    split = [i for i in comps if labelled(sim, i)]
    pairs, rate, err, mean, floor = _journey_split(sim, plain, hi, latency)
    if not split:
        return pairs, rate, err, mean, floor
    w, h = sim.world, sim.history
    nj = len(w.journeys)
    peak = _peak(sim, hi)
    more: list[tuple[int, int]] = []
    flat: list[int] = []
    for k in range(w.k):
        for i in split:
            if peak[k, i] > 0:
                more.append((i, nj + k))
                flat.append(k * w.n + i)
    names = ("offered", "errors", "latency", "floor") if latency else ("offered", "errors")
    idx = np.array(flat, dtype=np.int64)
    cols: list[np.ndarray] = [np.take(h.cls[n][:hi].reshape(hi, -1), idx, axis=1) for n in names]
    if not latency:
        cols += [np.zeros((hi, len(more)))] * 2
    if not pairs:
        return more, cols[0], cols[1], cols[2], cols[3]
    return (
        pairs + more,
        np.hstack([rate, cols[0]]),
        np.hstack([err, cols[1]]),
        np.hstack([mean, cols[2]]),
        np.hstack([floor, cols[3]]),
    )


def pair_journey(sim: Simulator, j: int) -> int:
    """The journey of a pair's second number (a journey, or ``J + class``)."""
    nj = len(sim.world.journeys)
    return j if j < nj else int(sim.world.class_journey[j - nj])


def pair_tenant(sim: Simulator, j: int) -> str | None:
    """The tenant of a pair's second number (None for a journey pair)."""
    nj = len(sim.world.journeys)
    if j < nj:
        return None
    w = sim.world
    return w.tenants[int(w.class_tenant[j - nj])]


def pick_class(sim: Simulator, j: int, tick: int, status: int, u: float) -> int:
    """The class of journey ``j`` one request belongs to, given its outcome at the front:
    failed requests come from the classes that failed, in proportion to their failures."""
    w, h = sim.world, sim.history
    ks = np.flatnonzero(w.class_journey == j)
    front = int(w.journey_front[j])
    o = h.cls["offered"][tick, ks, front].astype(np.float64)
    e = np.clip(h.cls["errors"][tick, ks, front].astype(np.float64), 0.0, 1.0)
    weight = o * (e if status else 1.0 - e)
    if float(weight.sum()) <= 0.0:
        weight = w.class_share[ks].astype(np.float64)
    cum = np.cumsum(weight / weight.sum())
    return int(ks[min(int(np.searchsorted(cum, u)), len(ks) - 1)])


def line_tenants(sim: Simulator, i: int, j: int) -> list[tuple[int, str | None]]:
    """The (tenant index, name) pairs component ``i`` writes access lines of journey ``j``
    for: one per tenant with labels, else ``[(-1, None)]`` (every tenant in one line)."""
    if not labelled(sim, i):
        return [(-1, None)]
    rec = recorder(sim)
    key = f"tenants/of/{j}"
    out: list[tuple[int, str | None]] | None = rec.cache.get(key)
    if out is None:
        w = sim.world
        ts = sorted({int(t) for t in w.class_tenant[w.class_journey == j]})
        out = rec.cache[key] = [(t, w.tenants[t]) for t in ts]
    return out
