"""What the instructor console shows, as plain text: leaderboard columns and their order,
timeline and event lines, and the console's command line (no Textual here)."""

from __future__ import annotations

import difflib
import math
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "COLUMNS",
    "COMMANDS",
    "DEFAULT_PENALTY",
    "Column",
    "Command",
    "CommandError",
    "clock_text",
    "event_text",
    "parse_command",
    "sort_rows",
    "step_text",
]

DEFAULT_PENALTY = 5.0
"""Points a hint costs unless the host says otherwise (``hint -p N``)."""
MAX_PENALTY = 50.0
"""The most a hint may cost (the server refuses more)."""


def clock_text(at: float | None) -> str:
    """A wall-clock time as ``HH:MM:SS`` in the host's time zone (``-`` when unknown)."""
    if at is None:
        return "-"
    return time.strftime("%H:%M:%S", time.localtime(at))


def _points(value: Any) -> str:
    return "-" if value is None else f"{float(value):.1f}"


def _penalty(value: Any) -> str:
    return f"-{float(value):.1f}" if value else ""


def _percent(value: Any) -> str:
    return f"{float(value or 0.0) * 100:.1f}%"


def _duration(seconds: Any) -> str:
    s = int(seconds or 0)
    if s >= 3600:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 60}m{s % 60:02d}s"


def _number(value: Any) -> float:
    """A sort key for a value that may be missing (missing sorts below everything)."""
    return -math.inf if value is None else float(value)


@dataclass(frozen=True)
class Column:
    """A leaderboard column: its key in a standings row, header, width and text; ``highest``
    sorts the largest values first."""

    key: str
    label: str
    width: int
    text: Callable[[Any], str]
    sort: Callable[[dict[str, Any]], Any]
    highest: bool


COLUMNS = (
    Column("name", "Player", 12, str, lambda r: str(r["name"]).casefold(), False),
    Column("score", "Score", 5, _points, lambda r: _number(r.get("score")), True),
    Column("raw", "Raw", 5, _points, lambda r: _number(r.get("raw_score")), True),
    Column("penalty", "Hints", 5, _penalty, lambda r: _number(r.get("penalty")), True),
    Column("burned", "Burned", 6, _percent, lambda r: _number(r.get("budget_burned")), True),
    Column("actions", "Acts", 4, str, lambda r: int(r.get("actions") or 0), True),
    Column("sim", "Sim", 6, _duration, lambda r: _number(r.get("elapsed_s")), True),
    Column("status", "Status", 7, str, lambda r: str(r.get("status")), False),
    Column("seen", "Seen", 8, clock_text, lambda r: _number(r.get("last_seen")), True),
)
"""The leaderboard, left to right (the ``sort`` command takes a column's key)."""
FIELDS = {
    "name": "name",
    "score": "score",
    "raw": "raw_score",
    "penalty": "penalty",
    "burned": "budget_burned",
    "actions": "actions",
    "sim": "elapsed_s",
    "status": "status",
    "seen": "last_seen",
}
"""The standings field each column shows."""


def cells(row: dict[str, Any]) -> list[str]:
    """A standings row as the leaderboard's cells."""
    return [c.text(row.get(FIELDS[c.key])) for c in COLUMNS]


def sort_rows(rows: list[dict[str, Any]], key: str, reverse: bool = False) -> list[dict[str, Any]]:
    """Rows in the order of column ``key`` (its natural direction, or the other one);
    ties by name."""
    column = next(c for c in COLUMNS if c.key == key)
    by_name = sorted(rows, key=lambda r: str(r["name"]).casefold())
    return sorted(by_name, key=column.sort, reverse=column.highest != reverse)


def step_text(request: dict[str, Any]) -> str:
    """A player's request in a few words: ``mitigate rollback payments``, ``wait 300s``."""
    op = str(request.get("op", "?"))
    words = []
    for key, value in request.items():
        if key == "op":
            continue
        words.append(f"{value}s" if key == "seconds" else str(value))
    return " ".join([op, *words])


def event_text(event: dict[str, Any]) -> str:
    """One line of the round's log as the console's events panel shows it."""
    kind = str(event.get("kind"))
    at = clock_text(event.get("at"))
    if kind == "hint":
        cost = float(event.get("penalty") or 0.0)
        price = f" (costs {cost:g} points)" if cost else " (free)"
        return f"{at} hint{price}: {event.get('text', '')}"
    if kind == "note":
        return f"{at} note: {event.get('text', '')}"
    if kind == "think":
        return f"{at} {event.get('name', '')} thinks: {event.get('text', '')}"
    if kind == "rubric":
        comment = f" ({event['comment']})" if event.get("comment") else ""
        return f"{at} rubric: {event.get('criterion')} {event.get('mark')}/4{comment}"
    if kind == "ask":
        note = f": {event['note']}" if event.get("note") else ""
        return f"{at} asked {event.get('question')}{note}"
    said = {
        "paused": "the clock is paused",
        "open": "the clock runs again",
        "ended": "the round has ended",
        "revealed": "the debrief is revealed",
    }
    return f"{at} {said.get(kind, kind)}"


# ---------------------------------------------------------------- the command line
COMMANDS = {
    "hint": "hint [-p POINTS] TEXT   send every player a hint (default 5 points off)",
    "note": "note TEXT               a note for yourself, kept in the round's log",
    "pause": "pause                   stop every player's clock",
    "resume": "resume                  let the clocks run again",
    "end": "end                     end the round (nobody can act after)",
    "reveal": "reveal                  show everyone their score and debrief",
    "export": "export [FOLDER]         write the grades as CSV and JSON",
    "sort": f"sort COLUMN             order the leaderboard: {', '.join(c.key for c in COLUMNS)}",
    "refresh": "refresh                 read the standings now",
    "help": "help                    list these commands",
    "quit": "quit                    close the console",
}
"""The console's commands and one line of help each."""


class CommandError(ValueError):
    """A command line the console cannot run; the message says why and how."""


@dataclass(frozen=True)
class Command:
    """A parsed command line."""

    name: str
    text: str = ""
    penalty: float = DEFAULT_PENALTY


def parse_command(line: str) -> Command:
    """Read one command line (see :data:`COMMANDS`).

    Raises:
        CommandError: what is wrong, and the command's form.
    """
    head, _, rest = line.strip().partition(" ")
    name = head.lower()
    rest = rest.strip()
    if not name:
        raise CommandError("type a command; 'help' lists them")
    if name not in COMMANDS:
        close = difflib.get_close_matches(name, COMMANDS, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise CommandError(f"unknown command '{head}'{hint} ('help' lists them)")
    form = COMMANDS[name].split("  ")[0]
    if name == "hint":
        return _hint(rest, form)
    if name == "note":
        if not rest:
            raise CommandError(f"a note needs its text: {form}")
        return Command(name, rest)
    if name == "sort":
        keys = [c.key for c in COLUMNS]
        if rest.lower() not in keys:
            raise CommandError(f"sort by one of {', '.join(keys)}: {form}")
        return Command(name, rest.lower())
    if name == "export":
        return Command(name, _unquoted(rest, form))
    if rest:
        raise CommandError(f"'{name}' takes nothing after it: {form}")
    return Command(name)


def _hint(rest: str, form: str) -> Command:
    penalty = DEFAULT_PENALTY
    flag, _, after = rest.partition(" ")
    if flag in ("-p", "--penalty"):
        number, _, rest = after.strip().partition(" ")
        try:
            penalty = float(number)
        except ValueError:
            raise CommandError(f"-p takes the points the hint costs (0 to 50): {form}") from None
        if not 0 <= penalty <= MAX_PENALTY:
            raise CommandError(f"a hint costs 0 to {MAX_PENALTY:g} points, not {number}")
        rest = rest.strip()
    if not rest:
        raise CommandError(f"a hint needs its text: {form}")
    return Command("hint", rest, penalty)


def _unquoted(text: str, form: str) -> str:
    if not text:
        return ""
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise CommandError(f"{exc}: {form}") from None
    if len(words) != 1:
        raise CommandError(f"one folder (quote it if it has spaces): {form}")
    return words[0]
