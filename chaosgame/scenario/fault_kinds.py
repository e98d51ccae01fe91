"""The fault catalogue beyond the first kinds: each class is one kind a scenario may inject.

Conventions shared by the kinds (see ``docs/faults.md`` for the generated list):

* ``version``: the fault lives in that version; a kind that *brings its own change* (a canary,
  a config push, a rotated secret) makes that change visible in the event timeline when it
  starts, unless the scenario's history already has it.
* ``to``: the dependency the fault sits on (an edge ``target -> to``).
* Config-borne kinds push a documented config key (``docs/faults.md``, "config keys") whose
  value the engine reads like any other configuration, so reverting the config undoes them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from chaosgame.scenario.faults import SERVING, FaultBase, FlaggedFault, VersionedFault, fault_kind
from chaosgame.scenario.units import Cores, Duration, Factor, Fraction, Positive

WORKLOADS = ("gateway", "service", "worker")
STORES = ("database",)


class Rollout(VersionedFault):
    """A fault that ships with a deploy of ``version`` (started by the fault if not scheduled)."""

    version: str = Field(description="the faulty version")
    strategy: Literal["rolling", "canary", "blue-green", "recreate"] = "rolling"
    weight: Fraction = Field(default=1.0, description="canary: share of traffic on the version")
    duration: Duration = Field(default=300.0, description="rolling: time to replace every pod")


class EdgeFault(FaultBase):
    """A fault on the calls from ``target`` to one dependency."""

    to: str = Field(description="the dependency whose calls are hit")


# ------------------------------------------------------------- change-induced


@fault_kind(
    "bad-canary",
    topics=("deploy-strategies", "incident-response"),
    summary="a canary of a bad version takes a share of traffic and fails part of it",
    targets=WORKLOADS,
)
class BadCanary(Rollout):
    kind: Literal["bad-canary"]
    strategy: Literal["rolling", "canary", "blue-green", "recreate"] = "canary"
    weight: Fraction = 0.1
    error_rate: Fraction = Field(default=0.6, description="share of canary requests that fail")


@fault_kind(
    "version-skew",
    topics=("deploy-strategies", "distributed-debugging"),
    summary="a rolling update stalls half-way; old and new pods disagree on a message format",
    targets=WORKLOADS,
)
class VersionSkew(Rollout):
    kind: Literal["version-skew"]
    stall_at: Fraction = Field(default=0.5, description="share of pods updated when it stalls")
    error_rate: Fraction = Field(default=0.6, description="failure of a call across versions")


@fault_kind(
    "blue-green-cold-cache",
    topics=("deploy-strategies", "scalability-ha"),
    summary="a blue-green switch sends all traffic to a green stack whose cache is empty",
    targets=WORKLOADS,
)
class BlueGreenColdCache(Rollout):
    kind: Literal["blue-green-cold-cache"]
    strategy: Literal["rolling", "canary", "blue-green", "recreate"] = "blue-green"
    cache: str = Field(description="the cache the green stack starts with empty")


@fault_kind(
    "bad-config",
    topics=("incident-response", "deploy-strategies"),
    summary="a config push turns on a broken setting: errors and latency while it holds",
    targets=WORKLOADS,
)
class BadConfig(FaultBase):
    kind: Literal["bad-config"]
    key: str = "feature.mode"
    value: str = "on"
    error_rate: Fraction = 0.3
    added_latency: Duration = 0.2


@fault_kind(
    "broken-flag",
    topics=("feature-flags", "incident-response"),
    summary="a flag exposes a broken code path to its percentage of requests",
    targets=WORKLOADS,
)
class BrokenFlag(FlaggedFault):
    kind: Literal["broken-flag"]
    flag: str = Field(description="the flag that exposes the path")
    error_rate: Fraction = 0.8
    percentage: float = Field(default=100.0, ge=0, le=100, description="turned on at")


@fault_kind(
    "dependency-upgrade",
    topics=("deploy-strategies", "ci-cd"),
    summary="a new version bumps a client library that one dependency rejects",
    targets=WORKLOADS,
)
class DependencyUpgrade(Rollout):
    kind: Literal["dependency-upgrade"]
    to: str = Field(description="the dependency whose protocol no longer matches")
    error_rate: Fraction = 1.0


# ------------------------------------------------------------- CI/CD, artifacts


@fault_kind(
    "mutable-tag",
    topics=("ci-cd", "containers"),
    summary="a mutable image tag promoted a different artifact under the same name",
    targets=WORKLOADS,
)
class MutableTag(FaultBase):
    kind: Literal["mutable-tag"]
    tag: str = "latest"
    error_rate: Fraction = 0.4


@fault_kind(
    "skipped-validation",
    topics=("ci-cd", "slo"),
    summary="a release whose test stage was skipped returns wrong answers, not errors",
    targets=WORKLOADS,
)
class SkippedValidation(Rollout):
    kind: Literal["skipped-validation"]
    wrong_rate: Fraction = Field(default=0.2, description="share of answers that are wrong")


@fault_kind(
    "config-drift",
    topics=("ci-cd", "infra-as-code"),
    summary="production's timeout to a dependency drifted below staging's; slow calls fail",
    targets=WORKLOADS,
)
class ConfigDrift(EdgeFault):
    kind: Literal["config-drift"]
    timeout: Duration = Field(default=0.02, description="the drifted timeout")


# ------------------------------------------------------------- infrastructure as code


@fault_kind(
    "iac-shrank-pool",
    topics=("infra-as-code", "scalability-ha"),
    summary="an apply shrank a connection pool to a dependency",
    targets=WORKLOADS,
)
class IacShrankPool(EdgeFault):
    kind: Literal["iac-shrank-pool"]
    pool: int = Field(
        default=1, ge=1, le=100_000, description="connections per replica after the apply"
    )


@fault_kind(
    "iac-removed-rule",
    topics=("infra-as-code", "security-compliance"),
    summary="an apply removed a network rule: calls to one dependency hang until they time out",
    targets=WORKLOADS,
)
class IacRemovedRule(EdgeFault):
    kind: Literal["iac-removed-rule"]


@fault_kind(
    "iac-overwrote-hotfix",
    topics=("infra-as-code", "containers"),
    summary="the next apply reset a memory limit raised by hand; pods are OOMKilled again",
    targets=WORKLOADS,
)
class IacOverwroteHotfix(FaultBase):
    kind: Literal["iac-overwrote-hotfix"]
    working_set_mb: Positive = Field(default=700.0, description="memory the pods really need")
    hotfix_limit_mb: Positive = Field(default=1024.0, description="the limit set by hand")


# ------------------------------------------------------------- containers, orchestration


@fault_kind(
    "oom-working-set",
    topics=("containers", "orchestration"),
    summary="the working set exceeds the memory limit: pods crash-loop with OOMKilled",
    targets=WORKLOADS,
)
class OomWorkingSet(FaultBase):
    kind: Literal["oom-working-set"]
    extra_mb: Positive = Field(default=400.0, description="working set added above the base")


@fault_kind(
    "cpu-throttling",
    topics=("containers", "scalability-ha"),
    summary="a CPU limit pushed below demand: throttling stretches every request",
    targets=WORKLOADS,
)
class CpuThrottling(FaultBase):
    kind: Literal["cpu-throttling"]
    cpu_limit: Cores = Field(default=0.25, description="cores per replica after the change")


@fault_kind(
    "image-pull-failure",
    topics=("containers", "ci-cd"),
    summary="new pods cannot pull their image (registry down, tag deleted); capacity drains",
    targets=WORKLOADS,
)
class ImagePullFailure(Rollout):
    kind: Literal["image-pull-failure"]
    max_unavailable: Fraction = Field(default=0.5, description="share of pods replaced at once")


@fault_kind(
    "cluster-full",
    topics=("orchestration", "cost-reliability"),
    summary="another workload fills the cluster; new pods stay Pending",
    targets=WORKLOADS,
)
class ClusterFull(FaultBase):
    kind: Literal["cluster-full"]
    reserved: Fraction = Field(default=0.9, description="share of the cluster's CPU taken")


@fault_kind(
    "strict-liveness-probe",
    topics=("orchestration", "containers"),
    summary="a liveness probe timeout below the slow-but-healthy latency restarts pods",
    targets=WORKLOADS,
)
class StrictLivenessProbe(FaultBase):
    kind: Literal["strict-liveness-probe"]
    timeout: Duration = Field(default=0.05, description="the probe timeout pushed")


@fault_kind(
    "readiness-never-passes",
    topics=("orchestration", "deploy-strategies"),
    summary="a new version's readiness probe never passes; its pods hold capacity and serve none",
    targets=WORKLOADS,
)
class ReadinessNeverPasses(Rollout):
    kind: Literal["readiness-never-passes"]
    max_unavailable: Fraction = 0.5


@fault_kind(
    "autoscaler-capped",
    topics=("orchestration", "cost-reliability"),
    summary="demand grows past what the autoscaler's maximum allows",
    targets=WORKLOADS,
)
class AutoscalerCapped(FaultBase):
    kind: Literal["autoscaler-capped"]
    journey: str = Field(description="the journey whose demand grows")
    factor: Factor = 2.5
    max_replicas: int = Field(default=2, ge=1, le=1000, description="the maximum in force")


@fault_kind(
    "autoscaler-wrong-metric",
    topics=("cost-reliability", "orchestration"),
    summary="the autoscaler scales on a metric replicas cannot fix; it runs away to its max",
    targets=WORKLOADS,
)
class AutoscalerWrongMetric(FaultBase):
    kind: Literal["autoscaler-wrong-metric"]
    metric: Literal["cpu", "rps", "latency", "queue_lag"] = "latency"
    metric_target: Positive = Field(default=0.005, description="target value of the metric")


@fault_kind(
    "stale-dns",
    topics=("orchestration", "distributed-debugging"),
    summary="callers keep dead endpoints of the target cached after its addresses changed",
    targets=SERVING,
)
class StaleDns(FaultBase):
    kind: Literal["stale-dns"]
    stale_share: Fraction = Field(default=0.5, description="share of cached endpoints gone")


@fault_kind(
    "node-failure",
    topics=("orchestration", "incident-response"),
    summary="a node of the target's cluster dies; its pods wait out the eviction timeout",
    targets=WORKLOADS,
)
class NodeFailure(FaultBase):
    kind: Literal["node-failure"]
    eviction: Duration = Field(default=300.0, description="time before lost pods reschedule")
