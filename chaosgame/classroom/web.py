"""The classroom in a browser: textual-serve runs the join TUI (and, when asked, the
instructor console) for each page that opens, on the host's machine (``docs/classroom.md``,
"In a browser").

Every page is a process of its own: ``chaosgame join ADDRESS CODE --web``, which asks the
player's name on its first screen, keeps no token file (every browser player runs as the same
user here) and shows the player their rejoin token instead. The console's page runs
``chaosgame host-console ADDRESS CODE --web``, which asks for the host token on its first
screen: the token is never in a URL or on a command line.
"""

from __future__ import annotations

import asyncio
import shlex
import sys
import threading
from typing import Any

from aiohttp import web

__all__ = ["CONSOLE_PATH", "MAX_PAGES", "WebFront", "console_command", "join_command"]

CONSOLE_PATH = "/console/"
"""Where the instructor console is served, beside the players' page at ``/``."""
MAX_PAGES = 200
"""Pages open at once (each runs a process); one more is told to come back later."""


def join_command(address: str, code: str | None) -> str:
    """The command a player's page runs: the join TUI, asking the name (and the round's code
    when ``code`` is None)."""
    words = [sys.executable, "-m", "chaosgame", "join", address]
    return shlex.join([*words, *([code] if code else []), "--web"])


def console_command(address: str, code: str | None) -> str:
    """The command the console's page runs: asking for the host token on its first screen."""
    words = [sys.executable, "-m", "chaosgame", "host-console", address]
    return shlex.join([*words, *([code] if code else []), "--web"])


async def _served(command: str, title: str, pages: list[int]) -> web.Application:
    """textual-serve's application for ``command``, its page's addresses taken from the
    address the browser used (so ``--bind 0.0.0.0`` serves pages that work from elsewhere)."""
    from textual_serve.server import Server

    class Served(Server):
        async def on_startup(self, app: web.Application) -> None:
            """Quiet: the host's screen says where the pages are."""

        async def handle_index(self, request: web.Request) -> Any:
            # the page's websocket and static addresses follow the address it was asked at
            # (no await before the template is filled in: one request at a time sets it)
            self.public_url = f"{request.scheme}://{request.host}"
            return await super().handle_index(request)

        async def handle_websocket(self, request: web.Request) -> Any:
            if pages[0] >= MAX_PAGES:
                raise web.HTTPServiceUnavailable(text="too many pages are open; try again soon")
            pages[0] += 1
            try:
                return await super().handle_websocket(request)
            finally:
                pages[0] -= 1

    app: web.Application = await Served(command, title=title)._make_app()
    return app


class WebFront:
    """The browser pages, served from a thread of their own: ``port``, ``stop()``."""

    def __init__(
        self,
        address: str,
        code: str | None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        console: bool = False,
    ) -> None:
        self.pages = [0]
        """How many pages are open now (a one-item list the handlers share)."""
        self._loop = asyncio.new_event_loop()
        self._commands = (join_command(address, code), console_command(address, code))
        self._console = console
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._failed: BaseException | None = None
        self.port = port
        self._thread = threading.Thread(
            target=self._run, args=(host, port), name="classroom-web", daemon=True
        )
        self._thread.start()
        self._ready.wait(30)
        if self._failed is not None:
            raise self._failed

    def _run(self, host: str, port: int) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            runner = self._runner = web.AppRunner(
                self._loop.run_until_complete(self._app()), handle_signals=False
            )
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
        self._loop.run_until_complete(runner.cleanup())
        self._loop.close()

    async def _app(self) -> web.Application:
        join, console = self._commands
        root = await _served(join, "chaosgame", self.pages)
        if self._console:
            served = await _served(console, "chaosgame console", self.pages)
            root.add_subapp(CONSOLE_PATH.rstrip("/"), served)
        return root

    def stop(self) -> None:
        """Stop serving (again: nothing happens); every page's process is told to quit."""
        if self._loop.is_closed() or not self._thread.is_alive():
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(30)
