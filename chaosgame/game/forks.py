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

from chaosgame.game.paged import scenario_memo
from chaosgame.game.session import Session
from chaosgame.scenario.model import Scenario


def fork(session: Session) -> Session:
    """An independent copy of ``session`` (its world as far as it has run) sharing only its
    scenario; it plays on exactly as ``session`` would."""
    if session.on_action is not None:
        raise ValueError("a session that reports its actions cannot be forked")
    return copy.deepcopy(session, scenario_memo(session.scenario))


def paged(scenario: Scenario, seed: int) -> Session:
    """A session of ``scenario`` and ``seed`` started and run to the page (no action yet)."""
    session = Session(scenario, seed)
    session.reset()
    return session
