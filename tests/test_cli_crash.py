"""``chaosgame play``: a crash of the terminal UI is a failure exit with a crash log.

The app runs for real in a pseudo-terminal, in its own process, with a test hook that makes
it raise once it is on screen (in a handler, and in a worker thread).
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import threading
from pathlib import Path

import pytest

import chaosgame
from chaosgame.cli_output import EX_SOFTWARE

ROOT = Path(chaosgame.__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|.)")

HOOKS = {
    "handler": """
def boom(self):
    raise RuntimeError("boom from a test hook")
tui_app.ChaosApp.on_mount = boom
""",
    "worker": """
from textual import work
@work(thread=True)
def boom_worker(self):
    raise RuntimeError("boom from a test hook")
def boom(self):
    boom_worker(self)
tui_app.ChaosApp.on_mount = boom
""",
}


def play_in_a_terminal(hook: str, records: Path) -> tuple[int, str]:
    """Run ``chaosgame play`` in a pseudo-terminal with ``hook`` applied; its status and text."""
    script = (
        "import sys\nfrom chaosgame.tui import app as tui_app\n"
        + hook
        + "\nfrom chaosgame.cli import main\n"
        + f"sys.exit(main(['play', '--records', {str(records)!r}]))\n"
    )
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm-256color"}
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdin=slave, stdout=slave, stderr=slave, env=env
    )
    os.close(slave)
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # the other side is closed
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        status = proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
        reader.join(timeout=10)
        os.close(master)
    text = ANSI.sub("", b"".join(chunks).decode("utf-8", "replace"))
    return status, text


@pytest.mark.parametrize("where", sorted(HOOKS))
def test_a_crash_of_the_tui_is_a_failure_with_a_log_file(where: str, tmp_path: Path) -> None:
    status, text = play_in_a_terminal(HOOKS[where], tmp_path / "runs.sqlite3")
    assert status == EX_SOFTWARE, text
    found = re.search(r"details are in (\S+\.log)", text)
    assert found, text
    log = Path(found.group(1))
    assert log.parent == tmp_path  # with the run records, in the data directory
    written = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in written
    assert "RuntimeError: boom from a test hook" in written
    assert "Traceback" not in text  # the terminal gets the message, the file the details
    assert "boom from a test hook" in text
