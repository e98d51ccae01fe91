"""Root causes that span a fleet (``select:``), mixed fleets left by past deploys
(``Deploy.reached``) and partial rollbacks (``rollback`` with ``share``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from chaosgame.engine.fleet import pick, root_fleet
from chaosgame.engine.sim import Simulator
from chaosgame.game.diagnosis import judge
from chaosgame.scenario.actions import Rollback
from chaosgame.scenario.fleet import Selector, artefacts
from chaosgame.scenario.loader import ScenarioError, load_scenario_text
from chaosgame.scenario.model import Scenario
from chaosgame.telemetry.listings import pods

EDGES = [f"edge-{n}" for n in range(1, 7)]
NEW = "image:edge-2611"


def edge_fleet(faults: list[dict[str, Any]], **truth: Any) -> Scenario:
    """Six edge gateways in front of one API: edge-1..4 built from edge-2611, edge-5..6 from
    edge-2609; one journey through each edge."""
    comps: list[dict[str, Any]] = [
        {
            "name": name,
            "kind": "gateway",
            "replicas": 2,
            "capacity": 500.0,
            "service_time": 0.002,
            "tags": {"image": "edge-2611" if n < 4 else "edge-2609", "role": "edge"},
        }
        for n, name in enumerate(EDGES)
    ]
    comps.append(
        {"name": "api", "kind": "service", "replicas": 4, "capacity": 200.0, "service_time": 0.01}
    )
    return Scenario.model_validate(
        {
            "id": "edges",
            "title": "edges",
            "topics": ["deploy-strategies"],
            "duration": 3600.0,
            "time_limit": 1200.0,
            "components": comps,
            "dependencies": [{"from": e, "to": "api", "timeout": 1.0} for e in EDGES],
            "journeys": [
                {"name": f"j{n}", "entry": "api", "via": e, "rate": 20.0}
                for n, e in enumerate(EDGES)
            ],
            "faults": faults,
            "truth": {"root_cause": truth or {"kind": "no-fault"}},
        }
    )


def outage(select: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "dependency-outage", "select": select, "at": 0.0, "error_rate": 0.5}


def own_errors(sim: Simulator) -> np.ndarray:
    """Per component: the failure share faults wrote for it in the last tick."""
    return np.asarray(sim.mods.err.max(axis=0))


# ------------------------------------------------------------- selector faults


def test_a_selector_fault_hits_exactly_the_matched_components() -> None:
    sc = edge_fleet([outage({"tags": {"image": "edge-2611"}})])
    sim = Simulator(sc)
    assert [sim.world.names[f.target] for f in sim.faults] == EDGES[:4]
    assert {f.spec.target for f in sim.faults} == set(EDGES[:4])
    sim.run_until(120.0)
    err = own_errors(sim)
    for name in EDGES:
        hit = err[sim.world.index[name]]
        assert (hit == pytest.approx(0.5)) if name in EDGES[:4] else hit == 0.0, name
    assert err[sim.world.index["api"]] == 0.0


def test_selector_fields_combine() -> None:
    sc = edge_fleet([outage({"kind": "gateway", "tags": {"role": "edge"}})])
    assert [f.spec.target for f in Simulator(sc).faults] == EDGES
    sel = Selector(kind="gateway", tags={"image": "edge-2609", "role": "edge"})
    assert pick(sc, 0, sel, 1) == ["edge-5", "edge-6"]


def test_a_seeded_share_is_the_same_for_the_same_seed() -> None:
    sc = edge_fleet([outage({"kind": "gateway", "share": 0.5})])
    first = [f.spec.target for f in Simulator(sc, seed=7).faults]
    again = [f.spec.target for f in Simulator(sc, seed=7).faults]
    assert first == again
    assert len(first) == 3  # round(0.5 x 6)
    assert set(first) <= set(EDGES)
    picks = {tuple(f.spec.target for f in Simulator(sc, seed=s).faults) for s in range(1, 30)}
    assert len(picks) > 1, "the share must depend on the seed"
    assert set(pick(sc, 0, Selector(kind="gateway", share=0.5), 7)) == set(first)
    # a tiny share still hits one component
    assert len(pick(sc, 0, Selector(kind="gateway", share=0.01), 7)) == 1


def test_without_select_a_fault_compiles_as_before() -> None:
    sc = edge_fleet([{"kind": "dependency-outage", "target": "api", "error_rate": 0.2}])
    sim = Simulator(sc)
    assert [(f.spec.target, f.target) for f in sim.faults] == [("api", sim.world.index["api"])]
    assert sim.faults[0].spec is sc.faults[0]


# ------------------------------------------------------------- diagnosis


def test_the_diagnosis_accepts_any_matched_component_or_the_artefact() -> None:
    sc = edge_fleet(
        [outage({"tags": {"image": "edge-2611"}})],
        component="edge-1",
        kind="dependency-outage",
        artefact=NEW,
    )
    for name in EDGES[:4]:
        assert judge(sc, name, "dependency-outage") == "exact", name
        assert judge(sc, name, "memory-leak") == "component", name
    assert judge(sc, NEW, "dependency-outage") == "exact"
    assert judge(sc, NEW, "bad-config") == "component"
    for name in ("edge-5", "edge-6", "image:edge-2609", "role:edge"):
        assert judge(sc, name, "dependency-outage") == "wrong", name
    assert judge(sc, "api", "dependency-outage") == "wrong"


def test_the_artefact_alone_can_be_the_truth_and_the_share_follows_the_seed() -> None:
    sc = edge_fleet(
        [outage({"tags": {"image": "edge-2611"}, "share": 0.5})],
        kind="dependency-outage",
        artefact=NEW,
    )
    for seed in (1, 2, 3):
        hit = root_fleet(sc, seed)
        assert hit == {f.spec.target for f in Simulator(sc, seed).faults}
        assert len(hit) == 2
        for name in EDGES[:4]:
            want = "exact" if name in hit else "wrong"
            assert judge(sc, name, "dependency-outage", seed) == want, (seed, name)
        assert judge(sc, NEW, "dependency-outage", seed) == "exact"


def test_the_selector_tag_counts_as_the_artefact_when_the_truth_names_a_component() -> None:
    sc = edge_fleet(
        [outage({"tags": {"image": "edge-2611"}})], component="edge-2", kind="dependency-outage"
    )
    assert judge(sc, NEW, "dependency-outage") == "exact"
    assert judge(sc, "edge-4", "dependency-outage") == "exact"
    assert judge(sc, "edge-6", "dependency-outage") == "wrong"


def test_single_component_truths_are_judged_as_before() -> None:
    sc = edge_fleet(
        [{"kind": "dependency-outage", "target": "api"}], component="api", kind="dependency-outage"
    )
    assert judge(sc, "api", "dependency-outage") == "exact"
    assert judge(sc, "edge-1", "dependency-outage") == "wrong"
    assert judge(sc, NEW, "dependency-outage") == "wrong"


# ------------------------------------------------------------- validation


def test_a_selector_that_matches_nothing_is_an_error_saying_where() -> None:
    with pytest.raises(ValidationError, match=r"faults\[0\]\.select: matches no component"):
        edge_fleet([outage({"tags": {"image": "edge-2612"}})])


@pytest.mark.parametrize(
    ("fault", "truth", "message"),
    [
        (
            {"kind": "dependency-outage", "target": "api", "select": {"kind": "gateway"}},
            {},
            r"faults\[0\]: give 'target' or 'select', not both",
        ),
        ({"kind": "dependency-outage"}, {}, r"faults\[0\]: say where the fault lives"),
        (
            {"kind": "cache-flush", "select": {"kind": "gateway"}},
            {},
            r"faults\[0\]\.select: matches 'edge-1', a gateway; a cache-flush fault takes cache",
        ),
        (
            outage({"region": "mars"}),
            {},
            r"faults\[0\]\.select\.region: unknown region 'mars'",
        ),
        (
            outage({"kind": "gateway"}),
            {"kind": "dependency-outage", "artefact": "image:edge-2612"},
            r"truth\.root_cause\.artefact: no component carries the tag image=edge-2612",
        ),
        (
            outage({"tags": {"role": "edge"}}),
            {"kind": "dependency-outage", "artefact": NEW},
            r"truth\.root_cause\.artefact: no dependency-outage fault selects the components "
            r"tagged image=edge-2611",
        ),
        (
            outage({"kind": "gateway"}),
            {"kind": "dependency-outage", "artefact": "edge-2611"},
            r"truth\.root_cause\.artefact: write the artefact as a tag's key:value",
        ),
    ],
)
def test_fleet_mistakes_are_errors(
    fault: dict[str, Any], truth: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        edge_fleet([fault], **truth)


def test_the_loader_places_a_selector_that_matches_nothing() -> None:
    text = """id: fleet-file
title: t
topics: [deploy-strategies]
duration: 1h
time_limit: 20m
components:
  - {name: edge-1, kind: gateway, tags: {image: a}}
  - {name: api, kind: service}
dependencies:
  - {from: edge-1, to: api}
journeys:
  - {name: j, entry: api, via: edge-1, rate: 10}
faults:
  - kind: dependency-outage
    select: {tags: {image: b}}
truth: {root_cause: {kind: dependency-outage, component: edge-1}}
"""
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, "fleet.yaml")
    text_out = str(info.value)
    assert "fleet.yaml:15:" in text_out
    assert "matches no component (tag image=b)" in text_out


def test_artefacts_are_every_tag_of_the_fleet() -> None:
    sc = edge_fleet([])
    assert artefacts(sc) == ["image:edge-2609", "image:edge-2611", "role:edge"]


# ------------------------------------------------------------- mixed fleets


def mixed(reached: float | None, **deploy: Any) -> Scenario:
    """``api`` (10 pods) got v2 two days ago; the deploy stopped at ``reached``."""
    base: dict[str, Any] = {"at": -2 * 86400.0, "component": "api", "version": "v2"}
    return Scenario.model_validate(
        {
            "id": "mixed",
            "title": "mixed",
            "topics": ["deploy-strategies"],
            "duration": 3600.0,
            "time_limit": 1200.0,
            "components": [
                {"name": "gw", "kind": "gateway", "replicas": 2, "capacity": 500.0},
                {"name": "api", "kind": "service", "replicas": 10, "version": "v2"},
            ],
            "dependencies": [{"from": "gw", "to": "api"}],
            "journeys": [{"name": "j", "entry": "api", "via": "gw", "rate": 50.0}],
            "deploys": [
                {"at": -30 * 86400.0, "component": "api", "version": "v1"},
                base | {"reached": reached} | deploy,
            ],
            "truth": {"root_cause": {"kind": "no-fault"}},
        }
    )


def versions_now(sim: Simulator, name: str = "api") -> dict[str, float]:
    v = sim.state.versions[sim.world.index[name]]
    return {ver: v.share(ver, sim.now) for ver in ("v1", "v2")}


def test_a_past_partial_deploy_leaves_the_stated_share_on_each_version() -> None:
    sim = Simulator(mixed(0.9))
    assert versions_now(sim) == pytest.approx({"v1": 0.1, "v2": 0.9})
    sim.run_until(1200.0)  # it never finishes by itself
    assert versions_now(sim) == pytest.approx({"v1": 0.1, "v2": 0.9})
    tick = sim.history.ticks - 1
    listing = pods(sim, tick, "api")["pods"]
    on = [p["version"] for p in listing]
    assert on.count("v2") == 9  # 0.9 x 10 pods
    assert on.count("v1") == 1
    mix = sim.versionlog.mix(sim.world.index["api"], tick)
    assert (mix.stable, mix.new, mix.weight) == ("v1", "v2", pytest.approx(0.9))


def test_the_deploy_history_tells_what_is_where() -> None:
    sim = Simulator(mixed(0.9, author="rel-bot"))
    deploys = [e.message for e in sim.events if e.kind == "deploy"]
    assert deploys[-1] == (
        "v2 (rolling) by rel-bot; stopped at 90%: 9 of 10 pods on v2, 1 still on v1"
    )


def test_a_canary_left_running_from_before_the_window() -> None:
    sim = Simulator(mixed(0.05, strategy="canary", weight=0.05))
    assert versions_now(sim) == pytest.approx({"v1": 0.95, "v2": 0.05})


def test_a_complete_past_deploy_is_unchanged() -> None:
    for sc in (mixed(None), mixed(1.0)):
        sim = Simulator(sc)
        v = sim.state.versions[sim.world.index["api"]]
        assert (v.stable, v.history, v.rollout) == ("v2", ["v1"], None)


def test_a_partial_deploy_must_say_what_the_rest_runs() -> None:
    with pytest.raises(ValidationError, match=r"deploys\[0\]\.reached: say what the rest"):
        Scenario.model_validate(
            mixed(0.5).model_dump(by_alias=True)
            | {"deploys": [{"at": -5.0, "component": "api", "version": "v2", "reached": 0.5}]}
        )


def test_a_deploy_in_the_window_can_stop_part_way() -> None:
    sc = mixed(None)
    data = sc.model_dump(by_alias=True)
    data["deploys"].append(
        {"at": 60.0, "component": "api", "version": "v3", "duration": 100.0, "reached": 0.7}
    )
    sim = Simulator(Scenario.model_validate(data))
    sim.run_until(1000.0)
    v = sim.state.versions[sim.world.index["api"]]
    assert v.stable == "v2"
    assert v.share("v3", sim.now) == pytest.approx(0.7)
    assert any("stopping at 70% of pods" in e.message for e in sim.events)


# ------------------------------------------------------------- rollbacks


def roll(sim: Simulator, share: float | None = None) -> None:
    """Roll back and wait until it is done: a full rollback replaces the pods still on v2 over
    the deploy's 300 s (``engine/costs.py``); a partial one moves its share at once."""
    spec = Rollback(action="rollback", target="api", share=share)
    sim.run_until(sim.mitigate(spec) + (300.0 if share is None else 0.0) + sim.dt)


def test_rolling_back_a_mixed_fleet_puts_the_old_build_everywhere() -> None:
    sim = Simulator(mixed(0.9))
    roll(sim)
    assert versions_now(sim) == {"v1": 1.0, "v2": 0.0}


def test_a_partial_rollback_leaves_the_stated_share() -> None:
    sim = Simulator(mixed(None))  # every pod on v2, v1 before it
    roll(sim, 0.3)
    assert versions_now(sim) == pytest.approx({"v1": 0.3, "v2": 0.7})
    tick = sim.history.ticks - 1
    on = [p["version"] for p in pods(sim, tick, "api")["pods"]]
    assert on.count("v1") == 3
    assert on.count("v2") == 7
    roll(sim, 0.6)  # the rollback canary grows
    assert versions_now(sim) == pytest.approx({"v1": 0.6, "v2": 0.4})
    roll(sim)  # and a full rollback finishes it
    assert versions_now(sim) == {"v1": 1.0, "v2": 0.0}
    v = sim.state.versions[sim.world.index["api"]]
    assert (v.stable, v.rollout) == ("v1", None)
    said = [e.message for e in sim.events if e.kind == "mitigation" and ":" in e.message]
    assert said[0] == "rollback: 30% of pods back on v1, 70% still on v2"


def test_a_partial_rollback_of_a_mixed_fleet_moves_new_pods_back() -> None:
    sim = Simulator(mixed(0.9))
    roll(sim, 0.5)
    assert versions_now(sim) == pytest.approx({"v1": 0.5, "v2": 0.5})


def test_telemetry_puts_the_errors_of_a_fault_on_the_old_version_on_its_pods() -> None:
    from chaosgame.game.player import PlayerView

    data = mixed(0.9).model_dump(by_alias=True)
    data["faults"] = [{"kind": "bad-deploy", "target": "api", "version": "v1", "error_rate": 0.8}]
    view = PlayerView(Scenario.model_validate(data))
    view.start()
    q = 'sum by (version) (rate(http_requests_total{service="api",code=~"5.."}[5m]))'
    series = view.act({"type": "query", "q": q})["result"]["series"]
    failing = {s["labels"]["version"]: s["points"][-1][1] for s in series}
    assert failing["v1"] > 1.0  # 0.8 of the tenth of 50 rps on the one v1 pod
    assert failing.get("v2", 0.0) < 1e-3
    logs = view.act({"type": "query", "q": 'logs {service="api"} |= " 500 " --limit=30'})
    failed = [ln for ln in logs["result"]["lines"] if ln["level"] == "error"]
    listing = view.act({"type": "query", "q": "pods api"})["result"]["pods"]
    old_pods = {p["name"] for p in listing if p["version"] == "v1"}
    assert len(old_pods) == 1
    assert failed
    assert {ln["line"].rsplit("pod=", 1)[-1] for ln in failed} == old_pods


def test_a_composed_remedy_ends_a_fleet_fault_on_the_component_it_acts_on_only() -> None:
    from chaosgame.scenario.actions import Restart

    fault = outage({"tags": {"image": "edge-2611"}}) | {"remedies": [{"action": "restart"}]}
    sim = Simulator(edge_fleet([fault]))
    sim.run_until(60.0)
    sim.run_until(sim.mitigate(Restart(action="restart", target="edge-2")) + 120.0)
    err = own_errors(sim)
    assert err[sim.world.index["edge-2"]] == 0.0
    for name in ("edge-1", "edge-3", "edge-4"):
        assert err[sim.world.index[name]] == pytest.approx(0.5), name


def test_a_canary_left_before_the_window_must_say_how_far_it_got() -> None:
    """A past canary without ``reached`` would silently count as rolled out everywhere: the
    loader says so at its line, and the shipped scenario (which says it) loads."""
    from chaosgame.scenario.library import find

    text = find("fare-searches-fail-one-in-five").read_text(encoding="utf-8")
    load_scenario_text(text, "fares.yaml")
    assert "    reached: 0.2\n" in text
    with pytest.raises(ScenarioError) as err:
        load_scenario_text(text.replace("    reached: 0.2\n", ""), "fares.yaml")
    message = str(err.value)
    assert "a canary of fare-engine before the window that nobody finished needs 'reached'" in (
        message
    )
    assert message.startswith("fares.yaml:")
