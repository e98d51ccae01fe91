"""The scenario model: the single description of an incident.

The YAML loader and the procedural generator both produce a :class:`Scenario`. Models are
strict: unknown fields are errors, and values are never silently converted (``on`` is not a
boolean, ``"5"`` is not a number). Durations may be written as ``30s``, ``5m``, ``1h``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chaosgame.scenario.action_rules import Recovery, ReferenceStep, check_recovery
from chaosgame.scenario.actions import MITIGATIONS, MitigationBase, mitigation_union
from chaosgame.scenario.capacity import check_capacity
from chaosgame.scenario.clients import Clients, check_clients
from chaosgame.scenario.compose import check_compose
from chaosgame.scenario.data import Data, check_data
from chaosgame.scenario.evidence import Evidence, check_evidence
from chaosgame.scenario.faults import FAULT_KINDS, FaultBase
from chaosgame.scenario.flag_features import FlagFeature, check_features
from chaosgame.scenario.fleet import check_fleet
from chaosgame.scenario.generated import Generated
from chaosgame.scenario.harm import HarmSettings, check_harm
from chaosgame.scenario.noise import Noise, check_noise
from chaosgame.scenario.parties import Comms, Party, Pipeline, check_parties, target_names
from chaosgame.scenario.party_actions import PARTY_TARGETS
from chaosgame.scenario.playable import (
    MAX_TICK_S,
    MAX_WINDOW_S,
    MIN_PLAY_S,
    MIN_TICK_S,
    MIN_WINDOW_S,
    check_playable,
)
from chaosgame.scenario.resources import Resources
from chaosgame.scenario.ships import Shipped, check_ships
from chaosgame.scenario.steering import REGION_OR_COMPONENT, check_steering
from chaosgame.scenario.units import (
    MAX_NUMBER,
    ClockStart,
    Cores,
    Duration,
    Factor,
    Fraction,
    Moment,
    Positive,
    Skew,
)

STRICT = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)
SEED_MIN = -(2**63)
SEED_MAX = 2**63 - 1
"""Seeds are 64-bit integers: the run records keep them exactly, so a saved game resumes and
replays with its own seed."""

TOPICS: tuple[str, ...] = (
    "deploy-strategies",
    "feature-flags",
    "ci-cd",
    "infra-as-code",
    "containers",
    "orchestration",
    "database-migrations",
    "observability",
    "alerting-runbooks",
    "incident-response",
    "slo",
    "scalability-ha",
    "multi-region",
    "cost-reliability",
    "security-compliance",
    "distributed-debugging",
)
"""The curriculum's topic ids (shared/curriculum.md), in its order."""

Topic = Literal[
    "deploy-strategies",
    "feature-flags",
    "ci-cd",
    "infra-as-code",
    "containers",
    "orchestration",
    "database-migrations",
    "observability",
    "alerting-runbooks",
    "incident-response",
    "slo",
    "scalability-ha",
    "multi-region",
    "cost-reliability",
    "security-compliance",
    "distributed-debugging",
]

ComponentKind = Literal[
    "gateway",
    "service",
    "worker",
    "database",
    "cache",
    "queue",
    "dns",
    "external",
    "metrics_store",
    "log_pipeline",
    "trace_collector",
    "pager",
]
OBSERVABILITY_KINDS = ("metrics_store", "log_pipeline", "trace_collector", "pager")

Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=63)]

MAX_REPLICAS = 1000
"""The most replicas of a component, nodes of a cluster or replicas an autoscaler may ask for."""
MAX_CONNECTIONS = 100_000
"""The largest connection cap or pool."""
MAX_CALLS = 100.0
"""The most calls one request makes to a dependency."""
MAX_LATENCY_MS = 10_000.0
"""The longest one-way latency between two regions."""
Quota = Annotated[float, Field(gt=0, le=1_000_000)]
"""A quota of cores (a cloud account's, a namespace's)."""


class Region(BaseModel):
    """A region the fleet runs in."""

    model_config = STRICT
    name: Name
    latency_ms: dict[str, Annotated[float, Field(ge=0, le=MAX_LATENCY_MS)]] = Field(
        default_factory=dict, description="one-way network latency to other regions"
    )


class Cluster(BaseModel):
    """A group of nodes that replicas are scheduled on."""

    model_config = STRICT
    name: Name
    region: str | None = None
    nodes: int = Field(default=6, ge=1, le=MAX_REPLICAS)
    cpu_per_node: Cores = 8.0
    max_nodes: int | None = Field(
        default=None,
        ge=1,
        le=MAX_REPLICAS,
        exclude_if=lambda v: v is None,
        description="the node group's maximum size: nodes asked for past it are not provisioned",
    )
    vcpu_quota: Quota | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="the cloud account's vCPU quota for these nodes: a node that would take "
        "the cluster past it fails to launch",
    )
    pod_cpu_quota: Quota | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="a resource quota: the CPU limits every pod on the cluster may hold "
        "together; pods past it stay Pending",
    )
    pod_ips: int | None = Field(
        default=None,
        ge=1,
        le=MAX_CONNECTIONS,
        exclude_if=lambda v: v is None,
        description="addresses in the subnet pods and nodes draw from; each running pod holds "
        "one, each node `node_ips`; a pod with no address left stays ContainerCreating",
    )
    node_ips: int = Field(
        default=1,
        ge=0,
        le=1000,
        description="addresses each node holds for itself (its interface and its warm pool)",
    )


class Autoscaling(BaseModel):
    """A horizontal autoscaler: ``desired = ceil(current x metric / target)``."""

    model_config = STRICT
    metric: Literal["cpu", "rps", "latency", "queue_lag"] = "cpu"
    target: Positive = Field(default=0.6, description="target value of the metric per replica")
    min: int = Field(default=1, ge=0, le=MAX_REPLICAS)
    max: int = Field(default=10, ge=1, le=MAX_REPLICAS)
    delay: Duration = Field(default=180.0, description="stabilisation delay before acting")
    startup: Duration = Field(default=60.0, description="time for a new replica to be ready")

    @model_validator(mode="after")
    def _bounds(self) -> Autoscaling:
        if self.min > self.max:
            raise ValueError(f"autoscaling min ({self.min}) is above max ({self.max})")
        return self


class Probe(BaseModel):
    """A health probe."""

    model_config = STRICT
    timeout: Duration = 1.0
    failure_threshold: int = Field(default=3, ge=1, le=100)
    checks: list[str] = Field(
        default_factory=list,
        description="dependencies the probe's endpoint calls (a deep health check): their "
        "latency is part of the probe's",
    )


class Telemetry(BaseModel):
    """What a component emits and how it reaches the player."""

    model_config = STRICT
    metrics: bool = True
    logs: bool = True
    traces: bool = True
    trace_sampling: Fraction = 0.05
    log_sampling: Fraction = 1.0
    log_format: Literal["json", "text"] = "text"
    language: Literal["go", "java", "python", "node", "ruby", "rust", "other"] = "go"
    scrape_interval: Duration = 30.0
    retention: Duration = Field(default=14 * 86400.0, description="how far back data is kept")
    clock_skew: Skew = Field(default=0.0, description="seconds this host's clock is off")
    dashboard_averages_only: bool = False
    noisy_alerts: bool = Field(
        default=False, description="threshold alerts with hair-trigger limits that flap"
    )
    profiles: bool = Field(
        default=True, description="a CPU profiler runs (the profile query has data)"
    )
    tenant_labels: bool = Field(
        default=False,
        description="its request metrics, access logs and spans carry the tenant "
        "(scenarios with tenants)",
    )


class Component(BaseModel):
    """A node of the service graph."""

    model_config = STRICT
    name: Name
    kind: ComponentKind
    description: str = ""
    region: str | None = None
    cluster: str | None = None
    team: str | None = None
    version: str = "v1"
    replicas: int = Field(default=2, ge=0, le=MAX_REPLICAS)
    capacity: Positive = Field(default=100.0, description="requests per second one replica serves")
    service_time: Duration = Field(default=0.02, description="time to serve one request, idle")
    cpu_limit: Cores = Field(default=1.0, description="cores per replica")
    memory_base_mb: Positive = 256.0
    memory_limit_mb: Positive = 512.0
    restart_time: Duration = 30.0
    max_connections: int | None = Field(
        default=None, ge=1, le=MAX_CONNECTIONS, description="databases: server cap"
    )
    write_fraction: Fraction = Field(default=0.1, description="share of requests that write")
    disk_gb: Positive | None = Field(default=None, description="databases and queues: disk size")
    disk_used_gb: float = Field(default=0.0, ge=0, le=MAX_NUMBER)
    bytes_per_write: Positive = 2048.0
    hit_ratio: Fraction = Field(default=0.9, description="caches: warm hit ratio")
    keyspace_reads: Annotated[float, Field(gt=0, le=1e9)] = Field(
        default=20000.0, description="caches: reads needed to refill most of the keys"
    )
    replica_of: str | None = Field(default=None, description="databases: the primary replicated")
    apply_rate: Positive | None = Field(default=None, description="replicas: writes/s applied")
    autoscaling: Autoscaling | None = None
    liveness: Probe | None = None
    readiness: Probe | None = None
    cert_expires_at: Moment | None = Field(
        default=None, description="when its TLS certificate expires (calls to it then fail)"
    )
    resources: Resources | None = Field(
        default=None, description="how its memory, workers and connections depend on load"
    )
    resolver: str | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="the dns component its calls resolve names through (its failure and "
        "latency reach them as cached entries expire)",
    )
    dns_ttl: Annotated[Duration, Field(ge=1, le=86400)] = Field(
        default=60.0,
        exclude_if=lambda v: v == 60.0,
        description="resolver: how long a resolved name stays cached",
    )
    address_refresh: Annotated[Duration, Field(ge=0, le=86400)] | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="how long it keeps calling a database's old primary after a failover "
        "(its connection pool's lifetime or DNS cache); default its dns_ttl when it has a "
        "resolver, else it follows at once",
    )
    telemetry: Telemetry = Field(default_factory=Telemetry)
    tags: dict[str, str] = Field(default_factory=dict)


class Retry(BaseModel):
    """How a caller retries a failed or timed-out call."""

    model_config = STRICT
    count: int = Field(default=0, ge=0, le=10)
    backoff: Duration = 0.1
    jitter: bool = True


class Breaker(BaseModel):
    """A circuit breaker on a call."""

    model_config = STRICT
    error_threshold: Fraction = 0.5
    window: Duration = 30.0
    cooldown: Duration = 30.0


class Dependency(BaseModel):
    """A call from one component to another."""

    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, populate_by_name=True, allow_inf_nan=False
    )
    source: str = Field(alias="from")
    to: str
    calls: float = Field(
        default=1.0, ge=0, le=MAX_CALLS, description="calls per request of the caller"
    )
    timeout: Duration = 1.0
    retries: Retry = Field(default_factory=Retry)
    breaker: Breaker | None = None
    pool: int | None = Field(
        default=None, ge=1, le=MAX_CONNECTIONS, description="connections per caller replica"
    )
    required: bool = Field(default=True, description="a failed call fails the caller's request")
    mode: Literal["sync", "async"] = "sync"
    journeys: list[str] | None = Field(default=None, description="only these journeys call")
    # traffic steering (chaosgame.scenario.steering); absent, the call is made as before
    balance: Name | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="a load-balanced group: the caller's calls to the group's members (its "
        "calls with the same `balance`) are split by their weights",
    )
    weight: Annotated[float, Field(ge=0, le=MAX_CALLS)] = Field(
        default=1.0,
        exclude_if=lambda v: v == 1.0,
        description="balance: this member's weight in its group (0: a standby that carries "
        "nothing until traffic is shifted to it)",
    )


class Spike(BaseModel):
    """A planned surge in traffic (a campaign, a batch job) that is part of normal life."""

    model_config = STRICT
    at: Moment
    duration: Duration = 600.0
    factor: Factor = 2.0


class Journey(BaseModel):
    """A user journey: the traffic that enters the system and the SLOs measured on it."""

    model_config = STRICT
    name: Name
    entry: str = Field(description="the component that serves the journey")
    via: str | None = Field(default=None, description="the gateway in front of it")
    rate: Positive = Field(description="requests per second at the start")
    daily_amplitude: Fraction = Field(default=0.0, description="share of rate the day adds")
    peak_at: Duration = Field(default=14 * 3600.0, description="time of day of the peak")
    spikes: list[Spike] = Field(default_factory=list)
    clients: Clients | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="the users' clients: retries, pent-up demand, stale addresses and versions",
    )


class Tenant(BaseModel):
    """A customer segment: a share of every journey's traffic."""

    model_config = STRICT
    name: Name
    share: Fraction


class SLO(BaseModel):
    """A service level objective on a journey."""

    model_config = STRICT
    journey: str
    sli: Literal["availability", "latency", "durability", "correctness"] = "availability"
    target: float = Field(default=0.999, gt=0, lt=1)
    threshold: Duration | None = Field(default=None, description="latency SLI: slower is bad")
    window: Duration = 28 * 86400.0

    @model_validator(mode="after")
    def _threshold(self) -> SLO:
        if self.sli == "latency" and self.threshold is None:
            raise ValueError("a latency SLO needs a threshold (for example 300ms)")
        return self


class Deploy(BaseModel):
    """A deploy in the change history (before or during the simulated window)."""

    model_config = STRICT
    id: str | None = None
    at: Moment
    component: str
    version: str
    strategy: Literal["rolling", "canary", "blue-green", "recreate"] = "rolling"
    weight: Fraction = Field(default=1.0, description="canary: share of traffic on the version")
    duration: Duration = Field(default=300.0, description="rolling: time to replace every pod")
    author: str = "deploy-bot"
    note: str = ""
    reached: Fraction | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="the share of pods the deploy reached before it stopped (a stalled rolling "
        "deploy, a canary left running); the rest keep the previous version",
    )
    ships: Shipped | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="what this version shipped that older ones lack: features and a "
        "migration; a rollback past it loses them",
    )


class FlagChange(BaseModel):
    """A change of a feature flag."""

    model_config = STRICT
    at: Moment
    on: bool
    percentage: float = Field(default=100.0, ge=0, le=100)
    author: str = "flag-service"


class Flag(BaseModel):
    """A feature flag evaluated by one or more components."""

    model_config = STRICT
    name: Name
    components: list[str] = Field(default_factory=list)
    on: bool = False
    percentage: float = Field(default=100.0, ge=0, le=100)
    changes: list[FlagChange] = Field(default_factory=list)
    description: str = ""
    feature: FlagFeature | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="what the flag's feature does for users: turning the flag off (or down) "
        "takes it from the users who had it",
    )


class ConfigChange(BaseModel):
    """A configuration value change on a component."""

    model_config = STRICT
    id: str | None = None
    at: Moment
    component: str
    key: str
    value: str
    previous: str | None = None
    author: str = "config-push"


class CauseStep(BaseModel):
    """One link of the causal chain."""

    model_config = STRICT
    component: str
    what: str
    at: Moment | None = None


class RootCause(BaseModel):
    """The hidden truth's answer: a component and a fault kind, or no fault."""

    model_config = STRICT
    component: str | None = None
    kind: str = Field(description="a fault kind from the catalogue, or 'no-fault'")
    artefact: str | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="the artefact a fleet-wide cause shares, as a tag's key:value "
        "(image:edge-2611); declaring it, or any component its fault selects, is exact",
    )


class RedHerring(BaseModel):
    """A real event that did not cause the outage."""

    model_config = STRICT
    ref: str = Field(
        description="id of the deploy or config change, 'flag:NAME', or authored noise: "
        "'alert:NAME', 'log:ID', 'slow-query:ID', 'metric:NAME'"
    )
    why: str = ""


class Truth(BaseModel):
    """What only scoring and the debrief may read."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)
    root_cause: RootCause
    causal_chain: list[CauseStep] = Field(default_factory=list)
    contributing: list[str] = Field(default_factory=list)
    red_herrings: list[RedHerring] = Field(default_factory=list)
    reference_solution: list[ReferenceStep] = Field(
        default_factory=list,
        description="mitigations, in order, that fix the incident (with waits between stages)",
    )

    @property
    def mitigations(self) -> list[MitigationBase]:
        """The reference solution's mitigations, in order, without its waits."""
        return [m for m in self.reference_solution if isinstance(m, MitigationBase)]


class Question(BaseModel):
    """An interview-style trade-off question."""

    model_config = STRICT
    question: str
    topics: list[Topic] = Field(default_factory=list)
    choices: list[str] = Field(default_factory=list)
    answer: str | int = Field(description="the model answer, or the index of the right choice")
    explanation: str = ""


class Debrief(BaseModel):
    """What the player reads after the incident."""

    model_config = STRICT
    summary: str = ""
    signals: list[str] = Field(default_factory=list, description="what pointed to the cause")
    questions: list[Question] = Field(default_factory=list)


def _fault_union() -> Any:
    models = tuple(info.model for info in FAULT_KINDS.values())
    return Annotated[Union[models], Field(discriminator="kind")]  # noqa: UP007


if TYPE_CHECKING:
    FaultSpec = FaultBase
    MitigationSpec = MitigationBase
else:
    FaultSpec = _fault_union()
    MitigationSpec = mitigation_union()


class Scenario(BaseModel):
    """An incident: the fleet, its traffic and history, the faults, and the hidden truth."""

    model_config = STRICT
    id: Name
    aliases: list[Name] = Field(
        default_factory=list,
        description="earlier ids of this scenario, so saved runs and links still find it",
    )
    title: str
    summary: str = ""
    topics: list[Topic] = Field(min_length=1)
    difficulty: Literal["easy", "medium", "hard", "expert"] = "medium"
    expected_minutes: int = Field(default=15, ge=1, le=600)
    seed: int = Field(default=1, ge=SEED_MIN, le=SEED_MAX)
    tick: Annotated[Duration, Field(ge=MIN_TICK_S, le=MAX_TICK_S)] = Field(
        default=10.0, description="simulated seconds per tick"
    )
    duration: Annotated[Duration, Field(ge=MIN_WINDOW_S, le=MAX_WINDOW_S)] = Field(
        default=7200.0, description="length of the simulated window"
    )
    page_at: Moment | None = Field(default=None, description="when the player is paged")
    time_limit: Annotated[Duration, Field(ge=MIN_PLAY_S, le=MAX_WINDOW_S)] = Field(
        default=2700.0, description="play time after the page"
    )
    clock_start: ClockStart = Field(
        default="2026-03-14T09:00:00Z",
        description="wall time at t=0: an ISO 8601 date-time in the years 2000 to 2100",
    )
    briefing: str = ""
    regions: list[Region] = Field(default_factory=list)
    clusters: list[Cluster] = Field(default_factory=list)
    components: list[Component] = Field(min_length=1)
    dependencies: list[Dependency] = Field(default_factory=list)
    journeys: list[Journey] = Field(min_length=1)
    tenants: list[Tenant] = Field(default_factory=lambda: [Tenant(name="all", share=1.0)])
    slos: list[SLO] = Field(default_factory=list)
    deploys: list[Deploy] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)
    configs: list[ConfigChange] = Field(default_factory=list)
    faults: list[FaultSpec] = Field(default_factory=list)
    evidence: Evidence = Field(default_factory=Evidence)
    noise: Noise = Field(
        default_factory=Noise, description="harmless signals that are always there"
    )
    parties: list[Party] = Field(
        default_factory=list, description="other teams and customers the player can ask to act"
    )
    pipelines: list[Pipeline] = Field(
        default_factory=list, description="deploy and config pipelines the player can pause"
    )
    comms: Comms | None = Field(
        default=None, description="a public status page whose update cadence is scored"
    )
    generator: Generated | None = Field(
        default=None,
        description="set by `chaosgame generate`: the seed code that makes this file again",
    )
    harm: HarmSettings | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="harm beyond availability: data exposed, money lost, capacity cost",
    )
    truth: Truth
    debrief: Debrief = Field(default_factory=Debrief)
    recovery: Recovery | None = Field(
        default=None, description="action durations, requirements and risks; the runbook"
    )
    data: Data | None = Field(
        default=None, description="backups and copies; writes lost are counted as writes"
    )

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        problems = check_references(self) + check_recovery(self) + check_playable(self)
        problems += check_data(self)
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def component(self, name: str) -> Component:
        """The component called ``name``."""
        for comp in self.components:
            if comp.name == name:
                return comp
        raise KeyError(name)

    @property
    def onset(self) -> float:
        """When the first fault starts (the incident's onset), or the page time."""
        times = [f.at for f in self.faults]
        if times:
            return min(times)
        return self.page_at if self.page_at is not None else self.duration / 4


def _suggest(name: str, known: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    shown = ", ".join(sorted(known)[:12])
    return f"; known: {shown}" if shown else ""


def check_references(sc: Scenario) -> list[str]:
    """Every name a scenario refers to must exist, with the right kind."""
    problems: list[str] = []
    comps = {c.name: c for c in sc.components}
    # dicts, not lists: a look-up costs the same in a fleet of ten or of ten thousand
    names = dict.fromkeys(c.name for c in sc.components)
    journeys = dict.fromkeys(j.name for j in sc.journeys)
    tenants = dict.fromkeys(t.name for t in sc.tenants)
    flags = dict.fromkeys(f.name for f in sc.flags)
    regions = dict.fromkeys(r.name for r in sc.regions)
    clusters = dict.fromkeys(c.name for c in sc.clusters)

    def ref(where: str, name: str | None, known: Collection[str], what: str) -> None:
        if name is not None and name not in known:
            problems.append(f"{where}: unknown {what} '{name}'{_suggest(name, list(known))}")

    if len(names) != len(sc.components):
        counts = Counter(c.name for c in sc.components)
        dup = sorted(n for n, k in counts.items() if k > 1)
        problems.append(f"components: duplicate names {', '.join(dup)}")
    for i, c in enumerate(sc.components):
        ref(f"components[{i}].region", c.region, regions, "region")
        ref(f"components[{i}].cluster", c.cluster, clusters, "cluster")
        ref(f"components[{i}].replica_of", c.replica_of, names, "component")
    for i, cl in enumerate(sc.clusters):
        ref(f"clusters[{i}].region", cl.region, regions, "region")
    for i, d in enumerate(sc.dependencies):
        ref(f"dependencies[{i}].from", d.source, names, "component")
        ref(f"dependencies[{i}].to", d.to, names, "component")
        for jname in d.journeys or []:
            ref(f"dependencies[{i}].journeys", jname, journeys, "journey")
        if d.source == d.to:
            problems.append(f"dependencies[{i}]: '{d.source}' cannot call itself")
    for i, j in enumerate(sc.journeys):
        ref(f"journeys[{i}].entry", j.entry, names, "component")
        ref(f"journeys[{i}].via", j.via, names, "component")
    total = sum(t.share for t in sc.tenants)
    if abs(total - 1.0) > 1e-6:
        problems.append(f"tenants: shares add up to {total:g}, not 1")
    for i, s in enumerate(sc.slos):
        ref(f"slos[{i}].journey", s.journey, journeys, "journey")
    for i, dep in enumerate(sc.deploys):
        ref(f"deploys[{i}].component", dep.component, names, "component")
    for i, cfg in enumerate(sc.configs):
        ref(f"configs[{i}].component", cfg.component, names, "component")
    for i, fl in enumerate(sc.flags):
        for cname in fl.components:
            ref(f"flags[{i}].components", cname, names, "component")
    edges = {(d.source, d.to) for d in sc.dependencies} | {(j.via, j.entry) for j in sc.journeys}
    for i, f in enumerate(sc.faults):
        where = f"faults[{i}]"
        if f.target:
            ref(f"{where}.target", f.target, names, "component")
        if f.target in comps and f.targets and comps[f.target].kind not in f.targets:
            problems.append(
                f"{where}.target: a {f.kind} fault cannot target '{f.target}', a "
                f"{comps[f.target].kind}; it takes {', '.join(f.targets)}"
            )
        for jname in f.journeys or []:
            ref(f"{where}.journeys", jname, journeys, "journey")
        for t in f.tenants or []:
            ref(f"{where}.tenants", t, tenants, "tenant")
        for attr, known, what in (
            ("journey", journeys, "journey"),
            ("flag", flags, "flag"),
            ("to", names, "component"),
            ("cache", names, "component"),
            ("database", names, "component"),
            ("region", regions, "region"),
        ):
            value = getattr(f, attr, None)
            if isinstance(value, str):
                ref(f"{where}.{attr}", value, known, what)
        to = getattr(f, "to", None)
        if isinstance(to, str) and to in comps and f.target and (f.target, to) not in edges:
            problems.append(f"{where}.to: '{f.target}' does not call '{to}'")
        if f.when is not None and f.when.flag is not None:
            ref(f"{where}.when.flag", f.when.flag, flags, "flag")
    check_evidence(sc, problems, names, journeys)
    problems += check_clients(sc, ref, names)
    problems += check_noise(sc, names)
    problems += check_parties(sc, ref)
    problems += check_harm(sc, ref)
    problems += check_features(sc, ref)
    check_ships(sc, ref)
    check_compose(sc, problems, names)
    problems += check_capacity(sc)
    problems += check_steering(sc, ref)
    problems += check_fleet(sc)
    rc = sc.truth.root_cause
    ref("truth.root_cause.component", rc.component, names, "component")
    kinds = [*FAULT_KINDS, "no-fault"]
    ref("truth.root_cause.kind", rc.kind, kinds, "fault kind")
    for i, step in enumerate(sc.truth.causal_chain):
        ref(f"truth.causal_chain[{i}].component", step.component, names, "component")
    for i, m in enumerate(sc.truth.reference_solution):
        if not isinstance(m, MitigationBase):
            continue  # a wait between stages
        info = MITIGATIONS.get(m.action)
        if info is None:
            continue
        if info.targets == ("flag",):
            ref(f"truth.reference_solution[{i}].target", m.target, flags, "flag")
        elif info.targets == ("cluster",):
            ref(f"truth.reference_solution[{i}].target", m.target, clusters, "cluster")
        elif info.targets == ("region",):
            ref(f"truth.reference_solution[{i}].target", m.target, regions, "region")
        elif info.targets[0] in PARTY_TARGETS:
            named = target_names(sc, info.targets[0])
            ref(f"truth.reference_solution[{i}].target", m.target, named, info.targets[0])
        elif m.action in REGION_OR_COMPONENT and m.target in regions:
            continue
        else:
            ref(f"truth.reference_solution[{i}].target", m.target, names, "component")
    return problems
