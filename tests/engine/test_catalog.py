"""The catalogue: enough kinds and mitigations, every topic covered, docs and CLI in step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chaosgame import catalog
from chaosgame.cli import main
from chaosgame.engine.faults import EFFECTS, INTRODUCES, STARTS
from chaosgame.engine.mitigations import APPLY
from chaosgame.scenario.actions import MITIGATIONS
from chaosgame.scenario.faults import FAULT_KINDS
from chaosgame.scenario.model import TOPICS

DOC = Path(__file__).resolve().parents[2] / "docs" / "faults.md"


def test_the_catalogue_is_big_enough() -> None:
    assert len(FAULT_KINDS) >= 45
    assert len(MITIGATIONS) >= 25


def test_every_topic_has_two_fault_kinds_and_tags_are_curriculum_ids() -> None:
    for topic in TOPICS:
        kinds = [k for k, info in FAULT_KINDS.items() if topic in info.topics]
        assert len(kinds) >= 2, f"{topic}: only {kinds}"
    for info in FAULT_KINDS.values():
        assert info.topics, info.kind
        assert set(info.topics) <= set(TOPICS), info.kind
    for m in MITIGATIONS.values():
        assert m.topics, m.action
        assert set(m.topics) <= set(TOPICS), m.action


def test_every_entry_has_an_effect() -> None:
    for kind in FAULT_KINDS:
        assert kind in EFFECTS or kind in STARTS or kind in INTRODUCES, kind
    assert set(MITIGATIONS) == set(APPLY)


def test_every_mitigation_states_its_side_effect() -> None:
    for info in MITIGATIONS.values():
        assert info.side_effect, info.action


def test_the_mitigations_the_issue_names_exist() -> None:
    names = {
        "rollback", "pause-rollout", "shift-traffic", "toggle-flag", "revert-config", "restart",
        "scale", "set-autoscaler-max", "raise-limit", "failover-db", "failover-region",
        "promote-replica", "kill-query", "pause-job", "resize-pool", "shed-load", "rate-limit",
        "open-breaker", "disable-retries", "flush-cache", "warm-cache", "drain-node",
        "renew-cert", "reload-secret", "block-client", "raise-quota", "switch-fallback",
        "silence-alert",
    }  # fmt: skip
    assert names <= set(MITIGATIONS)


def test_json_has_exactly_the_promised_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"faults", "mitigations"}
    assert len(data["faults"]) == len(FAULT_KINDS)
    for f in data["faults"]:
        assert set(f) == {"kind", "topics", "params", "summary"}
    for m in data["mitigations"]:
        assert set(m) == {"action", "topics", "summary", "delay_s"}
    bad = next(f for f in data["faults"] if f["kind"] == "bad-deploy")
    assert bad["params"] == {"version": None, "error_rate": 0.5}


def test_table_lists_every_kind(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog"]) == 0
    out = capsys.readouterr().out
    for kind in FAULT_KINDS:
        assert kind in out
    assert "silence-alert" in out
    assert "(risky" in out


def test_docs_page_is_generated_from_the_catalogue() -> None:
    assert DOC.read_text(encoding="utf-8") == catalog.render_markdown(), (
        f"docs/faults.md is stale; regenerate it with:\n    {catalog.REGENERATE}"
    )
