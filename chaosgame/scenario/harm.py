"""Harm beyond availability: what else a scenario puts at stake (``harm:``).

An incident hurts more than its error budgets: data exposed to people who should not see it,
orders lost or wrong, money spent on capacity. A scenario opts in with a ``harm`` section;
without one it scores exactly as before. Scoring reads it in ``chaosgame.game.harm``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Annotated, get_args

from pydantic import BaseModel, ConfigDict, Field

from chaosgame.scenario.units import MAX_NUMBER, Duration

if TYPE_CHECKING:
    from chaosgame.scenario.model import Scenario

STRICT = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)

Money = float
"""An amount in the scenario's currency."""


class Exposure(BaseModel):
    """Data exposed while a fault acts: until it stops, or until its journey is taken down."""

    model_config = STRICT
    fault: str = Field(description="the kind of the fault that exposes data")
    target: str | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="the component of that fault (default: any fault of that kind)",
    )
    journey: str | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="the journey whose answers carry the data: it is exposed only while this "
        "journey answers requests (taking it down closes the exposure)",
    )
    what: str = Field(default="", description="what is exposed, for the debrief")


class Revenue(BaseModel):
    """What a journey's failed or wrong requests cost (orders lost or wrong)."""

    model_config = STRICT
    journey: str
    per_request: Money = Field(
        default=0.0, ge=0, le=MAX_NUMBER, description="value lost per failed or wrong request"
    )
    per_minute: Money = Field(
        default=0.0,
        ge=0,
        le=MAX_NUMBER,
        description="value lost per minute of the journey failing entirely (in proportion "
        "to the share of its requests that fail or are wrong)",
    )


PRICE_PER_REPLICA_HOUR: dict[str, Money] = {
    "gateway": 0.10,
    "service": 0.10,
    "worker": 0.10,
    "cache": 0.25,
    "queue": 0.25,
    "database": 0.50,
}
"""What one replica of a component of each kind costs for an hour when the scenario names no
price (roughly an on-demand cloud price: a pod of one or two cores; a cache or broker node
with its memory; a database instance). Kinds left out (dns, external services, the
observability stack) are billed by others."""
PRICE_PER_NODE_HOUR: Money = 0.40
"""What one node added with ``add-nodes`` costs for an hour (an 8-core on-demand instance)."""
DEFAULT_ALLOWANCE: Money = 100.0
"""The extra spend beyond the reference's that a scenario without ``harm.cost`` would let cost
the whole collateral part, were the score to read it."""


class CapacityCost(BaseModel):
    """What extra capacity costs: replicas above the starting fleet and nodes added, by the hour."""

    model_config = STRICT
    per_replica_hour: Money | None = Field(
        default=None,
        gt=0,
        le=MAX_NUMBER,
        exclude_if=lambda v: v is None,
        description="price of one replica of any kind running for an hour (default: the "
        "price of its kind, see ``per_kind``)",
    )
    per_kind: dict[str, Annotated[Money, Field(ge=0, le=MAX_NUMBER)]] = Field(
        default_factory=dict,
        description="price of one replica-hour by component kind, over the defaults "
        "(gateway, service, worker 0.10; cache, queue 0.25; database 0.50; others 0)",
    )
    per_node_hour: Money = Field(
        default=PRICE_PER_NODE_HOUR,
        ge=0,
        le=MAX_NUMBER,
        description="price of one node added with add-nodes, by the hour",
    )
    allowance: Money = Field(
        default=DEFAULT_ALLOWANCE,
        gt=0,
        le=MAX_NUMBER,
        description="extra spend beyond the reference's that costs the whole collateral part",
    )

    def price(self, kind: str) -> Money:
        """What a replica of a component of ``kind`` costs for an hour."""
        if self.per_replica_hour is not None:
            return self.per_replica_hour
        return self.per_kind.get(kind, PRICE_PER_REPLICA_HOUR.get(kind, 0.0))


DEFAULT_COST = CapacityCost()
"""The prices of a scenario that names none (every scenario's capacity cost is measured)."""


class HarmSettings(BaseModel):
    """What else the incident puts at stake besides the SLOs: data, money, capacity cost."""

    model_config = STRICT
    exposures: list[Exposure] = Field(
        default_factory=list, description="faults that expose data, and through what"
    )
    exposure_allowance: Duration = Field(
        default=600.0,
        gt=0,
        description="exposure beyond the reference's that costs the whole confidentiality share",
    )
    money: list[Revenue] = Field(
        default_factory=list, description="what failed or wrong requests of a journey cost"
    )
    cost: CapacityCost | None = Field(
        default=None, exclude_if=lambda v: v is None, description="what extra capacity costs"
    )
    takedown: list[str] = Field(
        default_factory=list,
        description="components that may be taken down to protect data: scaling one to zero, "
        "or shedding or rate-limiting all its traffic, is a legitimate mitigation here, not "
        "symptom hiding",
    )
    currency: str = Field(default="$", max_length=8, description="shown before amounts")


Ref = Callable[[str, str | None, Collection[str], str], None]


def check_harm(sc: Scenario, ref: Ref) -> list[str]:
    """Names the ``harm`` section refers to must exist; an exposure's fault must be one of
    the scenario's."""
    h = sc.harm
    if h is None:
        return []
    problems: list[str] = []
    names = {c.name for c in sc.components}
    journeys = {j.name for j in sc.journeys}
    for i, e in enumerate(h.exposures):
        where = f"harm.exposures[{i}]"
        ref(f"{where}.target", e.target, names, "component")
        ref(f"{where}.journey", e.journey, journeys, "journey")
        kinds = {f.kind for f in sc.faults if e.target is None or f.target == e.target}
        if e.fault not in kinds:
            on = f" on '{e.target}'" if e.target else ""
            have = ", ".join(sorted({f.kind for f in sc.faults})) or "none"
            problems.append(
                f"{where}.fault: the scenario has no '{e.fault}' fault{on} (its faults: {have})"
            )
    for i, m in enumerate(h.money):
        ref(f"harm.money[{i}].journey", m.journey, journeys, "journey")
        if m.per_request <= 0 and m.per_minute <= 0:
            problems.append(f"harm.money[{i}]: give per_request or per_minute (a value above 0)")
    for i, c in enumerate(h.takedown):
        ref(f"harm.takedown[{i}]", c, names, "component")
    if h.cost is not None:
        from chaosgame.scenario.model import ComponentKind

        for kind, price in h.cost.per_kind.items():
            ref("harm.cost.per_kind", kind, get_args(ComponentKind), "component kind")
            if not 0 <= price <= MAX_NUMBER:
                problems.append(f"harm.cost.per_kind.{kind}: a price from 0 to {MAX_NUMBER:g}")
    return problems
