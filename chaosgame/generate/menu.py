"""What the frontends offer of the generator: the entries of the home screen, the day's
incident, reading a code a player typed, building the incident, and what a briefing says
about where it came from.

This is the one module of :mod:`chaosgame.generate` a frontend uses besides the seed codes
themselves (``tests/test_layers.py``): it hands out a :class:`~chaosgame.scenario.model.Scenario`
(as loading a file does) and plain text, never the plan behind it.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chaosgame.generate.codes import DIFFICULTIES, MAX_SEED, CodeError, SeedCode, daily, parse
from chaosgame.scenario.model import TOPICS

if TYPE_CHECKING:
    from chaosgame.scenario.model import Scenario

__all__ = [
    "DIFFICULTIES",
    "MINUTES",
    "TOPIC_CHOICES",
    "About",
    "CodeError",
    "SeedCode",
    "about",
    "build",
    "daily_code",
    "fresh",
    "read",
    "resolve",
]

TOPIC_CHOICES: tuple[tuple[str, str | None], ...] = (
    ("any topic", None),
    *((t, t) for t in TOPICS),
)
"""The topic picker's choices, ``(label, topic id)``: any topic first, then the curriculum's
topics in its order."""

MINUTES = {"easy": 10, "normal": 15, "hard": 25, "expert": 35}
"""About how long an incident of each difficulty takes (its ``expected_minutes``)."""


def fresh(
    difficulty: str = "normal", topic: str | None = None, seed: int | None = None
) -> SeedCode:
    """A new incident's code: ``seed`` when given, else a seed nobody chose (the code is
    shown with the briefing, so even a random one can be shared)."""
    if seed is None:
        seed = int.from_bytes(os.urandom(4), "big") & MAX_SEED
    return SeedCode(seed, difficulty, topic)


def daily_code(date: dt.date | None = None) -> SeedCode:
    """The day's incident (``date`` defaults to today in UTC)."""
    from chaosgame.generate.codes import today

    return daily(date or today())


def read(
    text: str, difficulty: str | None = None, topic: str | None = None, *, insist: bool = False
) -> SeedCode:
    """A code or a number a player typed. A number takes ``difficulty`` and ``topic``; a code
    carries its own, and other settings are ignored (the home screen's pickers) or, with
    ``insist`` (the command line's options), refused. :class:`CodeError` says what is wrong,
    in one line."""
    if not text.strip():
        raise CodeError("type a seed code such as K7F3-QX2M, or a number")
    if text.strip().isdigit() or insist:
        return parse(text, difficulty, topic)
    return parse(text)


def build(code: SeedCode, size: int | None = None) -> Scenario:
    """The incident ``code`` makes, ready to play (``GenerateError`` when no fault fits the
    settings; its message says why)."""
    from chaosgame.generate.build import generate_scenario

    return generate_scenario(code, size)


def resolve(name: str) -> Scenario | None:
    """The generated incident ``name`` stands for: a seed code (``K7F3-QX2M``) or the id of a
    generated scenario (``checkout-slow-k7f3qx2m``, as run records and history show it).
    None when ``name`` is neither; :class:`CodeError` for something written as a code
    (four characters, a dash, four) that cannot be read."""
    import re

    from chaosgame.generate.codes import decode, looks_like_code

    if re.fullmatch(r"[0-9A-Za-z]{4}-[0-9A-Za-z]{4}", name.strip()):
        return build(decode(name))
    stem, _, tail = name.rpartition("-")
    code = tail if stem else name
    if len(code) != 8 or not looks_like_code(code):
        return None
    try:
        sc = build(decode(code))
    except CodeError:
        return None
    return sc if name in (sc.id, code) else None


@dataclass(frozen=True)
class About:
    """Where an incident came from and how hard it looks, for the briefing."""

    code: str | None
    """The seed code of a generated incident (None for a curated one)."""
    setting: str
    """``normal, any topic, online shop`` for a generated incident, else empty."""
    estimate: str
    """The difficulty estimate as a player may see it, ``5.0/10 (24 components, 25 min)``."""

    def lines(self) -> list[str]:
        """The briefing's lines about it."""
        out = []
        if self.code:
            out.append(
                f"Seed code {self.code} ({self.setting}): share it to play the same incident"
            )
        out.append(f"Difficulty estimate {self.estimate}")
        return out


def about(sc: Scenario) -> About:
    """The seed code (of a generated incident) and the difficulty estimate of ``sc``."""
    from chaosgame.generate.difficulty import estimate

    est = estimate(sc).public()  # the parts measured on the hidden truth stay hidden
    gen = sc.generator
    if gen is None:
        return About(None, "", est)
    from chaosgame.generate.archetypes import ARCHETYPES

    arch = ARCHETYPES.get(gen.archetype)
    setting = ", ".join(
        [gen.difficulty, gen.topic or "any topic", arch.title if arch else gen.archetype]
    )
    return About(gen.code, setting, est)
