"""The catalogue's data, load, network, resource, security and third-party fault kinds.

Registered on import of ``chaosgame.scenario.faults`` after ``fault_kinds`` (the order is the
catalogue's order). Conventions as in ``fault_kinds``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from chaosgame.scenario.fault_kinds import STORES, WORKLOADS, EdgeFault
from chaosgame.scenario.faults import SERVING, FaultBase, fault_kind
from chaosgame.scenario.units import Duration, Factor, Fraction, Positive, Skew

# ------------------------------------------------------------- databases


@fault_kind(
    "migration-lock",
    topics=("database-migrations", "incident-response"),
    summary="a migration holds a lock on a hot table; queries on it wait and time out",
    targets=STORES,
)
class MigrationLock(FaultBase):
    kind: Literal["migration-lock"]
    share: Fraction = Field(default=0.5, description="share of queries touching the table")
    wait: Duration = Field(default=5.0, description="how long a blocked query waits")


@fault_kind(
    "backfill-saturation",
    topics=("database-migrations", "scalability-ha"),
    summary="a backfill's writes saturate the primary and its replicas",
    targets=STORES,
)
class BackfillSaturation(FaultBase):
    kind: Literal["backfill-saturation"]
    capacity_taken: Fraction = Field(default=0.8, description="share of capacity it uses")
    write_factor: Factor = Field(default=5.0, description="writes multiplied by")


@fault_kind(
    "incompatible-schema",
    topics=("database-migrations", "deploy-strategies"),
    summary="a schema change only the new version can read; old pods fail on every read",
    targets=WORKLOADS,
)
class IncompatibleSchema(FaultBase):
    kind: Literal["incompatible-schema"]
    reads_with: str = Field(description="the version that understands the new schema")
    database: str = Field(description="the database migrated")
    error_rate: Fraction = 1.0


@fault_kind(
    "slow-query-plan",
    topics=("database-migrations", "scalability-ha"),
    summary="the planner switched a hot query to a bad plan; the database slows and burns CPU",
    targets=STORES,
)
class SlowQueryPlan(FaultBase):
    kind: Literal["slow-query-plan"]
    factor: Factor = Field(default=6.0, description="service time multiplier")


@fault_kind(
    "pool-exhaustion",
    topics=("scalability-ha", "database-migrations"),
    summary="connections leak on an error path until the pool to a dependency is exhausted",
    targets=WORKLOADS,
)
class PoolExhaustion(EdgeFault):
    kind: Literal["pool-exhaustion"]
    leak_per_1k: Positive = Field(default=5.0, description="connections leaked per 1,000 calls")


@fault_kind(
    "replication-lag",
    topics=("multi-region", "database-migrations"),
    summary="a long query on a replica blocks replay; reads from it return stale data",
    targets=STORES,
)
class ReplicationLag(FaultBase):
    kind: Literal["replication-lag"]
    apply_factor: Fraction = Field(default=0.1, description="apply rate left")


@fault_kind(
    "hot-shard",
    topics=("scalability-ha", "observability"),
    summary="one key or tenant concentrates load on a single shard while the others idle",
    targets=STORES,
)
class HotShard(FaultBase):
    kind: Literal["hot-shard"]
    share: Fraction = Field(default=0.6, description="share of the load on the hot shard")


@fault_kind(
    "disk-full",
    topics=("slo", "alerting-runbooks"),
    summary="something fills the disk (bloat, logs); when it is full, writes fail",
    targets=("database", "queue"),
)
class DiskFull(FaultBase):
    kind: Literal["disk-full"]
    gb_per_hour: Positive = Field(default=50.0, description="extra disk use per hour")


@fault_kind(
    "database-crash",
    topics=("multi-region", "incident-response"),
    summary="the primary database's host dies; every query to it fails until failover",
    targets=STORES,
)
class DatabaseCrash(FaultBase):
    kind: Literal["database-crash"]


# ------------------------------------------------------------- load and dynamics


@fault_kind(
    "retry-storm",
    topics=("scalability-ha", "incident-response"),
    summary="a client's retry policy is raised; a short blip turns into a lasting storm",
    targets=WORKLOADS,
)
class RetryStorm(EdgeFault):
    kind: Literal["retry-storm"]
    retries: int = Field(default=5, ge=1, le=10)
    blip: Duration = Field(default=60.0, description="how long the dependency first fails")
    blip_error: Fraction = 0.5


@fault_kind(
    "cache-stampede",
    topics=("scalability-ha", "distributed-debugging"),
    summary="hot keys expire together every TTL; each expiry sends a stampede to the store",
    targets=("cache",),
)
class CacheStampede(FaultBase):
    kind: Literal["cache-stampede"]
    ttl: Duration = Field(default=300.0, description="the shared expiry period")
    expired: Fraction = Field(default=0.9, description="share of the hit ratio lost per expiry")


@fault_kind(
    "thundering-herd",
    topics=("scalability-ha", "orchestration"),
    summary="after a restart every client reconnects at once; handshakes keep CPU saturated",
    targets=WORKLOADS,
)
class ThunderingHerd(FaultBase):
    kind: Literal["thundering-herd"]
    handshake_cost: Factor = Field(default=6.0, description="CPU per request while herding")


@fault_kind(
    "poison-message",
    topics=("scalability-ha", "distributed-debugging"),
    summary="a message its consumers cannot process crashes them in a loop; the backlog grows",
    targets=("queue",),
)
class PoisonMessage(FaultBase):
    kind: Literal["poison-message"]


@fault_kind(
    "queue-backlog",
    topics=("scalability-ha", "slo"),
    summary="consumers slow down; the queue's backlog and consumer lag grow",
    targets=("worker",),
)
class QueueBacklog(FaultBase):
    kind: Literal["queue-backlog"]
    factor: Factor = Field(default=4.0, description="consumer service time multiplier")


@fault_kind(
    "request-starvation",
    topics=("scalability-ha", "slo"),
    summary="an expensive request type eats shared capacity and starves the others",
    targets=WORKLOADS,
)
class RequestStarvation(FaultBase):
    kind: Literal["request-starvation"]
    journey: str = Field(description="the expensive journey")
    cost: Factor = Field(default=8.0, description="its cost per request, in normal requests")
    factor: Factor = Field(default=2.0, description="its traffic multiplied by")


@fault_kind(
    "metastable-overload",
    topics=("scalability-ha", "incident-response"),
    summary="a short burst overloads a service; retries keep it overloaded after the burst",
    targets=WORKLOADS,
)
class MetastableOverload(FaultBase):
    kind: Literal["metastable-overload"]
    journey: str
    factor: Factor = 3.0
    trigger: Duration = Field(default=120.0, description="how long the burst lasts")


# ------------------------------------------------------------- network and regions


@fault_kind(
    "network-latency",
    topics=("multi-region", "distributed-debugging"),
    summary="latency rises on the network between the target's region and another",
    targets=SERVING,
)
class NetworkLatency(FaultBase):
    kind: Literal["network-latency"]
    region: str = Field(description="the far region")
    added_latency: Duration = 0.3


@fault_kind(
    "packet-loss",
    topics=("multi-region", "distributed-debugging"),
    summary="packets drop between the target's region and another; calls fail and retransmit",
    targets=SERVING,
)
class PacketLoss(FaultBase):
    kind: Literal["packet-loss"]
    region: str
    loss: Fraction = 0.3


@fault_kind(
    "region-partition",
    topics=("multi-region", "incident-response"),
    summary="the target's region cannot reach another: cross-region calls and replication stop",
    targets=SERVING,
)
class RegionPartition(FaultBase):
    kind: Literal["region-partition"]
    region: str


@fault_kind(
    "stale-failover",
    topics=("multi-region", "database-migrations"),
    summary="automation failed a database over to a lagging replica; recent data is missing",
    targets=STORES,
)
class StaleFailover(FaultBase):
    kind: Literal["stale-failover"]
    stale_share: Fraction = Field(default=0.3, description="reads that miss recent writes")
    lost_share: Fraction = Field(default=0.2, description="writes lost at the failover")


@fault_kind(
    "split-brain",
    topics=("multi-region", "distributed-debugging"),
    summary="two primaries accept writes; conflicting rows accumulate until one is fenced",
    targets=STORES,
)
class SplitBrain(FaultBase):
    kind: Literal["split-brain"]
    conflict_per_min: Fraction = Field(default=0.02, description="wrong share added per minute")
    writes_elsewhere: Fraction | None = Field(
        default=None,
        description="with a data: block, the replica is promoted and the old primary keeps this "
        "share of the writes while the fault lasts: the copies diverge (then conflict_per_min "
        "is not used)",
    )


# ------------------------------------------------------------- resources and time


@fault_kind(
    "fd-exhaustion",
    topics=("containers", "alerting-runbooks"),
    summary="file descriptors or ephemeral ports leak until new connections fail",
    targets=WORKLOADS,
)
class FdExhaustion(FaultBase):
    kind: Literal["fd-exhaustion"]
    per_1k_requests: Positive = Field(default=200.0, description="descriptors leaked")


@fault_kind(
    "clock-skew",
    topics=("distributed-debugging", "security-compliance"),
    summary="a node's clock drifts; tokens its pods sign or check are rejected",
    targets=WORKLOADS,
)
class ClockSkew(FaultBase):
    kind: Literal["clock-skew"]
    skew: Skew = Field(default=400.0, description="seconds the clock is off")
    share: Fraction = Field(default=0.5, description="share of pods on the skewed node")


@fault_kind(
    "gc-pauses",
    topics=("observability", "scalability-ha"),
    summary="the live heap nears the limit; stop-the-world GC pauses eat capacity and the tail",
    targets=WORKLOADS,
)
class GcPauses(FaultBase):
    kind: Literal["gc-pauses"]
    live_set_mb: Positive = Field(default=220.0, description="heap added to the base")


# ------------------------------------------------------------- security


@fault_kind(
    "cert-expired",
    topics=("security-compliance", "alerting-runbooks"),
    summary="the target's TLS certificate expires; every handshake to it fails",
    targets=SERVING,
)
class CertExpired(FaultBase):
    kind: Literal["cert-expired"]


@fault_kind(
    "secret-not-reloaded",
    topics=("security-compliance", "incident-response"),
    summary="a dependency's credential was rotated; the target keeps the old one until reload",
    targets=WORKLOADS,
)
class SecretNotReloaded(EdgeFault):
    kind: Literal["secret-not-reloaded"]


@fault_kind(
    "credential-stuffing",
    topics=("security-compliance", "scalability-ha"),
    summary="an abusive client floods a login journey; password hashing saturates the service",
    targets=WORKLOADS,
)
class CredentialStuffing(FaultBase):
    kind: Literal["credential-stuffing"]
    journey: str
    factor: Factor = Field(default=4.0, description="journey traffic multiplied by")
    client: str = Field(default="203.0.113.0/24", description="where the abuse comes from")
    cpu_factor: Factor = Field(default=2.0, description="CPU per abusive request")


@fault_kind(
    "waf-blocks-users",
    topics=("security-compliance", "incident-response"),
    summary="a new WAF or rate-limit rule rejects real users on one journey",
    targets=("gateway",),
)
class WafBlocksUsers(FaultBase):
    kind: Literal["waf-blocks-users"]
    journey: str
    share: Fraction = Field(default=0.4, description="share of its requests rejected")


@fault_kind(
    "revoked-access",
    topics=("security-compliance", "infra-as-code"),
    summary="an access change revoked the target's grant on a dependency; calls are denied",
    targets=WORKLOADS,
)
class RevokedAccess(EdgeFault):
    kind: Literal["revoked-access"]


# ------------------------------------------------------------- third parties


@fault_kind(
    "third-party-slow",
    topics=("scalability-ha", "incident-response"),
    summary="a third-party API slows down; callers wait, hold connections and time out",
    targets=("external",),
)
class ThirdPartySlow(FaultBase):
    kind: Literal["third-party-slow"]
    added_latency: Duration = 1.5


@fault_kind(
    "third-party-rate-limit",
    topics=("scalability-ha", "cost-reliability"),
    summary="a third party enforces a quota; calls above it are refused (429)",
    targets=("external",),
)
class ThirdPartyRateLimit(FaultBase):
    kind: Literal["third-party-rate-limit"]
    quota_rps: Positive = Field(default=20.0, description="calls per second allowed")


# ------------------------------------------------------------- no fault


@fault_kind(
    "no-fault",
    topics=("alerting-runbooks", "observability"),
    summary="nothing is broken: a harmless CPU burst or a metrics gap trips a bad alert",
    targets=SERVING,
)
class NoFault(FaultBase):
    kind: Literal["no-fault"]
    artefact: Literal["cpu-burst", "metrics-gap"] = "cpu-burst"
