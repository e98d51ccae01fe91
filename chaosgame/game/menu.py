"""What the player can do, as every frontend lists it: views, mitigations, kinds and costs.

Plain data read from the core's public catalogues, shared by the terminal UI, the text console
and programs; nothing here imports Textual. Frontends read costs and names from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chaosgame.game.views import COSTS, METRICS
from chaosgame.scenario.actions import MITIGATIONS
from chaosgame.scenario.costs import MITIGATION_HANDS_ON
from chaosgame.scenario.faults import FAULT_KINDS
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


def cost_text(seconds: float) -> str:
    """``45s``, ``2m``; ``free`` for nothing."""
    return format_duration(seconds) if seconds > 0 else "free"


def mitigation_label(name: str) -> str:
    """One line for a mitigation: name, delay, risk and summary."""
    info = MITIGATIONS[name]
    risky = " ⚠" if info.risky else "  "
    return f"{name:<20}{risky} acts after {cost_text(info.delay_s):>4}  {info.summary}"


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
            "deploys, flag and config changes of the last 24 hours",
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
    return cmds


def mitigation_commands(components: list[str]) -> list[Command]:
    """Every mitigation: direct for those without arguments, a dialog for the others."""
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
        if needs_args or "flag" in name:
            cmds.append(
                Command(f"{name} …", detail, cost, verb=f"mitigate:{name}", risky=info.risky)
            )
            continue
        for comp in components:
            cmds.append(
                Command(
                    f"{name} {comp}",
                    detail,
                    cost,
                    {"type": "mitigate", "action": name, "target": comp},
                    risky=info.risky,
                )
            )
    return cmds


def game_commands() -> list[Command]:
    """Waiting, declaring, ending, and the interface's own verbs."""
    return [
        Command("wait 1m", "let a minute pass", 60.0, {"type": "wait", "seconds": 60.0}),
        Command("wait 5m", "let five minutes pass", 300.0, {"type": "wait", "seconds": 300.0}),
        Command("declare root cause …", "name the component and fault kind", 0.0, verb="declare"),
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
