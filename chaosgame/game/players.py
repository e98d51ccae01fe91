"""Scripted players and replays: the reference, idle and shotgun players, and the two
comparison runs every score is measured against.

The skill-ladder test, benchmarks and agent baselines use them. The reference player reads
the hidden truth (it is the answer key); the others do not.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from chaosgame.game import forks
from chaosgame.game.session import Session
from chaosgame.game.timeskip import wait_until
from chaosgame.scenario.action_rules import WaitStep, WaitUntilStep
from chaosgame.scenario.actions import MITIGATIONS
from chaosgame.scenario.model import Scenario

SETTLE_S = 600.0
"""Simulated seconds every run goes on after the player stops (see docs/scoring.md)."""


def reference_actions(scenario: Scenario) -> list[dict[str, Any]]:
    """The reference solution applied as soon as paged (its stages separated by its waits),
    the true cause declared, then end."""
    acts: list[dict[str, Any]] = []
    for step in scenario.truth.reference_solution:
        if isinstance(step, WaitStep):
            left = step.wait
            while left > 1e-9:  # a wait action lasts at most an hour
                acts.append({"type": "wait", "seconds": min(left, 3600.0)})
                left -= 3600.0
        elif isinstance(step, WaitUntilStep):
            acts.append(
                {
                    "type": "wait_until",
                    "condition": step.wait_until.model_dump(mode="json"),
                    "timeout": step.timeout,
                }
            )
        else:
            acts.append({"type": "mitigate", **step.model_dump(mode="json")})
    rc = scenario.truth.root_cause
    acts.append({"type": "declare", "component": rc.component or rc.artefact, "kind": rc.kind})
    acts.append({"type": "end"})
    return acts


EXPERT_CONFIDENCE = 0.9
"""How sure the expert player says it is of the true cause."""


def evidence_components(scenario: Scenario, seed: int | None = None) -> list[str]:
    """Where an expert looks before acting: the root-cause component (the first of a
    fleet-wide cause's) and the first other component of the causal chain."""
    from chaosgame.engine.fleet import root_fleet

    rc = scenario.truth.root_cause
    first = rc.component or min(root_fleet(scenario, seed), default=None)
    out = [first] if first is not None else []
    out += [s.component for s in scenario.truth.causal_chain if s.component not in out][:1]
    return out


def expert_actions(scenario: Scenario, seed: int | None = None) -> list[dict[str, Any]]:
    """The answer key played as an expert would: look at the evidence on the causal chain
    (the SLOs, for an incident with no fault), then the reference solution, then the true
    cause declared with :data:`EXPERT_CONFIDENCE`. What the score's top looks like."""
    looks: list[dict[str, Any]] = [
        {"type": "query", "view": "metric", "component": c}
        for c in evidence_components(scenario, seed)
    ] or [{"type": "query", "view": "slo"}]
    acts = reference_actions(scenario)
    acts[-2] = {**acts[-2], "confidence": EXPERT_CONFIDENCE}
    return [*looks, *acts]


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


def play(
    scenario: Scenario, actions: list[dict[str, Any]], seed: int | None = None
) -> tuple[Session, list[str]]:
    """Play recorded actions in a fresh session; return it and the errors met (if any).

    Entries may be bare actions or records ``{"time": ..., "action": {...}}``.
    """
    session = Session(scenario, seed)
    session.reset()
    return session, play_on(session, actions)


def play_on(session: Session, actions: list[dict[str, Any]]) -> list[str]:
    """Play recorded actions in a session already started (:func:`play`'s loop); return the
    errors met."""
    errors: list[str] = []
    for i, entry in enumerate(actions):
        act = entry["action"] if "action" in entry and "type" not in entry else entry
        if session.ended:
            break
        if act.get("type") == "wait_until":  # a stage of the reference solution
            why = wait_until(session, act["condition"], float(act["timeout"]))
            if why is not None:
                errors.append(f"action {i + 1}: {why}")
            if session.now >= session.deadline - 1e-9 and not session.ended:
                session.step({"type": "end"})
            continue
        out = session.step(act)
        if not out["ok"]:
            errors.append(f"action {i + 1}: {out['error']}")
    return errors


@dataclass
class Baselines:
    """The reference run and the doing-nothing run, both run to the latest possible horizon."""

    reference: Session
    nothing: Session
    errors: list[str]


_CACHE: dict[tuple[str, int, float], Baselines] = {}


def baselines(scenario: Scenario, seed: int | None = None, settle: float = SETTLE_S) -> Baselines:
    """Run (or reuse) the two comparison runs for ``scenario`` and ``seed``."""
    seed = scenario.seed if seed is None else seed
    digest = hashlib.sha256(scenario.model_dump_json().encode()).hexdigest()
    key = (digest, seed, settle)
    if key in _CACHE:
        return _CACHE[key]
    # both see the same world up to the page: simulate it once, then a copy for each
    reference = Session(scenario, seed)
    reference.reset()
    nothing = forks.fork(reference)
    errors = play_on(reference, reference_actions(scenario))
    play_on(nothing, [{"type": "end"}])
    horizon = nothing.deadline + settle
    for s in (reference, nothing):
        assert s.sim is not None
        s.sim.run_until(horizon)
    if len(_CACHE) >= 2:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = Baselines(reference, nothing, errors)
    return _CACHE[key]
