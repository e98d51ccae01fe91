"""The laws of the simulation, as small vectorised functions (see docs/architecture.md).

Every function takes and returns numpy arrays (or floats) so the tick can apply it to all
components or edges at once. Each law has a test in ``tests/engine/test_physics.py``; the
fast forms the tick uses are checked bit for bit against the plain formulas in
``tests/engine/test_fast_paths.py``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

TINY = 1e-12
"""The least a divisor is taken to be, so that an idle quantity divides to zero, not NaN."""
RHO_CAP = 0.95
"""Utilisation at which the steady-state queueing formula is capped. Near and past saturation
the simulator tracks an explicit backlog instead (requests wait in a queue that grows by the
excess each tick), so waiting time builds over ticks as it does in a real queue rather than
jumping to the steady-state value no ten-second tick would reach."""


def queueing_delay(service_time: Array, rho: Array, servers: Array) -> Array:
    """Mean time in system of an M/M/c queue (service plus waiting), Sakasegawa's approximation.

    ``W = S + S * rho ** (sqrt(2 (c + 1)) - 1) / (c (1 - rho))``. For one server this is
    exactly ``S / (1 - rho)``; for several it follows Erlang C within a few percent.
    """
    c = np.maximum(servers, 1.0)
    r = np.clip(rho, 0.0, RHO_CAP)
    wait = service_time * power(r, np.sqrt(2.0 * (c + 1.0)) - 1.0) / (c * (1.0 - r))
    return service_time + wait


def erlang_c(servers: int, offered: float) -> float:
    """Exact probability that an arrival waits in an M/M/c queue (offered load in Erlangs)."""
    if offered >= servers:
        return 1.0
    term = 1.0
    total = 1.0
    for k in range(1, servers):
        term *= offered / k
        total += term
    last = term * offered / servers * servers / (servers - offered)
    return last / (total + last)


def attempts_per_request(p_fail: Array, retries: Array) -> Array:
    """Expected attempts with per-attempt failure ``p`` and up to ``r`` retries.

    ``1 + p + p^2 + ... + p^r``, i.e. ``(1 - p^(r+1)) / (1 - p)``: exactly one where
    nothing fails (the usual case, answered without the arithmetic).
    """
    if not np.asarray(p_fail).any() and np.asarray(retries >= 0).all():
        return np.ones(np.broadcast(p_fail, retries).shape)
    p = np.clip(p_fail, 0.0, 1.0)
    r = retries + 1.0
    near_one = p > 1.0 - 1e-9
    safe = np.where(near_one, 0.5, p)
    geometric = (1.0 - power(safe, r)) / (1.0 - safe)
    return np.where(near_one, r, geometric)


def retry_outcome(p_fail: Array, retries: Array) -> tuple[Array, Array]:
    """Expected attempts and final failure together, sharing one power (the hot path).

    Where no attempt can fail (every share ``+0``), that is one attempt and no failure."""
    if not np.asarray(p_fail).view(np.int64).any() and np.asarray(retries >= 0).all():
        shape = np.broadcast(p_fail, retries).shape
        return np.ones(shape), np.zeros(shape)
    p = np.minimum(p_fail, 1.0 - 1e-9)
    last = power(p, retries + 1.0)
    return (1.0 - last) / (1.0 - p), last


def power(base: Array, exponent: Array) -> Array:
    """``np.power(base, exponent)``, bit for bit, raising only the bases that are not ``+0``.

    Failure shares and utilisations are exactly zero almost everywhere in a healthy fleet, and
    vectorised ``pow`` takes a slow path for a zero base; ``+0 ** y`` is ``+0`` for ``y > 0``.
    """
    skip = (np.asarray(base).view(np.int64) == 0) & (exponent > 0)  # +0.0, not -0.0
    skipped = np.count_nonzero(skip)
    if not skipped:
        return np.power(base, exponent)
    out = np.zeros(skip.shape)
    if skipped < skip.size:
        rest = ~skip
        if np.shape(base) != skip.shape:
            base = np.broadcast_to(base, skip.shape)
        if np.shape(exponent) != skip.shape:
            exponent = np.broadcast_to(exponent, skip.shape)
        out[rest] = np.power(base[rest], exponent[rest])
    return out


def final_failure(p_fail: Array, retries: Array) -> Array:
    """Probability that every attempt fails: ``p^(r+1)``."""
    return np.power(np.clip(p_fail, 0.0, 1.0), retries + 1.0)


def timeout_probability(timeout: Array, mean: Array, floor: Array) -> Array:
    """Share of calls slower than ``timeout``.

    Call latency is modelled as a shifted exponential: never below ``floor`` (the idle path),
    with mean ``mean``. ``P(X > T) = exp(-(T - floor) / (mean - floor))``.
    """
    spread = np.maximum(mean - floor, 1e-9)
    headroom = timeout - floor
    return np.where(headroom <= 0, 1.0, np.exp(-np.maximum(headroom, 0.0) / spread))


def truncated_mean(timeout: Array, mean: Array, floor: Array) -> Array:
    """Expected time a caller waits for one attempt that it abandons at ``timeout``.

    ``E[min(X, T)]`` for the shifted exponential of :func:`timeout_probability`.
    """
    spread = np.maximum(mean - floor, 1e-9)
    headroom = np.maximum(timeout - floor, 0.0)
    waited = floor + spread * (1.0 - np.exp(-headroom / spread))
    return np.minimum(waited, timeout)


UNDERFLOW = -800.0
"""An exponent far below the smallest double's (``exp(-745.2)`` already rounds to zero)."""


def timeout_outcome(timeout: Array, mean: Array, floor: Array) -> tuple[Array, Array]:
    """:func:`timeout_probability` and :func:`truncated_mean` together, bit for bit the same,
    sharing one exponential (the hot path).

    Where every call is far inside its timeout (an idle call's spread is almost nothing), the
    tail is exactly zero: none times out, and a call waits ``floor + spread``."""
    spread = np.maximum(mean - floor, 1e-9)
    headroom = timeout - floor
    x = -np.maximum(headroom, 0.0) / spread
    if (x < UNDERFLOW).all():  # so headroom > 0 everywhere, and exp(x) is +0
        return np.zeros(x.shape), np.minimum(floor + spread, timeout)
    tail = exp_negative(x)
    timed_out = np.where(headroom <= 0, 1.0, tail)
    waited = floor + spread * (1.0 - tail)
    return timed_out, np.minimum(waited, timeout)


def exp_negative(x: Array) -> Array:
    """``np.exp(x)``, bit for bit, computing only the values that do not underflow to ``+0``.

    Idle calls have a latency spread of almost nothing, which puts most exponents of the
    timeout law near ``-1e8``, and vectorised ``exp`` takes a slow path there.
    """
    skip = x < UNDERFLOW  # NaN compares false, so it is computed (and stays NaN)
    skipped = np.count_nonzero(skip)
    if not skipped:
        return np.exp(x)
    out = np.zeros(x.shape)
    if skipped < skip.size:
        rest = ~skip
        out[rest] = np.exp(x[rest])
    return out


def percentile(q: float, mean: Array, floor: Array) -> Array:
    """Latency percentile ``q`` (0-1) of the shifted exponential."""
    out: Array = floor + np.maximum(mean - floor, 0.0) * -np.log1p(-q)
    return out


def pool_ceiling(pool_size: Array, caller_replicas: Array, latency: Array) -> Array:
    """Most calls per second a connection pool can carry: ``P x replicas / W``."""
    return pool_size * caller_replicas / np.maximum(latency, 1e-6)


def combine(a: Array, b: Array) -> Array:
    """Probability that at least one of two independent failures happens."""
    out: Array = 1.0 - (1.0 - a) * (1.0 - b)
    return out


def cache_refill(hit: Array, target: Array, reads: Array, keyspace: Array) -> Array:
    """Hit ratio after ``reads`` more reads: refills towards ``target`` as keys are read again."""
    return target - (target - hit) * np.exp(-reads / np.maximum(keyspace, 1.0))


def autoscale_desired(current: int, metric: float, target: float, low: int, high: int) -> int:
    """``ceil(current x metric / target)``, bounded by min and max."""
    if target <= 0:
        return max(low, min(high, current))
    desired = int(np.ceil(max(current, 1) * metric / target - 1e-9))
    return max(low, min(high, desired))


def burn_rate(bad: float, total: float, target: float) -> float:
    """Observed bad-event ratio divided by the budgeted ratio ``1 - target``."""
    if total <= 0:
        return 0.0
    return (bad / total) / (1.0 - target)
