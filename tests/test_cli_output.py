"""Every command as a Unix tool: a closed pipe, a closed stdout and a full disk.

Each command of the parser runs in a real process three ways: with its stdout a pipe whose
reader has gone (``chaosgame list | head -1``), with stdout closed (``>&-``) and with stdout on
``/dev/full`` (a full disk). A closed pipe ends quietly with status 141 (128 + SIGPIPE, what a
shell reports for ``cat`` or ``git log`` in the same place); the other two end with one line on
stderr and status 74 (EX_IOERR), never an internal error.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO

import pytest

import chaosgame
from chaosgame.cli import build_parser
from chaosgame.cli_output import EX_IOERR, SIGPIPE_STATUS
from chaosgame.console import run_console
from chaosgame.game.records import RunStore
from chaosgame.scenario.library import find, load

ROOT = Path(chaosgame.__file__).resolve().parent.parent
DEV_FULL = Path("/dev/full")


def commands() -> list[str]:
    """Every sub-command the parser knows."""
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(sub.choices)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a run database holding one finished game, and a broken scenario."""
    folder = tmp_path_factory.mktemp("cli-output")
    store = RunStore(folder / "runs.sqlite3")
    assert run_console(load(), None, io.StringIO("end\n"), io.StringIO(), store=store) == 0
    broken = folder / "broken.yaml"
    broken.write_text(
        find("checkout-payment-step-failing").read_text().replace("retries:", "retires:")
    )
    return folder


_SERVED: list[list[str]] = []


def _a_round(folder: Path) -> list[str]:
    """``join ADDRESS CODE --name N --token T`` of a player in a round served in this
    process for the tests of this module (each example process comes back as that player)."""
    if not _SERVED:
        from chaosgame.classroom.room import Room, new_round
        from chaosgame.classroom.server import ClassServer, Running
        from chaosgame.classroom.store import open_store

        store = open_store(folder / "served.db")
        r, _ = new_round(store, load())
        token = Room(store, r.code).join("reader")
        running = Running(ClassServer(store))
        _SERVED.append(
            ["join", f"127.0.0.1:{running.port}", r.code, "--name", "reader", "--token", token]
        )
    return list(_SERVED[0])


def example(command: str, folder: Path) -> tuple[list[str], str]:
    """Arguments that make ``command`` write to stdout, and what it reads on stdin."""
    records = ["--records", str(folder / "runs.sqlite3")]
    examples: dict[str, tuple[list[str], str]] = {
        "play": (["play", "--text", "--no-record"], "end\n"),
        "validate": (["validate", str(find("checkout-payment-step-failing"))], ""),
        "list": (["list"], ""),
        "schema": (["schema"], ""),
        "check": (["check", str(folder / "broken.yaml")], ""),
        "new": (["new", "tool-test", "--dir", str(folder), "--force"], ""),
        "history": (["history", *records], ""),
        "replay": (["replay", "last", *records], ""),
        "report": (["report", "last", *records], ""),
        "quiz": (["quiz", "--seed", "1", "--count", "1"], "1\n"),
        "catalog": (["catalog"], ""),
        "daily": (["daily", "--date", "2026-03-02", "--text", "--no-record"], "end\n"),
        "generate": (["generate", "--seed", "7"], ""),
        "eval": (
            [
                "eval",
                "--policy",
                "nothing",
                "--scenarios",
                "search-cpu-high-at-night",
                "-q",
                "--no-record",
            ],
            "",
        ),  # fmt: skip
        "agent": (["agent", "checkout-payment-step-failing"], '{"id": 1, "op": "catalog"}\n'),
        "host": (["host", "--port", "0", "--db", str(folder / "class.db")], ""),
        "host-console": (["host-console", "--help"], ""),  # a terminal app: only its help
        "join": (_a_round(folder), "slo\nquit\n"),
    }
    if command not in examples:
        pytest.fail(f"add an example of `chaosgame {command}` that writes to stdout")
    return examples[command]


def run(argv: list[str], stdin: str, how: str, folder: Path) -> subprocess.CompletedProcess[str]:
    """``python -m chaosgame ARGV`` with stdout a reader-less pipe, closed, or /dev/full."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CHAOSGAME_RECORDS": str(folder / "x.sqlite3"),
        "XDG_DATA_HOME": str(folder / "data"),
    }
    cmd = [sys.executable, "-m", "chaosgame", *argv]

    def go(cmd: list[str], stdout: int | IO[str] | None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            cmd,
            input=stdin,
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=300,
            check=False,
        )

    if how == "pipe":
        read, write = os.pipe()
        os.close(read)  # the reader is gone: every write fails with EPIPE
        try:
            return go(cmd, write)
        finally:
            os.close(write)
    if how == "closed":
        return go(["sh", "-c", 'exec "$@" >&-', "sh", *cmd], None)
    with DEV_FULL.open("w") as full:
        return go(cmd, full)


def test_every_command_has_an_example(workdir: Path) -> None:
    for command in commands():
        example(command, workdir)


@pytest.mark.skipif(not DEV_FULL.exists(), reason="needs /dev/full")
@pytest.mark.parametrize("command", commands())
def test_output_failures_are_one_line_never_an_internal_error(command: str, workdir: Path) -> None:
    argv, stdin = example(command, workdir)
    ways = ("pipe", "closed", "full")
    with ThreadPoolExecutor(len(ways)) as pool:
        done = dict(
            zip(ways, pool.map(lambda how: run(argv, stdin, how, workdir), ways), strict=True)
        )
    for how, proc in done.items():
        assert "internal error" not in proc.stderr, (how, proc.stderr)
        assert "Traceback" not in proc.stderr, (how, proc.stderr)
        assert "Exception ignored" not in proc.stderr, (how, proc.stderr)
    pipe, closed, full = done["pipe"], done["closed"], done["full"]
    assert (pipe.returncode, pipe.stderr) == (SIGPIPE_STATUS, "")
    assert closed.returncode == EX_IOERR
    assert closed.stderr.splitlines() == [
        "chaosgame: cannot write to standard output: it is closed"
    ]
    assert full.returncode == EX_IOERR
    assert full.stderr.splitlines() == [
        "chaosgame: cannot write to standard output: No space left on device"
    ]


@pytest.mark.parametrize("command", ["play", "quiz"])
def test_a_closed_stdin_reads_as_empty(command: str, workdir: Path) -> None:
    argv, _ = example(command, workdir)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CHAOSGAME_RECORDS": str(workdir / "x.sqlite3")}
    cmd = [sys.executable, "-m", "chaosgame", *argv]
    proc = subprocess.run(
        ["sh", "-c", 'exec "$@" <&-', "sh", *cmd],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "internal error" not in proc.stderr
