"""The player's actions as plain data, validated.

Every frontend (the TUI, the JSON-lines agent protocol, a classroom client) sends the same
dictionaries::

    {"type": "query", "view": "metric", "component": "payments", "metric": "errors"}
    {"type": "query", "q": "rate(http_requests_total{service=\"payments\",code=~\"5..\"}[5m])"}
    {"type": "mitigate", "action": "rollback", "target": "payments"}
    {"type": "wait", "seconds": 60}
    {"type": "wait", "until": "next"}
    {"type": "declare", "component": "payments", "kind": "bad-deploy", "confidence": 0.8}
    {"type": "end"}
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chaosgame.scenario.actions import MitigationBase, mitigation_adapter
from chaosgame.scenario.faults import FAULT_KINDS
from chaosgame.scenario.units import Duration

STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)

VIEWS = ("map", "metric", "events", "slo", "deploys")


class Query(BaseModel):
    """Look at telemetry: a structured ``view`` or a ``q`` in the query language
    (``docs/queries.md``). Costs simulated time (``chaosgame.scenario.costs``)."""

    model_config = STRICT
    type: Literal["query"] = "query"
    view: Literal["map", "metric", "events", "slo", "deploys"] | None = None
    q: str | None = Field(default=None, description="a query in the query language")
    component: str | None = None
    metric: str | None = None
    window: Duration = Field(default=900.0, gt=0, le=86400.0)

    @model_validator(mode="after")
    def _one_form(self) -> Query:
        if (self.view is None) == (self.q is None):
            raise ValueError(
                "a query needs either 'view' (map, metric, events, slo, deploys) or 'q' "
                '(a query such as: logs {service="checkout"} |= "timeout"), not both'
            )
        return self


class Mitigate(BaseModel):
    """Apply a mitigation from the catalogue (its fields sit beside ``type``)."""

    model_config = ConfigDict(extra="allow", strict=True, frozen=True)
    type: Literal["mitigate"] = "mitigate"
    action: str
    target: str

    def mitigation(self) -> MitigationBase:
        """The validated mitigation this action asks for."""
        data = self.model_dump(exclude={"type"})
        spec: MitigationBase = mitigation_adapter().validate_python(data)
        return spec


class Wait(BaseModel):
    """Let simulated time pass: ``seconds``, or ``until: next``, until the next action under
    way takes effect (a time-skip over a long recovery)."""

    model_config = STRICT
    type: Literal["wait"] = "wait"
    seconds: Duration | None = Field(default=None, gt=0, le=3600.0)
    until: Literal["next"] | None = Field(
        default=None, description="next: until the next action under way takes effect"
    )

    @model_validator(mode="after")
    def _one_form(self) -> Wait:
        if (self.seconds is None) == (self.until is None):
            raise ValueError(
                "a wait needs either 'seconds' (at most 3600) or 'until': \"next\" (until the "
                "next action under way takes effect), not both"
            )
        return self


class Hypothesis(BaseModel):
    """One ranked guess at the root cause."""

    model_config = STRICT
    component: str | None = None
    kind: str
    confidence: float = Field(default=1.0, ge=0, le=1)

    @model_validator(mode="after")
    def _kind(self) -> Hypothesis:
        if self.kind not in FAULT_KINDS and self.kind not in ("no-fault", "external-dependency"):
            import difflib

            close = difflib.get_close_matches(self.kind, list(FAULT_KINDS), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise ValueError(f"unknown fault kind '{self.kind}'{hint}")
        return self


class Declare(BaseModel):
    """Declare the root cause (a component and a fault kind), up to three ranked hypotheses."""

    model_config = STRICT
    type: Literal["declare"] = "declare"
    component: str | None = None
    kind: str | None = None
    confidence: float = Field(default=1.0, ge=0, le=1)
    alternatives: list[Hypothesis] = Field(default_factory=list, max_length=2)

    @model_validator(mode="after")
    def _first(self) -> Declare:
        if self.kind is None:
            raise ValueError("say which fault kind you declare ('kind'), or 'no-fault'")
        Hypothesis(component=self.component, kind=self.kind, confidence=self.confidence)
        return self

    def hypotheses(self) -> list[dict[str, Any]]:
        """The declaration as a ranked list of plain hypotheses."""
        first = {"component": self.component, "kind": self.kind, "confidence": self.confidence}
        return [first, *(h.model_dump() for h in self.alternatives)]


class End(BaseModel):
    """Stop playing; the game is then scored."""

    model_config = STRICT
    type: Literal["end"] = "end"


Action = Query | Mitigate | Wait | Declare | End
_TYPES: dict[str, type[BaseModel]] = {
    "query": Query,
    "mitigate": Mitigate,
    "wait": Wait,
    "declare": Declare,
    "end": End,
}


def parse_action(data: Any) -> Action:
    """Validate a plain-data action; raise ``ValueError`` or ``ValidationError`` otherwise."""
    if not isinstance(data, dict):
        raise ValueError('an action must be an object such as {"type": "wait", "seconds": 60}')
    kind = data.get("type")
    model = _TYPES.get(kind) if isinstance(kind, str) else None
    if model is None:
        import difflib

        close = difflib.get_close_matches(str(kind), list(_TYPES), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ValueError(f"unknown action type {kind!r}{hint}; use one of: {', '.join(_TYPES)}")
    act = model.model_validate(data)
    if isinstance(act, Mitigate):
        act.mitigation()  # validate the mitigation's own fields now
    return act  # type: ignore[return-value]
