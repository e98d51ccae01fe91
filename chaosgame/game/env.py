"""The agent protocol as a Gymnasium-shaped environment, for programs written in Python.

::

    env = IncidentEnv(scenario)
    obs, info = env.reset()
    while True:
        obs, reward, terminated, truncated, info = env.step({"op": "wait", "seconds": 60})
        if terminated or truncated:
            break
    print(info["score"]["total"])

``reset`` and ``step`` follow Gymnasium's signatures (``reset(seed=None, options=None)``
returns ``(observation, info)``; ``step(action)`` returns ``(observation, reward,
terminated, truncated, info)``), without depending on Gymnasium. Actions are the requests of
the JSON-lines protocol (``docs/agent-protocol.md``) without their ``id``; observations are
its answers. It plays through :class:`~chaosgame.game.agent_session.AgentSession`, so a
Python program sees exactly what a program on the other end of a pipe sees, and nothing of
the hidden truth before the game ends.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from chaosgame.game.agent_session import AgentSession

if TYPE_CHECKING:
    from chaosgame.scenario.model import Scenario

__all__ = ["IncidentEnv"]


class IncidentEnv:
    """One incident to play again and again, one episode per :meth:`reset`.

    * observation: the protocol's answer to the step's request (``{"result": ...}`` or
      ``{"error": {"code", "message"}}``); :meth:`reset` gives the answer to ``observe``
      (the briefing and the first observation);
    * reward: 0 until the game ends, then the score's total divided by 100 (0 to 1);
    * terminated: the player ended the game; truncated: the time limit ended it;
    * info: ``{"error": code}`` for a refused request, and once the game is over
      ``{"score": {...}, "debrief": {...}}``.

    A refused request costs nothing and the episode goes on, as in the protocol.
    """

    metadata: dict[str, Any] = {"render_modes": []}

    def __init__(self, scenario: Scenario, seed: int | None = None) -> None:
        self.scenario = scenario
        self._seed = seed
        self._session: AgentSession | None = None
        self._counter = 0

    def reset(
        self, *, seed: int | None = None, options: Mapping[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Start a new episode (``seed`` replaces the incident's seed from now on)."""
        if options:
            raise ValueError(f"reset takes no options; got {sorted(options)}")
        if seed is not None:
            self._seed = seed
        self._session = AgentSession(self.scenario, self._seed)
        self._counter = 0
        return self._send({"op": "observe"}), {}

    def step(
        self, action: Mapping[str, Any]
    ) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        """Send one request (an ``op`` and its fields); see the class for what comes back."""
        if self._session is None:
            raise RuntimeError("call reset() before step()")
        if not isinstance(action, Mapping):
            answer: dict[str, Any] = {
                "error": {"code": "invalid_request", "message": "an action is a mapping with 'op'"}
            }
        else:
            answer = self._send(dict(action))
        info: dict[str, Any] = {}
        if "error" in answer:
            info["error"] = answer["error"]["code"]
        result = answer.get("result") or {}
        reward, terminated, truncated = 0.0, False, False
        if result.get("ended"):
            info["score"] = result["score"]
            info["debrief"] = result["debrief"]
            reward = float(result["score"]["total"]) / 100.0
            truncated = result["end_reason"] == "time is up"
            terminated = not truncated
        return answer, reward, terminated, truncated, info

    def close(self) -> None:
        """Drop the episode in play."""
        self._session = None

    def _send(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self._session is not None
        self._counter += 1
        request.pop("id", None)
        answer = self._session.handle({"id": self._counter, **request})
        answer.pop("id", None)
        return answer
