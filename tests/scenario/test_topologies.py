"""Every shared topology is a healthy fleet on its own, so faults are the only trouble."""

from __future__ import annotations

from pathlib import Path

import pytest

from chaosgame.engine.world import build_world
from chaosgame.proof.checker import check_scenario
from chaosgame.scenario.library import scenario_dir
from chaosgame.scenario.loader import load_scenario_text

TOPOLOGIES = sorted((scenario_dir() / "topologies").glob("*.yaml"))


def quiet_scenario(topology: Path) -> str:
    return (
        "id: quiet\ntitle: quiet\ntopics: [slo]\npage_at: 30m\n"
        f"extends: topologies/{topology.name}\n"
        "truth: {root_cause: {kind: no-fault}}\n"
    )


def test_there_are_shared_topologies() -> None:
    assert len(TOPOLOGIES) >= 2


@pytest.mark.parametrize("topology", TOPOLOGIES, ids=lambda p: p.stem)
def test_a_topology_without_faults_is_healthy(topology: Path) -> None:
    sc = load_scenario_text(quiet_scenario(topology), str(scenario_dir() / "quiet.yaml"))
    build_world(sc)
    failed = [f"{c.name}: {c.reason}" for c in check_scenario(sc) if not c.ok]
    assert not failed, "\n".join(failed)
