"""``chaosgame host`` opens the instructor console in a terminal; ``host-console`` opens it on
a server elsewhere."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from chaosgame.classroom import host_cli, hosting
from chaosgame.classroom.host_app import HostConsole
from chaosgame.cli import main
from chaosgame.tui.screens.dialogs import ConfirmDialog
from tests.classroom.test_host_app import until


def test_host_in_a_terminal_opens_the_console_on_its_own_server(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: dict[str, Any] = {}

    def console(address: str, code: str, token: str, **kw: Any) -> None:
        async def session() -> None:
            app = HostConsole(address, code, token, **kw)
            async with app.run_test(size=(80, 24)) as pilot:
                await until(pilot, "the connection", lambda: app.link.connected)
                await pilot.press("q")  # quitting stops the server: asked first
                assert isinstance(app.screen, ConfirmDialog)
                await pilot.press("y")
            seen.update(code=code, said=app.said, folder=app.export_dir, **kw)

        asyncio.run(session())

    monkeypatch.setattr(host_cli, "interactive", lambda: True)
    monkeypatch.setattr(hosting, "run_console", console)
    argv = ["host", "--port", "0", "--db", str(tmp_path / "c.db"), "--export-dir", str(tmp_path)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert f"Round {seen['code']}:" in out
    assert "Quitting the console (q) stops the server" in out
    assert out.splitlines()[-1].startswith("Console closed, server stopped")
    assert seen["owns_server"] is True
    assert seen["folder"] == tmp_path
    assert seen["said"][0].startswith("Players join with: chaosgame join 127.0.0.1:")


@pytest.mark.parametrize(
    ("argv", "terminal", "console"),
    [
        ([], True, True),
        (["--no-console"], True, False),
        ([], False, False),  # piped, as scripts and the tests run it
        (["--serve"], True, False),  # no round opened: nothing to host
    ],
)
def test_host_opens_the_console_only_in_a_terminal_and_unless_told_not_to(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], terminal: bool, console: bool
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(host_cli, "interactive", lambda: terminal)
    monkeypatch.setattr(hosting, "serve_round", lambda *a, **kw: calls.append(kw) or 0)
    assert main(["host", *argv]) == 0
    assert calls[0]["console"] is console


def test_host_console_needs_a_terminal_an_address_and_a_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    opened: list[tuple[str, str, str]] = []
    monkeypatch.setattr(host_cli, "run_console", lambda a, c, t, **kw: opened.append((a, c, t)))
    monkeypatch.delenv(host_cli.TOKEN_ENV, raising=False)

    monkeypatch.setattr(host_cli, "interactive", lambda: False)
    assert main(["host-console", "127.0.0.1:8765", "ABCD-EFGH", "--token", "t"]) == 2
    assert "host-console is a terminal app" in capsys.readouterr().err

    monkeypatch.setattr(host_cli, "interactive", lambda: True)
    assert main(["host-console", "127.0.0.1:70000", "ABCD-EFGH", "--token", "t"]) == 2
    assert "the port is a number from 1 to 65535" in capsys.readouterr().err
    monkeypatch.setattr(host_cli.getpass, "getpass", lambda prompt: "")
    assert main(["host-console", "127.0.0.1:8765", "ABCD-EFGH"]) == 2
    assert "needs the round's host token" in capsys.readouterr().err

    monkeypatch.setenv(host_cli.TOKEN_ENV, "from-env")
    assert main(["host-console", "10.0.0.5:8765", "abcd-efgh"]) == 0
    monkeypatch.setattr(host_cli.getpass, "getpass", lambda prompt: "typed")
    monkeypatch.delenv(host_cli.TOKEN_ENV)
    assert main(["host-console", "10.0.0.5", "abcd-efgh"]) == 0
    assert opened == [
        ("10.0.0.5:8765", "abcd-efgh", "from-env"),
        ("10.0.0.5", "abcd-efgh", "typed"),
    ]
