"""Units that scenario authors write by hand: durations such as ``90s``, ``5m``, ``1h30m``."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_FACTORS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(value: Any) -> Any:
    """Turn ``"1h30m"``, ``"250ms"`` or a number of seconds into seconds (float).

    Anything else is returned unchanged so that pydantic reports it with its own message.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip().replace(" ", "")
        if not text:
            return value
        pos = 0
        total = 0.0
        for match in _PART.finditer(text):
            if match.start() != pos:
                break
            total += float(match.group(1)) * _FACTORS[match.group(2)]
            pos = match.end()
        if pos == len(text) and pos > 0:
            return total
        raise ValueError(
            f"'{value}' is not a duration; write a number of seconds or a value such as "
            "250ms, 30s, 5m, 1h30m, 2d"
        )
    return value


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


Duration = Annotated[float, BeforeValidator(parse_duration), Field(ge=0)]
"""A non-negative length of simulated time in seconds; YAML may say ``5m``."""

Fraction = Annotated[float, Field(ge=0, le=1)]
"""A number between 0 and 1."""

Positive = Annotated[float, Field(gt=0)]
"""A number greater than zero."""


def parse_signed_duration(value: Any) -> Any:
    """Like :func:`parse_duration` but accepts a leading minus (``-3d`` is before the start)."""
    if isinstance(value, str) and value.strip().startswith("-"):
        parsed = parse_duration(value.strip()[1:])
        return -parsed if isinstance(parsed, float) else value
    return parse_duration(value)


Moment = Annotated[float, BeforeValidator(parse_signed_duration)]
"""A point on the scenario's timeline in seconds from the start of the simulation.

Negative values lie before the simulated window (history that is shown, not simulated).
"""
