"""Every mechanism the format offers for real incidents is used by a shipped scenario.

A feature no curated scenario uses is a feature nobody has proven playable end to end: the
library's own tests (``tests/proof``) run ``check`` on every shipped scenario, so each
feature listed here is also proven fair and solvable in at least one real incident.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import pytest

from chaosgame.scenario.action_rules import WaitStep, WaitUntilStep
from chaosgame.scenario.actions import MitigationBase
from chaosgame.scenario.compose import is_range
from chaosgame.scenario.library import scenario_paths
from chaosgame.scenario.loader import load_scenario
from chaosgame.scenario.model import Scenario

DAY = 86400.0


@cache
def library() -> tuple[Scenario, ...]:
    return tuple(load_scenario(p) for p in scenario_paths())


def _faults(sc: Scenario) -> list[object]:
    return list(sc.faults)


def _conditions(sc: Scenario) -> list[object]:
    out: list[object] = []
    for f in sc.faults:
        if f.when is None:
            continue
        out.append(f.when)
        out.extend(getattr(f.when, "any", None) or [])
    return out


def _other_component(sc: Scenario) -> bool:
    return any(
        getattr(c, "components", None) and any(s.component != f.target for s in c.components)  # type: ignore[attr-defined]
        for f in sc.faults
        for c in ([f.when] if f.when is not None else [])
    )


def _version_range(sc: Scenario) -> bool:
    for c in _conditions(sc):
        versions = [getattr(c, "version", None)]
        versions += [s.version for s in getattr(c, "components", None) or []]
        if any(v is not None and is_range(v) for v in versions):
            return True
    return False


def _reference(sc: Scenario) -> list[object]:
    return list(sc.truth.reference_solution)


def _mitigations(sc: Scenario) -> list[MitigationBase]:
    return [m for m in sc.truth.reference_solution if isinstance(m, MitigationBase)]


FEATURES: dict[str, Callable[[Scenario], bool]] = {
    # faults composed from mechanisms
    "composed effects": lambda sc: any(getattr(f, "effects", None) for f in _faults(sc)),
    "a condition on another component": _other_component,
    "per-scenario remedies": lambda sc: any(getattr(f, "remedies", None) for f in _faults(sc)),
    "aggravators": lambda sc: any(getattr(f, "aggravators", None) for f in _faults(sc)),
    "lasting damage": lambda sc: any(getattr(f, "lasting", None) for f in _faults(sc)),
    "a fleet-wide root cause": lambda sc: any(getattr(f, "select", None) for f in _faults(sc)),
    "a shared artefact as the answer": lambda sc: sc.truth.root_cause.artefact is not None,
    # recovery that takes the time it takes
    "action durations, requirements and risks": lambda sc: (
        sc.recovery is not None and bool(sc.recovery.actions)
    ),
    "a runbook step": lambda sc: sc.recovery is not None and bool(sc.recovery.runbook),
    "a staged reference (waits)": lambda sc: any(isinstance(s, WaitStep) for s in _reference(sc)),
    "a staged reference (conditions)": lambda sc: any(
        isinstance(s, WaitUntilStep) for s in _reference(sc)
    ),
    "a long incident (over a day)": lambda sc: sc.duration > DAY,
    "another party's action": lambda sc: any(p.actions for p in sc.parties),
    "a pipeline the player can pause": lambda sc: bool(sc.pipelines),
    "a status page with a cadence": lambda sc: sc.comms is not None,
    # evidence authors write
    "operator commands": lambda sc: (
        bool(sc.evidence.audit)
        or any(getattr(f, "change", None) and f.change.command for f in sc.faults)
    ),
    "job runs": lambda sc: bool(sc.evidence.jobs),
    "notifications": lambda sc: bool(sc.evidence.notifications),
    "a fault's change with its author": lambda sc: any(
        getattr(f, "change", None) is not None for f in sc.faults
    ),
    "authored log lines": lambda sc: bool(sc.evidence.logs),
    "custom metrics": lambda sc: bool(sc.evidence.metrics),
    "tenant labels": lambda sc: any(c.telemetry.tenant_labels for c in sc.components),
    "a flapping alert": lambda sc: bool(sc.noise.alerts),
    "an always-slow query": lambda sc: bool(sc.noise.slow_queries),
    "a noisy log line": lambda sc: bool(sc.noise.logs),
    "a scary harmless metric": lambda sc: bool(sc.noise.metrics),
    "a named profile frame": lambda sc: any(getattr(f, "frame", None) for f in sc.faults),
    # partial and past deploys
    "a deploy that stopped part-way": lambda sc: any(
        d.reached is not None and d.reached < 1 for d in sc.deploys
    ),
    "a canary left running": lambda sc: any(
        d.strategy == "canary" and d.at <= 0 for d in sc.deploys
    ),
    "a partial rollback": lambda sc: any(
        m.action == "rollback" and getattr(m, "share", None) is not None for m in _mitigations(sc)
    ),
}


@pytest.mark.parametrize("feature", sorted(FEATURES))
def test_a_shipped_scenario_uses_it(feature: str) -> None:
    users = [sc.id for sc in library() if FEATURES[feature](sc)]
    assert users, f"no scenario in scenarios/ uses {feature}"


def test_the_probes_see_nothing_in_a_plain_scenario() -> None:
    """A scenario written before these features existed uses none of them (the probes can
    fail)."""
    plain = next(sc for sc in library() if sc.id == "carts-empty-themselves")
    used = [name for name, probe in FEATURES.items() if probe(plain)]
    assert used == []
