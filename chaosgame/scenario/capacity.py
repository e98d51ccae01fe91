"""Capacity limits and health checks: what a scenario file says about them.

A cluster may have limits besides its nodes' CPU: the node group's maximum size
(``max_nodes``), the cloud account's vCPU quota (``vcpu_quota``), a resource quota on the CPU
its pods hold (``pod_cpu_quota``) and the addresses of the subnet its pods and nodes draw from
(``pod_ips``, ``node_ips``). A probe may call dependencies (``checks``: a deep health check).
The engine gives these their effect (``chaosgame.engine.capacity``).

Plain data and checks only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chaosgame.scenario.model import Scenario


def uses_limits(sc: Scenario) -> bool:
    """Whether any cluster has a limit beyond its nodes' CPU."""
    return any(
        cl.max_nodes is not None
        or cl.vcpu_quota is not None
        or cl.pod_cpu_quota is not None
        or cl.pod_ips is not None
        for cl in sc.clusters
    )


def check_capacity(sc: Scenario) -> list[str]:
    """Problems with cluster limits and probe checks, each saying what and where."""
    problems: list[str] = []
    for i, cl in enumerate(sc.clusters):
        where = f"clusters[{i}]"
        if cl.max_nodes is not None and cl.nodes > cl.max_nodes:
            problems.append(
                f"{where}.max_nodes: the cluster starts with {cl.nodes} nodes, more than its "
                f"maximum of {cl.max_nodes}"
            )
        if cl.vcpu_quota is not None and cl.nodes * cl.cpu_per_node > cl.vcpu_quota + 1e-9:
            problems.append(
                f"{where}.vcpu_quota: {cl.nodes} nodes of {cl.cpu_per_node:g} cores already "
                f"hold {cl.nodes * cl.cpu_per_node:g} vCPUs, more than the quota of "
                f"{cl.vcpu_quota:g}"
            )
        if cl.pod_ips is not None and cl.nodes * cl.node_ips > cl.pod_ips:
            problems.append(
                f"{where}.pod_ips: {cl.nodes} nodes of {cl.node_ips} addresses already hold "
                f"{cl.nodes * cl.node_ips}, more than the subnet's {cl.pod_ips}"
            )
    calls = {(d.source, d.to) for d in sc.dependencies}
    for i, c in enumerate(sc.components):
        for probe in ("liveness", "readiness"):
            p = getattr(c, probe)
            if p is None:
                continue
            for j, to in enumerate(p.checks):
                if (c.name, to) not in calls:
                    callees = sorted(d for s, d in calls if s == c.name)
                    problems.append(
                        f"components[{i}].{probe}.checks[{j}]: '{c.name}' does not call '{to}' "
                        f"(it calls: {', '.join(callees) or 'nothing'}); a health check can "
                        "only call the component's dependencies"
                    )
    return problems
