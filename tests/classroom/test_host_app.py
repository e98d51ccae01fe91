"""The instructor console against a real server on loopback (SQLite): the leaderboard fills
as players play, the host's keys run the round, a lost server comes back."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable
from websockets.sync.client import connect

from chaosgame.classroom.host_app import HostConsole
from chaosgame.classroom.room import new_round
from chaosgame.classroom.server import ClassServer, Running
from chaosgame.classroom.store import Store, open_store
from chaosgame.scenario.library import load
from tests.classroom.test_room import PLAY
from tests.tui.conftest import run_async

SCENARIO = "checkout-payment-step-failing"


@dataclass
class Classroom:
    store: Store
    running: Running
    code: str
    token: str

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.running.port}"

    def restart(self) -> None:
        """The server again, on the same port and database (after ``running.stop()``)."""
        self.running = Running(ClassServer(self.store), "127.0.0.1", self.running.port)


@pytest.fixture
def classroom(tmp_path: Path) -> Iterator[Classroom]:
    store = open_store(tmp_path / "class.db")
    r, token = new_round(store, load(SCENARIO))
    room = Classroom(store, Running(ClassServer(store)), r.code, token)
    try:
        yield room
    finally:
        room.running.stop()
        store.close()


def console(room: Classroom, folder: Path, **kw: Any) -> HostConsole:
    kw.setdefault("refresh_s", 0.2)
    return HostConsole(
        room.address, room.code, room.token, export_dir=folder, backoff=(0.1, 0.2), **kw
    )


def play(
    room: Classroom, name: str, requests: list[dict[str, Any]], token: str | None = None
) -> list[dict[str, Any]]:
    """A player joins (or comes back with ``token``) and sends ``requests``: the answers,
    the join's first (pushed events skipped)."""
    answers = []
    join = {"op": "join", "round": room.code, "name": name, "token": token}
    with connect(f"ws://{room.address}/ws/play") as ws:
        for request in [join, *requests]:
            ws.send(json.dumps(request))
            while "event" in (answer := json.loads(ws.recv(timeout=60))):
                pass
            answers.append(answer)
    return answers


async def until(pilot: Pilot[Any], what: str, check: Callable[[], bool]) -> None:
    """Let the console work until ``check()`` holds (a failure names what never came)."""
    for _ in range(600):
        if check():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"the console never showed {what}")


async def typed(pilot: Pilot[Any], key: str, text: str) -> None:
    """Press ``key``, add ``text`` to what it put on the command line, press enter (the
    text is pasted: keys one by one are slow with a server in the same process)."""
    await pilot.press(key)
    app = pilot.app
    assert isinstance(app, HostConsole)
    assert app.command.has_focus
    app.command.insert_text_at_cursor(text)
    await pilot.press("enter")


def board(app: HostConsole) -> list[list[str]]:
    table = app.query_one("#board", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def ended(app: HostConsole) -> list[list[str]]:
    """[name, status] of every row."""
    return [[r[0], r[8]] for r in board(app)]


def _row(app: HostConsole, name: str) -> list[str]:
    return next(r for r in board(app) if r[0] == name)


def said(app: HostConsole, text: str) -> bool:
    return any(text in line for line in app.said)


@run_async
async def test_the_leaderboard_fills_as_players_play(classroom: Classroom, tmp_path: Path) -> None:
    app = console(classroom, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, "the connection", lambda: app.state == "open" and app.link.connected)
        assert board(app) == []
        await asyncio.to_thread(play, classroom, "ada", PLAY[:3])
        await until(pilot, "ada's row", lambda: [r[0] for r in board(app)] == ["ada"])
        await asyncio.to_thread(play, classroom, "bob", PLAY)
        await until(pilot, "bob's game over", lambda: ["bob", "ended"] in ended(app))
        rows = {r[0]: r for r in board(app)}
        assert rows["ada"][6] == "2"  # actions: query and mitigate (observe is not one)
        assert rows["ada"][8] == "playing"
        assert rows["bob"][8] == "ended"
        assert rows["bob"][1] != "-"  # the host sees a finished game's score at once
        await until(pilot, "ada's score so far", lambda: _row(app, "ada")[2] != "-")
        assert _row(app, "ada")[1] == "-"  # her game goes on: no score yet, a score so far
        assert [r[0] for r in board(app)] == ["bob", "ada"]  # by score: an ended game first
        await pilot.press("s")  # by the score so far, then ... by name with more presses
        assert app.sort_key == "now"
        app.sort_key = "name"
        await until(
            pilot, "the order by name", lambda: [r[0] for r in board(app)] == ["ada", "bob"]
        )
        await pilot.press("colon", "s", "escape")  # the command line, and back
        assert app.board.has_focus
        assert app.command.value == ""
        assert app.sort_key == "name"
        await pilot.press("S")
        await until(
            pilot, "the reversed order", lambda: [r[0] for r in board(app)] == ["bob", "ada"]
        )
        # the selection follows the player, whatever the order: ada's timeline, then bob's
        assert app.selected == "ada"
        await until(pilot, "ada's timeline", lambda: len(app.steps) == 2)
        assert [s["request"]["op"] for s in app.steps] == ["query", "mitigate"]
        await pilot.press("up")
        await until(pilot, "bob's timeline", lambda: app.selected == "bob" and len(app.steps) == 7)
        assert app.steps[-1]["request"] == {"op": "end"}


@run_async
async def test_the_host_runs_the_round_with_keys(classroom: Classroom, tmp_path: Path) -> None:
    folder = tmp_path / "grades"
    app = console(classroom, folder, refresh_s=1.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, "the connection", lambda: app.link.connected)
        joined = await asyncio.to_thread(play, classroom, "ada", PLAY[:3])
        token = joined[0]["result"]["joined"]["token"]
        await until(pilot, "ada's row", lambda: len(board(app)) == 1)

        await pilot.press("p")
        await until(pilot, "the pause", lambda: said(app, "the clock is paused"))
        assert app.state == "paused"
        refused = await asyncio.to_thread(play, classroom, "ada", [PLAY[1]], token)
        assert refused[-1]["error"]["code"] == "paused"
        await pilot.press("p")
        await until(pilot, "the clock running", lambda: app.state == "open")

        await typed(pilot, "h", "callers?")
        await until(pilot, "the hint", lambda: said(app, "hint (costs 5 points): callers?"))
        await typed(pilot, "colon", "hint -p 0 free")
        await until(pilot, "the free hint", lambda: said(app, "hint (free): free"))
        await typed(pilot, "n", "ada: deploys")
        await until(pilot, "the note", lambda: said(app, "note: ada: deploys"))
        await typed(pilot, "colon", "hint -p 80 x")
        assert said(app, "a hint costs 0 to 50 points, not 80")
        await typed(pilot, "colon", "paws")
        assert said(app, "did you mean 'pause'?")
        kinds = [(kind, body) for _, kind, body, _ in classroom.store.round_log(classroom.code)]
        assert kinds[2:] == [
            ("hint", {"text": "callers?", "penalty": 5.0}),
            ("hint", {"text": "free", "penalty": 0.0}),
            ("note", {"text": "ada: deploys"}),
        ]

        await asyncio.to_thread(play, classroom, "bob", PLAY)  # after the hints: no penalty
        await pilot.press("r")  # not yet: the round has not ended
        await pilot.press("y")
        await until(pilot, "the refusal", lambda: said(app, "Not done (reveal)"))
        await pilot.press("e", "n")  # asked first; no
        await pilot.pause(0.3)
        assert app.state == "open"
        await pilot.press("e", "y")
        await until(pilot, "the end", lambda: app.state == "ended")
        await pilot.press("r", "y")
        await until(pilot, "the reveal", lambda: app.state == "revealed")
        await until(pilot, "both rows", lambda: len(board(app)) == 2)
        await pilot.press("x")
        await until(pilot, "the export", lambda: said(app, "Grades of 2 players written to"))
        grades = json.loads((folder / f"grades-{classroom.code}.json").read_text())
        rows = {p["name"]: p for p in grades["players"]}
        assert rows["bob"]["penalty"] == 0.0
        assert rows["bob"]["score"] == rows["bob"]["raw_score"] is not None
        assert rows["ada"]["penalty"] == 5.0  # still playing when the 5-point hint came
        assert rows["ada"]["score"] is None  # never ended her game
        csv_lines = (folder / f"grades-{classroom.code}.csv").read_text().splitlines()
        assert csv_lines[0].startswith("name,score,raw_score,penalty")
        assert len(csv_lines) == 3
        postmortems = sorted(p.name for p in folder.glob(f"postmortem-{classroom.code}-*.md"))
        assert postmortems == [f"postmortem-{classroom.code}-bob.md"]  # only bob's game ended
        assert "payments" in (folder / postmortems[0]).read_text()
        shown = {r[0]: r for r in board(app)}
        assert shown["ada"][4] == "-5.0"
        assert shown["bob"][1] == shown["bob"][3] != "-"


@run_async
async def test_a_lost_server_is_said_and_the_console_recovers(
    classroom: Classroom, tmp_path: Path
) -> None:
    app = console(classroom, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, "the connection", lambda: app.link.connected)
        await asyncio.to_thread(play, classroom, "ada", PLAY[:3])
        await until(pilot, "ada's row", lambda: len(board(app)) == 1)
        classroom.running.stop()
        link = app.query_one("#link")
        await until(pilot, "the lost connection", lambda: link.has_class("-down"))
        text = str(link.render())
        assert f"No connection to {classroom.address}" in text
        assert "Trying again in" in text
        assert "the board shows what was known at" in text
        assert [r[0] for r in board(app)] == ["ada"]  # what was shown stays
        await pilot.press("p")
        await until(pilot, "the refusal to pause", lambda: said(app, "Not sent (pause)"))
        classroom.restart()
        await until(pilot, "the connection again", lambda: said(app, "Connected again."))
        assert not link.has_class("-down")
        await pilot.press("p")
        await until(pilot, "the pause", lambda: app.state == "paused")
        assert classroom.store.round(classroom.code).state == "paused"


@run_async
async def test_a_wrong_token_is_refused_once_and_clearly(
    classroom: Classroom, tmp_path: Path
) -> None:
    app = HostConsole(classroom.address, classroom.code, "not-the-token", export_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        link = app.query_one("#link")
        await until(pilot, "the refusal", lambda: link.has_class("-refused"))
        assert "this is not the host's token for the round" in str(link.render())
        assert "Check the round code and the host token" in str(link.render())
        assert not app.link.connected


# ------------------------------------------------------------------ snapshots at 80x24
NINE = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC).timestamp()
"""The fixed wall clock of the snapshots' server: 09:00 UTC."""


@pytest.fixture
def still_room(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Classroom]:
    """A round with a fixed code and a server clock the test sets: two players (one done),
    a 5-point hint between them, the clock paused; times shown in UTC."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setattr("chaosgame.classroom.room._code", lambda: "K7F3-QX2M")
    now = [NINE]
    store = open_store(tmp_path / "class.db")
    r, token = new_round(store, load(SCENARIO))
    room = Classroom(store, Running(ClassServer(store, clock=lambda: now[0])), r.code, token)
    try:
        play(room, "ada", PLAY[:3])
        now[0] += 30
        joined = play(room, "bob", PLAY[:4])
        now[0] += 60
        with connect(f"ws://{room.address}/ws/host") as host:
            for request in (
                {"op": "host", "round": room.code, "token": token},
                {"op": "hint", "text": "look at what calls payments", "penalty": 5},
            ):
                host.send(json.dumps(request))
                host.recv(timeout=30)
            now[0] += 60
            play(room, "bob", PLAY[4:], joined[0]["result"]["joined"]["token"])
            now[0] += 60
            host.send(json.dumps({"op": "pause"}))
            host.recv(timeout=30)
        yield room
    finally:
        room.running.stop()
        store.close()
        monkeypatch.undo()
        time.tzset()


def _settled(*keys: str, check: Callable[[HostConsole], bool]) -> Any:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, HostConsole)
        await until(pilot, "the round", lambda: len(board(app)) == 2 and len(app.steps) > 0)
        for key in keys:
            await pilot.press(key)
        await until(pilot, "the last step", lambda: check(app))
        app.command.cursor_blink = False
        await pilot.pause()

    return run_before


def test_snapshot_a_paused_round_and_a_hint_being_typed(
    still_room: Classroom, tmp_path: Path, snap_compare: Any
) -> None:
    app = console(still_room, tmp_path, refresh_s=1.0)
    keys = ("h", *"read the deploys")
    done = _settled(*keys, check=lambda a: a.command.value.endswith("deploys"))
    assert snap_compare(app, terminal_size=(80, 24), run_before=done)


def test_snapshot_the_revealed_round(
    still_room: Classroom, tmp_path: Path, snap_compare: Any
) -> None:
    app = console(still_room, tmp_path, refresh_s=1.0)
    keys = ("e", "y", "r", "y")

    def revealed(a: HostConsole) -> bool:
        return said(a, "the debrief is revealed") and a.players[0].get("score") is not None

    assert snap_compare(app, terminal_size=(80, 24), run_before=_settled(*keys, check=revealed))
