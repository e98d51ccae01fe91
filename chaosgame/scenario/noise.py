"""Authored noise: evidence that is always there and never the cause.

Real fleets are noisy: an alert that flaps every few minutes, a report query that has been
slow for years, an error line every service writes, a gauge that always sits near its limit.
A scenario's ``noise:`` section describes such things; telemetry renders them like any other
signal (with the same observability gaps), and they never change the simulation. A red
herring in ``truth.red_herrings`` may name one as ``alert:NAME``, ``log:ID``,
``slow-query:ID`` or ``metric:NAME``; ``chaosgame check`` proves it visible and harmless.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from chaosgame.scenario.units import Duration, Moment

if TYPE_CHECKING:
    from chaosgame.scenario.model import Scenario

STRICT = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)

AlertName = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=63)]
MetricName = Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*$", max_length=100)]
NoiseId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=63)]
Text = Annotated[str, Field(min_length=1, max_length=300)]
EVER = -7 * 86400.0
"""When noise starts unless the author says: a week before the window (it was always there)."""


class NoiseAlert(BaseModel):
    """A threshold alert that flaps: it fires for ``duty`` of every ``period``."""

    model_config = STRICT
    name: AlertName = Field(description="the alert's name, as the alert list shows it")
    component: str = Field(description="the component whose metrics it watches")
    summary: Text = Field(description="what the alert says")
    severity: Literal["warning", "ticket"] = Field(
        default="warning", description="how the alert list ranks it (never a page)"
    )
    period: Annotated[Duration, Field(ge=60)] = Field(
        default=900.0, description="length of one fire-and-resolve cycle"
    )
    duty: Annotated[float, Field(gt=0, lt=1)] = Field(
        default=0.3, description="share of each cycle it is firing"
    )
    since: Moment = Field(default=EVER, description="when it started flapping (a week before)")


class NoiseLog(BaseModel):
    """A log line a component always writes (an error nobody fixed, a chatty warning)."""

    model_config = STRICT
    id: NoiseId = Field(description="how a red herring names it (log:ID)")
    component: str = Field(description="the component that writes it")
    level: Literal["debug", "info", "warn", "error"] = Field(
        default="error", description="its log level"
    )
    logger: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]+$", max_length=63)] = Field(
        default="app", description="the logger (or class) name the line shows"
    )
    message: Text = Field(description="the line's message")
    every: Annotated[Duration, Field(ge=0.1)] = Field(
        default=30.0, description="one line per this much time (per component)"
    )
    since: Moment = Field(default=EVER, description="when it began (a week before)")


class NoiseSlowQuery(BaseModel):
    """A database statement that is always slow (and in the slow-query log)."""

    model_config = STRICT
    id: NoiseId = Field(description="how a red herring names it (slow-query:ID)")
    component: str = Field(description="the database that runs it")
    statement: Text = Field(description="the SQL text the slow-query log shows")
    duration: Annotated[Duration, Field(gt=0)] = Field(
        default=2.0, description="how long it always takes"
    )
    every: Annotated[Duration, Field(ge=0.1)] = Field(
        default=60.0, description="it runs once per this much time"
    )
    since: Moment = Field(default=EVER, description="when it began (a week before)")


class NoiseMetric(BaseModel):
    """A gauge that looks alarming and always has (a pool near its cap, a heap near full)."""

    model_config = STRICT
    name: MetricName = Field(description="the metric's name (a new one, not a catalogue metric)")
    component: str = Field(description="the component that exports it")
    help: Text = Field(description="what the metric measures, as the catalogue lists it")
    value: float = Field(ge=-1e12, le=1e12, description="its level")
    wobble: float = Field(
        default=0.0, ge=0, le=1e12, description="deterministic jitter around the level"
    )


class Noise(BaseModel):
    """Harmless signals that are always there: telemetry shows them, the engine ignores them."""

    model_config = STRICT
    alerts: list[NoiseAlert] = Field(default_factory=list, description="alerts that flap")
    logs: list[NoiseLog] = Field(default_factory=list, description="lines always written")
    slow_queries: list[NoiseSlowQuery] = Field(
        default_factory=list, description="statements always in the slow-query log"
    )
    metrics: list[NoiseMetric] = Field(
        default_factory=list, description="gauges that always look alarming"
    )


PREFIXES = ("alert:", "log:", "slow-query:", "metric:")
"""How ``truth.red_herrings`` refer to noise."""


def noise_refs(noise: Noise) -> list[str]:
    """Every red-herring reference the noise offers."""
    return (
        [f"alert:{a.name}" for a in noise.alerts]
        + [f"log:{x.id}" for x in noise.logs]
        + [f"slow-query:{q.id}" for q in noise.slow_queries]
        + [f"metric:{m.name}" for m in noise.metrics]
    )


def without(noise: Noise, ref: str) -> Noise | None:
    """``noise`` without the item ``ref`` names (None when it names none)."""
    kind, _, name = ref.partition(":")
    field, key = {
        "alert": ("alerts", "name"),
        "log": ("logs", "id"),
        "slow-query": ("slow_queries", "id"),
        "metric": ("metrics", "name"),
    }.get(kind, ("", ""))
    if not field:
        return None
    items = getattr(noise, field)
    kept = [x for x in items if getattr(x, key) != name]
    if len(kept) == len(items):
        return None
    return noise.model_copy(update={field: kept})


Item = NoiseAlert | NoiseLog | NoiseSlowQuery | NoiseMetric


def item(noise: Noise, ref: str) -> Item | None:
    """The noise item ``ref`` names."""
    kind, _, name = ref.partition(":")
    pools: dict[str, list[Item]] = {
        "alert": list(noise.alerts),
        "log": list(noise.logs),
        "slow-query": list(noise.slow_queries),
        "metric": list(noise.metrics),
    }
    for x in pools.get(kind, []):
        if getattr(x, "name", None) == name or getattr(x, "id", None) == name:
            return x
    return None


def check_noise(sc: Scenario, known: Collection[str]) -> list[str]:
    """Noise must name existing components of the right kind, and its names must be unique."""
    problems: list[str] = []
    comps = {c.name: c for c in sc.components}
    n = sc.noise
    groups: list[tuple[str, list[Item]]] = [
        ("alerts", list(n.alerts)),
        ("logs", list(n.logs)),
        ("slow_queries", list(n.slow_queries)),
        ("metrics", list(n.metrics)),
    ]
    for field, items in groups:
        seen: set[str] = set()
        for i, x in enumerate(items):
            where = f"noise.{field}[{i}]"
            if x.component not in known:
                problems.append(f"{where}.component: unknown component '{x.component}'")
            name = str(getattr(x, "name", None) or getattr(x, "id", ""))
            if name in seen:
                problems.append(f"{where}: '{name}' is used twice")
            seen.add(name)
    for i, q in enumerate(n.slow_queries):
        c = comps.get(q.component)
        if c is not None and c.kind != "database":
            problems.append(
                f"noise.slow_queries[{i}].component: '{q.component}' is a {c.kind}, not a database"
            )
    return problems
