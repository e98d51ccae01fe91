"""``extends:``: scenarios reuse a shared topology; errors still point into the right file."""

from __future__ import annotations

from pathlib import Path

import pytest

from chaosgame.scenario.library import find, scenario_dir
from chaosgame.scenario.loader import ScenarioError, load_scenario, load_scenario_text

STORM = find("checkout-payment-step-failing")


def storm_on_the_shared_shop(extra: str = "") -> str:
    """The built-in scenario with its fleet replaced by ``extends: topologies/shop.yaml``."""
    text = STORM.read_text(encoding="utf-8")
    start, end = text.index("regions:"), text.index("deploys:")
    return text[:start] + "extends: topologies/shop.yaml\n" + extra + "\n" + text[end:]


def test_extending_the_shop_gives_the_same_scenario_as_writing_it_out() -> None:
    text = storm_on_the_shared_shop()
    assert load_scenario_text(text, str(scenario_dir() / "x.yaml")) == load_scenario(STORM)


def test_a_bare_name_finds_a_curated_topology(tmp_path: Path) -> None:
    text = storm_on_the_shared_shop().replace("extends: topologies/shop.yaml", "extends: shop")
    assert load_scenario_text(text, str(tmp_path / "x.yaml")) == load_scenario(STORM)


def test_entries_with_the_same_identity_are_merged_key_by_key() -> None:
    extra = (
        "components:\n"
        "  - {name: payments, replicas: 5, telemetry: {traces: false}}\n"
        "  - {name: audit, kind: worker}\n"
        "dependencies:\n"
        "  - {from: checkout, to: payments, retries: {count: 1}}\n"
        "slos:\n"
        "  - {journey: checkout, sli: availability, target: 0.99}\n"
    )
    sc = load_scenario_text(storm_on_the_shared_shop(extra), str(scenario_dir() / "x.yaml"))
    pay = sc.component("payments")
    assert pay.replicas == 5
    assert pay.telemetry.traces is False
    assert pay.telemetry.language == "java"  # kept from the topology
    assert pay.capacity == 35
    assert [c.name for c in sc.components][-1] == "audit"
    edge = next(d for d in sc.dependencies if (d.source, d.to) == ("checkout", "payments"))
    assert edge.retries.count == 1
    assert edge.timeout == 1.0
    assert [s.target for s in sc.slos if s.journey == "checkout"] == [0.99, 0.99]
    assert len(sc.slos) == 3


def test_errors_in_the_scenario_point_into_the_scenario() -> None:
    extra = "components:\n  - {name: payments, replicas: many}\n"
    path = str(scenario_dir() / "x.yaml")
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(storm_on_the_shared_shop(extra), path)
    (p,) = info.value.problems
    assert p.path == path
    assert "components[6].replicas: must be a whole number" in p.message


def test_errors_in_the_topology_point_into_the_topology(tmp_path: Path) -> None:
    shop = (scenario_dir() / "topologies" / "shop.yaml").read_text(encoding="utf-8")
    broken = shop.replace("{name: orders, kind: queue,", "{name: orders, kind: queeu,")
    (tmp_path / "shop.yaml").write_text(broken)
    text = storm_on_the_shared_shop().replace("topologies/shop.yaml", "shop.yaml")
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, str(tmp_path / "x.yaml"))
    (p,) = info.value.problems
    assert p.path == str(tmp_path / "shop.yaml")
    line = next(i for i, t in enumerate(broken.splitlines(), 1) if "queeu" in t)
    assert p.line == line
    assert "did you mean 'queue'" in p.message


def test_a_loop_of_topologies_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n")
    text = (
        "id: x\ntitle: x\ntopics: [slo]\nextends: a.yaml\ntruth: {root_cause: {kind: no-fault}}\n"
    )
    with pytest.raises(ScenarioError, match="loop"):
        load_scenario_text(text, str(tmp_path / "s.yaml"))


def test_validate_accepts_topology_files(capsys: pytest.CaptureFixture[str]) -> None:
    from chaosgame.cli import main

    shared = sorted(str(p) for p in (scenario_dir() / "topologies").glob("*.yaml"))
    assert main(["validate", *shared]) == 0
    broken = Path(__file__).parent / "golden" / "topologies" / "broken.yaml"
    assert main(["validate", str(broken)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3
    assert all(line.startswith(f"{broken}:") for line in err)
    assert "did you mean 'slos'" in err[-1]
