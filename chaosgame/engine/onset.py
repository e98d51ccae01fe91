"""When an incident's harm really began: the first tick at which one of its faults acted.

A scenario's static onset (:attr:`chaosgame.scenario.model.Scenario.onset`) is when its first
fault *starts*. A latent fault may start long before it does anything: placed before the
window (the bad code shipped last week, ``at: -7d``) it waits for its condition (a flag turned
on, a version rolled out, a time of day). The onset a player is paged after, and that scoring
and ``check`` measure from, is when a fault first acted in the simulation. A fault that acts
within one tick of its start keeps its start time as the onset (a rollout's first pods take a
tick to show), so an unconditional fault's onset is its ``at``, as written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator


def static_onset(sim: Simulator) -> float:
    """When the first fault starts inside the window (never before its start, t = 0)."""
    return max(sim.scenario.onset, 0.0)


def first_acted(sim: Simulator) -> float | None:
    """When a fault of ``sim`` first acted so far; None while none has."""
    times = [f.first_acted for f in sim.faults if f.first_acted is not None]
    return min(times) if times else None


def onset(sim: Simulator) -> float:
    """When the harm began, as far as ``sim`` has run: the first tick a fault acted at, or the
    static onset when that is within one tick of it (or when no fault has acted yet)."""
    start = static_onset(sim)
    first = first_acted(sim)
    if first is None or first <= start + sim.dt + 1e-9:
        return start
    return first


def run_to_harm(sim: Simulator, limit: float) -> float:
    """Run ``sim`` to the static onset, then on until a fault acts (at most to ``limit``),
    and return the onset. A scenario without faults stops at its static onset, and so does
    one whose static onset is already past ``limit``."""
    sim.run_until(static_onset(sim))
    while sim.faults and sim.now < limit - 1e-9 and first_acted(sim) is None:
        sim.step()
    return onset(sim)
