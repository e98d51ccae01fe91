"""A game played on a classroom server: the player view's interface over a websocket.

:class:`RemoteView` answers as :class:`~chaosgame.game.player.PlayerView` does (``start``,
``act``, ``observe``, ``briefing``, ``clock``, ``end``, ``debrief``...), so the text console
and the terminal UI play a remote game as they play a local one. Every action goes to the
server, which runs the game and keeps the answer's truth until the host reveals it.

A lost connection is taken up again with the player's token (kept in a file per round, so
a restarted laptop carries on too); an action whose answer was lost is not sent twice: the
server's count of the player's actions tells whether it was taken.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from chaosgame.game.flow import DebriefPending

__all__ = ["NotRevealed", "RemoteError", "RemoteView", "event_line", "token_file"]

RETRIES = 6
"""Attempts to reconnect after a lost connection (waiting 0.5, 1, 2... seconds)."""


class RemoteError(Exception):
    """The server cannot be reached, or refused to let the player in (the message says why;
    ``code`` is the server's error code, e.g. ``name_taken``, when it answered)."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class NotRevealed(DebriefPending):
    """The game has ended, and the host has not revealed the debrief yet."""


def token_file(address: str, code: str, name: str) -> Path:
    """Where the player's token for a round is kept, in the user's data directory."""
    import platformdirs

    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in f"{address}-{code}-{name}")
    return platformdirs.user_data_path("chaosgame", appauthor=False) / "rounds" / f"{safe}.token"


class RemoteView:
    """A player's game on a classroom server."""

    def __init__(
        self,
        address: str,
        code: str,
        name: str,
        token: str | None = None,
        *,
        keep_token: bool = True,
        timeout: float = 300.0,
    ) -> None:
        self.address = address
        self.code = code.strip().upper()
        self.name = name.strip()
        self._timeout = timeout
        self._keep = token_file(address, self.code, self.name) if keep_token else None
        if token is None and self._keep is not None and self._keep.exists():
            token = self._keep.read_text(encoding="utf-8").strip() or None
        self._token = token
        self._ws: Any = None
        self._next = 0
        self._brief: dict[str, Any] = {}
        self._obs: dict[str, Any] = {}
        self._actions: list[dict[str, Any]] = []
        self._declarations: list[dict[str, Any]] = []
        self._hook: Callable[[], None] | None = None
        self.events: list[dict[str, Any]] = []
        """What the host did (hints, pauses, the reveal), oldest first."""
        self.on_event: Callable[[dict[str, Any]], None] | None = None
        """Called with each event as it arrives (from the thread that reads answers)."""
        self.taken_before = 0
        """Actions the server already had from this player when they (re)joined."""
        self.title = ""
        self.mode = "class"
        """``class`` or ``interview`` (as the server said on joining)."""
        self._lock = threading.RLock()
        """One request at a time on the connection (the TUI sends notes from another thread)."""
        self._quiet = threading.Event()
        """Set when the view is closed: the listener (:meth:`listen`) stops."""
        self._listener: threading.Thread | None = None
        self._connect()

    # ---------------------------------------------------------------- the connection
    def _connect(self) -> None:
        from websockets.exceptions import InvalidHandshake, InvalidURI
        from websockets.sync.client import connect

        url = f"ws://{self.address}/ws/play"
        try:
            self._ws = connect(url, open_timeout=10, max_size=2**24).__enter__()
        except (OSError, InvalidHandshake, InvalidURI, TimeoutError) as exc:
            raise RemoteError(
                f"cannot reach the classroom server at {self.address}: {exc}"
            ) from None
        joined = self._call(
            {"op": "join", "round": self.code, "name": self.name, "token": self._token}
        )
        if "error" in joined:
            self._ws.close()
            raise RemoteError(joined["error"]["message"], str(joined["error"].get("code", "")))
        info = joined["result"]["joined"]
        self._token = str(info["token"])
        self.title = str(info.get("title", ""))
        self.mode = str(info.get("mode", "class"))
        self.taken_before = int(info.get("actions", 0))
        if self._keep is not None:
            try:
                self._keep.parent.mkdir(parents=True, exist_ok=True)
                self._keep.write_text(self._token, encoding="utf-8")
                os.chmod(self._keep, 0o600)
            except OSError:
                pass  # the token still works for this session; only a restart needs the file

    def _call(self, request: dict[str, Any]) -> dict[str, Any]:
        """Send one request and wait for its answer; events that come first are kept."""
        with self._lock:
            return self._call_locked(request)

    def _call_locked(self, request: dict[str, Any]) -> dict[str, Any]:
        self._next += 1
        rid = self._next
        self._ws.send(json.dumps({**request, "id": rid}))
        deadline = time.monotonic() + self._timeout
        while True:
            raw = self._ws.recv(timeout=max(deadline - time.monotonic(), 0.1))
            answer = json.loads(raw)
            if "event" in answer:
                self._event(answer["event"])
                continue
            if answer.get("id") == rid:
                return dict(answer)

    def _event(self, event: dict[str, Any]) -> None:
        self.events.append(event)
        if self.on_event is not None:
            self.on_event(event)

    def _ask(self, request: dict[str, Any], action: bool = False) -> dict[str, Any]:
        """A request to the game, taken up again after a lost connection; an action whose
        answer was lost is not sent again once the server shows it was taken."""
        from websockets.exceptions import ConnectionClosed

        for attempt in range(RETRIES + 1):
            try:
                return self._call(request)
            except (ConnectionClosed, OSError, TimeoutError):
                if attempt == RETRIES:
                    raise RemoteError(
                        f"lost the connection to {self.address} and could not get it back"
                    ) from None
                time.sleep(min(0.5 * 2**attempt, 8.0))
                try:
                    self._connect()
                except RemoteError:
                    continue
                if action and self.taken_before > len(self._actions):
                    # the server took the action before the connection dropped
                    obs = self._call({"op": "observe"})["result"]["observation"]
                    return {
                        "result": {"answer": {"resumed": True}, "cost_s": 0.0, "observation": obs}
                    }
        raise AssertionError("unreachable")

    @property
    def token(self) -> str:
        """The player's token: with it they come back as themselves (``--token``)."""
        return self._token or ""

    def think(self, text: str) -> None:
        """A think-aloud note for the host: kept with the time, costs no game time, changes
        nothing in the game.

        Raises:
            RemoteError: the server refused it (the message says why) or cannot be reached.
        """
        answer = self._ask({"op": "think", "text": text})
        if "error" in answer:
            raise RemoteError(str(answer["error"]["message"]))

    def listen(self, every: float = 1.0) -> None:
        """Read what the host sends while the player asks nothing (a hint, a teammate's
        message, a pause), every ``every`` seconds, so that it shows at once rather than with
        the next request: for a frontend that shows events as they come (the terminal UI).
        ``on_event`` is then called from the listener's thread too."""
        if self._listener is not None:
            return
        self._listener = threading.Thread(
            target=self._listen, args=(every,), name="classroom-events", daemon=True
        )
        self._listener.start()

    def _listen(self, every: float) -> None:
        while not self._quiet.wait(every):
            if not self._lock.acquire(blocking=False):
                continue  # a request is under way: its own reading takes the events
            try:
                while not self._quiet.is_set():
                    answer = json.loads(self._ws.recv(timeout=0.01))
                    if "event" in answer:
                        self._event(answer["event"])
            except TimeoutError:
                pass  # nothing more for now
            except Exception:
                pass  # the connection is down: the next request takes it up again
            finally:
                self._lock.release()

    def close(self) -> None:
        self._quiet.set()
        if self._ws is not None:
            self._ws.close()

    # ---------------------------------------------------------------- the player view
    def start(self) -> dict[str, Any]:
        answer = self._ask({"op": "observe"})
        if "error" in answer:
            raise RemoteError(answer["error"]["message"])
        self._brief = dict(answer["result"]["briefing"])
        self._obs = dict(answer["result"]["observation"])
        return self._obs

    def observe(self) -> dict[str, Any]:
        answer = self._ask({"op": "observe"})
        if "result" in answer:
            self._obs = dict(answer["result"]["observation"])
        return self._obs

    def briefing(self) -> dict[str, Any]:
        return dict(self._brief)

    def act(
        self, action: Mapping[str, Any], stop: Callable[[], bool] | None = None
    ) -> dict[str, Any]:
        """One action, answered as :meth:`PlayerView.act` answers."""
        request = {("op" if k == "type" else k): v for k, v in action.items()}
        before = float(self._obs.get("time", 0.0))
        answer = self._ask(request, action=True)
        if "error" in answer:
            return {
                "ok": False,
                "error": answer["error"]["message"],
                "code": answer["error"]["code"],
                "observation": self._obs,
            }
        result = answer["result"]
        self._obs = dict(result.get("observation", self._obs))
        body = result.get("answer", {"ended": True} if result.get("ended") else result)
        cost = float(result.get("cost_s", 0.0))
        self._actions.append({"time": before, "action": _as_recorded(action), "cost_s": cost})
        if action.get("type") == "declare" and isinstance(body, Mapping):
            self._declarations.append({"time": before, "hypotheses": body.get("declared", [])})
        if self._hook is not None:
            self._hook()
        return {"ok": True, "result": body, "cost_s": cost, "observation": self._obs}

    def clock(self, t: float | None = None) -> str:
        """Wall-clock ``HH:MM:SS`` of simulated second ``t`` (default: now)."""
        now = float(self._obs.get("time", 0.0))
        text = str(self._obs.get("clock", "00:00:00"))
        h, m, s = (int(x) for x in text.split(":"))
        base = h * 3600 + m * 60 + s
        at = int(round(base + ((now if t is None else t) - now))) % 86400
        return f"{at // 3600:02d}:{at // 60 % 60:02d}:{at % 60:02d}"

    def on_action(self, hook: Callable[[], None] | None) -> None:
        self._hook = hook

    @property
    def scenario_id(self) -> str:
        return str(self._brief.get("id", self.code))

    @property
    def seed(self) -> int:
        return 0

    @property
    def now(self) -> float:
        return float(self._obs.get("time", 0.0))

    @property
    def started_at(self) -> float:
        return self.now - float(self._obs.get("elapsed_s", 0.0))

    @property
    def ended(self) -> bool:
        return self._obs.get("status") == "ended"

    @property
    def end_reason(self) -> str:
        return str(self._obs.get("end_reason", ""))

    @property
    def actions(self) -> list[dict[str, Any]]:
        return [dict(a) for a in self._actions]

    @property
    def declarations(self) -> list[dict[str, Any]]:
        return [dict(d) for d in self._declarations]

    def end(self) -> dict[str, Any]:
        if self.ended:
            return {"ok": True, "result": {"ended": True}, "observation": self._obs}
        return self.act({"type": "end"})

    def revealed(self) -> bool:
        """Whether the host has revealed the debrief (an event said so)."""
        return any(e.get("kind") == "revealed" for e in self.events)

    def wait_for_reveal(self, poll: float = 2.0, give_up: float | None = None) -> bool:
        """Wait until the host reveals the debrief (True), or ``give_up`` seconds pass."""
        start = time.monotonic()
        while not self.revealed():
            if give_up is not None and time.monotonic() - start > give_up:
                return False
            try:
                with self._lock:
                    raw = self._ws.recv(timeout=poll)
            except TimeoutError:
                continue
            except Exception:  # the connection dropped: take it up again and ask
                self._ask({"op": "observe"})
                continue
            answer = json.loads(raw)
            if "event" in answer:
                self._event(answer["event"])
        return True

    def _final(self) -> dict[str, Any]:
        answer = self._ask({"op": "debrief"})
        if "error" in answer:
            if answer["error"]["code"] == "not_revealed":
                raise NotRevealed(answer["error"]["message"])
            raise RemoteError(answer["error"]["message"])
        return dict(answer["result"])

    def debrief(self, run_id: int | None = None) -> dict[str, Any]:
        """The debrief, once the host has revealed it (:class:`NotRevealed` before)."""
        return dict(self._final()["debrief"])

    def score(self) -> dict[str, Any]:
        return dict(self._final()["score"])


def _as_recorded(action: Mapping[str, Any]) -> dict[str, Any]:
    """The action as a game records it (every field, defaults filled in), as
    :attr:`PlayerView.actions` holds it."""
    from chaosgame.game.actions import Wait, parse_action

    try:
        act = parse_action(dict(action))
    except ValueError:
        return dict(action)
    return act.model_dump(mode="json", exclude_none=isinstance(act, Wait))


def event_line(event: Mapping[str, Any]) -> str:
    """What the host did, in a sentence for the player."""
    kind = event.get("kind")
    if kind == "hint":
        penalty = float(event.get("penalty", 0.0))
        cost = f" (it costs {penalty:g} points)" if penalty else ""
        return f"Hint from the host{cost}: {event.get('text', '')}"
    if kind == "message":
        return f"Message from {event.get('sender', 'a teammate')}: {event.get('text', '')}"
    words = {
        "paused": "The host paused the round: actions wait until they resume.",
        "open": "The host resumed the round.",
        "ended": "The host ended the round.",
        "revealed": "The host revealed the debrief.",
    }
    return words.get(str(kind), f"The host: {kind}")
