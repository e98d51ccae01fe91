"""New connections a component accepted: the surge of pools reopening after a restart, a
crash, a failover or a scale-up (``db_connections_opened_total``; ``engine/load.py``, reconnect
herds)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from chaosgame.telemetry.series import F, Frame, comp_labels, emitting

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator
    from chaosgame.telemetry.metrics import Spec
    from chaosgame.telemetry.promql import Matcher

NAME = "db_connections_opened_total"


def metric_specs(sim: Simulator) -> dict[str, Spec]:
    """The counter, for a scenario whose calls go through connection pools."""
    p = sim.world.load
    if p is None or not p.herd_edges.size:
        return {}
    from chaosgame.telemetry.metrics import Spec

    return {
        NAME: Spec(
            "counter",
            "connections the component accepted from its callers' pools (handshakes it "
            "served, each costing it CPU)",
            ("service", "region"),
            _build,
        )
    }


def _build(sim: Simulator, comps: list[int], hi: int, _m: list[Matcher]) -> Frame:
    p, ls = sim.world.load, sim.load_state
    assert p is not None
    assert ls is not None
    on = emitting(sim)
    stores = set(int(d) for d in sim.world.dst[p.herd_edges])
    keep = [i for i in comps if i in stores and on[i]]
    if not keep:
        return Frame.empty()

    def values() -> F:
        out: F = np.zeros((len(keep), hi))
        for t, row in ls.opened.items():
            if t < hi:
                out[:, t] = row[keep]
        return out

    return Frame.of_values(comp_labels(sim, keep), values, np.array(keep, np.int64), sim.dt, True)
