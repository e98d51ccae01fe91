"""What the player can do, as every frontend lists it: views, mitigations, kinds and costs.

Plain data read from the core's public catalogues, shared by the terminal UI, the text console
and programs; nothing here imports Textual. Frontends read costs and names from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

from chaosgame.game.views import COSTS, METRICS
from chaosgame.scenario.actions import MITIGATIONS
from chaosgame.scenario.costs import MITIGATION_HANDS_ON, QUERY_COSTS
from chaosgame.scenario.faults import FAULT_KINDS
from chaosgame.scenario.party_actions import PARTY_TARGETS as PARTY_TARGETS
from chaosgame.scenario.units import format_duration

HANDS_ON_S = MITIGATION_HANDS_ON
"""Simulated seconds of hands-on time any mitigation costs before its own delay."""

KINDS = [*FAULT_KINDS, *(k for k in ("no-fault", "external-dependency") if k not in FAULT_KINDS)]
"""What a declaration may name."""

KIND_SUMMARIES = {
    **{kind: info.summary for kind, info in FAULT_KINDS.items()},
    "external-dependency": "the cause is outside our systems: a provider or service we do not run",
}
"""One line per declarable kind, as the declare dialog lists them."""


def matching(
    text: str,
    names: list[str],
    descriptions: Mapping[str, str] | None = None,
    limit: int = 50,
) -> list[str]:
    """Names containing every word of ``text``, those starting with it first; then the names
    whose description has every word (``slow`` finds ``latency-regression``, "slower")."""
    words = text.lower().replace("-", " ").split()
    first = text.strip().lower()
    described = descriptions or {}

    def rank(name: str) -> int | None:
        low = name.lower()
        if all(w in low for w in words):
            return 0 if low.startswith(first) else 1
        if words and all(w in described.get(name, "").lower() for w in words):
            return 2
        return None

    hits = [(r, i, n) for i, n in enumerate(names) if (r := rank(n)) is not None]
    hits.sort()
    return [n for _, _, n in hits[:limit]]


METRIC_NAMES = list(METRICS)
METRIC_HELP = dict(METRICS)
"""What each built-in metric means, by name."""
VIEW_COSTS = dict(COSTS)
"""Simulated seconds each built-in view (map, metric, events, slo, deploys) costs."""


TARGET_PLACEHOLDERS = {
    "flag": "the flag's name",
    "party": "a team or customer (see the briefing)",
    "pipeline": "a pipeline (see the changes)",
    "journey": "a journey on the status page",
}
"""What a dialog's target field asks for, by the kind of target an action takes."""


def status_due(board: dict[str, Any], now: float) -> str:
    """When the next status update is due: ``status update due in 12m`` or ``overdue by 5m``."""
    left = float(board["next_due"]) - now
    if left >= 0:
        return f"status update due in {format_duration(left)}"
    return f"status update overdue by {format_duration(-left)}"


def cost_text(seconds: float) -> str:
    """``45s``, ``2m``; ``free`` for nothing."""
    return format_duration(seconds) if seconds > 0 else "free"


@dataclass(frozen=True)
class Command:
    """One entry of the command palette: a label, its cost, and the action (or a UI verb)."""

    label: str
    help: str
    cost_s: float
    action: dict[str, Any] | None = None
    verb: str = ""
    risky: bool = False


def query_commands(components: list[str]) -> list[Command]:
    """The views (and a chart per component) the player can open."""
    cmds = [
        Command(
            "map", "the service map with health", COSTS["map"], {"type": "query", "view": "map"}
        ),
        Command(
            "slo", "SLOs, burn rates, error budget", COSTS["slo"], {"type": "query", "view": "slo"}
        ),
        Command(
            "events",
            "the event timeline of the last 2 hours",
            COSTS["events"],
            {"type": "query", "view": "events", "window": 7200.0},
        ),
        Command(
            "changes",
            "deploys, flag and config changes, operator commands and jobs of the last 24 hours",
            COSTS["deploys"],
            {"type": "query", "view": "deploys", "window": 86400.0},
        ),
    ]
    for comp in components:
        for metric in ("errors", "latency_p99", "rps", "utilisation"):
            cmds.append(
                Command(
                    f"metric {comp} {metric}",
                    f"chart {METRICS[metric]} of {comp}, last 15m",
                    COSTS["metric"],
                    {"type": "query", "view": "metric", "component": comp, "metric": metric},
                )
            )
    cmds += [
        Command(
            f"profile {comp}",
            f"CPU profile of {comp}: where its CPU went, last 15m",
            QUERY_COSTS["profile"],
            {"type": "query", "q": f"profile {comp}"},
        )
        for comp in components
    ]
    return cmds


def scenario_delay(
    briefing: Mapping[str, Any] | None, action: str, target: str | None = None
) -> float | None:
    """How long ``action`` (on ``target``) takes in this incident when it differs from the
    catalogue (the briefing's ``action_times``); None when the catalogue's delay holds."""
    best = None
    for entry in (briefing or {}).get("action_times", []):
        if entry.get("action") != action or entry.get("takes_s") is None:
            continue
        if entry.get("target") == target:
            return float(entry["takes_s"])
        if entry.get("target") is None or (target is None and best is None):
            best = float(entry["takes_s"])
    return best


def delay_text(briefing: Mapping[str, Any] | None, action: str, target: str | None = None) -> str:
    """``2m``, or ``6h here (catalogue: 30m)`` when this incident says otherwise."""
    base = MITIGATIONS[action].delay_s
    here = scenario_delay(briefing, action, target)
    if here is None or here == base:
        return cost_text(base)
    return f"{cost_text(here)} here (catalogue: {cost_text(base)})"


def mitigation_commands(
    components: list[str], briefing: Mapping[str, Any] | None = None
) -> list[Command]:
    """Every mitigation: direct for those without arguments, a dialog for the others. With
    the game's ``briefing``, an action that takes another time in this incident says so."""
    cmds: list[Command] = []
    for name, info in MITIGATIONS.items():
        needs_args = bool(
            [
                f
                for f, fi in info.model.model_fields.items()
                if f not in ("action", "target") and fi.is_required()
            ]
        )
        cost = HANDS_ON_S
        detail = f"acts after {cost_text(info.delay_s)}: {info.summary}"
        if needs_args or "flag" in name or info.targets[0] in PARTY_TARGETS:
            cmds.append(
                Command(f"{name} …", detail, cost, verb=f"mitigate:{name}", risky=info.risky)
            )
            continue
        for comp in components:
            here = scenario_delay(briefing, name, comp)
            cmds.append(
                Command(
                    f"{name} {comp}",
                    detail
                    if here is None
                    else f"acts after {delay_text(briefing, name, comp)}: {info.summary}",
                    cost,
                    {"type": "mitigate", "action": name, "target": comp},
                    risky=info.risky,
                )
            )
    return cmds


SKIP = Command(
    "wait until the next step",
    "skip until the next action under way takes effect (a long recovery)",
    0.0,
    {"type": "wait", "until": "next"},
)
"""The time-skip (``t`` in the console; ``wait next`` typed)."""


def recovery_commands(briefing: Mapping[str, Any] | None) -> list[Command]:
    """For an incident with a runbook or long actions: the time-skip and each runbook step."""
    if not briefing or not ("action_times" in briefing or "runbook" in briefing):
        return []
    cmds = [SKIP]
    for step in briefing.get("runbook", []):
        takes = step.get("takes_s")
        when = f"acts after {cost_text(float(takes))}: " if takes is not None else ""
        cmds.append(
            Command(
                f"run-step {step['target']} {step['step']}",
                f"{when}{step.get('summary') or 'a step of the runbook'}",
                HANDS_ON_S,
                {
                    "type": "mitigate",
                    "action": "run-step",
                    "target": step["target"],
                    "step": step["step"],
                },
            )
        )
    return cmds


def game_commands() -> list[Command]:
    """Waiting, declaring, ending, and the interface's own verbs."""
    return [
        Command("wait 1m", "let a minute pass", 60.0, {"type": "wait", "seconds": 60.0}),
        Command("wait 5m", "let five minutes pass", 300.0, {"type": "wait", "seconds": 300.0}),
        Command(
            "declare root cause …",
            "name the component (or shared artefact) and fault kind",
            0.0,
            verb="declare",
        ),
        Command(
            "mitigate …",
            "choose a mitigation, its target and arguments",
            HANDS_ON_S,
            verb="mitigate",
        ),
        Command("end the game", "stop and read the debrief", 0.0, verb="end", risky=True),
        Command("help", "every key and how to play", 0.0, verb="help"),
        Command("toggle theme", "light or dark", 0.0, verb="theme"),
        Command("toggle real time", "the clock follows the wall clock", 0.0, verb="realtime"),
    ]


# ------------------------------------------------------------------ mitigation parameters

PARAM_HELP = {
    "replicas": "how many replicas to run",
    "max_replicas": "the autoscaler's new maximum",
    "on": "turn the flag on (yes) or off (no)",
    "percentage": "the share of users the flag is on for",
    "fraction": "the share of requests rejected",
    "to": "the dependency it calls",
    "size": "the pool's new size",
    "count": "how many nodes to add",
    "resource": "which limit to raise",
    "factor": "multiply the limit by",
    "journey": "only this journey's requests",
    "tenant": "only this tenant's requests",
    "ask": "the action they are asked to take",
}
"""What a parameter means when its model does not say."""


@dataclass(frozen=True)
class Param:
    """One parameter of a mitigation, as a frontend asks for it: name, type, range, default."""

    name: str
    kind: str
    """``integer``, ``number``, ``yes/no``, ``choice`` or ``name``."""
    help: str
    required: bool
    default: Any = None
    choices: tuple[str, ...] = ()
    low: float | None = None
    low_open: bool = False
    high: float | None = None
    high_open: bool = False

    @property
    def type_text(self) -> str:
        """``a whole number from 0 to 500``, ``yes or no``, ``one of cpu, memory, disk``."""
        if self.kind == "yes/no":
            return "yes or no"
        if self.kind == "choice":
            return f"one of {', '.join(self.choices)}"
        if self.kind == "name":
            return "a name"
        noun = "a whole number" if self.kind == "integer" else "a number"
        low = "" if self.low is None else f"{'above' if self.low_open else 'from'} {self.low:g}"
        high = "" if self.high is None else f"{'below' if self.high_open else 'to'} {self.high:g}"
        if low and high and not self.low_open and not self.high_open:
            return f"{noun} from {self.low:g} to {self.high:g}"
        return " ".join(part for part in (noun, low, high) if part).replace(" to ", ", up to ")

    @property
    def hint(self) -> str:
        """What to type: the type and range, then required or the default."""
        need = "required" if self.required else f"default {shown_value(self.default)}"
        return f"{self.type_text}; {need}"

    def missing(self, action: str) -> str:
        """The sentence for a required parameter left out."""
        what = f": {self.help}" if self.help else ""
        return f"{action} needs '{self.name}'{what} ({self.type_text})."

    def parse(self, text: str) -> Any:
        """The value typed as ``text``; a ``ValueError`` says what to type instead."""
        raw = text.strip()
        wrong = ValueError(f"{self.name} must be {self.type_text}, not '{raw}'")
        if self.kind == "yes/no":
            if raw.lower() in ("yes", "y", "true", "on", "1"):
                return True
            if raw.lower() in ("no", "n", "false", "off", "0"):
                return False
            raise wrong
        if self.kind == "choice":
            if raw not in self.choices:
                raise wrong
            return raw
        if self.kind == "name":
            return raw
        try:
            value: float = int(raw) if self.kind == "integer" else float(raw)
        except ValueError:
            raise wrong from None
        if value != value or value in (float("inf"), float("-inf")):
            raise wrong
        too_low = self.low is not None and (
            value <= self.low if self.low_open else value < self.low
        )
        too_high = self.high is not None and (
            value >= self.high if self.high_open else value > self.high
        )
        if too_low or too_high:
            raise wrong
        return value


def shown_value(value: Any) -> str:
    """A parameter's value as the player would type it (``yes``, ``0.3``, ``none``)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "none"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _param(name: str, field: Any) -> Param:
    import annotated_types as at

    annotation = field.annotation
    args = [a for a in get_args(annotation) if a is not type(None)]
    kind = "name"
    choices: tuple[str, ...] = ()
    if annotation is bool:
        kind = "yes/no"
    elif annotation is int:
        kind = "integer"
    elif annotation is float or args == [float]:  # a number, or an optional one
        kind = "number"
    elif get_origin(annotation) is Literal:
        kind, choices = "choice", tuple(str(a) for a in get_args(annotation))
    elif args and all(get_origin(a) is Literal for a in args):
        kind, choices = "choice", tuple(str(v) for a in args for v in get_args(a))
    bounds: dict[str, Any] = {}
    for meta in field.metadata:
        if isinstance(meta, at.Ge):
            bounds.update(low=float(meta.ge))  # type: ignore[arg-type]
        elif isinstance(meta, at.Gt):
            bounds.update(low=float(meta.gt), low_open=True)  # type: ignore[arg-type]
        elif isinstance(meta, at.Le):
            bounds.update(high=float(meta.le))  # type: ignore[arg-type]
        elif isinstance(meta, at.Lt):
            bounds.update(high=float(meta.lt), high_open=True)  # type: ignore[arg-type]
    required = field.is_required()
    return Param(
        name,
        kind,
        field.description or PARAM_HELP.get(name, ""),
        required,
        None if required else field.default,
        choices,
        **bounds,
    )


def mitigation_params(action: str) -> list[Param]:
    """The parameters ``action`` takes besides its target, in the order of its model."""
    info = MITIGATIONS[action]
    return [
        _param(name, field)
        for name, field in info.model.model_fields.items()
        if name not in ("action", "target")
    ]


def mitigation_problem(action: Mapping[str, Any]) -> str | None:
    """What is wrong with a mitigation's parameters, as a sentence; None when nothing is.

    The target itself is checked by the game (only it knows the fleet).
    """
    name = str(action.get("action", ""))
    if name not in MITIGATIONS:
        import difflib

        close = difflib.get_close_matches(name, list(MITIGATIONS), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        return f"There is no mitigation called '{name}'{hint}."
    params = {p.name: p for p in mitigation_params(name)}
    known = {"type", "action", "target"}
    for key in action:
        if key not in known and key not in params:
            takes = ", ".join(params) or "nothing besides its target"
            return f"{name} has no parameter '{key}'; it takes {takes}."
    for p in params.values():
        if p.name not in action:
            if p.required:
                return p.missing(name)
            continue
        value = action[p.name]
        try:
            p.parse(shown_value(value) if isinstance(value, bool) else str(value))
        except ValueError as exc:
            return f"{name}: {exc}."
    return None
