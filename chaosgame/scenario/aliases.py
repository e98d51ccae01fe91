"""Earlier ids of a scenario (``aliases:``), and the ones ``validate`` refuses.

A renamed curated scenario keeps its old ids as aliases, so a saved run, a link or a
``chaosgame play OLD-ID`` still finds it (:func:`chaosgame.scenario.library.find`). An alias
must lead to one scenario only: it may not repeat the scenario's own id, appear twice, or be
the id or an alias of another curated scenario.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chaosgame.scenario.index import Entry
    from chaosgame.scenario.model import Scenario
    from chaosgame.scenario.yamlread import Loc, Problem


def _others(path: str | Path, sid: str) -> list[Entry]:
    """The curated scenarios other than this file (and other than copies of it: a file with
    the same id is the same scenario, edited somewhere else)."""
    from chaosgame.scenario.index import read_index

    here = Path(path).resolve()
    return [
        e
        for e in read_index()
        if e.path is not None and not e.problem and e.path.resolve() != here and e.id != sid
    ]


def collisions(sc: Scenario, path: str | Path) -> list[tuple[Loc, str]]:
    """Where an id or alias of ``sc`` makes an alias ambiguous, and why."""
    found: list[tuple[Loc, str]] = []
    seen: set[str] = set()
    for i, alias in enumerate(sc.aliases):
        if alias == sc.id:
            found.append((("aliases", i), f"the alias '{alias}' repeats the scenario's id"))
        elif alias in seen:
            found.append((("aliases", i), f"the alias '{alias}' is listed twice"))
        seen.add(alias)
    for e in _others(path, sc.id):
        for i, alias in enumerate(sc.aliases):
            if alias == e.id:
                found.append(
                    (
                        ("aliases", i),
                        f"the alias '{alias}' is the id of another scenario ({e.path})",
                    )
                )
            elif alias in e.aliases:
                found.append(
                    (
                        ("aliases", i),
                        f"the alias '{alias}' is also an alias of '{e.id}' ({e.path}): an "
                        "earlier id must lead to one scenario",
                    )
                )
        if sc.id in e.aliases:
            found.append(
                (
                    ("id",),
                    f"the id '{sc.id}' is an earlier id of '{e.id}' ({e.path}), kept in its "
                    "aliases for saved runs: choose another id",
                )
            )
    return found


def alias_problems(sc: Scenario, path: str | Path) -> list[Problem]:
    """``validate``'s errors about ``sc``'s aliases (read from ``path``), placed at the value."""
    from chaosgame.scenario.yamlread import Problem, file_marks

    found = collisions(sc, path)
    if not found:
        return []
    marks = file_marks(path)
    out = []
    for loc, message in found:
        where, line, col = marks.get(loc, marks.get(loc[:1], (str(path), 1, 1)))
        out.append(Problem(where, line, col, message))
    return out
