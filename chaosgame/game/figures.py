"""How the figures of a finished game are written, wherever they are shown.

The debrief (text console and terminal UI), the postmortem, the history and the command line
all write a score, a part's points or a share of an error budget through these functions, so
the same game shows the same figure everywhere: one rounding rule per kind of figure.
Plain Python, no Textual: every frontend may use it.
"""

from __future__ import annotations

__all__ = [
    "minutes",
    "percent",
    "plural",
    "points",
    "score",
    "score_line",
    "shortfall",
    "sli",
    "target",
]


def score(total: float) -> str:
    """A total out of 100, to one decimal, as it is stored: ``98.8``."""
    return f"{total:.1f}"


def score_line(total: float, grade: str) -> str:
    """``98.8/100 (A)``."""
    return f"{score(total)}/100 ({grade})"


def points(got: float, top: float) -> str:
    """A part's points out of its maximum: ``39.1/40``."""
    return f"{got:.1f}/{top:g}"


def shortfall(got: float, top: float) -> str | None:
    """The points a part lost, as shown beside :func:`points` (``0.9`` for ``39.1/40``), or
    None when the shown points are full."""
    lost = top - round(got, 1)
    return None if lost < 0.05 else f"{lost:.1f}"


def percent(share: float) -> str:
    """A share (of an error budget, of requests) as a percentage to one decimal: ``4.8%``."""
    return f"{share:.1%}"


def target(share: float) -> str:
    """An SLO target with the decimals it needs: ``99.5%``, ``99.95%``."""
    text = f"{share * 100:.3f}".rstrip("0").rstrip(".")
    return f"{text}%"


def sli(share: float) -> str:
    """A measured SLI, precise enough to compare with its target: ``99.52%``."""
    return f"{share:.2%}"


def minutes(seconds: float) -> str:
    """A duration in minutes to one decimal: ``3.2 min``."""
    return f"{seconds / 60:.1f} min"


def plural(n: int, noun: str) -> str:
    """``1 action``, ``10 actions``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
