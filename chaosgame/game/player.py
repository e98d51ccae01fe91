"""The player view: the one door every frontend has into a game.

A frontend (the terminal UI, the text console, the agent protocol, a classroom client) gets a
:class:`PlayerView` and nothing else. It answers in plain data only, and everything it returns
has been through telemetry, so every observability gap of the scenario applies: numbers that
were never scraped do not exist here, a dark pager does not page. The simulation, the scenario's
faults and its hidden truth are not reachable from any public attribute; the truth appears only
in the debrief, after the game has ended.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from chaosgame.game.menu import mitigation_problem
from chaosgame.game.session import Session

if TYPE_CHECKING:
    from chaosgame.game.records import RunRecord
    from chaosgame.game.scoring import Assessment
    from chaosgame.scenario.model import Scenario

__all__ = ["PlayerView"]


class PlayerView:
    """What the on-call engineer can see and do in one game, as plain data."""

    __slots__ = ("__session", "__assessment")

    def __init__(self, scenario: Scenario, seed: int | None = None) -> None:
        self.__session = Session(scenario, seed)
        self.__assessment: Assessment | None = None

    @classmethod
    def resumed(cls, record: RunRecord) -> PlayerView:
        """The view of a saved game in progress, replayed to where it stopped."""
        from chaosgame.game.records import resume_session

        view = cls.__new__(cls)
        view.__session = resume_session(record)
        view.__assessment = None
        return view

    @classmethod
    def _around(cls, session: Session) -> PlayerView:
        """The view of a session the core itself drives: the answer-key strategy player
        (``chaosgame.game.strategies``), which may also read the true state it waits on."""
        view = cls.__new__(cls)
        view.__session = session
        view.__assessment = None
        return view

    # ------------------------------------------------------------------ game
    def start(self) -> dict[str, Any]:
        """Run the world up to the page; the first observation."""
        self.__assessment = None
        return self.__session.reset()

    def act(
        self, action: Mapping[str, Any], stop: Callable[[], bool] | None = None
    ) -> dict[str, Any]:
        """Carry out one action: ``{"ok", "result" | "error", "cost_s", "observation"}``.

        ``stop`` lets a frontend drop a long query it no longer wants (it is asked between
        chunks of a log search; the answer is then ``{"ok": False, "cancelled": True}``).
        A refused mitigation's error is a sentence naming the parameter and what it takes.
        """
        out = self.__session.step(dict(action), stop)
        if not out["ok"] and not out.get("cancelled") and action.get("type") == "mitigate":
            problem = mitigation_problem(action)
            if problem:
                out = {**out, "error": problem}
        return out

    def inject(self, event: dict[str, Any]) -> dict[str, Any]:
        """Add a game master's event (checked by :func:`chaosgame.game.injections.check`) at
        the game's clock: what a classroom host sends to a round in progress."""
        self.__assessment = None
        return self.__session.inject(event)

    def observe(self) -> dict[str, Any]:
        """What the on-call engineer sees at a glance now."""
        return self.__session.observe()

    def briefing(self) -> dict[str, Any]:
        """The page as it was received: title, briefing, components, journeys."""
        return self.__session.briefing()

    def clock(self, t: float | None = None) -> str:
        """Wall-clock ``HH:MM:SS`` of simulated second ``t`` (default: now)."""
        return self.__session.clock(t)

    def on_action(self, hook: Callable[[], None] | None) -> None:
        """Call ``hook`` after every accepted action (a frontend saves the game there)."""
        self.__session.on_action = None if hook is None else (lambda _s: hook())

    # ----------------------------------------------------------- player facts
    @property
    def scenario_id(self) -> str:
        """The scenario's id."""
        return self.__session.scenario.id

    @property
    def seed(self) -> int:
        """The seed in play."""
        return self.__session.seed

    @property
    def now(self) -> float:
        """Simulated seconds on the game clock."""
        return self.__session.now

    @property
    def started_at(self) -> float:
        """Simulated second the player was paged."""
        return self.__session.start_time

    @property
    def ended(self) -> bool:
        """Whether the game is over."""
        return self.__session.ended

    @property
    def end_reason(self) -> str:
        """Why the game ended ("time is up", "ended by the player"), or "" while it is on."""
        return self.__session.end_reason

    @property
    def actions(self) -> list[dict[str, Any]]:
        """The player's own accepted actions, oldest first (a copy)."""
        return copy.deepcopy(self.__session.actions)

    @property
    def declarations(self) -> list[dict[str, Any]]:
        """The player's own diagnoses, oldest first (a copy)."""
        return copy.deepcopy(self.__session.declarations)

    # --------------------------------------------------------------- the end
    def end(self) -> dict[str, Any]:
        """End the game if it is still on (the same as the ``end`` action)."""
        if self.__session.ended:
            return {"ok": True, "result": {"ended": True}, "observation": self.observe()}
        return self.act({"type": "end"})

    def debrief(self, run_id: int | None = None) -> dict[str, Any]:
        """The debrief as plain data (score, truth, paths, SLI curves, postmortem).

        Only after the game has ended: this is where the hidden truth is revealed.
        """
        from chaosgame.game.debrief import build_debrief
        from chaosgame.game.debrief_text import render_debrief
        from chaosgame.game.postmortem import build_postmortem

        assessment = self._assessment()
        data = build_debrief(assessment)
        data["text"] = render_debrief(data)
        data["postmortem"] = build_postmortem(assessment, run_id)
        return data

    def score(self) -> dict[str, Any]:
        """The score parts as plain data (only after the game has ended)."""
        return self._assessment().score.as_dict()

    def _assessment(self) -> Assessment:
        if not self.__session.ended:
            raise RuntimeError("the debrief opens once the game has ended")
        if self.__assessment is None:
            self.__assessment = self.__session.finish()
        return self.__assessment

    def _score_if_ended_now(self) -> float | None:
        """The total this game would score if it ended now, or None once it has ended (its
        score is then its own) or before it starts. A copy of the game is ended and scored;
        this one goes on untouched. Not for the player, who would learn from it whether a
        diagnosis is right: a classroom host's leaderboard reads it
        (:meth:`chaosgame.game.agent_session.AgentSession.provisional_score`)."""
        from chaosgame.game.forks import fork

        session = self.__session
        if session.ended or session.sim is None:
            return None
        ahead = fork(session)
        ahead.step({"type": "end"})
        return float(ahead.finish().score.total)

    def _save_to(self, store: Any, run_id: int | None) -> int:
        """Attach the game to a run store (records read the session; frontends cannot)."""
        rid: int = store.attach(self.__session, run_id)
        return rid

    def _finish_in(self, store: Any, run_id: int) -> None:
        """Record the finished game with its score in a run store."""
        store.finish(run_id, self.__session, self._assessment().score.as_dict())
