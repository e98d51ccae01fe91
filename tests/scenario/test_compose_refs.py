"""Composed faults' references: every name they use must exist, and the message says what
and where (``chaosgame.scenario.compose.check_compose``)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from chaosgame.scenario.loader import ScenarioError, load_scenario_text
from chaosgame.scenario.model import Scenario
from tests.engine.fleet import FLEET


def _with(fault: dict[str, Any], **over: Any) -> dict[str, Any]:
    data = copy.deepcopy(FLEET)
    base = {"kind": "dependency-outage", "target": "api", "at": 60.0}
    data["faults"] = [{**base, **fault}]
    data.update(over)
    return data


def problems(fault: dict[str, Any], **over: Any) -> str:
    with pytest.raises(ValidationError) as info:
        Scenario.model_validate(_with(fault, **over))
    return str(info.value)


def test_a_valid_composed_fault_loads() -> None:
    configs = [{"at": 100.0, "component": "worker", "key": "selector", "value": "app=api"}]
    fault = {
        "effects": [{"mechanism": "errors", "amount": 0.3, "journeys": ["shop"]}],
        "when": {
            "version": ">=v1",
            "components": [{"component": "worker", "config": {"selector": "app=api"}}],
            "any": [{"flag": "new-path"}, {"daily": "09:00-17:30"}],
        },
        "remedies": [{"action": "revert-config", "target": "worker"}],
        "aggravators": [{"action": "restart", "multiply": 2.0, "spread": ["worker"]}],
        "lasting": {
            "on": ["api"],
            "effects": [{"mechanism": "down", "amount": 0.5}],
            "recovery": ["restart"],
        },
    }
    Scenario.model_validate(_with(fault, configs=configs))


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (
            {"when": {"components": [{"component": "cahce"}]}},
            "faults[0].when.components[0].component: unknown component 'cahce'; did you mean "
            "'cache'?",
        ),
        (
            {"remedies": [{"action": "rollbak"}]},
            "faults[0].remedies[0].action: unknown action 'rollbak'; did you mean 'rollback'?",
        ),
        (
            {"remedies": [{"action": "flush-cache", "target": "ext"}]},
            "faults[0].remedies[0]: flush-cache cannot act on 'ext', a external",
        ),
        (
            {"remedies": [{"action": "toggle-flag", "target": "old-path"}]},
            "faults[0].remedies[0].target: unknown flag 'old-path'",
        ),
        (
            {"remedies": [{"action": "restart", "params": {"replicas": 3.0}}]},
            "faults[0].remedies[0].params: restart has no parameter 'replicas'",
        ),
        (
            {"aggravators": [{"action": "restart", "spread": ["worker"]}]},
            "faults[0].aggravators[0].spread: spreading needs the fault's own 'effects'",
        ),
        (
            {
                "effects": [{"mechanism": "errors", "amount": 0.2}],
                "aggravators": [{"action": "restart", "spread": ["wroker"]}],
            },
            "faults[0].aggravators[0].spread: unknown component 'wroker'",
        ),
        (
            {"when": {"any": [{"flag": "new-pth"}]}},
            "faults[0].when.any[0].flag: unknown flag 'new-pth'; did you mean 'new-path'?",
        ),
        (
            {"when": {"components": [{"component": "db", "config": {"mode": "ro"}}]}},
            "faults[0].when.components[0].config: nothing in the scenario sets mode=ro on 'db'",
        ),
        (
            {"when": {"components": [{"component": "db", "fault": "cache-flush"}]}},
            "faults[0].when.components[0].fault: no cache-flush fault targets 'db'",
        ),
        (
            {"when": {"version": ">=2.x"}},
            "faults[0].when.version: '2.x' in version range '>=2.x' is not a version like v2.4",
        ),
        (
            {"when": {"daily": "9-17"}},
            "faults[0].when.daily: '9-17' is not a window like 09:00-17:30",
        ),
        (
            {"effects": [{"mechanism": "errors", "amount": 0.2, "to": "worker"}]},
            "faults[0].effects[0].to: 'api' does not call 'worker'",
        ),
        (
            {"effects": [{"mechanism": "errors", "amount": 0.2, "target": "apu"}]},
            "faults[0].effects[0].target: unknown component 'apu'",
        ),
        (
            {"effects": [{"mechanism": "errors", "amount": 0.2, "journeys": ["shopping"]}]},
            "faults[0].effects[0].journeys: unknown journey 'shopping'",
        ),
        (
            {"effects": [{"mechanism": "connections", "amount": 0.2, "target": "worker"}]},
            "faults[0].effects[0]: a connections effect needs a pooled call from 'worker'",
        ),
        (
            {"effects": [{"mechanism": "cold", "amount": 0.2}]},
            "faults[0].effects[0]: a cold effect acts on a cache; 'api' is a service",
        ),
        (
            {
                "lasting": {
                    "on": ["wrker"],
                    "effects": [{"mechanism": "down", "amount": 1.0}],
                    "recovery": ["restart"],
                }
            },
            "faults[0].lasting.on: unknown component 'wrker'",
        ),
        (
            {
                "lasting": {
                    "effects": [{"mechanism": "down", "amount": 1.0}],
                    "recovery": ["reboot"],
                }
            },
            "faults[0].lasting.recovery[0]: unknown action 'reboot'",
        ),
    ],
)
def test_a_bad_reference_says_what_and_where(fault: dict[str, Any], message: str) -> None:
    assert message in problems(fault)


@pytest.mark.parametrize(
    ("effect", "message"),
    [
        ({"mechanism": "errors", "amount": 1.5}, "a share from 0 to 1, not 1.5"),
        ({"mechanism": "cpu", "amount": 0.5}, "a multiplier from 1 to 1000, not 0.5"),
        ({"mechanism": "latency", "amount": 0.1, "per": "second"}, "'per' is for memory"),
        ({"mechanism": "cpu", "amount": 2.0, "to": "db"}, "'to' is for errors, latency"),
        ({"mechanism": "latency", "amount": 0.1, "tenants": ["big"]}, "acts on the whole"),
        ({"mechanism": "boom", "amount": 0.1}, "mechanism"),
    ],
)
def test_a_bad_effect_says_why(effect: dict[str, Any], message: str) -> None:
    assert message in problems({"effects": [effect]})


def test_an_aggravator_that_does_nothing_is_refused() -> None:
    assert "needs 'multiply', 'effects' or 'spread'" in problems(
        {"aggravators": [{"action": "restart"}]}
    )


def test_the_loader_places_a_bad_reference_at_its_line() -> None:
    data = _with({"remedies": [{"action": "restart", "target": "nowhere"}]})
    text = yaml.safe_dump(data, sort_keys=False)
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, "s.yaml")
    (msg,) = [str(p) for p in info.value.problems]
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "nowhere" in t)
    assert msg.startswith(f"s.yaml:{line}:")
    assert "faults[0].remedies[0].target: unknown component 'nowhere'" in msg
