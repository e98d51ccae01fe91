"""Mitigation parameters as frontends ask for them agree with the models that validate them."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from chaosgame.game.menu import mitigation_params, mitigation_problem
from chaosgame.scenario.actions import MITIGATIONS, mitigation_adapter


def _valid(action: str, **params: Any) -> bool:
    data = {"action": action, "target": "x", **params}
    required = {p.name: _sample(p) for p in mitigation_params(action) if p.required}
    try:
        mitigation_adapter().validate_python({**required, **data})
    except ValidationError:
        return False
    return True


def _sample(p: Any) -> Any:
    if p.kind == "choice":
        return p.choices[0]
    if p.kind == "yes/no":
        return True
    if p.kind == "name":
        return "y"
    low = 0.0 if p.low is None else p.low
    value = low + 1 if p.low_open else low
    return int(value) if p.kind == "integer" else float(value)


CASES = [(name, p) for name in MITIGATIONS for p in mitigation_params(name)]


@pytest.mark.parametrize(("action", "param"), CASES, ids=[f"{a}.{p.name}" for a, p in CASES])
def test_a_parameter_accepts_what_its_model_accepts(action: str, param: Any) -> None:
    tries = ["yes", "no", "maybe", "cpu", "gpu", "abc", "nan", "inf"]
    for bound in (param.low, param.high):
        if bound is not None:
            tries += [f"{bound:g}", f"{bound - 1:g}", f"{bound + 1:g}", f"{bound - 0.5:g}"]
    for text in tries:
        try:
            value = param.parse(text)
        except ValueError as exc:
            problem = str(exc)
        else:
            assert _valid(action, **{param.name: value}), (text, value)
            continue
        assert param.name in problem
        assert param.type_text in problem


def test_hints_say_type_range_and_default() -> None:
    scale = {p.name: p for p in mitigation_params("scale")}["replicas"]
    assert scale.hint == "a whole number from 0 to 500; required"
    factor = {p.name: p for p in mitigation_params("raise-limit")}["factor"]
    assert factor.hint == "a number above 1, up to 16; default 2"
    resource = {p.name: p for p in mitigation_params("raise-limit")}["resource"]
    assert resource.type_text == "one of cpu, memory, disk"


@pytest.mark.parametrize(
    ("action", "sentence"),
    [
        (
            {"action": "disable-retries", "target": "checkout"},
            "disable-retries needs 'to': the dependency whose calls stop being retried (a name).",
        ),
        (
            {"action": "scale", "target": "web", "replicas": 900},
            "scale: replicas must be a whole number from 0 to 500, not '900'.",
        ),
        (
            {"action": "scale", "target": "web", "replica": 9},
            "scale has no parameter 'replica'; it takes replicas.",
        ),
        (
            {"action": "rollbak", "target": "web"},
            "There is no mitigation called 'rollbak' (did you mean rollback?).",
        ),
        ({"action": "toggle-flag", "target": "f", "on": True, "percentage": 50}, None),
    ],
)
def test_problems_are_sentences(action: dict[str, Any], sentence: str | None) -> None:
    assert mitigation_problem({"type": "mitigate", **action}) == sentence
