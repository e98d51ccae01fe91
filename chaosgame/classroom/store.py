"""Where a classroom server keeps everything: rounds, players, and each player's journal.

A game is rebuilt from its journal: the round holds the scenario and the seed, the journal
every request the player made, in order. Since the game is deterministic, replaying the
journal gives back the same game on any server process. A request is written (and
committed) before it is answered, so a server that dies loses no answered action.

Two stores with one interface: :class:`SQLiteStore` (one file, the default) and
:class:`PostgresStore` (``postgresql://...``, for a department's server, or several server
processes behind one database). :func:`open_store` picks by the URL.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "Entry",
    "Player",
    "PostgresStore",
    "Round",
    "SQLiteStore",
    "Store",
    "StoreError",
    "open_store",
]

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS rounds (
        code TEXT PRIMARY KEY,
        mode TEXT NOT NULL,
        title TEXT NOT NULL,
        scenario TEXT NOT NULL,
        seed BIGINT NOT NULL,
        host_hash TEXT NOT NULL,
        state TEXT NOT NULL,
        created REAL NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS players (
        round TEXT NOT NULL,
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL,
        joined REAL NOT NULL,
        PRIMARY KEY (round, name)
    )""",
    """CREATE TABLE IF NOT EXISTS journal (
        round TEXT NOT NULL,
        name TEXT NOT NULL,
        seq INTEGER NOT NULL,
        entry TEXT NOT NULL,
        written REAL NOT NULL,
        PRIMARY KEY (round, name, seq)
    )""",
    """CREATE TABLE IF NOT EXISTS seats (
        round TEXT PRIMARY KEY,
        name TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS round_log (
        round TEXT NOT NULL,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        body TEXT NOT NULL,
        written REAL NOT NULL,
        PRIMARY KEY (round, seq)
    )""",
)
"""The tables, the same on SQLite and PostgreSQL."""


class StoreError(Exception):
    """The store cannot be opened or used (the message says which and why)."""


@dataclass(frozen=True)
class Round:
    """One incident played by a room (or one candidate): the scenario as YAML, its seed."""

    code: str
    mode: str
    """``class`` or ``interview``."""
    title: str
    scenario: str
    seed: int
    host_hash: str
    state: str
    """``open``, ``paused``, ``ended`` or ``revealed``."""
    created: float


@dataclass(frozen=True)
class Player:
    round: str
    name: str
    token_hash: str
    joined: float


@dataclass(frozen=True)
class Entry:
    """One journal line: what was asked, in which order, and when (wall clock, for the
    instructor's timeline; the game itself never reads it)."""

    seq: int
    entry: dict[str, Any]
    written: float


class Store:
    """The interface both stores share; every method is safe from several threads."""

    placeholder = "?"

    def __init__(self) -> None:
        self._lock = threading.RLock()

    # ---------------------------------------------------------------- plumbing
    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        raise NotImplementedError

    def _is_conflict(self, exc: Exception) -> bool:
        raise NotImplementedError

    def _sql(self, text: str) -> str:
        return text.replace("?", self.placeholder)

    def _run(self, text: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock, self._cursor() as cur:
            cur.execute(self._sql(text), args)
            return list(cur.fetchall()) if cur.description else []

    def setup(self) -> None:
        """Create the tables if they are not there."""
        for statement in SCHEMA:
            self._run(statement)

    def close(self) -> None:
        raise NotImplementedError

    # ---------------------------------------------------------------- rounds
    def create_round(self, r: Round) -> bool:
        """Add a round; False when its code is taken."""
        return self._insert(
            "INSERT INTO rounds (code, mode, title, scenario, seed, host_hash, state, created) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (r.code, r.mode, r.title, r.scenario, r.seed, r.host_hash, r.state, r.created),
        )

    def round(self, code: str) -> Round | None:
        rows = self._run(
            "SELECT code, mode, title, scenario, seed, host_hash, state, created FROM rounds "
            "WHERE code = ?",
            (code,),
        )
        return Round(*rows[0]) if rows else None

    def set_state(self, code: str, state: str) -> None:
        self._run("UPDATE rounds SET state = ? WHERE code = ?", (state, code))

    # ---------------------------------------------------------------- players
    def add_player(self, p: Player) -> bool:
        """Add a player; False when the name is taken in that round."""
        return self._insert(
            "INSERT INTO players (round, name, token_hash, joined) VALUES (?, ?, ?, ?)",
            (p.round, p.name, p.token_hash, p.joined),
        )

    def player(self, code: str, name: str) -> Player | None:
        rows = self._run(
            "SELECT round, name, token_hash, joined FROM players WHERE round = ? AND name = ?",
            (code, name),
        )
        return Player(*rows[0]) if rows else None

    def players(self, code: str) -> list[Player]:
        rows = self._run(
            "SELECT round, name, token_hash, joined FROM players WHERE round = ? "
            "ORDER BY joined, name",
            (code,),
        )
        return [Player(*row) for row in rows]

    def claim_seat(self, code: str, name: str) -> bool:
        """Take the one seat of round ``code`` (an interview's candidate) for ``name``: True
        when it is theirs, now or already; False when someone else holds it. Of two players
        claiming it at the same moment, from any server process, one gets it."""
        if self._insert("INSERT INTO seats (round, name) VALUES (?, ?)", (code, name)):
            return True
        rows = self._run("SELECT name FROM seats WHERE round = ?", (code,))
        return bool(rows) and rows[0][0] == name

    # ---------------------------------------------------------------- journals
    def append(self, code: str, name: str, seq: int, entry: dict[str, Any], at: float) -> bool:
        """Write journal line ``seq``; False when another process wrote it first."""
        return self._insert(
            "INSERT INTO journal (round, name, seq, entry, written) VALUES (?, ?, ?, ?, ?)",
            (code, name, seq, json.dumps(entry, sort_keys=True), at),
        )

    def journal(self, code: str, name: str, after: int = 0) -> list[Entry]:
        """Journal lines with ``seq`` above ``after``, in order."""
        rows = self._run(
            "SELECT seq, entry, written FROM journal WHERE round = ? AND name = ? AND seq > ? "
            "ORDER BY seq",
            (code, name, after),
        )
        return [Entry(seq, json.loads(entry), written) for seq, entry, written in rows]

    # ---------------------------------------------------------------- the round's log
    def log(self, code: str, kind: str, body: dict[str, Any], at: float) -> int:
        """Add a line to the round's own log (hints, injected events, pauses, the reveal,
        interview notes); its number."""
        for _ in range(50):
            rows = self._run("SELECT MAX(seq) FROM round_log WHERE round = ?", (code,))
            seq = int(rows[0][0] or 0) + 1
            if self._insert(
                "INSERT INTO round_log (round, seq, kind, body, written) VALUES (?, ?, ?, ?, ?)",
                (code, seq, kind, json.dumps(body, sort_keys=True), at),
            ):
                return seq
        raise StoreError(f"could not add to the log of round {code}: too many writers at once")

    def round_log(self, code: str, after: int = 0) -> list[tuple[int, str, dict[str, Any], float]]:
        rows = self._run(
            "SELECT seq, kind, body, written FROM round_log WHERE round = ? AND seq > ? "
            "ORDER BY seq",
            (code, after),
        )
        return [(seq, kind, json.loads(body), at) for seq, kind, body, at in rows]

    def _insert(self, text: str, args: tuple[Any, ...]) -> bool:
        try:
            self._run(text, args)
        except Exception as exc:
            if self._is_conflict(exc):
                return False
            raise
        return True


class SQLiteStore(Store):
    """A single SQLite file; every write is committed before the call returns."""

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                str(self.path), isolation_level=None, check_same_thread=False, timeout=30.0
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"{self.path}: cannot open the class database: {exc}") from None
        self.setup()

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        cur = self._db.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def _is_conflict(self, exc: Exception) -> bool:
        return isinstance(exc, sqlite3.IntegrityError)

    def close(self) -> None:
        with self._lock:
            self._db.close()


class PostgresStore(Store):
    """A PostgreSQL database (``postgresql://user@host:port/db``): one connection in
    autocommit, so each write is durable when the call returns."""

    placeholder = "%s"

    def __init__(self, url: str) -> None:
        super().__init__()
        try:
            import psycopg
        except ImportError:
            raise StoreError(
                "PostgreSQL needs the classroom extra: pip install 'chaosgame[classroom]'"
            ) from None
        self.url = url
        try:
            self._db = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreError(f"cannot reach the class database at {_safe(url)}: {first}") from None
        self._errors = psycopg.errors
        self.setup()

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        with self._db.cursor() as cur:
            yield cur

    def _is_conflict(self, exc: Exception) -> bool:
        return isinstance(exc, self._errors.UniqueViolation)

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _safe(url: str) -> str:
    """``url`` without a password in it."""
    head, sep, tail = url.partition("@")
    if not sep or ":" not in head.split("//", 1)[-1]:
        return url
    scheme, _, user = head.rpartition("//")
    return f"{scheme}//{user.split(':', 1)[0]}:***@{tail}"


def open_store(url: str | Path) -> Store:
    """The store at ``url``: ``postgresql://...`` (or ``postgres://``), or a SQLite file path
    (``sqlite:///path`` also works)."""
    text = str(url)
    if text.startswith(("postgresql://", "postgres://")):
        return PostgresStore(text)
    if text.startswith("sqlite:///"):  # sqlite:///relative.db, sqlite:////absolute.db
        text = text[len("sqlite:///") :]
    elif "://" in text:
        raise StoreError(f"{text}: a class database is a file path or a postgresql:// URL")
    return SQLiteStore(text)
