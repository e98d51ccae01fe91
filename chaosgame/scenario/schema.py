"""The JSON Schema of scenario files, for editors (completion and checks as you type).

``chaosgame schema`` prints it; ``scenarios/scenario.schema.json`` is the committed copy that
every shipped scenario names in its first line::

    # yaml-language-server: $schema=./scenario.schema.json

The schema follows the pydantic model, with two additions the model cannot say by itself:
durations may be written as text (``30s``, ``5m``, ``1h30m``) and a scenario may ``extends:``
a shared topology file, in which case the topology's parts need not be repeated.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import core_schema

from chaosgame.scenario.units import (
    DURATION_PATTERN,
    MOMENT_PATTERN,
    parse_duration,
    parse_signed_duration,
)

SCHEMA_ID = "https://chaosgame.invalid/scenario.schema.json"
REGENERATE = "python -m chaosgame schema > scenarios/scenario.schema.json"
"""The command that rewrites the committed copy."""


TOPOLOGY_KEYS = ("regions", "clusters", "components", "dependencies", "journeys", "tenants", "slos")
"""What a topology file holds and a scenario that ``extends`` it inherits."""


class _Generator(GenerateJsonSchema):
    """Pydantic's generator, taught that durations may be text such as ``5m``."""

    def function_before_schema(self, schema: core_schema.BeforeValidatorFunctionSchema) -> Any:
        func = schema["function"].get("function")
        inner = self.generate_inner(schema["schema"])
        if func is parse_duration:
            text = {"type": "string", "pattern": DURATION_PATTERN}
        elif func is parse_signed_duration:
            text = {"type": "string", "pattern": MOMENT_PATTERN}
        else:
            return inner
        return {"anyOf": [inner, text], "description": "seconds, or text such as 30s, 5m, 1h30m"}


def _scenario_schema() -> dict[str, Any]:
    from chaosgame.scenario.model import Scenario

    schema: dict[str, Any] = Scenario.model_json_schema(
        schema_generator=_Generator, mode="validation"
    )
    _move_bounds(schema)
    _describe_models(schema)
    return schema


def _describe_models(schema: dict[str, Any]) -> None:
    """Each model's description from :data:`~chaosgame.scenario.meanings.MODELS`, not from
    the docstring pydantic would take (``python -OO`` strips docstrings)."""
    from chaosgame.scenario.meanings import MODELS

    for name, node in [("Scenario", schema), *schema.get("$defs", {}).items()]:
        node.pop("description", None)
        if name in MODELS:
            node["description"] = MODELS[name]


_BOUNDS = {"ge": "minimum", "gt": "exclusiveMinimum", "le": "maximum", "lt": "exclusiveMaximum"}


def _move_bounds(node: Any) -> None:
    """Bounds pydantic leaves beside a duration's ``anyOf`` go on its number branch."""
    if isinstance(node, dict):
        if "anyOf" in node:
            for key, name in _BOUNDS.items():
                if key in node:
                    value = node.pop(key)
                    for branch in node["anyOf"]:
                        if branch.get("type") == "number":
                            branch[name] = value
        for value in node.values():
            _move_bounds(value)
    elif isinstance(node, list):
        for value in node:
            _move_bounds(value)


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file (with ``extends``)."""
    schema = _scenario_schema()
    props = schema["properties"]
    props["extends"] = {
        "type": "string",
        "title": "Extends",
        "description": (
            "a topology file (path relative to this file) whose regions, clusters, components, "
            "dependencies, journeys, tenants and SLOs this scenario reuses"
        ),
    }
    required = schema.get("required", [])
    inherited = [r for r in required if r in TOPOLOGY_KEYS]
    schema["required"] = [r for r in required if r not in TOPOLOGY_KEYS]
    if inherited:
        schema["if"] = {"not": {"required": ["extends"]}}
        schema["then"] = {"required": inherited}
    out: dict[str, Any] = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
    }
    out.update(schema)
    return out


def topology_schema() -> dict[str, Any]:
    """The JSON Schema of a shared topology file (``scenarios/topologies/*.yaml``)."""
    full = _scenario_schema()
    props = {k: v for k, v in full["properties"].items() if k in TOPOLOGY_KEYS}
    props["extends"] = {"type": "string", "description": "another topology this one builds on"}
    props["description"] = {"type": "string", "description": "what this topology models"}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID.replace("scenario", "topology"),
        "title": "Topology",
        "description": "A fleet shared by several scenarios (they say `extends: <this file>`).",
        "type": "object",
        "additionalProperties": False,
        "properties": props,
        "$defs": full.get("$defs", {}),
    }


def render(schema: dict[str, Any]) -> str:
    """The schema as committed: sorted keys, two-space indent, a final newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_scenario_schema() -> str:
    """``chaosgame schema`` output."""
    return render(scenario_schema())


def render_topology_schema() -> str:
    """``chaosgame schema --topology`` output."""
    return render(topology_schema())
