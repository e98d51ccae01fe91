"""The tick's passes over the graph: load flows down, outcomes flow up.

These are the steps 3-4 of :meth:`chaosgame.engine.sim.Simulator.step` (see that module's
docstring; step 5, :func:`resources`, lives in ``control.py`` and the history row's writer in
``history.py``, both exported from here too); each takes the simulator and the tick's
modifiers. They name no fault: faults and mitigations
only write the modifiers.

Both passes keep their working arrays in *level order* (see
:class:`chaosgame.engine.world.Level`) and give the simulator its outputs back in component
order. Every shortcut here is exact: ``tests/engine/test_tick_equivalence.py`` checks the
passes against plain ones bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import numpy as np
from numpy.typing import NDArray

from chaosgame.engine import clients
from chaosgame.engine import physics as ph
from chaosgame.engine.control import breakers, resources
from chaosgame.engine.history import write_history
from chaosgame.engine.load import worker_latency
from chaosgame.engine.physics import TINY
from chaosgame.engine.state import Modifiers
from chaosgame.engine.world import F64, I64, Level

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator

__all__ = ["CLIENT_TIMEOUT", "flow", "outcomes", "resources", "write_history"]

CPU_AT_CAPACITY = 0.6
"""Share of its CPU limit a replica uses when serving exactly its capacity."""
CLIENT_TIMEOUT = 30.0
"""How long a user's client waits at the front door."""
TOKEN_LEEWAY = 300.0
"""Seconds of clock difference a token check tolerates; beyond it, requests are rejected."""
FD_LIMIT = 65536.0
"""File descriptors a process may hold; past it, new connections fail."""
STALE_HALF = 60.0
"""Lag (s) at which half of the reads from a replica miss a recent write."""
SMOOTHING = 0.5
"""Weight of last tick's value in the failure rates and call times callers react to."""


def flow(sim: Simulator, m: Modifiers, now: float, dt: float) -> None:
    """Load flows down, level by level: arrivals, admission, capacity, then the calls made.

    Works in level order (see :class:`chaosgame.engine.world.Level`): ``lam``, ``served`` and
    the per-component factors are permuted once, each level then reads and writes slices.
    """
    w, st = sim.world, sim.state
    k, n = w.k, w.n
    order, rank, eorder = w.node_order, w.node_rank, w.edge_order
    lam = np.zeros((k, n))  # level order, like every array named *_o below
    rates = sim.rates = sim.journey_rates(now)
    if w.clients is None:
        lam[w.class_rows, rank[w.class_front]] += rates[w.class_journey] * w.class_share
    else:  # the users' clients retry, come back later, use an old address
        front, stale = clients.arrivals(sim, m, rates)
        lam[w.class_rows, rank[w.class_front]] += front
        lam[w.class_rows, rank[w.clients.old]] += stale
    reps = np.maximum(st.ready, 0.0) * (1.0 - m.unready)
    per_rep = 1.0 / np.maximum(reps, TINY)
    miss = np.where(w.is_cache, 1.0 - st.hit, 1.0)
    attempts = ph.attempts_per_request(st.prev_p, m.edge_retries)
    held_open = (st.breaker == 1) | (m.edge_open > 0)
    passing = np.where(held_open, 0.0, np.where(st.breaker == 2, 0.1, 1.0))
    mult = sim.calls * miss[w.src] * attempts * passing * (1.0 - m.edge_off)
    mult_o = np.take(mult, eorder, axis=1)
    blocked = ph.combine(m.block, st.waf) if (m.block.any() or st.waf.any()) else None
    sim._blocked = blocked
    let_in_o = np.take(1.0 - blocked, order, axis=1) if blocked is not None else None
    edge_x_o = np.zeros((k, w.e))
    pool_fail_o = np.zeros(w.e)
    served_o = np.zeros((k, n))
    arriving_o = np.zeros(n)
    admit = 1.0 - m.shed
    consumer_cap = w.capacity * m.cap_factor / m.svc_factor * reps
    # a replica works on at most its capacity; CPU it cannot get stretches its service
    cpu_per_req = w.cpu_limit * CPU_AT_CAPACITY / w.capacity * m.cpu_factor / st.cpu_limit
    busy_cap = consumer_cap * per_rep
    base_cap = reps * w.capacity * m.cap_factor / m.svc_factor
    max_wait_o = sim._max_wait_for(st.timeout)[order]
    admit_o, per_rep_o, busy_cap_o = admit[order], per_rep[order], busy_cap[order]
    cpu_per_req_o, base_cap_o, syncq_o = cpu_per_req[order], base_cap[order], st.syncq[order]
    pooled_o = st.pool[eorder] > 0
    if pooled_o.any():  # the most calls per second each pool carries, for every edge at once
        usable = st.pool * m.pool_factor
        ceiling = np.where(st.pool > 0, ph.pool_ceiling(usable, reps[w.src], st.call_time), np.inf)
        ceiling_o = ceiling[eorder]
    drain = np.zeros(n)
    dropped_o = np.zeros(n)
    # a quota answers the excess over it at once (429): refused requests do no work and
    # call nothing downstream
    quota_o = m.quota[order] if np.isfinite(m.quota).any() else None
    refused_o = np.zeros(n)
    admitted_o = arriving_o if quota_o is None else np.zeros(n)
    for lv in w.plan:
        at = lv.at
        # Sums over classes run on class-contiguous ("F") arrays: numpy adds eight or more
        # classes pairwise there and one by one otherwise, so the layout decides the bits.
        if let_in_o is not None:
            arrived = np.multiply(lam[:, at], let_in_o[:, at], order="F")
        else:
            arrived = np.asfortranarray(lam[:, at])
        a = arrived.sum(0) * admit_o[at]
        arriving_o[at] = a
        a_all = a
        if quota_o is not None:
            q = quota_o[at]
            refused_o[at] = np.where(a > q, 1.0 - q / np.maximum(a, TINY), 0.0)
            a = a * (1.0 - refused_o[at])
            admitted_o[at] = a
        thr = np.maximum(1.0, np.minimum(a * per_rep_o[at], busy_cap_o[at]) * cpu_per_req_o[at])
        c = base_cap_o[at] / thr
        a_dt = a * dt
        work = a_dt + syncq_o[at]
        did = np.minimum(work, c * dt)
        left = work - did
        lost = np.maximum(left - c * max_wait_o[at], 0.0)
        syncq_o[at] = left - lost
        dropped_o[at] = lost
        a_dt = a_all * dt  # served share of every arrival, the refused included
        sf = np.where(a_all > TINY, did / np.maximum(a_dt, TINY), 0.0) * admit_o[at]
        served_o[:, at] = arrived * sf
        if lv.queues.size:
            drain_queues(sim, lv, lam, served_o, consumer_cap, drain, dt)
        if lv.edges.size:
            s = lv.span
            x = np.multiply(served_o.ravel()[lv.callers], mult_o[:, s], order="F")
            if pooled_o[s].any():
                total = x.sum(0)
                ceil = ceiling_o[s]
                pf = np.where(total > ceil, 1.0 - ceil / np.maximum(total, TINY), 0.0)
                pool_fail_o[s] = pf
                x = x * (1.0 - pf)
            edge_x_o[:, s] = x
            lam += bin_sums(lv.callees.ravel(), x.ravel(), k * n).reshape(k, n)
    st.syncq[order] = syncq_o
    arriving, dropped = arriving_o[rank], dropped_o[rank]
    admitted = arriving if quota_o is None else admitted_o[rank]
    served = np.take(served_o, rank, axis=1)
    pool_fail = pool_fail_o[w.edge_rank]
    demand = np.minimum(admitted * per_rep, busy_cap) * cpu_per_req
    throttle = np.maximum(1.0, demand)
    cap = base_cap / throttle
    has = admitted > TINY
    drop = np.where(has, np.minimum(dropped / np.maximum(admitted * dt, TINY), 1.0), 0.0)
    drop = np.where((reps <= 0) & has, 1.0, drop)
    sim.offered = np.take(lam, rank, axis=1)
    sim.served = served
    sim.cap = cap
    sim.throttle = throttle
    sim.drain = drain
    sim.cpu = np.minimum(demand, 1.0)
    sim.edge_rate = np.take(edge_x_o, w.edge_rank, axis=1)
    sim.arriving = arriving
    refused = refused_o[rank]
    sim.refusals.note(sim.tick, refused if quota_o is not None else None)
    drop = ph.combine(drop, refused)  # dropped from the admitted, refused from every arrival
    outcomes(sim, m, served, cap, throttle, drop, pool_fail, miss)


def drain_queues(
    sim: Simulator, lv: Level, lam: F64, served: F64, consumer_cap: F64, drain: F64, dt: float
) -> None:
    """Queues keep what producers publish and hand consumers what they can take.

    ``lam`` and ``served`` are in level order; the rest in component order."""
    w, st = sim.world, sim.state
    ranks = w.node_rank[lv.queues]
    inflow = served[:, ranks].sum(0)
    for j, (i, r, consumers) in enumerate(zip(lv.queues, ranks, lv.consumers, strict=True)):
        pull = consumer_cap[consumers].sum() if consumers.size else np.inf
        available = st.backlog[i] / dt + inflow[j]
        rate = min(available, pull)
        st.backlog[i] = max(st.backlog[i] + (inflow[j] - rate) * dt, 0.0)
        drain[i] = rate
        mix = lam[:, r] / lam[:, r].sum() if lam[:, r].sum() > TINY else w.class_share
        served[:, r] = mix * rate


def outcomes(
    sim: Simulator,
    m: Modifiers,
    served: F64,
    cap: F64,
    throttle: F64,
    drop: F64,
    pool_fail: F64,
    miss: F64,
) -> None:
    """Outcomes flow up, deepest level first: each call's timeouts, retries and failures
    give its caller's errors and latency (in level order, like :func:`flow`)."""
    w, st = sim.world, sim.state
    k, n = w.k, w.n
    order = w.node_order
    rep = w.replica_of >= 0
    if rep.any():
        lag = st.repl_backlog / np.where(np.isfinite(w.apply_rate), w.apply_rate, np.inf)
        stale = np.where(rep, lag / (lag + STALE_HALF), 0.0)
        if stale.any():
            m.wrong[:] = ph.combine(m.wrong, stale[None, :])
    track_quality = bool(m.wrong.any() or m.lost.any())
    rho, own_err, own_lat, own_floor = own_outcomes(sim, m, served, cap, throttle, drop)
    own_err_o = np.take(own_err, order, axis=1)
    own_lat_o, own_floor_o = own_lat[order], own_floor[order]
    given_o = np.take(m.wrong, order, axis=1), np.take(m.lost, order, axis=1)
    err_o, lat_o, floor_o = np.zeros((k, n)), np.zeros((k, n)), np.zeros((k, n))
    wrong_o, lost_o = np.zeros((k, n)), np.zeros((k, n))
    e = call_terms(sim, m, pool_fail, miss)
    p_now_o, fin_o, tcall_o = np.zeros((k, w.e)), np.zeros((k, w.e)), np.zeros((k, w.e))
    for lv in reversed(w.plan):
        at, size = lv.at, k * len(lv.nodes)
        if not lv.edges.size:  # nothing to gather from dependencies
            gathered = np.zeros(3 * size)  # latency, floor, log(success) per class and caller
            quality = np.zeros(2 * size)  # log(right), log(kept)
        else:
            s, callees = lv.span, lv.callees
            extra, to = e.extra[s], e.timeout[s]
            mean = lat_o.ravel()[callees] + extra
            fl = floor_o.ravel()[callees] + extra
            pto, per_try = ph.timeout_outcome(to, mean, fl)
            p = 1.0 - (1.0 - err_o.ravel()[callees]) * (1.0 - pto) * e.keep[s]
            if e.denied:
                p = np.where(e.deny_slow[s] | e.deny_fast[s], 1.0, p)
            p_now_o[:, s] = p
            p_eff = np.where(e.quiet[s], e.forced[s], p) if e.quiet_any else p
            att, fin = ph.retry_outcome(p_eff, e.retries[s])
            if e.denied:
                per_try = np.where(e.deny_slow[s], to, np.where(e.deny_fast[s], fl, per_try))
            tcall = att * per_try + (att - 1.0) * e.backoff[s]
            if e.quiet_any:
                tcall = np.where(e.quiet[s], 0.0, tcall)
            fin_o[:, s] = fin
            tcall_o[:, s] = tcall
            ce = e.calls[:, s]
            terms = np.empty((3, k, len(lv.edges)))
            # mean latency is linear in the calls made, whole or not
            np.multiply(ce, tcall, out=terms[0])
            np.multiply(ce, fl, out=terms[1])
            if e.fractional:  # log P(no call fails): floor(c) calls, one more frac(c) of the time
                terms[2] = log_none(e.required_whole[:, s], e.required_part[:, s], fin)
            else:
                np.multiply(e.required[:, s], np.log(np.maximum(1.0 - fin, TINY)), out=terms[2])
            gathered = bin_sums(lv.up.ravel(), terms.ravel(), 3 * size)
            if track_quality:
                wrong_in = wrong_o.ravel()[callees]
                lost_in = lost_o.ravel()[callees]
                if e.fractional:
                    whole, part = e.calls_whole[:, s], e.calls_part[:, s]
                    terms[0] = log_none(whole, part, wrong_in)
                    terms[1] = log_none(whole, part, lost_in)
                else:
                    terms[0] = ce * np.log(np.maximum(1.0 - wrong_in, TINY))
                    terms[1] = ce * np.log(np.maximum(1.0 - lost_in, TINY))
                quality = bin_sums(lv.up[:2].ravel(), terms[:2].ravel(), 2 * size)
        g = gathered.reshape(3, k, -1)
        err_o[:, at] = ph.combine(own_err_o[:, at], 1.0 - np.exp(g[2]))
        lat_o[:, at] = own_lat_o[at] + g[0]
        floor_o[:, at] = own_floor_o[at] + g[1]
        if track_quality:
            q = quality.reshape(2, k, -1)
            wrong_o[:, at] = ph.combine(given_o[0][:, at], 1.0 - np.exp(q[0]))
            lost_o[:, at] = ph.combine(given_o[1][:, at], 1.0 - np.exp(q[1]))
    rank, erank = w.node_rank, w.edge_rank
    err, lat, floor = (np.take(a, rank, axis=1) for a in (err_o, lat_o, floor_o))
    wrong, lost = (np.take(a, rank, axis=1) for a in (wrong_o, lost_o))
    p_now, fin_all, tcall_all = (np.take(a, erank, axis=1) for a in (p_now_o, fin_o, tcall_o))
    weights = np.maximum(sim.edge_rate, TINY)
    wsum = weights.sum(0)
    p_true = (p_now * weights).sum(0) / wsum
    t_all = (tcall_all * weights).sum(0) / wsum
    # Callers react to what they saw over the last tick, not to one instant: smoothing
    # the feedback by half each tick keeps the 10-second lag from ringing.
    seen = SMOOTHING * st.prev_p + (1.0 - SMOOTHING) * p_now
    st.prev_p = np.where(e.is_open[None, :], st.prev_p, seen)
    st.call_time = np.maximum(SMOOTHING * st.call_time + (1.0 - SMOOTHING) * t_all, 1e-4)
    sim.err, sim.lat, sim.floor, sim.wrong, sim.lost = err, lat, floor, wrong, lost
    sim.p_true, sim.fin, sim.pool_fail, sim.rho = p_true, fin_all, pool_fail, rho
    breakers(sim, p_true)


def own_outcomes(
    sim: Simulator, m: Modifiers, served: F64, cap: F64, throttle: F64, drop: F64
) -> tuple[F64, F64, F64, F64]:
    """What each component does by itself: utilisation, errors ``(K, N)``, latency, floor."""
    w, st = sim.world, sim.state
    reps = np.maximum(st.ready, 0.0)
    rho = np.where(cap > TINY, served.sum(0) / np.maximum(cap, TINY), 1.0)
    svc = w.service_time * m.svc_factor * throttle
    own_lat = ph.queueing_delay(svc, rho, reps) + m.lat_add
    own_lat = own_lat + np.where(cap > TINY, st.syncq / np.maximum(cap, TINY), 0.0)
    if w.load is not None and w.load.worker_idx.size:
        own_lat = worker_latency(sim, m, served, cap, throttle, own_lat)
    sim.own_lat = own_lat
    own_floor = svc + m.lat_add
    refused = np.where(
        st.conn_demand > w.max_connections,
        1.0 - w.max_connections / np.maximum(st.conn_demand, TINY),
        0.0,
    )
    disk_full = np.where(st.disk >= st.disk_gb, w.write_fraction, 0.0)
    expired = np.where(sim.now >= st.cert_expiry, 1.0, 0.0)
    skewed = np.where(np.abs(m.skew) > TOKEN_LEEWAY, m.skew_share, 0.0)
    fd_full = np.where(st.fds >= FD_LIMIT, 1.0, 0.0)
    own = ph.combine(np.maximum(drop, refused), disk_full)
    own = ph.combine(ph.combine(own, expired), ph.combine(skewed, fd_full))
    own_err = ph.combine(m.err, own[None, :])
    own_err = ph.combine(own_err, m.shed[None, :])
    if sim._blocked is not None:
        own_err = ph.combine(own_err, sim._blocked)
    return rho, own_err, own_lat, own_floor


@dataclass
class CallTerms:
    """This tick's per-edge terms of the outcome pass, in edge level order."""

    extra: F64  # network latency added to the callee's
    timeout: F64
    keep: F64  # share of attempts the network and the pool let through
    retries: F64
    backoff: F64
    calls: F64  # (K, E) synchronous calls per request
    required: F64  # (K, E) the same, where the caller fails with the call
    is_open: NDArray[np.bool_]  # in component order: breaker open or held open
    quiet: NDArray[np.bool_]  # no call is made: the breaker is open or a fallback answers
    forced: F64  # failure seen where quiet: 1 with the breaker open, else 0
    quiet_any: bool
    deny_slow: NDArray[np.bool_]
    deny_fast: NDArray[np.bool_]
    denied: bool  # whether any call is refused outright
    fractional: bool  # whether any edge makes a fractional number of calls per request
    calls_whole: F64  # (K, E) floor(calls) and the rest, when fractional
    calls_part: F64
    required_whole: F64
    required_part: F64


def call_terms(sim: Simulator, m: Modifiers, pool_fail: F64, miss: F64) -> CallTerms:
    """Gather the per-edge terms once per tick, so that each level only slices them."""
    w, st = sim.world, sim.state
    if w.regions:
        ra, rb = st.region[w.src], st.region[w.dst]
        placed = (ra >= 0) & (rb >= 0)
        ra0, rb0 = np.maximum(ra, 0), np.maximum(rb, 0)
        net = np.where(placed & (ra != rb), w.region_latency[ra0, rb0], w.net_latency)
        net = np.where(placed, net, w.net_latency)
        net_fail = np.where(placed, m.net_fail[ra0, rb0], 0.0)
        extra = net + m.edge_lat + np.where(placed, m.net_lat[ra0, rb0], 0.0)
    else:
        net_fail = np.zeros(w.e)
        extra = w.net_latency + m.edge_lat
    is_open = (st.breaker == 1) | (m.edge_open > 0)
    retries = np.where(is_open, 0.0, m.edge_retries)
    keep = (1.0 - m.edge_fail) * (1.0 - pool_fail) * (1.0 - net_fail)
    off = m.edge_off > 0
    ce_all = sim.calls * miss[w.src] * ~w.is_async * ~off
    req_all = ce_all * w.required
    eo = w.edge_order
    quiet = (is_open | off)[eo]
    deny_slow, deny_fast = st.deny_slow[eo], st.deny_fast[eo]
    calls, required = np.take(ce_all, eo, axis=1), np.take(req_all, eo, axis=1)
    calls_whole, required_whole = np.floor(calls), np.floor(required)
    calls_part, required_part = calls - calls_whole, required - required_whole
    return CallTerms(
        extra=extra[eo],
        timeout=st.timeout[eo],
        keep=keep[eo],
        retries=retries[eo],
        backoff=w.backoff[eo],
        calls=calls,
        required=required,
        is_open=is_open,
        quiet=quiet,
        forced=np.where(is_open, 1.0, 0.0)[eo],
        quiet_any=bool(quiet.any()),
        deny_slow=deny_slow,
        deny_fast=deny_fast,
        denied=bool(deny_slow.any() or deny_fast.any()),
        fractional=bool(calls_part.any()),
        calls_whole=calls_whole,
        calls_part=calls_part,
        required_whole=required_whole,
        required_part=required_part,
    )


def log_none(whole: F64, part: F64, p: F64) -> F64:
    """``log`` of the chance that none of a request's calls to a dependency meets an event of
    probability ``p`` per call, when it makes ``whole`` calls and one more with probability
    ``part``: ``whole log(1 - p) + log(1 - part p)`` (a dependency called on 2 % of requests
    fails at most 2 % of them). Exactly ``calls x log(1 - p)`` for whole numbers of calls."""
    out: F64 = whole * np.log(np.maximum(1.0 - p, TINY)) + np.log(np.maximum(1.0 - part * p, TINY))
    return out


def bin_sums(positions: I64, values: F64, size: int) -> F64:
    """``values`` summed by position, each sum in input order (``np.bincount``)."""
    return cast(F64, np.bincount(positions, values, minlength=size))
