"""Which symptom-hiding mitigations are still in force when a run is judged.

A mitigation hides symptoms when it makes them disappear without repairing anything
(:func:`chaosgame.engine.grading.is_symptom_hiding`). Only what still hides them at the end
of the judged run counts, and only what hides a user's symptoms:

* a ``shed-load`` or ``rate-limit`` replaced by a later one on the same target (and, for a
  rate limit, the same journey or tenant) is no longer in force: shedding everything and then
  lifting it (``fraction=0``) before the end hides nothing at the end;
* a ``scale`` replaced by a later ``scale`` of the same target is no longer in force;
* a ``silence-alert`` whose duration ran out before the end no longer silences anything;
* scaling to zero a component that serves no user journey (a batch worker, a backfill, a
  background job) refuses nobody's requests: stopping it is a repair, not a hidden symptom.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np

from chaosgame.scenario.actions import MitigationBase, Scale, ShedLoad
from chaosgame.scenario.mitigation_kinds import RateLimit, SilenceAlert

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator


def serving(sim: Simulator) -> set[int]:
    """Components on some journey's path (the journey fronts and what they call)."""
    w = sim.world
    out: set[int] = set()
    for front in set(int(f) for f in w.journey_front):
        out.add(front)
        out |= {w.index[name] for name in nx.descendants(w.graph, w.names[front])}
    return out


def _slot(spec: MitigationBase) -> tuple[str, ...] | None:
    """What a later mitigation of the same slot replaces (None: nothing replaces it)."""
    if isinstance(spec, (ShedLoad, Scale)):
        return (spec.action, spec.target)
    if isinstance(spec, RateLimit):
        # the engine keys a rate limit by its target and what it limits
        return (spec.action, spec.target, spec.journey or spec.tenant or "all traffic")
    return None


def in_force(sim: Simulator) -> list[MitigationBase]:
    """The mitigations that took effect and are still in force now, in the order they acted."""
    done = sorted((p for p in sim.pending if p.done), key=lambda p: p.at)
    latest: dict[tuple[str, ...], int] = {}
    for n, p in enumerate(done):
        slot = _slot(p.spec)
        if slot is not None:
            latest[slot] = n
    silenced: dict[str, float] = sim.memo.get("silenced", {})
    out = []
    for n, p in enumerate(done):
        slot = _slot(p.spec)
        if slot is not None and latest[slot] != n:
            continue  # replaced by a later one
        if isinstance(p.spec, SilenceAlert) and silenced.get(p.spec.target, 0.0) <= sim.now:
            continue  # the silence ran out
        out.append(p.spec)
    return out


def hidden(sim: Simulator, hiding: Callable[[MitigationBase], bool]) -> tuple[str, ...]:
    """``action target`` of every mitigation still hiding a user's symptoms now."""
    users = serving(sim)
    w = sim.world
    out = []
    for spec in in_force(sim):
        if not hiding(spec):
            continue
        if isinstance(spec, Scale) and w.index.get(spec.target) not in users:
            continue  # a background job stopped: nobody's requests are refused
        out.append(f"{spec.action} {spec.target}")
    return tuple(dict.fromkeys(out))


def dropped(sim: Simulator, limit: float) -> list[str]:
    """Journeys whose requests the player's shedding and rate limits drop at their front door
    now, ``limit`` or more of them: the share of the journey's requests really dropped (each
    tenant's requests weighted by its share), then, with several tenants, each tenant's own.

    Rate-limiting one small tenant in full drops that tenant's share of the journey, not all
    of it."""
    w, m = sim.world, sim.mods
    out = []
    for j, front in enumerate(w.journey_front):
        classes = np.flatnonzero(w.class_journey == j)
        kept = (1.0 - float(m.shed[front])) * (1.0 - m.block[classes, front])
        weight = w.class_share[classes] / max(float(w.class_share[classes].sum()), 1e-12)
        share = 1.0 - float(np.dot(weight, kept))
        if share < limit - 1e-12:
            continue
        what = f"{share:.0%} of {w.journeys[j]} traffic is dropped at {w.names[front]}"
        if len(w.tenants) > 1:
            each = ", ".join(
                f"tenant {w.tenants[int(w.class_tenant[c])]} {1.0 - float(k):.0%}"
                for c, k in zip(classes, kept, strict=True)
            )
            what += f" ({each})"
        out.append(what)
    return out
