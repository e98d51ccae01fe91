"""Other teams, customers, pipelines and the status page: the scenario's side of them.

* ``parties``: another team or a customer, the actions they can take when asked (``request``),
  each with its effect in the simulation and its own pace (a delay, a seeded jitter, an
  adoption that grows over time and may never be complete).
* ``pipelines``: a deploy or config pipeline that carries out changes of the history (a rollout
  in waves) and may re-apply config every few minutes; the player can ``pause-pipeline``.
* ``comms``: the incident has a public status page, and customers expect a first update soon
  after the page and then one every ``cadence`` while users are hurt (scored).

All three are opt-in: a scenario without them plays and scores exactly as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chaosgame.scenario.actions import MitigationBase, mitigation_union
from chaosgame.scenario.party_actions import PARTY_TARGETS
from chaosgame.scenario.units import Duration, Factor, Fraction, Moment

if TYPE_CHECKING:
    from chaosgame.scenario.model import Scenario

    AnyMitigation = MitigationBase
else:
    AnyMitigation = mitigation_union()

STRICT = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)
ALIASED = ConfigDict(
    extra="forbid", strict=True, frozen=True, populate_by_name=True, allow_inf_nan=False
)

Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=63)]


class Pace(BaseModel):
    """How fast a party acts once asked."""

    model_config = STRICT
    delay: Duration = Field(default=1800.0, description="from the request to the first effect")
    jitter: Duration = Field(
        default=0.0,
        description="up to this much longer, drawn from the seed (stream parties/NAME/ACTION)",
    )
    adoption: Duration = Field(
        default=0.0, description="time for the change to reach its final share (0: at once)"
    )
    share: Fraction = Field(
        default=1.0, description="share of their clients or fleet that adopts in the end"
    )


class TrafficChange(BaseModel):
    """Their clients change how much traffic a journey sends (for the share that adopted)."""

    model_config = STRICT
    journey: str
    factor: Factor = Field(description="multiply the journey's request rate by this")


class RetryChange(BaseModel):
    """Their callers change how often they retry calls on one dependency edge."""

    model_config = ALIASED
    source: str = Field(alias="from", description="the calling component (theirs)")
    to: str
    count: int = Field(ge=0, le=10, description="retries per call once adopted")


class PartyAction(BaseModel):
    """Something a party does when asked: exactly one effect, at its own pace."""

    model_config = STRICT
    name: Name
    summary: str = ""
    mitigation: AnyMitigation | None = Field(
        default=None, description="a mitigation on a component they own, done when due"
    )
    traffic: TrafficChange | None = None
    retries: RetryChange | None = None
    pace: Pace = Field(default_factory=Pace)

    @model_validator(mode="after")
    def _one_effect(self) -> PartyAction:
        given = [k for k in ("mitigation", "traffic", "retries") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"action '{self.name}' needs exactly one effect: mitigation, traffic or retries"
                + (f" (it has {', '.join(given)})" if given else "")
            )
        if self.mitigation is not None and self.mitigation.targets[0] in PARTY_TARGETS:
            raise ValueError(
                f"action '{self.name}': a party's mitigation acts on a component, not "
                f"'{self.mitigation.action}'"
            )
        return self


class Refusal(BaseModel):
    """Something a party is often asked and will not do, and why (shown to the player)."""

    model_config = STRICT
    ask: str
    why: str


class Party(BaseModel):
    """Another team or a customer: what they own, what they can do when asked, how fast."""

    model_config = STRICT
    name: Name
    kind: Literal["team", "customer"] = "team"
    description: str = ""
    owns: list[str] = Field(
        default_factory=list, description="components that are theirs (their mitigations act there)"
    )
    actions: list[PartyAction] = Field(default_factory=list)
    refuses: list[Refusal] = Field(default_factory=list)
    answers_page: Duration = Field(
        default=300.0, description="teams: how long a page takes to be acknowledged"
    )


class PipelineConfig(BaseModel):
    """A config value a pipeline applies on every run (its desired state)."""

    model_config = STRICT
    component: str
    key: str
    value: str


class Pipeline(BaseModel):
    """A deploy or config pipeline: carries out changes of the history and may re-apply."""

    model_config = STRICT
    name: Name
    description: str = ""
    changes: list[str] = Field(
        default_factory=list,
        description="ids of deploys and config changes it carries out (held while paused)",
    )
    enforces: list[PipelineConfig] = Field(
        default_factory=list, description="config it re-applies on every run when it differs"
    )
    every: Duration | None = Field(
        default=None, description="time between runs; each run re-applies what drifted"
    )
    start: Moment | None = Field(
        default=None, description="first run (default: one period after its first change)"
    )

    @model_validator(mode="after")
    def _runs(self) -> Pipeline:
        if self.enforces and self.every is None:
            raise ValueError(f"pipeline '{self.name}' enforces config but has no 'every'")
        if self.every is not None and self.every < 10:
            raise ValueError(f"pipeline '{self.name}': 'every' must be at least 10s")
        if not self.changes and not self.enforces:
            raise ValueError(f"pipeline '{self.name}' has neither changes nor enforces")
        return self


class Comms(BaseModel):
    """The incident's customers are in the dark unless someone posts on the status page."""

    model_config = STRICT
    status_page: bool = True
    first_update: Duration = Field(
        default=900.0, description="the first status update is due this long after the page"
    )
    cadence: Duration = Field(
        default=1800.0, description="then one is due this often while users are hurt"
    )

    @model_validator(mode="after")
    def _positive(self) -> Comms:
        if self.cadence < 60:
            raise ValueError("comms.cadence must be at least 1m")
        return self


def check_parties(sc: Scenario, ref: Any) -> list[str]:
    """Names that parties and pipelines refer to must exist (``ref`` reports a bad one)."""
    problems: list[str] = []
    names = {c.name for c in sc.components}
    journeys = {j.name for j in sc.journeys}
    edges = {(d.source, d.to) for d in sc.dependencies}
    seen: set[str] = set()
    for p, party in enumerate(sc.parties):
        where = f"parties[{p}]"
        if party.name in seen:
            problems.append(f"{where}.name: duplicate party '{party.name}'")
        seen.add(party.name)
        for c in party.owns:
            ref(f"{where}.owns", c, names, "component")
        asked: set[str] = set()
        for a, act in enumerate(party.actions):
            at = f"{where}.actions[{a}]"
            if act.name in asked:
                problems.append(f"{at}.name: duplicate action '{act.name}'")
            asked.add(act.name)
            if act.mitigation is not None:
                target = act.mitigation.target
                ref(f"{at}.mitigation.target", target, names, "component")
                if target in names and target not in party.owns:
                    problems.append(
                        f"{at}.mitigation.target: '{target}' is not one of {party.name}'s "
                        f"components (owns: {', '.join(party.owns) or 'none'})"
                    )
            if act.traffic is not None:
                ref(f"{at}.traffic.journey", act.traffic.journey, journeys, "journey")
            if act.retries is not None:
                r = act.retries
                ref(f"{at}.retries.from", r.source, names, "component")
                ref(f"{at}.retries.to", r.to, names, "component")
                if r.source in names and r.to in names and (r.source, r.to) not in edges:
                    problems.append(f"{at}.retries: '{r.source}' does not call '{r.to}'")
    changes = {d.id for d in sc.deploys if d.id} | {c.id for c in sc.configs if c.id}
    owner: dict[str, str] = {}
    pnames: set[str] = set()
    for p, pipe in enumerate(sc.pipelines):
        where = f"pipelines[{p}]"
        if pipe.name in pnames:
            problems.append(f"{where}.name: duplicate pipeline '{pipe.name}'")
        pnames.add(pipe.name)
        for cid in pipe.changes:
            ref(f"{where}.changes", cid, changes, "deploy or config change id")
            if cid in owner:
                problems.append(f"{where}.changes: '{cid}' is already carried out by {owner[cid]}")
            owner[cid] = pipe.name
        for e, cfg in enumerate(pipe.enforces):
            ref(f"{where}.enforces[{e}].component", cfg.component, names, "component")
    return problems


def target_names(sc: Scenario, kind: str) -> list[str]:
    """The names an action aimed at ``kind`` (party, pipeline, journey) may target."""
    if kind == "party":
        return [p.name for p in sc.parties]
    if kind == "pipeline":
        return [p.name for p in sc.pipelines]
    return [j.name for j in sc.journeys]
