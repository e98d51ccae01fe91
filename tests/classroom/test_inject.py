"""The host's events in a round: written to every game in progress before they are applied,
replayed by any server process, and told to players only as what a player would see."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

from chaosgame.classroom.host_view import CommandError, parse_command
from chaosgame.classroom.room import Room, RoomError, new_round
from chaosgame.classroom.server import ClassServer, Running
from chaosgame.classroom.store import Store
from chaosgame.scenario.library import load

SCENARIO = "checkout-payment-step-failing"
FAULT = {"kind": "fault", "fault": {"kind": "latency-regression", "target": "web", "factor": 8}}
MESSAGE = {"kind": "message", "sender": "Priya (DBA)", "text": "lock waits on payments-db?"}
LATER = [
    {"id": 10, "op": "wait", "seconds": 240},
    {"id": 11, "op": "query", "view": "events", "window": "10m"},
    {"id": 12, "op": "query", "view": "metric", "component": "web", "metric": "latency_p99"},
]


def test_an_event_reaches_every_game_in_progress_and_replays_elsewhere(store: Store) -> None:
    r, _ = new_round(store, load(SCENARIO))
    room = Room(store, r.code)
    ada, bob, cy = room.join("ada"), room.join("bob"), room.join("cy")
    room.request("ada", ada, {"id": 1, "op": "wait", "seconds": 60})
    room.request("bob", bob, {"id": 1, "op": "wait", "seconds": 600})
    room.request("cy", cy, {"id": 1, "op": "end"})  # over: no event reaches it

    sent = room.inject(FAULT)
    assert sent["players"] == ["ada", "bob"]
    room.inject(MESSAGE)
    here = {
        name: [room.request(name, t, dict(q)) for q in LATER]
        for name, t in [("ada", ada), ("bob", bob)]
    }

    # another server process rebuilds both games from the journal, events included
    elsewhere = Room(store, r.code)
    for name, token in [("ada", ada), ("bob", bob)]:
        again = elsewhere.request(name, token, {"id": 13, "op": "observe"})
        assert again == room.request(name, token, {"id": 13, "op": "observe"})

    # each game took the event at its own clock
    told = [
        [e for e in here[name][1]["result"]["answer"]["events"] if e["kind"] == "message"]
        for name in ("ada", "bob")
    ]
    assert told[0][0]["time"] < told[1][0]["time"]
    assert told[0][0]["actor"] == "Priya (DBA)"
    slow = max(v for _, v in here["ada"][2]["result"]["answer"]["points"])
    assert slow > 1.0  # web's p99 went from about 0.12s to seconds

    board = {row["name"]: row for row in room.standings()}
    assert board["ada"]["actions"] == len(LATER) + 1  # the host's events are not her actions
    steps = [t["request"]["op"] for t in room.timeline("ada")]
    assert steps.count("inject") == 2
    kinds = [k for _, k, _, _ in store.round_log(r.code)]
    assert kinds == ["inject", "inject"]


def test_a_player_cannot_send_an_event_and_a_bad_one_is_refused(store: Store) -> None:
    r, _ = new_round(store, load(SCENARIO))
    room = Room(store, r.code)
    ada = room.join("ada")
    answer = room.request("ada", ada, {"id": 1, "op": "inject", "event": FAULT})
    assert answer["error"]["code"] == "unknown_op"
    assert store.journal(r.code, "ada") == []
    with pytest.raises(RoomError) as bad:
        room.inject({"kind": "deploy", "component": "payments"})
    assert bad.value.code == "invalid_params"
    assert "depends on its version" in bad.value.message
    assert store.journal(r.code, "ada") == []
    room.set_state("ended")
    with pytest.raises(RoomError) as late:
        room.inject(MESSAGE)
    assert late.value.code == "rejected"


def test_the_consoles_inject_command_reads_each_event() -> None:
    assert parse_command('inject message --from "Priya (DBA)" lock waits?').event == {
        "kind": "message",
        "sender": "Priya (DBA)",
        "text": "lock waits?",
    }
    assert parse_command("inject deploy search v2.4.2").event == {
        "kind": "deploy",
        "component": "search",
        "version": "v2.4.2",
    }
    assert parse_command("inject fault latency-regression web factor=8 --in 2m").event == {
        "kind": "fault",
        "fault": {"kind": "latency-regression", "target": "web", "factor": 8},
        "in": "2m",
    }
    for line, says in [
        ("inject", "inject what?"),
        ("inject fualt x y", "did you mean 'fault'?"),
        ("inject message --from", "--from takes a name"),
        ("inject deploy", "a component"),
        ("inject fault latency-regression", "its kind and target"),
        ("inject fault latency-regression web factor", "not KEY=VALUE"),
        ("inject fault latency-regression web --in", "--in takes a duration"),
    ]:
        with pytest.raises(CommandError) as caught:
            parse_command(line)
        assert says in str(caught.value)


@pytest.fixture
def served(store: Store) -> Iterator[tuple[Running, str, str]]:
    r, host_token = new_round(store, load(SCENARIO))
    running = Running(ClassServer(store))
    try:
        yield running, r.code, host_token
    finally:
        running.stop()


def _ask(ws: ClientConnection, request: dict[str, Any], heard: list[dict[str, Any]]) -> Any:
    ws.send(json.dumps(request))
    while True:
        answer: dict[str, Any] = json.loads(ws.recv(timeout=120))
        if "event" not in answer:
            return answer
        heard.append(answer["event"])


def test_players_hear_a_teammates_message_and_nothing_of_a_fault_or_deploy(
    served: tuple[Running, str, str],
) -> None:
    running, code, host_token = served
    url = f"ws://127.0.0.1:{running.port}"
    heard: list[dict[str, Any]] = []
    host_heard: list[dict[str, Any]] = []
    with connect(f"{url}/ws/play") as ws, connect(f"{url}/ws/host") as host:
        _ask(ws, {"id": 1, "op": "join", "round": code, "name": "ada"}, heard)
        _ask(ws, {"id": 2, "op": "observe"}, heard)
        _ask(host, {"id": 1, "op": "host", "round": code, "token": host_token}, host_heard)
        bad = _ask(host, {"id": 2, "op": "inject", "event": {"kind": "fire"}}, host_heard)
        assert bad["error"]["code"] == "invalid_params"
        for n, event in enumerate([FAULT, {"kind": "deploy", "component": "catalog"}, MESSAGE]):
            sent = _ask(host, {"id": 3 + n, "op": "inject", "event": event}, host_heard)
            assert sent["result"]["players"] == ["ada"]
        while not heard:
            heard.append(json.loads(ws.recv(timeout=10))["event"])
        _ask(ws, {"id": 3, "op": "wait", "seconds": 30}, heard)
        _ask(host, {"id": 9, "op": "pause"}, host_heard)
        while heard[-1]["kind"] != "paused":
            heard.append(json.loads(ws.recv(timeout=10))["event"])
    assert [e["kind"] for e in heard] == ["message", "paused"]
    assert heard[0]["sender"] == "Priya (DBA)"
    assert heard[0]["text"] == "lock waits on payments-db?"
    blob = json.dumps(heard)
    assert "latency-regression" not in blob
    assert "catalog" not in blob


def test_the_revealed_debrief_shows_the_hints_paid_and_the_hosts_events(store: Store) -> None:
    r, _ = new_round(store, load(SCENARIO))
    clock = iter(float(n) for n in range(1000, 2000))
    room = Room(store, r.code, clock=lambda: next(clock))
    ada, bob = room.join("ada"), room.join("bob")
    room.request("ada", ada, {"id": 1, "op": "wait", "seconds": 60})
    store.log(r.code, "hint", {"text": "look at payments", "penalty": 5.0}, next(clock))
    room.request("bob", bob, {"id": 1, "op": "end"})
    room.inject(FAULT)
    room.inject(MESSAGE)
    store.log(r.code, "hint", {"text": "and its deploys", "penalty": 2.5}, next(clock))
    room.request("ada", ada, {"id": 2, "op": "end"})
    room.set_state("ended")
    room.set_state("revealed")

    paid = room.answer("ada", {"id": 3, "op": "debrief"})["result"]
    raw = paid["score"]["total"]
    assert paid["round"] == {
        "score": max(0.0, round(raw - 7.5, 1)),
        "raw_score": raw,
        "hints": 2,
        "penalty": 7.5,
    }
    sections = paid["debrief"]["sections"]
    assert sections[0]["key"] == "round"
    assert (
        "2 hints from the host while you played cost 7.5 points" in sections[0]["rows"][0]["text"]
    )
    assert "cost 7.5 points" in paid["debrief"]["text"]
    added = next(s for s in sections if s["key"] == "injected")
    texts = [row["text"] for row in added["rows"]]
    assert texts[0].startswith("a second fault: latency-regression on web, acting from ")
    assert texts[1] == "a message from Priya (DBA): lock waits on payments-db?"

    free = room.answer("bob", {"id": 2, "op": "debrief"})["result"]
    assert free["round"]["penalty"] == 5.0  # the first hint only: he ended before the second
    assert not any(s["key"] == "injected" for s in free["debrief"]["sections"])
    board = {row["name"]: row for row in room.standings()}
    assert board["ada"]["score"] == paid["round"]["score"]
    assert board["bob"]["score"] == free["round"]["score"]
