"""Mitigation specifications: what a player, an agent or a reference solution asks for.

A mitigation is plain data (``{"action": "rollback", "target": "payments"}``) validated by the
model registered for its ``action``. The engine gives it its effect
(``chaosgame.engine.mitigations``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal, TypeVar, Union, cast

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

STRICT = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class MitigationBase(BaseModel):
    """Fields every mitigation has."""

    model_config = STRICT

    action: str
    target: str = Field(description="the component (or flag) acted on")

    targets: ClassVar[tuple[str, ...]] = ()
    registered_action: ClassVar[str] = ""
    """The ``action`` this model was registered under (:func:`mitigation`); empty for bases."""


class Towards(MitigationBase):
    """A mitigation aimed at a second name besides its target: a dependency, or a region."""

    to: str = Field(description="the dependency (or region) acted towards")


@dataclass(frozen=True)
class MitigationInfo:
    """Catalogue entry of a mitigation."""

    action: str
    model: type[MitigationBase]
    topics: tuple[str, ...]
    summary: str
    delay_s: float
    risky: bool
    targets: tuple[str, ...]

    @property
    def side_effect(self) -> str:
        """What the action costs besides its intended effect (simulated, see the tests)."""
        return SIDE_EFFECTS.get(self.action, "")


MITIGATIONS: dict[str, MitigationInfo] = {}

SIDE_EFFECTS: dict[str, str] = {
    "rollback": "replaces every pod; across a schema change only the new version reads, the "
    "old pods fail",
    "restart": "every replica is out for its restart time; in-flight work fails; a restarted "
    "cache starts empty and stampedes its store",
    "scale": "more replicas open more connections to what they call; zero replicas is an outage",
    "toggle-flag": "changes exposure for everyone at once: on at 100% sends all users down the path",
    "disable-retries": "transient failures of the dependency now reach users",
    "set-autoscaler-max": "more replicas cost more and open more connections downstream",
    "flush-cache": "every read misses until the cache refills; the store takes the load",
    "shed-load": "the rejected share of users gets errors",
    "pause-rollout": "old and new versions keep serving side by side (version skew stays)",
    "shift-traffic": "the new stack takes the chosen share, with whatever it lacks (cold caches, "
    "bugs)",
    "complete-rollout": "every pod runs the new version; going back needs a new deploy",
    "revert-config": "undoes the latest change of the component, whoever made it and whatever "
    "it fixed",
    "raise-limit": "pods restart in waves to take the new limit (a capacity dip); costs more",
    "resize-pool": "more connections to the dependency, up to its connection limit",
    "add-nodes": "costs more; takes minutes; nodes past a quota or a full subnet fail to launch, "
    "and each node takes addresses from the pods' subnet",
    "add-subnet": "takes minutes; only addresses: pods short of CPU or quota still wait",
    "drain-node": "the node's pods restart elsewhere (a capacity dip); the cluster has one node "
    "less",
    "failover-db": "writes the replica had not applied are lost when the primary is unreachable",
    "promote-replica": "writes the replica had not applied are lost, even with the primary alive",
    "failover-region": "caches in the new region start cold; lagging replicas lose writes",
    "kill-query": "the queries in flight fail",
    "pause-job": "the migration or backfill is left undone",
    "split-shard": "takes ten minutes, while the hot shard keeps failing",
    "rate-limit": "the limited journey's or tenant's users get errors",
    "open-breaker": "every call to the dependency fails fast; required calls fail the request",
    "warm-cache": "the warming job loads the backing store for two minutes",
    "dead-letter": "the message is set aside and needs replaying",
    "renew-cert": "none beyond the delay",
    "reload-secret": "none beyond the delay (a restart would also work, dropping work)",
    "block-client": "blocks whatever else shares the address range (0.0.0.0/0 blocks every "
    "request); the wrong range blocks nothing",
    "raise-quota": "the third party bills the difference; takes ten minutes",
    "switch-fallback": "the fallback answers worse (the correctness SLI)",
    "silence-alert": "nothing changes in the system; the page just stops",
}
"""Each action's cost, shown in the catalogue; ``tests/engine/test_side_effects.py`` proves it."""

WORKLOADS = ("gateway", "service", "worker")

M = TypeVar("M", bound=MitigationBase)


def mitigation(
    action: str,
    *,
    topics: tuple[str, ...],
    summary: str,
    delay_s: float,
    risky: bool = False,
    targets: tuple[str, ...] = WORKLOADS,
) -> Callable[[type[M]], type[M]]:
    """Register a mitigation model under ``action``."""

    def register(cls: type[M]) -> type[M]:
        MITIGATIONS[action] = MitigationInfo(action, cls, topics, summary, delay_s, risky, targets)
        cls.targets = targets
        cls.registered_action = action
        return cls

    return register


def action_of(model: type[MitigationBase]) -> str:
    """The action ``model`` is registered under; ``TypeError`` for a model that is no action."""
    action = model.registered_action
    if not action or MITIGATIONS[action].model is not model:
        raise TypeError(f"{model.__name__} is not a registered mitigation")
    return action


@mitigation(
    "rollback",
    topics=("deploy-strategies", "incident-response"),
    summary="return a component to the version it ran before its last deploy",
    delay_s=120,
)
class Rollback(MitigationBase):
    action: Literal["rollback"]
    share: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="only this share of the pods goes back (a rollback canary); all by default",
        exclude_if=lambda v: v is None,  # a plain rollback reads as it always did
    )


@mitigation(
    "restart",
    topics=("orchestration", "containers"),
    summary="recycle every replica (drops in-flight work, clears memory, cold local state)",
    delay_s=60,
    risky=True,
    targets=("gateway", "service", "worker", "cache", "queue", "dns", "external"),
)
class Restart(MitigationBase):
    action: Literal["restart"]
    rolling: bool = Field(
        default=False,
        description="a quarter of the replicas at a time, each wave once the last is back "
        "(slower, never all out at once); all at once by default",
        exclude_if=lambda v: not v,  # a plain restart reads as it always did
    )


@mitigation(
    "scale",
    topics=("scalability-ha", "cost-reliability", "orchestration"),
    summary="set a component's replica count (more connections to its dependencies too)",
    delay_s=90,
    targets=("gateway", "service", "worker", "database", "dns", "external"),
)
class Scale(MitigationBase):
    action: Literal["scale"]
    replicas: int = Field(ge=0, le=500)


@mitigation(
    "toggle-flag",
    topics=("feature-flags", "incident-response"),
    summary="turn a feature flag on or off (target is the flag's name)",
    delay_s=30,
    targets=("flag",),
)
class ToggleFlag(MitigationBase):
    action: Literal["toggle-flag"]
    on: bool = False
    percentage: float = Field(default=100.0, ge=0, le=100)


@mitigation(
    "disable-retries",
    topics=("scalability-ha",),
    summary="stop a caller retrying calls to one dependency (`to`)",
    delay_s=60,
)
class DisableRetries(Towards):
    action: Literal["disable-retries"]
    to: str = Field(description="the dependency whose calls stop being retried")


@mitigation(
    "set-autoscaler-max",
    topics=("orchestration", "cost-reliability"),
    summary="raise or lower the autoscaler's maximum replicas",
    delay_s=30,
)
class SetAutoscalerMax(MitigationBase):
    action: Literal["set-autoscaler-max"]
    max_replicas: int = Field(ge=1, le=500)


@mitigation(
    "flush-cache",
    topics=("scalability-ha",),
    summary="empty a cache (every read misses until it refills)",
    delay_s=10,
    risky=True,
    targets=("cache",),
)
class FlushCache(MitigationBase):
    action: Literal["flush-cache"]


@mitigation(
    "shed-load",
    topics=("scalability-ha", "incident-response"),
    summary="reject a share of incoming requests at a component to protect what is behind it",
    delay_s=30,
    risky=True,
    targets=("gateway", "service"),
)
class ShedLoad(MitigationBase):
    action: Literal["shed-load"]
    fraction: float = Field(default=0.3, ge=0, le=1)


# The rest of the catalogue registers itself here, before any union is built.
from chaosgame.scenario import data_actions as _data_actions  # noqa: E402,F401
from chaosgame.scenario import mitigation_kinds as _mitigation_kinds  # noqa: E402,F401
from chaosgame.scenario import party_actions as _party_actions  # noqa: E402,F401
from chaosgame.scenario import recovery_kinds as _recovery_kinds  # noqa: E402,F401
from chaosgame.scenario import steering as _steering  # noqa: E402,F401


def mitigation_union() -> object:
    """The type of any registered mitigation, discriminated on ``action``."""
    models = tuple(info.model for info in MITIGATIONS.values())
    return Annotated[Union[models], Field(discriminator="action")]  # noqa: UP007


@functools.cache
def mitigation_adapter() -> TypeAdapter[MitigationBase]:
    """A validator for any registered mitigation (for actions that arrive as plain data)."""
    # the union of the registered models validates to an instance of one of them
    union = cast("type[MitigationBase]", mitigation_union())
    return TypeAdapter(union)
