"""A round: players' games rebuilt from journals, the truth held back until the reveal."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chaosgame.classroom.room import Room, RoomError, new_round
from chaosgame.classroom.store import Store
from chaosgame.game.agent_session import AgentSession
from chaosgame.scenario.library import load

PLAY = [
    {"id": 1, "op": "observe"},
    {"id": 2, "op": "query", "view": "deploys", "component": "payments", "window": "2h"},
    {"id": 3, "op": "mitigate", "action": "rollback", "target": "payments"},
    {"id": 4, "op": "wait", "until": "next"},
    {
        "id": 5,
        "op": "mitigate",
        "action": "disable-retries",
        "target": "checkout",
        "to": "payments",
    },
    {"id": 6, "op": "wait", "seconds": 300},
    {"id": 7, "op": "declare", "component": "payments", "kind": "bad-deploy", "confidence": 0.8},
    {"id": 8, "op": "end"},
]


@pytest.fixture(scope="module")
def scenario() -> Any:
    return load("checkout-payment-step-failing")


def _local(scenario: Any, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    s = AgentSession(scenario)
    return [s.handle(dict(r)) for r in requests]


def test_a_game_in_a_room_answers_as_the_protocol_does_and_holds_back_the_truth(
    store: Store, scenario: Any
) -> None:
    r, host = new_round(store, scenario)
    room = Room(store, r.code)
    token = room.join("ada")
    answers = [room.request("ada", token, dict(q)) for q in PLAY]
    local = _local(scenario, PLAY)
    assert answers[:-1] == local[:-1]
    final = answers[-1]["result"]
    assert final["ended"]
    assert final["debrief_pending"]
    assert "score" not in final
    assert "debrief" not in final
    blob = json.dumps(answers).lower()
    assert "root_cause" not in blob
    assert room.answer("ada", {"id": 9, "op": "debrief"})["error"]["code"] == "not_revealed"

    room.check_host(host)
    room.set_state("ended")
    room.set_state("revealed")
    debrief = room.answer("ada", {"id": 10, "op": "debrief"})
    assert debrief["result"]["score"] == local[-1]["result"]["score"]
    assert debrief["result"]["debrief"]["root_cause"]["component"] == "payments"


def test_another_server_process_carries_on_a_game_from_the_journal(
    store: Store, scenario: Any
) -> None:
    r, _ = new_round(store, scenario)
    first = Room(store, r.code)
    token = first.join("bob")
    for q in PLAY[:4]:
        first.request("bob", token, dict(q))
    second = Room(store, r.code)  # a restarted server, or a second one behind the database
    later = [second.request("bob", token, dict(q)) for q in PLAY[4:7]]
    assert later == _local(scenario, PLAY[:7])[4:7]
    # and the first process, behind now, catches up before it answers
    assert first.request("bob", token, {"id": 99, "op": "observe"}) == second.request(
        "bob", token, {"id": 99, "op": "observe"}
    )
    assert [e["seq"] for e in second.timeline("bob")] == [1, 2, 3, 4, 5, 6]


def test_tokens_names_and_pauses(store: Store, scenario: Any) -> None:
    r, host = new_round(store, scenario)
    room = Room(store, r.code)
    token = room.join("cy")
    with pytest.raises(RoomError) as taken:
        room.join("cy")
    assert taken.value.code == "name_taken"
    assert room.join("cy", token) == token  # back after a lost connection
    with pytest.raises(RoomError) as bad:
        room.request("cy", "not-the-token", {"op": "observe"})
    assert bad.value.code == "unauthorised"
    with pytest.raises(RoomError):
        room.check_host(token)
    with pytest.raises(RoomError):
        room.join("")
    room.set_state("paused")
    answer = room.request("cy", token, {"id": 1, "op": "wait", "seconds": 60})
    assert answer["error"]["code"] == "paused"
    assert "result" in room.request("cy", token, {"id": 2, "op": "observe"})
    room.set_state("open")
    assert "result" in room.request("cy", token, {"id": 3, "op": "wait", "seconds": 60})
    with pytest.raises(RoomError):
        room.set_state("revealed")  # only an ended round is revealed
    board = room.standings()
    assert [row["name"] for row in board] == ["cy"]
    assert board[0]["actions"] == 1
    assert board[0]["elapsed_s"] == 60.0


def test_hints_cost_the_players_still_playing_when_they_were_sent(
    store: Store, scenario: Any
) -> None:
    from chaosgame.classroom.server import export

    now = [1000.0]
    r, _ = new_round(store, scenario)
    room = Room(store, r.code, clock=lambda: now[0])
    ada, bob = room.join("ada"), room.join("bob")
    for q in PLAY:  # ada ends her game at 1000, before the hint
        room.request("ada", ada, dict(q))
    now[0] = 1100.0
    store.log(r.code, "hint", {"text": "look at what calls payments", "penalty": 5.0}, now[0])
    now[0] = 1200.0
    cy = room.join("cy")  # joined after the hint: never saw it
    for q in PLAY:
        room.request("bob", bob, dict(q))
        room.request("cy", cy, dict(q))
    now[0] = 1300.0
    store.log(r.code, "hint", {"text": "too late for anyone", "penalty": 7.5}, now[0])
    store.log(r.code, "note", {"text": "not a hint"}, now[0])

    raw = _local(scenario, PLAY)[-1]["result"]["score"]["total"]
    board = {row["name"]: row for row in room.standings()}
    assert {n: (row["raw_score"], row["penalty"], row["hints"]) for n, row in board.items()} == {
        "ada": (raw, 0.0, 0),
        "bob": (raw, 5.0, 1),
        "cy": (raw, 0.0, 0),
    }
    assert board["bob"]["score"] == round(raw - 5.0, 1)
    assert board["ada"]["score"] == board["cy"]["score"] == raw
    # another server process, rebuilding the games from the journals, finds the same
    again = {row["name"]: row["score"] for row in Room(store, r.code).standings()}
    assert again == {n: row["score"] for n, row in board.items()}
    grades = json.loads(export(room, "json"))["players"]
    assert {p["name"]: p["score"] for p in grades} == again
    lines = export(room, "csv").splitlines()
    assert lines[0].startswith("name,score,raw_score,penalty,hints,")
    assert any(line.startswith(f"bob,{round(raw - 5.0, 1)},{raw},5.0,1,") for line in lines)


def test_the_leaderboard_gives_a_game_in_progress_its_score_if_ended_now(
    store: Store, scenario: Any
) -> None:
    from chaosgame.classroom.room import ESTIMATES_PER_READ

    r, _ = new_round(store, scenario)
    room = Room(store, r.code)
    ada = room.join("ada")
    for q in PLAY[:-1]:  # everything but the end
        room.request("ada", ada, dict(q))
    row = room.standings()[0]
    assert row["score"] is None  # her game goes on
    assert row["score_now_at"] == row["actions"]
    ended_here = _local(scenario, PLAY)[-1]["result"]["score"]["total"]
    assert row["score_now"] == ended_here
    assert store.journal(r.code, "ada")[-1].entry["op"] == "declare"  # nothing was added
    room.request("ada", ada, dict(PLAY[-1]))
    final = room.standings()[0]
    assert final["score"] == final["score_now"] == ended_here

    # a large class: a few games are worked out afresh per reading, the unknown first
    names = [f"p{n}" for n in range(ESTIMATES_PER_READ + 2)]
    for name in names:
        token = room.join(name)
        room.request(name, token, {"op": "wait", "seconds": 60})
    first = {row["name"]: row for row in room.standings()}
    known = [n for n in names if first[n]["score_now"] is not None]
    assert len(known) == ESTIMATES_PER_READ
    second = {row["name"]: row for row in room.standings()}
    assert all(second[n]["score_now"] is not None for n in names)


def test_ending_a_game_in_a_room_leaves_the_scoring_to_whoever_reads_it(
    store: Store, scenario: Any
) -> None:
    r, _ = new_round(store, scenario)
    room = Room(store, r.code)
    ada = room.join("ada")
    ended = [room.request("ada", ada, dict(q)) for q in PLAY][-1]["result"]
    assert ended["ended"]
    assert ended["debrief_pending"]
    assert room._games["ada"].session._final is None  # not scored on the player's time
    row = room.standings()[0]  # the leaderboard scores it
    assert row["raw_score"] == _local(scenario, PLAY)[-1]["result"]["score"]["total"]
