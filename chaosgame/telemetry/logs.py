"""Logs as a lazy, deterministic view: exact line counts per category, lines on demand.

For each component and tick the history says how many requests succeeded and failed, how
many calls to each dependency timed out, were retried, found no pooled connection or met an
open breaker, and what the orchestrator did. Each of those is a *category* of lines with a
template (``logshapes``). :func:`counts` gives the exact number of lines of every category in
every tick of a window (vectorised, nothing rendered); :func:`render` writes line ``n`` of a
category in a tick, always the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from chaosgame.engine import physics as ph
from chaosgame.engine.refusals import limited as quota_limited
from chaosgame.engine.rng import derive
from chaosgame.engine.steering import calls_at
from chaosgame.scenario.noise import NoiseSlowQuery
from chaosgame.telemetry import authored, gaps
from chaosgame.telemetry import logshapes as sh
from chaosgame.telemetry.logtemplates import Field, Seg, merged, pools
from chaosgame.telemetry.noise import log_items as noise_logs
from chaosgame.telemetry.noise import log_lines as noise_lines
from chaosgame.telemetry.noise import slow_query_message
from chaosgame.telemetry.recorder import recorder
from chaosgame.telemetry.tenants import line_tenants

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator

SLOW = 1.0
"""Requests slower than this many seconds log a warning."""
DB_SLOW = 0.5
NO_LOGS = ("external", "metrics_store", "log_pipeline", "trace_collector", "pager")


@dataclass(frozen=True)
class Category:
    """One kind of line a component writes."""

    comp: int
    key: str
    level: str
    template: tuple[Seg, ...]
    uid: int
    journey: int = -1
    edge: int = -1
    event: int = -1
    tenant: int = -1
    """With tenant labels: the tenant of a per-request line (``-1``: every tenant)."""

    @property
    def kind(self) -> str:
        """What the line is about: ok, err, slow, retry_t, fail_e, pool, db_conn, event..."""
        return self.key.split("/", 1)[0]


def _path(journey: str) -> str:
    return f"/api/{journey}"


def reach(sim: Simulator, j: int) -> set[int]:
    """Components that requests of journey ``j`` reach (synchronously or not)."""
    rec = recorder(sim)
    key = f"reach/{j}"
    if key not in rec.cache:
        w = sim.world
        ks = np.flatnonzero(w.class_journey == j)
        taken = w.calls[ks].sum(0) > 0
        if sim.steering is not None:  # a standby or drained member may carry the journey later
            taken |= sim.steering.takes[ks].sum(0) > 0
        seen = {int(w.journey_front[j])}
        todo = list(seen)
        while todo:
            a = todo.pop()
            for e in np.flatnonzero((w.src == a) & taken):
                b = int(w.dst[e])
                if b not in seen:
                    seen.add(b)
                    todo.append(b)
        rec.cache[key] = seen
    out: set[int] = rec.cache[key]
    return out


RETRY_KINDS = ("retry_t", "retry_e", "retry_q")
"""Kinds of the lines that log a retried call (their number is the attempt)."""

EVENT_KINDS = ("oom", "liveness", "restart", "node", "autoscale", "scale")
"""Events a component's own log tells of (the orchestrator's messages)."""


def categories(sim: Simulator, i: int) -> list[Category]:
    """Every category of line component ``i`` can write so far (kept with the game; events
    recorded since the last call add theirs at the end)."""
    rec = recorder(sim)
    key = f"logcats/{i}"
    got: tuple[list[Category], int] | None = rec.cache.get(key)
    if got is not None and got[1] == len(sim.events):
        return got[0]
    cats, seen = got if got is not None else (_categories(sim, i), 0)
    cats = cats + _event_categories(sim, i, seen)
    where: dict[int, int] = rec.cache.setdefault("logs/positions", {})
    where.update((c.uid, p) for p, c in enumerate(cats))
    rec.cache[key] = (cats, len(sim.events))
    return cats


def _event_categories(sim: Simulator, i: int, start: int) -> list[Category]:
    """Categories of the events from ``sim.events[start]`` on that component ``i`` logs."""
    comp = sim.scenario.components[i]
    t = comp.telemetry
    if comp.kind in NO_LOGS or not t.logs:
        return []
    fmt, lang, name = t.log_format, t.language, comp.name
    out = []
    for n in range(start, len(sim.events)):
        ev = sim.events[n]
        if ev.component == name and ev.kind in EVENT_KINDS:
            level = "info" if ev.kind in ("autoscale", "scale") else "warn"
            msg: list[Seg] = [f"{ev.kind}: {ev.message}"]
            tpl = sh.line(fmt, lang, level, name, "kubelet", msg, [("pod", sh.pod(name))])
            k = f"event/{n}"
            uid = derive(sim.seed, f"logs/{name}/{k}")
            out.append(Category(i, k, level, tuple(merged(tpl)), uid, event=n))
    return out


def _categories(sim: Simulator, i: int) -> list[Category]:
    """The categories of component ``i`` other than its events'."""
    w = sim.world
    comp = sim.scenario.components[i]
    t = comp.telemetry
    fmt, lang, name, kind = t.log_format, t.language, comp.name, comp.kind
    out: list[Category] = []
    if kind in NO_LOGS or not t.logs:
        return out
    pl = pools(sim)
    pod = sh.pod(name)
    ip = Field("ip", values=pl.ips)
    user = Field("user", values=pl.users)

    def add(k: str, level: str, tpl: list[Seg], **extra: int) -> None:
        uid = derive(sim.seed, f"logs/{name}/{k}")
        out.append(Category(i, k, level, tuple(merged(tpl)), uid, **extra))

    serving = kind in ("gateway", "service", "worker")
    if serving:
        served = []
        for j, journey in enumerate(w.journeys):
            if i not in reach(sim, j):
                continue
            served.append(journey)
            m = "POST" if j % 2 else "GET"
            p = _path(journey)
            kv: list[tuple[str, Seg]] = [
                ("trace_id", sh.TRACE),
                ("client_ip", ip),
                ("user", user),
                ("pod", pod),
            ]
            ok: list[Seg] = [f"{m} {p} 200 ", sh.MS, "ms"]
            bad: list[Seg] = [f"{m} {p} {502 if kind == 'gateway' else 500} ", sh.MS, "ms"]
            slow: list[Seg] = [
                f"slow request {m} {p} took ",
                sh.MS,
                f"ms (threshold {int(SLOW * 1000)}ms)",
            ]
            for ti, tenant in line_tenants(sim, i, j):
                tkv = kv if tenant is None else [*kv, ("tenant", tenant)]
                at = "" if tenant is None else f"/{ti}"
                ok_line = sh.line(fmt, lang, "info", name, "access", ok, tkv)
                add(f"ok/{j}{at}", "info", ok_line, journey=j, tenant=ti)
                err_line = sh.line(fmt, lang, "error", name, "access", bad, tkv)
                add(f"err/{j}{at}", "error", err_line, journey=j, tenant=ti)
                slow_line = sh.line(fmt, lang, "warn", name, "access", slow, tkv)
                add(f"slow/{j}{at}", "warn", slow_line, journey=j, tenant=ti)
        m, p = "POST", _path(served[0]) if served else "/"
        kv = [("trace_id", sh.TRACE), ("pod", pod)]
        internal = sh.fill(sh.INTERNAL[lang], m=m, p=p, s=name)
        add("own", "error", sh.line(fmt, lang, "error", name, "handler", internal, kv))
        add(
            "overload",
            "error",
            sh.line(fmt, lang, "error", name, "server", [sh.OVERLOAD.format(m=m, p=p)], kv),
        )
    limited = quota_limited(sim)  # their callers log the calls a quota refuses as 429s
    for e in np.flatnonzero(w.src == i):
        d = w.deps[int(e)]
        to_ms = int(d.timeout * 1000)
        names = {"t": d.to, "to": str(to_ms), "tos": f"{d.timeout:g}", "s": name}
        kv = [("trace_id", sh.TRACE), ("pod", pod)]
        tmo = sh.fill(sh.TIMEOUT[lang], **names)
        ups = sh.fill(sh.UPSTREAM[lang], **names)
        refused = sh.fill(sh.QUOTA[lang], **names) if int(w.dst[e]) in limited else None
        retry: list[Seg] = [
            f"retrying call to {d.to} (attempt ",
            sh.N,
            f"/{d.retries.count + 1}): ",
        ]
        if d.retries.count:
            add(
                f"retry_t/{e}",
                "warn",
                sh.line(fmt, lang, "warn", name, "client", retry + tmo, kv),
                edge=int(e),
            )
            add(
                f"retry_e/{e}",
                "warn",
                sh.line(fmt, lang, "warn", name, "client", retry + ups, kv),
                edge=int(e),
            )
            if refused is not None:
                add(
                    f"retry_q/{e}",
                    "warn",
                    sh.line(fmt, lang, "warn", name, "client", retry + refused, kv),
                    edge=int(e),
                )
        add(
            f"fail_t/{e}",
            "error",
            sh.line(fmt, lang, "error", name, "client", tmo, kv),
            edge=int(e),
        )
        add(
            f"fail_e/{e}",
            "error",
            sh.line(fmt, lang, "error", name, "client", ups, kv),
            edge=int(e),
        )
        if refused is not None:
            add(
                f"fail_q/{e}",
                "error",
                sh.line(fmt, lang, "error", name, "client", refused, kv),
                edge=int(e),
            )
        if d.pool:
            pool = [
                f"timed out after {to_ms}ms waiting for a connection to {d.to} "
                f"(pool size {d.pool}, all in use)"
            ]
            add(
                f"pool/{e}",
                "error",
                sh.line(fmt, lang, "error", name, "pool", pool, kv),
                edge=int(e),
            )
        if d.breaker is not None:
            br = [f"circuit breaker for {d.to} is OPEN; call not permitted, failing fast"]
            add(
                f"breaker/{e}",
                "error",
                sh.line(fmt, lang, "error", name, "client", br, kv),
                edge=int(e),
            )
    for k, x in noise_logs(sim, i):
        if isinstance(x, NoiseSlowQuery):
            sq: list[Seg] = [slow_query_message(x)]
            add(k, "warn", sh.line(fmt, lang, "warn", name, "postgres", sq, [("pod", pod)]))
        else:
            said: list[Seg] = [x.message]
            add(k, x.level, sh.line(fmt, lang, x.level, name, x.logger, said, [("pod", pod)]))
    if kind == "database":
        for k, msg in sh.DB_ERRORS.items():
            text = msg.format(max=comp.max_connections or 0)
            add(k, "error", sh.line(fmt, lang, "error", name, "postgres", [text], [("pod", pod)]))
        sqls = tuple(f"SELECT * FROM {tb} WHERE id = $1" for tb in pl.tables)
        dbslow: list[Seg] = ["duration: ", sh.MS, " ms  statement: ", Field("sql", values=sqls)]
        add("db_slow", "warn", sh.line(fmt, lang, "warn", name, "postgres", dbslow, [("pod", pod)]))
        if comp.replica_of:
            lag: list[Seg] = ["replication lag is ", sh.N, f"s behind primary {comp.replica_of}"]
            add(
                "repl", "warn", sh.line(fmt, lang, "warn", name, "replication", lag, [("pod", pod)])
            )
    if kind == "queue":
        qlag: list[Seg] = ["consumer lag ", sh.N, "s, backlog ", sh.N, " messages"]
        add("qlag", "warn", sh.line(fmt, lang, "warn", name, "broker", qlag, [("pod", pod)]))
    if kind in ("cache", "queue", "dns"):
        add(
            "srv_err",
            "error",
            sh.line(
                fmt,
                lang,
                "error",
                name,
                "server",
                ["error serving request: internal error"],
                [("pod", pod)],
            ),
        )
    return out + authored.log_categories(sim, i)


def counts(sim: Simulator, cats: list[Category], lo: int, hi: int, now: float) -> NDArray[np.int64]:
    """Exact lines per category per tick, shape ``[len(cats), hi - lo]``."""
    if not cats or hi <= lo:
        return np.zeros((len(cats), max(hi - lo, 0)), np.int64)
    n = _written(sim, cats, lo, hi)
    # what the log store no longer keeps
    comps = np.array([c.comp for c in cats], np.intp)
    keep = _first_kept(sim, now)[comps]
    n[np.arange(lo, hi)[None, :] < keep[:, None]] = 0
    return n


def _written(sim: Simulator, cats: list[Category], lo: int, hi: int) -> NDArray[np.int64]:
    """Lines that reached the log store per category and tick, kept with the game per
    component (past ticks never change, and a component's lines depend on its own categories
    alone): only ticks not seen before are computed."""
    rec = recorder(sim)
    store: dict[int, tuple[int, NDArray[np.int32]]] = rec.cache.setdefault("logs/written", {})
    comps = list(dict.fromkeys(c.comp for c in cats))
    todo: dict[tuple[int, int], list[int]] = {}
    for i in comps:
        a, block = store.get(i, (lo, _NONE))
        b = a + block.shape[1]
        if block.shape[1] == 0 or hi < a or b < lo or len(block) != len(categories(sim, i)):
            store[i] = (lo, np.zeros((len(categories(sim, i)), 0), np.int32))
            todo.setdefault((lo, hi), []).append(i)
            continue
        if lo < a:
            todo.setdefault((lo, a), []).append(i)
        if b < hi:
            todo.setdefault((b, hi), []).append(i)
    for (a, b), group in sorted(todo.items()):
        every = [c for i in group for c in categories(sim, i)]
        x = _draw(sim, every, a, b).astype(np.int32)
        at = 0
        for i in group:
            k = len(categories(sim, i))
            first, block = store[i]
            part = x[at : at + k]
            at += k
            if b <= first:
                first, block = a, np.concatenate([part, block], axis=1)
            else:
                block = np.concatenate([block, part], axis=1)
            store[i] = (first, block)
    out = np.empty((len(cats), hi - lo), np.int64)
    where: dict[int, int] = rec.cache["logs/positions"]
    start = 0
    while start < len(cats):
        i = cats[start].comp
        end = start + 1
        while end < len(cats) and cats[end].comp == i:
            end += 1
        first, block = store[i]
        if end - start == len(block):  # all of the component's categories, in order
            out[start:end] = block[:, lo - first : hi - first]
        else:
            rows = [where[c.uid] for c in cats[start:end]]
            out[start:end] = block[rows, lo - first : hi - first]
        start = end
    for i in {i for group in todo.values() for i in group}:
        first, block = store[i]
        if block.shape[1] > KEEP_TICKS:  # forget the oldest ticks
            store[i] = (first + block.shape[1] - KEEP_TICKS, block[:, -KEEP_TICKS:].copy())
    return out


KEEP_TICKS = 360
"""Most ticks of line counts kept per component (the latest)."""
_NONE = np.zeros((0, 0), np.int32)


def _draw(sim: Simulator, cats: list[Category], lo: int, hi: int) -> NDArray[np.int64]:
    """Lines written per category and tick (expected lines rounded by a per-tick draw), less
    the ticks the log pipeline was down."""
    x = expected(sim, cats, lo, hi)
    uid = np.array([c.uid for c in cats], dtype=np.uint64)[:, None]
    ticks = np.arange(lo, hi, dtype=np.uint64)[None, :]
    with np.errstate(over="ignore"):
        h = uid ^ (ticks * np.uint64(0x9E3779B97F4A7C15))
        h ^= h >> np.uint64(31)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(29)
    u = (h >> np.uint64(11)).astype(np.float64) / float(1 << 53)
    n = np.floor(x + u).astype(np.int64)
    # what never reached the log store: sampling, pipeline outages
    n[:, gaps.dark(sim, "logs", lo, hi)] = 0
    return n


def _first_kept(sim: Simulator, now: float) -> NDArray[np.int64]:
    """``gaps.first_kept`` of every component."""
    rec = recorder(sim)
    kept: NDArray[np.float64] | None = rec.cache.get("logs/retention")
    if kept is None:
        kept = rec.cache["logs/retention"] = np.array(
            [c.telemetry.retention for c in sim.scenario.components], np.float64
        )
    out: NDArray[np.int64] = np.maximum(0, np.ceil((now - kept) / sim.dt - 1e-9)).astype(np.int64)
    return out


def expected(sim: Simulator, cats: list[Category], lo: int, hi: int) -> NDArray[np.float64]:
    """Expected (fractional) lines per category per tick."""
    w, h, dt = sim.world, sim.history, sim.dt
    out = np.zeros((len(cats), max(hi - lo, 0)))
    if not cats or hi <= lo:
        return out
    c, cls, ed = h.comp, h.cls, h.edge
    comps = sorted({k.comp for k in cats})
    col = {i: n for n, i in enumerate(comps)}
    off = cls["offered"][lo:hi][:, :, comps].astype(np.float64)
    err = cls["errors"][lo:hi][:, :, comps].astype(np.float64)
    lat = cls["latency"][lo:hi][:, :, comps].astype(np.float64)
    flo = cls["floor"][lo:hi][:, :, comps].astype(np.float64)
    edges = sorted({k.edge for k in cats if k.edge >= 0})
    ecol = {e: n for n, e in enumerate(edges)}
    if edges:
        ea = np.array(edges)
        rate = ed["rate"][lo:hi][:, ea].astype(np.float64)
        p = np.clip(ed["fail"][lo:hi][:, ea].astype(np.float64), 0, 1 - 1e-9)
        fin = ed["final_fail"][lo:hi][:, ea].astype(np.float64)
        rec = recorder(sim)
        r = np.stack([rec.retries_at(t)[ea] for t in range(lo, hi)])
        attempts = (1 - p ** (r + 1)) / (1 - p)
        final = rate / np.maximum(attempts, 1.0) * fin
        retried = np.maximum(rate * p - final, 0.0)
        dl = c["latency"][lo:hi][:, w.dst[ea]].astype(np.float64) + w.net_latency[ea]
        df = c["floor"][lo:hi][:, w.dst[ea]].astype(np.float64) + w.net_latency[ea]
        pto = ph.timeout_probability(w.timeout[ea], dl, df)
        tau = np.clip(pto / np.maximum(p, 1e-9), 0, 1)
        # the share of failed calls a quota refused (answered at once with a 429)
        refused = sim.refusals.window(lo, hi, w.dst[ea]) if sim.refusals.ticks else None
        if refused is not None:
            quota = np.minimum(np.clip(refused / np.maximum(p, 1e-9), 0, 1), 1 - tau)
        else:
            quota = np.zeros_like(tau)
        pw = np.clip(ed["pool_wait"][lo:hi][:, ea].astype(np.float64), 0, 0.999)
        brk = ed["breaker"][lo:hi][:, ea].astype(np.float64)
        caller_served = c["served"][lo:hi][:, w.src[ea]].astype(np.float64)
        if sim.steering is None:
            mean_calls = w.calls[:, ea].mean(0)
        else:  # the calls in force at each tick (a drained member is called no more)
            mean_calls = np.stack([calls_at(sim, t)[:, ea].mean(0) for t in range(lo, hi)])
        blocked = caller_served * mean_calls * np.where(brk == 1, 1.0, np.where(brk == 2, 0.9, 0.0))
    else:
        rate = p = final = retried = tau = quota = pw = blocked = np.zeros((hi - lo, 0))
    # failures of required synchronous calls, summed per caller in edge order
    dep_final = np.zeros((hi - lo, len(comps)))
    has_dep = np.zeros(len(comps), np.bool_)
    ranks: dict[int, int] = {}
    layers: list[tuple[list[int], list[int]]] = []
    for e in edges:
        if w.required[e] and not w.is_async[e]:
            s = int(w.src[e])
            if s not in col:
                continue
            k = ranks[s] = ranks.get(s, -1) + 1
            if k == len(layers):
                layers.append(([], []))
            layers[k][0].append(col[s])
            layers[k][1].append(ecol[e])
    for srcs, xs in layers:
        dep_final[:, srcs] = dep_final[:, srcs] + final[:, xs] + blocked[:, xs]
        has_dep[srcs] = True
    journey_rows: dict[
        tuple[int, int], tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]
    ] = {}

    def per_journey(
        j: int, t: int = -1
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """Requests, error share and slow share of journey ``j`` (of tenant ``t`` alone when
        ``t >= 0``) at every selected component."""
        if (j, t) not in journey_rows:
            ks = np.flatnonzero(
                (w.class_journey == j) & ((w.class_tenant == t) if t >= 0 else True)
            )
            o = off[:, ks, :]
            tot = o.sum(1)
            wgt = o / np.maximum(tot[:, None, :], 1e-12)
            e_j = (err[:, ks, :] * wgt).sum(1)
            m_j, f_j = (lat[:, ks, :] * wgt).sum(1), (flo[:, ks, :] * wgt).sum(1)
            slow = tot * ph.timeout_probability(np.array(SLOW), m_j, f_j)
            journey_rows[(j, t)] = (tot.T, e_j.T, slow.T)
        return journey_rows[(j, t)]

    def edge_rate(kind: str) -> NDArray[np.float64]:
        """Lines per second of ``kind`` on every selected edge, ``[ticks, edges]``."""
        if kind in RETRY_KINDS:
            split = {"retry_t": tau, "retry_q": quota}.get(kind, 1 - tau - quota)
            out: NDArray[np.float64] = retried * split
        elif kind in ("fail_t", "fail_e", "fail_q"):
            out = final * {"fail_t": tau, "fail_q": quota}.get(kind, 1 - tau - quota)
        elif kind == "pool":
            out = rate / (1 - pw) * pw
        else:
            out = blocked
        return out

    # categories of one kind (and journey) are computed together, element by element as one
    groups: dict[tuple[str, int, int], list[int]] = {}
    for row, cat in enumerate(cats):
        kind = cat.kind
        if cat.journey >= 0:
            sort = "journey"
        elif cat.edge >= 0:
            sort = "edge"
        elif cat.event >= 0:
            sort = "event"
        else:
            sort = "own"
        groups.setdefault((f"{sort}/{kind}", cat.journey, cat.tenant), []).append(row)
    for (what, j, t), rows in groups.items():
        sort, kind = what.split("/")
        cis = [col[cats[r].comp] for r in rows]
        if sort == "journey":
            tot, e_j, slow_j = per_journey(j, t)
            if kind == "ok":
                v = tot[cis] * (1 - e_j[cis])
            elif kind == "err":
                v = tot[cis] * e_j[cis]
            else:
                v = slow_j[cis]
        elif sort == "edge":
            v = edge_rate(kind)[:, [ecol[cats[r].edge] for r in rows]].T
        elif sort == "event":
            v = np.zeros((len(rows), hi - lo))
            for at, row in enumerate(rows):
                when = int(sim.events[cats[row].event].time // dt)
                if lo <= when < hi:
                    v[at, when - lo] = 1.0 / dt  # one line
        elif kind == authored.KIND:
            v = authored.lines_per_second(sim, [cats[r] for r in rows], lo, hi)
        elif kind == "noise":
            v = noise_lines(sim, [cats[r].key for r in rows], [cats[r].comp for r in rows], lo, hi)
        else:
            v = _own(
                sim, kind, [cats[r].comp for r in rows], lo, hi, dep_final[:, cis], has_dep[cis]
            ).T
        out[rows] = v * dt
    rec = recorder(sim)
    per_comp: NDArray[np.float64] | None = rec.cache.get("logs/sampling")
    if per_comp is None:
        per_comp = rec.cache["logs/sampling"] = np.array(
            [c.telemetry.log_sampling for c in sim.scenario.components], np.float64
        )
    sampling = np.where(
        np.array([k.event < 0 for k in cats], np.bool_),
        per_comp[np.array([k.comp for k in cats], np.intp)],
        1.0,
    )
    result: NDArray[np.float64] = out * sampling[:, None]
    return result


def _own(
    sim: Simulator,
    kind: str,
    comps: list[int],
    lo: int,
    hi: int,
    dep: NDArray[np.float64],
    has_dep: NDArray[np.bool_],
) -> NDArray[np.float64]:
    """Own lines (not about a dependency) of ``kind`` per tick and component ``[ticks, comps]``."""
    c = sim.history.comp
    i = comps
    served = c["offered"][lo:hi][:, i].astype(np.float64)
    err = c["errors"][lo:hi][:, i].astype(np.float64)
    util = c["utilisation"][lo:hi][:, i].astype(np.float64)
    own = np.maximum(np.where(has_dep, served * err - dep, served * err), 0.0)
    busy = util >= 0.95
    w = sim.world
    if kind == "own":
        return np.where(busy, 0.0, own)
    if kind in ("overload", "srv_err"):
        return np.where(busy, own, 0.0) if kind == "overload" else own
    conns = c["connections"][lo:hi][:, i].astype(np.float64)
    full = conns >= w.max_connections[i]
    disk = c["disk"][lo:hi][:, i].astype(np.float64) >= w.disk_gb[i]
    if kind == "db_conn":
        return np.where(full, own, 0.0)
    if kind == "db_disk":
        return np.where(~full & disk, own, 0.0)
    if kind == "db_timeout":
        return np.where(~full & ~disk & busy, own, 0.0)
    if kind == "db_error":
        return np.where(~full & ~disk & ~busy, own, 0.0)
    if kind == "db_slow":
        lat, flo = (
            c["latency"][lo:hi][:, i].astype(np.float64),
            c["floor"][lo:hi][:, i].astype(np.float64),
        )
        return served * ph.timeout_probability(np.array(DB_SLOW), lat, flo)
    if kind == "repl":
        return (c["replication_lag"][lo:hi][:, i] > 5.0).astype(np.float64) / sim.dt
    if kind == "qlag":
        return (c["consumer_lag"][lo:hi][:, i] > 30.0).astype(np.float64) / sim.dt
    return np.zeros((hi - lo, len(i)))
