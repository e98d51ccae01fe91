"""Evidence a scenario author writes: operator commands, jobs, notifications, log lines, metrics.

Everything here is opt-in and *evidence only*: an audit entry, a job run or an e-mail shows in
the event timeline (``events``, ``changes``), an authored log line in the component's logs and
a custom metric in PromQL queries, but none of them changes the simulation. A fault's
:class:`Change` is the one link the other way: the visible change a fault brings with it (a
deploy, a config push, an operator's command) takes its author and text from the scenario.

Fields marked *debrief only* (``note``) are read by the debrief alone and never reach a player
before the end.
"""

from __future__ import annotations

import string
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chaosgame.scenario.units import Duration, Fraction, Moment, Positive

if TYPE_CHECKING:
    from chaosgame.scenario.model import Scenario

STRICT = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)
Text = Annotated[str, Field(max_length=2000)]
Short = Annotated[str, Field(min_length=1, max_length=200)]
MetricName = Annotated[str, Field(pattern=r"^[a-zA-Z_:][a-zA-Z0-9_:]*$", max_length=120)]
LabelName = Annotated[str, Field(pattern=r"^[a-zA-Z_][a-zA-Z0-9_]*$", max_length=63)]
Placeholder = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=32)]

BUILT_IN_METRICS = frozenset(
    (
        "http_requests_total",
        "http_request_duration_seconds_bucket",
        "http_request_duration_seconds",
        "http_request_duration_seconds_sum",
        "http_request_duration_seconds_count",
        "client_requests_total",
        "client_errors_total",
        "client_request_duration_seconds",
        "circuit_breaker_state",
        "client_pool_wait_ratio",
        "cpu_usage_ratio",
        "cpu_throttled_ratio",
        "memory_working_set_bytes",
        "memory_limit_bytes",
        "saturation_ratio",
        "request_queue_depth",
        "kube_deployment_status_replicas_available",
        "kube_deployment_spec_replicas",
        "kube_pod_container_status_restarts_total",
        "up",
        "db_connections_in_use",
        "db_connections_max",
        "replication_lag_seconds",
        "disk_used_bytes",
        "queue_depth",
        "queue_consumer_lag_seconds",
        "cache_hit_ratio",
    )
)
"""The telemetry catalogue's metric names, which a custom metric may not take (a test keeps
this equal to ``chaosgame.telemetry.metrics.CATALOGUE``)."""

MAX_VALUES = 10_000
"""The most distinct values one placeholder of an authored log line draws from."""


class Change(BaseModel):
    """Who made the visible change a fault brings with it, and what it said."""

    model_config = STRICT
    author: Short | None = Field(
        default=None, description="who made it (replaces the kind's default, e.g. deploy-bot)"
    )
    text: Text | None = Field(
        default=None, description="what the change event says (replaces the kind's text)"
    )
    command: Text | None = Field(
        default=None, description="the command line that made it: also shown as an audit event"
    )
    matched: Text = Field(default="", description="what the command's pattern matched")
    outcome: Text = Field(default="", description="what the command did")
    component: str | None = Field(
        default=None,
        description="the component the command's audit event is about (default: the fault's target)",
    )


class AuditEntry(BaseModel):
    """An operator's command or an audit event: who ran what, what it matched, what it did."""

    model_config = STRICT
    id: str | None = None
    at: Moment
    author: Short
    command: Text = Field(description="the command line (or API call) as it was run")
    component: str | None = Field(default=None, description="the component it acted on")
    source: Short = Field(default="shell", description="where it ran: shell, console, api, ci")
    asked: Text = Field(default="", description="what the operator meant to do")
    matched: Text = Field(default="", description="what the command's selector matched")
    outcome: Text = Field(default="", description="what was done")
    status: Literal["ok", "failed", "partial", "denied"] = "ok"
    note: Text = Field(default="", description="debrief only: why it matters")


class JobRun(BaseModel):
    """A scheduled or batch job that ran (cron, CI, a backup), with its status."""

    model_config = STRICT
    id: str | None = None
    at: Moment
    name: Short
    component: str | None = None
    author: Short = Field(default="cron", description="who or what started it")
    schedule: Short | None = Field(default=None, description="its schedule, e.g. '0 3 * * *'")
    status: Literal["succeeded", "failed", "running", "skipped", "timed-out"] = "succeeded"
    duration: Duration = 0.0
    message: Text = ""
    note: Text = Field(default="", description="debrief only: why it matters")


class Notification(BaseModel):
    """An e-mail, chat message or ticket sent before (or during) the incident."""

    model_config = STRICT
    id: str | None = None
    at: Moment
    channel: Literal["email", "chat", "ticket", "pager", "status"] = "email"
    sender: Short
    to: Short = Field(default="ops", description="who received it (a person, a team, a list)")
    subject: Text
    body: Text = ""
    component: str | None = None
    state: Literal["unread", "read", "acknowledged", "snoozed", "archived"] = "unread"
    note: Text = Field(default="", description="debrief only: why it matters")


class During(BaseModel):
    """When authored evidence is written: a time window, and while a fault acts."""

    model_config = STRICT
    after: Moment | None = Field(default=None, description="from this time on")
    before: Moment | None = Field(default=None, description="until this time")
    fault: str | None = Field(
        default=None, description="while a fault of this kind acts (its onset and condition hold)"
    )
    target: str | None = Field(
        default=None, description="the fault's component (default: the evidence's component)"
    )


class Values(BaseModel):
    """The values a placeholder of an authored log line takes (drawn per line, seeded)."""

    model_config = STRICT
    prefix: Annotated[str, Field(max_length=40)] = ""
    digits: int | None = Field(default=None, ge=1, le=16, description="an id of this many digits")
    hex: int | None = Field(default=None, ge=1, le=32, description="an id of this many hex digits")
    low: int | None = Field(default=None, ge=0, le=10**9, description="a whole number from")
    high: int | None = Field(default=None, ge=0, le=10**9, description="a whole number up to")
    choices: list[Annotated[str, Field(max_length=200)]] | None = Field(
        default=None, min_length=1, max_length=1000, description="one of these"
    )
    count: int = Field(default=256, ge=1, le=MAX_VALUES, description="distinct ids drawn")

    @model_validator(mode="after")
    def _one(self) -> Values:
        ways = [self.digits, self.hex, self.choices]
        given = sum(x is not None for x in ways) + (self.low is not None or self.high is not None)
        if given != 1:
            raise ValueError("a placeholder takes one of: digits, hex, low/high, choices")
        if (self.low is None) != (self.high is None):
            raise ValueError("a number placeholder needs both low and high")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low ({self.low}) is above high ({self.high})")
        if self.low is not None and self.high is not None and self.high - self.low >= MAX_VALUES:
            raise ValueError(f"low to high spans more than {MAX_VALUES:,} values")
        return self


class LogLine(BaseModel):
    """A log line an author writes for a component: a template with placeholders and a rate."""

    model_config = STRICT
    component: str
    level: Literal["info", "warn", "error"] = "error"
    logger: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:/-]+$", max_length=40)] = "app"
    text: Annotated[str, Field(min_length=1, max_length=500)] = Field(
        description="the message, with {placeholders} filled per line"
    )
    values: dict[Placeholder, Values] = Field(
        default_factory=dict, description="what each {placeholder} of the text takes"
    )
    rate: float = Field(default=0.0, ge=0, le=10_000, description="lines per second")
    per_request: float = Field(
        default=0.0, ge=0, le=100, description="lines per request the component receives"
    )
    per_error: float = Field(
        default=0.0, ge=0, le=100, description="lines per request the component fails"
    )
    when: During | None = None

    @model_validator(mode="after")
    def _template(self) -> LogLine:
        used = placeholders(self.text)
        missing = [p for p in used if p not in self.values]
        if missing:
            raise ValueError(
                f"text uses {{{missing[0]}}}, which has no entry under values "
                f"(give values: {{{missing[0]}: {{digits: 6}}}})"
            )
        unused = [p for p in self.values if p not in used]
        if unused:
            raise ValueError(f"values.{unused[0]} is not used in the text")
        if not (self.rate or self.per_request or self.per_error):
            raise ValueError("a log line needs a rate, per_request or per_error above 0")
        return self


class Backlog(BaseModel):
    """A queue that grows with harm (customer tickets): failed requests add, a drain removes."""

    model_config = STRICT
    journey: str
    per_failure: Positive = Field(description="items added per failed request")
    drain: float = Field(default=0.0, ge=0, le=1e6, description="items removed per hour")
    start: float = Field(default=0.0, ge=0, le=1e9, description="items at the start")


class Sample(BaseModel):
    """One point of an authored series: its value at a time (linear in between)."""

    model_config = STRICT
    at: Moment
    value: float = Field(ge=-1e12, le=1e12)


class CustomMetric(BaseModel):
    """A metric an author defines: a business figure, a queue of tickets, a progress gauge."""

    model_config = STRICT
    name: MetricName
    component: str = Field(description="the component that exports it (its gaps apply)")
    help: Text = ""
    type: Literal["gauge", "counter"] = "gauge"
    labels: dict[LabelName, Annotated[str, Field(max_length=200)]] = Field(default_factory=dict)
    journey: str | None = Field(
        default=None, description="a journey's rate: requests that succeed (see 'of')"
    )
    of: Literal["success", "errors", "requests"] = "success"
    per: Literal["second", "minute", "hour"] = "second"
    scale: float = Field(default=1.0, gt=0, le=1e9, description="multiplies the value")
    backlog: Backlog | None = None
    ready_share: str | None = Field(
        default=None, description="a component's ready replicas over desired, 0 to 1"
    )
    points: list[Sample] | None = Field(
        default=None,
        min_length=1,
        max_length=1000,
        description="values at times, linear in between",
    )
    noise: Fraction = Field(default=0.0, description="seeded relative noise on each tick")

    @model_validator(mode="after")
    def _one(self) -> CustomMetric:
        ways = [self.journey, self.backlog, self.ready_share, self.points]
        if sum(x is not None for x in ways) != 1:
            raise ValueError("a metric takes one of: journey, backlog, ready_share, points")
        reserved = {"__name__", "service", "region"} & set(self.labels)
        if reserved:
            raise ValueError(f"labels: '{sorted(reserved)[0]}' is set by the game")
        return self


class Evidence(BaseModel):
    """Evidence the author writes: commands, jobs, notifications, log lines and metrics."""

    model_config = STRICT
    audit: list[AuditEntry] = Field(default_factory=list)
    jobs: list[JobRun] = Field(default_factory=list)
    notifications: list[Notification] = Field(default_factory=list)
    logs: list[LogLine] = Field(default_factory=list)
    metrics: list[CustomMetric] = Field(default_factory=list)

    def empty(self) -> bool:
        """True when the scenario writes no evidence of its own."""
        return not (self.audit or self.jobs or self.notifications or self.logs or self.metrics)


def placeholders(text: str) -> list[str]:
    """The ``{names}`` a template uses, in order, once each."""
    out: list[str] = []
    for _, name, _, _ in string.Formatter().parse(text.replace("{{", "").replace("}}", "")):
        if name is not None and name not in out:
            out.append(name)
    return out


def check_evidence(
    sc: Scenario,
    problems: list[str],
    names: Collection[str],
    journeys: Collection[str],
) -> None:
    """Append a message for every name the scenario's evidence refers to that does not exist."""
    from chaosgame.scenario.faults import FAULT_KINDS
    from chaosgame.scenario.model import _suggest

    def ref(where: str, name: str | None, known: Collection[str], what: str) -> None:
        if name is not None and name not in known:
            problems.append(f"{where}: unknown {what} '{name}'{_suggest(name, list(known))}")

    ev = sc.evidence
    timeline: list[tuple[str, Sequence[AuditEntry | JobRun | Notification]]] = [
        ("audit", ev.audit),
        ("jobs", ev.jobs),
        ("notifications", ev.notifications),
    ]
    for part, rows in timeline:
        for i, row in enumerate(rows):
            ref(f"evidence.{part}[{i}].component", row.component, names, "component")
            if row.at >= sc.duration:
                problems.append(f"evidence.{part}[{i}].at: after the end of the window")
    for i, f in enumerate(sc.faults):
        if f.change is not None:
            ref(f"faults[{i}].change.component", f.change.component, names, "component")
    kinds = [*FAULT_KINDS]
    for i, line in enumerate(ev.logs):
        ref(f"evidence.logs[{i}].component", line.component, names, "component")
        when = line.when
        if when is not None:
            ref(f"evidence.logs[{i}].when.fault", when.fault, kinds, "fault kind")
            ref(f"evidence.logs[{i}].when.target", when.target, names, "component")
            target = when.target or line.component
            if when.fault in kinds and not any(
                f.kind == when.fault and f.target == target for f in sc.faults
            ):
                problems.append(
                    f"evidence.logs[{i}].when.fault: no '{when.fault}' fault on '{target}'"
                )
            if when.after is not None and when.before is not None and when.before <= when.after:
                problems.append(f"evidence.logs[{i}].when.before: not after 'after'")
    for i, m in enumerate(ev.metrics):
        ref(f"evidence.metrics[{i}].component", m.component, names, "component")
    for i, line in enumerate(ev.logs):
        if line.component in names:
            kind = sc.component(line.component).kind
            if kind in ("external", "metrics_store", "log_pipeline", "trace_collector", "pager"):
                problems.append(
                    f"evidence.logs[{i}].component: '{line.component}' is a {kind}, which "
                    "writes no logs the player can read"
                )
    seen: set[str] = set()
    for i, m in enumerate(ev.metrics):
        if m.name in seen:
            problems.append(f"evidence.metrics[{i}].name: '{m.name}' is defined twice")
        seen.add(m.name)
        if m.name in BUILT_IN_METRICS:
            problems.append(f"evidence.metrics[{i}].name: '{m.name}' is a built-in metric")
        ref(f"evidence.metrics[{i}].journey", m.journey, journeys, "journey")
        if m.backlog is not None:
            ref(f"evidence.metrics[{i}].backlog.journey", m.backlog.journey, journeys, "journey")
        ref(f"evidence.metrics[{i}].ready_share", m.ready_share, names, "component")
