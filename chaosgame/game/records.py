"""Run records: every game saved in SQLite, after every action, so it can be listed,
replayed, reported on and resumed after a crash.

The database lives in the user's data directory (``platformdirs``), or wherever
``CHAOSGAME_RECORDS`` or a ``--records PATH`` option points. A record keeps the scenario
itself (as JSON), the seed, the chaosgame version, every accepted action with its simulated
time, and the score with its parts. The comparison runs a score is measured against are kept
too (one row per scenario content and seed), so a game is scored, replayed or reported on
without simulating them again. A record that cannot be decoded is reported and skipped;
a file that is not a database is reported, kept aside under another name, and replaced.
Saving never interrupts a game: a failure to write is reported once and play goes on.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chaosgame import __version__
from chaosgame.scenario.library import current_id, renamed_to

if TYPE_CHECKING:  # the engine is imported when a game is played, not to open the store
    from chaosgame.game.baselines import Key
    from chaosgame.game.session import Session
    from chaosgame.scenario.model import Scenario

SCHEMA_VERSION = 1
DB_NAME = "runs.sqlite3"
ENV = "CHAOSGAME_RECORDS"
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scenario_id TEXT NOT NULL,
    seed INTEGER NOT NULL,
    version TEXT NOT NULL,
    status TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    scenario TEXT NOT NULL,
    actions TEXT NOT NULL,
    declarations TEXT NOT NULL DEFAULT '[]',
    total REAL,
    grade TEXT,
    score TEXT
);
CREATE TABLE IF NOT EXISTS baselines (
    scenario_hash TEXT NOT NULL,
    seed INTEGER NOT NULL,
    settle REAL NOT NULL,
    version TEXT NOT NULL,
    created TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (scenario_hash, seed, settle, version)
);
"""
"""``baselines`` keeps the comparison runs of finished games (``chaosgame.game.baselines``),
keyed by a SHA-256 of the scenario's model dump, the seed, the settling time and the
chaosgame version that computed them."""


class RecordsError(Exception):
    """A run record that cannot be used (the message says which and why)."""


def parse_seed(text: str) -> int:
    """A seed as typed (the command line, the home screen) as a whole number that run
    records can keep (64 bits); ``ValueError`` says what is wrong and the range."""
    from chaosgame.scenario.model import SEED_MAX, SEED_MIN

    try:
        value = int(text.strip())
    except ValueError:
        raise ValueError(f"'{text}' is not a whole number") from None
    if not SEED_MIN <= value <= SEED_MAX:
        raise ValueError(
            f"{text.strip()} is out of range: a seed is a whole number from {SEED_MIN} to "
            f"{SEED_MAX}"
        )
    return value


def default_path() -> Path:
    """``$CHAOSGAME_RECORDS``, or ``runs.sqlite3`` in the user's data directory."""
    env = os.environ.get(ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return platformdirs.user_data_path("chaosgame", appauthor=False) / DB_NAME


def crash_log(text: str, near: Path | None = None) -> Path:
    """Write ``text`` (what a crash left: its traceback) to a new ``crash-*.log`` file next
    to the run records (``near``, or the default records path), or in the temporary folder
    when that folder cannot be written; return the file's path."""
    import tempfile

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")  # metadata: a name to tell files apart
    for folder in ((near or default_path()).parent, Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            n = 0
            while True:
                path = folder / f"crash-{stamp}{f'-{n}' if n else ''}.log"
                try:
                    with path.open("x", encoding="utf-8") as out:
                        out.write(text)
                    return path
                except FileExistsError:
                    n += 1
        except OSError:
            continue
    raise OSError(f"no folder to write a crash log in (tried {near or default_path()})")


def _now() -> str:
    # wall-clock time is metadata for listing runs; no rule of the game reads it
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass
class RunRecord:
    """One saved game."""

    id: int
    scenario_id: str
    seed: int
    version: str
    status: str
    created: str
    updated: str
    actions: list[dict[str, Any]]
    scenario_json: str = field(repr=False)
    score: dict[str, Any] | None = None
    stored_id: str = ""
    """The scenario id saved with the run; ``scenario_id`` is the id it has now, when a
    curated scenario was renamed since (its old id is one of its ``aliases``)."""

    def __post_init__(self) -> None:
        self.stored_id = self.stored_id or self.scenario_id
        self.scenario_id = current_id(self.scenario_id)

    def scenario(self) -> Scenario:
        """The scenario the run was played on, exactly as it was then."""
        from chaosgame.scenario.model import Scenario

        try:
            sc = Scenario.model_validate_json(self.scenario_json)
        except ValueError as exc:
            first = str(exc).splitlines()[0]
            raise RecordsError(f"run {self.id}: its scenario cannot be read ({first})") from None
        renamed = renamed_to(sc.id)
        if renamed is None:
            return sc
        # a curated scenario renamed since: the same incident under its id and title now
        aliases = [sc.id, *(a for a in renamed.aliases if a != sc.id)]
        return sc.model_copy(update={"id": renamed.id, "title": renamed.title, "aliases": aliases})

    @property
    def title(self) -> str:
        """The scenario's title (symptoms only), or the id if unreadable."""
        renamed = renamed_to(self.stored_id)
        if renamed is not None:
            return renamed.title
        try:
            title = json.loads(self.scenario_json).get("title")
        except (ValueError, AttributeError):
            return self.scenario_id
        return title if isinstance(title, str) and title else self.scenario_id

    def summary(self) -> dict[str, Any]:
        """The fields ``chaosgame history`` shows (plain data)."""
        score = self.score or {}
        return {
            "id": self.id,
            "scenario": self.scenario_id,
            "seed": self.seed,
            "version": self.version,
            "status": self.status,
            "created": self.created,
            "updated": self.updated,
            "actions": len(self.actions),
            "score": score.get("total"),
            "grade": score.get("grade"),
            "parts": {p["key"]: p["points"] for p in score.get("parts", [])},
        }


def newest_first(runs: Iterable[RunRecord]) -> list[RunRecord]:
    """Saved games in the order every list of them shows (``chaosgame history``, its
    ``--json``, the history screen): the newest first, by run id (the order they began)."""
    return sorted(runs, key=lambda r: r.id, reverse=True)


def _decode(row: sqlite3.Row) -> RunRecord:
    """A row as a record; ``RecordsError`` if any field is damaged."""
    try:
        actions = json.loads(row["actions"])
        score = json.loads(row["score"]) if row["score"] else None
        if not isinstance(actions, list) or not all(
            isinstance(a, dict) and isinstance(a.get("action"), dict) for a in actions
        ):
            raise ValueError("actions are not a list of recorded actions")
        if score is not None and not (isinstance(score, dict) and "total" in score):
            raise ValueError("the score has no total")
        return RunRecord(
            id=int(row["id"]),
            scenario_id=str(row["scenario_id"]),
            seed=int(row["seed"]),
            version=str(row["version"]),
            status=str(row["status"]),
            created=str(row["created"]),
            updated=str(row["updated"]),
            actions=actions,
            scenario_json=str(row["scenario"]),
            score=score,
        )
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise RecordsError(f"run {row['id']}: damaged record skipped ({exc})") from None


LOCK_TIMEOUT_S = 10.0
"""How long a read or a save waits for another program's lock on the database (a backup, a
second game saving) before it says so; the file is never touched meanwhile."""

_LOCKED = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
_DAMAGED = (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT)
_TABLES = {"meta", "runs", "baselines"}


class RecordsLocked(RecordsError, sqlite3.OperationalError):
    """The run database stayed locked by another program for the whole wait. It is a
    :class:`RecordsError` for the commands and an SQLite error for code that shrugs off a
    failure to save (the game goes on, a later save catches up)."""


class RunStore:
    """The run records database."""

    def __init__(self, path: Path | str | None = None, lock_timeout: float | None = None) -> None:
        self._path = Path(path) if path is not None else None
        self.lock_timeout = LOCK_TIMEOUT_S if lock_timeout is None else lock_timeout
        """Seconds to wait for another program's lock before giving up (and saying so)."""
        self.problems: list[str] = []
        """What went wrong and was worked around (damaged records, a file set aside)."""

    @property
    def path(self) -> Path:
        """Where the database is (found when first needed: opening the app stays fast)."""
        if self._path is None:
            self._path = default_path()
        return self._path

    # ------------------------------------------------------------------ plumbing
    def _connect(self, write: bool) -> sqlite3.Connection:
        """A connection that has read the schema (so a file that is not a database, or one
        locked by another program, fails here); for writing, the tables are made if missing.
        Reading never writes, so it takes no write lock."""
        conn = sqlite3.connect(self.path, timeout=self.lock_timeout)
        try:
            conn.row_factory = sqlite3.Row
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if write and not tables >= _TABLES:
                conn.executescript(SCHEMA)
                conn.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)",
                    (str(SCHEMA_VERSION),),
                )
                conn.commit()
            elif not write:
                # tables an older or an empty file lacks are empty temporary ones: reading
                # them finds nothing, and the file is not written
                for statement in SCHEMA.split(";"):
                    name = statement.partition("EXISTS")[2].split("(")[0].strip()
                    if name and name not in tables:
                        conn.execute(statement.replace("CREATE TABLE", "CREATE TEMP TABLE"))
            if write:
                conn.isolation_level = "IMMEDIATE"  # a write takes its lock up front
        except BaseException:
            conn.close()
            raise
        return conn

    def _locked(self) -> RecordsLocked:
        return RecordsLocked(
            f"{self.path} is in use by another program (a backup, or another game saving) "
            f"and stayed locked for {self.lock_timeout:g} s; it was left as it is: try again "
            "when that program is done"
        )

    def _set_aside(self, exc: Exception) -> None:
        n = 1
        while (spare := self.path.with_name(f"{self.path.name}.corrupt-{n}")).exists():
            n += 1
        self.path.replace(spare)
        self.problems.append(
            f"{self.path} was not a readable run database ({exc}); it was kept as {spare} "
            "and a new one was started"
        )

    def _open(self, write: bool) -> sqlite3.Connection:
        """A connection; a locked file is waited for and kept, a damaged one (not a
        database, or corrupt) is set aside and replaced when writing."""
        try:
            return self._connect(write)
        except sqlite3.DatabaseError as exc:
            code = getattr(exc, "sqlite_errorcode", None)
            if code in _LOCKED:
                raise self._locked() from None
            if code not in _DAMAGED:
                raise RecordsError(f"{self.path} cannot be used ({exc})") from None
            if not write:
                raise RecordsError(f"{self.path} is not a readable run database ({exc})") from None
            self._set_aside(exc)
        return self._connect(write)

    @contextmanager
    def _db(self, write: bool) -> Iterator[sqlite3.Connection]:
        """A connection for one transaction (see :meth:`_open`)."""
        if write:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif not self.path.exists():
            raise FileNotFoundError(f"no run records yet at {self.path}")
        conn = self._open(write)
        try:
            with conn:
                yield conn
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorcode", None) in _LOCKED:
                raise self._locked() from None
            raise
        finally:
            conn.close()

    # ------------------------------------------------------------------- writing
    def start(self, session: Session) -> int:
        """Save a new game in progress; return its run id.

        A seed the database cannot keep exactly (beyond 64 bits) is a :class:`RecordsError`:
        the game could not be resumed or replayed with it.
        """
        from chaosgame.scenario.model import SEED_MAX, SEED_MIN

        if not SEED_MIN <= session.seed <= SEED_MAX:
            raise RecordsError(
                f"seed {session.seed} cannot be saved: run records keep seeds from "
                f"{SEED_MIN} to {SEED_MAX}"
            )
        now = _now()
        with self._db(write=True) as conn:
            cur = conn.execute(
                "INSERT INTO runs (scenario_id, seed, version, status, created, updated, "
                "scenario, actions) VALUES (?, ?, ?, 'playing', ?, ?, ?, ?)",
                (
                    session.scenario.id,
                    session.seed,
                    __version__,
                    now,
                    now,
                    session.scenario.model_dump_json(by_alias=True),
                    json.dumps(session.actions),
                ),
            )
            return int(cur.lastrowid or 0)

    def save_progress(self, run_id: int, session: Session) -> None:
        """Save every action so far (called after each one)."""
        with self._db(write=True) as conn:
            conn.execute(
                "UPDATE runs SET actions = ?, updated = ?, status = ? WHERE id = ?",
                (
                    json.dumps(session.actions),
                    _now(),
                    "ended" if session.ended else "playing",
                    run_id,
                ),
            )

    def finish(self, run_id: int, session: Session, score: dict[str, Any]) -> None:
        """Save the final actions and the score (and the comparison runs it was measured
        against, when this process has them and the records do not)."""
        with self._db(write=True) as conn:
            conn.execute(
                "UPDATE runs SET actions = ?, updated = ?, status = 'finished', total = ?, "
                "grade = ?, score = ? WHERE id = ?",
                (
                    json.dumps(session.actions),
                    _now(),
                    float(score["total"]),
                    str(score["grade"]),
                    json.dumps(score),
                    run_id,
                ),
            )
        self._keep_baselines(session)

    def _keep_baselines(self, session: Session) -> None:
        from chaosgame.game import baselines
        from chaosgame.game.players import SETTLE_S

        found = baselines.cached(session.scenario, session.seed, SETTLE_S)
        if found is None:
            return
        key = baselines.key(session.scenario, session.seed, SETTLE_S)
        try:
            with self._db(write=False) as conn:
                kept = conn.execute(
                    "SELECT 1 FROM baselines WHERE scenario_hash = ? AND seed = ? AND settle = ? "
                    "AND version = ?",
                    (*key, __version__),
                ).fetchone()
        except (sqlite3.Error, OSError, OverflowError):
            kept = None
        if kept is None:
            baselines.save(self, key, found)

    def save_baseline(self, key: Key, version: str, data: str) -> None:
        """Keep a game's comparison runs (``chaosgame.game.baselines``) under ``key``; they
        replace a row that could not be read."""
        digest, seed, settle = key
        with self._db(write=True) as conn:
            conn.execute(
                "INSERT OR REPLACE INTO baselines (scenario_hash, seed, settle, version, created, "
                "data) VALUES (?, ?, ?, ?, ?, ?)",
                (digest, seed, settle, version, _now(), data),
            )

    def load_baseline(self, key: Key, version: str) -> str | None:
        """The comparison runs kept under ``key`` by this ``version``, or None."""
        if not self.path.exists():
            return None
        digest, seed, settle = key
        with self._db(write=False) as conn:
            row = conn.execute(
                "SELECT data FROM baselines WHERE scenario_hash = ? AND seed = ? AND settle = ? "
                "AND version = ?",
                (digest, seed, settle, version),
            ).fetchone()
        return None if row is None else str(row["data"])

    def attach(self, session: Session, run_id: int | None = None) -> int:
        """Save ``session`` after every action from now on; return its run id.

        A failure to save is reported once in :attr:`problems` and never stops the game.
        """
        rid = self.start(session) if run_id is None else run_id
        failed = False

        def save(s: Session) -> None:
            nonlocal failed
            try:
                self.save_progress(rid, s)
            except (sqlite3.Error, OSError) as exc:
                if not failed:
                    self.problems.append(f"could not save the game in progress: {exc}")
                failed = True

        session.on_action = save
        from chaosgame.game.baselines import remember

        remember(session, self)
        return rid

    # ------------------------------------------------------------------- reading
    def runs(self) -> list[RunRecord]:
        """Every readable run, oldest first; damaged ones are listed in :attr:`problems`."""
        if not self.path.exists():
            return []
        out = []
        with self._db(write=False) as conn:
            rows = conn.execute("SELECT * FROM runs ORDER BY id").fetchall()
        for row in rows:
            try:
                out.append(_decode(row))
            except RecordsError as exc:
                self.problems.append(str(exc))
        return out

    def get(self, run: int | str) -> RunRecord:
        """The run with this id, or ``last``, or ``unfinished`` (the latest game in progress)."""
        if run in ("last", "unfinished"):
            rows = self.runs()
            if run == "unfinished":
                rows = [r for r in rows if r.status != "finished"]
            if not rows:
                what = "unfinished games" if run == "unfinished" else "runs"
                raise RecordsError(f"no {what} in {self.path}")
            return rows[-1]
        try:
            rid = int(run)
        except ValueError:
            raise RecordsError(
                f"'{run}' is not a run id; use a number from `chaosgame history`, or last"
            ) from None
        with self._db(write=False) as conn:
            row = conn.execute("SELECT * FROM runs WHERE id = ?", (rid,)).fetchone()
        if row is None:
            raise RecordsError(f"no run {rid} in {self.path}; see `chaosgame history`")
        return _decode(row)


# ------------------------------------------------------------------ replay and resume
def resume_session(record: RunRecord) -> Session:
    """A game in progress rebuilt from its record: the same scenario, seed and actions."""
    from chaosgame.game.scoring import play

    session, errors = play(record.scenario(), record.actions, record.seed)
    if errors:
        raise RecordsError(f"run {record.id} does not replay: {errors[0]}")
    return session


def replay(record: RunRecord, store: RunStore | None = None) -> tuple[Any, list[str]]:
    """Re-run a record's actions and score them again (the comparison runs are read from
    ``store`` when it keeps them).

    Returns the new :class:`~chaosgame.game.scoring.Assessment` and the differences found
    against the record (actions refused or played at other times, and score parts that
    differ); an empty list means the replay reproduced the run.
    """
    from chaosgame.game.scoring import assess, play

    session, problems = play(record.scenario(), record.actions, record.seed)
    for i, (old, new) in enumerate(zip(record.actions, session.actions, strict=False)):
        if abs(float(old["time"]) - float(new["time"])) > 1e-6:
            problems.append(f"action {i + 1} ran at {new['time']:g} s instead of {old['time']:g} s")
    if len(session.actions) != len(record.actions):
        problems.append(f"{len(session.actions)} of {len(record.actions)} actions replayed")
    assessment = assess(session, store=store)
    if record.score is not None:
        problems += compare_scores(record.score, assessment.score.as_dict())
    return assessment, problems


def compare_scores(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The differences between two saved scores, in words."""
    out = []
    if old.get("total") != new.get("total"):
        out.append(f"total {old.get('total')} recorded, {new.get('total')} replayed")
    before = {p["key"]: p["points"] for p in old.get("parts", [])}
    for p in new.get("parts", []):
        if before.get(p["key"]) != p["points"]:
            out.append(f"{p['key']} {before.get(p['key'])} recorded, {p['points']} replayed")
    return out
