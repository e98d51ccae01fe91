"""What each of the player's actions costs in simulated seconds: the one table of them.

The session charges these (``chaosgame.game.session``), the views and the query language
report them (``chaosgame.game.views``, ``chaosgame.telemetry.query``), the consoles show them
and the score's investigation part adds the query time up. They live in the lowest package so
that every one of those can import them; change a cost here and it changes everywhere.
"""

from __future__ import annotations

from typing import Final

VIEW_COSTS: Final[dict[str, float]] = {
    "map": 20.0,
    "metric": 45.0,
    "events": 30.0,
    "slo": 10.0,
    "deploys": 20.0,
}
"""Simulated seconds each view of the session (``{"type": "query", "view": ...}``) takes to
open and read."""

QUERY_COSTS: Final[dict[str, float]] = {
    "metrics": 30.0,
    "logs": 45.0,
    "traces": 60.0,
    "trace": 20.0,
    "events": 20.0,
    "changes": 20.0,
    "pods": 15.0,
    "map": 20.0,
    "alerts": 10.0,
    "profile": 60.0,
    "catalogue": 0.0,
    "help": 0.0,
}
"""Simulated seconds each kind of query-language query (``{"type": "query", "q": ...}``)
takes to write, run and read."""

MITIGATION_HANDS_ON: Final[float] = 30.0
"""Simulated seconds it takes the player to carry out any mitigation (before its own delay)."""
