"""What a restart costs, as in production (docs/architecture.md, "Costs of restarts and flags").

A restart, ordered on a healthy component or a faulty one, is never free:

- **out of rotation**: every recycled replica serves nothing until it has started again (its
  ``restart_time``) and passed readiness; the requests it had in flight fail. All at once (the
  default) the component is down for its restart time; ``rolling`` recycles a quarter of the
  replicas at a time (at least one), each wave waiting for the last to be back, as
  ``kubectl rollout restart`` does with ``maxUnavailable: 25%``;
- **cold caches**: a cache keeps its keys in the memory of its replicas; a recycled replica comes
  back empty, so the hit ratio falls by the recycled share (to zero all at once) and refills by
  the cache law as keys are read again, sending the misses to the store meanwhile;
- **a connection surge**: a recycled replica's pools open every connection to its dependencies
  at once, and the pools of a recycled store's callers reconnect. The reconnect herd law
  (``engine/load.py``) charges the handshakes to the store's CPU; a store without its own
  ``resources.connect_cpu`` pays :func:`default_connect_cpu` per connection.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chaosgame.engine.control import take_down
from chaosgame.engine.mitigations import applies
from chaosgame.scenario.actions import Restart

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator
    from chaosgame.engine.state import Modifiers

WAVE_SHARE = 0.25
"""Share of the replicas a rolling restart recycles at a time (Kubernetes' default
``maxUnavailable``), at least one."""
DROPPED_FLOOR = 0.02
"""Share of a recycled replica's requests that fail even when nothing was queued: the ones
it was serving when its process stopped (connections reset)."""

CONNECT_CPU = {"database": 0.005, "queue": 0.002, "cache": 0.0005}
"""CPU seconds one new connection costs a store that does not say (``resources.connect_cpu``):
a PostgreSQL connection forks a backend and runs TLS and SCRAM authentication (a few
milliseconds of CPU); a broker's about half that; an in-memory cache's a fraction of a
millisecond. Anything else terminating TLS pays a handshake's millisecond."""
CONNECT_CPU_OTHER = 0.001


def default_connect_cpu(kind: str) -> float:
    """CPU seconds a new connection costs a component of ``kind`` that declares none."""
    return CONNECT_CPU.get(kind, CONNECT_CPU_OTHER)


def recycle(sim: Simulator, i: int, count: int, *, every: bool = False) -> int:
    """Recycle ``count`` ready replicas of component ``i`` now (``every``: all of them);
    return how many went.

    Their in-flight work fails (an error pulse, in proportion to the share recycled), they
    are out for the restart time, and a cache loses the keys they held."""
    st, w = sim.state, sim.world
    ready = float(st.ready[i])
    count = int(min(count, ready))
    if count <= 0:
        return 0
    share = 1.0 if every else count / ready
    served = float(sim.served[:, i].sum())
    if served > 0:
        inflight = st.syncq[i] + served * float(sim.lat[:, i].mean())
        dropped = min(1.0, inflight / (served * sim.dt) + DROPPED_FLOOR) * share
        st.err_pulse[i] = max(float(st.err_pulse[i]), dropped)
    take_down(sim, i, count, "restart", backoff=False)
    if w.is_cache[i]:
        st.hit[i] *= 1.0 - share
    st.syncq[i] *= 1.0 - share
    return count


@dataclass
class Rolling:
    """A rolling restart under way: the standing effect recycling one wave at a time."""

    i: int
    before: int  # replicas ready when it began
    wave: int
    left: int  # replicas still to recycle
    done: bool = False

    def __call__(self, sim: Simulator, m: Modifiers) -> None:
        if self.done:
            return
        st = sim.state
        # the last wave is back (and serving) before the next goes
        if st.ready[self.i] + 1e-9 < min(self.before, float(st.desired[self.i])):
            return
        if self.left <= 0:
            self.done = True
            _fresh(sim, self.i)
            sim.record("restart", sim.world.names[self.i], "rolling restart finished", "player")
            return
        went = recycle(sim, self.i, min(self.wave, self.left))
        self.left -= max(went, 1)


def _fresh(sim: Simulator, i: int) -> None:
    """Every pod is new: fresh memory and descriptors, and the faults a restart ends end."""
    st, w = sim.state, sim.world
    st.mem[i] = w.mem_base[i]
    st.fds[i] = 0.0
    st.syncq[i] = 0.0
    st.resets[("restart", i)] = sim.now


@applies(Restart)
def _restart(spec: Restart, sim: Simulator) -> str:
    i = sim.world.index[spec.target]
    count = int(sim.state.ready[i])
    if not spec.rolling:
        recycle(sim, i, count, every=True)
        _fresh(sim, i)
        return f"{count} replicas recycled"
    wave = max(1, math.ceil(count * WAVE_SHARE))
    rolling = Rolling(i, count, wave, count - recycle(sim, i, wave))
    sim.standing[("rolling-restart", spec.target)] = rolling
    return f"rolling restart of {count} replicas, {wave} at a time"
