"""The change-borne recipes: each generates the kind forced, the same text twice, a valid
scenario whose faults, truth and reference solution name what the fleet has."""

from __future__ import annotations

from typing import Any

import pytest

from chaosgame.generate.build import generate, to_yaml
from chaosgame.generate.codes import SeedCode
from chaosgame.scenario.model import Scenario

KINDS = (
    "bad-canary",
    "version-skew",
    "blue-green-cold-cache",
    "bad-config",
    "broken-flag",
    "expensive-flag",
    "dependency-upgrade",
    "mutable-tag",
    "skipped-validation",
    "config-drift",
    "iac-shrank-pool",
    "iac-removed-rule",
    "iac-overwrote-hotfix",
    "oom-working-set",
    "memory-leak",
    "cpu-throttling",
    "image-pull-failure",
    "incompatible-schema",
)
FAULT_REFS = ("target", "to", "cache", "database")


def _names(data: dict[str, Any]) -> set[str]:
    return {c["name"] for c in data["components"]}


@pytest.mark.parametrize("kind", KINDS)
def test_recipe_generates_its_kind(kind: str) -> None:
    code = SeedCode(7, "normal")
    first = generate(code, kind=kind)
    assert to_yaml(first) == to_yaml(generate(code, kind=kind))
    sc = Scenario.model_validate(first)
    assert sc.truth.root_cause.kind == kind
    assert [f.kind for f in sc.faults][0] == kind
    names = _names(first)
    assert first["truth"]["root_cause"]["component"] in names
    for fault in first["faults"]:
        for key in FAULT_REFS:
            if key in fault:
                assert fault[key] in names, (key, fault[key])
    flags = {f["name"] for f in first.get("flags", [])}
    pipelines = {p["name"] for p in first.get("pipelines", [])}
    for step in first["truth"]["reference_solution"]:
        if "action" not in step:
            continue
        if step["action"] == "toggle-flag":
            assert step["target"] in flags
        elif step["action"] == "pause-pipeline":
            assert step["target"] in pipelines
        else:
            assert step["target"] in names
        if "to" in step:
            assert step["to"] in names
    for link in first["truth"]["causal_chain"]:
        assert link["component"] in names


@pytest.mark.parametrize("kind", ["version-skew", "bad-canary", "image-pull-failure"])
def test_release_recipes_write_the_release(kind: str) -> None:
    data = generate(SeedCode(3, "hard"), kind=kind)
    fault = data["faults"][0]
    releases = [d for d in data["deploys"] if d["component"] == fault["target"] and d["at"] >= 0]
    assert [d["version"] for d in releases] == [fault["version"]]


def test_skipped_validation_pages_on_correctness() -> None:
    data = generate(SeedCode(5, "easy"), kind="skipped-validation")
    assert data["slos"][0]["sli"] == "correctness"
    assert "correctness SLO" in data["briefing"]


def test_memory_leak_shipped_more_than_a_day_before() -> None:
    data = generate(SeedCode(2, "normal"), kind="memory-leak")
    fault = data["faults"][0]
    shipped = [d for d in data["deploys"] if d["version"] == fault["version"]]
    assert len(shipped) == 1
    assert shipped[0]["at"] <= -86400.0
    target = next(c for c in data["components"] if c["name"] == fault["target"])
    assert target["version"] == fault["version"]


def test_incompatible_schema_lands_mid_rollout() -> None:
    data = generate(SeedCode(4, "normal"), kind="incompatible-schema")
    fault = data["faults"][0]
    rollout = next(d for d in data["deploys"] if d["version"] == fault["reads_with"])
    assert rollout["at"] < fault["at"] < rollout["at"] + rollout["duration"]


def test_hotfix_apply_converges_until_paused() -> None:
    data = generate(SeedCode(1, "normal"), kind="iac-overwrote-hotfix")
    fault = data["faults"][0]
    (pipeline,) = data["pipelines"]
    (enforced,) = pipeline["enforces"]
    assert enforced["component"] == fault["target"]
    assert enforced["key"] == "memory_limit_mb"
    assert float(enforced["value"]) < fault["working_set_mb"] < fault["hotfix_limit_mb"]
    steps = [s["action"] for s in data["truth"]["reference_solution"]]
    assert steps == ["pause-pipeline", "raise-limit"]
