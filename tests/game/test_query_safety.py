"""Every failure of a query or a command is an answer the player reads, never the end of the game."""

from __future__ import annotations

import io
import math
import re
from typing import Any

import pytest

from chaosgame.console import run_console
from chaosgame.game import session as session_module
from chaosgame.game.commands import parse_command
from chaosgame.game.flow import Game
from chaosgame.game.player import PlayerView
from chaosgame.game.render import SPARK, as_text, spark
from chaosgame.scenario.library import load
from chaosgame.scenario.model import Scenario


@pytest.fixture(scope="module")
def storm() -> Scenario:
    return load()


@pytest.fixture
def view(storm: Scenario) -> PlayerView:
    v = PlayerView(storm)
    v.start()
    return v


def _act(view: PlayerView, line: str) -> dict[str, Any]:
    parsed = parse_command(line)
    assert isinstance(parsed, dict)
    return view.act(parsed)


@pytest.mark.parametrize("line", ["logs", "logs ", "logs --since=5m", "q promql"])
def test_a_query_verb_with_nothing_after_it_is_a_clean_error(view: PlayerView, line: str) -> None:
    before = view.now
    out = _act(view, line)
    assert not out["ok"]
    assert "stream selector" in out["error"] or "usage" in out["error"]
    assert view.now == before  # a query with a mistake costs nothing


def test_the_console_survives_an_empty_logs_and_an_infinite_scalar(storm: Scenario) -> None:
    out = io.StringIO()
    code = run_console(storm, None, io.StringIO("logs\nq 1e400\nq -1e400 * 0\nmap\n"), out)
    text = out.getvalue()
    assert code == 0
    assert "internal error" not in text
    assert "error: a log query starts with a stream selector" in text
    assert "now inf" in text
    assert "component" in text  # the game went on: the map was read after them


def test_spark_draws_any_floats() -> None:
    values = [1.0, math.inf, math.nan, -math.inf, 1e308, -1e308, 0.0, -0.0]
    drawn = spark(values)
    assert len(drawn) == len(values)
    assert drawn[2] == " "  # no value: a gap
    assert drawn[1] == SPARK[-1]  # infinities at the edges
    assert drawn[3] == SPARK[0]
    assert spark([math.nan, math.nan]) == "  "
    assert spark([5.0, 5.0]) == SPARK[0] * 2


def test_an_unexpected_failure_inside_a_query_is_a_clean_result(
    view: PlayerView, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any, **_kw: Any) -> Any:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(session_module.telemetry_query, "run", broken)
    before, done = view.now, len(view.actions)
    out = _act(view, "q up")
    assert not out["ok"]
    assert out["error"].startswith("this query could not be answered")
    assert "ZeroDivisionError" in out["error"]
    assert out["internal"] is True
    assert view.now == before
    assert len(view.actions) == done  # nothing recorded, nothing charged
    assert _act(view, "map")["ok"]  # and the game goes on


def test_the_flow_turns_a_failure_into_an_error_snapshot(
    storm: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    game = Game(storm)
    game.start()

    def broken(*_args: Any, **_kw: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(game, "_fold", broken)
    snap = game.step({"type": "query", "view": "map"})
    assert snap.error
    assert "boom" in snap.message
    assert not snap.ended


def test_a_search_that_stopped_early_says_so_first(
    storm: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("chaosgame.telemetry.budget.RENDER_LINES", 2000)
    game = Game(storm)
    game.start()
    snap = game.step({"type": "query", "q": '{service="checkout"} |~ "attempt" --since=1d'})
    assert not snap.error
    assert snap.message.endswith("(stopped early: narrow --since)")
    assert snap.logs is not None
    text = as_text(dict(snap.logs))
    assert text.splitlines()[1].startswith("note: stopped after ")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('events "abc', "cannot read this line: a quote is not closed"),
        ("events abc\\", "cannot read this line: the line ends with a lone backslash"),
        ("declare web bad-deploy 1e", "confidence: '1e' is not a number from 0 to 1"),
        ("wait", "usage: wait DURATION"),
    ],
)
def test_a_line_that_cannot_be_read_says_why(line: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_command(line)


def test_the_console_goes_on_when_an_answer_cannot_be_shown(
    storm: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    import chaosgame.console as console

    def broken(*_args: Any) -> str:
        raise KeyError("points")

    monkeypatch.setattr(console, "render", broken)
    out = io.StringIO()
    assert run_console(storm, None, io.StringIO("map\nwait 1m\n"), out) == 0
    text = out.getvalue()
    assert "error: the answer cannot be shown: an internal error (KeyError('points'))" in text
    assert text.count("on call") >= 3  # the status line after each, and the game went on
