"""The browser pages' flags of ``chaosgame host`` and ``join`` on the command line."""

from __future__ import annotations

import io
import threading
from pathlib import Path
from typing import Any

import pytest

from chaosgame.classroom import hosting
from chaosgame.classroom.web import WebFront, console_command, join_command
from chaosgame.cli import main
from chaosgame.scenario.library import load


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--web-port", "70000"], "--web-port 70000: a port is 1 to 65535"),
        (["--web-port", "-1"], "--web-port -1: a port is 1 to 65535"),
        (["--port", "9000", "--web-port", "9000"], "other than --port"),
        (["--no-web", "--web-console"], "--no-web serves no browser pages"),
    ],
)
def test_a_bad_web_port_is_one_line(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["host", "--db", str(tmp_path / "c.db"), *argv]) == 2
    err = capsys.readouterr().err
    assert says in err
    assert err.count("\n") == 1
    assert not (tmp_path / "c.db").exists()  # refused before anything was opened


@pytest.mark.parametrize(
    ("argv", "web_port", "console"),
    [
        ([], 8766, False),
        (["--port", "9000"], 9001, False),
        (["--port", "0"], 0, False),
        (["--web-port", "0", "--web-console"], 0, True),
        (["--no-web"], None, False),
    ],
)
def test_the_browser_pages_are_on_by_default_beside_the_port(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], web_port: int | None, console: bool
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(hosting, "serve_round", lambda *a, **kw: calls.append(kw) or 0)
    assert main(["host", "--no-console", *argv]) == 0
    assert calls[0]["web_port"] == web_port
    assert calls[0]["web_console"] is console


def test_host_announces_the_browser_pages(tmp_path: Path) -> None:
    out, stop = io.StringIO(), threading.Event()
    done: list[int] = []
    worker = threading.Thread(
        target=lambda: done.append(
            hosting.serve_round(
                load("checkout-payment-step-failing"),
                None,
                db=str(tmp_path / "c.db"),
                bind="127.0.0.1",
                port=0,
                mode="class",
                out=out,
                stop=stop,
                web_port=0,
                web_console=True,
            )
        )
    )
    worker.start()
    try:
        for _ in range(200):
            if "Ctrl-C" in out.getvalue():
                break
            stop.wait(0.05)
    finally:
        stop.set()
        worker.join(30)
    text = out.getvalue()
    assert done == [0]
    assert "Players in a browser:   http://127.0.0.1:" in text
    assert "/console/ (it asks for the host token)" in text
    host_token = text.split("Host token (keep it to yourself): ")[1].split()[0]
    assert host_token not in text.split("Host token")[0]  # never in a page's address


def test_a_taken_web_port_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    taken = WebFront("127.0.0.1:1", "ABCD-EFGH")
    try:
        status = hosting.serve_round(
            load("checkout-payment-step-failing"),
            None,
            db=str(tmp_path / "c.db"),
            bind="127.0.0.1",
            port=0,
            mode="class",
            out=io.StringIO(),
            stop=threading.Event(),
            web_port=taken.port,
        )
    finally:
        taken.stop()
    assert status == 1
    err = capsys.readouterr().err
    assert f"cannot serve the browser pages on 127.0.0.1:{taken.port}" in err
    assert err.count("\n") == 1


def test_the_pages_run_join_and_the_console_without_a_name_or_token() -> None:
    join = join_command("127.0.0.1:8765", "ABCD-EFGH")
    assert join.endswith("join 127.0.0.1:8765 ABCD-EFGH --web")
    assert "--name" not in join
    console = console_command("127.0.0.1:8765", None)
    assert console.endswith("host-console 127.0.0.1:8765 --web")
    assert "--token" not in console


def test_join_without_a_name_outside_the_tui_is_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["join", "127.0.0.1:8765", "ABCD-EFGH", "--text"]) == 2
    assert "join needs --name NAME" in capsys.readouterr().err
