"""The mitigation catalogue beyond the first actions (registered on import of ``actions``).

Each action lists what it may target: component kinds, or ``cluster`` / ``region`` for actions
whose target is a cluster or a region name. ``risky`` actions ask the player to confirm.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from chaosgame.scenario.actions import WORKLOADS, MitigationBase, Towards, mitigation

SERVING = ("gateway", "service", "worker", "database", "cache", "queue", "dns", "external")
ANY = (*SERVING, "metrics_store", "log_pipeline", "trace_collector", "pager")


# ------------------------------------------------------------- releases


@mitigation(
    "pause-rollout",
    topics=("deploy-strategies", "incident-response"),
    summary="freeze a rollout where it is (old and new versions keep serving side by side)",
    delay_s=20,
)
class PauseRollout(MitigationBase):
    action: Literal["pause-rollout"]


@mitigation(
    "shift-traffic",
    topics=("deploy-strategies",),
    summary="set the share of traffic on a canary or green stack (0 sends all back)",
    delay_s=30,
)
class ShiftTraffic(MitigationBase):
    action: Literal["shift-traffic"]
    weight: float = Field(default=0.0, ge=0, le=1, description="share on the new version")


@mitigation(
    "complete-rollout",
    topics=("deploy-strategies", "database-migrations"),
    summary="promote the new version to every pod now (no way back without a new deploy)",
    delay_s=90,
    risky=True,
)
class CompleteRollout(MitigationBase):
    action: Literal["complete-rollout"]


@mitigation(
    "revert-config",
    topics=("incident-response", "infra-as-code"),
    summary="undo a component's latest config change (or the latest change of one key)",
    delay_s=45,
)
class RevertConfig(MitigationBase):
    action: Literal["revert-config"]
    key: str | None = Field(default=None, description="only this key")


# ------------------------------------------------------------- capacity and resources


@mitigation(
    "raise-limit",
    topics=("containers", "cost-reliability"),
    summary="raise a CPU or memory limit (pods restart in waves) or grow a disk online",
    delay_s=120,
    targets=("gateway", "service", "worker", "database", "queue", "dns", "external"),
)
class RaiseLimit(MitigationBase):
    action: Literal["raise-limit"]
    resource: Literal["cpu", "memory", "disk"]
    factor: float = Field(default=2.0, gt=1, le=16, description="multiply the limit by")


@mitigation(
    "resize-pool",
    topics=("scalability-ha", "database-migrations"),
    summary="set the connection pool per replica for calls to one dependency (`to`)",
    delay_s=60,
)
class ResizePool(Towards):
    action: Literal["resize-pool"]
    to: str
    size: int = Field(ge=1, le=1000)


@mitigation(
    "add-nodes",
    topics=("orchestration", "cost-reliability"),
    summary="add nodes to a cluster (target is the cluster's name)",
    delay_s=240,
    targets=("cluster",),
)
class AddNodes(MitigationBase):
    action: Literal["add-nodes"]
    count: int = Field(default=2, ge=1, le=50)


@mitigation(
    "add-subnet",
    topics=("orchestration", "scalability-ha"),
    summary="give a cluster's pods more addresses: attach a new subnet (a secondary CIDR block)",
    delay_s=300,
    targets=("cluster",),
)
class AddSubnet(MitigationBase):
    action: Literal["add-subnet"]
    addresses: int = Field(default=1024, ge=16, le=65536, description="addresses it adds")


@mitigation(
    "drain-node",
    topics=("orchestration", "containers"),
    summary="cordon and drain the cluster's unhealthy node; its pods restart elsewhere",
    delay_s=60,
    risky=True,
    targets=("cluster",),
)
class DrainNode(MitigationBase):
    action: Literal["drain-node"]


# ------------------------------------------------------------- data


@mitigation(
    "failover-db",
    topics=("multi-region", "database-migrations"),
    summary="switch a primary database to its replica; writes it had not replicated are lost",
    delay_s=120,
    risky=True,
    targets=("database",),
)
class FailoverDb(MitigationBase):
    action: Literal["failover-db"]


@mitigation(
    "promote-replica",
    topics=("multi-region", "incident-response"),
    summary="promote a replica (target) to primary at once, without waiting for it to catch up",
    delay_s=45,
    risky=True,
    targets=("database",),
)
class PromoteReplica(MitigationBase):
    action: Literal["promote-replica"]


@mitigation(
    "failover-region",
    topics=("multi-region", "incident-response"),
    summary="move everything in a region (target) to another (`to`): cold caches, lagging data",
    delay_s=300,
    risky=True,
    targets=("region",),
)
class FailoverRegion(Towards):
    action: Literal["failover-region"]
    to: str = Field(description="the region that takes over")


@mitigation(
    "kill-query",
    topics=("database-migrations", "incident-response"),
    summary="kill a database's long-running queries (and force a fresh plan); in-flight ones fail",
    delay_s=20,
    targets=("database",),
)
class KillQuery(MitigationBase):
    action: Literal["kill-query"]


@mitigation(
    "pause-job",
    topics=("database-migrations", "scalability-ha"),
    summary="pause a migration, backfill or batch job running against a database",
    delay_s=30,
    targets=("database", "worker"),
)
class PauseJob(MitigationBase):
    action: Literal["pause-job"]


@mitigation(
    "split-shard",
    topics=("scalability-ha", "database-migrations"),
    summary="move the hottest keys of a database to a shard of their own (slow)",
    delay_s=600,
    risky=True,
    targets=("database",),
)
class SplitShard(MitigationBase):
    action: Literal["split-shard"]


# ------------------------------------------------------------- traffic and resilience


@mitigation(
    "rate-limit",
    topics=("scalability-ha", "security-compliance"),
    summary="reject a share of one journey's or tenant's requests at a component",
    delay_s=30,
    targets=("gateway", "service"),
)
class RateLimit(MitigationBase):
    action: Literal["rate-limit"]
    journey: str | None = None
    tenant: str | None = None
    fraction: float = Field(default=0.5, ge=0, le=1, description="share rejected")


@mitigation(
    "open-breaker",
    topics=("scalability-ha", "incident-response"),
    summary="hold the circuit to a dependency (`to`) open: calls fail fast, the callee rests",
    delay_s=30,
)
class OpenBreaker(Towards):
    action: Literal["open-breaker"]
    to: str


@mitigation(
    "warm-cache",
    topics=("scalability-ha", "deploy-strategies"),
    summary="pre-load a cache's hot keys (jittered expiry); the load job reads the store hard",
    delay_s=120,
    targets=("cache",),
)
class WarmCache(MitigationBase):
    action: Literal["warm-cache"]


@mitigation(
    "dead-letter",
    topics=("scalability-ha", "incident-response"),
    summary="move the message at the head of a queue to its dead-letter queue",
    delay_s=30,
    targets=("queue",),
)
class DeadLetter(MitigationBase):
    action: Literal["dead-letter"]


# ------------------------------------------------------------- security


@mitigation(
    "renew-cert",
    topics=("security-compliance",),
    summary="issue and install a fresh TLS certificate",
    delay_s=180,
    targets=SERVING,
)
class RenewCert(MitigationBase):
    action: Literal["renew-cert"]


@mitigation(
    "reload-secret",
    topics=("security-compliance", "containers"),
    summary="make a workload re-read its secrets without restarting",
    delay_s=30,
)
class ReloadSecret(MitigationBase):
    action: Literal["reload-secret"]


@mitigation(
    "block-client",
    topics=("security-compliance", "scalability-ha"),
    summary="block a client (an address range, an ASN, an API key) at a gateway",
    delay_s=30,
    targets=("gateway",),
)
class BlockClient(MitigationBase):
    action: Literal["block-client"]
    client: str = Field(description="what to block, as the logs name it")


# ------------------------------------------------------------- third parties


@mitigation(
    "raise-quota",
    topics=("cost-reliability", "scalability-ha"),
    summary="buy a higher quota from a third party (it bills the difference)",
    delay_s=600,
    targets=("external",),
)
class RaiseQuota(MitigationBase):
    action: Literal["raise-quota"]
    factor: float = Field(default=2.0, gt=1, le=20)


@mitigation(
    "switch-fallback",
    topics=("scalability-ha", "incident-response"),
    summary="stop calling a dependency (`to`) and answer with a degraded fallback",
    delay_s=60,
)
class SwitchFallback(Towards):
    action: Literal["switch-fallback"]
    to: str
    degraded: float = Field(default=0.02, ge=0, le=1, description="share of worse answers")


# ------------------------------------------------------------- alerts


@mitigation(
    "silence-alert",
    topics=("alerting-runbooks", "incident-response"),
    summary="silence the alerts on a component (the system is unchanged)",
    delay_s=5,
    targets=ANY,
)
class SilenceAlert(MitigationBase):
    action: Literal["silence-alert"]
    duration: float = Field(default=3600.0, gt=0, le=86400.0, description="seconds")


__all__ = ["WORKLOADS"]
