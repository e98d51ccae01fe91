"""The tick's load and outcome passes written plainly, to check the engine's fast ones against.

The engine (``chaosgame.engine.tick``) permutes its arrays into level order, gathers each
level's outcomes in a small block and skips ``pow`` and ``exp`` where their result is exactly
zero. This module does the same arithmetic the straightforward way: every array in component
order, fancy indexing per level, full-size scatters, ``np.power`` and ``np.exp`` everywhere.
``test_tick_equivalence.py`` runs both and requires the same bits.

When the physics changes, change it here too (the test says where the two part).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from chaosgame.engine import clients, load, tick
from chaosgame.engine import physics as ph
from chaosgame.engine.control import breakers
from chaosgame.engine.physics import TINY

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator
    from chaosgame.engine.state import Modifiers

F = Any  # float64 arrays


def attempts(p_fail: F, retries: F) -> F:
    p = np.clip(p_fail, 0.0, 1.0)
    r = retries + 1.0
    near_one = p > 1.0 - 1e-9
    safe = np.where(near_one, 0.5, p)
    return np.where(near_one, r, (1.0 - np.power(safe, r)) / (1.0 - safe))


def none_of(calls: F, p: F) -> F:
    """log P(none of ``calls`` calls meets an event of probability ``p``): ``floor(calls)``
    calls for sure and one more with probability ``calls - floor(calls)``."""
    whole = np.floor(calls)
    part = calls - whole
    return whole * np.log(np.maximum(1.0 - p, TINY)) + np.log(np.maximum(1.0 - part * p, TINY))


def flow(sim: Simulator, m: Modifiers, now: float, dt: float) -> None:
    w, st = sim.world, sim.state
    k, n = w.k, w.n
    lam = np.zeros((k, n))
    rates = sim.rates = sim.journey_rates(now)
    if w.clients is None:
        lam[np.arange(k), w.journey_front[w.class_journey]] += (
            rates[w.class_journey] * w.class_share
        )
    else:
        front, stale = clients.arrivals(sim, m, rates)
        lam[np.arange(k), w.journey_front[w.class_journey]] += front
        lam[np.arange(k), w.clients.old] += stale
    reps = np.maximum(st.ready, 0.0) * (1.0 - m.unready)
    per_rep = 1.0 / np.maximum(reps, TINY)
    miss = np.where(w.is_cache, 1.0 - st.hit, 1.0)
    held_open = (st.breaker == 1) | (m.edge_open > 0)
    passing = np.where(held_open, 0.0, np.where(st.breaker == 2, 0.1, 1.0))
    mult = sim.calls * miss[w.src] * attempts(st.prev_p, m.edge_retries) * passing
    mult = mult * (1.0 - m.edge_off)
    blocked = ph.combine(m.block, st.waf) if (m.block.any() or st.waf.any()) else None
    sim._blocked = blocked
    let_in = 1.0 - blocked if blocked is not None else np.ones((k, n))
    edge_x = np.zeros((k, w.e))
    pool_fail = np.zeros(w.e)
    served = np.zeros((k, n))
    arriving = np.zeros(n)
    admit = 1.0 - m.shed
    consumer_cap = w.capacity * m.cap_factor / m.svc_factor * reps
    cpu_per_req = w.cpu_limit * tick.CPU_AT_CAPACITY / w.capacity * m.cpu_factor / st.cpu_limit
    busy_cap = consumer_cap * per_rep
    base_cap = reps * w.capacity * m.cap_factor / m.svc_factor
    max_wait = sim._max_wait_for(st.timeout)
    drain = np.zeros(n)
    dropped = np.zeros(n)
    refused = np.zeros(n)
    admitted = np.zeros(n)
    for lv in w.plan:
        idx = lv.nodes
        a = (lam[:, idx] * let_in[:, idx]).sum(0) * admit[idx]
        arriving[idx] = a
        q = m.quota[idx]
        refused[idx] = np.where(a > q, 1.0 - q / np.maximum(a, TINY), 0.0)
        a_in = admitted[idx] = a * (1.0 - refused[idx])
        thr = np.maximum(1.0, np.minimum(a_in * per_rep[idx], busy_cap[idx]) * cpu_per_req[idx])
        c = base_cap[idx] / thr
        work = a_in * dt + st.syncq[idx]
        did = np.minimum(work, c * dt)
        left = work - did
        lost = np.maximum(left - c * max_wait[idx], 0.0)
        st.syncq[idx] = left - lost
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
                    pool > 0, ph.pool_ceiling(usable, reps[lv.src], st.call_time[e]), np.inf
                )
                total = x.sum(0)
                pf = np.where(total > ceiling, 1.0 - ceiling / np.maximum(total, TINY), 0.0)
                pool_fail[e] = pf
                x = x * (1.0 - pf)
            edge_x[:, e] = x
            down = (np.arange(k)[:, None] * n + lv.dst[None, :]).ravel()
            lam += np.bincount(down, x.ravel(), minlength=k * n).reshape(k, n)
    demand = np.minimum(admitted * per_rep, busy_cap) * cpu_per_req
    throttle = np.maximum(1.0, demand)
    cap = base_cap / throttle
    has = admitted > TINY
    drop = np.where(has, np.minimum(dropped / np.maximum(admitted * dt, TINY), 1.0), 0.0)
    drop = np.where((reps <= 0) & has, 1.0, drop)
    sim.offered, sim.served, sim.cap, sim.throttle, sim.drain = lam, served, cap, throttle, drain
    sim.cpu = np.minimum(demand, 1.0)
    sim.edge_rate = edge_x
    sim.arriving = arriving
    outcomes(sim, m, served, cap, throttle, ph.combine(drop, refused), pool_fail, miss)


def drain_queues(
    sim: Simulator, q: Any, lam: F, served: F, consumer_cap: F, drain: F, dt: float
) -> None:
    w, st = sim.world, sim.state
    inflow = served[:, q].sum(0)
    for j, i in enumerate(q):
        consumers = w.dst[np.flatnonzero((w.src == i) & w.is_async)]
        pull = consumer_cap[consumers].sum() if consumers.size else np.inf
        rate = min(st.backlog[i] / dt + inflow[j], pull)
        st.backlog[i] = max(st.backlog[i] + (inflow[j] - rate) * dt, 0.0)
        drain[i] = rate
        mix = lam[:, i] / lam[:, i].sum() if lam[:, i].sum() > TINY else w.class_share
        served[:, i] = mix * rate


def own_outcomes(
    sim: Simulator, m: Modifiers, served: F, cap: F, throttle: F, drop: F
) -> tuple[F, F, F, F]:
    w, st = sim.world, sim.state
    rho = np.where(cap > TINY, served.sum(0) / np.maximum(cap, TINY), 1.0)
    svc = w.service_time * m.svc_factor * throttle
    c = np.maximum(np.maximum(st.ready, 0.0), 1.0)
    r = np.clip(rho, 0.0, ph.RHO_CAP)
    wait = svc * np.power(r, np.sqrt(2.0 * (c + 1.0)) - 1.0) / (c * (1.0 - r))
    own_lat = svc + wait + m.lat_add
    own_lat = own_lat + np.where(cap > TINY, st.syncq / np.maximum(cap, TINY), 0.0)
    if w.load is not None and w.load.worker_idx.size:
        own_lat = load.worker_latency(sim, m, served, cap, throttle, own_lat)
    sim.own_lat = own_lat
    refused = np.where(
        st.conn_demand > w.max_connections,
        1.0 - w.max_connections / np.maximum(st.conn_demand, TINY),
        0.0,
    )
    disk_full = np.where(st.disk >= st.disk_gb, w.write_fraction, 0.0)
    expired = np.where(sim.now >= st.cert_expiry, 1.0, 0.0)
    skewed = np.where(np.abs(m.skew) > tick.TOKEN_LEEWAY, m.skew_share, 0.0)
    fd_full = np.where(st.fds >= tick.FD_LIMIT, 1.0, 0.0)
    own = ph.combine(np.maximum(drop, refused), disk_full)
    own = ph.combine(ph.combine(own, expired), ph.combine(skewed, fd_full))
    own_err = ph.combine(ph.combine(m.err, own[None, :]), m.shed[None, :])
    if sim._blocked is not None:
        own_err = ph.combine(own_err, sim._blocked)
    return rho, own_err, own_lat, svc + m.lat_add


def outcomes(
    sim: Simulator, m: Modifiers, served: F, cap: F, throttle: F, drop: F, pool_fail: F, miss: F
) -> None:
    w, st = sim.world, sim.state
    k, n = w.k, w.n
    err, lat, floor, wrong, lost = (np.zeros((k, n)) for _ in range(5))
    gathered = np.zeros((3, k, n))
    quality = np.zeros((2, k, n))
    rep = w.replica_of >= 0
    if rep.any():
        lag = st.repl_backlog / np.where(np.isfinite(w.apply_rate), w.apply_rate, np.inf)
        stale = np.where(rep, lag / (lag + tick.STALE_HALF), 0.0)
        if stale.any():
            m.wrong[:] = ph.combine(m.wrong, stale[None, :])
    track_quality = bool(m.wrong.any() or m.lost.any())
    p_now, fin_all, tcall_all = np.zeros((k, w.e)), np.zeros((k, w.e)), np.zeros((k, w.e))
    rho, own_err, own_lat, own_floor = own_outcomes(sim, m, served, cap, throttle, drop)
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
    ce_all = sim.calls * miss[w.src] * ~w.is_async * ~off
    req_all = ce_all * w.required
    rows = np.arange(k)[:, None] * n
    for lv in reversed(w.plan):
        idx, e = lv.nodes, lv.edges
        if e.size:
            d = lv.dst
            up = np.concatenate([(rows + lv.src[None, :] + s * k * n).ravel() for s in range(3)])
            mean = lat[:, d] + extra[e]
            fl = floor[:, d] + extra[e]
            to = st.timeout[e]
            pto = ph.timeout_probability(to, mean, fl)
            p = 1.0 - (1.0 - err[:, d]) * (1.0 - pto) * keep[e]
            p = np.where(denied[e], 1.0, p)
            p_now[:, e] = p
            op = is_open[e]
            p_eff = np.minimum(np.where(op, 1.0, np.where(off[e], 0.0, p)), 1.0 - 1e-9)
            fin = np.power(p_eff, retries[e] + 1.0)
            att = (1.0 - fin) / (1.0 - p_eff)
            per_try = ph.truncated_mean(to, mean, fl)
            per_try = np.where(st.deny_slow[e], to, np.where(st.deny_fast[e], fl, per_try))
            tcall = np.where(op | off[e], 0.0, att * per_try + (att - 1.0) * w.backoff[e])
            fin_all[:, e] = fin
            tcall_all[:, e] = tcall
            ce = ce_all[:, e]
            req = req_all[:, e]
            stacked = np.stack([ce * tcall, ce * fl, none_of(req, fin)])
            gathered += np.bincount(up, stacked.ravel(), minlength=3 * k * n).reshape(3, k, n)
            if track_quality:
                q = np.stack([none_of(ce, wrong[:, d]), none_of(ce, lost[:, d])])
                up2 = up[: 2 * k * len(e)]
                quality += np.bincount(up2, q.ravel(), minlength=2 * k * n).reshape(2, k, n)
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
    seen = tick.SMOOTHING * st.prev_p + (1.0 - tick.SMOOTHING) * p_now
    st.prev_p = np.where(is_open[None, :], st.prev_p, seen)
    st.call_time = np.maximum(tick.SMOOTHING * st.call_time + (1.0 - tick.SMOOTHING) * t_all, 1e-4)
    sim.err, sim.lat, sim.floor, sim.wrong, sim.lost = err, lat, floor, wrong, lost
    sim.p_true, sim.fin, sim.pool_fail, sim.rho = p_true, fin_all, pool_fail, rho
    breakers(sim, p_true)
