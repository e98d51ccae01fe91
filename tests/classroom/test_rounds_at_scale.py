"""A whole class at once, server restarts and two servers behind one database."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

from chaosgame.classroom.room import new_round
from chaosgame.classroom.server import ClassServer, Running
from chaosgame.classroom.store import open_store
from chaosgame.game.agent_session import AgentSession
from chaosgame.generate.build import generate_scenario
from chaosgame.generate.codes import SeedCode
from chaosgame.scenario.library import load
from chaosgame.scenario.model import Scenario
from tests.classroom.test_room import PLAY as ROOM_PLAY

ROOT = Path(__file__).parents[2]
STORM = "checkout-payment-step-failing"


def _ask(ws: ClientConnection, request: dict[str, Any]) -> dict[str, Any]:
    ws.send(json.dumps(request))
    while True:
        answer: dict[str, Any] = json.loads(ws.recv(timeout=300))
        if "event" not in answer:
            return answer


def _plan(i: int, names: list[str]) -> list[dict[str, Any]]:
    """Player ``i``'s requests: each player a little different."""
    target = names[i % len(names)]
    return [
        {"id": 1, "op": "observe"},
        {"id": 2, "op": "query", "view": "map"},
        {"id": 3, "op": "wait", "seconds": 30 + (i % 7) * 10},
        {"id": 4, "op": "mitigate", "action": "restart", "target": target},
        {"id": 5, "op": "declare", "component": target, "kind": "bad-deploy", "confidence": 0.5},
        {"id": 6, "op": "end"},
    ]


def _markers(sc: Scenario) -> list[str]:
    t = sc.truth
    words = {f.kind for f in sc.faults} | ({t.root_cause.kind} - {"no-fault"})
    texts = [s.what for s in t.causal_chain] + [r.why for r in t.red_herrings]
    return sorted(words) + [x for x in texts if len(x) > 12]


def test_a_hundred_players_at_once_nothing_lost_every_game_as_played_alone(
    store_url: str,
) -> None:
    sc = generate_scenario(SeedCode(11, "easy"))
    services = [c.name for c in sc.components if c.kind in ("service", "gateway")]
    store = open_store(store_url)
    r, host_token = new_round(store, sc)
    running = Running(ClassServer(store))
    seen: dict[int, list[str]] = {}
    finals: dict[int, dict[str, Any]] = {}
    failures: list[str] = []

    def player(i: int) -> None:
        try:
            with connect(f"ws://127.0.0.1:{running.port}/ws/play", open_timeout=60) as ws:
                joined = _ask(ws, {"op": "join", "round": r.code, "name": f"p{i:03d}"})
                assert "result" in joined, joined
                lines = []
                for req in _plan(i, services):
                    ws.send(json.dumps(req))
                    while True:
                        raw = ws.recv(timeout=300)
                        lines.append(str(raw))
                        if "event" not in json.loads(raw):
                            break
                seen[i] = lines
                finals[i] = json.loads(lines[-1])
        except Exception as exc:  # noted, then the test fails with every reason
            failures.append(f"p{i:03d}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=player, args=(i,)) for i in range(100)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(900)
        assert not failures, failures[:5]
        # nothing lost: every request of every player is in the journal
        assert len(store.players(r.code)) == 100
        for i in range(100):
            assert len(store.journal(r.code, f"p{i:03d}")) == 5
        # every game is the game the same requests give played alone
        for i in (0, 1, 37, 99):
            alone = AgentSession(sc)
            expected = [alone.handle(dict(q)) for q in _plan(i, services)]
            got = [json.loads(line) for line in seen[i] if "event" not in json.loads(line)]
            assert got[:-1] == expected[:-1]
            assert finals[i]["result"]["end_reason"] == expected[-1]["result"]["end_reason"]
        # nothing any player received before the reveal carries the truth
        blob = "\n".join(line for lines in seen.values() for line in lines).lower()
        for mark in _markers(sc):
            pattern = r"(?<![a-z0-9-])" + re.escape(mark.lower()) + r"(?![a-z0-9-])"
            assert not re.search(pattern, blob), mark
        assert "root_cause" not in blob
        # and the scores the host sees are those of the games played alone
        with connect(f"ws://127.0.0.1:{running.port}/ws/host") as host:
            _ask(host, {"op": "host", "round": r.code, "token": host_token})
            board = {p["name"]: p for p in _ask(host, {"op": "standings"})["result"]["players"]}
        for i in (0, 1, 37, 99):
            alone = AgentSession(sc)
            for q in _plan(i, services):
                last = alone.handle(dict(q))
            assert board[f"p{i:03d}"]["score"] == last["result"]["score"]["total"]
    finally:
        running.stop()
        store.close()


# ------------------------------------------------------------------ real server processes


class Host:
    """``chaosgame host`` in a process of its own."""

    def __init__(self, args: list[str], port: int) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "chaosgame", "host", *args, "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        self.port = port
        self.lines: list[str] = []
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            if line.startswith("Ctrl-C"):
                break
        else:
            raise AssertionError(f"the server did not start: {self.proc.stderr.read()}")  # type: ignore[union-attr]

    def found(self, pattern: str) -> str:
        for line in self.lines:
            m = re.search(pattern, line)
            if m:
                return m.group(1)
        raise AssertionError(f"{pattern} not in {self.lines}")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


def _port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


PLAY = ROOM_PLAY[:7]  # the informed play of test_room, short of its end


@pytest.fixture
def hosts() -> Iterator[list[Host]]:
    started: list[Host] = []
    yield started
    for h in started:
        h.stop()


def test_kill_the_server_mid_round_and_restart_nothing_lost(
    store_url: str, hosts: list[Host]
) -> None:
    port = _port()
    first = Host([STORM, "--db", store_url], port)
    hosts.append(first)
    code = first.found(r"Round (\S+):")
    with connect(f"ws://127.0.0.1:{port}/ws/play") as ws:
        token = _ask(ws, {"op": "join", "round": code, "name": "ada"})["result"]["joined"]["token"]
        before = [_ask(ws, dict(q)) for q in PLAY[:4]]
    first.kill()  # kill -9: no chance to clean up
    second = Host(["--serve", "--db", store_url], port)
    hosts.append(second)
    for _ in range(50):
        try:
            ws = connect(f"ws://127.0.0.1:{port}/ws/play")
            break
        except OSError:
            time.sleep(0.2)
    with ws:
        back = _ask(ws, {"op": "join", "round": code, "name": "ada", "token": token})
        assert back["result"]["joined"]["token"] == token
        after = [_ask(ws, dict(q)) for q in PLAY[4:]]
    alone = AgentSession(load(STORM))
    assert before + after == [alone.handle(dict(q)) for q in PLAY]


def test_two_server_processes_behind_one_database_serve_one_class(
    store_url: str, hosts: list[Host]
) -> None:
    one = Host([STORM, "--db", store_url], _port())
    hosts.append(one)
    code = one.found(r"Round (\S+):")
    two = Host(["--serve", "--db", store_url], _port())
    hosts.append(two)
    a = connect(f"ws://127.0.0.1:{one.port}/ws/play")
    b = connect(f"ws://127.0.0.1:{two.port}/ws/play")
    with a, b:
        token = _ask(a, {"op": "join", "round": code, "name": "bo"})["result"]["joined"]["token"]
        assert "result" in _ask(b, {"op": "join", "round": code, "name": "bo", "token": token})
        answers = [_ask(a if i % 2 else b, dict(q)) for i, q in enumerate(PLAY)]
    alone = AgentSession(load(STORM))
    assert answers == [alone.handle(dict(q)) for q in PLAY]
