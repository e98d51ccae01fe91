"""Fleets in the engine: selector faults, mixed fleets left by past deploys, partial rollbacks.

* A fault with ``select:`` is compiled into one active fault per component it hits. With a
  ``share`` below 1, the components are picked from the seed through the named stream
  ``fleet/<fault number>``: each matched component gets a key from that stream and the lowest
  keys are hit, so the same seed always picks the same components, and adding a component to
  the fleet never reshuffles the others.
* A deploy before the window that stopped part-way (``reached``) leaves its rollout held where
  it stopped: the versions' shares, the pods listing, the ``version`` label of metrics and logs
  and the deploy history all show the mix.
* A rollback with a ``share`` moves only that share of the pods back (a rollback canary).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from chaosgame.engine.rng import derive
from chaosgame.engine.state import Rollout, Versions
from chaosgame.scenario.fleet import Selector, previous_version, root_selectors, selected

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator
    from chaosgame.scenario.model import Deploy, Scenario


def pick(sc: Scenario, number: int, sel: Selector, seed: int) -> list[str]:
    """The components fault ``number`` (selecting with ``sel``) hits under ``seed``, in the
    scenario's order: all matched ones, or the seeded ``share`` of them (at least one)."""
    names = selected(sc, sel)
    if sel.share >= 1.0 or not names:
        return names
    count = max(1, round(sel.share * len(names)))
    keyed = sorted(names, key=lambda n: (derive(seed, f"fleet/{number}/{n}"), n))
    chosen = set(keyed[:count])
    return [n for n in names if n in chosen]


def root_fleet(sc: Scenario, seed: int | None = None) -> set[str]:
    """The components a fleet-wide root cause lives in under ``seed`` (empty when the root
    cause is one component's)."""
    s = sc.seed if seed is None else seed
    out: set[str] = set()
    for number, sel in root_selectors(sc):
        out.update(pick(sc, number, sel, s))
    return out


# ------------------------------------------------------------- mixed fleets


def initial_versions(sc: Scenario, name: str, version: str, past: list[Deploy]) -> Versions:
    """What component ``name`` runs when the window opens, given its deploys before it
    (``past``, oldest first): the last one's version, on every pod (the component's own
    ``version`` is what it ran before them). A last deploy that stopped part-way leaves a
    held rollout."""
    last = past[-1] if past else None
    if last is None or last.reached is None or last.reached >= 1.0:
        stable = version if last is None else last.version
        before = [] if any(d.version == version for d in past) else [version]
        older = [v for v in [*before, *(d.version for d in past)] if v != stable]
        return Versions(stable=stable, history=older)
    old = previous_version(sc, last)
    history = [d.version for d in past[:-1] if d.version not in (old, last.version)]
    rollout = Rollout(
        last.version, last.at, last.duration, last.strategy, last.weight, True, last.reached
    )
    return Versions(stable=old, history=history, rollout=rollout)


def stopped_note(sc: Scenario, d: Deploy) -> str:
    """What the deploy history says of a deploy that stopped part-way, in pods."""
    if d.reached is None or d.reached >= 1.0:
        return ""
    comp = sc.component(d.component)
    old = previous_version(sc, d)
    on_new = int(round(d.reached * comp.replicas))
    return (
        f"; stopped at {d.reached:.0%}: {on_new} of {comp.replicas} pods on {d.version}, "
        f"{comp.replicas - on_new} still on {old}"
    )


def partial_rollback(sim: Simulator, i: int, share: float) -> str:
    """Move ``share`` of component ``i``'s pods back to the version before its last deploy.

    During a rollout (or a mixed fleet) the pods on the new version shrink so that at least
    ``share`` of the pods run the old one. Otherwise a rollback canary starts: ``share`` of
    the pods on the previous version, held there; a full rollback then finishes it.
    """
    v = sim.state.versions[i]
    r = v.rollout
    now = sim.now
    if r is not None and r.rollback:
        weight = max(v.weight(now), min(share, 1.0))
        r.hold, r.paused = weight, True
        return f"{weight:.0%} of pods on {r.to}, {1 - weight:.0%} still on {v.stable}"
    if r is not None:
        weight = min(v.weight(now), 1.0 - share)
        r.hold, r.paused = weight, True
        return f"{1 - weight:.0%} of pods back on {v.stable}, {weight:.0%} still on {r.to}"
    if not v.history:
        return f"nothing to roll back to; still on {v.stable}"
    back = v.history.pop()
    v.rollout = Rollout(back, now, 0.0, "canary", share, True, share, rollback=True)
    return f"{share:.0%} of pods back on {back}, {1 - share:.0%} still on {v.stable}"


def finish_rollback(v: Versions) -> str | None:
    """A full rollback after a rollback canary: every pod on the version rolled back to."""
    r = v.rollout
    if r is None or not r.rollback:
        return None
    bad = v.stable
    v.stable, v.rollout = r.to, None
    return f"{bad} -> {v.stable} (rollback completed on every pod)"


def pods_on(total: int, weight: float) -> int:
    """Pods on a new version at ``weight`` out of ``total`` (as the pods listing rounds)."""
    return int(math.floor(weight * total + 0.5))
