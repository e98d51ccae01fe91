"""The debrief: plain data with the truth, the paths, the signals and the SLI curves."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from chaosgame.console import run_console
from chaosgame.game.debrief import build_debrief
from chaosgame.game.players import reference_actions
from chaosgame.game.scoring import assess, baselines, play
from chaosgame.scenario.library import load
from chaosgame.scenario.model import Scenario


@pytest.fixture(scope="module")
def storm() -> Scenario:
    return load("checkout-payment-step-failing")


def _debrief(
    sc: Scenario, actions: list[dict[str, Any]], seed: int | None = None
) -> dict[str, Any]:
    return build_debrief(assess(play(sc, actions, seed)[0]))


@pytest.fixture(scope="module")
def reference(storm: Scenario) -> dict[str, Any]:
    """The reference player's debrief (the comparison run itself, played once)."""
    return build_debrief(assess(baselines(storm).reference))


@pytest.fixture(scope="module")
def idle(storm: Scenario) -> dict[str, Any]:
    return build_debrief(assess(baselines(storm).nothing))


@pytest.fixture(scope="module")
def busy(storm: Scenario) -> dict[str, Any]:
    acts = [
        {"type": "query", "view": "metric", "component": "catalog"},
        {"type": "mitigate", "action": "restart", "target": "web"},
        {"type": "query", "view": "metric", "component": "payments", "metric": "errors"},
        *reference_actions(storm),
    ]
    return _debrief(storm, acts)


def test_debrief_is_plain_json_data(reference: dict[str, Any]) -> None:
    d = reference
    assert json.loads(json.dumps(d)) == d
    for key in (
        "score",
        "root_cause",
        "causal_chain",
        "signals",
        "player_path",
        "reference_path",
        "sli",
        "questions",
    ):
        assert key in d
    assert d["root_cause"] == {"component": "payments", "kind": "bad-deploy"}
    assert d["causal_chain"][0]["clock"] == "14:00:00"


def test_sli_curves_for_player_reference_and_nothing(idle: dict[str, Any]) -> None:
    sli = idle["sli"]
    assert sli["columns"] == [
        "time",
        "checkout availability",
        "checkout latency",
        "browse availability",
    ]
    lengths = {len(sli[r]) for r in ("player", "reference", "nothing")}
    assert len(lengths) == 1
    assert all(len(row) == 4 for row in sli["player"])
    assert sli["player"] == sli["nothing"]  # doing nothing is the nothing run
    last_ref, last_idle = sli["reference"][-1], sli["nothing"][-1]
    assert last_ref[1] > 0.99 > last_idle[1]


def test_signals_looked_at_or_missed(reference: dict[str, Any], busy: dict[str, Any]) -> None:
    assert reference["signals"]
    assert not any(s["looked_at"] for s in reference["signals"])
    first = busy["signals"][0]
    assert "payments" in first["components"]
    assert first["looked_at"]


def test_what_each_action_did(busy: dict[str, Any]) -> None:
    path = busy["player_path"]
    assert [p["type"] for p in path] == [
        "query",
        "mitigate",
        "query",
        "mitigate",
        "mitigate",
        "declare",
        "end",
    ]
    assert "not on the causal chain" in path[0]["effect"]
    assert path[1]["role"] == "not related to the cause"
    assert path[1]["risky"] is True
    assert "(on the causal chain)" in path[2]["effect"]
    assert path[3]["role"] == "part of the reference solution"
    assert path[3]["result"] == "v3.2.0 -> v3.1.9: rolling back, every pod replaced in 5 min"
    assert path[5]["effect"] == "judged: exact"
    assert path[1]["cost_s"] == 30.0


def test_reference_path_is_shown(idle: dict[str, Any]) -> None:
    ref = idle["reference_path"]
    assert [r["text"] for r in ref[:2]] == [
        "do rollback payments",
        "do disable-retries checkout to=payments",
    ]


def test_questions_scenario_first_then_drawn_by_seed(storm: Scenario, idle: dict[str, Any]) -> None:
    one = idle["questions"]
    again = build_debrief(assess(baselines(storm).nothing))["questions"]
    assert one == again
    own = [q for q in one if q["source"] == "scenario"]
    assert [q["question"] for q in own] == [q.question for q in storm.debrief.questions]
    drawn = [q for q in one if q["source"] == "bank"]
    assert drawn, "the bank adds questions by the scenario's topics"
    assert all(set(q["topics"]) & set(storm.topics) for q in drawn)


def test_console_ends_with_score_and_debrief(storm: Scenario) -> None:
    script = "do rollback payments\ndo disable-retries checkout to=payments\n"
    script += "declare catalog bad-deploy\nend\n"
    out = io.StringIO()
    assert run_console(storm, None, io.StringIO(script), out) == 0
    text = out.getvalue()
    assert "Score " in text
    assert "You declared bad-deploy in catalog: not the root cause." in text
    assert "The reference path" in text
