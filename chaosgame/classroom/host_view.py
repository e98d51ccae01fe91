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
    "INJECT_FORMS",
    "Column",
    "Command",
    "CommandError",
    "clock_text",
    "describe",
    "event_text",
    "parse_command",
    "parse_event",
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
    Column("now", "Now", 5, _points, lambda r: _number(r.get("score_now")), True),
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
    "now": "score_now",
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


def describe(event: dict[str, Any]) -> str:
    """A host's event in a few words: ``deploy of v2.4.2 to search by deploy-bot``."""
    kind = event.get("kind")
    if kind == "message":
        return f"message from {event.get('sender')}: {event.get('text')}"
    if kind == "deploy":
        version = event.get("version") or "the next version"
        return f"deploy of {version} to {event.get('component')} by {event.get('author')}"
    if kind == "fault":
        f = event.get("fault") or {}
        later = float(event.get("in") or 0.0)
        when = f" in {_duration(later)}" if later else ""
        return f"fault {f.get('kind')} on {f.get('target') or 'a selection'}{when}"
    return str(kind)


def step_text(request: dict[str, Any]) -> str:
    """A player's request in a few words: ``mitigate rollback payments``, ``wait 300s``; the
    host's events in their game as ``host: ...``."""
    op = str(request.get("op", "?"))
    if op == "inject" and isinstance(request.get("event"), dict):
        return f"host: {describe(request['event'])}"
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
    if kind == "inject" and isinstance(event.get("event"), dict):
        games = len(event.get("players") or [])
        return f"{at} event: {describe(event['event'])} (in {games} game{'s' * (games != 1)})"
    if kind == "think":
        game = f" (game {event['game_clock']})" if event.get("game_clock") else ""
        return f"{at} {event.get('name', '')}{game} thinks: {event.get('text', '')}"
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
    "inject": "inject message|deploy|fault ...  an event in every game in progress "
    "('inject' alone explains)",
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
    event: dict[str, Any] | None = None
    """``inject``: the event to send (``chaosgame.game.injections``)."""


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
    if name == "inject":
        return Command(name, rest, event=parse_event(rest))
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


INJECT_FORMS = (
    "inject message [--from NAME] TEXT     a teammate's message",
    "inject deploy COMPONENT [VERSION]     a noisy deploy (the next version by default)",
    "inject fault KIND TARGET [KEY=VALUE ...] [--in DURATION]   a second fault, "
    "as in a scenario file (faults.md)",
)
"""The three events and their forms (``inject`` alone lists them)."""


def parse_event(rest: str) -> dict[str, Any]:
    """The event an ``inject`` command line describes (checked again by the server)."""
    try:
        words = shlex.split(rest)
    except ValueError as exc:
        raise CommandError(f"{exc}: inject ...") from None
    if not words:
        raise CommandError("inject what? " + "; ".join(f.split("  ")[0] for f in INJECT_FORMS))
    kind, args = words[0].lower(), words[1:]
    forms = {f.split()[1]: f.split("  ")[0] for f in INJECT_FORMS}
    if kind not in forms:
        close = difflib.get_close_matches(kind, forms, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise CommandError(f"inject message, deploy or fault, not '{kind}'{hint}")
    form = forms[kind]
    if kind == "message":
        sender = "a teammate"
        if args and args[0] in ("--from", "-f"):
            if len(args) < 2:
                raise CommandError(f"--from takes a name: {form}")
            sender, args = args[1], args[2:]
        if not args:
            raise CommandError(f"a message needs its text: {form}")
        return {"kind": "message", "sender": sender, "text": " ".join(args)}
    if kind == "deploy":
        if len(args) not in (1, 2):
            raise CommandError(f"a component, and a version if you like: {form}")
        event: dict[str, Any] = {"kind": "deploy", "component": args[0]}
        if len(args) == 2:
            event["version"] = args[1]
        return event
    delay: str | None = None
    if "--in" in args:
        at = args.index("--in")
        if at + 1 >= len(args):
            raise CommandError(f"--in takes a duration such as 2m: {form}")
        delay = args[at + 1]
        args = args[:at] + args[at + 2 :]
    if len(args) < 2:
        raise CommandError(f"a fault needs its kind and target: {form}")
    fault: dict[str, Any] = {"kind": args[0], "target": args[1]}
    for word in args[2:]:
        key, eq, value = word.partition("=")
        if not eq or not key:
            raise CommandError(f"'{word}' is not KEY=VALUE: {form}")
        fault[key] = _value(value)
    event = {"kind": "fault", "fault": fault}
    if delay is not None:
        event["in"] = delay
    return event


def _value(text: str) -> Any:
    """A command line's value as a scenario file would read it: numbers, booleans, text."""
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


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
