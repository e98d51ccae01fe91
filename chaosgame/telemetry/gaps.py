"""The gaps real telemetry has: pipelines that go dark, scrapes, retention, skew, sampling.

Per component, ``component.telemetry`` says which signals exist and how they are sampled.
The observability pipeline components (``metrics_store``, ``log_pipeline``,
``trace_collector``, ``pager``) are simulated like any other: while one has no ready replica
or fails most of its requests, the data it carries goes dark for that period.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator
    from chaosgame.scenario.model import Telemetry

DARK_ERRORS = 0.5
"""A pipeline component failing more than this share of its work loses that tick's data."""
PIPELINE = {
    "metrics": "metrics_store",
    "logs": "log_pipeline",
    "traces": "trace_collector",
    "alerts": "pager",
}


def dark(sim: Simulator, signal: str, lo: int, hi: int) -> NDArray[np.bool_]:
    """Ticks ``[lo, hi)`` during which ``signal``'s pipeline was down (True = no data)."""
    kind = PIPELINE[signal]
    w = sim.world
    idx = [i for i, k in enumerate(w.kinds) if k == kind]
    out = np.zeros(max(hi - lo, 0), dtype=np.bool_)
    if not idx or hi <= lo:
        return out
    c = sim.history.comp
    reps = c["replicas"][lo:hi][:, idx]
    errs = c["errors"][lo:hi][:, idx]
    down = (reps <= 0) | (errs > DARK_ERRORS)
    # with several instances of a pipeline, data is lost only if all of them are down
    result: NDArray[np.bool_] = np.asarray(down.all(axis=1), dtype=np.bool_)
    return result


def missed_scrapes(sim: Simulator, lo: int, hi: int) -> NDArray[np.bool_]:
    """Ticks ``[lo, hi)`` x components: True where a scrape of the component was missed (a
    dashboard gap written by the simulation, e.g. a scrape timing out)."""
    scraped = sim.history.comp["scraped"][lo:hi]
    missed: NDArray[np.bool_] = np.asarray(scraped < 0.5, dtype=np.bool_)
    return missed


def settings(sim: Simulator, i: int) -> Telemetry:
    """The telemetry settings of component ``i``."""
    return sim.scenario.components[i].telemetry


def scrape_step(sim: Simulator, i: int) -> int:
    """Ticks between two scrapes of component ``i`` (at least one)."""
    return max(1, int(round(settings(sim, i).scrape_interval / sim.dt)))


def first_kept(sim: Simulator, i: int, now: float) -> int:
    """The oldest tick still within component ``i``'s retention at time ``now``."""
    keep = settings(sim, i).retention
    return max(0, int(np.ceil((now - keep) / sim.dt - 1e-9)))


def has(sim: Simulator, i: int, signal: str) -> bool:
    """Whether component ``i`` emits ``signal`` (metrics, logs or traces) at all."""
    t = settings(sim, i)
    return bool(getattr(t, signal))
