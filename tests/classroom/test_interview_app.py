"""The interviewer's console against a real server on loopback (SQLite): the truth, the
candidate's actions and thoughts as they come, the rubric, the question bank, the report."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable
from websockets.sync.client import connect

from chaosgame.classroom.host_app import HostConsole
from chaosgame.classroom.host_view import CommandError
from chaosgame.classroom.interview_app import InterviewScreen, QuestionPicker, parse_interview
from chaosgame.classroom.room import new_round
from chaosgame.classroom.server import ClassServer, Running
from chaosgame.classroom.store import open_store
from chaosgame.scenario.library import load
from tests.classroom.test_host_app import NINE, SCENARIO, Classroom, console, play, until
from tests.classroom.test_room import PLAY
from tests.tui.conftest import run_async


@pytest.fixture
def interview(tmp_path: Path) -> Iterator[Classroom]:
    store = open_store(tmp_path / "class.db")
    r, token = new_round(store, load(SCENARIO), mode="interview")
    room = Classroom(store, Running(ClassServer(store)), r.code, token)
    try:
        yield room
    finally:
        room.running.stop()
        store.close()


def screen(app: HostConsole) -> InterviewScreen:
    assert isinstance(app.interview, InterviewScreen)
    return app.interview


def rubric(app: HostConsole) -> list[list[str]]:
    table = app.screen.query_one("#iv-rubric", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def log(room: Classroom) -> list[tuple[str, dict[str, Any]]]:
    return [(kind, body) for _, kind, body, _ in room.store.round_log(room.code)]


async def typed(pilot: Any, key: str, text: str) -> None:
    await pilot.press(key)
    iv = screen(pilot.app)
    assert iv.command.has_focus
    iv.command.insert_text_at_cursor(text)
    await pilot.press("enter")


def test_interview_commands_are_read_or_refused_clearly() -> None:
    assert parse_interview("mark Safety 2 rolled back first") == (
        "rubric",
        {"criterion": "safety", "mark": 2, "comment": "rolled back first"},
    )
    assert parse_interview("ask SLO-001 knew it") == (
        "ask",
        {"question": "slo-001", "note": "knew it"},
    )
    assert parse_interview("report") == ("report", {"folder": ""})
    assert parse_interview("hint -p 0 x") is None  # the class console's commands pass on
    for line, why in [
        ("mark luck 2", "mark one of hypotheses"),
        ("mark safety 5", "a mark is 1 to 4, not 5"),
        ("mark safety", "mark one of"),
        ("ask", "which question?"),
        ("truth now", "'truth' takes nothing after it"),
    ]:
        with pytest.raises(CommandError) as bad:
            parse_interview(line)
        assert why in str(bad.value)


@run_async
async def test_the_interviewer_follows_marks_asks_and_writes_the_report(
    interview: Classroom, tmp_path: Path
) -> None:
    folder = tmp_path / "reports"
    app = console(interview, folder)
    async with app.run_test(size=(110, 34)) as pilot:
        await until(pilot, "the interview screen", lambda: isinstance(app.screen, InterviewScreen))
        iv = screen(app)
        await until(pilot, "the truth", lambda: iv.sheet is not None)
        assert iv.sheet is not None
        assert iv.sheet["root_cause"]["component"] == "payments"
        shown = "\n".join(str(line) for line in iv.truth_log.lines)
        assert "bad-deploy in payments" in shown
        assert "do rollback payments" in shown

        requests = [{"op": "think", "text": "checkout fails; who does it call?"}, *PLAY[:3]]
        joined = await asyncio.to_thread(play, interview, "ada", requests)
        await until(pilot, "ada's actions", lambda: len(iv.steps) == 2)
        await until(pilot, "ada's thought", lambda: any(e["kind"] == "think" for e in iv.events))
        title = str(iv.timeline.border_title)
        assert "ada (2 actions, 1 thoughts)" in title
        text = " ".join("".join(seg.text for seg in line).strip() for line in iv.timeline.lines)
        assert "ada (game 14:13:30):" in text  # the game's clock beside the server's
        assert "checkout fails; who does it call?" in text
        assert "mitigate rollback payments" in text

        await pilot.press("3")  # hypotheses, under the cursor
        await until(pilot, "the mark", lambda: rubric(app)[0][1] == "3/4")
        await pilot.press("down")
        await typed(pilot, "c", "rolled back before digging")
        await until(pilot, "the comment", lambda: rubric(app)[1][2] == "rolled back before digging")
        await pilot.press("4")  # the mark changes, the comment stays
        await until(pilot, "the new mark", lambda: rubric(app)[1][1] == "4/4")
        assert rubric(app)[1][2] == "rolled back before digging"
        assert "4 the least risky" in str(iv.levels.render())
        await typed(pilot, "colon", "mark luck 2")
        assert any("mark one of hypotheses" in s for s in app.said)

        await pilot.press("a")
        await until(pilot, "the question bank", lambda: isinstance(app.screen, QuestionPicker))
        picker = app.screen
        assert isinstance(picker, QuestionPicker)
        await until(pilot, "the first topic's questions", lambda: bool(picker.shown))
        assert picker.topics[0]["topic"] == "incident-response"  # this incident's first
        await pilot.press("enter", "enter")  # the topic, then its first question
        assert picker.query_one("#qp-note").has_focus
        first = picker.shown[0]["id"]
        await pilot.press(*"named the IC", "enter")
        await until(pilot, "the question asked", lambda: any(k == "ask" for k, _ in log(interview)))
        await typed(pilot, "n", "steady voice")

        await asyncio.to_thread(
            play, interview, "ada", PLAY[3:], joined[0]["result"]["joined"]["token"]
        )
        await until(pilot, "the end of the game", lambda: len(iv.steps) == 7)
        await pilot.press("w")
        report = folder / f"interview-{interview.code}.json"
        await until(pilot, "the report", lambda: report.exists())
        data = json.loads(report.read_text())
        md = (folder / f"interview-{interview.code}.md").read_text()

    assert ("rubric", {"criterion": "hypotheses", "mark": 3, "comment": ""}) in log(interview)
    assert [q["question"] for q in data["questions"]] == [first]
    assert data["questions"][0]["note"] == "named the IC"
    assert data["game"]["ended"]
    assert data["rubric"]["total"] == 7
    assert [n["text"] for n in data["notes"]] == ["steady voice"]
    assert "| Safety of actions | 4/4 |" in md
    assert "rolled back before digging" in md
    assert "## The path against the reference" in md


@run_async
async def test_a_class_round_keeps_the_class_console(tmp_path: Path) -> None:
    store = open_store(tmp_path / "class.db")
    r, token = new_round(store, load(SCENARIO))
    room = Classroom(store, Running(ClassServer(store)), r.code, token)
    try:
        app = console(room, tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, "the connection", lambda: app.link.connected)
            await pilot.pause(0.3)
            assert app.interview is None
            assert not isinstance(app.screen, InterviewScreen)
    finally:
        room.running.stop()
        store.close()


# ------------------------------------------------------------------ a snapshot at 110x34
@pytest.fixture
def still_interview(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Classroom]:
    """An interview with a fixed code and clock: ada thought aloud and acted, two marks,
    a question asked, a note; times in UTC."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setattr("chaosgame.classroom.room._code", lambda: "K7F3-QX2M")
    now = [NINE]
    store = open_store(tmp_path / "class.db")
    r, token = new_round(store, load(SCENARIO), mode="interview")
    room = Classroom(store, Running(ClassServer(store, clock=lambda: now[0])), r.code, token)
    try:
        think = {"op": "think", "text": "checkout errors only on pay; payments next"}
        joined = play(room, "ada", [think, PLAY[1]])
        now[0] += 40
        play(
            room,
            "ada",
            [{"op": "think", "text": "a deploy at 30m: rolling it back first"}, PLAY[2]],
            joined[0]["result"]["joined"]["token"],
        )
        now[0] += 50
        with connect(f"ws://{room.address}/ws/host") as host:
            for request in (
                {"op": "host", "round": room.code, "token": token},
                {"op": "rubric", "criterion": "hypotheses", "mark": 3, "comment": "named it"},
                {"op": "rubric", "criterion": "safety", "mark": 4, "comment": "rollback first"},
                {"op": "ask", "question": "slo-001", "note": "20,000, at once"},
                {"op": "note", "text": "calm, explains as she goes"},
            ):
                host.send(json.dumps(request))
                while "event" in json.loads(host.recv(timeout=30)):
                    pass
                now[0] += 10
        yield room
    finally:
        room.running.stop()
        store.close()
        monkeypatch.undo()
        time.tzset()


def test_snapshot_the_interviewer_console(
    still_interview: Classroom, tmp_path: Path, snap_compare: Any
) -> None:
    app = console(still_interview, tmp_path, refresh_s=1.0)

    async def run_before(pilot: Any) -> None:
        await until(pilot, "the screen", lambda: isinstance(app.screen, InterviewScreen))
        iv = screen(app)
        await until(
            pilot,
            "everything",
            lambda: iv.sheet is not None and len(iv.steps) == 2 and len(iv.events) == 6,
        )
        await pilot.press("down")
        iv.command.cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=(110, 34), run_before=run_before)
