"""The query language's front door: ``run(sim, text, now)`` -> (result, cost in seconds).

One line of text picks the kind of query by its first word: :data:`FORMS` lists them (the
``help`` query shows that list; see ``docs/queries.md``). Trailing options :data:`OPTIONS`
(``--since=15m --until=5m --step=1m --limit=20 --page=2``) set the window (relative to now)
and the paging; their durations are read by :mod:`chaosgame.scenario.units`. Results are
plain data; errors raise :class:`~chaosgame.telemetry.errors.QueryError` with a position and a
suggestion.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chaosgame.scenario import units
from chaosgame.scenario.costs import QUERY_COSTS
from chaosgame.telemetry import authored, listings
from chaosgame.telemetry.budget import Budget
from chaosgame.telemetry.errors import QueryError, suggest
from chaosgame.telemetry.promql import too_long
from chaosgame.telemetry.recorder import attach

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator

COSTS = QUERY_COSTS
"""Simulated seconds each kind of query takes (``chaosgame.scenario.costs``)."""

FORMS: tuple[str, ...] = (
    'rate(http_requests_total{service="checkout",code=~"5.."}[5m])   metrics (PromQL-style)',
    'logs {service="checkout"} |= "timeout"                          logs (LogQL-style)',
    "traces service=checkout status=error min_duration=1s             trace search",
    "trace 4bf92f3577b34da6a3ce929d0e0e4736                           one trace",
    "events kind=oom component=payments                              event timeline",
    'events kind=audit,job,notification author=kim |= "remove" --since=7d  operator evidence',
    "changes                                                         deploys, flags, config",
    "pods payments                                                   kubectl get pods",
    "map                                                             dependency map with health",
    "alerts                                                          firing alerts",
    "profile checkout                                                CPU profile of a component",
    "--since=15m --until=5m --step=1m --limit=20 --page=2            window and paging options",
)
"""The forms the ``help`` query lists (data, not a docstring: ``python -OO`` strips those)."""

OPTIONS = ("since", "until", "step", "limit", "page")
MAX_LIMIT = 1000
"""Most lines, traces or alerts one page shows (``--limit``)."""
MAX_PAGE = 1_000_000
"""The last page one may ask for (``--page``)."""
DEFAULT_WINDOW = {
    "metrics": 900.0,
    "logs": 900.0,
    "traces": 900.0,
    "events": 3600.0,
    "changes": 86400.0 * 7,
    "alerts": 3600.0,
    "profile": 900.0,
}
_OPT = re.compile(r"\s+--([a-z_]+)(?:=(\S+))?\s*$")
HEADS = (
    "logs",
    "traces",
    "trace",
    "events",
    "changes",
    "pods",
    "map",
    "alerts",
    "profile",
    "metrics",
    "help",
    "kubectl",
    "get",
    "promql",
)


def seconds(text: str, where: str = "duration", query: str = "", pos: int | None = None) -> float:
    """``90s``, ``5m``, ``1h30m``, ``500ms`` -> seconds (read by
    :func:`chaosgame.scenario.units.seconds`); a :class:`QueryError` otherwise."""
    try:
        value = units.seconds(text, where)
    except units.DurationError as exc:
        raise QueryError(str(exc), query, pos) from None
    if not math.isfinite(value):
        raise QueryError(too_long(text, where), query, pos)
    return value


def since(text: str, default: float = DEFAULT_WINDOW["metrics"]) -> float:
    """The ``--since`` window of a typed query in seconds (``default`` when it names none or
    it cannot be read: the query itself reports that)."""
    try:
        _, opts = split_options(text)
        return seconds(opts["since"], "--since") if "since" in opts else default
    except QueryError:
        return default


def split_options(text: str) -> tuple[str, dict[str, str]]:
    """Peel ``--name=value`` options off the end of a query."""
    opts: dict[str, str] = {}
    body = " " + text
    while True:
        m = _OPT.search(body)
        if m is None:
            break
        name = m.group(1)
        if name not in OPTIONS and name not in ("for", "kind", "l"):
            raise QueryError(suggest(name, OPTIONS, "option"), text, max(m.start() - 1, 0))
        opts[name] = m.group(2) or ""
        body = body[: m.start()]
    return body[1:].strip(), opts


class Window:
    """The time window and paging a query asks for."""

    def __init__(
        self,
        sim: Simulator,
        now: float,
        opts: dict[str, str],
        kind: str,
        text: str,
        budget: Budget | None = None,
    ) -> None:
        self.sim = sim
        self.now = now
        self.budget = budget if budget is not None else Budget()
        """What the query may read, and its stop flag."""
        since = (
            seconds(opts["since"], "--since", text)
            if "since" in opts
            else DEFAULT_WINDOW.get(kind, 900.0)
        )
        until = seconds(opts["until"], "--until", text) if "until" in opts else 0.0
        self.end = max(now - until, 0.0)
        self.start = self.end - since
        self.limit = _int(opts.get("limit", "50"), "--limit", text, MAX_LIMIT)
        self.page = _int(opts.get("page", "1"), "--page", text, MAX_PAGE)
        step = seconds(opts["step"], "--step", text) if "step" in opts else None
        if step is not None and step <= 0:
            raise QueryError(
                f"--step takes a duration longer than 0, such as 1m, not '{opts['step']}'", text
            )
        self.step = step

    @property
    def end_tick(self) -> int:
        """Ticks ``[0, end_tick)`` are visible at the window's end."""
        return min(int(math.floor(self.end / self.sim.dt + 1e-9)) + 1, self.sim.history.ticks)

    @property
    def start_tick(self) -> int:
        return max(int(math.ceil(self.start / self.sim.dt - 1e-9)), 0)


def _int(text: str, what: str, query: str, most: int) -> int:
    digits = text.isascii() and text.isdigit() and len(text) <= len(str(most))
    if not digits or not 1 <= int(text) <= most:
        shown = text if len(text) <= 24 else f"{text[:20]}..."
        raise QueryError(f"{what} takes a whole number from 1 to {most:,}, not '{shown}'", query)
    return int(text)


def kind_of(text: str) -> str:
    """Which kind of query ``text`` is (the key of :data:`COSTS`)."""
    body = text.strip()
    if not body:
        raise QueryError("empty query; type help for the query forms")
    if body.startswith("{"):
        return "logs"
    head = body.split(None, 1)[0].lower()
    if head in ("kubectl", "get"):
        words = body.lower().split()
        target = (
            words[2] if head == "kubectl" and len(words) > 2 else words[1] if len(words) > 1 else ""
        )
        if target in ("pods", "pod", "po"):
            return "pods"
        if target in ("events", "event", "ev"):
            return "events"
        raise QueryError("kubectl here knows 'get pods' and 'get events'", text, 0)
    if head in ("promql", "metrics") and len(body.split()) > 1:
        return "metrics"
    if head == "metrics":
        return "catalogue"
    if head in COSTS:
        return head
    return "metrics"


def run(
    sim: Simulator,
    text: str,
    now: float | None = None,
    *,
    stop: Callable[[], bool] | None = None,
) -> tuple[dict[str, Any], float]:
    """Answer one query at simulated time ``now`` (default: the simulator's clock).

    Returns the result (plain data) and the simulated seconds the query costs. Raises
    :class:`QueryError` (a ``ValueError``) for a query that cannot be answered, and its
    subclass :class:`~chaosgame.telemetry.budget.Cancelled` when ``stop()`` turned True
    while a long search ran (``stop`` is asked between chunks of lines).
    """
    attach(sim)
    now = sim.now if now is None else min(now, sim.now)
    if not isinstance(text, str):
        raise QueryError("a query is a line of text, such as: map")
    body, opts = split_options(text)
    kind = kind_of(body)
    win = Window(sim, now, opts, kind, text, Budget(stop))
    result = _dispatch(sim, kind, body, win, opts, text)
    result = {"kind": kind, "query": text, "time": now, "clock": listings.clock(sim, now), **result}
    return result, COSTS[kind]


def _dispatch(
    sim: Simulator, kind: str, body: str, win: Window, opts: dict[str, str], text: str
) -> dict[str, Any]:
    tick = win.end_tick - 1
    words = body.split()
    if kind == "help":
        return {
            "forms": list(FORMS),
            "costs": COSTS,
        }
    if kind == "catalogue":
        from chaosgame.telemetry.metrics import catalogue_of

        return {
            "metrics": [
                {"name": n, "type": s.kind, "labels": list(s.labels), "help": s.help}
                for n, s in catalogue_of(sim).items()
            ]
        }
    if kind == "map":
        return listings.service_map(sim, tick)
    if kind == "pods":
        names = [w for w in words[1:] if w.lower() not in ("get", "pods", "pod", "po")]
        if "-l" in names and names.index("-l") + 1 < len(names):
            names = [names[names.index("-l") + 1].removeprefix("app=")]
        comp = opts.get("l", "").removeprefix("app=") or (names[0] if names else None)
        comp = _component(sim, comp, text)
        return listings.pods(sim, tick, comp)
    if kind in ("events", "changes"):
        kinds: list[str] | None = list(listings.CHANGE_KINDS) if kind == "changes" else None
        comp = opts.get("for") or None
        body, filters = authored.peel_filters(body, text)
        keys: dict[str, str] = {}
        for word in body.split()[1:]:
            key, sep, value = word.partition("=")
            if word.lower() in ("get", "events", "event", "ev"):
                continue
            if not sep:
                comp = word
            elif key in ("kind", "type", "reason"):
                kinds = value.split(",")
            elif key in ("component", "service", "for"):
                comp = value
            elif key in authored.EVENT_KEYS:
                keys[key] = value
            else:
                raise QueryError(
                    suggest(key, ("kind", "component", *authored.EVENT_KEYS), "filter"),
                    text,
                    text.find(word),
                )
        if "kind" in opts:
            kinds = opts["kind"].split(",")
        comp = _component(sim, comp, text)
        start = win.start if kind == "events" or "since" in opts else -math.inf
        found = listings.events(sim, start, win.end, kinds, comp)
        return {"events": authored.filter_events(found["events"], keys, filters)}
    if kind == "metrics":
        from chaosgame.telemetry.metrics_query import metrics_query

        expr = _after_head(body, ("promql", "metrics"))
        if not expr:
            raise QueryError(
                'usage: promql EXPRESSION, e.g. promql rate(http_requests_total{service="web"}[5m])',
                text,
                0,
            )
        offset = text.find(expr)
        return metrics_query(sim, expr, win, text, offset)
    if kind == "logs":
        from chaosgame.telemetry.logquery import logs_query

        expr = _after_head(body, ("logs",))
        if not expr:
            raise QueryError(
                'a log query starts with a stream selector such as {service="checkout"}: '
                'logs {service="checkout"} |= "timeout"',
                text,
                text.find(body) + len(body),
            )
        return logs_query(sim, expr, win, text, text.find(expr))
    if kind in ("traces", "trace"):
        from chaosgame.telemetry.traces import trace_by_id, trace_search

        if kind == "trace":
            if len(words) != 2:
                raise QueryError("usage: trace TRACE_ID", text, 0)
            return trace_by_id(sim, words[1], win, text)
        return trace_search(sim, words[1:], win, text)
    if kind == "profile":
        from chaosgame.telemetry.profiles import profile

        return profile(sim, words[1] if len(words) > 1 else None, win, text)
    from chaosgame.telemetry.alerts import alerts_query

    return alerts_query(sim, win)


def _after_head(body: str, heads: tuple[str, ...]) -> str:
    """``body`` without its first word when that word is one of ``heads``."""
    words = body.split(None, 1)
    if words and words[0].lower() in heads:
        return words[1] if len(words) > 1 else ""
    return body


def _component(sim: Simulator, name: str | None, text: str) -> str | None:
    if name is None or name in sim.world.index:
        return name
    raise QueryError(suggest(name, sim.world.names, "component"), text, text.find(name))
