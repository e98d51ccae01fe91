"""The host's end of ``/ws/host``: requests and their answers, the round's events as they
come, and a connection that comes back by itself (``docs/classroom.md``).

No Textual here: the instructor console (:mod:`chaosgame.classroom.host_app`) drives a
:class:`HostLink` from its own event loop and hears from it through a :class:`LinkListener`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import Sequence
from typing import Any, Protocol
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

__all__ = [
    "BACKOFF_S",
    "DEFAULT_PORT",
    "HostError",
    "HostLink",
    "LinkDown",
    "LinkListener",
    "ws_url",
]

DEFAULT_PORT = 8765
"""The port ``chaosgame host`` serves on unless told otherwise."""
BACKOFF_S = (1.0, 2.0, 4.0, 8.0, 15.0)
"""Seconds between attempts to reconnect: one after the other, then the last again."""
ANSWER_TIMEOUT_S = 60.0
"""How long a request may wait for its answer (an export of a large class takes a while)."""
MAX_MESSAGE_BYTES = 16 * 1024 * 1024
"""The largest answer read (the grades of a whole class in one message)."""
FATAL = frozenset({"unauthorised", "no_round", "not_joined"})
"""Refusals that trying again cannot cure: a wrong token or round code."""


class HostError(Exception):
    """The server refused a request: ``code`` as in the protocol's errors, and its message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class LinkDown(Exception):
    """No connection to the server at the moment (it is being retried)."""


class LinkListener(Protocol):
    """What the link tells whoever shows the round."""

    def link_up(self, hosting: dict[str, Any]) -> None:
        """Connected and recognised as the host: the round's code, title, mode and state."""

    def link_down(self, reason: str, retry_in: float) -> None:
        """The connection failed or was lost; the next attempt is in ``retry_in`` seconds."""

    def link_refused(self, reason: str) -> None:
        """The server will not have us as this round's host; no more attempts."""

    def link_event(self, event: dict[str, Any]) -> None:
        """Something happened in the round (``kind``: hint, note, paused, open, ended...)."""


def ws_url(address: str, path: str = "/ws/host") -> str:
    """The websocket URL of a server given as ``HOST:PORT`` (or ``HOST``, ``[::1]:PORT``,
    ``ws://...``, ``http://...``).

    Raises:
        ValueError: with a message saying what is wrong with ``address``.
    """
    text = address.strip()
    if not text:
        raise ValueError("the server's address is empty; give HOST:PORT, e.g. 127.0.0.1:8765")
    if "://" not in text:
        text = f"ws://{text}"
    parts = urlsplit(text)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    if scheme not in ("ws", "wss"):
        raise ValueError(f"{address!r}: the server's address is HOST:PORT or a ws:// URL")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise ValueError(f"{address!r}: the port is a number from 1 to 65535") from None
    if not host:
        raise ValueError(f"{address!r}: no host name; give HOST:PORT, e.g. 127.0.0.1:8765")
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}:{port or DEFAULT_PORT}{path}"


def _reason(exc: BaseException) -> str:
    """A lost or failed connection in a few words."""
    if isinstance(exc, ConnectionClosed):
        why = exc.rcvd.reason if exc.rcvd is not None and exc.rcvd.reason else ""
        return f"the server closed the connection ({why})" if why else "the connection dropped"
    if isinstance(exc, ConnectionRefusedError):
        return "nothing answers at that address (is the server running?)"
    if isinstance(exc, TimeoutError):
        return "the server did not answer in time"
    if isinstance(exc, InvalidHandshake):
        return f"that is not a chaosgame classroom server ({exc})"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc) or type(exc).__name__
    return str(exc) or type(exc).__name__


class HostLink:
    """One host connection to a round, kept up by :meth:`run`; :meth:`ask` sends requests."""

    def __init__(
        self,
        address: str,
        code: str,
        token: str,
        *,
        backoff: Sequence[float] = BACKOFF_S,
        timeout: float = ANSWER_TIMEOUT_S,
    ) -> None:
        self.url = ws_url(address)
        self.address = address
        self.code = code.strip().upper()
        self._token = token
        self._backoff = tuple(backoff) or BACKOFF_S
        self._timeout = timeout
        self._ids = itertools.count(1)
        self._ws: ClientConnection | None = None
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}

    @property
    def connected(self) -> bool:
        return self._ws is not None

    async def run(self, listener: LinkListener) -> None:
        """Connect, and connect again after every loss (with back-off), until cancelled or
        refused."""
        failures = 0
        while True:
            try:
                async with connect(
                    self.url, open_timeout=10, max_size=MAX_MESSAGE_BYTES, proxy=None
                ) as ws:
                    hosting = await self._hello(ws)
                    if "error" in hosting:
                        error = hosting["error"]
                        if error.get("code") in FATAL:
                            listener.link_refused(str(error.get("message", error.get("code"))))
                            return
                        raise OSError(str(error.get("message", "refused")))
                    failures = 0
                    self._ws = ws
                    listener.link_up(hosting["result"])
                    await self._read(ws, listener)
                reason = "the server closed the connection"
            except (OSError, ConnectionClosed, InvalidHandshake) as exc:
                reason = _reason(exc)
            except (ValueError, KeyError, TypeError):  # an answer that is not the protocol's
                reason = "that server does not speak the chaosgame classroom protocol"
            except InvalidURI as exc:
                listener.link_refused(f"{self.address!r} is not a server address: {exc}")
                return
            finally:
                self._ws = None
                for future in self._pending.values():
                    if not future.done():
                        future.set_exception(LinkDown("the connection was lost"))
                self._pending.clear()
            delay = self._backoff[min(failures, len(self._backoff) - 1)]
            failures += 1
            listener.link_down(reason, delay)
            await asyncio.sleep(delay)

    async def _hello(self, ws: ClientConnection) -> dict[str, Any]:
        await ws.send(json.dumps({"op": "host", "round": self.code, "token": self._token}))
        while True:
            answer = json.loads(await asyncio.wait_for(ws.recv(), self._timeout))
            if isinstance(answer, dict) and "event" not in answer:
                return answer

    async def _read(self, ws: ClientConnection, listener: LinkListener) -> None:
        async for message in ws:
            try:
                answer = json.loads(message)
            except ValueError:
                continue
            if not isinstance(answer, dict):
                continue
            if isinstance(answer.get("event"), dict):
                listener.link_event(answer["event"])
                continue
            rid = answer.get("id")
            future = self._pending.pop(rid, None) if isinstance(rid, int) else None
            if future is None and rid is None and self._pending:
                # an error the server could not tie to a request (sent too fast): the oldest
                future = self._pending.pop(min(self._pending))
            if future is not None and not future.done():
                future.set_result(answer)

    async def ask(self, op: str, **params: Any) -> Any:
        """Send one host request and wait for its result.

        Raises:
            LinkDown: not connected, or the connection went while waiting.
            HostError: the server refused the request.
        """
        ws = self._ws
        if ws is None:
            raise LinkDown("not connected to the server")
        rid = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[rid] = future
        try:
            await ws.send(json.dumps({"id": rid, "op": op, **params}))
            answer = await asyncio.wait_for(future, self._timeout)
        except (ConnectionClosed, OSError) as exc:  # TimeoutError is an OSError
            raise LinkDown(_reason(exc)) from None
        finally:
            self._pending.pop(rid, None)
        if "error" in answer:
            error = answer["error"]
            raise HostError(str(error.get("code")), str(error.get("message")))
        return answer.get("result")

    async def close(self) -> None:
        """Close the connection (``run`` then tries again unless it is cancelled)."""
        ws = self._ws
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()
