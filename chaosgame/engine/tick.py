"""The tick's passes over the graph: load flows down, outcomes flow up, then resources.

These are the steps 3-5 of :meth:`chaosgame.engine.sim.Simulator.step` (see that module's
docstring); each takes the simulator and the tick's modifiers. They name no fault: faults
and mitigations only write the modifiers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from chaosgame.engine import physics as ph
from chaosgame.engine.state import Modifiers
from chaosgame.engine.world import F64

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator

CPU_AT_CAPACITY = 0.6
"""Share of its CPU limit a replica uses when serving exactly its capacity."""
CLIENT_TIMEOUT = 30.0
"""How long a user's client waits at the front door."""
TINY = 1e-12
TOKEN_LEEWAY = 300.0
"""Seconds of clock difference a token check tolerates; beyond it, requests are rejected."""
FD_LIMIT = 65536.0
"""File descriptors a process may hold; past it, new connections fail."""
STALE_HALF = 60.0
"""Lag (s) at which half of the reads from a replica miss a recent write."""
SMOOTHING = 0.5
"""Weight of last tick's value in the failure rates and call times callers react to."""


def flow(sim: Simulator, m: Modifiers, now: float, dt: float) -> None:
    w, st = sim.world, sim.state
    k, n = w.k, w.n
    lam = np.zeros((k, n))
    rates = sim.rates = sim.journey_rates(now)
    lam[np.arange(k), w.journey_front[w.class_journey]] += rates[w.class_journey] * w.class_share
    reps = np.maximum(st.ready, 0.0) * (1.0 - m.unready)
    per_rep = 1.0 / np.maximum(reps, TINY)
    miss = np.where(w.is_cache, 1.0 - st.hit, 1.0)
    attempts = ph.attempts_per_request(st.prev_p, m.edge_retries)
    held_open = (st.breaker == 1) | (m.edge_open > 0)
    passing = np.where(held_open, 0.0, np.where(st.breaker == 2, 0.1, 1.0))
    mult = w.calls * miss[w.src] * attempts * passing * (1.0 - m.edge_off)
    blocked = ph.combine(m.block, st.waf) if (m.block.any() or st.waf.any()) else None
    sim._blocked = blocked
    let_in = 1.0 - blocked if blocked is not None else np.ones((k, n))
    edge_x = np.zeros((k, w.e))
    pool_fail = np.zeros(w.e)
    served = np.zeros((k, n))
    arriving = np.zeros(n)
    admit = 1.0 - m.shed
    consumer_cap = w.capacity * m.cap_factor / m.svc_factor * reps
    # a replica works on at most its capacity; CPU it cannot get stretches its service
    cpu_per_req = w.cpu_limit * CPU_AT_CAPACITY / w.capacity * m.cpu_factor / st.cpu_limit
    busy_cap = consumer_cap * per_rep
    base_cap = reps * w.capacity * m.cap_factor / m.svc_factor
    max_wait = sim._max_wait_for(st.timeout)
    drain = np.zeros(n)
    done = np.zeros(n)
    dropped = np.zeros(n)
    for lv in w.plan:
        idx = lv.nodes
        a = (lam[:, idx] * let_in[:, idx]).sum(0) * admit[idx]
        arriving[idx] = a
        thr = np.maximum(1.0, np.minimum(a * per_rep[idx], busy_cap[idx]) * cpu_per_req[idx])
        c = base_cap[idx] / thr
        work = a * dt + st.syncq[idx]
        did = np.minimum(work, c * dt)
        left = work - did
        lost = np.maximum(left - c * max_wait[idx], 0.0)
        st.syncq[idx] = left - lost
        done[idx] = did
        dropped[idx] = lost
        sf = np.where(a > TINY, did / np.maximum(a * dt, TINY), 0.0) * admit[idx]
        served[:, idx] = lam[:, idx] * let_in[:, idx] * sf
        if lv.queues.size:
            drain_queues(sim, lv.queues, lam, served, consumer_cap, drain, dt)
        e = lv.edges
        if e.size:
            x = served[:, lv.src] * mult[:, e]
            pool = st.pool[e]
            if (pool > 0).any():
                usable = pool * m.pool_factor[e]
                ceiling = np.where(
                    pool > 0,
                    ph.pool_ceiling(usable, reps[lv.src], st.call_time[e]),
                    np.inf,
                )
                total = x.sum(0)
                pf = np.where(total > ceiling, 1.0 - ceiling / np.maximum(total, TINY), 0.0)
                pool_fail[e] = pf
                x = x * (1.0 - pf)
            edge_x[:, e] = x
            lam += np.bincount(lv.down, x.ravel(), minlength=k * n).reshape(k, n)
    demand = np.minimum(arriving * per_rep, busy_cap) * cpu_per_req
    throttle = np.maximum(1.0, demand)
    cap = base_cap / throttle
    has = arriving > TINY
    drop = np.where(has, np.minimum(dropped / np.maximum(arriving * dt, TINY), 1.0), 0.0)
    drop = np.where((reps <= 0) & has, 1.0, drop)
    sim.offered = lam
    sim.served = served
    sim.cap = cap
    sim.throttle = throttle
    sim.drain = drain
    sim.cpu = np.minimum(demand, 1.0)
    sim.edge_rate = edge_x
    sim.arriving = arriving
    quota = np.where(arriving > m.quota, 1.0 - m.quota / np.maximum(arriving, TINY), 0.0)
    drop = ph.combine(drop, quota)
    outcomes(sim, m, served, cap, throttle, drop, pool_fail, miss)


def drain_queues(
    sim: Simulator, q: Any, lam: F64, served: F64, consumer_cap: F64, drain: F64, dt: float
) -> None:
    """Queues keep what producers publish and hand consumers what they can take."""
    w, st = sim.world, sim.state
    inflow = served[:, q].sum(0)
    out_edges = [np.flatnonzero((w.src == i) & w.is_async) for i in q]
    for j, i in enumerate(q):
        consumers = w.dst[out_edges[j]]
        pull = consumer_cap[consumers].sum() if consumers.size else np.inf
        available = st.backlog[i] / dt + inflow[j]
        rate = min(available, pull)
        st.backlog[i] = max(st.backlog[i] + (inflow[j] - rate) * dt, 0.0)
        drain[i] = rate
        mix = lam[:, i] / lam[:, i].sum() if lam[:, i].sum() > TINY else w.class_share
        served[:, i] = mix * rate


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
    w, st = sim.world, sim.state
    k, n = w.k, w.n
    err = np.zeros((k, n))
    lat = np.zeros((k, n))
    floor = np.zeros((k, n))
    wrong = np.zeros((k, n))
    lost = np.zeros((k, n))
    gathered = np.zeros((3, k, n))  # latency, floor, log(success) from dependencies
    quality = np.zeros((2, k, n))  # log(right), log(kept) from dependencies
    rep = w.replica_of >= 0
    if rep.any():
        lag = st.repl_backlog / np.where(np.isfinite(w.apply_rate), w.apply_rate, np.inf)
        stale = np.where(rep, lag / (lag + STALE_HALF), 0.0)
        if stale.any():
            m.wrong[:] = ph.combine(m.wrong, stale[None, :])
    track_quality = bool(m.wrong.any() or m.lost.any())
    p_now = np.zeros((k, w.e))
    fin_all = np.zeros((k, w.e))
    tcall_all = np.zeros((k, w.e))
    reps = np.maximum(st.ready, 0.0)
    rho = np.where(cap > TINY, served.sum(0) / np.maximum(cap, TINY), 1.0)
    svc = w.service_time * m.svc_factor * throttle
    own_lat = ph.queueing_delay(svc, rho, reps) + m.lat_add
    own_lat = own_lat + np.where(cap > TINY, st.syncq / np.maximum(cap, TINY), 0.0)
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
    denied = st.deny_slow | st.deny_fast
    off = m.edge_off > 0
    ce_all = w.calls * miss[w.src] * ~w.is_async * ~off
    req_all = ce_all * w.required
    for lv in reversed(w.plan):
        idx, e = lv.nodes, lv.edges
        if e.size:
            d = lv.dst
            mean = lat[:, d] + extra[e]
            fl = floor[:, d] + extra[e]
            to = st.timeout[e]
            pto, per_try = ph.timeout_outcome(to, mean, fl)
            p = 1.0 - (1.0 - err[:, d]) * (1.0 - pto) * keep[e]
            p = np.where(denied[e], 1.0, p)
            p_now[:, e] = p
            op = is_open[e]
            p_eff = np.where(op, 1.0, np.where(off[e], 0.0, p))
            att, fin = ph.retry_outcome(p_eff, retries[e])
            per_try = np.where(st.deny_slow[e], to, np.where(st.deny_fast[e], fl, per_try))
            tcall = np.where(op | off[e], 0.0, att * per_try + (att - 1.0) * w.backoff[e])
            fin_all[:, e] = fin
            tcall_all[:, e] = tcall
            ce = ce_all[:, e]
            stacked = np.stack(
                [ce * tcall, ce * fl, req_all[:, e] * np.log(np.maximum(1.0 - fin, TINY))]
            )
            gathered += np.bincount(lv.up, stacked.ravel(), minlength=3 * k * n).reshape(3, k, n)
            if track_quality:
                q = np.stack(
                    [
                        ce * np.log(np.maximum(1.0 - wrong[:, d], TINY)),
                        ce * np.log(np.maximum(1.0 - lost[:, d], TINY)),
                    ]
                )
                quality += np.bincount(lv.up2, q.ravel(), minlength=2 * k * n).reshape(2, k, n)
        err[:, idx] = ph.combine(own_err[:, idx], 1.0 - np.exp(gathered[2][:, idx]))
        lat[:, idx] = own_lat[idx] + gathered[0][:, idx]
        floor[:, idx] = own_floor[idx] + gathered[1][:, idx]
        if track_quality:
            wrong[:, idx] = ph.combine(m.wrong[:, idx], 1.0 - np.exp(quality[0][:, idx]))
            lost[:, idx] = ph.combine(m.lost[:, idx], 1.0 - np.exp(quality[1][:, idx]))
    weights = np.maximum(sim.edge_rate, TINY)
    wsum = weights.sum(0)
    p_true = (p_now * weights).sum(0) / wsum
    t_all = (tcall_all * weights).sum(0) / wsum
    # Callers react to what they saw over the last tick, not to one instant: smoothing
    # the feedback by half each tick keeps the 10-second lag from ringing.
    seen = SMOOTHING * st.prev_p + (1.0 - SMOOTHING) * p_now
    st.prev_p = np.where(is_open[None, :], st.prev_p, seen)
    st.call_time = np.maximum(SMOOTHING * st.call_time + (1.0 - SMOOTHING) * t_all, 1e-4)
    sim.err, sim.lat, sim.floor, sim.wrong, sim.lost = err, lat, floor, wrong, lost
    sim.p_true, sim.fin, sim.pool_fail, sim.rho = p_true, fin_all, pool_fail, rho
    breakers(sim, p_true)


def breakers(sim: Simulator, p_true: F64) -> None:
    w, st, now, dt = sim.world, sim.state, sim.now, sim.dt
    has = w.has_breaker
    if not has.any():
        return
    alpha = np.minimum(dt / w.breaker_window, 1.0)
    closed = has & (st.breaker == 0)
    st.breaker_ema = np.where(closed, st.breaker_ema + alpha * (p_true - st.breaker_ema), 0)
    trip = closed & (st.breaker_ema > w.breaker_threshold)
    half = has & (st.breaker == 2)
    fail_trial = half & (p_true > w.breaker_threshold)
    ok_trial = half & ~fail_trial
    reopen = trip | fail_trial
    st.breaker_until = np.where(reopen, now + w.breaker_cooldown, st.breaker_until)
    cooled = has & (st.breaker == 1) & (now >= st.breaker_until)
    new = st.breaker.copy()
    new[reopen] = 1
    new[ok_trial] = 0
    new[cooled] = 2
    for ei in np.flatnonzero(trip):
        d = w.deps[ei]
        sim.record("breaker", d.source, f"circuit breaker to {d.to} opened")
    for ei in np.flatnonzero(ok_trial):
        d = w.deps[ei]
        sim.record("breaker", d.source, f"circuit breaker to {d.to} closed")
    st.breaker = new


def resources(sim: Simulator, m: Modifiers, dt: float) -> None:
    from chaosgame.engine.control import autoscale, memory_and_kills, probes_and_crashes

    w, st = sim.world, sim.state
    total = sim.served.sum(0)
    memory_and_kills(sim, m, total, dt)
    # a cache refills only with the misses its backing store actually answered
    backing_fail = np.zeros(w.n)
    if sim._cache_edges.size:
        ce = sim._cache_edges
        np.maximum.at(backing_fail, w.src[ce], sim.p_true[ce])
    reads = total * dt * (st.hit + (1.0 - st.hit) * (1.0 - backing_fail))
    st.hit = np.where(w.is_cache, ph.cache_refill(st.hit, w.hit_target, reads, w.keyspace), 0)
    writes = total * w.write_fraction * m.write_factor
    grow = (writes * w.bytes_per_write / 1e9 + m.disk_add) * dt
    st.disk = np.where(np.isfinite(st.disk_gb), np.minimum(st.disk + grow, st.disk_gb), st.disk)
    st.fds = st.fds + m.fd_leak * total / np.maximum(st.ready, TINY) * dt
    rep = w.replica_of >= 0
    if rep.any():
        prim = w.replica_of[rep]
        ra, rb = st.region[rep], st.region[prim]
        cut = np.where((ra >= 0) & (rb >= 0), m.net_fail[np.maximum(ra, 0), np.maximum(rb, 0)], 0)
        apply = w.apply_rate[rep] * m.apply_factor[rep] * (1.0 - cut)
        st.repl_backlog[rep] = np.maximum(st.repl_backlog[rep] + (writes[prim] - apply) * dt, 0.0)
    # connections held open to each component: in-flight calls of its callers (Little)
    held = sim.edge_rate.sum(0) * st.call_time
    ceiling = np.where(st.pool > 0, st.pool * m.pool_factor * st.ready[w.src], np.inf)
    held = np.minimum(held, ceiling)
    st.conn_demand = np.bincount(w.dst, held, minlength=w.n).astype(np.float64)
    probes_and_crashes(sim, m)
    autoscale(sim, dt)


def write_history(sim: Simulator, m: Modifiers) -> None:
    w, st, h = sim.world, sim.state, sim.history
    row = h.next_row()
    c = h.comp
    offered = sim.offered.sum(0)
    served = sim.served
    tot = np.maximum(served.sum(0), TINY)
    weight = np.where(served.sum(0)[None, :] > TINY, served / tot, w.class_share[:, None])
    c["offered"][row] = offered
    c["served"][row] = served.sum(0)
    c["errors"][row] = (sim.err * weight).sum(0)
    c["latency"][row] = (sim.lat * weight).sum(0)
    c["floor"][row] = (sim.floor * weight).sum(0)
    c["utilisation"][row] = np.minimum(sim.rho, 1.0)
    c["cpu"][row] = sim.cpu
    c["throttle"][row] = sim.throttle
    c["memory"][row] = st.mem + m.mem_add
    c["replicas"][row] = st.ready * (1.0 - m.unready)
    c["desired"][row] = st.desired
    c["connections"][row] = st.conn_demand
    c["backlog"][row] = np.where(w.is_queue, st.backlog, st.syncq)
    c["consumer_lag"][row] = np.where(
        w.is_queue, st.backlog / np.maximum(sim.drain, TINY) * (st.backlog > 0), 0.0
    )
    safe_apply = np.where(np.isfinite(w.apply_rate), w.apply_rate * m.apply_factor, np.inf)
    c["replication_lag"][row] = np.where(
        st.repl_backlog > 0, st.repl_backlog / np.maximum(safe_apply, TINY), 0.0
    )
    c["disk"][row] = st.disk
    c["cache_hit"][row] = st.hit
    c["restarts"][row] = st.restarts
    c["scraped"][row] = m.scraped
    h.cls["errors"][row] = sim.err
    h.cls["latency"][row] = sim.lat
    h.cls["floor"][row] = sim.floor
    h.cls["offered"][row] = sim.offered
    e = h.edge
    e["rate"][row] = sim.edge_rate.sum(0)
    e["fail"][row] = sim.p_true
    rates = np.maximum(sim.edge_rate, TINY)
    e["final_fail"][row] = (sim.fin * rates).sum(0) / rates.sum(0)
    e["call_time"][row] = st.call_time
    e["breaker"][row] = st.breaker
    e["pool_wait"][row] = sim.pool_fail
    front = w.journey_front[w.class_journey]
    ks = np.arange(w.k)
    j = h.journey
    j["rate"][row] = sim.rates[w.class_journey] * w.class_share
    j["errors"][row] = sim.err[ks, front]
    j["latency"][row] = sim.lat[ks, front]
    j["floor"][row] = sim.floor[ks, front]
    j["wrong"][row] = sim.wrong[ks, front]
    j["lost"][row] = sim.lost[ks, front]
