"""Compact history: one float32 per series per component (or class, or edge) per tick."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

F32 = NDArray[np.float32]

COMPONENT_SERIES = (
    "offered",  # requests/s arriving, retries included
    "served",  # requests/s completed
    "errors",  # share of requests that failed (traffic-weighted over classes)
    "latency",  # mean seconds
    "floor",  # fastest seconds (idle path)
    "utilisation",  # busy share of capacity
    "cpu",  # cores used per replica / limit
    "throttle",  # CPU throttling factor (1 = none)
    "memory",  # MB resident per replica
    "replicas",  # ready replicas
    "desired",  # replicas asked for
    "connections",  # connections held open to this component
    "backlog",  # queues: messages waiting; others: requests queued for a worker
    "consumer_lag",  # queues: seconds of backlog at the drain rate
    "replication_lag",  # replicas: seconds behind the primary
    "disk",  # GB used
    "cache_hit",  # caches: hit ratio
    "restarts",  # cumulative restarts
    "scraped",  # 1 when the metrics pipeline scraped the component this tick, 0 in a gap
)
CLASS_SERIES = ("errors", "latency", "floor", "offered")
EDGE_SERIES = ("rate", "fail", "final_fail", "call_time", "breaker", "pool_wait")
JOURNEY_SERIES = ("rate", "errors", "latency", "floor", "wrong", "lost")


class History:
    """Arrays ``[tick, ...]`` that grow in chunks as the simulation runs."""

    def __init__(self, n: int, k: int, e: int, capacity: int) -> None:
        self.n, self.k, self.e = n, k, e
        self.ticks = 0
        self.capacity = max(capacity, 1)
        self.comp = {name: np.zeros((self.capacity, n), np.float32) for name in COMPONENT_SERIES}
        self.cls = {name: np.zeros((self.capacity, k, n), np.float32) for name in CLASS_SERIES}
        self.edge = {name: np.zeros((self.capacity, e), np.float32) for name in EDGE_SERIES}
        self.journey = {name: np.zeros((self.capacity, k), np.float32) for name in JOURNEY_SERIES}

    def _grow(self) -> None:
        self.capacity *= 2
        for table in (self.comp, self.cls, self.edge, self.journey):
            for name, arr in table.items():
                bigger = np.zeros((self.capacity, *arr.shape[1:]), np.float32)
                bigger[: self.ticks] = arr[: self.ticks]
                table[name] = bigger

    def next_row(self) -> int:
        """Reserve the row for a new tick and return its index."""
        if self.ticks >= self.capacity:
            self._grow()
        row = self.ticks
        self.ticks += 1
        return row

    def nbytes(self) -> int:
        """Memory held by the arrays."""
        return sum(
            arr.nbytes for t in (self.comp, self.cls, self.edge, self.journey) for arr in t.values()
        )

    def digest(self) -> str:
        """A hash of every recorded number (determinism checks compare these)."""
        import hashlib

        h = hashlib.sha256()
        for table in (self.comp, self.cls, self.edge, self.journey):
            for name in sorted(table):
                h.update(name.encode())
                h.update(np.ascontiguousarray(table[name][: self.ticks]).tobytes())
        return h.hexdigest()
