"""A real PostgreSQL server for the tests, started from the machine's own binaries.

It runs in a temporary directory on a private Unix socket and port, as the ``postgres``
system user when the tests run as root (the server refuses to run as root), and stops when
the tests end. Nothing is mocked.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path


def binaries() -> Path | None:
    """The newest PostgreSQL server binaries on this machine (Debian layout first)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _version(path: str) -> tuple[int, ...]:
    part = Path(path).parent.parent.name
    return tuple(int(x) for x in part.split(".") if x.isdigit())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """``initdb``, ``pg_ctl start``, a database, and ``stop()``."""

    def __init__(self, root: Path) -> None:
        bindir = binaries()
        if bindir is None:
            raise RuntimeError(
                "PostgreSQL's server binaries are not installed: `make test` installs them "
                "(Debian package postgresql), or install them by hand"
            )
        self.bindir = bindir
        self.root = root
        self.data = root / "data"
        self.sockets = root / "sock"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        self.user = "postgres" if self.as_root else _me()
        root.mkdir(parents=True, exist_ok=True)
        self.sockets.mkdir(exist_ok=True)
        if self.as_root:
            shutil.chown(root, "postgres")
            shutil.chown(self.sockets, "postgres")
            os.chmod(root, 0o755)
        self._do("initdb", "-D", str(self.data), "-A", "trust", "-U", self.user, "--no-sync")
        self._do(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(root / "server.log"),
            "-w",
            "-o",
            f"-k {self.sockets} -p {self.port} -c listen_addresses='' -c fsync=off",
            "start",
        )
        self._do(
            "createdb", "-h", str(self.sockets), "-p", str(self.port), "-U", self.user, "chaosgame"
        )

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}@/chaosgame?host={self.sockets}&port={self.port}"

    def _do(self, tool: str, *args: str) -> None:
        cmd = [str(self.bindir / tool), *args]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd="/")
        if done.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{tool} failed: {done.stderr.strip()}\n{tail}")

    def stop(self) -> None:
        for _ in range(3):
            try:
                self._do("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
                return
            except RuntimeError:
                time.sleep(0.5)


def _me() -> str:
    import getpass

    return getpass.getuser()
