"""The users' clients at a journey's front door: what a scenario file says about them.

A journey may describe its clients (apps, SDKs, browsers) with ``clients:``. Every part is
optional, and a journey without the block behaves exactly as before:

* **retries**: a client retries a failed request up to ``retries`` times, waiting an
  exponential ``backoff`` (doubling with each retry, at most ``max_backoff``), with ``jitter``
  none (every client waits the same: retries after a common failure arrive in waves), full
  (a uniform wait between zero and the backoff) or equal (half the backoff plus a uniform half);
* **pent_up**: a share of the users whose request finally failed (or was told to come back
  later) try again, on average ``after`` later, so demand builds up during an outage and
  arrives when service returns;
* **stale_address**: the journey's address moved ``at`` a time from an ``old`` component to
  its front; clients cache the old one for up to ``ttl`` (and a ``sticky`` share never
  refreshes), so their requests keep going to the old target;
* **stale_version**: a ``share`` of the users run an old app version that calls an API the
  entry's versions in ``removed_in`` no longer serve.

Plain data and checks only; ``chaosgame.engine.clients`` gives these their effect.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from chaosgame.scenario.units import Duration, Fraction, Moment

if TYPE_CHECKING:
    from chaosgame.scenario.model import Scenario

STRICT = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)

MAX_BACKOFF_S = 3600.0
"""The longest wait between two client retries a scenario may ask for."""

Wait = Annotated[Duration, Field(ge=0, le=MAX_BACKOFF_S)]
Mean = Annotated[Duration, Field(gt=0, le=86400.0)]


class PentUp(BaseModel):
    """Users who come back later when their request finally failed (pent-up demand)."""

    model_config = STRICT
    share: Fraction = Field(
        description="share of the users whose request finally failed, or was told to come back "
        "later, who try again"
    )
    after: Mean = Field(
        default=120.0, description="mean time before they try again (they come back at random)"
    )


class StaleAddress(BaseModel):
    """The journey's address moved; clients cache the old one until their TTL expires."""

    model_config = STRICT
    old: str = Field(description="the component the journey's address pointed to before")
    at: Moment = Field(description="when the address moved to the journey's front")
    ttl: Mean = Field(description="how long a client caches the address")
    sticky: Fraction = Field(
        default=0.0,
        description="share of clients that never refresh the address (they ignore the TTL)",
    )


class StaleVersion(BaseModel):
    """Users on an old app version that calls an API newer server versions removed."""

    model_config = STRICT
    share: Fraction = Field(description="share of the journey's users on the old app version")
    removed_in: list[str] = Field(
        min_length=1,
        description="versions of the journey's entry that no longer serve the old app's API",
    )


class Clients(BaseModel):
    """The users' clients of a journey: retries, pent-up demand and what they cache."""

    model_config = STRICT
    retries: int = Field(default=0, ge=0, le=10, description="times a client retries a failure")
    backoff: Wait = Field(default=1.0, description="wait before the first retry; doubles after")
    max_backoff: Wait = Field(default=120.0, description="longest wait between two retries")
    jitter: Literal["none", "full", "equal"] = Field(
        default="full",
        description="none: every client waits the backoff; full: a uniform wait up to it; "
        "equal: half of it plus a uniform half",
    )
    pent_up: PentUp | None = Field(
        default=None, exclude_if=lambda v: v is None, description="users who come back later"
    )
    stale_address: StaleAddress | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="the journey's address moved; clients cache the old one",
    )
    stale_version: StaleVersion | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="users on an old app version whose API was removed",
    )


Ref = Callable[[str, str | None, Collection[str], str], None]


def check_clients(sc: Scenario, ref: Ref, names: Collection[str]) -> list[str]:
    """Names a journey's clients refer to must exist, and make sense for the journey."""
    problems: list[str] = []
    for i, j in enumerate(sc.journeys):
        c = j.clients
        if c is None:
            continue
        where = f"journeys[{i}].clients"
        if c.max_backoff < c.backoff:
            problems.append(f"{where}.max_backoff: shorter than the backoff ({c.backoff:g}s)")
        if c.stale_address is not None:
            old = c.stale_address.old
            ref(f"{where}.stale_address.old", old, names, "component")
            if old in (j.entry, j.via):
                problems.append(
                    f"{where}.stale_address.old: '{old}' is where the journey's address points "
                    "now; name the component it pointed to before"
                )
    return problems
