"""The classroom in a real browser: headless Chromium (Debian's), driven by Playwright, opens
the pages ``chaosgame host`` serves with textual-serve; a student plays a whole incident
there with the keyboard, and the instructor console asks for the host token.

What the page shows is read from what its terminal received (the websocket's frames, the
escape sequences taken out: xterm.js draws them on a canvas), checked against the server's
own record, and kept as a screenshot under ``$CHAOSGAME_TEST_ARTEFACTS`` (default
``build/test-artefacts/``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import connect

from chaosgame.classroom.room import new_round
from chaosgame.classroom.server import ClassServer, Running
from chaosgame.classroom.store import Store, open_store
from chaosgame.classroom.web import CONSOLE_PATH, WebFront
from chaosgame.scenario.library import load

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS_ENV = "CHAOSGAME_TEST_ARTEFACTS"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[P\]X^_].*?(?:\x07|\x1b\\)|\x1b[@-Z\\-_]", re.S)
"""Terminal escape sequences (CSI, OSC/DCS strings, and two-byte ones)."""


def artefacts() -> Path:
    folder = Path(os.environ.get(ARTEFACTS_ENV) or ROOT / "build" / "test-artefacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail(
            "Chromium is not installed: run scripts/system-deps.sh (as root it installs "
            "Debian's chromium); the browser tests use the real browser"
        )
    return found


class Page:
    """A browser page on a textual-serve app, with what its terminal was sent."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.frames: list[str] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, frame: str | bytes) -> None:
        text = frame if isinstance(frame, str) else frame.decode("utf-8", "replace")
        if not text.startswith('["pong"'):
            self.frames.append(text)

    def mark(self) -> int:
        """Where the text received so far ends (to wait for what comes after it)."""
        return len(self.frames)

    def text(self, since: int = 0) -> str:
        """What the terminal was sent since ``mark``, escape sequences taken out."""
        return ESCAPES.sub("", "".join(self.frames[since:]))

    def wait_for(self, words: str, since: int = 0, timeout: float = 20.0) -> str:
        """Wait until the page shows ``words`` (sent after ``since``); all it was sent."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.text(since)
            if words in text:
                return text
            self.page.wait_for_timeout(100)  # Playwright delivers frames while it waits
        shown = self.text(since)[-1500:]
        self.screenshot("browser-failed.png")
        raise AssertionError(f"the page never showed {words!r}; it last showed:\n{shown}")

    def keys(self, *keys: str) -> int:
        """Press keys (a word of more than one character that is no key's name is typed)."""
        start = self.mark()
        for key in keys:
            if len(key) == 1 or key in ("Enter", "Tab", "Escape", "ArrowDown", "ArrowUp"):
                self.page.keyboard.press(key)
            else:  # at a typist's pace: a field's completions keep up
                self.page.keyboard.type(key, delay=20)
        return start

    def screenshot(self, name: str) -> Path:
        path = artefacts() / name
        self.page.screenshot(path=str(path))
        return path


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    path = chromium()
    profile = tempfile.mkdtemp(prefix="chaosgame-chromium-")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=path,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 860},
        )
        # the page asks for a web font: nothing leaves this machine
        context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Store, Running, WebFront, str, str]]:
    store = open_store(tmp_path / "class.db")
    r, host_token = new_round(store, load("checkout-payment-step-failing"))
    running = Running(ClassServer(store))
    front = WebFront(f"127.0.0.1:{running.port}", r.code, console=True)
    try:
        yield store, running, front, r.code, host_token
    finally:
        front.stop()
        running.stop()
        store.close()


def _host(port: int, code: str, token: str, *ops: str) -> list[dict[str, Any]]:
    """The host's requests over the server's host websocket; their answers."""
    answers = []
    with connect(f"ws://127.0.0.1:{port}/ws/host") as ws:
        requests = [{"op": "host", "round": code, "token": token}, *({"op": op} for op in ops)]
        for n, request in enumerate(requests, 1):
            ws.send(json.dumps({**request, "id": n}))
            while True:
                answer = json.loads(ws.recv(timeout=60))
                if "event" not in answer:
                    break
            assert "result" in answer, answer
            answers.append(answer["result"])
    return answers


def test_a_student_plays_a_whole_incident_in_the_browser(
    browser: Any, served: tuple[Store, Running, WebFront, str, str]
) -> None:
    store, running, front, code, host_token = served
    page = Page(browser.new_page())
    page.page.goto(f"http://127.0.0.1:{front.port}/")
    page.wait_for("your name in the round")
    page.page.locator(".xterm").first.click()

    shown = page.wait_for("Your rejoin token:", page.keys("ada", "Enter"))
    token = re.search(r"Your rejoin token: (\S+)", shown)
    assert token is not None
    assert store.player(code, "ada") is not None  # the server took the player in
    page.screenshot("browser-join-token.png")

    page.wait_for("INCIDENT", page.keys("Enter"))  # the game's briefing
    page.wait_for("query", page.keys("Enter"))  # the console, its keys in the footer
    page.keys("/")
    page.page.wait_for_timeout(300)
    page.wait_for("rollback", page.keys("do rollback payments", "Enter"))
    page.wait_for("Declare the root cause", page.keys("d"))
    page.wait_for("payments", page.keys("payments"))
    page.keys("Tab")
    page.page.wait_for_timeout(300)  # the focus moves on after the key: then type
    page.wait_for("bad-deploy", page.keys("bad-deploy"))
    page.keys("Enter")
    for _ in range(100):  # the declaration reaches the server
        if any(j.get("op") == "declare" for j in _journal(store, code)):
            break
        page.page.wait_for_timeout(100)
    page.wait_for("reveals it", page.keys("e", "y"))  # ended: the debrief waits for the host
    ops = [j.get("op") for j in _journal(store, code)]
    assert "mitigate" in ops
    assert ops[-1] == "end"
    declared = next(j for j in _journal(store, code) if j.get("op") == "declare")
    assert declared["component"] == "payments"
    assert declared["kind"] == "bad-deploy"

    mark = page.mark()
    _host(running.port, code, host_token, "end", "reveal")
    page.wait_for("DEBRIEF", mark, timeout=40)
    page.wait_for("the exact root cause", mark)  # the diagnosis, now that the host revealed it
    assert "Score" in page.text(mark)
    board = _host(running.port, code, host_token, "standings")[1]
    (ada,) = board["players"]
    assert ada["name"] == "ada"
    assert ada["status"] == "ended"
    assert ada["score"] is not None
    picture = page.screenshot("browser-debrief.png")
    assert picture.stat().st_size > 20_000  # a page with the debrief drawn, not a blank one


def _journal(store: Store, code: str) -> list[dict[str, Any]]:
    return [dict(line.entry) for line in store.journal(code, "ada")]


def test_a_taken_name_asks_for_the_token_and_no_token_file_is_kept(
    browser: Any,
    served: tuple[Store, Running, WebFront, str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store, running, front, code, _ = served
    from chaosgame.classroom.client import RemoteView

    data = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(data))  # the pages' processes take it up

    first = RemoteView(f"127.0.0.1:{running.port}", code, "bob", keep_token=False)
    first.close()
    page = Page(browser.new_page())
    page.page.goto(f"http://127.0.0.1:{front.port}/")
    page.wait_for("your name in the round")
    page.page.locator(".xterm").first.click()
    shown = page.wait_for("type your rejoin token", page.keys("bob", "Enter"))
    assert "already playing" in shown
    page.wait_for("not the rejoin token of 'bob'", page.keys("not-it", "Enter"))
    shown = page.wait_for("Your rejoin token:", page.keys(first.token, "Enter"))
    assert f"Your rejoin token: {first.token}" in shown  # back in as bob
    assert not (data / "chaosgame").exists()  # no token file for the next browser user
    page.screenshot("browser-rejoin.png")


def test_the_instructor_console_in_the_browser_asks_for_the_host_token(
    browser: Any, served: tuple[Store, Running, WebFront, str, str]
) -> None:
    store, running, front, code, host_token = served
    page = Page(browser.new_page())
    page.page.goto(f"http://127.0.0.1:{front.port}{CONSOLE_PATH}")
    shown = page.wait_for("host token")
    assert host_token not in page.page.url
    assert code in shown
    page.page.locator(".xterm").first.click()
    shown = page.wait_for("refused", page.keys("not-the-token", "Enter"))
    mark = page.keys(host_token, "Enter")
    page.wait_for("Connected as the host", mark)
    assert host_token not in page.text()  # typed into a password field: never drawn
    path = page.screenshot("browser-console.png")
    assert path.stat().st_size > 10_000
