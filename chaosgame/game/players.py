"""Scripted players that bracket a scenario's skill range: reference, idle and shotgun.

The skill-ladder test, benchmarks and agent baselines use them. The reference player reads
the hidden truth (it is the answer key); the others do not.
"""

from __future__ import annotations

from typing import Any

from chaosgame.scenario.actions import MITIGATIONS
from chaosgame.scenario.model import Scenario


def reference_actions(scenario: Scenario) -> list[dict[str, Any]]:
    """The reference solution applied at once, the true cause declared, then end."""
    acts: list[dict[str, Any]] = [
        {"type": "mitigate", **m.model_dump(mode="json")} for m in scenario.truth.reference_solution
    ]
    rc = scenario.truth.root_cause
    acts.append({"type": "declare", "component": rc.component, "kind": rc.kind})
    acts.append({"type": "end"})
    return acts


def idle_actions(scenario: Scenario) -> list[dict[str, Any]]:
    """Doing nothing at all."""
    return [{"type": "end"}]


def shotgun_actions(scenario: Scenario) -> list[dict[str, Any]]:
    """Every mitigation in the catalogue on every target it accepts, without looking."""
    acts: list[dict[str, Any]] = []
    comps = scenario.components
    for action, info in MITIGATIONS.items():
        if info.targets == ("flag",):
            acts.extend(
                {"type": "mitigate", "action": action, "target": f.name, "on": False}
                for f in scenario.flags
            )
            continue
        for c in comps:
            if c.kind not in info.targets:
                continue
            base = {"type": "mitigate", "action": action, "target": c.name}
            if action == "scale":
                acts.append({**base, "replicas": max(2 * c.replicas, 1)})
            elif action == "set-autoscaler-max":
                top = c.autoscaling.max if c.autoscaling is not None else c.replicas
                acts.append({**base, "max_replicas": max(2 * top, 1)})
            elif action == "disable-retries":
                acts.extend(
                    {**base, "to": d.to} for d in scenario.dependencies if d.source == c.name
                )
            else:
                acts.append(base)
    acts.append({"type": "end"})
    return acts
