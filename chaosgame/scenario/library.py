"""Where the curated scenarios live, and how to find one by id."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # listing the library does not import the model
    from chaosgame.scenario.index import Entry
    from chaosgame.scenario.model import Scenario

BUILTIN = "checkout-payment-step-failing"
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
    """A scenario file by curated id, by an earlier id of a curated scenario (its
    ``aliases``), or by path."""
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or p.exists():
        return p
    candidate = scenario_dir() / f"{name_or_path}.yaml"
    if candidate.exists():
        return candidate
    renamed = renamed_to(name_or_path)
    if renamed is not None and renamed.path is not None:
        return renamed.path
    import difflib

    ids = [q.stem for q in scenario_paths()]
    close = difflib.get_close_matches(name_or_path, [*ids, *_by_alias(*_stamp())], n=1)
    hint = f"; did you mean '{current_id(close[0])}'?" if close else f"; known: {', '.join(ids)}"
    raise FileNotFoundError(f"no scenario '{name_or_path}'{hint}")


def current_id(scenario_id: str) -> str:
    """The id a curated scenario has now: ``scenario_id`` itself, or the new id of a
    scenario that was renamed from it (an id no curated scenario has is returned as it is)."""
    renamed = renamed_to(scenario_id)
    return scenario_id if renamed is None else renamed.id


def renamed_to(old_id: str) -> Entry | None:
    """The curated scenario that was called ``old_id`` and has another id now (``old_id`` is
    in its ``aliases``); None when ``old_id`` is a current id, or nobody's."""
    try:
        if (scenario_dir() / f"{old_id}.yaml").exists():
            return None
        return _by_alias(*_stamp()).get(old_id)
    except OSError:  # no curated folder in this installation, or an unreadable one
        return None


def _stamp() -> tuple[str, int]:
    folder = scenario_dir()
    return str(folder), folder.stat().st_mtime_ns


@functools.lru_cache(maxsize=1)
def _by_alias(folder: str, stamp: int) -> dict[str, Entry]:
    """Every earlier id of the curated scenarios in ``folder`` (``stamp``: its modification
    time, so a renamed or added file is seen), read from the headers without validating."""
    from chaosgame.scenario.index import read_index

    out: dict[str, Entry] = {}
    for entry in read_index():
        if entry.path is not None and not entry.problem:
            for alias in entry.aliases:
                out.setdefault(alias, entry)
    return out


def load(name_or_path: str = BUILTIN) -> Scenario:
    """Load a curated scenario by id, or any scenario file by path."""
    from chaosgame.scenario.loader import load_scenario

    return load_scenario(find(name_or_path))
