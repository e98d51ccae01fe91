"""The tick's fast paths give the same numbers, bit for bit, as the plain computations.

The engine skips work that cannot change a result (raising a zero failure share, an
exponential that underflows, allocating fresh arrays every tick). These tests compare each
shortcut with the straightforward computation on values that exercise every branch.
"""

from __future__ import annotations

import numpy as np

from chaosgame.engine import physics as ph


def same(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal shapes and equal bits (so ``-0.0`` differs from ``0.0`` and NaN equals NaN)."""
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.tobytes() == b.tobytes()


def shares(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Failure shares as the tick sees them: mostly exact zeros, some tiny, some near one."""
    p = rng.random(shape)
    p[rng.random(shape) < 0.6] = 0.0
    p[rng.random(shape) < 0.1] = 1e-300
    p[rng.random(shape) < 0.1] = 1.0 - 1e-12
    p[rng.random(shape) < 0.05] = 1.0
    p[rng.random(shape) < 0.02] = -0.0
    p[rng.random(shape) < 0.02] = np.nan
    return p


def test_power_skips_only_what_pow_would_make_plus_zero() -> None:
    rng = np.random.default_rng(1)
    for shape in [(3, 41), (1, 7), (5, 300)]:
        p = shares(rng, shape)
        r = rng.integers(0, 11, shape[-1]).astype(np.float64) + 1.0
        r[0] = 0.0  # 0 ** 0 is 1, so a zero exponent is not skipped
        assert same(ph.power(p, r), np.power(p, r))
        assert same(ph.power(np.zeros(shape), r), np.power(np.zeros(shape), r))
        assert same(ph.power(p + 0.5, r), np.power(p + 0.5, r))
    assert same(ph.power(np.array(0.0), np.array(2.0)), np.power(0.0, 2.0))
    assert same(ph.power(np.array(0.3), np.array(2.0)), np.power(0.3, 2.0))


def test_exp_negative_skips_only_underflow() -> None:
    rng = np.random.default_rng(2)
    x = -np.exp(rng.uniform(-5.0, 25.0, (3, 500)))
    x[0, :5] = [np.nan, -np.inf, -745.0, -746.0, -800.0]
    assert same(ph.exp_negative(x), np.exp(x))
    assert same(ph.exp_negative(x[:, :3]), np.exp(x[:, :3]))
    everything_small = np.full(7, -1e9)
    assert same(ph.exp_negative(everything_small), np.exp(everything_small))


def test_the_timeout_law_together_equals_its_two_halves() -> None:
    rng = np.random.default_rng(3)
    floor = rng.uniform(0.0, 0.5, (3, 200))
    mean = floor + np.where(rng.random((3, 200)) < 0.5, 0.0, rng.exponential(0.3, (3, 200)))
    mean[0, :3] = floor[0, :3] - 0.1  # a mean under the floor (clamped spread)
    timeout = rng.uniform(0.0, 2.0, 200)
    timeout[:4] = [0.0, 0.1, 30.0, floor[0, 3]]
    timed_out, waited = ph.timeout_outcome(timeout, mean, floor)
    assert same(timed_out, ph.timeout_probability(timeout, mean, floor))
    assert same(waited, ph.truncated_mean(timeout, mean, floor))
    idle = floor + np.where(rng.random((3, 200)) < 0.5, 0.0, 1e-12)  # spread clamped to 1e-9
    far = floor.max() + 1.0 + rng.random(200)
    timed_out, waited = ph.timeout_outcome(far, idle, floor)  # the shortcut: no tail at all
    assert same(timed_out, ph.timeout_probability(far, idle, floor))
    assert same(waited, ph.truncated_mean(far, idle, floor))
    assert not timed_out.any()


def test_retry_laws_with_zero_shares_equal_the_plain_powers() -> None:
    rng = np.random.default_rng(4)
    p = shares(rng, (3, 100))
    p = np.where(np.isnan(p), 0.2, np.abs(p))
    r = rng.integers(0, 11, 100).astype(np.float64)
    att, fin = ph.retry_outcome(p, r)
    plain_p = np.minimum(p, 1.0 - 1e-9)
    plain_last = np.power(plain_p, r + 1.0)
    assert same(fin, plain_last)
    assert same(att, (1.0 - plain_last) / (1.0 - plain_p))
    for nothing in (np.zeros((3, 100)), np.full((3, 100), -0.0)):  # the shortcut and near it
        plain_p = np.minimum(nothing, 1.0 - 1e-9)
        plain_last = np.power(plain_p, r + 1.0)
        att, fin = ph.retry_outcome(nothing, r)
        assert same(fin, plain_last)
        assert same(att, (1.0 - plain_last) / (1.0 - plain_p))
    q = np.clip(p, 0.0, 1.0)
    near_one = q > 1.0 - 1e-9
    safe = np.where(near_one, 0.5, q)
    plain = np.where(near_one, r + 1.0, (1.0 - np.power(safe, r + 1.0)) / (1.0 - safe))
    assert same(ph.attempts_per_request(p, r), plain)
    for nothing in (np.zeros((3, 100)), np.full((3, 100), -0.0)):  # the shortcut: one attempt
        q = np.clip(nothing, 0.0, 1.0)
        plain = (1.0 - np.power(q, r + 1.0)) / (1.0 - q)
        assert same(ph.attempts_per_request(nothing, r), plain)


def test_queueing_delay_equals_its_formula_for_idle_components() -> None:
    rng = np.random.default_rng(5)
    service = rng.uniform(0.001, 0.2, 300)
    rho = np.where(rng.random(300) < 0.7, 0.0, rng.uniform(0.0, 1.5, 300))
    servers = rng.integers(0, 20, 300).astype(np.float64)
    c = np.maximum(servers, 1.0)
    r = np.clip(rho, 0.0, ph.RHO_CAP)
    plain = service + service * np.power(r, np.sqrt(2.0 * (c + 1.0)) - 1.0) / (c * (1.0 - r))
    assert same(ph.queueing_delay(service, rho, servers), plain)


def test_neutral_modifiers_are_fresh_ones_zeros_and_infinities() -> None:
    from dataclasses import fields

    from chaosgame.engine.state import Modifiers
    from chaosgame.engine.world import build_world
    from chaosgame.generate.topology import fleet

    w = build_world(fleet(40, seed=2))
    first = Modifiers.neutral(w)
    for f in fields(first):  # what a fault writes one tick must not leak into the next
        value = getattr(first, f.name)
        if isinstance(value, np.ndarray):
            value.fill(0.5)
    m = Modifiers.neutral(w)
    n, k, e, r = w.n, w.k, w.e, max(len(w.regions), 1)
    ones = {"svc_factor", "cap_factor", "cpu_factor", "write_factor", "apply_factor"}
    ones |= {"rate_factor", "skew_share", "scraped", "pool_factor"}
    shapes = {"err": (k, n), "wrong": (k, n), "lost": (k, n), "block": (k, n)}
    shapes |= {"rate_factor": (len(w.journeys),), "net_fail": (r, r), "net_lat": (r, r)}
    shapes |= {"reserved": (len(w.cluster_nodes),)}
    shapes |= {f: (e,) for f in ("edge_fail", "edge_lat", "edge_off", "edge_open", "pool_factor")}
    for f in fields(m):
        value = getattr(m, f.name)
        if f.name == "clients":
            assert value == {}
            continue
        if f.name == "edge_retries":
            assert same(value, w.retries)
            assert value is not w.retries
            continue
        fill = 1.0 if f.name in ones else np.inf if f.name == "quota" else 0.0
        assert same(value, np.full(shapes.get(f.name, (n,)), fill)), f.name
        assert value.flags.writeable, f.name
        assert value.flags.owndata, f.name
