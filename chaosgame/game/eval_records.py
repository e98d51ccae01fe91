"""Evaluations in the run records: one row per ``chaosgame eval`` run.

An evaluation plays hundreds of episodes; saving each as a game would bury the player's own
games in ``chaosgame history``, and a game record keeps the whole scenario and every action.
So an evaluation is one row of its own table, ``evals``, in the same database: the policies,
the incidents, the summary (``chaosgame.evaluate.summary``) and every episode's score as
``[incident, policy, total]``. ``chaosgame history`` lists them under the games;
``--json FILE`` of ``eval`` keeps everything else.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from chaosgame import __version__
from chaosgame.game.records import RecordsError, RunStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS evals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    version TEXT NOT NULL,
    policies TEXT NOT NULL,
    incidents TEXT NOT NULL,
    episodes INTEGER NOT NULL,
    summary TEXT NOT NULL,
    results TEXT NOT NULL
)
"""


@dataclass
class EvalRecord:
    """One saved evaluation."""

    id: int
    created: str
    version: str
    policies: list[str]
    incidents: str
    """What was played, in words (``55 curated``, ``seeds 0-199``)."""
    episodes: int
    summary: dict[str, Any] = field(repr=False)
    """Per policy: the figures over every episode and per topic."""
    results: list[list[Any]] = field(repr=False)
    """Every episode's ``[incident, policy, total]``, in order."""

    def means(self) -> dict[str, float | None]:
        """Each policy's mean score."""
        return {p: self.summary.get(p, {}).get("all", {}).get("score") for p in self.policies}

    def as_dict(self) -> dict[str, Any]:
        """The fields ``chaosgame history --evals --json`` shows."""
        return {
            "id": self.id,
            "created": self.created,
            "version": self.version,
            "policies": self.policies,
            "incidents": self.incidents,
            "episodes": self.episodes,
            "score": self.means(),
            "summary": self.summary,
            "results": self.results,
        }


def save_eval(
    store: RunStore,
    policies: list[str],
    incidents: str,
    summary: dict[str, Any],
    results: list[list[Any]],
) -> int:
    """Save one evaluation; return its id."""
    # wall-clock time is metadata for listing evaluations; no figure reads it
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with store._db(write=True) as conn:
        conn.execute(SCHEMA)
        cur = conn.execute(
            "INSERT INTO evals (created, version, policies, incidents, episodes, summary, "
            "results) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                now,
                __version__,
                json.dumps(policies),
                incidents,
                len(results),
                json.dumps(summary),
                json.dumps(results, separators=(",", ":")),
            ),
        )
        return int(cur.lastrowid or 0)


def evals(store: RunStore) -> list[EvalRecord]:
    """Every readable evaluation, oldest first; damaged ones are noted in ``store.problems``."""
    if not store.path.exists():
        return []
    with store._db(write=False) as conn:
        has = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'evals'").fetchone()
        rows = conn.execute("SELECT * FROM evals ORDER BY id").fetchall() if has else []
    out = []
    for row in rows:
        try:
            out.append(_decode(row))
        except RecordsError as exc:
            store.problems.append(str(exc))
    return out


def _decode(row: sqlite3.Row) -> EvalRecord:
    try:
        policies = json.loads(row["policies"])
        summary = json.loads(row["summary"])
        results = json.loads(row["results"])
        if not isinstance(policies, list) or not isinstance(summary, dict):
            raise ValueError("the policies or the summary are not readable")
        if not isinstance(results, list):
            raise ValueError("the results are not a list")
        return EvalRecord(
            id=int(row["id"]),
            created=str(row["created"]),
            version=str(row["version"]),
            policies=[str(p) for p in policies],
            incidents=str(row["incidents"]),
            episodes=int(row["episodes"]),
            summary=summary,
            results=results,
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise RecordsError(f"evaluation {row['id']}: damaged record skipped ({exc})") from None
