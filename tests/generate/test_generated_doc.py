"""docs/generated.md says what the difficulty knobs do: its table follows ``KNOBS``."""

from __future__ import annotations

from pathlib import Path

import pytest

from chaosgame.generate.archetypes import ARCHETYPES
from chaosgame.generate.codes import DIFFICULTIES
from chaosgame.generate.difficulty import KNOBS

PAGE = Path(__file__).resolve().parents[2] / "docs" / "generated.md"


def _span(low: float, high: float, unit: str = "") -> str:
    low, high = min(low, high), max(low, high)
    return f"{low:g}{unit}" if low == high else f"{low:g}-{high:g}{unit}"


def _row(knob: str) -> list[str]:
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0] == knob:
            return cells[2:]
    raise AssertionError(f"docs/generated.md has no row for {knob}")


@pytest.mark.parametrize(
    ("knob", "field"),
    [
        ("observability gaps", "gaps"),
        ("red herrings", "herrings"),
        ("noise", "noise"),
        ("contributing factors", "contributing"),
        ("intensity", "intensity"),
    ],
)
def test_the_knob_table_says_what_the_knobs_are(knob: str, field: str) -> None:
    want = [_span(*getattr(KNOBS[d], field)) for d in DIFFICULTIES]
    assert _row(knob) == want


def test_sizes_and_time_limits_follow_the_knobs() -> None:
    sizes = _row("fleet size")
    for d, cell in zip(DIFFICULTIES, sizes, strict=True):
        assert cell.startswith(_span(*KNOBS[d].size)), (d, cell)
        if KNOBS[d].huge:
            assert f"1 in {round(1 / KNOBS[d].huge)}: 250-1,000" in cell
    limits = [_span(*(t / 60 for t in KNOBS[d].time_limit), " min") for d in DIFFICULTIES]
    assert _row("time limit") == limits


def test_every_archetype_is_listed() -> None:
    rows = PAGE.read_text(encoding="utf-8").splitlines()
    titles = [row.split("|")[1].strip() for row in rows if row.startswith("|")]
    assert {a.title for a in ARCHETYPES.values()} <= set(titles)
