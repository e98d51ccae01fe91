"""Traces: span trees for sampled requests, built on demand from the history.

A request of journey ``j`` in tick ``t`` is identified by its outcome at the front (``ok`` or
``error``) and its index ``n`` among those requests; sampling is head-based at the root.
The tree follows the dependency edges the request's traffic class takes: each call may fail
and be retried (with the retry count in force), time out (the callee's span still runs past
the caller's deadline), find no pooled connection or meet an open breaker, with the failure
and timeout probabilities of that tick. A component without tracing leaves a gap: its caller's
client span is there, its own span and everything below it are not.
"""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING, Any

import numpy as np

from chaosgame.engine import physics as ph
from chaosgame.engine.rng import derive
from chaosgame.engine.steering import calls_at
from chaosgame.telemetry import gaps
from chaosgame.telemetry.errors import QueryError, suggest
from chaosgame.telemetry.listings import clock
from chaosgame.telemetry.logtemplates import mix
from chaosgame.telemetry.recorder import recorder
from chaosgame.telemetry.tenants import labelled, pick_class, tenanted

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator
    from chaosgame.telemetry.query import Window

REFUSED = "429 Too Many Requests (quota exceeded)"
"""What a span says of a request a quota refused."""
MAX_SPANS = 400
SCAN = 3000
"""Most sampled traces a search builds before it stops (newest first)."""
ODD = 0x9E3779B97F4A7C15
INV = pow(ODD, -1, 1 << 64)
MASK = (1 << 64) - 1


def root_of(sim: Simulator, j: int) -> int | None:
    """Where traces of journey ``j`` start: its front if traced, else its entry if traced."""
    w = sim.world
    front = int(w.journey_front[j])
    if gaps.has(sim, front, "traces"):
        return front
    entry = w.index[sim.scenario.journeys[j].entry]
    return entry if gaps.has(sim, entry, "traces") else None


def requests(sim: Simulator, j: int, tick: int) -> tuple[int, int]:
    """(ok, failed) requests of journey ``j`` at its front in ``tick`` (exact, seeded rounding)."""
    w, h = sim.world, sim.history
    ks = np.flatnonzero(w.class_journey == j)
    front = int(w.journey_front[j])
    o = h.cls["offered"][tick, ks, front].astype(np.float64)
    e = h.cls["errors"][tick, ks, front].astype(np.float64)
    total = float(o.sum()) * sim.dt
    bad = float((o * e).sum()) * sim.dt
    u1 = mix(derive(sim.seed, f"req/{j}") ^ tick) / 2.0**64
    u2 = mix(derive(sim.seed, f"req/{j}/e") ^ tick) / 2.0**64
    return int(math.floor(total - bad + u1)), int(math.floor(bad + u2))


def sampled(sim: Simulator, j: int, tick: int, status: int, n: int, rate: float) -> bool:
    return mix(derive(sim.seed, f"sample/{j}") ^ (tick << 21) ^ (status << 20) ^ n) / 2.0**64 < rate


def encode(sim: Simulator, j: int, tick: int, status: int, n: int) -> str:
    payload = (tick << 28) | (j << 21) | (status << 20) | n
    key = derive(sim.seed, "traceid/key")
    a = ((payload * ODD) & MASK) ^ key
    check = derive(sim.seed, f"traceid/{payload}")
    return f"{a:016x}{check:016x}"


def decode(sim: Simulator, trace_id: str) -> tuple[int, int, int, int] | None:
    if len(trace_id) != 32 or any(ch not in "0123456789abcdef" for ch in trace_id):
        return None
    a, check = int(trace_id[:16], 16), int(trace_id[16:], 16)
    payload = ((a ^ derive(sim.seed, "traceid/key")) * INV) & MASK
    if derive(sim.seed, f"traceid/{payload}") != check:
        return None
    return payload >> 28, (payload >> 21) & 0x7F, (payload >> 20) & 1, payload & 0xFFFFF


class Builder:
    """Builds one trace's spans."""

    def __init__(self, sim: Simulator, j: int, tick: int, status: int, n: int) -> None:
        self.sim, self.tick = sim, tick
        self.rng = random.Random(derive(sim.seed, f"trace/{j}/{tick}/{status}/{n}"))
        w = sim.world
        ks = np.flatnonzero(w.class_journey == j)
        share = w.class_share[ks] / w.class_share[ks].sum()
        u = self.rng.random()
        if len(ks) > 1 and tenanted(sim):  # a failed request most likely failed its tenant
            self.k = pick_class(sim, j, tick, status, u)
        else:
            self.k = int(ks[min(int(np.searchsorted(np.cumsum(share), u)), len(ks) - 1)])
        self.tenant = w.tenants[int(w.class_tenant[self.k])] if tenanted(sim) else None
        """The request's tenant, with tenant labels (shown on spans of labelled components)."""
        self.spans: list[dict[str, Any]] = []
        self.retries = recorder(sim).retries_at(tick)

    def span(
        self, i: int, parent: str | None, start: float, depth: int, force: bool | None, name: str
    ) -> tuple[float, bool]:
        """Add component ``i``'s server span and its subtree; return (duration, failed)."""
        w, h, rng, t, k = (
            self.sim.world,
            self.sim.history,
            self.rng,
            self.tick,
            self.k,
        )
        sid = f"{rng.getrandbits(64):016x}"
        me: dict[str, Any] = {
            "span_id": sid,
            "parent": parent,
            "service": w.names[i],
            "name": name,
            "kind": "server",
            "depth": depth,
        }
        if self.tenant is not None and labelled(self.sim, i):
            me["tenant"] = self.tenant
        self.spans.append(me)
        mean = float(h.cls["latency"][t, k, i])
        floor = float(h.cls["floor"][t, k, i])
        err = float(h.cls["errors"][t, k, i])
        calls = calls_at(self.sim, t)  # a steered fleet calls where its weights say
        edges = [int(e) for e in np.flatnonzero((w.src == i) & ~w.is_async) if calls[k, e] > 0]
        calls_time = sum(float(calls[k, e]) * float(h.edge["call_time"][t, e]) for e in edges)
        own_floor = min(float(w.service_time[i]), floor)
        own_mean = max(mean - calls_time, own_floor)
        own = own_floor + (own_mean - own_floor) * -math.log(1.0 - rng.random())
        fins = sum(
            float(calls[k, e]) * float(h.edge["final_fail"][t, e]) for e in edges if w.required[e]
        )
        own_err = max(err - fins, 0.0)
        clock_t = start + own * 0.2
        failed_dep = None
        miss = 1.0 - float(h.comp["cache_hit"][t, i]) if w.is_cache[i] else 1.0
        blame = -1  # a forced failure that the dependencies explain
        required = [e for e in edges if w.required[e]]
        if force is True and required and rng.random() < fins / max(err, fins, 1e-9):
            weights = [
                float(calls[k, e]) * float(h.edge["final_fail"][t, e]) + 1e-12 for e in required
            ]
            blame = rng.choices(required, weights)[0]
        for e in edges:
            if len(self.spans) >= MAX_SPANS or depth > 12:
                break
            x = float(calls[k, e]) * miss
            count = int(x) + (1 if rng.random() < x - int(x) else 0)
            if e == blame:
                count = max(count, 1)
            for c in range(count):
                outcome = False if e == blame and c == 0 else True if force is False else None
                took, ok = self.call(i, e, sid, clock_t, depth + 1, outcome)
                clock_t += took
                if not ok and w.required[e]:
                    failed_dep = w.names[int(w.dst[e])]
        if force is None:
            failed = failed_dep is not None or rng.random() < own_err
        else:
            failed = force
            if not force:
                failed_dep = None
        me["start"] = start
        me["duration"] = clock_t - start + own * 0.8
        me["status"] = "error" if failed else "ok"
        if failed:
            me["message"] = f"upstream {failed_dep} failed" if failed_dep else "internal error"
            refused = self.sim.refusals.at(t, i) if failed_dep is None else 0.0
            if refused > 0.0 and rng.random() < refused / max(own_err, refused, 1e-9):
                me["message"] = REFUSED
                me["http.status_code"] = 429
                me["duration"] = own_floor
        return me["duration"], failed

    def refused(self, d: int, p: float, tau: float) -> bool:
        """Whether a failed call to component ``d`` was one its quota refused (drawn only in
        ticks where a quota refused requests there)."""
        share = self.sim.refusals.at(self.tick, d)
        if share <= 0.0:
            return False
        return self.rng.random() < min(share / max(p * (1.0 - tau), 1e-9), 1.0)

    def call(
        self, i: int, e: int, parent: str, start: float, depth: int, outcome: bool | None
    ) -> tuple[float, bool]:
        """A client span for one call along edge ``e`` (with retries); return (time, ok).

        ``outcome`` True makes the last attempt succeed, False makes every attempt fail (the
        request is known to have failed there); None lets the tick's probabilities decide.
        """
        must_succeed = outcome is True
        sim, w, h, rng, t = self.sim, self.sim.world, self.sim.history, self.rng, self.tick
        d = int(w.dst[e])
        callee = w.names[d]
        p = float(h.edge["fail"][t, e])
        breaker = int(h.edge["breaker"][t, e])
        pool = float(h.edge["pool_wait"][t, e])
        lat = float(h.comp["latency"][t, d]) + float(w.net_latency[e])
        flo = float(h.comp["floor"][t, d]) + float(w.net_latency[e])
        pto = float(ph.timeout_probability(np.array(w.timeout[e]), np.array(lat), np.array(flo)))
        tau = min(pto / max(p, 1e-9), 1.0)
        tries = int(self.retries[e]) + 1
        elapsed = 0.0
        for attempt in range(tries):
            last = attempt == tries - 1
            sid = f"{rng.getrandbits(64):016x}"
            span: dict[str, Any] = {
                "span_id": sid,
                "parent": parent,
                "service": w.names[i],
                "name": f"call {callee}",
                "kind": "client",
                "depth": depth,
                "start": start + elapsed,
                "peer": callee,
                "attempt": attempt + 1,
            }
            self.spans.append(span)
            if breaker == 1 and not must_succeed:
                span.update(duration=0.0002, status="error", message="circuit breaker open")
                return elapsed + 0.0002, False
            fail = outcome is False or rng.random() < (p if not (must_succeed and last) else 0.0)
            if fail and rng.random() < pool / max(p, 1e-9):
                span.update(
                    duration=float(w.timeout[e]),
                    status="error",
                    message="no free connection in pool",
                )
            elif fail and rng.random() < tau:
                span.update(
                    duration=float(w.timeout[e]), status="error", message="deadline exceeded"
                )
                if gaps.has(sim, d, "traces") and len(self.spans) < MAX_SPANS:
                    at = len(self.spans)
                    took, _ = self.span(
                        d, sid, start + elapsed, depth + 1, None, f"handle {w.names[i]}"
                    )
                    self.spans[at]["duration"] = max(
                        took, float(w.timeout[e]) * (1.05 + rng.random())
                    )
            elif fail and self.refused(d, p, tau):  # answered at once, never handled
                took = float(w.net_latency[e]) + 0.001
                span.update(duration=took, status="error", message=REFUSED)
                span["http.status_code"] = 429
            else:
                took = 0.0
                if gaps.has(sim, d, "traces") and len(self.spans) < MAX_SPANS:
                    took, _ = self.span(
                        d, sid, start + elapsed, depth + 1, fail, f"handle {w.names[i]}"
                    )
                else:
                    took = flo + (max(lat - flo, 0.0)) * -math.log(1.0 - rng.random())
                    took = min(took, float(w.timeout[e]))
                span.update(
                    duration=took + float(w.net_latency[e]), status="error" if fail else "ok"
                )
                if fail:
                    span["message"] = f"{callee} returned an error"
            elapsed += span["duration"]
            if span["status"] == "ok":
                return elapsed, True
            if not last:
                elapsed += float(w.backoff[e])
        return elapsed, False


def build(sim: Simulator, j: int, tick: int, status: int, n: int) -> dict[str, Any] | None:
    root = root_of(sim, j)
    if root is None:
        return None
    b = Builder(sim, j, tick, status, n)
    name = f"{'POST' if j % 2 else 'GET'} /api/{sim.world.journeys[j]}"
    offset = (
        (mix(derive(sim.seed, f"tstart/{j}/{status}/{n}") ^ tick) & 0xFFFFFF)
        / float(1 << 24)
        * sim.dt
    )
    start = tick * sim.dt + offset
    duration, failed = b.span(root, None, start, 0, bool(status), name)
    trace_id = encode(sim, j, tick, status, n)
    for s in b.spans:
        s["trace_id"] = trace_id
    out = {
        "trace_id": trace_id,
        "time": round(start, 3),
        "clock": clock(sim, start),
        "endpoint": sim.world.journeys[j],
        "root": sim.world.names[root],
        "duration_ms": round(duration * 1000, 1),
        "status": "error" if failed else "ok",
        "spans": b.spans,
    }
    if b.tenant is not None and labelled(sim, root):
        out["tenant"] = b.tenant
    return out


def _visible(sim: Simulator, j: int, tick: int, now: float) -> bool:
    root = root_of(sim, j)
    if root is None or tick < gaps.first_kept(sim, root, now):
        return False
    return not bool(gaps.dark(sim, "traces", tick, tick + 1)[0])


FILTERS = ("service", "status", "min_duration", "endpoint", "tenant")
"""What a trace search filters on (``tenant``: the root span's tenant attribute)."""


def trace_search(sim: Simulator, args: list[str], win: Window, text: str) -> dict[str, Any]:
    """Sampled traces in the window, newest first, filtered by service, status and duration."""
    from chaosgame.telemetry.query import seconds

    want: dict[str, str] = {}
    for a in args:
        key, sep, value = a.partition("=")
        if not sep or key not in FILTERS:
            raise QueryError(
                suggest(key, FILTERS, "trace filter") + " (write filters as key=value)",
                text,
                text.find(a),
            )
        want[key] = value
    w = sim.world
    if "service" in want and want["service"] not in w.index:
        raise QueryError(
            suggest(want["service"], w.names, "component"), text, text.find(want["service"])
        )
    if want.get("status", "error") not in ("ok", "error"):
        raise QueryError("status is ok or error", text, text.find("status="))
    if "endpoint" in want and want["endpoint"] not in w.journeys:
        raise QueryError(
            suggest(want["endpoint"], w.journeys, "endpoint"), text, text.find(want["endpoint"])
        )
    min_d = seconds(want["min_duration"], "min_duration", text) if "min_duration" in want else 0.0
    statuses = (
        [1] if want.get("status") == "error" else [0] if want.get("status") == "ok" else [0, 1]
    )
    found: list[dict[str, Any]] = []
    built = 0
    skip = (win.page - 1) * win.limit
    for tick in range(win.end_tick - 1, win.start_tick - 1, -1):
        for j in range(len(w.journeys)):
            if "endpoint" in want and w.journeys[j] != want["endpoint"]:
                continue
            if not _visible(sim, j, tick, win.end):
                continue
            root = root_of(sim, j)
            assert root is not None
            rate = sim.scenario.components[root].telemetry.trace_sampling
            counts = requests(sim, j, tick)
            for status in statuses:
                for n in range(counts[status]):
                    if not sampled(sim, j, tick, status, n, rate):
                        continue
                    tr = build(sim, j, tick, status, n)
                    built += 1
                    if tr is None or tr["duration_ms"] < min_d * 1000:
                        continue
                    if "tenant" in want and tr.get("tenant") != want["tenant"]:
                        continue
                    if "service" in want and not any(
                        s["service"] == want["service"] or s.get("peer") == want["service"]
                        for s in tr["spans"]
                    ):
                        continue
                    if skip:
                        skip -= 1
                        continue
                    found.append(_summary(tr, want.get("service")))
            if len(found) >= win.limit or built >= SCAN:
                break
        if len(found) >= win.limit or built >= SCAN:
            break
    found.sort(key=lambda x: -x["time"])
    notes = []
    if built >= SCAN:
        notes.append(f"searched the newest {SCAN} sampled traces; narrow with --since or filters")
    dark = gaps.dark(sim, "traces", win.start_tick, win.end_tick)
    if dark.any():
        notes.append(f"the trace collector lost {int(dark.sum()) * sim.dt:g}s of this window")
    untraced = [
        w.names[i]
        for i in range(w.n)
        if not gaps.has(sim, i, "traces") and w.kinds[i] not in gaps.PIPELINE.values()
    ]
    if untraced:
        notes.append("not instrumented for tracing: " + ", ".join(untraced[:12]))
    return {"traces": found[: win.limit], "notes": notes}


def _summary(tr: dict[str, Any], service: str | None) -> dict[str, Any]:
    spans = tr["spans"]
    errors = [s for s in spans if s["status"] == "error"]
    return {k: v for k, v in tr.items() if k != "spans"} | {
        "span_count": len(spans),
        "services": sorted({s["service"] for s in spans}),
        "errors": len(errors),
        "first_error": _where(errors[-1]) if errors else None,
    }


def _where(span: dict[str, Any]) -> str:
    who = span["service"] + (f" -> {span['peer']}" if span.get("peer") else "")
    return f"{who}: {span.get('message', 'error')}"


def trace_by_id(sim: Simulator, trace_id: str, win: Window, text: str) -> dict[str, Any]:
    """One trace's span tree (depth-first), or a clear reason why it is not there."""
    key = decode(sim, trace_id.lower())
    if key is None:
        raise QueryError(
            f"no trace {trace_id}: it was not sampled, or the id is not a trace id "
            "(copy one from a trace search or a log line)",
            text,
            text.find(trace_id),
        )
    tick, j, status, n = key
    if tick >= win.end_tick or not _visible(sim, j, tick, win.end):
        raise QueryError(
            f"no trace {trace_id} in the store (not yet written, lost or expired)", text
        )
    tr = build(sim, j, tick, status, n)
    if tr is None:
        raise QueryError(f"no trace {trace_id}", text)
    t0 = tr["spans"][0]["start"]
    for s in tr["spans"]:
        s["start_ms"] = round((s.pop("start") - t0) * 1000, 1)
        s["duration_ms"] = round(s.pop("duration") * 1000, 1)
    return tr
