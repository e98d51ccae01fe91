"""``chaosgame host``: open a round and serve it until Ctrl-C.

The host's machine keeps everything: the database (SQLite by default, PostgreSQL with
``--db postgresql://...``) holds the scenario, every player's journal and the round's log,
and the games run here. A second process given the same ``--db`` and ``--serve`` serves the
same rounds (behind a load balancer, or after a restart).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import TYPE_CHECKING, TextIO

from chaosgame.classroom.host_cli import local_address, run_console
from chaosgame.classroom.room import new_round
from chaosgame.classroom.server import ClassServer, Running
from chaosgame.classroom.store import Store, StoreError, open_store

if TYPE_CHECKING:
    from chaosgame.classroom.web import WebFront
    from chaosgame.scenario.model import Scenario

__all__ = ["DB_ENV", "default_db", "serve_round"]

DB_ENV = "CHAOSGAME_CLASSROOM_DB"
DB_NAME = "classroom.sqlite3"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def default_db() -> str:
    """``$CHAOSGAME_CLASSROOM_DB``, or ``classroom.sqlite3`` in the user's data directory."""
    env = os.environ.get(DB_ENV)
    if env:
        return env
    import platformdirs

    return str(platformdirs.user_data_path("chaosgame", appauthor=False) / DB_NAME)


def serve_round(
    scenario: Scenario | None,
    seed: int | None,
    *,
    db: str | None,
    bind: str,
    port: int,
    mode: str,
    out: TextIO,
    stop: threading.Event | None = None,
    console: bool = False,
    export_dir: str | None = None,
    web_port: int | None = None,
    web_console: bool = False,
) -> int:
    """Open a round of ``scenario`` (None: serve the rounds already in the database) and
    serve until Ctrl-C (or ``stop``), or with ``console`` until the host quits the instructor
    console (grades exported to ``export_dir``); the exit status. With ``web_port`` the
    browser pages are served there too (``web_console``: the instructor console's as well)."""
    url = db or default_db()
    try:
        store = open_store(url)
    except StoreError as exc:
        print(f"chaosgame: {exc}", file=sys.stderr)
        return 1
    try:
        web = (web_port, web_console)
        return _serve(
            store, url, scenario, seed, bind, port, mode, out, stop, console, export_dir, web
        )
    finally:
        store.close()


def _serve(
    store: Store,
    url: str,
    scenario: Scenario | None,
    seed: int | None,
    bind: str,
    port: int,
    mode: str,
    out: TextIO,
    stop: threading.Event | None,
    console: bool = False,
    export_dir: str | None = None,
    web: tuple[int | None, bool] = (None, False),
) -> int:
    try:
        running = Running(ClassServer(store), bind, port)
    except OSError as exc:
        print(f"chaosgame: cannot listen on {bind}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    front = None
    try:
        code = token = title = None
        if scenario is not None:
            r, token = new_round(store, scenario, seed, mode)
            code, title = r.code, r.title
        web_port, web_console = web
        web_lines: list[str] = []
        if web_port is not None:
            served = _web_front(bind, running.port, code, web_port, web_console)
            if served is None:
                return 1
            front, web_lines = served
        opened = (code, title, token) if code and title is not None and token else None
        _announce(url, opened, bind, running.port, mode, out, console, web_lines)
        if console and code is not None and token is not None:
            run_console(
                local_address(bind, running.port),
                code,
                token,
                export_dir=export_dir,
                owns_server=True,
                intro=[f"Players join with: {_join(bind, running.port, code)}", *web_lines[:1]],
            )
            print("Console closed, server stopped; the round stays in the database.", file=out)
            return 0
        done = stop or threading.Event()
        if stop is None and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda *_: done.set())
        while not done.wait(0.5):
            pass
    except KeyboardInterrupt:
        print("", file=sys.stderr)
    finally:
        if front is not None:
            front.stop()
        running.stop()
    return 0


def _web_front(
    bind: str, port: int, code: str | None, web_port: int, console: bool
) -> tuple[WebFront, list[str]] | None:
    """Serve the browser pages: the front and the lines saying where; None (and why, on
    stderr) if that fails."""
    from chaosgame.classroom.web import CONSOLE_PATH, WebFront

    try:
        front = WebFront(local_address(bind, port), code, host=bind, port=web_port, console=console)
    except ImportError as exc:
        print(
            f"chaosgame: the browser pages need textual-serve ({exc}): "
            "reinstall chaosgame (pip install chaosgame), or serve without pages: --no-web",
            file=sys.stderr,
        )
        return None
    except OSError as exc:
        print(
            f"chaosgame: cannot serve the browser pages on {bind}:{web_port}: "
            f"{exc.strerror or exc} (--web-port picks another port, --no-web serves none)",
            file=sys.stderr,
        )
        return None
    where = _where(bind, front.port)
    lines = [f"Players in a browser:   http://{where}/"]
    if console:
        lines.append(
            f"Instructor console in a browser: http://{where}{CONSOLE_PATH} "
            "(it asks for the host token)"
        )
    return front, lines


def _join(bind: str, port: int, code: str) -> str:
    return f"chaosgame join {_where(bind, port)} {code} --name NAME"


def _where(bind: str, port: int) -> str:
    return f"{bind}:{port}" if ":" not in bind else f"[{bind}]:{port}"


def _announce(
    url: str,
    opened: tuple[str, str, str] | None,
    bind: str,
    port: int,
    mode: str,
    out: TextIO,
    console: bool = False,
    web_lines: list[str] | None = None,
) -> None:
    """Say how to join the round: its code, the join command and pages, the host token."""
    where = _where(bind, port)
    shown = url if "://" not in url else url.split("@")[-1]
    if opened is not None:
        code, title, token = opened
        print(f"Round {code}: {title} ({mode})", file=out)
        print(f"Players in a terminal:  {_join(bind, port, code)}", file=out)
        for line in web_lines or []:
            print(line, file=out)
        print(f"Host token (keep it to yourself): {token}", file=out)
        print(f"Another instructor:  chaosgame host-console {where} {code} --token TOKEN", file=out)
    else:
        print("Serving the rounds already in the database", file=out)
        for line in web_lines or []:
            print(line, file=out)
    print(f"Database: {shown}", file=out)
    if bind in LOOPBACK:
        print(
            f"Listening on {where} only (this machine); --bind 0.0.0.0 lets others join", file=out
        )
    else:
        print(f"Listening on {where}: anyone who can reach this machine can join", file=out)
    if console and opened is not None:
        print(
            "Quitting the console (q) stops the server; the round stays in the database.", file=out
        )
    else:
        print("Ctrl-C stops the server; the round stays in the database.", file=out)
    out.flush()
