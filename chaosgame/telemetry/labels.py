"""Label sets of many series, stored column by column.

A metric query can touch thousands of series; building a Python dict per series costs more
than the arithmetic. :class:`Labels` keeps one object array per label name (``None`` where a
series has no such label), so matchers test each distinct value once and grouping works on
tuples of column values. Dicts are built only for the series a query returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import NDArray

from chaosgame.telemetry.promql import Matcher

Obj = NDArray[np.object_]
Key = tuple[tuple[str, str], ...]


def column(values: Iterable[str | None], n: int) -> Obj:
    """An object array of ``n`` label values."""
    out: Obj = np.empty(n, dtype=object)
    out[:] = list(values)
    return out


class Labels:
    """The labels of ``n`` series: ``cols[name][s]`` is series ``s``'s value (or ``None``)."""

    __slots__ = ("cols", "n")

    def __init__(self, cols: dict[str, Obj], n: int) -> None:
        self.cols = cols
        self.n = n

    def __len__(self) -> int:
        return self.n

    @staticmethod
    def from_dicts(dicts: Sequence[dict[str, str]]) -> Labels:
        names: dict[str, None] = {}
        for d in dicts:
            names.update(dict.fromkeys(d))
        n = len(dicts)
        return Labels({k: column((d.get(k) for d in dicts), n) for k in names}, n)

    @staticmethod
    def concat(parts: Sequence[Labels]) -> Labels:
        names: dict[str, None] = {}
        for p in parts:
            names.update(dict.fromkeys(p.cols))
        n = sum(p.n for p in parts)
        cols = {
            k: np.concatenate([p.get(k) for p in parts]) if parts else np.empty(0, object)
            for k in names
        }
        return Labels(cols, n)

    def get(self, name: str) -> Obj:
        """The column ``name`` (``None`` for series without it)."""
        col = self.cols.get(name)
        if col is None:
            return np.full(self.n, None, dtype=object)
        return col

    def take(self, rows: NDArray[np.int64] | list[int]) -> Labels:
        idx = np.asarray(rows, dtype=np.int64)
        return Labels({k: c[idx] for k, c in self.cols.items()}, len(idx))

    def with_value(self, name: str, value: str) -> Labels:
        cols = dict(self.cols)
        cols[name] = np.full(self.n, value, dtype=object)
        return Labels(cols, self.n)

    def without(self, name: str) -> Labels:
        return Labels({k: c for k, c in self.cols.items() if k != name}, self.n)

    def as_dict(self, s: int) -> dict[str, str]:
        return {k: str(c[s]) for k, c in self.cols.items() if c[s] is not None}

    def dicts(self) -> list[dict[str, str]]:
        return [self.as_dict(s) for s in range(self.n)]

    def has_all(self, name: str) -> bool:
        """Whether every series carries label ``name``."""
        col = self.cols.get(name)
        if col is None:
            return self.n == 0
        return not any(v is None for v in col.tolist())

    def matches(self, m: Matcher) -> NDArray[np.bool_]:
        """Per series: whether ``m`` holds (a missing label reads as ``""``)."""
        seen: dict[str | None, bool] = {}
        out = np.empty(self.n, dtype=np.bool_)
        for s, v in enumerate(self.get(m.label).tolist()):
            hit = seen.get(v)
            if hit is None:
                hit = seen[v] = m.test("" if v is None else v)
            out[s] = hit
        return out

    def by_values(self, by: Sequence[str]) -> list[tuple[str, ...]]:
        """Per series: the values of ``by`` (``""`` where missing)."""
        cols = [[("" if v is None else v) for v in self.get(k).tolist()] for k in by]
        if not cols:
            return [()] * self.n
        return list(zip(*cols, strict=True))

    def keys(self, drop: Iterable[str] = ()) -> list[Key]:
        """Per series: its labels as sorted (name, value) pairs, leaving out ``drop``."""
        gone = set(drop)
        names = sorted(k for k in self.cols if k not in gone)
        if not names:
            return [()] * self.n
        rows = zip(*(self.cols[k].tolist() for k in names), strict=True)
        return [
            tuple((k, v) for k, v in zip(names, row, strict=True) if v is not None) for row in rows
        ]
