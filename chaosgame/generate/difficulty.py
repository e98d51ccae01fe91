"""Difficulty: the knobs each setting turns, and an estimate computed from what a scenario
contains.

The knobs (:data:`KNOBS`) decide what the generator puts in: how big the fleet is, over how
many regions, how many observability gaps, red herrings and noise, contributing factors, how
hard and how suddenly the fault hits, and how long the player has.

The estimate (:func:`estimate`) does not trust the setting: it reads the finished scenario
(any scenario, curated ones too) and scores what makes an incident hard to solve: how long the
evidence path is from the page to the cause, how much noise and how many red herrings stand
in the way, how many gaps hide the path, how big the fleet is, how the fault starts and how
little time there is. It is a number from 1 to 10 with its parts, shown with the briefing.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from chaosgame.scenario.model import Scenario


@dataclass(frozen=True)
class Knobs:
    level: str
    size: tuple[int, int]
    regions: tuple[int, ...]
    gaps: tuple[int, int]
    herrings: tuple[int, int]
    noise: tuple[int, int]
    contributing: tuple[int, int]
    intensity: tuple[float, float]
    onsets: tuple[str, ...]
    time_limit: tuple[float, ...]
    huge: float = 0.0
    """The chance of a fleet of hundreds of components (250 to 1,000)."""


KNOBS: dict[str, Knobs] = {
    "easy": Knobs(
        "easy",
        (6, 12),
        (1,),
        (0, 0),
        (1, 1),
        (0, 0),
        (0, 0),
        (0.9, 1.0),
        ("step",),
        (2100.0, 1800.0),
    ),
    "normal": Knobs(
        "normal",
        (14, 30),
        (1, 1, 2),
        (1, 2),
        (1, 2),
        (0, 1),
        (0, 1),
        (0.75, 1.0),
        ("step", "step", "ramp"),
        (1800.0, 1500.0),
    ),
    "hard": Knobs(
        "hard",
        (30, 80),
        (1, 2, 2, 3),
        (2, 4),
        (2, 2),
        (2, 3),
        (1, 1),
        (0.6, 0.9),
        ("step", "ramp", "intermittent"),
        (1500.0, 1200.0),
    ),
    "expert": Knobs(
        "expert",
        (60, 200),
        (2, 3),
        (3, 6),
        (2, 3),
        (3, 4),
        (1, 2),
        (0.55, 0.8),
        ("ramp", "intermittent", "intermittent"),
        (1200.0, 1500.0),
        huge=0.02,
    ),
}
SCENARIO_DIFFICULTY = {"easy": "easy", "normal": "medium", "hard": "hard", "expert": "expert"}
"""The setting's name in a scenario file's ``difficulty`` field."""


@dataclass(frozen=True)
class Estimate:
    score: float
    """1 (trivial) to 10 (very hard)."""
    path: int
    """Hops from the page to the root cause, plus the causal chain's steps."""
    noise: int
    """Red herrings and authored noise."""
    gaps: int
    """Observability gaps on the components of the evidence path."""
    size: int
    onset: str
    time_limit: float

    def text(self) -> str:
        return (
            f"{self.score:.1f}/10 (evidence path {self.path}, noise {self.noise}, "
            f"gaps {self.gaps}, {self.size} components, {self.onset} onset, "
            f"{self.time_limit / 60:.0f} min)"
        )

    def public(self) -> str:
        """What a player may read before playing: the score and what the briefing shows
        anyway. The parts measured on the hidden truth (the evidence path, the gaps on it,
        the onset) stay for the author's tools and the debrief."""
        return f"{self.score:.1f}/10 ({self.size} components, {self.time_limit / 60:.0f} min)"

    def as_dict(self) -> dict[str, object]:
        return {
            "score": self.score,
            "path": self.path,
            "noise": self.noise,
            "gaps": self.gaps,
            "size": self.size,
            "onset": self.onset,
            "time_limit": self.time_limit,
        }


def _hops(sc: Scenario, target: str | None) -> tuple[int, set[str]]:
    """Fewest calls from a paged journey's entry to ``target``, and the components on the way."""
    if target is None:
        return 0, set()
    out: dict[str, list[str]] = {}
    for d in sc.dependencies:
        out.setdefault(d.source, []).append(d.to)
    best: tuple[int, set[str]] | None = None
    for j in sc.journeys:
        prev: dict[str, str | None] = {j.entry: None}
        todo = deque([j.entry])
        while todo:
            n = todo.popleft()
            if n == target:
                path = set()
                m: str | None = n
                while m is not None:
                    path.add(m)
                    m = prev[m]
                if best is None or len(path) - 1 < best[0]:
                    best = (len(path) - 1, path)
                break
            for nxt in out.get(n, []):
                if nxt not in prev:
                    prev[nxt] = n
                    todo.append(nxt)
    return best if best is not None else (2, {target})


def _gaps(sc: Scenario, names: set[str]) -> int:
    gaps = 0
    for c in sc.components:
        if c.name not in names:
            continue
        t = c.telemetry
        gaps += (not t.metrics) + (not t.logs) + (not t.traces)
        gaps += (t.log_sampling < 0.2) + (t.trace_sampling < 0.01)
        gaps += t.dashboard_averages_only
    return gaps


def estimate(sc: Scenario) -> Estimate:
    """How hard ``sc`` is to solve, from what it contains."""
    rc = sc.truth.root_cause
    hops, path = _hops(sc, rc.component)
    chain = {s.component for s in sc.truth.causal_chain}
    path |= chain
    path_len = hops + len(sc.truth.causal_chain)
    noise = (
        len(sc.truth.red_herrings)
        + len(sc.noise.alerts)
        + len(sc.noise.logs)
        + len(sc.noise.slow_queries)
    )
    gaps = _gaps(sc, path)
    size = len(sc.components)
    onsets = [f.onset.shape for f in sc.faults]
    onset = onsets[0] if onsets else "step"
    score = (
        1.0
        + 0.35 * min(path_len, 8)
        + 0.25 * min(noise, 10)
        + 0.35 * min(gaps, 6)
        + 0.6 * math.log10(max(size, 1))
        + {"step": 0.0, "ramp": 0.4, "periodic": 0.6, "intermittent": 0.8}.get(onset, 0.0)
        + 0.3 * min(len(sc.truth.contributing), 3)
        + max(0.0, (2400.0 - sc.time_limit) / 1200.0)
    )
    if rc.kind == "no-fault":
        score += 1.0
    return Estimate(
        score=round(min(max(score, 1.0), 10.0), 1),
        path=path_len,
        noise=noise,
        gaps=gaps,
        size=size,
        onset=onset,
        time_limit=sc.time_limit,
    )
