"""The committed JSON Schemas match the model, and every shipped file points at one."""

from __future__ import annotations

import json
from pathlib import Path

from chaosgame.scenario.library import scenario_dir
from chaosgame.scenario.loader import load_scenario_text
from chaosgame.scenario.model import TOPICS
from chaosgame.scenario.schema import REGENERATE, render_scenario_schema, render_topology_schema

HEADER = "# yaml-language-server: $schema="


def test_committed_scenario_schema_is_current() -> None:
    committed = (scenario_dir() / "scenario.schema.json").read_text(encoding="utf-8")
    assert committed == render_scenario_schema(), (
        f"scenarios/scenario.schema.json is stale; regenerate it with:\n    {REGENERATE}"
    )


def test_committed_topology_schema_is_current() -> None:
    committed = (scenario_dir() / "topology.schema.json").read_text(encoding="utf-8")
    command = REGENERATE.replace("schema >", "schema --topology >").replace(
        "scenario.schema", "topology.schema"
    )
    assert committed == render_topology_schema(), (
        f"scenarios/topology.schema.json is stale; regenerate it with:\n    {command}"
    )


def test_every_shipped_file_names_its_schema() -> None:
    files = sorted(scenario_dir().rglob("*.yaml"))
    assert files
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith(HEADER), f"{path}: the first line must be {HEADER}..."
        target = (path.parent / first.removeprefix(HEADER).strip()).resolve()
        assert target.name in ("scenario.schema.json", "topology.schema.json"), path
        assert target.exists(), f"{path}: {target} does not exist"
        in_topologies = path.parent.name == "topologies"
        assert (target.name == "topology.schema.json") == in_topologies, path


def test_schema_allows_durations_as_text_and_extends() -> None:
    schema = json.loads(render_scenario_schema())
    duration = schema["properties"]["duration"]
    kinds = {branch["type"] for branch in duration["anyOf"]}
    assert kinds == {"number", "string"}
    assert "extends" in schema["properties"]
    assert "components" not in schema["required"]
    assert schema["then"]["required"] == ["components", "journeys"]
    assert tuple(schema["properties"]["topics"]["items"]["enum"]) == TOPICS


def test_the_header_line_is_only_a_comment() -> None:
    text = (Path(scenario_dir()) / "checkout-payment-step-failing.yaml").read_text(encoding="utf-8")
    assert text.startswith(HEADER)
    assert load_scenario_text(text).id == "checkout-payment-step-failing"
