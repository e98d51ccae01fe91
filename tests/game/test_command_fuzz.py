"""Thousands of generated command lines: each gets an answer or a clean error, never a crash.

The lines come from the command language's own grammar (``command_lines``) with hostile
numbers, durations, unicode, unbalanced quotes and braces mixed in. They go through the paths
the frontends use: the text console (``run_console``: ``parse_command``, the player view and
the rendering of every answer) and the flow the terminal UI runs in its worker
(``parse_command`` then :class:`~chaosgame.game.flow.Game`). A failure inside the game comes
back as an error that says "internal error": the test fails on those, and on any exception.
"""

from __future__ import annotations

import io
import itertools
from typing import Any

import pytest

from chaosgame.console import run_console
from chaosgame.game.commands import parse_command
from chaosgame.game.flow import Game
from chaosgame.game.player import PlayerView
from chaosgame.scenario.actions import MITIGATIONS
from chaosgame.scenario.model import Scenario
from tests.conftest import make_scenario
from tests.game.command_lines import Lines

LINES = 3000
"""Lines per path (the two paths take about ten seconds together)."""
LOCAL = {"help", "?", "metrics", "actions", "quit", "exit", "noop"}


@pytest.fixture
def long_game(monkeypatch: pytest.MonkeyPatch) -> Scenario:
    """The small scenario with six hours of history to search and most of a day to play in, and
    searches with small budgets (every budget path is taken, quickly)."""
    monkeypatch.setattr("chaosgame.telemetry.budget.RENDER_LINES", 2000)
    monkeypatch.setattr("chaosgame.telemetry.budget.BULK_LINES", 100_000)
    return make_scenario(duration=86400.0, time_limit=60000.0, page_at=6 * 3600.0)


def test_the_console_answers_every_generated_line(
    long_game: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the debrief at the end of each game is not a command: a cheap one keeps this test quick
    monkeypatch.setattr(PlayerView, "debrief", lambda self, run_id=None: {"text": "debrief"})
    names = [c.name for c in long_game.components]
    lines = list(itertools.islice(Lines(11, names, list(MITIGATIONS)), LINES))
    stdin = io.StringIO("".join(line.replace("\n", " ") + "\n" for line in lines))
    out = io.StringIO()
    games = 0
    while stdin.tell() < len(stdin.getvalue()) and games < 20:  # a new game when time is up
        assert run_console(long_game, 5, stdin, out) == 0
        games += 1
    text = out.getvalue()
    assert text.count("\n> ") >= LINES // 2
    bad = [chunk for chunk in text.split("\n> ") if "internal error" in chunk]
    assert not bad, bad[:3]


def test_the_flow_answers_every_generated_line(long_game: Scenario) -> None:
    names = [c.name for c in long_game.components]
    game = Game(long_game, 5)
    game.start()
    answered = errors = 0
    for line in itertools.islice(Lines(12, names, list(MITIGATIONS)), LINES):
        parsed = _parsed(line)
        if isinstance(parsed, ValueError):  # the console and the terminal UI show it as it is
            assert str(parsed).strip(), line
            errors += 1
            continue
        if isinstance(parsed, str):
            assert parsed in LOCAL, line
            continue
        snap = game.step(parsed)
        assert "internal error" not in snap.message, (line, snap.message)
        assert snap.message, line
        if snap.error:
            errors += 1
        else:
            answered += 1
        if snap.ended:
            game = Game(long_game, 5)
            game.start()
    assert answered > LINES // 10
    assert errors > LINES // 10


def _parsed(line: str) -> dict[str, Any] | str | ValueError:
    """The command, or the error the frontends show."""
    try:
        return parse_command(line)
    except ValueError as exc:
        return exc
