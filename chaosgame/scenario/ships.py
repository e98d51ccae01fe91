"""What a release shipped (``Deploy.ships``): what rolling back past it costs.

A deploy may declare features only its version serves and a migration its version ran.
Once the deploy has reached every pod, clients start to rely on them; a rollback to an older
version then fails the feature's requests (or answers them worse) and the requests that read
rows the new version wrote. The engine reads it in ``chaosgame.engine.costs``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from chaosgame.scenario.units import Fraction

if TYPE_CHECKING:
    from chaosgame.scenario.model import Scenario

STRICT = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class ShippedFeature(BaseModel):
    """A feature only the deploy's version (and later ones) serves."""

    model_config = STRICT
    what: str = Field(description="the feature, for the timeline and the debrief")
    share: Fraction = Field(
        description="share of the component's requests (of ``journey`` when given) that use "
        "the feature once it has reached every pod"
    )
    journey: str | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="the journey whose requests use it (default: every journey through the "
        "component)",
    )
    without: Literal["fail", "degrade"] = Field(
        default="fail",
        description="what an older version does with its requests: fail them (an unknown "
        "endpoint) or answer them worse (a wrong answer for a correctness SLO)",
    )


class ShippedMigration(BaseModel):
    """A migration the deploy's version ran: older versions cannot read the rows it wrote."""

    model_config = STRICT
    what: str = Field(description="the migration, for the timeline and the debrief")
    share: Fraction = Field(
        description="share of the component's requests that touch rows written in the new "
        "format: an older version fails them"
    )


class Shipped(BaseModel):
    """What a deploy shipped that an older version lacks."""

    model_config = STRICT
    features: list[ShippedFeature] = Field(
        default_factory=list, description="features only this version (and later) serves"
    )
    migration: ShippedMigration | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="a migration this version ran: older versions fail on its rows",
    )


Ref = Callable[[str, str | None, Collection[str], str], None]


def check_ships(sc: Scenario, ref: Ref) -> None:
    """A shipped feature's journey must be one of the scenario's."""
    journeys = {j.name for j in sc.journeys}
    for n, d in enumerate(sc.deploys):
        if d.ships is None:
            continue
        for k, f in enumerate(d.ships.features):
            ref(f"deploys[{n}].ships.features[{k}].journey", f.journey, journeys, "journey")
