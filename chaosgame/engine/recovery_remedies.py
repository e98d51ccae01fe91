"""Effects of the long-recovery mitigations (``chaosgame.scenario.recovery_kinds``).

A runbook step changes nothing in the fleet by itself: it is recorded as done, and later
actions may require it. A restore brings a lost database back on its backup's copy: every
replica restarts (out for its restart time) and a crashed primary serves again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chaosgame.engine import data
from chaosgame.engine.control import take_down
from chaosgame.engine.mitigations import applies
from chaosgame.scenario.recovery_kinds import RestoreBackup, RunStep

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator


@applies(RunStep)
def _run_step(spec: RunStep, sim: Simulator) -> str:
    return f"runbook step {spec.step} carried out"


@applies(RestoreBackup)
def _restore(spec: RestoreBackup, sim: Simulator) -> str:
    i = sim.world.index[spec.target]
    st = sim.state
    which = ""
    if sim.data is not None:
        came_back, which = data.restore(sim, i, spec.backup)
        if not came_back:
            return which
    count = int(st.desired[i])
    take_down(sim, i, int(st.ready[i]), "restart", backoff=False)
    st.syncq[i] = 0.0
    st.resets[("restore", i)] = sim.now
    return (
        f"restored {which or 'from the latest backup'}; {count} replicas start on its copy "
        "(writes made after the backup are not in it)"
    )
