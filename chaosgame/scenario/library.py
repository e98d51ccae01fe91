"""Where the curated scenarios live, and how to find one by id."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # listing the library does not import the model
    from chaosgame.scenario.model import Scenario

BUILTIN = "payments-retry-storm"
"""The scenario ``chaosgame play`` opens when none is named."""


def scenario_dir() -> Path:
    """The folder of curated scenarios (in a checkout, or inside an installed wheel)."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "scenarios", here / "_scenarios"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the curated scenarios folder is missing from this installation")


def scenario_paths() -> list[Path]:
    """Every curated scenario file, sorted by name."""
    return sorted(scenario_dir().glob("*.yaml"))


def find(name_or_path: str) -> Path:
    """A scenario file by curated id or by path."""
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or p.exists():
        return p
    candidate = scenario_dir() / f"{name_or_path}.yaml"
    if candidate.exists():
        return candidate
    import difflib

    ids = [q.stem for q in scenario_paths()]
    close = difflib.get_close_matches(name_or_path, ids, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else f"; known: {', '.join(ids)}"
    raise FileNotFoundError(f"no scenario '{name_or_path}'{hint}")


def load(name_or_path: str = BUILTIN) -> Scenario:
    """Load a curated scenario by id, or any scenario file by path."""
    from chaosgame.scenario.loader import load_scenario

    return load_scenario(find(name_or_path))
