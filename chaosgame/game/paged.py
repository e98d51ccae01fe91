"""The world up to the page, simulated once per scenario and seed in a process, then copied.

Every game of a scenario and seed sees the same world up to the page: the page comes before
any action. A process that starts such a game again (an evaluation playing several policies,
the comparison runs every score is measured against, a classroom server rebuilding players'
games) copies the world kept from the first time instead of simulating it again. A copy
continues exactly as a fresh simulation would: it holds its own copy of every piece of the
world's state, random streams included, and shares only the frozen scenario.

Games started at once in several threads (a class joining a classroom server together) wait
for the first one's world rather than each simulate it again (:func:`once`).
"""

from __future__ import annotations

import copy
import threading
import weakref
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator
    from chaosgame.scenario.model import Scenario

__all__ = ["KEEP", "clear", "copy_world", "keep", "once", "recall", "scenario_memo"]

KEEP = 4
"""Worlds kept in a process (the most recently used)."""

_KEPT: OrderedDict[tuple[int, int], tuple[weakref.ref[Scenario], Simulator, float]] = OrderedDict()
_LOCK = threading.Lock()
_BUSY: dict[Hashable, tuple[threading.Lock, list[int]]] = {}


@contextmanager
def once(key: Hashable) -> Iterator[None]:
    """Hold ``key`` while computing what is kept under it: another thread wanting the same
    waits here, then finds it kept, instead of computing it too."""
    with _LOCK:
        lock, users = _BUSY.setdefault(key, (threading.Lock(), [0]))
        users[0] += 1
    try:
        with lock:
            yield
    finally:
        with _LOCK:
            users[0] -= 1
            if not users[0]:
                del _BUSY[key]


def scenario_memo(scenario: Scenario) -> dict[int, Any]:
    """A deep-copy memo holding every object of the (frozen) scenario, so a copy of a world
    or a session shares them rather than copying them."""
    memo: dict[int, Any] = {}
    todo: list[Any] = [scenario]
    while todo:
        obj = todo.pop()
        if id(obj) in memo:
            continue
        if isinstance(obj, BaseModel):
            memo[id(obj)] = obj
            todo.extend(getattr(obj, name) for name in type(obj).model_fields)
        elif isinstance(obj, (list, tuple, set, frozenset)):
            memo[id(obj)] = obj
            todo.extend(obj)
        elif isinstance(obj, dict):
            memo[id(obj)] = obj
            todo.extend(obj.values())
    return memo


def copy_world(sim: Simulator) -> Simulator:
    """An independent copy of ``sim`` as far as it has run, sharing only its scenario."""
    return copy.deepcopy(sim, scenario_memo(sim.scenario))


def recall(scenario: Scenario, seed: int) -> tuple[Simulator, float] | None:
    """A copy of the world of ``scenario`` and ``seed`` at the page, and the page time, if
    this process has kept it (for this very scenario object)."""
    with _LOCK:
        found = _KEPT.get((id(scenario), seed))
        if found is None or found[0]() is not scenario:
            return None
        _KEPT.move_to_end((id(scenario), seed))
        sim, page = found[1], found[2]
    return copy_world(sim), page


def keep(scenario: Scenario, seed: int, sim: Simulator, page: float) -> None:
    """Keep a copy of ``sim``, the world of ``scenario`` and ``seed`` run to the page."""
    kept = copy_world(sim)
    with _LOCK:
        _KEPT[(id(scenario), seed)] = (weakref.ref(scenario), kept, page)
        _KEPT.move_to_end((id(scenario), seed))
        while len(_KEPT) > KEEP:
            _KEPT.popitem(last=False)


def clear() -> None:
    """Forget every kept world."""
    with _LOCK:
        _KEPT.clear()
