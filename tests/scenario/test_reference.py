"""The field reference in docs/authoring.md is generated from the model and kept current."""

from __future__ import annotations

import re

from chaosgame.scenario.loader import load_scenario_text
from chaosgame.scenario.model import Scenario
from chaosgame.scenario.reference import GUIDE, REGENERATE, current, render_reference, splice


def test_the_committed_reference_is_current() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    assert current(guide) == render_reference(), (
        f"the reference in docs/authoring.md is stale; regenerate it with:\n    {REGENERATE}"
    )


def test_every_field_of_the_scenario_is_in_the_reference() -> None:
    text = render_reference()
    for name, field in Scenario.model_fields.items():
        assert f"| `{field.alias or name}` |" in text
    assert "| `extends` |" in text
    assert "**required**" in text


def test_splice_replaces_only_the_section() -> None:
    guide = "intro\n<!-- reference:start (x) -->\nold\n<!-- reference:end -->\nend\n"
    out = splice(
        guide.replace("(x)", "(generated: python -m chaosgame.scenario.reference --write)"), "new\n"
    )
    assert out.startswith("intro\n")
    assert "new\n<!-- reference:end -->\nend\n" in out
    assert "old" not in out


def test_the_tutorial_scenario_is_valid() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", guide, re.S)
    smallest = next(b for b in blocks if "id: orders-failing" in b)
    fixed = smallest.replace("to: order-db", "to: orders-db").replace(
        "retires: 2", "retries: {count: 2}"
    )
    assert load_scenario_text(fixed).id == "orders-failing"
