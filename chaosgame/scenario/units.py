"""Durations and clock times: the one place that reads and writes them.

A *duration* is written the same way everywhere: in scenario YAML, in the query language (a
range ``[1h30m]``, ``offset 5m``, ``--since=90s --until=5m --step=1m``, ``min_duration=500ms``)
and at the console (``wait 2m``, ``metric payments errors 1h``): one or more parts of a number
and a unit among ``ms``, ``s``, ``m``, ``h``, ``d`` (``500ms``, ``90s``, ``2h``, ``1h30m``,
``1d``), or a bare number of seconds. A query range may keep its brackets (``[1h30m]``). Text
that is none of these is refused with one message, :func:`not_a_duration`.

A *clock time* is the scenario's ``clock_start`` (an ISO 8601 date-time, such as
``2026-03-14T09:00:00Z``) plus simulated seconds: :func:`clock` writes ``HH:MM:SS``,
:func:`stamp` an ISO timestamp with milliseconds. A ``clock_start`` that is not an ISO
date-time is a validation error of the scenario (:data:`ClockStart`), never a crash in play.

This module imports nothing of chaosgame, so every layer may use it.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

FACTORS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
"""Seconds per unit."""
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
DURATION_EXAMPLES = "250ms, 30s, 5m, 1h30m, 2d"
DURATION_PATTERN = r"^\s*(\d+(\.\d+)?\s*|(\d+(\.\d+)?\s*(ms|s|m|h|d)\s*)+)$"
"""The text :func:`seconds` reads in a YAML file (no brackets there), for the JSON Schema."""
MOMENT_PATTERN = r"^\s*-?\s*(\d+(\.\d+)?\s*|(\d+(\.\d+)?\s*(ms|s|m|h|d)\s*)+)$"
"""The same with a leading minus (a time before the simulated window)."""
CLOCK_EXAMPLE = "2026-03-14T09:00:00Z"


class DurationError(ValueError):
    """Text that is not a duration (the message is :func:`not_a_duration`'s)."""


def not_a_duration(text: str, what: str | None = None) -> str:
    """The one message for text that is not a duration; ``what`` names where it was met
    (``--since``, ``wait``); the scenario loader puts the file position in front instead."""
    head = f"{what}: " if what else ""
    return (
        f"{head}'{text}' is not a duration; write a number of seconds or a value such as "
        f"{DURATION_EXAMPLES}"
    )


def _read(text: str) -> float | None:
    """Seconds in ``text`` (spaces and one pair of brackets allowed), or None."""
    body = text.strip()
    if body.startswith("[") and body.endswith("]"):
        body = body[1:-1]
    body = body.replace(" ", "")
    if not body:
        return None
    if _NUMBER.fullmatch(body):
        return float(body)
    pos = 0
    total = 0.0
    for match in _PART.finditer(body):
        if match.start() != pos:
            return None
        total += float(match.group(1)) * FACTORS[match.group(2)]
        pos = match.end()
    return total if pos == len(body) else None


def seconds(text: str, what: str | None = None) -> float:
    """``"1h30m"``, ``"[5m]"``, ``"500ms"``, ``"90"`` -> seconds; :class:`DurationError`
    (a ``ValueError``) with :func:`not_a_duration`'s message otherwise."""
    value = _read(text) if isinstance(text, str) else None
    if value is None:
        raise DurationError(not_a_duration(str(text), what))
    return value


def parse_duration(value: Any) -> Any:
    """A YAML or JSON value as seconds: numbers pass, text is read by :func:`seconds`.

    Anything else (a list, a boolean, None) is returned unchanged so that pydantic reports it
    with its own message.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        if not value.strip():
            return value
        return seconds(value)
    return value


def parse_signed_duration(value: Any) -> Any:
    """Like :func:`parse_duration` but accepts a leading minus (``-3d`` is before the start)."""
    if isinstance(value, str) and value.strip().startswith("-"):
        parsed = parse_duration(value.strip()[1:])
        return -parsed if isinstance(parsed, float) else value
    return parse_duration(value)


def format_duration(seconds: float) -> str:
    """Render seconds the way authors write them (``"1h30m"``, ``"45s"``)."""
    if seconds < 1 and seconds > 0:
        return f"{round(seconds * 1000)}ms"
    whole = int(round(seconds))
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if whole >= size:
            parts.append(f"{whole // size}{unit}")
            whole %= size
    return "".join(parts) or "0s"


MAX_TIME_S = 366 * 86400.0
"""The longest duration anywhere in a scenario (a year), and how far before or after the
start a time may lie."""
MAX_NUMBER = 1e6
"""The largest value of a :data:`Positive` number (requests per second, MB, cores...)."""
MAX_FACTOR = 1000.0
"""The largest multiplier (:data:`Factor`): a fault that makes a call 1,000 times slower."""

Duration = Annotated[float, BeforeValidator(parse_duration), Field(ge=0, le=MAX_TIME_S)]
"""A non-negative length of simulated time in seconds, at most a year; YAML may say ``5m``.

A field with bounds of its own nests them *after* the alias, where they win:
``Annotated[Duration, Field(ge=1, le=60)]``. (Bounds given as ``x: Duration = Field(le=60)``
come before the alias's own and lose to them.)"""

Fraction = Annotated[float, Field(ge=0, le=1)]
"""A number between 0 and 1."""

Positive = Annotated[float, Field(gt=0, le=MAX_NUMBER)]
"""A number greater than zero and at most a million."""

Factor = Annotated[float, Field(gt=0, le=MAX_FACTOR)]
"""A multiplier greater than zero and at most 1,000."""

Cores = Annotated[float, Field(gt=0, le=1024)]
"""CPU cores (of a replica, of a node): more than zero, at most 1,024."""

Skew = Annotated[float, Field(ge=-86400, le=86400)]
"""Seconds a clock is off, either way: at most a day."""

Moment = Annotated[
    float, BeforeValidator(parse_signed_duration), Field(ge=-MAX_TIME_S, le=MAX_TIME_S)
]
"""A point on the scenario's timeline in seconds from the start of the simulation.

Negative values lie before the simulated window (history that is shown, not simulated). The
scenario checks that its times lie inside its own window (:mod:`chaosgame.scenario.playable`).
"""


# ------------------------------------------------------------------------- clock times
@functools.lru_cache(maxsize=64)
def clock_start(text: str) -> dt.datetime:
    """The wall-clock date-time of simulated second 0 from an ISO 8601 date-time
    (``2026-03-14T09:00:00Z``, with or without a zone); ``ValueError`` otherwise."""
    body = text.strip() if isinstance(text, str) else ""
    try:
        if len(body) <= 10 or body[10] not in "Tt ":
            raise ValueError(body)
        return dt.datetime.fromisoformat(body.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        shown = str(text) if len(str(text)) <= 40 else f"{str(text)[:37]}..."
        raise ValueError(
            f"'{shown}' is not an ISO date-time; write the date and the time, such as "
            f"{CLOCK_EXAMPLE}"
        ) from None


CLOCK_YEARS = (2000, 2100)
"""The years a ``clock_start`` may fall in (both included)."""


def check_clock_start(value: str) -> str:
    """A pydantic validator: ``value`` unchanged if :func:`clock_start` can read it and it
    falls in the years :data:`CLOCK_YEARS`."""
    when = clock_start(value)
    first, last = CLOCK_YEARS
    if not first <= when.year <= last:
        raise ValueError(
            f"'{value}' is in the year {when.year}; a scenario's clock starts between "
            f"{first} and {last}, such as {CLOCK_EXAMPLE}"
        )
    return value


ClockStart = Annotated[str, AfterValidator(check_clock_start)]
"""The wall-clock time of simulated second 0, as an ISO 8601 date-time."""


def calendar_date(text: str) -> dt.date:
    """A calendar date written YYYY-MM-DD (``chaosgame daily --date``); ValueError says why."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"'{text}' is not a date written YYYY-MM-DD") from None


def at(start: str, t: float) -> dt.datetime:
    """The wall-clock date-time of simulated second ``t``."""
    return clock_start(start) + dt.timedelta(seconds=t)


def clock(start: str, t: float) -> str:
    """``HH:MM:SS`` of simulated second ``t`` on a clock that read ``start`` at second 0."""
    return at(start, t).strftime("%H:%M:%S")


def stamp(start: str, t: float) -> str:
    """ISO 8601 timestamp with milliseconds (``2026-03-14T09:00:00.000Z``) of second ``t``."""
    return at(start, t).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def seconds_past_midnight(start: str) -> float:
    """Whole seconds past midnight of ``start`` on its own clock (the daily traffic shape)."""
    when = clock_start(start)
    return when.hour * 3600.0 + when.minute * 60.0 + when.second
