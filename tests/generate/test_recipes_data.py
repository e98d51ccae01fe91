"""The data, network, security, third-party and no-fault recipes: each generates its kind,
deterministically, into a valid scenario whose faults and reference act on what the fleet has.

Fast checks only (no ``check`` and no play): ``benchmarks/gen_trial.py`` proves each kind fair
over many seeds.
"""

from __future__ import annotations

from typing import Any

import pytest

from chaosgame.generate.build import generate, to_yaml
from chaosgame.generate.codes import SeedCode
from chaosgame.generate.recipes import RECIPES
from chaosgame.scenario.model import Scenario

KINDS = [
    ("migration-lock", "easy"),
    ("backfill-saturation", "normal"),
    ("slow-query-plan", "hard"),
    ("pool-exhaustion", "normal"),
    ("replication-lag", "hard"),
    ("hot-shard", "easy"),
    ("disk-full", "normal"),
    ("database-crash", "expert"),
    ("network-latency", "easy"),
    ("packet-loss", "normal"),
    ("region-partition", "hard"),
    ("stale-failover", "expert"),
    ("split-brain", "normal"),
    ("clock-skew", "easy"),
    ("cert-expired", "normal"),
    ("secret-not-reloaded", "hard"),
    ("credential-stuffing", "expert"),
    ("waf-blocks-users", "easy"),
    ("revoked-access", "normal"),
    ("third-party-rate-limit", "hard"),
    ("no-fault", "expert"),
]
"""Each kind with the setting its test generates at (spread over the four)."""

COMPONENT_TARGETS = ("target", "to", "database", "cache")


def _targets(data: dict[str, Any]) -> set[str]:
    """Every name an action or a fault may point at: components, clusters, regions, flags."""
    names = {c["name"] for c in data["components"]}
    names |= {c["name"] for c in data["clusters"]} | {r["name"] for r in data["regions"]}
    names |= {f["name"] for f in data.get("flags", [])}
    return names


@pytest.mark.parametrize(("kind", "difficulty"), KINDS)
def test_recipe_generates_its_kind(kind: str, difficulty: str) -> None:
    code = SeedCode(3, difficulty)
    data = generate(code, kind=kind)
    assert to_yaml(data) == to_yaml(generate(code, kind=kind))  # deterministic
    sc = Scenario.model_validate(data)
    assert sc.truth.root_cause.kind == kind
    comps = {c.name for c in sc.components}
    if kind == "no-fault":
        assert sc.truth.root_cause.component is None
        assert not sc.truth.reference_solution
        assert sc.page_at is not None
    else:
        assert sc.truth.root_cause.component in comps
        assert sc.truth.reference_solution
    names = _targets(data)
    assert kind in {f["kind"] for f in data["faults"]}
    for fault in data["faults"]:
        for key in COMPONENT_TARGETS:
            if key in fault:
                assert fault[key] in comps, (key, fault[key])
    for step in data["truth"]["reference_solution"]:
        if "target" in step:
            assert step["target"] in names, step
        if "to" in step and step.get("action") != "failover-region":
            assert step["to"] in comps, step
    for step in data["truth"]["causal_chain"]:
        assert step["component"] in comps, step


def test_third_party_quota_is_a_third_party_cause() -> None:
    assert RECIPES["third-party-rate-limit"].external
    data = generate(SeedCode(5, "normal"), kind="third-party-rate-limit")
    (fault,) = data["faults"]
    kinds = {c["name"]: c["kind"] for c in data["components"]}
    assert kinds[fault["target"]] == "external"


def test_every_kind_of_the_file_is_tested() -> None:
    import chaosgame.generate.recipes_data as mine

    ours = {k for k, r in RECIPES.items() if r.build.__module__ == mine.__name__}
    assert ours == {k for k, _ in KINDS}
