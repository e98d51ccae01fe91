"""Fault specifications: what a scenario file says about a fault.

Each fault kind is a pydantic model with ``kind`` as its discriminator. The engine gives each
kind its effect (``chaosgame.engine.faults``); this module only describes and validates. A kind
registers itself with :func:`fault_kind`, which records its topics, the component kinds it may
target and a one-line summary for the catalogue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from chaosgame.scenario.compose import Aggravator, Effect, Lasting, Load, StateOf, Trigger
from chaosgame.scenario.evidence import Change
from chaosgame.scenario.fleet import Selector
from chaosgame.scenario.units import Duration, Factor, Fraction, Moment, Positive

STRICT = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class Onset(BaseModel):
    """How a fault's intensity develops once it has started."""

    model_config = STRICT

    shape: Literal["step", "ramp", "intermittent", "periodic"] = "step"
    ramp: Duration = Field(default=300.0, description="ramp: time to reach full intensity")
    period: Annotated[Duration, Field(gt=0)] = Field(
        default=600.0, description="periodic: length of one cycle"
    )
    duty: Fraction = Field(default=0.5, description="periodic/intermittent: share of time on")


class Condition(BaseModel):
    """A fault that lies latent until this holds (a version or range, a flag, config, load, time, other components)."""

    model_config = STRICT

    version: str | None = Field(
        default=None,
        description="active while the target runs it, or a version in this range ('>=v2.4')",
    )
    flag: str | None = Field(default=None, description="active while this flag is on")
    config: dict[str, str] | None = Field(
        default=None, description="active while the target's config key has this value"
    )
    # richer conditions (chaosgame.scenario.compose); absent, the fault behaves as before
    load: Load | None = Field(default=None, description="the target's load is above/below")
    after: Moment | None = Field(default=None, description="active from this time on")
    before: Moment | None = Field(default=None, description="active until this time")
    daily: str | None = Field(default=None, description="active in this daily window (09:00-17:30)")
    components: list[StateOf] | None = Field(
        default=None, description="the state other components must be in"
    )
    any: list[Condition] | None = Field(
        default=None, description="at least one of these conditions holds"
    )


class FaultBase(BaseModel):
    """Fields every fault has."""

    model_config = STRICT

    kind: str
    target: str = Field(
        default="", description="the component the fault lives in (or give `select`)"
    )
    at: Moment = Field(default=0.0, description="when the fault starts")
    until: Moment | None = Field(default=None, description="when it stops by itself")
    intensity: Fraction = Field(default=1.0, description="scales the fault's effect")
    onset: Onset = Field(default_factory=Onset)
    when: Condition | None = None
    journeys: list[str] | None = Field(
        default=None, description="only these journeys (endpoints) are hit"
    )
    tenants: list[str] | None = Field(default=None, description="only these tenants are hit")
    change: Change | None = Field(
        default=None, description="who made the change the fault brings, and what it says"
    )
    select: Selector | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="instead of target: every component matching this (kind, tags, region, "
        "cluster, share) has the fault",
    )
    frame: str | None = Field(
        default=None,
        max_length=120,
        description="the profile frame its extra CPU shows as (a function or rule name)",
    )
    # composed faults (chaosgame.scenario.compose); absent, the kind's own recipe applies
    effects: list[Effect] | None = Field(
        default=None, description="mechanisms that replace the kind's own per-tick effect"
    )
    remedies: list[Trigger] | None = Field(
        default=None, description="actions that end this fault (replace the kind's remedies)"
    )
    aggravators: list[Aggravator] | None = Field(
        default=None, description="actions that make it worse, and how"
    )
    lasting: Lasting | None = Field(
        default=None, description="damage that stays after the cause, until recovered"
    )

    targets: ClassVar[tuple[str, ...]] = ()
    registered_kind: ClassVar[str] = ""
    """The ``kind`` this model was registered under (:func:`fault_kind`); empty for bases."""


class VersionedFault(FaultBase):
    """A fault that may live in one version of its target: its pods alone misbehave."""

    version: str | None = Field(default=None, description="the faulty version")


class FlaggedFault(FaultBase):
    """A fault behind a feature flag: active for the flag's share of requests."""

    flag: str = Field(description="the flag that exposes the fault")


@dataclass(frozen=True)
class FaultInfo:
    """Catalogue entry of a fault kind."""

    kind: str
    model: type[FaultBase]
    topics: tuple[str, ...]
    targets: tuple[str, ...]
    summary: str

    def params(self) -> dict[str, object]:
        """The kind's own parameters (beyond the common fields) with their defaults."""
        common = set(FaultBase.model_fields)
        out: dict[str, object] = {}
        for name, field in self.model.model_fields.items():
            if name in common:
                continue
            out[name] = (
                None if field.is_required() else field.get_default(call_default_factory=True)
            )
        return out


FAULT_KINDS: dict[str, FaultInfo] = {}

SERVING = ("gateway", "service", "worker", "database", "cache", "queue", "dns", "external")
"""Component kinds that serve requests."""


F = TypeVar("F", bound=FaultBase)


def fault_kind(
    kind: str, *, topics: tuple[str, ...], summary: str, targets: tuple[str, ...] = SERVING
) -> Callable[[type[F]], type[F]]:
    """Register a fault model under ``kind``."""

    def register(cls: type[F]) -> type[F]:
        FAULT_KINDS[kind] = FaultInfo(kind, cls, topics, targets, summary)
        cls.targets = targets
        cls.registered_kind = kind
        return cls

    return register


def kind_of(model: type[FaultBase]) -> str:
    """The kind ``model`` is registered under; ``TypeError`` for a model that is no kind."""
    kind = model.registered_kind
    if not kind or FAULT_KINDS[kind].model is not model:
        raise TypeError(f"{model.__name__} is not a registered fault kind")
    return kind


@fault_kind(
    "bad-deploy",
    topics=("deploy-strategies", "incident-response"),
    summary="a new version fails a share of requests on some endpoints",
    targets=("gateway", "service", "worker"),
)
class BadDeploy(VersionedFault):
    kind: Literal["bad-deploy"]
    version: str = Field(description="the faulty version")
    error_rate: Fraction = Field(default=0.5, description="share of requests that fail")


@fault_kind(
    "latency-regression",
    topics=("deploy-strategies", "scalability-ha"),
    summary="a new version is slower per request (a lost index, an N+1 query)",
    targets=("gateway", "service", "worker", "database"),
)
class LatencyRegression(VersionedFault):
    kind: Literal["latency-regression"]
    version: str | None = Field(default=None, description="the slow version, if change-induced")
    factor: Factor = Field(default=3.0, description="service time multiplier")


@fault_kind(
    "memory-leak",
    topics=("containers", "orchestration"),
    summary="resident memory grows with traffic until the container is OOMKilled",
    targets=("gateway", "service", "worker"),
)
class MemoryLeak(VersionedFault):
    kind: Literal["memory-leak"]
    version: str | None = None
    mb_per_1k_requests: Positive = Field(default=2.0, description="leak per 1,000 requests")


@fault_kind(
    "traffic-spike",
    topics=("scalability-ha", "cost-reliability"),
    summary="a journey's arrival rate jumps (a campaign, a bot, a retrying client)",
    targets=("gateway", "service"),
)
class TrafficSpike(FaultBase):
    kind: Literal["traffic-spike"]
    journey: str = Field(description="the journey whose traffic rises")
    factor: Factor = Field(default=3.0, description="rate multiplier at full intensity")


@fault_kind(
    "dependency-outage",
    topics=("scalability-ha", "incident-response"),
    summary="a dependency fails or hangs a share of calls (a third party, DNS, a managed store)",
)
class DependencyOutage(FaultBase):
    kind: Literal["dependency-outage"]
    error_rate: Fraction = Field(default=1.0, description="share of calls that fail")
    added_latency: Duration = Field(default=0.0, description="extra time per call")


@fault_kind(
    "cache-flush",
    topics=("scalability-ha",),
    summary="a cache loses its keys; misses fall through to the backing store",
    targets=("cache",),
)
class CacheFlush(FaultBase):
    kind: Literal["cache-flush"]


@fault_kind(
    "expensive-flag",
    topics=("feature-flags", "scalability-ha"),
    summary="a flag enables a code path that costs more CPU per request",
    targets=("gateway", "service", "worker"),
)
class ExpensiveFlag(FlaggedFault):
    kind: Literal["expensive-flag"]
    flag: str = Field(description="the flag that enables the path")
    cpu_factor: Factor = Field(default=4.0, description="CPU per request multiplier")


# The rest of the catalogue registers itself on import (kept in its own module for size).
from chaosgame.scenario import fault_kinds as _fault_kinds  # noqa: E402,F401
from chaosgame.scenario import fault_kinds_data as _fault_kinds_data  # noqa: E402,F401
