"""The classroom server on loopback: players and the host over websockets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

from chaosgame.classroom.room import new_round
from chaosgame.classroom.server import ClassServer, Running
from chaosgame.classroom.store import Store
from chaosgame.game.agent_session import AgentSession
from chaosgame.scenario.library import load


@pytest.fixture
def served(store: Store) -> Iterator[tuple[Running, str, str]]:
    r, host_token = new_round(store, load("checkout-payment-step-failing"))
    running = Running(ClassServer(store))
    try:
        yield running, r.code, host_token
    finally:
        running.stop()


def _ask(ws: ClientConnection, request: dict[str, Any]) -> dict[str, Any]:
    ws.send(json.dumps(request))
    while True:
        answer: dict[str, Any] = json.loads(ws.recv(timeout=120))
        if "event" not in answer:
            return answer


def test_a_player_joins_plays_and_the_host_runs_the_round(
    served: tuple[Running, str, str],
) -> None:
    running, code, host_token = served
    url = f"ws://127.0.0.1:{running.port}"
    with connect(f"{url}/ws/play") as ws, connect(f"{url}/ws/host") as host:
        assert _ask(ws, {"id": 1, "op": "observe"})["error"]["code"] == "not_joined"
        joined = _ask(ws, {"id": 2, "op": "join", "round": code.lower(), "name": "ada"})
        token = joined["result"]["joined"]["token"]
        assert joined["result"]["joined"]["round"] == code
        requests = [
            {"id": 3, "op": "observe"},
            {"id": 4, "op": "mitigate", "action": "rollback", "target": "payments"},
            {"id": 5, "op": "wait", "seconds": 120},
        ]
        answers = [_ask(ws, r) for r in requests]
        local = AgentSession(load("checkout-payment-step-failing"))
        assert answers == [local.handle(dict(r)) for r in requests]

        assert _ask(host, {"id": 1, "op": "standings"})["error"]["code"] == "not_joined"
        wrong = _ask(host, {"id": 2, "op": "host", "round": code, "token": token})
        assert wrong["error"]["code"] == "unauthorised"
        assert "result" in _ask(host, {"id": 3, "op": "host", "round": code, "token": host_token})
        board = _ask(host, {"id": 4, "op": "standings"})["result"]
        assert [(p["name"], p["actions"]) for p in board["players"]] == [("ada", 2)]

        assert _ask(host, {"id": 5, "op": "pause"})["result"]["state"] == "paused"
        event = json.loads(ws.recv(timeout=10))
        assert event["event"]["kind"] == "paused"
        assert _ask(ws, {"id": 6, "op": "wait", "seconds": 5})["error"]["code"] == "paused"
        _ask(host, {"id": 6, "op": "resume"})
        _ask(host, {"id": 7, "op": "hint", "text": "look at what calls payments", "penalty": 5})
        kinds = []
        while len(kinds) < 2:
            kinds.append(json.loads(ws.recv(timeout=10))["event"]["kind"])
        assert kinds == ["open", "hint"]
        end = _ask(ws, {"id": 7, "op": "end"})["result"]
        assert end["debrief_pending"]
        assert "score" not in end
        _ask(host, {"id": 8, "op": "end"})
        _ask(host, {"id": 9, "op": "reveal"})
        debrief = _ask(ws, {"id": 8, "op": "debrief"})["result"]
        assert debrief["debrief"]["root_cause"]["component"] == "payments"
        csv_text = _ask(host, {"id": 10, "op": "export", "format": "csv"})["result"]["data"]
        assert csv_text.splitlines()[0].startswith("name,score")
        assert csv_text.splitlines()[1].startswith("ada,")
        notes = _ask(host, {"id": 11, "op": "export", "format": "postmortems"})["result"]["data"]
        assert list(notes) == ["ada"]
        assert "payments" in notes["ada"]
        assert "error" in _ask(host, {"id": 12, "op": "export", "format": "pdf"})


def test_bad_messages_get_errors_and_the_connection_stays(
    served: tuple[Running, str, str],
) -> None:
    running, code, _ = served
    with connect(f"ws://127.0.0.1:{running.port}/ws/play") as ws:
        ws.send("not json")
        assert json.loads(ws.recv(timeout=10))["error"]["code"] == "parse_error"
        ws.send("[1]")
        assert json.loads(ws.recv(timeout=10))["error"]["code"] == "parse_error"
        assert _ask(ws, {"op": "join", "round": "NOPE-NOPE", "name": "x"})["error"]["code"] == (
            "no_round"
        )
        assert _ask(ws, {"op": "join", "round": code, "name": 5})["error"]["code"] == (
            "invalid_params"
        )
        assert "result" in _ask(ws, {"op": "join", "round": code, "name": "eve"})
        codes = []
        for i in range(60):  # far faster than a person types
            ws.send(json.dumps({"id": i, "op": "catalog"}))
        for _ in range(60):
            answer = json.loads(ws.recv(timeout=60))
            codes.append(answer.get("error", {}).get("code"))
        assert "rate_limited" in codes
        assert codes.count(None) >= 30


def test_the_host_reads_the_log_and_a_stopping_server_closes_connections(store: Store) -> None:
    from websockets.exceptions import ConnectionClosed

    r, host_token = new_round(store, load("checkout-payment-step-failing"))
    running = Running(ClassServer(store, clock=lambda: 1234.5))
    try:
        with connect(f"ws://127.0.0.1:{running.port}/ws/host") as host:
            _ask(host, {"op": "host", "round": r.code, "token": host_token})
            _ask(host, {"op": "pause"})
            _ask(host, {"op": "hint", "text": "read the deploys", "penalty": 2})
            log = _ask(host, {"id": 3, "op": "log"})["result"]["log"]
            assert [(line["seq"], line["kind"]) for line in log] == [(1, "paused"), (2, "hint")]
            assert log[1] == {
                "seq": 2,
                "kind": "hint",
                "at": 1234.5,
                "text": "read the deploys",
                "penalty": 2.0,
            }
            later = _ask(host, {"id": 4, "op": "log", "after": 1})["result"]["log"]
            assert [line["seq"] for line in later] == [2]
            assert _ask(host, {"id": 5, "op": "log", "after": -1})["error"]["code"] == (
                "invalid_params"
            )
            running.stop()  # the host hears it at once, not when a timeout runs out
            with pytest.raises(ConnectionClosed) as closed:
                _drain(host)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 1001
    finally:
        running.stop()


def _drain(ws: ClientConnection) -> None:
    """Read until the connection closes (raises ConnectionClosed; TimeoutError after 5 s)."""
    while True:
        ws.recv(timeout=5)


def test_pings_are_answered_while_a_request_waits_for_its_answer(store: Store) -> None:
    r, _ = new_round(store, load("checkout-payment-step-failing"))
    server = ClassServer(store)
    running = Running(server)
    try:
        with connect(f"ws://127.0.0.1:{running.port}/ws/play", ping_interval=None) as ws:
            assert "result" in _ask(ws, {"id": 1, "op": "join", "round": r.code, "name": "ada"})
            assert "result" in _ask(ws, {"id": 2, "op": "observe"})
            game = server.room(r.code)._game("ada")
            with game.lock:  # the game is busy, as on a loaded server answering other players
                ws.send(json.dumps({"id": 3, "op": "wait", "seconds": 60}))
                assert ws.ping().wait(10)  # the client's keep-alive is answered meanwhile
                with pytest.raises(TimeoutError):
                    ws.recv(timeout=0.2)
            answer = json.loads(ws.recv(timeout=60))
            assert answer["id"] == 3
            assert "result" in answer
            assert _ask(ws, {"id": 4, "op": "observe"})["id"] == 4
    finally:
        running.stop()
