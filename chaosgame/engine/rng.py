"""Named random streams derived from one seed.

Every random choice in chaosgame comes from ``Streams(seed).get(name)``: the same seed and name
always give the same sequence, and adding a new stream never shifts an existing one. Nothing
here touches the global ``random`` state or Faker's class-level seed.
"""

from __future__ import annotations

import hashlib
import random

import numpy as np


def derive(seed: int, name: str) -> int:
    """A 64-bit seed for stream ``name`` (stable across runs, platforms and Python versions)."""
    digest = hashlib.sha256(f"{seed}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


class Streams:
    """A family of independent, reproducible random streams keyed by name."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def get(self, name: str) -> random.Random:
        """A fresh ``random.Random`` for ``name``; asking twice gives two equal sequences."""
        return random.Random(derive(self.seed, name))

    def numpy(self, name: str) -> np.random.Generator:
        """A fresh numpy generator for ``name``."""
        return np.random.default_rng(derive(self.seed, name))

    def unit(self, name: str, index: int) -> float:
        """A single uniform number in [0, 1) for ``(name, index)``, without keeping state.

        Used where the simulation needs the n-th draw of a stream directly (an intermittent
        fault at tick n, a log line n) so that any window can be generated lazily.
        """
        return derive(self.seed, f"{name}#{index}") / 2.0**64
