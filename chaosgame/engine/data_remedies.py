"""The effect of ``reconcile`` (``chaosgame.scenario.data_actions``): the writes only the other
copy of a database holds are replayed into the serving one (``engine/data.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chaosgame.engine import data
from chaosgame.engine.mitigations import applies
from chaosgame.scenario.data_actions import Reconcile

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator


@applies(Reconcile)
def _reconcile(spec: Reconcile, sim: Simulator) -> str:
    return data.reconcile(sim, sim.world.index[spec.target])
