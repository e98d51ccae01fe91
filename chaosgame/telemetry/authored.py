"""Telemetry an author writes: log lines and metrics of the scenario's ``evidence``, and the
filters that search the timeline's audit events, job runs and notifications.

Authored log lines are categories of a component's logs like any other (``logs.py``): their
count per tick comes from the history (a rate, a share of the requests the component received
or failed) and, when they wait for a fault, from the engine's record of when it acted; every
placeholder takes values drawn per line from a pool made from a named seeded stream. Custom
metrics are series read from the history (a journey's rate, a backlog that failed requests
fill, a replica share) or the author's points. Both pass through the same gaps as built-in
telemetry: a component without logs writes no authored line, sampling, the log pipeline,
retention, scrapes and the metrics store apply. Nothing here changes the simulation.
"""

from __future__ import annotations

import json
import random
import re
import string
from typing import TYPE_CHECKING, Any

import numpy as np

from chaosgame.engine.rng import derive
from chaosgame.scenario.evidence import CustomMetric, LogLine, Values
from chaosgame.telemetry import logshapes as sh
from chaosgame.telemetry.errors import QueryError
from chaosgame.telemetry.logtemplates import Field, Seg, merged
from chaosgame.telemetry.recorder import recorder

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator
    from chaosgame.telemetry.logs import Category
    from chaosgame.telemetry.metrics import Spec
    from chaosgame.telemetry.series import F

KIND = "authored"
"""The kind (first part of the key) of an authored log category."""

# ------------------------------------------------------------------ timeline filters

_FILTER = re.compile(r"(\|=|!=|\|~|!~)\s*(\"(?:[^\"\\]|\\.)*\"|`[^`]*`)")
EVENT_KEYS = ("author", "status", "channel")
"""Filters of the ``events`` and ``changes`` queries beyond ``kind`` and ``component``."""


def peel_filters(body: str, text: str) -> tuple[str, list[tuple[str, str]]]:
    """Split text filters (``|= "rm -rf"``, ``!= "..."``, ``|~ "re"``, ``!~ "re"``) off an
    events query: (the rest, [(operator, value)])."""
    filters: list[tuple[str, str]] = []
    start = _first_operator(body)
    if start < 0:
        return body, filters
    rest, tail = body[:start], body[start:]
    pos = 0
    while pos < len(tail):
        if not tail[pos:].strip():
            break
        m = _FILTER.match(tail, pos + len(tail[pos:]) - len(tail[pos:].lstrip()))
        if m is None:
            at = text.find(tail[pos:].strip()) if tail[pos:].strip() else len(text)
            raise QueryError(
                'a text filter is an operator and a quoted string, such as |= "remove"', text, at
            )
        op, raw = m.group(1), m.group(2)
        value = raw[1:-1] if raw.startswith("`") else json.loads(raw)
        if op in ("|~", "!~"):
            from chaosgame.telemetry import regex

            try:
                regex.compile(value)
            except ValueError as exc:
                raise QueryError(str(exc), text, text.find(raw)) from None
        filters.append((op, value))
        pos = m.end()
    return rest.strip(), filters


def _first_operator(body: str) -> int:
    found = [body.find(op) for op in ("|=", "!=", "|~", "!~")]
    found = [f for f in found if f >= 0]
    return min(found) if found else -1


def filter_events(
    rows: list[dict[str, Any]], keys: dict[str, str], filters: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    """The timeline rows that pass ``author=``, ``status=``, ``channel=`` and text filters (on
    the message and the authored fields)."""
    if not keys and not filters:
        return rows
    from chaosgame.telemetry import regex

    out = []
    for row in rows:
        details: dict[str, str] = row.get("details", {})
        if "author" in keys and row["actor"].lower() != keys["author"].lower():
            continue
        status = details.get("status", details.get("state", ""))
        if "status" in keys and status.lower() != keys["status"].lower():
            continue
        if "channel" in keys and details.get("channel", "").lower() != keys["channel"].lower():
            continue
        blob = " ".join([row["message"], *details.values()])
        ok = True
        for op, value in filters:
            hit = value in blob if op in ("|=", "!=") else regex.compile(value).search(blob)
            ok &= hit if op in ("|=", "|~") else not hit
        if ok:
            out.append(row)
    return out


# ------------------------------------------------------------------ log lines


def pool(sim: Simulator, n: int, name: str, v: Values) -> tuple[str, ...]:
    """The values placeholder ``name`` of authored line ``n`` takes (from a seeded stream)."""
    if v.choices is not None:
        return tuple(v.choices)
    if v.low is not None and v.high is not None:
        return tuple(f"{v.prefix}{x}" for x in range(v.low, v.high + 1))
    rng = random.Random(derive(sim.seed, f"evidence/logs/{n}/{name}"))
    alphabet = string.digits if v.digits is not None else "0123456789abcdef"
    width = v.digits if v.digits is not None else v.hex or 8
    room = len(alphabet) ** width
    out: dict[str, None] = {}
    while len(out) < min(v.count, room):
        out[v.prefix + "".join(rng.choice(alphabet) for _ in range(width))] = None
    return tuple(out)


def template(sim: Simulator, n: int, line: LogLine) -> list[Seg]:
    """The message of authored line ``n``: its text with a field for each placeholder."""
    out: list[Seg] = []
    fields = {
        name: Field(f"v_{name}", values=pool(sim, n, name, v)) for name, v in line.values.items()
    }
    for lit, name, _, _ in string.Formatter().parse(line.text):
        if lit:
            out.append(lit)
        if name is not None:
            out.append(fields[name])
    return out


def log_categories(sim: Simulator, i: int) -> list[Category]:
    """The authored lines of component ``i`` as log categories (the caller has checked that
    the component writes logs)."""
    from chaosgame.telemetry.logs import Category

    comp = sim.scenario.components[i]
    t = comp.telemetry
    out = []
    for n, line in enumerate(sim.scenario.evidence.logs):
        if line.component != comp.name:
            continue
        msg = template(sim, n, line)
        tpl = sh.line(
            t.log_format, t.language, line.level, comp.name, line.logger, msg,
            [("pod", sh.pod(comp.name))],
        )  # fmt: skip
        key = f"{KIND}/{n}"
        uid = derive(sim.seed, f"logs/{comp.name}/{key}")
        out.append(Category(i, key, line.level, tuple(merged(tpl)), uid))
    return out


def lines_per_second(sim: Simulator, cats: list[Category], lo: int, hi: int) -> F:
    """Expected lines per second of authored categories ``cats`` over ticks ``[lo, hi)``."""
    c = sim.history.comp
    lines = sim.scenario.evidence.logs
    out = np.zeros((len(cats), max(hi - lo, 0)))
    for row, cat in enumerate(cats):
        line = lines[int(cat.key.split("/", 1)[1])]
        offered = c["offered"][lo:hi, cat.comp].astype(np.float64)
        failed = offered * c["errors"][lo:hi, cat.comp].astype(np.float64)
        rate = line.rate + line.per_request * offered + line.per_error * failed
        out[row] = rate * _window(sim, line, lo, hi)
    return out


def _window(sim: Simulator, line: LogLine, lo: int, hi: int) -> F:
    """1 in the ticks the line is written, 0 elsewhere."""
    t = np.arange(lo, hi, dtype=np.float64) * sim.dt
    on = np.ones(max(hi - lo, 0))
    w = line.when
    if w is None:
        return on
    if w.after is not None:
        on *= t >= w.after - 1e-9
    if w.before is not None:
        on *= t < w.before - 1e-9
    if w.fault is not None:
        acting = np.zeros(max(hi - lo, 0))
        for record in sim.activity.acting(sim, w.fault, w.target or line.component):
            got = np.frombuffer(bytes(record[lo:hi]), np.uint8).astype(np.float64)
            acting[: len(got)] = np.maximum(acting[: len(got)], got)
        on *= acting
    return on


# ------------------------------------------------------------------ metrics


def metric_specs(sim: Simulator) -> dict[str, Spec]:
    """The scenario's custom metrics as catalogue entries (made once per game)."""
    cache = recorder(sim).cache
    got: dict[str, Spec] | None = cache.get("metrics/authored")
    if got is None:
        from chaosgame.telemetry.metrics import Spec

        got = cache["metrics/authored"] = {
            m.name: Spec(m.type, m.help, ("service", "region", *m.labels), _builder(m))
            for m in sim.scenario.evidence.metrics
        }
    return got


def _builder(m: CustomMetric) -> Any:
    from chaosgame.telemetry.promql import Matcher
    from chaosgame.telemetry.series import Frame, comp_labels, emitting

    def build(sim: Simulator, comps: list[int], hi: int, _m: list[Matcher]) -> Frame:
        i = sim.world.index[m.component]
        if i not in comps or not emitting(sim)[i]:
            return Frame.empty()
        labels = comp_labels(sim, [i])
        for k, v in m.labels.items():
            labels = labels.with_value(k, v)

        def values() -> F:
            return metric_values(sim, m, hi)[None, :]

        return Frame.of_values(labels, values, np.array([i], np.int64), sim.dt, m.type == "counter")

    return build


PER = {"second": 1.0, "minute": 60.0, "hour": 3600.0}


def metric_values(sim: Simulator, m: CustomMetric, hi: int) -> F:
    """The true value of custom metric ``m`` at ticks ``[0, hi)`` (a counter: its rate)."""
    w, h, dt = sim.world, sim.history, sim.dt
    if m.journey is not None or m.backlog is not None:
        name = m.journey if m.journey is not None else m.backlog.journey  # type: ignore[union-attr]
        ks = np.flatnonzero(w.class_journey == w.journeys.index(name))
        rate = h.journey["rate"][:hi, ks].astype(np.float64)
        err = h.journey["errors"][:hi, ks].astype(np.float64)
        failed = (rate * err).sum(1)
        if m.backlog is not None:
            b = m.backlog
            out = np.empty(hi)
            x = b.start
            for t in range(hi):
                x = max(0.0, x + failed[t] * b.per_failure * dt - b.drain / 3600.0 * dt)
                out[t] = x
        else:
            total = rate.sum(1)
            base = {"success": total - failed, "errors": failed, "requests": total}[m.of]
            per = 1.0 if m.type == "counter" else PER[m.per]
            out = base * per
    elif m.ready_share is not None:
        i = w.index[m.ready_share]
        ready = h.comp["replicas"][:hi, i].astype(np.float64)
        desired = h.comp["desired"][:hi, i].astype(np.float64)
        out = np.where(desired > 0, np.minimum(ready / np.maximum(desired, 1e-12), 1.0), 1.0)
    else:
        pts = m.points or []
        xs = np.array([p.at for p in pts], np.float64)
        ys = np.array([p.value for p in pts], np.float64)
        order = np.argsort(xs, kind="stable")
        out = np.interp(np.arange(hi) * dt, xs[order], ys[order])
    out = out * m.scale
    if m.noise:
        rng = np.random.default_rng(derive(sim.seed, f"evidence/metrics/{m.name}"))
        out = out * np.maximum(0.0, 1.0 + m.noise * rng.standard_normal(hi))
    result: F = out.astype(np.float64)
    return result
