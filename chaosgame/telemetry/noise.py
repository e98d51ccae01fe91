"""Authored noise rendered as telemetry: flapping alerts, chatty log lines, an always-slow
query, a scary gauge (the scenario's ``noise:`` section, :mod:`chaosgame.scenario.noise`).

Noise is drawn over the same gaps as every other signal: a noise alert evaluates only on
scraped metrics of a component that exports them and reaches the player only through the
pager; noise log lines go through the component's log settings (no logs, sampling, the log
pipeline, retention); a noise metric is scraped like any gauge. Nothing here reads or writes
the simulation's state: the history is the same with or without noise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from chaosgame.engine.rng import derive
from chaosgame.telemetry import gaps

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator
    from chaosgame.scenario.noise import NoiseLog, NoiseSlowQuery
    from chaosgame.telemetry.metrics import Spec
    from chaosgame.telemetry.series import Frame

B = NDArray[np.bool_]
F = NDArray[np.float64]


def _unit(seed: int, name: str, ticks: NDArray[np.int64]) -> F:
    """A uniform number in [0, 1) per tick for stream ``name`` (no state kept)."""
    uid = np.uint64(derive(seed, name))
    t = ticks.astype(np.uint64)
    with np.errstate(over="ignore"):
        h = uid ^ (t * np.uint64(0x9E3779B97F4A7C15))
        h ^= h >> np.uint64(31)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(29)
    out: F = (h >> np.uint64(11)).astype(np.float64) / float(1 << 53)
    return out


# ------------------------------------------------------------------------------ alerts
def alert_episodes(sim: Simulator, hi: int, dark: B) -> list[tuple[str, str, str, str, B]]:
    """Per noise alert that can be seen: (name, severity, service, summary, firing per tick)."""
    out: list[tuple[str, str, str, str, B]] = []
    w = sim.world
    for a in sim.scenario.noise.alerts:
        i = w.index[a.component]
        if hi <= 0 or not gaps.has(sim, i, "metrics"):
            continue
        t = np.arange(hi) * sim.dt
        phase = float(derive(sim.seed, f"noise/alert/{a.name}") % 10_000) / 10_000 * a.period
        on = (t >= a.since) & (((t - a.since + phase) % a.period) < a.duty * a.period)
        out.append((a.name, a.severity, a.component, a.summary, on & ~dark))
    return out


# -------------------------------------------------------------------------------- logs
def log_items(sim: Simulator, i: int) -> list[tuple[str, NoiseLog | NoiseSlowQuery]]:
    """(category key, item) of the noise lines component ``i`` writes."""
    name = sim.world.names[i]
    n = sim.scenario.noise
    out: list[tuple[str, NoiseLog | NoiseSlowQuery]] = [
        (f"noise/log/{x.id}", x) for x in n.logs if x.component == name
    ]
    out += [(f"noise/sq/{q.id}", q) for q in n.slow_queries if q.component == name]
    return out


def slow_query_message(q: NoiseSlowQuery) -> str:
    """The slow-query log's message for an always-slow statement."""
    return f"duration: {q.duration * 1000:.3f} ms  statement: {q.statement}"


def log_lines(sim: Simulator, keys: list[str], comps: list[int], lo: int, hi: int) -> F:
    """Expected lines per second ``[len(keys), hi - lo]`` of noise categories."""
    out = np.zeros((len(keys), max(hi - lo, 0)))
    t = np.arange(lo, hi) * sim.dt
    for row, (key, i) in enumerate(zip(keys, comps, strict=True)):
        found = dict(log_items(sim, i)).get(key)
        if found is not None:
            out[row] = np.where(t >= found.since, 1.0 / found.every, 0.0)
    return out


# ----------------------------------------------------------------------------- metrics
def metric_specs(sim: Simulator) -> dict[str, Spec]:
    """The scenario's noise gauges as catalogue entries (a built-in name keeps its meaning)."""
    from chaosgame.telemetry.metrics import CATALOGUE, Spec

    out: dict[str, Spec] = {}
    for m in sim.scenario.noise.metrics:
        if m.name not in CATALOGUE and m.name not in out:
            out[m.name] = Spec("gauge", m.help, ("service", "region"), _gauge(m.name))
    return out


def _gauge(name: str) -> Any:
    def build(sim: Simulator, comps: list[int], hi: int, _m: Any) -> Frame:
        from chaosgame.telemetry.series import Frame, comp_labels, emitting

        w = sim.world
        on = emitting(sim)
        wanted = set(comps)
        items = [
            m
            for m in sim.scenario.noise.metrics
            if m.name == name and w.index[m.component] in wanted and on[w.index[m.component]]
        ]
        keep = [w.index[m.component] for m in items]

        def values() -> F:
            ticks = np.arange(hi, dtype=np.int64)
            rows = [
                m.value
                + m.wobble
                * (2.0 * _unit(sim.seed, f"noise/metric/{name}/{m.component}", ticks) - 1.0)
                for m in items
            ]
            return np.array(rows, dtype=np.float64).reshape(len(items), hi)

        owner = np.array(keep, dtype=np.int64)
        return Frame.of_values(comp_labels(sim, keep), values, owner, sim.dt, False)

    return build


# ------------------------------------------------------------------------------- proof
def visible(sim: Simulator, ref: str, lo: float, hi: float) -> str | None:
    """Why the player cannot see noise item ``ref`` between ``lo`` and ``hi`` (None: seen).

    Used by ``chaosgame check``: an alert must fire and reach the pager, a log line must reach
    the log store, a metric must be scraped, within the window the player plays.
    """
    from chaosgame.telemetry import logs

    kind, _, name = ref.partition(":")
    a, b = max(int(lo // sim.dt), 0), min(int(hi // sim.dt) + 1, sim.history.ticks)
    if b <= a:
        return f"{ref}: nothing to see in the window played"
    if kind == "alert":
        dark = gaps.dark(sim, "metrics", 0, b)
        pager = gaps.dark(sim, "alerts", 0, b)
        for n, _sev, _svc, _summary, on in alert_episodes(sim, b, dark):
            if n == name:
                if (on[a:b] & ~pager[a:b]).any():
                    return None
                return f"{ref} never fires where the player can see it (metrics or pager gaps)"
        return f"{ref} is on a component that exports no metrics, so it never fires"
    if kind in ("log", "slow-query"):
        key = f"noise/{'log' if kind == 'log' else 'sq'}/{name}"
        for i in range(sim.world.n):
            cats = [c for c in logs.categories(sim, i) if c.key == key]
            if cats:
                n_lines = logs.counts(sim, cats, a, b, hi)
                if int(n_lines.sum()) > 0:
                    return None
                return f"{ref} writes no line the log store keeps in the window played"
        return f"{ref} is on a component that writes no logs"
    if kind == "metric":
        for m in sim.scenario.noise.metrics:
            if m.name == name:
                i = sim.world.index[m.component]
                if not gaps.has(sim, i, "metrics"):
                    return f"{ref} is on a component that exports no metrics"
                if gaps.dark(sim, "metrics", a, b).all():
                    return f"{ref} is never scraped in the window played (metrics store down)"
                return None
    return f"'{ref}' names no noise"
