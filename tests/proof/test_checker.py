"""``chaosgame check``: every shipped scenario passes; broken variants fail the right check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chaosgame.cli import main
from chaosgame.proof.checker import Check, check_scenario
from chaosgame.scenario.library import find, scenario_paths
from chaosgame.scenario.loader import load_scenario_text

GOOD = find("checkout-payment-step-failing").read_text(encoding="utf-8")


def verdicts(text: str) -> dict[str, Check]:
    return {c.name: c for c in check_scenario(load_scenario_text(text))}


@pytest.mark.parametrize("path", scenario_paths(), ids=lambda p: p.stem)
def test_every_shipped_scenario_passes_check(path: Path) -> None:
    sc = load_scenario_text(path.read_text(encoding="utf-8"), str(path))
    failed = [f"{c.name}: {c.reason}" for c in check_scenario(sc) if not c.ok]
    assert not failed, "\n".join(failed)


def test_a_harmless_fault_fails_the_harm_check() -> None:
    text = GOOD.replace("error_rate: 0.35", "error_rate: 0.0001")
    v = verdicts(text)
    assert not v["fault-hurts-slo"].ok
    assert "without the fault" in v["fault-hurts-slo"].reason


def test_an_incomplete_reference_solution_does_not_hold() -> None:
    # rolling back alone leaves the metastable retry storm running
    text = GOOD.replace("    - {action: disable-retries, target: checkout, to: payments}\n", "")
    v = verdicts(text)
    assert not v["reference-recovers"].ok
    assert "objective" in v["reference-recovers"].reason


def test_a_wrong_reference_solution_is_refused_or_fails() -> None:
    text = GOOD.replace(
        "    - {action: rollback, target: payments}\n",
        "    - {action: restart, target: catalog}\n",
    )
    assert not verdicts(text)["reference-recovers"].ok


def test_a_root_cause_without_any_telemetry_is_hidden() -> None:
    sc = load_scenario_text(GOOD)
    dark = {"metrics": False, "logs": False, "traces": False}
    comps = [
        c.model_copy(update={"telemetry": c.telemetry.model_copy(update=dark)})
        if c.name in ("payments", "checkout")
        else c
        for c in sc.components
    ]
    # the fault is no longer tied to a deploy, so the change history shows nothing either
    faults = [f.model_copy(update={"version": "v3.1.9"}) for f in sc.faults]
    deploys = [d for d in sc.deploys if d.component != "payments"]
    sc = sc.model_copy(update={"components": comps, "faults": faults, "deploys": deploys})
    v = {c.name: c for c in check_scenario(sc)}
    assert not v["root-cause-visible"].ok
    assert "'payments'" in v["root-cause-visible"].reason


def test_a_red_herring_on_the_causal_chain_is_caught() -> None:
    text = GOOD.replace(
        "    - {ref: catalog-v5.1.0,",
        "    - {ref: payments-v3.2.0, why: x}\n    - {ref: catalog-v5.1.0,",
    )
    v = verdicts(text)
    assert not v["red-herrings"].ok
    assert "payments-v3.2.0 is on the causal chain" in v["red-herrings"].reason


def test_an_unknown_red_herring_is_named_by_the_loader() -> None:
    from chaosgame.scenario.loader import ScenarioError

    text = GOOD.replace("{ref: catalog-v5.1.0,", "{ref: catalog-v5.1.1,")
    with pytest.raises(ScenarioError, match="did you mean 'catalog-v5.1.0'"):
        load_scenario_text(text)


def test_a_fault_that_heals_itself_makes_doing_nothing_acceptable() -> None:
    text = GOOD.replace(
        "    at: 30m\n    error_rate: 0.35", "    at: 30m\n    until: 35m\n    error_rate: 0.35"
    )
    text = text.replace("retries: {count: 3, backoff: 200ms}", "retries: {count: 0}")
    v = verdicts(text)
    assert not v["nothing-scores-poorly"].ok


def test_no_fault_scenarios_invert_the_checks() -> None:
    from tests.conftest import make_scenario

    sc = make_scenario(page_at=1200.0)
    v = {c.name: c for c in check_scenario(sc)}
    assert all(c.ok for c in v.values()), [c.reason for c in v.values() if not c.ok]
    assert "no-fault" in v["fault-hurts-slo"].reason


def test_check_command_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "checkout-payment-step-failing", "--json"]) == 0
    (report,) = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    names = [c["name"] for c in report["checks"]]
    assert names == [
        "fault-hurts-slo",
        "reference-recovers",
        "root-cause-visible",
        "red-herrings",
        "nothing-scores-poorly",
    ]
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("error_rate: 0.35", "error_rate: 0.0001"))
    assert main(["check", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "[FAIL] fault-hurts-slo" in out


def test_check_reports_invalid_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("retries: {count: 3", "retires: {count: 3"))
    assert main(["check", str(bad), "--json"]) == 1
    (report,) = json.loads(capsys.readouterr().out)
    data: Any = report
    assert data["ok"] is False
    assert "did you mean 'retries'" in data["errors"][0]


TOPOLOGY_FILES = sorted((scenario_paths()[0].parent / "topologies").glob("*.yaml"))


@pytest.mark.parametrize("topology", TOPOLOGY_FILES, ids=lambda p: p.stem)
def test_check_on_a_topology_says_so(topology: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(topology)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"chaosgame: {topology}: this is a topology, not a scenario")
    assert "extends:" in captured.err
    assert "Traceback" not in captured.err
    assert main(["check", str(topology), "--json"]) == 2
    (report,) = json.loads(capsys.readouterr().out)
    assert report["kind"] == "topology"
    assert report["ok"] is False
    assert main(["validate", str(topology)]) == 0
    assert capsys.readouterr().out == f"{topology}: ok (a shared topology)\n"


def test_check_on_a_topology_in_a_subprocess_has_no_traceback() -> None:
    import subprocess
    import sys

    shop = scenario_paths()[0].parent / "topologies" / "shop.yaml"
    out = subprocess.run(
        [sys.executable, "-m", "chaosgame", "check", str(shop)], capture_output=True, text=True
    )
    assert out.returncode == 2
    assert "this is a topology, not a scenario" in out.stderr
    assert "Traceback" not in out.stderr


def test_validate_and_check_agree_on_what_a_file_is(tmp_path: Path) -> None:
    from chaosgame.proof.checker import check_path
    from chaosgame.scenario.loader import file_kind, validate_file

    for topology in TOPOLOGY_FILES:
        assert file_kind(topology) == "topology"
        assert validate_file(topology) == []
        assert check_path(str(topology)).kind == "topology"
    for scenario in scenario_paths():
        assert file_kind(scenario) == "scenario"
    # a draft scenario without an id, title or truth is still a scenario (it has faults):
    # validate and check both report what it lacks, neither calls it a topology
    draft = tmp_path / "draft.yaml"
    draft.write_text("faults: []\ncomponents:\n  - {name: api, kind: service}\n")
    assert file_kind(draft) == "scenario"
    problems = [p.message for p in validate_file(draft)]
    assert any("id: this field is required" in m for m in problems)
    report = check_path(str(draft))
    assert report.kind == "scenario"
    assert report.errors == [str(p) for p in validate_file(draft)]
