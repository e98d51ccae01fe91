"""The YAML examples of docs/authoring.md section 9 (faults made of mechanisms) validate and
run on the small fleet they are written for."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from chaosgame.engine.sim import Simulator
from chaosgame.scenario.model import Scenario
from chaosgame.scenario.yamlread import parse_yaml
from tests.engine.fleet import FLEET

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "authoring.md"


def _examples() -> list[str]:
    text = GUIDE.read_text()
    section = text[text.index("## 9. ") : text.index("## 10. ")]
    return re.findall(r"```yaml\n(.*?)```", section, flags=re.S)


def test_the_section_has_examples() -> None:
    assert len(_examples()) >= 4


@pytest.mark.parametrize("example", _examples())
def test_an_example_validates_and_runs(example: str) -> None:
    data: dict[str, Any] = copy.deepcopy(FLEET)
    example_data, _marks, problems = parse_yaml(example, "authoring.md")
    assert not problems
    data.update(example_data)
    scenario = Scenario.model_validate(data)
    assert any(
        f.effects is not None or f.lasting is not None or f.when is not None
        for f in scenario.faults
    )
    sim = Simulator(scenario)
    sim.run_until(1800.0)
