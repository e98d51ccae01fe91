"""Take the screenshots of docs/classroom.md (SVG): a round on a real server on loopback.

Run from the repository: ``python docs/make_classroom_screenshots.py``. It opens a round of
the built-in incident in a temporary database, lets three players play part of it over the
websocket as a class would, sends a hint and a teammate's message, and pictures the
instructor console, a player joining in the terminal, and a player's console with the
message in; then an interview of another incident, on the interviewer's screen (which shows
that incident's cause). Nothing pictured of the class gives its incident's cause away.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
IMG = ROOT / "docs" / "img"
SCENARIO = "checkout-payment-step-failing"
INTERVIEW_SCENARIO = "search-spins-forever"
"""The interview shows the truth: another incident than the walkthrough of docs/playing.md."""

PLAYERS: dict[str, list[dict[str, Any]]] = {
    "ada": [
        {"op": "observe"},
        {"op": "query", "view": "events", "window": "2h"},
        {"op": "query", "view": "metric", "component": "checkout", "metric": "errors"},
        {"op": "wait", "seconds": 120},
    ],
    "grace": [
        {"op": "observe"},
        {"op": "query", "view": "slo"},
        {"op": "mitigate", "action": "scale", "target": "checkout", "replicas": 8},
        {"op": "wait", "seconds": 300},
        {"op": "declare", "component": "checkout", "kind": "capacity", "confidence": 0.4},
        {"op": "end"},
    ],
    "linus": [{"op": "observe"}, {"op": "wait", "seconds": 60}],
}
"""What each player of the pictured class has done so far (none of it the answer)."""
CONSOLE = "classroom-console"
JOIN = "classroom-join"
MESSAGE = "classroom-message"
INTERVIEW = "classroom-interview"
CANDIDATE: list[dict[str, Any]] = [
    {"op": "observe"},
    {"op": "think", "text": "search is slow for everyone; first, what changed lately?"},
    {"op": "query", "view": "deploys", "window": "2h"},
    {"op": "think", "text": "nothing deployed near the page; the SLOs next"},
    {"op": "query", "view": "slo"},
]
"""What the pictured interview's candidate has done so far."""


def image_names() -> list[str]:
    """The files the script writes."""
    return [f"{name}.svg" for name in (CONSOLE, JOIN, MESSAGE, INTERVIEW)]


def _play(address: str, code: str, name: str, requests: list[dict[str, Any]]) -> None:
    from websockets.sync.client import connect

    with connect(f"ws://{address}/ws/play") as ws:
        for n, request in enumerate([{"op": "join", "round": code, "name": name}, *requests]):
            ws.send(json.dumps({"id": n, **request}))
            while "event" in json.loads(ws.recv(timeout=120)):
                pass


async def _settle(pilot: Any, rounds: int = 3) -> None:
    for _ in range(rounds):
        await pilot.pause(0.2)


def _svg(app: Any, out: Path, name: str) -> None:
    from textual.widgets import Input

    for field in app.screen.query(Input):
        field.cursor_blink = False
    (out / f"{name}.svg").write_text(app.export_screenshot(title=f"chaosgame: {name}"), "utf-8")
    print(out / f"{name}.svg")


async def shoot(out: Path = IMG) -> None:
    """Run the class and write each screenshot into ``out``."""
    sys.path.insert(0, str(ROOT))
    from chaosgame.classroom.client import RemoteView
    from chaosgame.classroom.host_app import HostConsole
    from chaosgame.classroom.room import Room, new_round
    from chaosgame.classroom.server import ClassServer, Running
    from chaosgame.classroom.store import open_store
    from chaosgame.scenario.library import load
    from chaosgame.tui.app import ChaosApp
    from chaosgame.tui.screens.console import ConsoleScreen

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "class.db")
        r, token = new_round(store, load(SCENARIO))
        running = Running(ClassServer(store))
        address = f"127.0.0.1:{running.port}"
        try:
            for name, requests in PLAYERS.items():
                await asyncio.to_thread(_play, address, r.code, name, requests)
            room = Room(store, r.code)
            hint = {"text": "what changed just before the page?", "penalty": 5.0}
            store.log(r.code, "hint", hint, time.time())
            console = HostConsole(address, r.code, token, export_dir=Path(tmp), refresh_s=0.2)
            async with console.run_test(size=(100, 30)) as pilot:
                await _settle(pilot, 10)
                await pilot.press("i", *"message --from Priya hello from the DB team")
                await _settle(pilot)
                _svg(console, out, CONSOLE)

            joining = ChaosApp(start="remote")
            joining.join_request = (address, r.code, False)
            async with joining.run_test(size=(80, 24)) as pilot:
                await _settle(pilot)
                await pilot.press(*"margaret")
                await _settle(pilot)
                _svg(joining, out, JOIN)

            view = RemoteView(address, r.code, "barbara")
            player = ChaosApp(start="remote")
            player.remote_view = view
            try:
                async with player.run_test(size=(100, 30)) as pilot:
                    await _settle(pilot, 5)
                    await pilot.press("enter")
                    while not isinstance(player.screen, ConsoleScreen):
                        await pilot.pause(0.1)
                    await _settle(pilot, 5)
                    room.inject(
                        {
                            "kind": "message",
                            "sender": "Priya (DBA)",
                            "text": "payments-db looks fine from here; anyone touched checkout?",
                        }
                    )
                    for _ in range(100):
                        await pilot.pause(0.1)
                        if any("Priya" in str(n.message) for n in player._notifications):
                            break
                    await _settle(pilot, 3)
                    await pilot.press("slash", *"events", "enter", "5")
                    await _settle(pilot, 10)
                    _svg(player, out, MESSAGE)
            finally:
                view.close()
            await _interview(store, address, out, Path(tmp))
        finally:
            running.stop()
            store.close()


async def _interview(store: Any, address: str, out: Path, tmp: Path) -> None:
    """An interview a few minutes in: the interviewer's screen, with a mark and a note."""
    from chaosgame.classroom.host_app import HostConsole
    from chaosgame.classroom.room import new_round
    from chaosgame.scenario.library import load

    r, token = new_round(store, load(INTERVIEW_SCENARIO), mode="interview")
    await asyncio.to_thread(_play, address, r.code, "ada", CANDIDATE)
    console = HostConsole(address, r.code, token, export_dir=tmp, refresh_s=0.2)
    async with console.run_test(size=(110, 34)) as pilot:
        await _settle(pilot, 10)
        await pilot.press("down", "3")
        await _settle(pilot)
        await pilot.press(*":note calm, says what she will check next", "enter")
        await _settle(pilot, 5)
        _svg(console, out, INTERVIEW)


if __name__ == "__main__":
    asyncio.run(shoot())
