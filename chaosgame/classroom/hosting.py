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
) -> int:
    """Open a round of ``scenario`` (None: serve the rounds already in the database) and
    serve until Ctrl-C (or ``stop``), or with ``console`` until the host quits the instructor
    console (grades exported to ``export_dir``); the exit status."""
    url = db or default_db()
    try:
        store = open_store(url)
    except StoreError as exc:
        print(f"chaosgame: {exc}", file=sys.stderr)
        return 1
    try:
        return _serve(store, url, scenario, seed, bind, port, mode, out, stop, console, export_dir)
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
) -> int:
    try:
        running = Running(ClassServer(store), bind, port)
    except OSError as exc:
        print(f"chaosgame: cannot listen on {bind}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    try:
        opened = _announce(store, url, scenario, seed, bind, running.port, mode, out, console)
        if console and opened is not None:
            code, token, join = opened
            run_console(
                local_address(bind, running.port),
                code,
                token,
                export_dir=export_dir,
                owns_server=True,
                intro=[f"Players join with: {join}"],
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
        running.stop()
    return 0


def _announce(
    store: Store,
    url: str,
    scenario: Scenario | None,
    seed: int | None,
    bind: str,
    port: int,
    mode: str,
    out: TextIO,
    console: bool = False,
) -> tuple[str, str, str] | None:
    """Open the round and say how to join it: its code, host token and join command."""
    where = f"{bind}:{port}" if ":" not in bind else f"[{bind}]:{port}"
    shown = url if "://" not in url else url.split("@")[-1]
    opened = None
    if scenario is not None:
        r, token = new_round(store, scenario, seed, mode)
        join = f"chaosgame join {where} {r.code} --name NAME"
        opened = (r.code, token, join)
        print(f"Round {r.code}: {r.title} ({mode})", file=out)
        print(f"Players in a terminal:  {join}", file=out)
        print(f"Host token (keep it to yourself): {token}", file=out)
        print(
            f"Another instructor:  chaosgame host-console {where} {r.code} --token TOKEN", file=out
        )
    else:
        print("Serving the rounds already in the database", file=out)
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
    return opened
