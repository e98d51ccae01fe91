"""The classroom server: rounds of one incident served over websockets (``docs/classroom.md``).

Players connect to ``/ws/play``: the first message joins a round, every later one is an
agent-protocol request answered by the player's own game (:class:`~.room.Room`). The host
connects to ``/ws/host`` with the round's host token: standings, timelines, hints, pause and
resume, the end of the round and the reveal. Whatever the host does is written to the round's
log; every server process behind the same database reads that log and tells its connected
players (``{"event": ...}`` messages), so two processes can serve one class.

Each connection may send at most ``RATE`` requests a second (bursts up to ``BURST``) and
messages of at most 64 KiB; a bad message gets an error answer, never a dropped connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from chaosgame.classroom import interview
from chaosgame.classroom.room import Room, RoomError
from chaosgame.classroom.store import Store
from chaosgame.game.agent_session import MAX_REQUEST_BYTES, dumps

__all__ = ["ClassServer"]

RATE = 20.0
"""Requests a second a connection may keep up."""
BURST = 40.0
"""Requests a connection may send at once before the rate applies."""
POLL_S = 0.5
"""How often a server process reads the rounds' logs for what the host did."""
HOST_OPS = (
    "standings",
    "timeline",
    "log",
    "hint",
    "note",
    "inject",
    "pause",
    "resume",
    "end",
    "reveal",
    "export",
    *interview.HOST_OPS,
)


@dataclass
class _Bucket:
    """A token bucket: ``take()`` is False when the connection sends too fast."""

    tokens: float = BURST
    stamp: float = field(default_factory=time.monotonic)

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(BURST, self.tokens + (now - self.stamp) * RATE)
        self.stamp = now
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True


@dataclass
class _Listeners:
    """The connections of one round in this process, and how far its log has been read."""

    players: dict[str, set[web.WebSocketResponse]] = field(default_factory=dict)
    hosts: set[web.WebSocketResponse] = field(default_factory=set)
    seen: int = 0


class ClassServer:
    """The web application serving the rounds of one class database."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self._clock = clock
        self._rooms: dict[str, Room] = {}
        self._listeners: dict[str, _Listeners] = {}
        self._poller: asyncio.Task[None] | None = None
        self._sockets: set[web.WebSocketResponse] = set()

    # ---------------------------------------------------------------- the app
    def app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        app.add_routes(
            [
                web.get("/", self._index),
                web.get("/health", self._health),
                web.get("/ws/play", self._play),
                web.get("/ws/host", self._host),
            ]
        )
        app.on_startup.append(self._start_polling)
        app.on_shutdown.append(self._close_sockets)
        app.on_cleanup.append(self._stop_polling)
        return app

    async def _close_sockets(self, app: web.Application) -> None:
        """Tell every client the server is going away (they reconnect to the next one)
        rather than keep the shutdown waiting on open connections."""
        for ws in list(self._sockets):
            with contextlib.suppress(Exception):
                await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server stopping")

    async def _start_polling(self, app: web.Application) -> None:
        self._poller = asyncio.create_task(self._poll())

    async def _stop_polling(self, app: web.Application) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller

    def room(self, code: str) -> Room:
        code = code.strip().upper()
        room = self._rooms.get(code)
        if room is None:
            room = Room(self.store, code, clock=self._clock)
            self._rooms[code] = room
            self._listeners.setdefault(code, _Listeners(seen=len(self.store.round_log(code))))
        return room

    # ---------------------------------------------------------------- plain pages
    async def _health(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def _index(self, request: web.Request) -> web.Response:
        host = request.host
        text = (
            "chaosgame classroom server\n\n"
            f"Join from a terminal:  chaosgame join {host} CODE --name YOUR-NAME\n"
            "The host gives you the CODE.\n"
        )
        return web.Response(text=text)

    # ---------------------------------------------------------------- connections
    async def _open(self, request: web.Request) -> web.WebSocketResponse:
        """Accept a websocket connection (bounded messages, kept alive by pings)."""
        ws = web.WebSocketResponse(max_msg_size=MAX_REQUEST_BYTES, heartbeat=30.0)
        await ws.prepare(request)
        self._sockets.add(ws)
        return ws

    async def _requests(self, ws: web.WebSocketResponse) -> AsyncIterator[dict[str, Any]]:
        """The connection's requests, rate-limited; a bad message is answered here."""
        bucket = _Bucket()
        async for msg in ws:
            req = await self._read(ws, msg, bucket)
            if req is not None:
                yield req

    # ---------------------------------------------------------------- players
    async def _play(self, request: web.Request) -> web.WebSocketResponse:
        """A player's connection: requests are answered in order by a task of their own while
        the connection is still read, so the client's keep-alive pings are answered even when
        a busy server takes longer than their timeout to answer a request."""
        ws = await self._open(request)
        who: list[tuple[Room, str]] = []
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(maxsize=int(BURST))
        answering = asyncio.create_task(self._answer_in_order(ws, queue, who))
        try:
            async for req in self._requests(ws):
                if not await _hand(queue, req, answering):
                    break
            if await _hand(queue, None, answering):
                await answering
        finally:
            answering.cancel()
            self._sockets.discard(ws)
            if who:
                listeners = self._listeners[who[0][0].code]
                listeners.players.get(who[0][1], set()).discard(ws)
        return ws

    async def _answer_in_order(
        self,
        ws: web.WebSocketResponse,
        queue: asyncio.Queue[dict[str, Any] | None],
        who: list[tuple[Room, str]],
    ) -> None:
        while (req := await queue.get()) is not None:
            rid = req.get("id")
            if not who:
                joined = await self._join(ws, req)
                if joined is not None:
                    who.append(joined)
                continue
            room, name = who[0]
            if req.get("op") == "join":
                await _send(ws, _error(rid, "invalid_request", "already joined"))
                continue
            answer = await asyncio.to_thread(room.answer, name, req)
            await _send(ws, answer)

    async def _join(
        self, ws: web.WebSocketResponse, req: dict[str, Any]
    ) -> tuple[Room, str] | None:
        rid = req.get("id")
        if req.get("op") != "join":
            await _send(
                ws,
                _error(
                    rid, "not_joined", 'join first: {"op": "join", "round": CODE, "name": NAME}'
                ),
            )
            return None
        code, name, token = req.get("round"), req.get("name"), req.get("token")
        if (
            not isinstance(code, str)
            or not isinstance(name, str)
            or not (token is None or isinstance(token, str))
        ):
            await _send(
                ws,
                _error(
                    rid,
                    "invalid_params",
                    "join takes round, name and token (strings; token only to come back)",
                ),
            )
            return None
        try:
            room = await asyncio.to_thread(self.room, code)
            token = await asyncio.to_thread(room.join, name, token)
        except RoomError as exc:
            await _send(ws, _error(rid, exc.code, exc.message))
            return None
        name = name.strip()
        self._listeners[room.code].players.setdefault(name, set()).add(ws)
        await _send(
            ws,
            {
                "id": rid,
                "result": {
                    "joined": {
                        "round": room.code,
                        "name": name,
                        "token": token,
                        "title": room.scenario.title,
                        "mode": room.mode,
                        "state": room.state,
                        "actions": len(room.store.journal(room.code, name)),
                    }
                },
            },
        )
        return room, name

    # ---------------------------------------------------------------- the host
    async def _host(self, request: web.Request) -> web.WebSocketResponse:
        ws = await self._open(request)
        room: Room | None = None
        try:
            async for req in self._requests(ws):
                rid = req.get("id")
                if room is None:
                    room = await self._host_in(ws, req)
                    continue
                try:
                    result = await asyncio.to_thread(self._host_op, room, req)
                except RoomError as exc:
                    await _send(ws, _error(rid, exc.code, exc.message))
                    continue
                await _send(ws, {"id": rid, "result": result})
        finally:
            self._sockets.discard(ws)
            if room is not None:
                self._listeners[room.code].hosts.discard(ws)
        return ws

    async def _host_in(self, ws: web.WebSocketResponse, req: dict[str, Any]) -> Room | None:
        rid = req.get("id")
        code, token = req.get("round"), req.get("token")
        if req.get("op") != "host" or not isinstance(code, str) or not isinstance(token, str):
            await _send(
                ws,
                _error(
                    rid,
                    "not_joined",
                    'start with {"op": "host", "round": CODE, "token": HOST-TOKEN}',
                ),
            )
            return None
        try:
            room = await asyncio.to_thread(self.room, code)
            room.check_host(token)
        except RoomError as exc:
            await _send(ws, _error(rid, exc.code, exc.message))
            return None
        self._listeners[room.code].hosts.add(ws)
        await _send(
            ws,
            {
                "id": rid,
                "result": {
                    "hosting": room.code,
                    "state": room.state,
                    "title": room.scenario.title,
                    "mode": room.mode,
                },
            },
        )
        return room

    def _host_op(self, room: Room, req: dict[str, Any]) -> Any:
        op = req.get("op")
        now = self._clock()
        if op == "standings":
            return {"state": room.state, "players": room.standings()}
        if op == "timeline":
            name = req.get("name")
            if not isinstance(name, str):
                raise RoomError("invalid_params", "timeline takes name")
            return {"name": name, "timeline": room.timeline(name)}
        if op == "log":
            after = req.get("after", 0)
            if not isinstance(after, int) or isinstance(after, bool) or after < 0:
                raise RoomError("invalid_params", "log takes after (a line number, 0 or more)")
            lines = self.store.round_log(room.code, after)
            return {"log": [{"seq": s, "kind": k, "at": at, **b} for s, k, b, at in lines]}
        if op in ("hint", "note"):
            text = req.get("text")
            if not isinstance(text, str) or not text.strip() or len(text) > 2000:
                raise RoomError("invalid_params", f"{op} takes text (1 to 2000 characters)")
            body: dict[str, Any] = {"text": text.strip()}
            if op == "hint":
                penalty = req.get("penalty", 0)
                if not isinstance(penalty, (int, float)) or not 0 <= penalty <= 50:
                    raise RoomError("invalid_params", "penalty is 0 to 50 points")
                body["penalty"] = float(penalty)
            return {"logged": self.store.log(room.code, op, body, now)}
        if op == "inject":
            return room.inject(req.get("event"))
        if op in ("pause", "resume", "end", "reveal"):
            state = {"pause": "paused", "resume": "open", "end": "ended", "reveal": "revealed"}
            room.set_state(state[op])
            return {"state": room.state}
        if op == "export":
            fmt = req.get("format", "json")
            if fmt == "postmortems":
                return {"format": fmt, "data": room.postmortems()}
            if fmt not in ("json", "csv"):
                raise RoomError("invalid_params", "format is json, csv or postmortems")
            return {"format": fmt, "data": export(room, fmt)}
        if op in interview.HOST_OPS:
            return interview.host_op(room, op, req, now)
        import difflib

        close = difflib.get_close_matches(str(op), HOST_OPS, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise RoomError("unknown_op", f"unknown host op {op!r}{hint}; ops: {', '.join(HOST_OPS)}")

    # ---------------------------------------------------------------- what the host did
    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(POLL_S)
            for code, listeners in list(self._listeners.items()):
                if not listeners.players and not listeners.hosts:
                    continue
                try:
                    lines = await asyncio.to_thread(self.store.round_log, code, listeners.seen)
                except Exception:  # the database is away for a moment: try again next time
                    continue
                for seq, kind, body, at in lines:
                    listeners.seen = seq
                    event = {"event": {"seq": seq, "kind": kind, "at": at, **body}}
                    told = _for_players(seq, kind, body, at)
                    for ws in listeners.hosts:
                        with contextlib.suppress(Exception):
                            await _send(ws, event)
                    if told is None:
                        continue
                    for group in listeners.players.values():
                        for ws in group:
                            with contextlib.suppress(Exception):
                                await _send(ws, told)

    # ---------------------------------------------------------------- reading messages
    async def _read(
        self, ws: web.WebSocketResponse, msg: Any, bucket: _Bucket
    ) -> dict[str, Any] | None:
        if msg.type != WSMsgType.TEXT:
            if msg.type in (WSMsgType.BINARY,):
                await _send(ws, _error(None, "parse_error", "send text frames of JSON"))
            return None
        if not bucket.take():
            await _send(ws, _error(None, "rate_limited", f"at most {RATE:g} requests a second"))
            return None
        try:
            req = json.loads(msg.data)
        except (json.JSONDecodeError, RecursionError):
            await _send(ws, _error(None, "parse_error", "not JSON"))
            return None
        if not isinstance(req, dict):
            await _send(ws, _error(None, "parse_error", "a request is a JSON object"))
            return None
        return req


PLAYERS_HEAR = ("hint", "paused", "open", "ended", "revealed")
"""Lines of the round's log every player is told of as they are written. The rest (notes, the
host's events) are the host's alone: a second fault or a deploy shows in a game only as what
it does, and a teammate's message as the message (:func:`_for_players`)."""


def _for_players(seq: int, kind: str, body: dict[str, Any], at: float) -> dict[str, Any] | None:
    """What the players are told of a line of the round's log, if anything."""
    if kind in PLAYERS_HEAR:
        return {"event": {"seq": seq, "kind": kind, "at": at, **body}}
    event = body.get("event")
    if kind == "inject" and isinstance(event, dict) and event.get("kind") == "message":
        said = {"sender": event.get("sender"), "text": event.get("text")}
        return {"event": {"seq": seq, "kind": "message", "at": at, **said}}
    return None


def export(room: Room, fmt: str) -> str:
    """The round's grades: one row per player (``json`` or ``csv`` text); ``score`` is the
    game's total (``raw_score``) less the penalties of the hints the player was sent."""
    rows = room.standings()
    if fmt == "json":
        return json.dumps(
            {"round": room.code, "title": room.scenario.title, "players": rows}, indent=2
        )
    out = io.StringIO()
    fields = [
        "name",
        "score",
        "raw_score",
        "penalty",
        "hints",
        "budget_burned",
        "actions",
        "elapsed_s",
        "status",
    ]
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


async def _hand(
    queue: asyncio.Queue[dict[str, Any] | None],
    req: dict[str, Any] | None,
    answering: asyncio.Task[None],
) -> bool:
    """Queue ``req`` for the task answering the connection's requests; False if that task has
    stopped (its error is raised by awaiting it)."""
    put = asyncio.ensure_future(queue.put(req))
    await asyncio.wait({put, answering}, return_when=asyncio.FIRST_COMPLETED)
    if put.done():
        return True
    put.cancel()
    await answering
    return False


async def _send(ws: web.WebSocketResponse, answer: dict[str, Any]) -> None:
    await ws.send_str(dumps(answer))


def _error(rid: Any, code: str, message: str) -> dict[str, Any]:
    return {
        "id": rid if isinstance(rid, (str, int)) and not isinstance(rid, bool) else None,
        "error": {"code": code, "message": message},
    }


class Threaded:
    """An aiohttp application served from a thread of its own: ``port`` (the one taken, when
    asked for 0), and ``stop()``. ``make_app`` builds the application in that thread's loop."""

    def __init__(
        self,
        make_app: Callable[[], Awaitable[web.Application]],
        host: str,
        port: int,
        name: str,
        shutdown_timeout: float = 60.0,
    ) -> None:
        import threading

        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._failed: BaseException | None = None
        self.port = port
        self._thread = threading.Thread(
            target=self._run, args=(make_app, host, port, shutdown_timeout), name=name, daemon=True
        )
        self._thread.start()
        self._ready.wait(30)
        if self._failed is not None:
            raise self._failed

    def _run(
        self,
        make_app: Callable[[], Awaitable[web.Application]],
        host: str,
        port: int,
        shutdown_timeout: float,
    ) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            app = self._loop.run_until_complete(make_app())
            runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=shutdown_timeout)
            self._runner = runner
            self._loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, host, port)
            self._loop.run_until_complete(site.start())
            names = [addr for addr in runner.addresses if isinstance(addr, tuple)]
            self.port = int(names[0][1]) if names else port
        except BaseException as exc:  # the port is taken, the address is wrong...
            self._failed = exc
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()
        self._loop.close()

    def stop(self) -> None:
        """Stop serving (again: nothing happens); the application's shutdown runs first
        (connected clients are told it is going away)."""
        if self._loop.is_closed() or not self._thread.is_alive():
            return
        if self._runner is not None:
            done = asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop)
            with contextlib.suppress(Exception):  # what would not close in time is left
                done.result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(30)


class Running(Threaded):
    """A class server answering on a port from a thread of its own (for the ``host``
    command's console and for tests): ``port``, and ``stop()``."""

    def __init__(self, server: ClassServer, host: str = "127.0.0.1", port: int = 0) -> None:
        async def make() -> web.Application:
            return server.app()

        super().__init__(make, host, port, "classroom-server")
