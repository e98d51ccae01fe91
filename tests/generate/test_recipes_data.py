"""The data, network, security, third-party and no-fault recipes: each generates its kind,
deterministically, into a valid scenario whose faults and reference act on what the fleet has,
with a strength sized from the fleet's own load.

Fast checks only (no ``check`` and no play): ``benchmarks/gen_trial.py`` proves each kind fair
over many seeds.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from chaosgame.generate.archetypes import ARCHETYPES
from chaosgame.generate.build import generate, to_yaml
from chaosgame.generate.codes import SeedCode
from chaosgame.generate.plan import Ctx, Plan
from chaosgame.generate.recipes import RECIPES
from chaosgame.generate.system import NoFit, System, build_system, loads
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
CLUSTER_ACTIONS = ("add-nodes", "drain-node", "add-subnet")
REGION_ACTIONS = ("failover-region",)


def _check_names(data: dict[str, Any], kind: str) -> None:
    """The faults, the truth and the reference name what the fleet has."""
    sc = Scenario.model_validate(data)
    assert sc.truth.root_cause.kind == kind
    comps = {c["name"] for c in data["components"]}
    clusters = {c["name"] for c in data["clusters"]}
    regions = {r["name"] for r in data["regions"]}
    journeys = {j["name"] for j in data["journeys"]}
    if kind == "no-fault":
        assert sc.truth.root_cause.component is None
        assert not sc.truth.reference_solution
        assert sc.page_at is not None
    else:
        assert sc.truth.root_cause.component in comps
        assert sc.truth.reference_solution
    assert kind in {f["kind"] for f in data["faults"]}
    for fault in data["faults"]:
        for key in COMPONENT_TARGETS:
            if key in fault:
                assert fault[key] in comps, (key, fault[key])
        if "journey" in fault:
            assert fault["journey"] in journeys
        if "region" in fault:
            assert fault["region"] in regions
    for step in data["truth"]["reference_solution"]:
        action = step["action"]
        where = (
            clusters
            if action in CLUSTER_ACTIONS
            else regions
            if action in REGION_ACTIONS
            else comps
        )
        assert step["target"] in where, step
        if "to" in step:
            assert step["to"] in (regions if action in REGION_ACTIONS else comps), step
    for link in data["truth"]["causal_chain"]:
        assert link["component"] in comps, link


@pytest.mark.parametrize(("kind", "difficulty"), KINDS)
def test_recipe_generates_its_kind(kind: str, difficulty: str) -> None:
    code = SeedCode(3, difficulty)
    data = generate(code, kind=kind)
    assert to_yaml(data) == to_yaml(generate(code, kind=kind))  # deterministic
    _check_names(data, kind)


@pytest.mark.parametrize("kind", [k for k, _ in KINDS])
def test_recipe_fits_a_big_fleet(kind: str) -> None:
    _check_names(generate(SeedCode(2, "expert"), size=400, kind=kind), kind)


def test_every_kind_of_the_file_is_tested() -> None:
    import chaosgame.generate.recipes_data as mine

    ours = {k for k, r in RECIPES.items() if r.build.__module__ == mine.__name__}
    assert ours == {k for k, _ in KINDS}


# ------------------------------------------------------------------ strength from the load


def _plan(kind: str, seed: int, intensity: float = 0.55, size: int = 30) -> tuple[System, Plan]:
    """The fleet and the plan of ``kind``'s recipe, on the first archetype that hosts it (at
    the weakest intensity a setting draws)."""
    recipe = RECIPES[kind]
    for key in sorted(ARCHETYPES):
        rng = random.Random(f"{kind}/{seed}/{key}")
        try:
            system = build_system(ARCHETYPES[key], size, 1, recipe.needs, rng)
            ctx = Ctx(system, random.Random(seed), 600.0, intensity)
            return system, recipe.build(ctx)
        except NoFit:
            continue
    raise AssertionError(f"no archetype hosts {kind}")


def _capacity(system: System, name: str) -> float:
    comp = system.components[name]
    return float(comp["capacity"]) * int(comp["replicas"])


@pytest.mark.parametrize("seed", range(4))
def test_a_bad_plan_needs_more_than_twice_the_replicas(seed: int) -> None:
    system, plan = _plan("slow-query-plan", seed)
    (fault,) = plan.faults
    db = fault["target"]
    assert loads(system)[db] * fault["factor"] >= 2.5 * _capacity(system, db)


@pytest.mark.parametrize("seed", range(4))
def test_the_hot_shard_is_over_its_capacity(seed: int) -> None:
    system, plan = _plan("hot-shard", seed)
    (fault,) = plan.faults
    db = fault["target"]
    shard = float(system.components[db]["capacity"])
    assert fault["share"] * loads(system)[db] >= 1.5 * shard
    assert system.components[db]["replicas"] >= 6


@pytest.mark.parametrize("seed", range(4))
def test_the_disk_is_full_before_the_job_dies(seed: int) -> None:
    system, plan = _plan("disk-full", seed)
    (fault,) = plan.faults
    comp = system.components[fault["target"]]
    free = comp["disk_gb"] - comp["disk_used_gb"]
    assert free / fault["gb_per_hour"] * 3600.0 < fault["until"] - fault["at"] - 30.0
    (step,) = plan.solution
    assert step["resource"] == "disk"


@pytest.mark.parametrize("seed", range(4))
def test_the_leak_drains_the_pool_within_minutes(seed: int) -> None:
    system, plan = _plan("pool-exhaustion", seed)
    (fault,) = plan.faults
    edge = system.dep(fault["target"], fault["to"])
    assert edge is not None
    conns = edge["pool"] * system.components[fault["target"]]["replicas"]
    calls = loads(system)[fault["target"]] * float(edge.get("calls", 1.0))
    assert fault["leak_per_1k"] / 1000.0 * calls * 450.0 >= conns
    assert plan.solution == [{"action": "rollback", "target": fault["target"]}]


@pytest.mark.parametrize("seed", range(4))
def test_the_attack_outgrows_twice_the_replicas(seed: int) -> None:
    system, plan = _plan("credential-stuffing", seed)
    (fault,) = plan.faults
    entry = fault["target"]
    rate = system.journey(fault["journey"])["rate"]
    demand = (loads(system)[entry] + rate * (fault["factor"] - 1)) / _capacity(system, entry)
    abusive = (fault["factor"] - 1) / fault["factor"]
    cpu = 0.6 * (1 + (fault["cpu_factor"] - 1) * abusive) * demand
    assert max(demand, cpu) >= 2.4
    (step,) = plan.solution
    assert step == {
        "action": "block-client",
        "target": system.journey(fault["journey"])["via"],
        "client": fault["client"],
    }


@pytest.mark.parametrize("seed", range(4))
def test_the_quota_refuses_part_of_the_calls_and_the_new_one_covers_them(seed: int) -> None:
    system, plan = _plan("third-party-rate-limit", seed)
    (fault,) = plan.faults
    rate = loads(system)[fault["target"]]
    assert fault["quota_rps"] <= 0.65 * rate
    (step,) = plan.solution
    assert step["action"] == "raise-quota"
    assert fault["quota_rps"] * step["factor"] >= min(1.5 * rate, 16 * fault["quota_rps"])
    assert plan.external


@pytest.mark.parametrize("kind", ["network-latency", "packet-loss", "region-partition"])
def test_the_far_region_is_failed_over_to_home(kind: str) -> None:
    system, plan = _plan(kind, 0)
    fault = plan.faults[0]
    (step,) = plan.solution
    assert fault["region"] == system.home
    assert step["to"] == system.home
    assert step["target"] != system.home
    assert system.region_of(fault["target"]) == step["target"]


def test_added_latency_outlasts_the_timeouts_across_regions() -> None:
    system, plan = _plan("network-latency", 1)
    (fault,) = plan.faults
    crossing = [
        float(d["timeout"])
        for d in system.deps
        if d["from"] == fault["target"]
        and system.region_of(d["to"]) == system.home
        and d.get("required", True)
        and float(d.get("calls", 1.0)) >= 0.5
    ]
    assert fault["added_latency"] >= 0.9 * min(crossing)


@pytest.mark.parametrize("seed", range(4))
def test_the_false_alarm_crosses_its_threshold_far_below_saturation(seed: int) -> None:
    system, plan = _plan("no-fault", seed)
    (fault,) = plan.faults
    name = fault["target"]
    comp = system.components[name]
    assert comp["telemetry"]["noisy_alerts"]
    busy = loads(system)[name] / _capacity(system, name)
    cpu = busy * 0.6 * 1.8  # the burst: 1.8 times the CPU per request, 0.6 at capacity
    assert 0.5 < cpu < 0.8
    assert plan.root is None
    assert plan.harm == "none"
    assert not plan.solution
