"""Declaring the artefact a fleet-wide root cause shares: the command language, the player
view, the text console and the score all take it."""

from __future__ import annotations

import io

from chaosgame.console import run_console
from chaosgame.game.commands import parse_command
from chaosgame.game.player import PlayerView
from chaosgame.scenario.library import load

EDGE = "front-pages-fail-in-three-cities"
ARTEFACT = "image:edge-2611"


def test_the_command_line_declares_an_artefact() -> None:
    assert parse_command(f"declare {ARTEFACT} memory-leak 0.7") == {
        "type": "declare",
        "component": ARTEFACT,
        "kind": "memory-leak",
        "confidence": 0.7,
    }


def test_the_briefing_lists_the_artefacts_a_player_may_name() -> None:
    view = PlayerView(load(EDGE))
    assert view.briefing()["artefacts"] == [
        "image:edge-2609",
        "image:edge-2611",
        "pop:ams",
        "pop:fra",
        "pop:lhr",
        "pop:mad",
        "pop:par",
    ]
    assert PlayerView(load()).briefing()["artefacts"] == []


def test_the_player_view_takes_an_artefact_and_refuses_an_unknown_one() -> None:
    view = PlayerView(load(EDGE))
    view.start()
    bad = view.act({"type": "declare", "component": "image:edge-2612", "kind": "memory-leak"})
    assert not bad["ok"]
    assert bad["error"] == "unknown artefact 'image:edge-2612'; did you mean 'image:edge-2611'?"
    good = view.act({"type": "declare", "component": ARTEFACT, "kind": "memory-leak"})
    assert good["ok"]
    assert view.declarations[-1]["hypotheses"][0]["component"] == ARTEFACT


def _verdict(scenario: str, component: str, kind: str) -> tuple[str, float]:
    view = PlayerView(load(scenario))
    view.start()
    assert view.act({"type": "declare", "component": component, "kind": kind})["ok"]
    view.end()
    diag = next(p for p in view.debrief()["score"]["parts"] if p["key"] == "diagnosis")["data"]
    return diag["verdicts"][0], diag["accuracy"]


def test_the_score_takes_the_artefact_or_any_node_built_from_it() -> None:
    assert _verdict(EDGE, ARTEFACT, "memory-leak") == ("exact", 1.0)
    assert _verdict(EDGE, "edge-par", "memory-leak") == ("exact", 1.0)
    assert _verdict(EDGE, "edge-lhr", "memory-leak") == ("wrong", 0.0)
    assert _verdict(EDGE, "image:edge-2609", "memory-leak") == ("wrong", 0.0)


def test_the_debrief_names_the_artefact() -> None:
    view = PlayerView(load(EDGE))
    view.start()
    view.end()
    debrief = view.debrief()
    assert debrief["root_cause"] == {
        "component": "edge-ams",
        "kind": "memory-leak",
        "artefact": ARTEFACT,
    }
    text = " ".join(debrief["text"].split())  # the text wraps at its width
    assert f"Root cause: memory-leak in edge-ams (every component built from {ARTEFACT})" in text
    assert f"(every component built from **{ARTEFACT}**)" in debrief["postmortem"]


def test_the_console_lists_and_declares_artefacts() -> None:
    out = io.StringIO()
    script = io.StringIO(f"artefacts\ndeclare {ARTEFACT} memory-leak 0.9\nend\n")
    assert run_console(load(EDGE), None, script, out) == 0
    lines = out.getvalue().splitlines()
    assert f"  {ARTEFACT}" in lines
    assert any(f"declared memory-leak in {ARTEFACT}" in ln for ln in lines), lines
    assert "You declared memory-leak in image:edge-2611: right." in " ".join(out.getvalue().split())
