"""The incidents an evaluation plays: curated scenarios, files and generated seeds.

An :class:`Incident` is small plain data (a path, or a seed and a difficulty), so it travels
to a worker process or a Dask worker cheaply; the worker loads or generates the scenario
itself (:func:`load`).
"""

from __future__ import annotations

import glob
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chaosgame.scenario.model import Scenario

CURATED = "curated"
"""``--scenarios curated``: the whole curated library."""


class EvalInputError(ValueError):
    """A command-line input an evaluation cannot use (the message says what and where)."""


@dataclass(frozen=True)
class Incident:
    """One incident to play: a scenario file, or a generated seed at a difficulty."""

    index: int
    """Its place in the evaluation: results are listed in this order."""
    label: str
    """How tables and JSON name it: the curated id, the file, or the seed code."""
    path: str | None = None
    seed: int | None = None
    """The generator's seed (a generated incident), not the game's."""
    difficulty: str | None = None

    @property
    def source(self) -> str:
        """``generated`` or ``file``."""
        return "generated" if self.path is None else "file"


def _is_glob(text: str) -> bool:
    return any(c in text for c in "*?[")


def _files(spec: str) -> list[Path]:
    """The scenario files one ``--scenarios`` value names (``EvalInputError`` if none)."""
    from chaosgame.scenario import library
    from chaosgame.scenario.loader import file_kind

    if spec == CURATED:
        return library.scenario_paths()
    if _is_glob(spec):
        found = sorted(Path(p) for p in glob.glob(spec, recursive=True) if Path(p).is_file())
        scenarios = [p for p in found if file_kind(p) == "scenario"]
        if not scenarios:
            raise EvalInputError(f"--scenarios: '{spec}' matches no scenario file")
        return scenarios
    p = Path(spec)
    if p.is_dir():
        scenarios = [q for q in sorted(p.glob("*.y*ml")) if file_kind(q) == "scenario"]
        if not scenarios:
            raise EvalInputError(f"--scenarios: the folder '{spec}' holds no scenario file")
        return scenarios
    try:
        found_path = library.find(spec)
    except FileNotFoundError as exc:
        raise EvalInputError(f"--scenarios: {exc}") from None
    if not found_path.is_file():
        raise EvalInputError(f"--scenarios: no file '{spec}'")
    if file_kind(found_path) == "topology":
        raise EvalInputError(f"--scenarios: {spec} is a shared topology, not a scenario")
    return [found_path]


def from_scenarios(specs: list[str], start: int = 0) -> list[Incident]:
    """The incidents ``--scenarios`` names, in the order given, each file once; each is
    loaded here so a broken one is refused before anything is played."""
    from chaosgame.scenario import library

    seen: set[Path] = set()
    out: list[Incident] = []
    curated = library.scenario_dir().resolve()
    for spec in specs:
        for path in _files(spec):
            key = path.resolve()
            if key in seen:
                continue
            seen.add(key)
            label = path.stem if key.parent == curated else str(path)
            incident = Incident(start + len(out), label, path=str(path))
            load(incident)  # refuse a broken file now
            out.append(incident)
    return out


def parse_range(text: str) -> tuple[int, int]:
    """``--seeds A-B`` (or a single ``N``): the first and last seed, both included."""
    from chaosgame.generate.codes import MAX_SEED

    first, sep, last = text.strip().partition("-")
    try:
        a = int(first)
        b = int(last) if sep else a
    except ValueError:
        raise EvalInputError(
            f"--seeds: '{text}' is not a range of seeds; write A-B, such as 0-199"
        ) from None
    if a > b:
        raise EvalInputError(f"--seeds: '{text}' is empty (the first seed is after the last)")
    if a < 0 or b > MAX_SEED:
        raise EvalInputError(f"--seeds: '{text}' is out of range: seeds go from 0 to {MAX_SEED:,}")
    return a, b


def from_seeds(text: str, difficulty: str | None = None, start: int = 0) -> list[Incident]:
    """The generated incidents ``--seeds A-B`` names: one per seed, at ``difficulty``, or
    with the difficulties in turn (easy, normal, hard, expert by seed) when it is None."""
    from chaosgame.generate.codes import DIFFICULTIES, SeedCode

    a, b = parse_range(text)
    if difficulty is not None and difficulty not in DIFFICULTIES:
        raise EvalInputError(
            f"--difficulty: unknown difficulty '{difficulty}' (choose {', '.join(DIFFICULTIES)})"
        )
    out = []
    for seed in range(a, b + 1):
        level = difficulty or DIFFICULTIES[seed % len(DIFFICULTIES)]
        code = SeedCode(seed, level)
        out.append(Incident(start + seed - a, code.code, seed=seed, difficulty=level))
    return out


def load(incident: Incident) -> Scenario:
    """The scenario of ``incident``: its file loaded, or its seed generated.

    A file that cannot be loaded is an :class:`EvalInputError` naming the file and its
    first problem; an incident the generator cannot make is one naming the seed code.
    """
    if incident.path is not None:
        from chaosgame.scenario.loader import ScenarioError, load_scenario

        try:
            return load_scenario(incident.path)
        except ScenarioError as exc:
            first = str(exc.problems[0]) if exc.problems else str(exc)
            more = len(exc.problems) - 1
            extra = f" (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else ""
            raise EvalInputError(f"--scenarios: {first}{extra}") from None
    from chaosgame.generate.build import GenerateError, generate_scenario
    from chaosgame.generate.codes import SeedCode

    try:
        return generate_scenario(SeedCode(incident.seed or 0, incident.difficulty or "normal"))
    except (GenerateError, ValueError) as exc:
        raise EvalInputError(f"seed code {incident.label}: {exc}") from None
