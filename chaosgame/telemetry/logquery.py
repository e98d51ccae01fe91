"""LogQL-style log queries: ``{service="checkout", level="error"} |= "timeout" != "retry"``.

Stream selector labels: ``service``, ``level`` (info, warn, error), ``kind`` (the component
kind), ``region`` and, in a scenario with tenants, ``tenant`` (the customer of a request line). Line filters: ``|=`` contains, ``!=`` does not contain, ``|~`` matches a
regular expression, ``!~`` does not. Label filters after a pipe: ``| level="error"``,
``| trace_id="..."``. Counting is exact; only the page shown is rendered.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from chaosgame.scenario.units import format_duration
from chaosgame.telemetry import gaps, regex
from chaosgame.telemetry.errors import QueryError, suggest
from chaosgame.telemetry.listings import clock
from chaosgame.telemetry.logs import categories
from chaosgame.telemetry.logsearch import Filter, search
from chaosgame.telemetry.metrics import region_of
from chaosgame.telemetry.promql import Matcher, unquote

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator
    from chaosgame.telemetry.query import Window

LABELS = ("service", "level", "kind", "region", "tenant")
LEVELS = ("info", "warn", "error")
_TOK = re.compile(
    r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*"|`[^`]*`)|(?P<op>\|=|!=|\|~|!~|=~|=|\||\{|\}|,)'
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*))"
)


def _tokens(expr: str) -> list[tuple[str, str, int]]:
    out = []
    pos = 0
    while pos < len(expr):
        if expr[pos:].strip() == "":
            break
        m = _TOK.match(expr, pos)
        if m is None or m.end() == pos:
            raise QueryError(
                f"unexpected {expr[pos:].strip()[:1]!r}",
                expr,
                pos + len(expr[pos:]) - len(expr[pos:].lstrip()),
            )
        kind = m.lastgroup or ""
        start = m.start(kind)
        out.append((kind, m.group(kind), start))
        pos = m.end()
    out.append(("end", "", len(expr)))
    return out


def parse(expr: str) -> tuple[list[Matcher], list[Filter], list[Matcher]]:
    """(stream matchers, line filters, label filters) of a LogQL-style query."""
    toks = _tokens(expr)
    i = 0

    def want(kind: str, text: str | None = None, what: str = "") -> tuple[str, str, int]:
        nonlocal i
        k, t, p = toks[i]
        if k != kind or (text is not None and t != text):
            found = "the end of the query" if k == "end" else repr(t)
            raise QueryError(f"expected {what or text or kind}, found {found}", expr, p)
        i += 1
        return k, t, p

    if toks[0][1] != "{":
        raise QueryError(
            'a log query starts with a stream selector such as {service="checkout"}',
            expr,
            toks[0][2],
        )
    want("op", "{")
    stream: list[Matcher] = []
    while toks[i][1] != "}":
        _, label, lp = want("name", what="a label name")
        if label not in LABELS:
            raise QueryError(suggest(label, LABELS, "stream label"), expr, lp)
        _, op, op_pos = want("op", what="=, !=, =~ or !~")
        if op not in ("=", "!=", "=~", "!~"):
            raise QueryError(f"expected =, !=, =~ or !~, found {op!r}", expr, op_pos)
        _, value, vp = want("str", what='a quoted value such as "checkout"')
        stream.append(_matcher(label, op, unquote(value, expr, vp), expr, vp))
        if toks[i][1] == ",":
            i += 1
        elif toks[i][1] != "}":
            want("op", "}", "',' or '}'")
    want("op", "}")
    filters: list[Filter] = []
    labels: list[Matcher] = []
    while toks[i][0] != "end":
        k, t, p = toks[i]
        if t in ("|=", "!=", "|~", "!~"):
            i += 1
            _, value, vp = want("str", what="a quoted string after " + t)
            text = unquote(value, expr, vp)
            if t in ("|~", "!~"):
                try:
                    regex.compile(text)
                except regex.RegexError as exc:
                    raise QueryError(str(exc), expr, vp) from None
            filters.append(Filter(t, text, p))
        elif t == "|":
            i += 1
            _, label, lp = want("name", what='a label filter such as level="error"')
            if label in ("json", "logfmt"):
                continue
            _, op, op_pos = want("op", what="=")
            if op not in ("=", "!=", "=~", "!~"):
                raise QueryError(f"expected =, !=, =~ or !~, found {op!r}", expr, op_pos)
            _, value, vp = want("str", what="a quoted value")
            if label == "trace_id":
                if op != "=":
                    raise QueryError('a trace id is matched with =: | trace_id="..."', expr, op_pos)
                filters.append(Filter("|=", unquote(value, expr, vp), lp))
            elif label in LABELS:
                labels.append(_matcher(label, op, unquote(value, expr, vp), expr, vp))
            else:
                raise QueryError(suggest(label, (*LABELS, "trace_id"), "label"), expr, lp)
        else:
            raise QueryError(f"expected a line filter (|= != |~ !~) or '|', found {t!r}", expr, p)
    return stream, filters, labels


def _matcher(label: str, op: str, value: str, expr: str, pos: int) -> Matcher:
    """A label matcher whose regular expression (``=~``, ``!~``) is known to compile."""
    if op in ("=~", "!~"):
        try:
            regex.compile(value)
        except regex.RegexError as exc:
            raise QueryError(str(exc), expr, pos) from None
    return Matcher(label, op, value)


def logs_query(sim: Simulator, expr: str, win: Window, text: str, offset: int) -> dict[str, Any]:
    """Lines matching ``expr`` in the window: exact count, one page newest first."""
    try:
        stream, filters, label_filters = parse(expr)
    except QueryError as exc:
        raise exc.within(text, max(offset, 0)) from None
    w = sim.world
    matchers = stream + label_filters
    for m in matchers:
        if m.label == "service" and m.op == "=" and m.value not in w.index:
            raise QueryError(suggest(m.value, w.names, "service"), text, None, f'"{m.value}"')
        if m.label == "level" and m.op == "=" and m.value not in LEVELS:
            raise QueryError(suggest(m.value, LEVELS, "level"), text, None, f'"{m.value}"')
    comps = [
        i
        for i in range(w.n)
        if all(
            m.test(v)
            for m in matchers
            for v in [
                {"service": w.names[i], "kind": w.kinds[i], "region": region_of(sim, i)}.get(
                    m.label
                )
            ]
            if v is not None
        )
    ]
    levels = [m for m in matchers if m.label == "level"]
    tenants = [m for m in matchers if m.label == "tenant"]
    cats = [
        c
        for i in comps
        for c in categories(sim, i)
        if all(m.test(c.level) for m in levels)
        and all(m.test(w.tenants[c.tenant] if c.tenant >= 0 else "") for m in tenants)
    ]
    lo, hi = win.start_tick, win.end_tick
    notes = []
    silent = [w.names[i] for i in comps if not gaps.has(sim, i, "logs") or w.kinds[i] == "external"]
    if silent and len(comps) <= 20:
        notes.append(f"no logs are collected from: {', '.join(silent)}")
    dark = gaps.dark(sim, "logs", lo, hi)
    if dark.any():
        notes.append(f"the log pipeline lost {int(dark.sum()) * sim.dt:g}s of this window")
    skip = (win.page - 1) * win.limit
    found = search(sim, cats, filters, lo, hi, win.end, skip, win.limit, win.budget)
    total, scanned, page = found.matched, found.scanned, found.page
    if found.start:
        notes.insert(
            0,
            f"stopped after {win.budget.rendered + win.budget.read:,} lines: searched the newest "
            f"{format_duration((hi - lo - found.start) * sim.dt)} of the window, from "
            f"{clock(sim, (lo + found.start) * sim.dt)}; narrow --since or the stream selector "
            "to search it all",
        )
    lines = [
        {
            "time": round(t, 3),
            "clock": clock(sim, t),
            "service": w.names[c.comp],
            "level": c.level,
            "line": txt,
        }
        for t, c, txt in page
    ]
    return {
        "lines": lines,
        "matched": total,
        "scanned": scanned,
        "page": win.page,
        "pages": max(1, math.ceil(total / win.limit)),
        "window": [(lo + found.start) * sim.dt, hi * sim.dt],
        "complete": not found.start,
        "notes": notes,
    }
