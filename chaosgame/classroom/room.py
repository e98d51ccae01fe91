"""A round of one incident for a room: players, their games rebuilt from journals, the host's
controls. No network here: the server (:mod:`chaosgame.classroom.server`) carries requests in
and answers out.

Every game is an :class:`~chaosgame.game.agent_session.AgentSession`, so a player gets exactly
the answers of the agent protocol, with one difference: before the host reveals the debrief,
the answer that ends a game holds neither the score nor the debrief (they carry the hidden
truth). A request that changes a game is written to the store before it is answered; a
server that has no game in memory, or an older one (another server process answered since),
replays the journal first. Same scenario, seed and requests: the same game, anywhere.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chaosgame.classroom import interview
from chaosgame.classroom.store import Player, Round, Store
from chaosgame.game.agent_session import ACTION_OPS, AgentSession

if TYPE_CHECKING:
    from chaosgame.scenario.model import Scenario

__all__ = ["Room", "RoomError", "new_round"]

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
"""Join codes: easy to read aloud and to type (no 0/O, 1/I/L, U)."""
NAME_MAX = 40
JOURNALED = frozenset(ACTION_OPS)
"""Requests that change a game: written to the journal before they are answered."""
TRUTH_FIELDS = ("score", "debrief")
"""What the answer ending a game holds back until the host reveals the debrief."""
ESTIMATES_PER_READ = 3
"""Games in progress whose score-if-ended-now one reading of the standings works out afresh
(each costs a copy of the game ended and scored): the rest keep their last one."""
INJECT = "inject"
"""A journal line that is the host's event, not the player's request (no request has this
op: players cannot send it)."""


class RoomError(Exception):
    """A request the room refuses: ``code`` as in the agent protocol's errors, plus
    ``unauthorised``, ``no_round``, ``name_taken``, ``round_full`` (an interview's second
    candidate) and ``paused``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _code() -> str:
    pick = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{pick[:4]}-{pick[4:]}"


def new_round(
    store: Store, scenario: Scenario, seed: int | None = None, mode: str = "class"
) -> tuple[Round, str]:
    """Open a round of ``scenario`` in ``store``: the round and the host's token (shown once,
    kept only as a hash)."""
    token = secrets.token_urlsafe(24)
    for _ in range(20):
        r = Round(
            code=_code(),
            mode=mode,
            title=scenario.title,
            scenario=scenario.model_dump_json(),
            seed=scenario.seed if seed is None else seed,
            host_hash=_hash(token),
            state="open",
            created=time.time(),
        )
        if store.create_round(r):
            return r, token
    raise RuntimeError("could not find a free join code")


@dataclass
class _Game:
    session: AgentSession
    seq: int = 0
    ended_at: float | None = None
    """When the request that ended the game was written (wall clock): hints sent later do
    not cost this player."""
    lock: threading.Lock = field(default_factory=threading.Lock)


class Room:
    """One round as a server process sees it (several processes may serve the same round)."""

    def __init__(self, store: Store, code: str, clock: Callable[[], float] = time.time) -> None:
        r = store.round(code)
        if r is None:
            raise RoomError("no_round", f"no round has the code {code}")
        self.store = store
        self.code = code
        self._clock = clock
        from chaosgame.scenario.model import Scenario

        self.scenario = Scenario.model_validate_json(r.scenario)
        self.seed = r.seed
        self.mode = r.mode
        self._games: dict[str, _Game] = {}
        self._lock = threading.Lock()
        self._estimates: dict[str, tuple[int, float | None]] = {}
        """Per player: the journal line their score-if-ended-now was worked out at, and it."""

    # ---------------------------------------------------------------- state
    @property
    def round(self) -> Round:
        r = self.store.round(self.code)
        assert r is not None
        return r

    @property
    def state(self) -> str:
        return self.round.state

    def check_host(self, token: str) -> None:
        """Raise unless ``token`` is this round's host token."""
        if not hmac.compare_digest(_hash(token), self.round.host_hash):
            raise RoomError("unauthorised", "this is not the host's token for the round")

    # ---------------------------------------------------------------- players
    def join(self, name: str, token: str | None = None) -> str:
        """Enter the round as ``name``: a new player gets a token; a returning one (after a
        lost connection) gives theirs back and carries on where they were."""
        name = name.strip()
        if not name or len(name) > NAME_MAX or not name.isprintable():
            raise RoomError("invalid_params", f"a name is 1 to {NAME_MAX} printable characters")
        known = self.store.player(self.code, name)
        if known is not None:
            if token is None or not hmac.compare_digest(_hash(token), known.token_hash):
                raise RoomError(
                    "name_taken",
                    f"{name!r} is already playing in this round; pick another name, or "
                    "rejoin with your token",
                )
            return token
        if self.state in ("ended", "revealed"):
            raise RoomError("game_over", "this round has ended; ask the host for the next one")
        if self.mode == "interview":
            interview.admit(self, name)
        fresh = secrets.token_urlsafe(18)
        if not self.store.add_player(Player(self.code, name, _hash(fresh), self._clock())):
            raise RoomError("name_taken", f"{name!r} was taken a moment ago; pick another")
        return fresh

    def authorise(self, name: str, token: str) -> None:
        known = self.store.player(self.code, name)
        if known is None or not hmac.compare_digest(_hash(token), known.token_hash):
            raise RoomError("unauthorised", "unknown player or wrong token for this round")

    # ---------------------------------------------------------------- playing
    def request(self, name: str, token: str, request: dict[str, Any]) -> dict[str, Any]:
        """Answer one protocol request of player ``name`` (after checking their token)."""
        self.authorise(name, token)
        return self.answer(name, request)

    def answer(self, name: str, request: dict[str, Any]) -> dict[str, Any]:
        """Answer one request of a player already authorised."""
        rid = request.get("id") if isinstance(request, dict) else None
        op = request.get("op") if isinstance(request, dict) else None
        if op == "think":  # a think-aloud note: the round's log, never the game
            return interview.think(self, name, request, self._clock())
        state = self.state
        if op == "debrief":
            return self._debrief(name, rid, state)
        game = self._game(name)
        at: float | None = None
        with game.lock:
            self._catch_up(name, game)
            if op in JOURNALED and state == "paused":
                return _error(rid, "paused", "the host has paused the round; wait for them")
            if op in JOURNALED and state in ("ended", "revealed") and not game.session.ended:
                return _error(rid, "game_over", "the host has ended the round")
            if op in JOURNALED and isinstance(request, dict):
                entry = {k: v for k, v in request.items() if k != "id"}
                at = self._clock()
                while not self.store.append(self.code, name, game.seq + 1, entry, at):
                    self._catch_up(name, game)  # another server process answered first
                    at = self._clock()
                game.seq += 1
            answer = game.session.handle(request)
            if at is not None and game.ended_at is None and game.session.ended:
                game.ended_at = at
        return self._screened(answer, state)

    def _game(self, name: str) -> _Game:
        with self._lock:
            game = self._games.get(name)
            if game is None:
                # the score waits for whoever reads it (the leaderboard, the reveal): the
                # player who ends a game is answered at once
                game = _Game(AgentSession(self.scenario, self.seed, score_at_end=False))
                self._games[name] = game
            return game

    def _catch_up(self, name: str, game: _Game) -> None:
        """Replay journal lines written since this process last saw the game."""
        for line in self.store.journal(self.code, name, after=game.seq):
            if line.entry.get("op") == INJECT:
                game.session.inject(line.entry["event"])
            else:
                game.session.handle(line.entry)
            game.seq = line.seq
            if game.ended_at is None and game.session.ended:
                game.ended_at = line.written

    def _screened(self, answer: dict[str, Any], state: str) -> dict[str, Any]:
        result = answer.get("result")
        if state != "revealed" and isinstance(result, dict) and result.get("ended"):
            kept = {k: v for k, v in result.items() if k not in TRUTH_FIELDS}
            kept["debrief_pending"] = True
            return {**answer, "result": kept}
        return answer

    def _debrief(self, name: str, rid: Any, state: str) -> dict[str, Any]:
        if state != "revealed":
            return _error(rid, "not_revealed", "the host has not revealed the debrief yet")
        game = self._game(name)
        with game.lock:
            self._catch_up(name, game)
            if not game.session.ended:
                return _error(rid, "game_over", "end your game first: send end")
            answer = game.session.handle({"id": rid, "op": "end"})
            ended_at = game.ended_at
        if "result" not in answer:
            return answer
        player = self.store.player(self.code, name)
        joined = player.joined if player is not None else 0.0
        return {**answer, "result": _with_hints(answer["result"], self._paid(joined, ended_at))}

    def _paid(self, joined: float, ended_at: float | None) -> list[float]:
        """The points of each hint a player pays for: sent while they were in the round and
        still playing (joined before the hint, game not yet ended)."""
        return [
            points
            for at, points in self.hints()
            if joined <= at and (ended_at is None or at < ended_at)
        ]

    # ---------------------------------------------------------------- the host
    def hints(self) -> list[tuple[float, float]]:
        """The hints the host sent: (when, penalty in points), oldest first."""
        return [
            (at, float(body.get("penalty", 0.0)))
            for _, kind, body, at in self.store.round_log(self.code)
            if kind == "hint"
        ]

    def inject(self, event: Any) -> dict[str, Any]:
        """Add a game master's event (a teammate's message, a noisy deploy, a second fault:
        :mod:`chaosgame.game.injections`) to every game in progress, each at its own clock.
        It is written to each game's journal before it is applied, so every server process
        replays it at the same point. Returns the event as checked and who got it."""
        from chaosgame.game.injections import InjectionError, check

        if self.state in ("ended", "revealed"):
            raise RoomError("rejected", "the round has ended; an event reaches no game now")
        try:
            checked = check(self.scenario, event)
        except InjectionError as exc:
            raise RoomError("invalid_params", str(exc)) from None
        at = self._clock()
        reached = []
        for p in self.store.players(self.code):
            game = self._game(p.name)
            with game.lock:
                self._catch_up(p.name, game)
                entry = {"op": INJECT, "event": checked}
                while not game.session.ended:
                    if self.store.append(self.code, p.name, game.seq + 1, entry, at):
                        break
                    self._catch_up(p.name, game)  # the player's own request came first
                else:
                    continue
                game.seq += 1
                game.session.inject(checked)
                reached.append(p.name)
        self.store.log(self.code, INJECT, {"event": checked, "players": reached}, at)
        return {"event": checked, "players": reached}

    def final(self, name: str) -> dict[str, Any] | None:
        """The answer ending player ``name``'s game (score and debrief: the truth), or None
        while it goes on. The host's, never a player's before the reveal."""
        game = self._game(name)
        with game.lock:
            self._catch_up(name, game)
            if not game.session.ended:
                return None
            return dict(game.session.handle({"op": "end"})["result"])

    def game_clock(self, name: str) -> str:
        """Player ``name``'s game clock (``HH:MM:SS`` of the incident), as their game stands
        (at the page if they have not started)."""
        game = self._game(name)
        with game.lock:
            self._catch_up(name, game)
            return str(game.session.handle({"op": "observe"})["result"]["observation"]["clock"])

    def postmortems(self) -> dict[str, str]:
        """Each player's blameless postmortem (Markdown), for the games that have ended: the
        host's to keep (it tells the root cause)."""
        out: dict[str, str] = {}
        for p in self.store.players(self.code):
            game = self._game(p.name)
            with game.lock:
                self._catch_up(p.name, game)
                if not game.session.ended:
                    continue
                final = game.session.handle({"op": "end"})["result"]
            out[p.name] = str(final["debrief"]["postmortem"])
        return out

    def standings(self) -> list[dict[str, Any]]:
        """One row per player: where their game stands (for the host's leaderboard).

        ``raw_score`` is the game's own total once it has ended; ``penalty`` the points of
        the hints sent while the player was in the round and still playing (joined before the
        hint, game not yet ended); ``score`` is the raw total less the penalty, never below
        zero. ``score_now`` is ``score`` once the game has ended and, while it goes on, what
        it would be if it ended now (less the penalty so far); ``score_now_at`` says after
        how many of the player's actions that was worked out (a few games are worked out
        afresh per reading, those longest behind first)."""
        players = self.store.players(self.code)
        self._estimate(players)
        rows = []
        for p in players:
            game = self._game(p.name)
            with game.lock:
                self._catch_up(p.name, game)
                obs = game.session.handle({"op": "observe"})["result"]["observation"]
                raw = None
                if game.session.ended:
                    final = game.session.handle({"op": "end"})["result"]
                    raw = final["score"]["total"]
                ended_at = game.ended_at
            sent = self._paid(p.joined, ended_at)
            penalty = round(sum(sent), 1)
            score = None if raw is None else max(0.0, round(raw - penalty, 1))
            journal = self.store.journal(self.code, p.name)
            mine = [e for e in journal if e.entry.get("op") != INJECT]
            now = score
            seq, ahead = self._estimates.get(p.name, (0, None))
            if raw is None and ahead is not None:
                now = max(0.0, round(ahead - penalty, 1))
            rows.append(
                {
                    "name": p.name,
                    "actions": len(mine),
                    "elapsed_s": obs["elapsed_s"],
                    "status": obs["status"],
                    "budget_burned": round(
                        max((s["budget_burned"] or 0.0 for s in obs["slos"]), default=0.0), 6
                    ),
                    "score": score,
                    "raw_score": raw,
                    "hints": len(sent),
                    "penalty": penalty,
                    "last_seen": mine[-1].written if mine else p.joined,
                    "score_now": now,
                    "score_now_at": (
                        len(mine) if raw is not None else sum(1 for e in mine if e.seq <= seq)
                    ),
                }
            )
        rows.sort(key=lambda r: (-(r["score"] or -1.0), r["budget_burned"], r["name"]))
        return rows

    def _estimate(self, players: list[Player]) -> None:
        """Work out afresh the score-if-ended-now of up to :data:`ESTIMATES_PER_READ` games in
        progress whose journal has moved since theirs was (never worked out first, then those
        furthest behind)."""
        behind = []
        for p in players:
            game = self._game(p.name)
            with game.lock:
                self._catch_up(p.name, game)
                if game.session.ended:
                    self._estimates.pop(p.name, None)
                    continue
                seq = game.seq
            known = self._estimates.get(p.name)
            if known is None or known[0] != seq:
                behind.append((known is not None, -(seq - (known[0] if known else 0)), p.name))
        for _, _, name in sorted(behind)[:ESTIMATES_PER_READ]:
            game = self._game(name)
            with game.lock:
                self._catch_up(name, game)
                if game.session.ended:
                    continue
                self._estimates[name] = (game.seq, game.session.provisional_score())

    def timeline(self, name: str) -> list[dict[str, Any]]:
        """A player's requests with when they made them (wall clock)."""
        if self.store.player(self.code, name) is None:
            raise RoomError("invalid_params", f"no player {name!r} in this round")
        return [
            {"seq": e.seq, "at": e.written, "request": e.entry}
            for e in self.store.journal(self.code, name)
        ]

    def set_state(self, state: str, note: dict[str, Any] | None = None) -> None:
        allowed = {"paused": ("open",), "open": ("paused",), "ended": ("open", "paused")}
        allowed["revealed"] = ("ended",)
        now = self.state
        if now not in allowed.get(state, ()):
            raise RoomError("rejected", f"the round is {now}; it cannot become {state}")
        self.store.set_state(self.code, state)
        self.store.log(self.code, state, note or {}, self._clock())


def _with_hints(final: dict[str, Any], paid: list[float]) -> dict[str, Any]:
    """The end of a game as a player of the round reads it: the game's own score, and beside
    it the round's (less the hints they paid for), in the data and at the top of the debrief."""
    import textwrap

    raw = float(final["score"]["total"])
    penalty = round(sum(paid), 1)
    score = max(0.0, round(raw - penalty, 1))
    kept = {"score": score, "raw_score": raw, "hints": len(paid), "penalty": penalty}
    if paid:
        text = (
            f"{len(paid)} hint{'s' * (len(paid) != 1)} from the host while you played cost "
            f"{penalty:g} points: {raw:g} for the game, {score:g} in the round."
        )
        tone = "warn"
    else:
        text = f"No hint cost you points: {score:g} in the round, as for the game."
        tone = "good"
    title = f"Round score {score:g}"
    part: dict[str, Any] = {
        "key": "round",
        "title": title,
        "rows": [{"lead": "", "text": text, "tone": tone}],
    }
    debrief = dict(final["debrief"])
    debrief["sections"] = [part, *debrief.get("sections", [])]
    lines = [title, *textwrap.wrap(text, 78, initial_indent="  ", subsequent_indent="  ")]
    text_now = str(debrief.get("text", ""))
    head = "=== Debrief ==="
    debrief["text"] = text_now.replace(head, head + "\n\n" + "\n".join(lines), 1)
    return {**final, "round": kept, "debrief": debrief}


def _error(rid: Any, code: str, message: str) -> dict[str, Any]:
    return {"id": rid, "error": {"code": code, "message": message}}
