"""Frames of metric series that are read only at the ticks a query needs.

A :class:`Frame` holds many series: their labels (:class:`~chaosgame.telemetry.labels.Labels`),
the component whose scrape settings decide when each was sampled, and a reader that returns
the series' true per-tick values (counters: per-second rates) at any ticks of ``[0, hi)``, or,
for counters, the cumulative count a scrape would read there. Readers compute from the
history arrays only what is asked: a query over two hours at 120 points reads 120 columns of
a gauge, and a counter's cumulative count at a tick is a running sum over tick blocks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from chaosgame.telemetry.gaps import has
from chaosgame.telemetry.labels import Labels, Obj, column
from chaosgame.telemetry.recorder import recorder

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator

F = NDArray[np.float64]
IntArr = NDArray[np.int64]
Reader = Callable[[IntArr, bool], F]
"""``read(ticks, cumulative)``: values ``[S, len(ticks)]`` at sorted, distinct ``ticks``."""


def cum_at(x: NDArray[np.floating], ticks: IntArr, dt: float, axis: int = 0) -> F:
    """``dt`` times the running sum of ``x`` along ``axis`` (ticks), read at ``ticks``.

    ``ticks`` are sorted and distinct; the result is ``[series, len(ticks)]``. Summing the
    blocks between two read ticks first touches every value once, in float64.
    """
    if axis == 1:
        x = x.T
    n = x.shape[1] if x.ndim == 2 else 0
    if not len(ticks):
        return np.zeros((n, 0))
    starts = np.concatenate(([0], ticks[:-1] + 1))
    seg = np.add.reduceat(x[: int(ticks[-1]) + 1], starts, axis=0, dtype=np.float64)
    out: F = (np.cumsum(seg, axis=0) * dt).T
    return out


@dataclass
class Frame:
    """Many series of one or more metrics over ticks ``[0, hi)``."""

    labels: Labels
    owner: IntArr
    read: Reader
    counter: bool = False

    @staticmethod
    def empty() -> Frame:
        return Frame(Labels({}, 0), np.zeros(0, np.int64), _nothing(0))

    @staticmethod
    def of_values(
        labels: Labels, values: F | Callable[[], F], owner: IntArr, dt: float, counter: bool
    ) -> Frame:
        """A frame over values ``[S, hi]`` (or a function making them on first read)."""
        return Frame(labels, owner, values_reader(values, dt), counter)

    def __len__(self) -> int:
        return len(self.labels)

    def raw(self, ticks: IntArr, cumulative: bool) -> F:
        """Values at any ``ticks`` (repeats and any order allowed)."""
        u, inv = np.unique(ticks, return_inverse=True)
        out = self.read(u.astype(np.int64), cumulative)
        return out if len(u) == len(ticks) and np.array_equal(u, ticks) else out[:, inv]

    def take(self, rows: IntArr) -> Frame:
        base = self.read

        def read(ticks: IntArr, cumulative: bool) -> F:
            out: F = base(ticks, cumulative)[rows]
            return out

        return Frame(self.labels.take(rows), self.owner[rows], read, self.counter)

    @staticmethod
    def concat(frames: Sequence[Frame]) -> Frame:
        """One frame of all series; a counter only if every part is one."""
        parts = list(frames)

        def read(ticks: IntArr, cumulative: bool) -> F:
            return np.vstack([p.read(ticks, cumulative) for p in parts])

        return Frame(
            Labels.concat([p.labels for p in parts]),
            np.concatenate([p.owner for p in parts]),
            read,
            all(p.counter for p in parts),
        )


def _nothing(n: int) -> Reader:
    def read(ticks: IntArr, cumulative: bool) -> F:
        return np.zeros((n, len(ticks)))

    return read


def values_reader(values: F | Callable[[], F], dt: float) -> Reader:
    memo: dict[str, F] = {}

    def full() -> F:
        if "v" not in memo:
            memo["v"] = values() if callable(values) else values
        return memo["v"]

    def read(ticks: IntArr, cumulative: bool) -> F:
        v = full()
        if cumulative:
            return cum_at(v, ticks, dt, axis=1)
        out: F = v[:, ticks]
        return out

    return read


def region_of(sim: Simulator, i: int) -> str:
    c = sim.scenario.components[i]
    if c.region:
        return c.region
    for cl in sim.scenario.clusters:
        if cl.name == c.cluster and cl.region:
            return cl.region
    return "default"


def names(sim: Simulator) -> Obj:
    """Component names as an object array (cached per simulator)."""
    rec = recorder(sim)
    out: Obj | None = rec.cache.get("metrics/names")
    if out is None:
        out = rec.cache["metrics/names"] = column(sim.world.names, sim.world.n)
    return out


def regions(sim: Simulator) -> Obj:
    """Each component's region label as an object array (cached per simulator)."""
    rec = recorder(sim)
    out: Obj | None = rec.cache.get("metrics/regions")
    if out is None:
        n = sim.world.n
        out = rec.cache["metrics/regions"] = column((region_of(sim, i) for i in range(n)), n)
    return out


def emitting(sim: Simulator) -> list[bool]:
    """Per component: whether it exports metrics of its own (cached per simulator)."""
    rec = recorder(sim)
    out: list[bool] | None = rec.cache.get("metrics/on")
    if out is None:
        out = rec.cache["metrics/on"] = [has(sim, i, "metrics") for i in range(sim.world.n)]
    return out


def comp_labels(sim: Simulator, comps: Sequence[int] | IntArr) -> Labels:
    """``{service, region}`` for each component of ``comps``."""
    idx = np.asarray(comps, dtype=np.int64)
    return Labels({"service": names(sim)[idx], "region": regions(sim)[idx]}, len(idx))
