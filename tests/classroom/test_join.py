"""``chaosgame join``: a player in a terminal, the game on the host's server."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from chaosgame.classroom.client import RemoteError, RemoteView
from chaosgame.classroom.room import Room, new_round
from chaosgame.classroom.server import ClassServer, Running
from chaosgame.classroom.store import Store, open_store
from chaosgame.game.player import PlayerView
from chaosgame.scenario.library import load

ROOT = Path(__file__).parents[2]
STORM = "checkout-payment-step-failing"


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Store, str, int]]:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # tokens kept here
    store = open_store(tmp_path / "class.db")
    r, _ = new_round(store, load(STORM))
    running = Running(ClassServer(store))
    try:
        yield store, r.code, running.port
    finally:
        running.stop()
        store.close()


def test_a_remote_game_answers_as_a_local_one(served: tuple[Store, str, int]) -> None:
    _, code, port = served
    remote = RemoteView(f"127.0.0.1:{port}", code, "ada")
    local = PlayerView(load(STORM))
    try:
        assert remote.start() == local.start()
        assert remote.briefing() == local.briefing()
        for action in (
            {"type": "query", "view": "map"},
            {"type": "mitigate", "action": "rollback", "target": "payments"},
            {"type": "wait", "seconds": 90},
            {"type": "mitigate", "action": "rollback", "target": "nowhere"},
        ):
            mine, theirs = remote.act(action), local.act(action)
            assert mine["ok"] == theirs["ok"]
            assert mine.get("result") == theirs.get("result")
            assert mine["observation"] == theirs["observation"]
            assert remote.clock() == local.clock()
        assert [a["action"] for a in remote.actions] == [a["action"] for a in local.actions]
    finally:
        remote.close()


def test_a_lost_connection_is_taken_up_again_without_repeating_an_action(
    served: tuple[Store, str, int],
) -> None:
    store, code, port = served
    remote = RemoteView(f"127.0.0.1:{port}", code, "bo")
    remote.start()
    remote.act({"type": "wait", "seconds": 60})
    remote._ws.close()  # the wifi drops
    out = remote.act({"type": "wait", "seconds": 60})
    assert out["ok"]
    assert len(store.journal(code, "bo")) == 2
    # a restarted laptop: a new view finds the token kept for this round
    again = RemoteView(f"127.0.0.1:{port}", code, "bo")
    assert again.taken_before == 2
    assert again.start()["elapsed_s"] == 120.0
    again.close()
    remote.close()
    with pytest.raises(RemoteError, match="already playing"):
        RemoteView(f"127.0.0.1:{port}", code, "bo", keep_token=False)
    with pytest.raises(RemoteError, match="cannot reach"):
        RemoteView("127.0.0.1:1", code, "cy")


def test_join_in_a_terminal_plays_and_waits_for_the_reveal(
    served: tuple[Store, str, int], tmp_path: Path
) -> None:
    store, code, port = served
    env = dict(os.environ, PYTHONPATH=str(ROOT), XDG_DATA_HOME=str(tmp_path / "data2"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "chaosgame", "join", f"127.0.0.1:{port}", code, "--name", "dee"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    proc.stdin.write("slo\ndo rollback payments\nwait next\ndeclare payments bad-deploy 0.7\nend\n")
    proc.stdin.flush()
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if "waiting for them" in line:
            break
    text = "".join(seen)
    assert "Checkout is failing at the payment step" in text
    assert "root cause" not in text.lower()
    room = Room(store, code)
    room.set_state("ended")
    room.set_state("revealed")
    rest, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "The host revealed the debrief" in rest
    assert "payments" in rest
    assert "Traceback" not in err


def test_join_says_what_is_wrong_in_one_line(served: tuple[Store, str, int]) -> None:
    _, code, port = served
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "chaosgame",
            "join",
            f"127.0.0.1:{port}",
            "NOPE-NOPE",
            "--name",
            "x",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("chaosgame: no round has the code NOPE-NOPE")
    assert "Traceback" not in done.stderr


def test_the_text_console_thinks_aloud_only_on_a_server(
    served: tuple[Store, str, int],
) -> None:
    import io
    import threading

    from chaosgame.console import run_console

    store, code, port = served
    remote = RemoteView(f"127.0.0.1:{port}", code, "ada")
    out = io.StringIO()
    script = "help\nthink\nthink the deploy lines up with the errors\nmap\n"
    played = threading.Thread(
        target=run_console,
        args=(load(STORM), None, io.StringIO(script), out),
        kwargs={"view": remote},
    )
    try:
        played.start()
        for _ in range(600):  # the end of input ends the game; then it waits for the reveal
            if len(store.journal(code, "ada")) == 2:
                break
            played.join(0.05)
        room = Room(store, code)
        room.set_state("ended")
        room.set_state("revealed")
        played.join(60)
        assert not played.is_alive()
    finally:
        remote.close()
    text = out.getvalue()
    assert "think TEXT" in text  # help lists it
    assert "error: think needs what you think: think TEXT" in text
    assert "(noted for the host)" in text
    log = [(kind, body) for _, kind, body, _ in store.round_log(code)]
    assert log[0] == (
        "think",
        {"name": "ada", "text": "the deploy lines up with the errors", "game_clock": "14:13:30"},
    )
    assert len(store.journal(code, "ada")) == 2  # map, and the end of input's end

    local = io.StringIO()
    run_console(load(STORM), 7, io.StringIO("help\nthink hello\n"), local)
    assert "think TEXT" not in local.getvalue()
    assert "error: think is for rounds on a classroom server (chaosgame join)" in local.getvalue()
