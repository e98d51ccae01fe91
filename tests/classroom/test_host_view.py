"""The console's text: command lines, the leaderboard's order, server addresses."""

from __future__ import annotations

import re

import pytest

from chaosgame.classroom.host_link import ws_url
from chaosgame.classroom.host_view import (
    Command,
    CommandError,
    event_text,
    parse_command,
    sort_rows,
    step_text,
)


@pytest.mark.parametrize(
    ("line", "command"),
    [
        ("hint look at payments", Command("hint", "look at payments", 5.0)),
        ("hint -p 0 free", Command("hint", "free", 0.0)),
        ("HINT --penalty 12.5 dear one", Command("hint", "dear one", 12.5)),
        ("note candidate reads logs first", Command("note", "candidate reads logs first")),
        ("pause", Command("pause")),
        ("export 'my grades'", Command("export", "my grades")),
        ("export", Command("export", "")),
        ("sort Burned", Command("sort", "burned")),
    ],
)
def test_command_lines(line: str, command: Command) -> None:
    assert parse_command(line) == command


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("", "type a command"),
        ("paws", "did you mean 'pause'?"),
        ("hint", "a hint needs its text: hint [-p POINTS] TEXT"),
        ("hint -p lots x", "-p takes the points the hint costs"),
        ("hint -p 51 x", "a hint costs 0 to 50 points, not 51"),
        ("hint -p 5", "a hint needs its text"),
        ("note", "a note needs its text"),
        ("sort height", "sort by one of name, score, now, raw"),
        ("pause now", "'pause' takes nothing after it"),
        ("export a b", "one folder (quote it if it has spaces)"),
    ],
)
def test_bad_command_lines_say_what_is_wrong(line: str, message: str) -> None:
    with pytest.raises(CommandError) as refused:
        parse_command(line)
    assert message in str(refused.value)


def test_the_leaderboard_order() -> None:
    rows = [
        {"name": "cy", "score": None, "raw_score": None, "budget_burned": 0.5, "actions": 9},
        {"name": "Ada", "score": 70.0, "raw_score": 80.0, "budget_burned": 0.1, "actions": 3},
        {"name": "bob", "score": 90.0, "raw_score": 90.0, "budget_burned": 0.2, "actions": 3},
    ]
    names = lambda rows: [r["name"] for r in rows]  # noqa: E731
    assert names(sort_rows(rows, "score")) == ["bob", "Ada", "cy"]  # no score yet: last
    assert names(sort_rows(rows, "score", reverse=True)) == ["cy", "Ada", "bob"]
    assert names(sort_rows(rows, "name")) == ["Ada", "bob", "cy"]
    assert names(sort_rows(rows, "burned")) == ["cy", "bob", "Ada"]
    assert names(sort_rows(rows, "actions")) == ["cy", "Ada", "bob"]  # ties by name


def test_steps_and_events_in_a_few_words() -> None:
    assert step_text({"op": "wait", "seconds": 300}) == "wait 300s"
    assert step_text({"op": "mitigate", "action": "rollback", "target": "payments"}) == (
        "mitigate rollback payments"
    )
    assert event_text({"kind": "hint", "at": None, "text": "x", "penalty": 0}) == (
        "- hint (free): x"
    )
    assert event_text({"kind": "paused", "at": None}) == "- the clock is paused"
    think = {"kind": "think", "at": None, "name": "ada", "text": "the deploy?"}
    assert event_text(think) == "- ada thinks: the deploy?"
    mark = {"kind": "rubric", "at": None, "criterion": "safety", "mark": 3, "comment": "ok"}
    assert event_text(mark) == "- rubric: safety 3/4 (ok)"
    asked = {"kind": "ask", "at": None, "question": "slo-001", "note": "right"}
    assert event_text(asked) == "- asked slo-001: right"


@pytest.mark.parametrize(
    ("address", "url"),
    [
        ("127.0.0.1:9000", "ws://127.0.0.1:9000/ws/host"),
        ("classroom.example", "ws://classroom.example:8765/ws/host"),
        ("[::1]:9000", "ws://[::1]:9000/ws/host"),
        ("https://class.example", "wss://class.example:8765/ws/host"),
        ("ws://10.0.0.2:1234/", "ws://10.0.0.2:1234/ws/host"),
    ],
)
def test_server_addresses(address: str, url: str) -> None:
    assert ws_url(address) == url


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("", "the server's address is empty"),
        ("host:99999", "the port is a number from 1 to 65535"),
        ("ftp://host", "the server's address is HOST:PORT or a ws:// URL"),
        (":8765", "no host name"),
    ],
)
def test_bad_server_addresses(address: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        ws_url(address)
