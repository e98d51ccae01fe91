"""Configuration the engine understands: documented keys that set a component's parameters.

A config change (from the scenario's history, from a fault that pushes one, or from a player
reverting one) goes through :func:`set_config`, which records it in the timeline and in a log
that ``revert-config`` walks back. Keys the engine knows change simulated parameters:

========================  ====================================================================
``cpu_limit``             cores per replica
``memory_limit_mb``       memory limit per replica
``disk_gb``               disk size
``liveness_timeout``      liveness probe timeout (seconds); slower replicas are restarted
``autoscaler_max``        the autoscaler's maximum replicas
``autoscaler_metric``     cpu, rps, latency or queue_lag
``autoscaler_target``     target value of the autoscaler's metric
``timeout:<to>``          timeout of calls to ``<to>`` (seconds)
``pool:<to>``             connection pool per replica for calls to ``<to>``
``retries:<to>``          retries of calls to ``<to>``
``allow:<to>``            ``false``: the network drops calls to ``<to>`` (they hang, time out)
``grant:<to>``            ``false``: ``<to>`` denies the caller's credentials (fast errors)
``waf_block:<journey>``   share of that journey's requests a gateway rule rejects
========================  ====================================================================

Any other key is plain configuration: visible, and usable in a fault's ``when.config``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator

COMPONENT_KEYS = (
    "cpu_limit",
    "memory_limit_mb",
    "disk_gb",
    "liveness_timeout",
    "autoscaler_max",
    "autoscaler_metric",
    "autoscaler_target",
)
EDGE_KEYS = ("timeout", "pool", "retries", "allow", "grant")


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    text = value.strip().lower()
    scale = 1.0
    if text.endswith("ms"):
        text, scale = text[:-2], 1e-3
    elif text.endswith("s"):
        text = text[:-1]
    try:
        return float(text) * scale
    except ValueError:
        return None


def set_config(
    sim: Simulator,
    i: int,
    key: str,
    value: str | None,
    actor: str,
    *,
    log: bool = True,
    record: bool = True,
) -> None:
    """Set (or, with ``None``, remove) config ``key`` of component ``i``; apply what it means."""
    st = sim.state
    previous = st.config.get((i, key))
    if log:
        st.config_log.append((i, key, previous))
    if value is None:
        st.config.pop((i, key), None)
    else:
        st.config[(i, key)] = value
    apply_key(sim, i, key)
    if record:
        shown = "(unset)" if value is None else value
        sim.record("config", sim.world.names[i], f"{key}={shown} by {actor}", actor)


def revert_last(sim: Simulator, i: int, key: str | None, actor: str) -> str:
    """Undo the latest config change of component ``i`` (of ``key``, if given)."""
    st = sim.state
    for n in range(len(st.config_log) - 1, -1, -1):
        ci, k, previous = st.config_log[n]
        if ci == i and (key is None or k == key):
            del st.config_log[n]
            set_config(sim, i, k, previous, actor, log=False)
            return f"{k} reverted to {previous if previous is not None else 'its default'}"
    return "no config change to revert"


def apply_key(sim: Simulator, i: int, key: str) -> None:
    """Recompute the parameters that config ``key`` of component ``i`` controls."""
    st, w = sim.state, sim.world
    raw = st.config.get((i, key))
    name, _, arg = key.partition(":")
    num = _number(raw)
    if not arg:
        if name == "cpu_limit":
            st.cpu_limit[i] = num if num and num > 0 else w.cpu_limit[i]
        elif name == "memory_limit_mb":
            st.mem_limit[i] = num if num and num > 0 else w.mem_limit[i]
        elif name == "disk_gb":
            st.disk_gb[i] = num if num and num > 0 else w.disk_gb[i]
        elif name == "liveness_timeout":
            st.liveness[i] = num if num and num > 0 else w.liveness[i]
        elif name == "autoscaler_max":
            st.as_max[i] = num if num and num >= 1 else math.nan
        elif name == "autoscaler_target":
            st.as_target[i] = num if num and num > 0 else math.nan
        elif name == "autoscaler_metric":
            if raw in ("cpu", "rps", "latency", "queue_lag"):
                st.as_metric[i] = raw
            else:
                st.as_metric.pop(i, None)
        return
    if name == "waf_block":
        if arg in w.journeys:
            mask = w.class_journey == w.journeys.index(arg)
            share = min(max(num or 0.0, 0.0), 1.0)
            st.waf[mask, i] = share
        return
    e = w.edge_index.get((w.names[i], arg))
    if e is None or name not in EDGE_KEYS:
        return
    if name == "timeout":
        st.timeout[e] = num if num and num > 0 else w.timeout[e]
    elif name == "pool":
        st.pool[e] = num if num and num >= 1 else w.pool[e]
    elif name == "retries":
        st.retries[e] = min(max(num, 0.0), 10.0) if num is not None else w.retries[e]
    elif name == "allow":
        st.deny_slow[e] = raw is not None and raw.lower() == "false"
    elif name == "grant":
        st.deny_fast[e] = raw is not None and raw.lower() == "false"
