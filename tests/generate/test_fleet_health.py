"""A generated fleet is healthy on a normal day and its fault clearly hurts: big fleets keep
their journeys' latency in bounds, a retry storm feeds itself whatever share of its callee's
load the retrying caller sends, and a cold cache saturates its store while a warm one leaves
it room."""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any

import pytest

from chaosgame.engine.sim import Simulator
from chaosgame.game import impact
from chaosgame.generate.archetypes import ARCHETYPES
from chaosgame.generate.build import generate
from chaosgame.generate.codes import SeedCode, decode
from chaosgame.generate.recipes_changes import MIN_COLD, WARM_STORE
from chaosgame.generate.system import IDLE_HOP, IDLE_PATH, NoFit, System, build_system, loads
from chaosgame.proof.checker import check_scenario
from chaosgame.scenario.model import Scenario


def idle_paths(components: dict[str, dict[str, Any]], deps: list[dict[str, Any]]) -> dict:
    """Seconds a request to each component spends in it and what it calls on an idle fleet
    (service times over every synchronous call, as the engine adds them up)."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for d in deps:
        out[d["from"]].append(d)
    memo: dict[str, float] = {}

    def spent(name: str) -> float:
        if name not in memo:
            comp = components[name]
            miss = 1.0 - float(comp.get("hit_ratio", 0.9)) if comp["kind"] == "cache" else 1.0
            memo[name] = float(comp.get("service_time", 0.0)) + sum(
                float(d.get("calls", 1.0)) * miss * (spent(d["to"]) + IDLE_HOP)
                for d in out[name]
                if d.get("mode", "sync") == "sync"
            )
        return memo[name]

    return {n: spent(n) for n in components}


@pytest.mark.parametrize("key", sorted(ARCHETYPES))
def test_a_big_fleet_grows_wider_not_slower(key: str) -> None:
    built = 0
    for seed in range(10):
        try:
            system = build_system(ARCHETYPES[key], 1000, 1, frozenset(), random.Random(seed))
        except NoFit:  # the builder then tries another archetype
            continue
        built += 1
        spent = idle_paths(system.components, system.deps)
        slow = {j["name"]: round(spent[j["entry"]], 2) for j in system.journeys}
        assert max(slow.values()) <= IDLE_PATH + 1e-9, slow
    assert built >= 3


@pytest.mark.parametrize("seed", [3, 6, 11, 18, 23])
def test_a_big_fleet_is_healthy_without_its_fault(seed: int) -> None:
    size = [250, 500, 750, 1000][seed % 4]
    data = generate(SeedCode(seed, "expert"), size=size)
    data["faults"] = []
    sc = Scenario.model_validate(data)
    sim = Simulator(sc, sc.seed)
    sim.run_until(sc.time_limit + 600.0)
    burned = impact.harm(impact.populations(sim), 0, sim.history.ticks)
    assert all(share < 0.001 for share in burned.values()), burned


@pytest.mark.parametrize("seed", [18, 20, 22])
def test_a_retry_storm_outlives_its_blip_when_the_caller_sends_half_the_load(seed: int) -> None:
    data = generate(SeedCode(seed, "normal"), kind="retry-storm")
    fault = data["faults"][0]
    sc = Scenario.model_validate(data)
    sim = Simulator(sc, sc.seed)
    sim.run_until(sc.time_limit + 600.0)
    w, h = sim.world, sim.history
    callee = w.index[fault["to"]]
    edges = [
        e
        for e in range(w.e)
        if w.names[w.src[e]] == fault["target"] and w.names[w.dst[e]] == fault["to"]
    ]
    before = int(fault["at"] / sim.dt) - 2
    share = h.edge["rate"][before, edges[0]] / h.comp["offered"][before, callee]
    assert share < 0.65  # a caller that sends only part of the callee's load...
    end = h.ticks - 1
    assert h.comp["utilisation"][end, callee] > 0.99  # ...still keeps it saturated
    assert h.comp["errors"][end, callee] > 0.05


@pytest.mark.parametrize("seed", range(12))
def test_a_cold_cache_saturates_its_store_and_a_warm_one_leaves_it_room(seed: int) -> None:
    data = generate(SeedCode(seed, "hard"), kind="blue-green-cold-cache")
    comps = {c["name"]: c for c in data["components"]}
    cache = data["faults"][0]["cache"]
    store = next(d["to"] for d in data["dependencies"] if d["from"] == cache)
    system = System(
        archetype=ARCHETYPES["shop"],
        home="",
        regions=[],
        components=comps,
        deps=data["dependencies"],
        journeys=data["journeys"],
    )
    load = loads(system)
    room = float(comps[store]["replicas"]) * float(comps[store]["capacity"])
    cold = load[store] + load[cache] * float(comps[cache]["hit_ratio"])
    assert load[store] / room <= WARM_STORE + 0.01
    assert cold / room >= MIN_COLD - 0.01


@pytest.mark.parametrize("text", ["HDEV-W2FF", "GTVS-SJ1C", "DR4B-HQYR", "ZDB3-ZXRV", "R67G-2CZP"])
def test_codes_that_once_failed_check_pass_it(text: str) -> None:
    sc = Scenario.model_validate(generate(decode(text)))
    bad = [f"{c.name}: {c.reason}" for c in check_scenario(sc) if not c.ok]
    assert not bad
