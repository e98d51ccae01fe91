"""Typed commands into actions: the one command language of every frontend.

The text console reads these lines, the terminal UI's palette and dialogs send the same lines,
and programs may too. ``parse_command`` turns a line into a plain-data action for the player
view, or into the name of a local command (``help``, ``metrics``...) a frontend answers itself.
"""

from __future__ import annotations

import shlex
from typing import Any

from chaosgame.scenario.units import seconds

__all__ = ["parse_command"]


def _kv(tokens: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for tok in tokens:
        key, sep, value = tok.partition("=")
        if not sep:
            raise ValueError(f"expected key=value, got '{tok}'")
        parsed: Any = value
        if value.lower() in ("true", "false"):
            parsed = value.lower() == "true"
        else:
            try:
                parsed = int(value)
            except ValueError:
                try:
                    parsed = float(value)
                except ValueError:
                    parsed = value
        out[key] = parsed
    return out


def _words(line: str) -> list[str]:
    """The words of a line, quotes grouping words as in a shell."""
    try:
        return shlex.split(line)
    except ValueError as exc:
        why = (
            "a quote is not closed"
            if "quotation" in str(exc)
            else "the line ends with a lone backslash"
        )
        raise ValueError(f"cannot read this line: {why}") from None


def _number(text: str, what: str, expected: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{what}: '{text}' is not {expected}") from None


def parse_command(line: str) -> dict[str, Any] | str:
    """Turn a console line into an action dict, or a local command name (help, metrics...)."""
    raw = line.strip()
    first = raw.split(None, 1)[0].lower() if raw else ""
    if first in ("q", "query"):
        if len(raw.split(None, 1)) < 2:
            raise ValueError('usage: q QUERY, e.g. q rate(http_requests_total{service="web"}[5m])')
        return {"type": "query", "q": raw.split(None, 1)[1]}
    if first in (
        "logs",
        "traces",
        "trace",
        "pods",
        "alerts",
        "profile",
        "kubectl",
    ) or raw.startswith("{"):
        return {"type": "query", "q": raw}
    tokens = _words(line)
    if not tokens:
        return "noop"
    head, rest = tokens[0].lower(), tokens[1:]
    if head in ("help", "?", "metrics", "actions", "artefacts", "quit", "exit"):
        return head
    if head == "map":
        return {"type": "query", "view": "map"}
    if head == "slo":
        return {"type": "query", "view": "slo"}
    if head == "backups":  # the backup agent's runs: what a restore can pick from
        where = f" component={rest[0]}" if rest else ""
        return {"type": "query", "q": f"events kind=job{where} --since=30d"}
    if head == "changes":
        return {"type": "query", "view": "deploys", "window": 86400.0}
    if head == "events":
        act: dict[str, Any] = {"type": "query", "view": "events", "window": 7200.0}
        if rest:
            act["component"] = rest[0]
        return act
    if head == "metric":
        if not rest:
            raise ValueError("usage: metric COMPONENT [METRIC] [WINDOW]")
        act = {"type": "query", "view": "metric", "component": rest[0]}
        if len(rest) > 1:
            act["metric"] = rest[1]
        if len(rest) > 2:
            act["window"] = seconds(rest[2], "window")
        return act
    if head == "do":
        if len(rest) < 2:
            raise ValueError("usage: do ACTION TARGET [key=value ...]")
        return {"type": "mitigate", "action": rest[0], "target": rest[1], **_kv(rest[2:])}
    if head == "wait":
        if not rest:
            raise ValueError("usage: wait DURATION (for example wait 2m), or wait next")
        if rest[0].lower() in ("next", "until-next") or rest == ["until", "next"]:
            return {"type": "wait", "until": "next"}
        return {"type": "wait", "seconds": seconds(rest[0], "wait")}
    if head == "declare":
        if len(rest) < 2:
            raise ValueError("usage: declare COMPONENT|ARTEFACT KIND [CONFIDENCE]")
        component = None if rest[0] in ("-", "none") else rest[0]
        act = {"type": "declare", "component": component, "kind": rest[1]}
        if len(rest) > 2:
            act["confidence"] = _number(rest[2], "confidence", "a number from 0 to 1, such as 0.7")
        return act
    if head == "end":
        return {"type": "end"}
    raise ValueError(f"unknown command '{head}'; type help")
