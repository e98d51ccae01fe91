"""Capacity limits: resource quotas, subnet addresses and node provisioning limits.

A pod that the scheduler cannot place stays Pending and serves nothing; a node the cloud
cannot launch is simply not there. Neither refuses the action that asked for it: a scale-out
or an ``add-nodes`` happens, what fits starts, and the rest waits (and tries again every
tick) with its reason in the timeline, as in production.

The limits of a cluster ``c`` (``scenario.model.Cluster``), checked when pods start
(:func:`chaosgame.engine.control.start_replicas`) and when nodes are added:

- ``pod_cpu_quota`` ``Q``: pods whose CPU limits would take the cluster's total past ``Q``
  stay Pending; with per-pod limit ``q`` and nothing else running, ``floor(Q / q)`` run.
- ``pod_ips`` ``A`` with ``node_ips`` ``a`` per node: every running pod holds one address,
  every node ``a``; a pod starts only while ``A + added - nodes x a - running pods >= 1``.
  A node launches only while ``a`` addresses are free, and then holds them.
- ``max_nodes`` and ``vcpu_quota`` ``V``: at most ``min(max_nodes, floor(V / cores per node))``
  nodes; the rest of an ``add-nodes`` fails to launch.

Only the scenarios that declare clusters carry a :class:`Limits` (``Simulator.limits``); one
without any of these fields runs exactly as before.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from chaosgame.engine.world import F64

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator

EPS = 1e-9
"""Slack so that an exact fit (``Q / q`` a whole number) is not lost to rounding."""

QUOTA_NAME = "compute-quota"
"""The resource quota's name in the messages."""


@dataclass
class Limits:
    """The clusters' limits, and the pods waiting on them tick by tick."""

    pod_cpu_quota: F64  # (C,) inf where none
    pod_ips: F64  # (C,) inf where none
    node_ips: F64  # (C,)
    max_nodes: F64  # (C,) inf where none
    vcpu_quota: F64  # (C,) inf where none
    cpu_per_node: F64  # (C,)
    added_ips: F64  # (C,) addresses a player added (``add-subnet``)
    waiting: dict[int, dict[int, tuple[float, str]]] = field(default_factory=dict)
    """Tick -> component -> (pods that could not start that tick, why)."""

    def note(self, tick: int, i: int, count: float, why: str) -> None:
        """Record that ``count`` pods of component ``i`` could not start at ``tick``."""
        if count <= 0:
            return
        row = self.waiting.setdefault(tick, {})
        before = row.get(i, (0.0, ""))[0]
        row[i] = (before + count, why)

    def free_ips(self, sim: Simulator, c: int) -> float:
        """Addresses of cluster ``c``'s subnet no node or running pod holds."""
        w, st = sim.world, sim.state
        held = float(st.ready[w.cluster == c].sum()) + float(st.nodes[c]) * self.node_ips[c]
        return float(self.pod_ips[c] + self.added_ips[c] - held)

    def admit(self, sim: Simulator, i: int, c: int, start: float) -> tuple[float, str]:
        """How many of ``start`` new pods of component ``i`` the quota and the subnet of its
        cluster ``c`` let start, and why the others cannot (empty when all can)."""
        w, st = sim.world, sim.state
        why = ""
        if np.isfinite(self.pod_cpu_quota[c]):
            members = w.cluster == c
            used = float((st.ready[members] * st.cpu_limit[members]).sum())
            quota = float(self.pod_cpu_quota[c])
            fit = max(math.floor((quota - used) / st.cpu_limit[i] + EPS), 0)
            if fit < start:
                start = float(fit)
                why = (
                    f"Pending: exceeded quota: {QUOTA_NAME}, requested: "
                    f"limits.cpu={st.cpu_limit[i]:g}, used: "
                    f"limits.cpu={used + fit * st.cpu_limit[i]:g}, "
                    f"limited: limits.cpu={quota:g}"
                )
        if start > 0 and np.isfinite(self.pod_ips[c]):
            fit = max(math.floor(self.free_ips(sim, c) + EPS), 0)
            if fit < start:
                start = float(fit)
                why = (
                    "ContainerCreating: failed to assign an IP address to container: "
                    "InsufficientFreeAddressesInSubnet"
                )
        return start, why

    def provision(self, sim: Simulator, c: int, count: int) -> tuple[int, str]:
        """How many of ``count`` new nodes of cluster ``c`` launch, and why the rest fail."""
        st = sim.state
        nodes = float(st.nodes[c])
        launch, why = count, ""
        if np.isfinite(self.max_nodes[c]) and nodes + launch > self.max_nodes[c]:
            launch = max(int(self.max_nodes[c] - nodes), 0)
            why = f"node group at its maximum size ({self.max_nodes[c]:g} nodes)"
        quota = self.vcpu_quota[c]
        if np.isfinite(quota):
            fit = max(math.floor(quota / self.cpu_per_node[c] + EPS) - int(nodes), 0)
            if fit < launch:
                launch = fit
                why = (
                    f"VcpuLimitExceeded: you have requested more vCPU capacity than your "
                    f"current vCPU limit of {quota:g} allows"
                )
        per = self.node_ips[c]
        if np.isfinite(self.pod_ips[c]) and per > 0:
            fit = max(math.floor(self.free_ips(sim, c) / per + EPS), 0)
            if fit < launch:
                launch = fit
                why = "InsufficientFreeAddressesInSubnet: not enough free addresses in the subnet"
        return launch, why


def limits_of(sim: Simulator) -> Limits | None:
    """The limits of the scenario's clusters, or None when it declares no cluster."""
    clusters = sim.scenario.clusters
    if not clusters:
        return None

    def arr(values: list[float | None]) -> F64:
        return np.array([np.inf if v is None else float(v) for v in values], dtype=np.float64)

    return Limits(
        pod_cpu_quota=arr([cl.pod_cpu_quota for cl in clusters]),
        pod_ips=arr([cl.pod_ips for cl in clusters]),
        node_ips=arr([cl.node_ips for cl in clusters]),
        max_nodes=arr([cl.max_nodes for cl in clusters]),
        vcpu_quota=arr([cl.vcpu_quota for cl in clusters]),
        cpu_per_node=arr([cl.cpu_per_node for cl in clusters]),
        added_ips=np.zeros(len(clusters)),
    )


def pending_at(sim: Simulator, tick: int, i: int) -> tuple[int, str]:
    """Pods of component ``i`` that could not start at ``tick`` for want of room, and why."""
    limits = sim.limits
    if limits is None:
        return 0, ""
    count, why = limits.waiting.get(tick, {}).get(i, (0.0, ""))
    return int(round(count)), why


def add_nodes(sim: Simulator, c: int, count: int) -> str:
    """Launch ``count`` nodes in cluster ``c``, as many as its limits allow; say what happened."""
    st, limits = sim.state, sim.limits
    launch, why = (count, "") if limits is None else limits.provision(sim, c, count)
    st.nodes[c] += launch
    total = int(st.nodes[c])
    if launch == count:
        return f"{count} nodes added; {total} in the cluster"
    name = sim.scenario.clusters[c].name
    failed = count - launch
    sim.record("provisioning", name, f"{failed} of {count} new nodes failed to launch: {why}")
    return f"{launch} of {count} nodes launched ({failed} failed: {why}); {total} in the cluster"


def add_subnet(sim: Simulator, c: int, addresses: int) -> str:
    """Give cluster ``c``'s pods ``addresses`` more addresses (a new subnet or CIDR block)."""
    limits = sim.limits
    assert limits is not None  # a cluster exists, so its limits do
    limits.added_ips[c] += addresses
    if not np.isfinite(limits.pod_ips[c]):
        return f"{addresses} addresses added; the cluster was not short of addresses"
    free = int(limits.free_ips(sim, c))
    return f"{addresses} addresses added to the pod network; {free} free"
