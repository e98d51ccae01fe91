"""What the player looked at and changed, judged against the hidden truth after the game.

The score reads it (``chaosgame.game.scoring``) to tell reasoning from guessing:

* a query *looks at* a component when it names it (a field such as ``component``, or the name
  inside a query string: ``logs {service="cart"}``, ``kubectl get pods checkout``); a view of
  the whole system (the map, the SLOs, the change history) names none;
* the *evidence* of an incident is what its causal chain touches: the root-cause component
  (every component of a fleet-wide cause), and each component the truth's causal chain names;
* a diagnosis is *informed* when the player looked, before declaring it, at a component of the
  causal chain or at the component declared. "No fault" is informed by any query at all;
* a *change* is a mitigation that alters the system (not a message to a person or a
  provider, not silencing an alert). A change is *unneeded* when it is neither a step of the
  reference solution nor aimed at a component of the causal chain: a change made "just in
  case" is risk, whether or not it hurt this time.

The debrief uses the same rules to annotate the player's actions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from chaosgame.scenario.model import Scenario
from chaosgame.telemetry.query import COSTS

NOT_CHANGES = frozenset(
    {"request", "post-status", "page-team", "contact-provider", "silence-alert"}
)
"""Mitigations that change nothing in the system itself: words to people and providers."""
_WORD = re.compile(r"[a-z][a-z0-9_-]*")
QUERY_HEADS = frozenset({*COSTS, "kubectl", "get", "promql"})
"""Leading words of a query string that name its form, not a component."""


def looked(action: dict[str, Any], names: set[str]) -> set[str]:
    """Components one query looked at: fields naming one, or names inside a query string
    (its leading keyword, such as ``logs`` or ``kubectl get pods``, is not a name)."""
    seen = set()
    for key, value in action.items():
        if not isinstance(value, str):
            continue
        if value in names:
            seen.add(value)
            continue
        words = _WORD.findall(value.lower())
        if key == "q":
            while words and words[0] in QUERY_HEADS:
                words.pop(0)
        seen |= {w for w in words if w in names}
    return seen


def chain(scenario: Scenario, seed: int | None = None) -> set[str]:
    """The components the incident's evidence lives on: the root cause's and its chain's."""
    from chaosgame.engine.fleet import root_fleet

    truth = scenario.truth
    out = {step.component for step in truth.causal_chain}
    if truth.root_cause.component is not None:
        out.add(truth.root_cause.component)
    out |= root_fleet(scenario, seed)
    return out


def flag_components(scenario: Scenario, target: str) -> set[str]:
    """The components that evaluate flag ``target`` (empty for an unknown flag)."""
    return {c for f in scenario.flags if f.name == target for c in f.components}


@dataclass(frozen=True)
class Trail:
    """The player's path through one game, judged after it."""

    queries: int
    """Queries made before the last declaration (all of them, without one)."""
    looked_at: frozenset[str]
    """Components those queries named."""
    evidence: frozenset[str]
    """The ones of them on the causal chain."""
    changes: int
    """Mitigations that changed the system."""
    unneeded: tuple[str, ...]
    """Those that were neither reference steps nor aimed at the causal chain, as text."""

    def informed(self, component: str | None, kind: str) -> bool:
        """Whether a declared cause rests on something the player looked at first."""
        if kind == "no-fault":
            return self.queries > 0
        if self.evidence:
            return True
        return component is not None and component in self.looked_at

    def as_dict(self) -> dict[str, Any]:
        return {
            "queries": self.queries,
            "looked_at": sorted(self.looked_at),
            "evidence": sorted(self.evidence),
            "changes": self.changes,
            "unneeded": list(self.unneeded),
        }


def role(scenario: Scenario, action: dict[str, Any], on_chain: set[str]) -> str:
    """What one mitigation was, judged with the truth: ``reference``, ``chain``, ``unneeded``
    or ``word`` (a message, not a change)."""
    name = str(action.get("action"))
    if name in NOT_CHANGES:
        return "word"
    target = str(action.get("target"))
    key = (name, target, action.get("to"))
    if key in {(m.action, m.target, getattr(m, "to", None)) for m in scenario.truth.mitigations}:
        return "reference"
    aimed = flag_components(scenario, target) if name == "toggle-flag" else {target}
    if aimed & on_chain:
        return "chain"
    return "unneeded"


def trail(
    scenario: Scenario, actions: list[dict[str, Any]], names: set[str], seed: int | None = None
) -> Trail:
    """Judge the recorded ``actions`` (``{"time", "action"}`` entries) of a game.

    Queries count when made before the last declaration (all of them without one)."""
    on_chain = chain(scenario, seed)
    kinds = [entry["action"].get("type") for entry in actions]
    last = max((i for i, k in enumerate(kinds) if k == "declare"), default=len(actions))
    queries = 0
    seen: set[str] = set()
    changes = 0
    unneeded: list[str] = []
    for i, entry in enumerate(actions):
        act = entry["action"]
        kind = act.get("type")
        if kind == "query" and i < last:
            queries += 1
            seen |= looked(act, names)
        elif kind == "mitigate":
            r = role(scenario, act, on_chain)
            if r == "word":
                continue
            changes += 1
            if r == "unneeded":
                unneeded.append(f"{act['action']} {act['target']}")
    return Trail(queries, frozenset(seen), frozenset(seen & on_chain), changes, tuple(unneeded))
