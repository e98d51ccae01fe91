"""Runs that share their beginning: one simulation up to the page, then a copy per player.

Every player ``chaosgame check`` plays (doing nothing, the reference solution) sees the same
world up to the page: the session runs it there before any action. So the world is simulated
to the page once and copied (:func:`fork`) for each player, instead of being simulated from
the start again. A copy continues exactly as a fresh session would: it holds its own copy of
every piece of the world's state (random streams included), and shares only the scenario,
which is frozen and which every session of it shares anyway.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel

from chaosgame.game.session import Session
from chaosgame.scenario.model import Scenario


def _scenario_parts(obj: Any, memo: dict[int, Any]) -> None:
    """Enter every object of a (frozen) scenario model in ``memo``, so a deep copy of a
    session shares them rather than copying them."""
    if id(obj) in memo:
        return
    if isinstance(obj, BaseModel):
        memo[id(obj)] = obj
        for name in type(obj).model_fields:
            _scenario_parts(getattr(obj, name), memo)
    elif isinstance(obj, (list, tuple, set, frozenset)):
        memo[id(obj)] = obj
        for x in obj:
            _scenario_parts(x, memo)
    elif isinstance(obj, dict):
        memo[id(obj)] = obj
        for x in obj.values():
            _scenario_parts(x, memo)


def fork(session: Session) -> Session:
    """An independent copy of ``session`` (its world as far as it has run) sharing only its
    scenario; it plays on exactly as ``session`` would."""
    if session.on_action is not None:
        raise ValueError("a session that reports its actions cannot be forked")
    memo: dict[int, Any] = {}
    _scenario_parts(session.scenario, memo)
    return copy.deepcopy(session, memo)


def paged(scenario: Scenario, seed: int) -> Session:
    """A session of ``scenario`` and ``seed`` started and run to the page (no action yet)."""
    session = Session(scenario, seed)
    session.reset()
    return session
