"""What a feature flag's feature does for users (``flags[].feature``).

A flag gates code that users meet. Turning the flag off, or lowering its percentage, takes the
feature from the users who had it: their requests fail, or are answered without it (a wrong or
degraded answer), or cost money another way. The engine applies it in
``chaosgame.engine.flag_features``; docs/authoring.md, "Feature flags", shows how to write it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from chaosgame.scenario.units import MAX_NUMBER, Fraction

if TYPE_CHECKING:
    from chaosgame.scenario.model import Scenario

STRICT = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class FlagFeature(BaseModel):
    """The feature a flag gates: whose requests need it, and what they lose without it."""

    model_config = STRICT
    what: str = Field(default="", description="what users get from it, for the debrief")
    journeys: list[str] = Field(min_length=1, description="the journeys the feature serves")
    share: Fraction = Field(
        description="share of those journeys' requests that use the feature where it is on"
    )
    lost: Literal["degraded", "fails", "money"] = Field(
        default="degraded",
        description="what a request that needs the feature gets without it: an answer without "
        "it ('degraded': a wrong answer for the correctness SLI), an error ('fails'), or the "
        "same answer at a cost ('money': `value` per request)",
    )
    value: float = Field(
        default=0.0,
        ge=0,
        le=MAX_NUMBER,
        description="money lost per request that needed the feature and did not get it",
    )


Ref = Callable[[str, str | None, Collection[str], str], None]


def check_features(sc: Scenario, ref: Ref) -> list[str]:
    """A feature's journeys must exist; a 'money' feature must say what a request costs."""
    problems: list[str] = []
    journeys = {j.name for j in sc.journeys}
    for i, f in enumerate(sc.flags):
        feat = f.feature
        if feat is None:
            continue
        for name in feat.journeys:
            ref(f"flags[{i}].feature.journeys", name, journeys, "journey")
        if feat.lost == "money" and feat.value <= 0:
            problems.append(
                f"flags[{i}].feature.value: a feature whose loss costs money needs the money "
                "lost per request (value > 0)"
            )
    return problems
