"""Opening the instructor console from the command line: ``chaosgame host`` on its own
server, ``chaosgame host-console`` on a server elsewhere (``docs/classroom.md``)."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import TextIO

from chaosgame.classroom.host_link import ws_url

__all__ = ["TOKEN_ENV", "interactive", "local_address", "open_console", "run_console"]

TOKEN_ENV = "CHAOSGAME_HOST_TOKEN"
"""Where ``host-console`` finds the host token when ``--token`` is not given."""
WILDCARDS = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}
"""A server listening on every address is reached on loopback from its own machine."""


def interactive() -> bool:
    """Whether a person is at the keyboard: stdin and stdout are a terminal."""
    return bool(sys.stdin and sys.stdin.isatty() and sys.stdout and sys.stdout.isatty())


def local_address(bind: str, port: int) -> str:
    """How this machine reaches a server it runs on ``bind:port``."""
    host = WILDCARDS.get(bind, bind)
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def run_console(
    address: str,
    code: str,
    token: str,
    *,
    export_dir: str | None,
    owns_server: bool,
    intro: list[str],
) -> None:
    """Run the instructor console until the host quits it."""
    from chaosgame.classroom.host_app import HostConsole

    HostConsole(
        address,
        code,
        token,
        export_dir=Path(export_dir) if export_dir else None,
        owns_server=owns_server,
        intro=intro,
    ).run()


def open_console(
    address: str, code: str, token: str | None, export_dir: str | None, err: TextIO
) -> int:
    """``chaosgame host-console``: the console on a round served elsewhere; the exit status."""
    try:
        ws_url(address)
    except ValueError as exc:
        print(f"chaosgame: {exc}", file=err)
        return 2
    if not interactive():
        print(
            "chaosgame: host-console is a terminal app: run it with stdin and stdout on a terminal",
            file=err,
        )
        return 2
    token = token or os.environ.get(TOKEN_ENV) or ""
    if not token:
        try:
            token = getpass.getpass("Host token (printed by `chaosgame host`): ").strip()
        except (EOFError, KeyboardInterrupt):
            token = ""
    if not token:
        print(
            f"chaosgame: host-console needs the round's host token: --token TOKEN or ${TOKEN_ENV}",
            file=err,
        )
        return 2
    run_console(address, code, token, export_dir=export_dir, owns_server=False, intro=[])
    return 0
