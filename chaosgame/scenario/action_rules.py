"""Recovery as long as it really takes: per-scenario action rules, runbook steps and a staged
reference solution.

A scenario's ``recovery:`` block can say, for an action of the catalogue (and optionally one
target), how long it takes here (fixed, or per replica of the target: a rollback of 200 hosts),
what it needs first (another action or a runbook step done, a component up, a condition on the
simulated state) and what happens when it is done without that (refused with a sentence,
fails, or takes effect with a stated harm). The runbook lists steps the player can carry out
with the ``run-step`` action (provision a restore host, open the out-of-band console).

The reference solution may interleave waits (``wait: 10m``) and conditions
(``wait_until: {component: cache, metric: cache_hit, above: 0.8}``) with its mitigations, so a
staged recovery (throttle, wait for the caches, raise the limit in steps) is expressible; the
reference player plays it that way (``chaosgame.game.players``).

Everything here is plain data and validation; the engine gives it its effect
(``chaosgame.engine.action_rules``). Without a ``recovery:`` block, and with a reference
solution of mitigations only, nothing changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, get_args

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from chaosgame.scenario.actions import (
    MITIGATIONS,
    MitigationBase,
    MitigationInfo,
    mitigation_union,
)
from chaosgame.scenario.units import Duration, Fraction

if TYPE_CHECKING:
    from chaosgame.scenario.model import Scenario

STRICT = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)

Metric = Literal[
    "errors",
    "cache_hit",
    "backlog",
    "consumer_lag",
    "utilisation",
    "latency",
    "replicas",
    "replication_lag",
    "disk",
]
METRICS: tuple[str, ...] = get_args(Metric)
"""What a condition may read of a component: a series of the simulation's history, read at the
last tick simulated (the true state, not what the player's telemetry shows)."""

UP_ERRORS = 0.05
"""A component is *up* when every replica it wants is ready and it fails under this share."""
MAX_WAIT_UNTIL_S = 7 * 86400.0
"""The longest a reference ``wait_until`` may wait for its condition."""


class Observable(BaseModel):
    """A condition on the simulated state of one component (a cache's hit ratio above 0.8)."""

    model_config = STRICT
    component: str = Field(description="the component read")
    metric: Metric = Field(description="what is read of it, at the last tick simulated")
    above: float | None = Field(default=None, ge=-1e9, le=1e9, description="holds above this")
    below: float | None = Field(default=None, ge=-1e9, le=1e9, description="holds below this")

    @model_validator(mode="after")
    def _one_bound(self) -> Observable:
        if (self.above is None) == (self.below is None):
            raise ValueError("say either 'above' or 'below' (one of them)")
        return self

    def text(self) -> str:
        """``cache_hit of listings-cache above 0.8``."""
        how = f"above {self.above:g}" if self.above is not None else f"below {self.below:g}"
        return f"{self.metric} of {self.component} {how}"


class Done(BaseModel):
    """An action that must have taken effect first (any target unless one is named)."""

    model_config = STRICT
    action: str = Field(description="the action (see `chaosgame catalog`)")
    target: str | None = Field(default=None, description="only on this target")


class Requirement(BaseModel):
    """What an action needs first: exactly one of ``done``, ``step``, ``up`` or ``when``."""

    model_config = STRICT
    done: Done | None = Field(default=None, description="an action that has taken effect")
    step: str | None = Field(default=None, description="a runbook step that has been carried out")
    up: str | None = Field(
        default=None, description="a component with every replica ready, failing under 5%"
    )
    when: Observable | None = Field(default=None, description="a condition on the state")

    @model_validator(mode="after")
    def _exactly_one(self) -> Requirement:
        given = [k for k in ("done", "step", "up", "when") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "a requirement is exactly one of done, step, up or when"
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self

    def text(self) -> str:
        """The requirement in words."""
        if self.done is not None:
            on = f" {self.done.target}" if self.done.target else ""
            return f"{self.done.action}{on} done first"
        if self.step is not None:
            return f"runbook step {self.step} done first"
        if self.up is not None:
            return f"{self.up} up"
        assert self.when is not None
        return self.when.text()


class Harm(BaseModel):
    """What an action done without its requirements does besides its own effect."""

    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, populate_by_name=True, allow_inf_nan=False
    )
    errors: Fraction = Field(default=1.0, description="share of requests that fail")
    lasting: Duration = Field(
        default=600.0, alias="for", description="how long the harm lasts once the action acts"
    )
    on: str | None = Field(default=None, description="the component harmed (default: the target)")


class Timing(BaseModel):
    """How long an action takes in this scenario, what it needs first and what it risks."""

    model_config = STRICT
    takes: Duration | None = Field(
        default=None, description="how long it takes (fixed, or the base with `per_replica`)"
    )
    per_replica: Duration | None = Field(
        default=None, description="and this much per replica the target wants (a fleet)"
    )
    requires: list[Requirement] = Field(
        default_factory=list, description="what it needs first (all of them)"
    )
    without: Literal["refuse", "fail", "harm"] = Field(
        default="refuse", description="done without its requirements: refused, fails or harms"
    )
    says: str = Field(
        default="",
        description="the sentence the player reads: why it was refused, failed or harmed",
    )
    harm: Harm | None = Field(default=None, description="without: harm, what it does")

    @model_validator(mode="after")
    def _harm(self) -> Timing:
        if self.without == "harm" and self.harm is None:
            raise ValueError("without: harm needs a 'harm' saying what it does")
        if self.without != "harm" and self.harm is not None:
            raise ValueError("'harm' only applies with without: harm")
        return self

    def seconds(self, replicas: float) -> float | None:
        """How long the action takes for a target wanting ``replicas`` (None: the catalogue's)."""
        if self.takes is None and self.per_replica is None:
            return None
        return (self.takes or 0.0) + (self.per_replica or 0.0) * max(replicas, 0.0)


class ActionRule(Timing):
    """One action's duration, requirements and risk in this scenario."""

    action: str = Field(description="the action (see `chaosgame catalog`)")
    target: str | None = Field(default=None, description="only on this target (default: any)")
    params: dict[str, str | Annotated[float, Field(ge=-1e9, le=1e9)] | bool] = Field(
        default_factory=dict,
        description="only when asked with these parameters (`replicas: 2`, `fraction: 0`)",
    )


class RunbookStep(Timing):
    """A step of the runbook the player can carry out (`run-step`): provision a host..."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=63, description="its name")
    target: str = Field(description="the component it is for")
    summary: str = Field(default="", description="what it does, as the runbook says")


class Recovery(BaseModel):
    """How recovery works in this incident: action rules and the runbook."""

    model_config = STRICT
    actions: list[ActionRule] = Field(
        default_factory=list, description="durations, requirements and risks of actions here"
    )
    runbook: list[RunbookStep] = Field(
        default_factory=list, description="steps the player can carry out with `run-step`"
    )


# ------------------------------------------------------------------ the reference's steps


class WaitStep(BaseModel):
    """A pause in the reference solution: let this much simulated time pass."""

    model_config = STRICT
    wait: Annotated[Duration, Field(gt=0)] = Field(description="how long to wait")


class WaitUntilStep(BaseModel):
    """A pause in the reference solution until a condition on the simulated state holds."""

    model_config = STRICT
    wait_until: Observable = Field(description="the condition waited for")
    timeout: Annotated[Duration, Field(gt=0, le=MAX_WAIT_UNTIL_S)] = Field(
        default=3600.0, description="give up (and fail `check`) after this long"
    )


def _step_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        if "wait_until" in value:
            return "step:wait_until"
        if "wait" in value and "action" not in value:
            return "step:wait"
        return "step:mitigation"
    if isinstance(value, WaitUntilStep):
        return "step:wait_until"
    if isinstance(value, WaitStep):
        return "step:wait"
    return "step:mitigation"


STEP_TAGS = ("step:mitigation", "step:wait", "step:wait_until")
"""The tags a reference step's validation errors carry (the error translator drops them)."""

if TYPE_CHECKING:
    ReferenceStep = MitigationBase | WaitStep | WaitUntilStep
else:
    ReferenceStep = Annotated[
        Union[  # noqa: UP007
            Annotated[mitigation_union(), Tag("step:mitigation")],
            Annotated[WaitStep, Tag("step:wait")],
            Annotated[WaitUntilStep, Tag("step:wait_until")],
        ],
        Discriminator(_step_tag),
    ]


# ------------------------------------------------------------------------ references


def check_recovery(sc: Scenario) -> list[str]:
    """Every name the recovery rules and the reference's conditions use must exist."""
    from chaosgame.scenario.model import _suggest

    problems: list[str] = []
    names = [c.name for c in sc.components]
    known = set(names)
    steps = {s.name for s in sc.recovery.runbook} if sc.recovery else set()

    def comp(where: str, name: str | None) -> None:
        if name is not None and name not in known:
            problems.append(f"{where}: unknown component '{name}'{_suggest(name, names)}")

    def action(where: str, name: str) -> None:
        if name not in MITIGATIONS:
            problems.append(f"{where}: unknown action '{name}'{_suggest(name, list(MITIGATIONS))}")

    def timing(where: str, t: Timing) -> None:
        for k, r in enumerate(t.requires):
            at = f"{where}.requires[{k}]"
            if r.done is not None:
                action(f"{at}.done.action", r.done.action)
                done_info = MITIGATIONS.get(r.done.action)
                if r.done.target is not None and _names_component(done_info):
                    comp(f"{at}.done.target", r.done.target)
            if r.step is not None and r.step not in steps:
                problems.append(
                    f"{at}.step: unknown runbook step '{r.step}'{_suggest(r.step, sorted(steps))}"
                )
            comp(f"{at}.up", r.up)
            if r.when is not None:
                comp(f"{at}.when.component", r.when.component)
        if t.harm is not None:
            comp(f"{where}.harm.on", t.harm.on)

    if sc.recovery is not None:
        for i, rule in enumerate(sc.recovery.actions):
            where = f"recovery.actions[{i}]"
            action(f"{where}.action", rule.action)
            info = MITIGATIONS.get(rule.action)
            fields = [
                f
                for f in (info.model.model_fields if info else {})
                if f not in ("action", "target")
            ]
            for key in rule.params:
                if info is not None and key not in fields:
                    takes = ", ".join(fields) or "nothing besides its target"
                    problems.append(
                        f"{where}.params: {rule.action} has no parameter '{key}'; it takes {takes}"
                    )
            if rule.target is not None and _names_component(info):
                comp(f"{where}.target", rule.target)
            timing(where, rule)
        seen: set[str] = set()
        for i, step in enumerate(sc.recovery.runbook):
            where = f"recovery.runbook[{i}]"
            if step.name in seen:
                problems.append(f"{where}.name: the runbook already has a step '{step.name}'")
            seen.add(step.name)
            comp(f"{where}.target", step.target)
            timing(where, step)
    for i, s in enumerate(sc.truth.reference_solution):
        if isinstance(s, WaitUntilStep):
            comp(f"truth.reference_solution[{i}].wait_until.component", s.wait_until.component)
        elif getattr(s, "action", None) == "run-step" and getattr(s, "step", None) not in steps:
            name = str(getattr(s, "step", ""))
            problems.append(
                f"truth.reference_solution[{i}].step: unknown runbook step '{name}'"
                f"{_suggest(name, sorted(steps))}"
            )
    return problems


def _names_component(info: MitigationInfo | None) -> bool:
    """Whether an action's target is a component (not a flag, a cluster or a region)."""
    return info is not None and info.targets not in (("flag",), ("cluster",), ("region",))


def rule_for(
    sc: Scenario,
    action: str,
    target: str,
    step: str | None = None,
    params: Mapping[str, Any] | None = None,
) -> Timing | None:
    """The rule that applies to ``action`` on ``target`` asked with ``params`` (a runbook step
    for ``run-step``), among those whose ``params`` all match; None when there is none. The
    most specific rule wins: one naming the target and parameters, then one naming the
    target, then one naming parameters, then one for any; the first of equals."""
    rec = sc.recovery
    if rec is None:
        return None
    if action == "run-step":
        return next((s for s in rec.runbook if s.name == step and s.target == target), None)
    asked = params or {}
    best: tuple[int, ActionRule] | None = None
    for rule in rec.actions:
        if rule.action != action or rule.target not in (None, target):
            continue
        if any(asked.get(k) != v for k, v in rule.params.items()):
            continue
        rank = 2 * (rule.target is not None) + bool(rule.params)
        if best is None or rank > best[0]:
            best = (rank, rule)
    return None if best is None else best[1]
