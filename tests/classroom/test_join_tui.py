"""``chaosgame join`` in the terminal UI: the same screens, the game on the host's server."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from chaosgame.classroom.client import RemoteView
from chaosgame.classroom.room import Room, new_round
from chaosgame.classroom.server import ClassServer, Running
from chaosgame.classroom.store import Store, open_store
from chaosgame.scenario.library import load
from chaosgame.tui.app import ChaosApp
from chaosgame.tui.screens.briefing import BriefingScreen
from chaosgame.tui.screens.console import ConsoleScreen
from chaosgame.tui.screens.debrief import DebriefScreen
from tests.tui.conftest import press, run_async, screen_lines, settle


@dataclass
class Joined:
    """A round served on loopback and a player's terminal UI joined to it as ada."""

    store: Store
    code: str
    view: RemoteView
    app: ChaosApp


@contextmanager
def joined(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str = "class"
) -> Iterator[Joined]:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    store = open_store(tmp_path / "class.db")
    r, _ = new_round(store, load("checkout-payment-step-failing"), mode=mode)
    running = Running(ClassServer(store))
    view = RemoteView(f"127.0.0.1:{running.port}", r.code, "ada")
    app = ChaosApp(start="remote")
    app.remote_view = view
    try:
        yield Joined(store, r.code, view, app)
    finally:
        view.close()
        running.stop()
        store.close()


@run_async
async def test_a_round_played_in_the_tui_waits_for_the_reveal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with joined(tmp_path, monkeypatch) as j:
        room = Room(j.store, j.code)
        async with j.app.run_test(size=(100, 34)) as pilot:
            await press(pilot)
            assert isinstance(j.app.screen, BriefingScreen)
            await press(pilot, "enter")
            assert isinstance(j.app.screen, ConsoleScreen)
            await press(pilot, "r")  # the service map, from the server
            assert j.app.snapshot is not None
            assert j.app.snapshot.map is not None
            assert len(j.store.journal(j.code, "ada")) == 1
            room.store.log(j.code, "hint", {"text": "follow the errors", "penalty": 2}, 1.0)
            await press(pilot, "1", "slash", *"do rollback payments", "enter")
            await press(pilot, "e")
            await pilot.press("y")  # no settling: a worker waits for the host from now on
            for _ in range(200):  # the debrief screen comes up, waiting for the host
                await pilot.pause(0.05)
                if isinstance(j.app.screen, DebriefScreen):
                    break
            assert isinstance(j.app.screen, DebriefScreen)
            assert "reveals it" in "\n".join(screen_lines(j.app))
            assert j.app.snapshot.debrief is None
            room.set_state("ended")
            room.set_state("revealed")
            for _ in range(400):
                await pilot.pause(0.05)
                if j.app.snapshot is not None and j.app.snapshot.debrief is not None:
                    break
            await asyncio.sleep(0.2)
            await pilot.pause()
            assert j.app.snapshot.debrief is not None
            assert j.app.snapshot.debrief["root_cause"]["component"] == "payments"
            assert isinstance(j.app.screen, DebriefScreen)
            text = "\n".join(screen_lines(j.app))
            assert "DEBRIEF" in text
            assert "reveals it" not in text
            assert any(e["kind"] == "hint" for e in j.view.events)


@run_async
async def test_join_without_a_name_asks_it_and_keeps_the_token_file_in_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chaosgame.classroom.client import token_file

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    store = open_store(tmp_path / "class.db")
    r, _ = new_round(store, load("checkout-payment-step-failing"))
    running = Running(ClassServer(store))
    address = f"127.0.0.1:{running.port}"
    app = ChaosApp(start="remote")
    app.join_request = (address, None, False)  # the code asked too, as with --serve
    try:
        async with app.run_test(size=(100, 34)) as pilot:
            await press(pilot)
            assert "the round's code" in "\n".join(screen_lines(app))
            await press(pilot, *r.code, "enter", *"ada", "enter")
            for _ in range(200):
                await pilot.pause(0.05)
                if isinstance(app.screen, BriefingScreen):
                    break
            assert isinstance(app.screen, BriefingScreen)  # no token screen in a terminal
            assert store.player(r.code, "ada") is not None
            assert token_file(address, r.code, "ada").exists()
    finally:
        if app.remote_view is not None:
            app.remote_view.close()
        running.stop()
        store.close()


@run_async
async def test_the_candidate_thinks_aloud_with_a_key_and_local_play_has_no_such_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chaosgame.tui.app import make_app
    from chaosgame.tui.screens.dialogs import ThinkDialog

    with joined(tmp_path, monkeypatch, "interview") as j:
        async with j.app.run_test(size=(100, 34)) as pilot:
            await press(pilot)
            await press(pilot, "enter")
            assert isinstance(j.app.screen, ConsoleScreen)
            assert "think aloud" in "\n".join(screen_lines(j.app))  # the footer offers it
            await press(pilot, "s")
            assert isinstance(j.app.screen, ThinkDialog)
            await press(pilot, "escape")  # dropped: nothing sent
            assert isinstance(j.app.screen, ConsoleScreen)
            await press(pilot, "s", *"payments errors since the deploy", "enter")
            assert isinstance(j.app.screen, ConsoleScreen)
            for _ in range(100):
                if j.store.round_log(j.code):
                    break
                await pilot.pause(0.05)
            log = [(kind, body) for _, kind, body, _ in j.store.round_log(j.code)]
            assert log == [
                (
                    "think",
                    {
                        "name": "ada",
                        "text": "payments errors since the deploy",
                        "game_clock": "14:13:30",
                    },
                )
            ]
            assert j.store.journal(j.code, "ada") == []  # the game did not move
            await settle(pilot)
            assert any("Noted for the host" in str(n.message) for n in j.app._notifications)

    local = make_app("checkout-payment-step-failing", 7, start="briefing", export_dir=tmp_path)
    async with local.run_test(size=(100, 34)) as pilot:
        await press(pilot)
        await press(pilot, "enter")
        assert isinstance(local.screen, ConsoleScreen)
        assert "think aloud" not in "\n".join(screen_lines(local))
        await press(pilot, "s")
        assert isinstance(local.screen, ConsoleScreen)  # no server: no dialog


@run_async
async def test_a_teammates_message_shows_while_the_player_asks_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with joined(tmp_path, monkeypatch) as j:
        room = Room(j.store, j.code)
        async with j.app.run_test(size=(100, 34)) as pilot:
            await press(pilot)
            await press(pilot, "enter")
            assert isinstance(j.app.screen, ConsoleScreen)
            asked = len(j.store.journal(j.code, "ada"))
            room.inject({"kind": "message", "sender": "Priya", "text": "anyone on payments?"})
            for _ in range(100):  # no key pressed: the view reads the event by itself
                await pilot.pause(0.05)
                if any("anyone on payments?" in str(n.message) for n in j.app._notifications):
                    break
            shown = [str(n.message) for n in j.app._notifications]
            assert "Message from Priya: anyone on payments?" in shown
            assert len(j.store.journal(j.code, "ada")) == asked + 1  # the event's line alone
