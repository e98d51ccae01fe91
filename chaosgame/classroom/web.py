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
from typing import Any

from aiohttp import web

from chaosgame.classroom.server import Threaded

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


async def _served(command: str, title: str, pages: set[Any]) -> web.Application:
    """textual-serve's application for ``command``, its page's addresses taken from the
    address the browser used (so ``--bind 0.0.0.0`` serves pages that work from elsewhere);
    ``pages`` holds the open pages' websockets."""
    from textual_serve.app_service import AppService
    from textual_serve.server import Server, to_int

    class Served(Server):
        async def on_startup(self, app: web.Application) -> None:
            """Quiet: the host's screen says where the pages are."""

        async def on_shutdown(self, app: web.Application) -> None:
            """Close the pages: each one's process is told to quit."""
            for page in list(pages):
                await page.close()

        async def handle_index(self, request: web.Request) -> Any:
            # the page's websocket and static addresses follow the address it was asked at
            # (no await before the template is filled in: one request at a time sets it)
            self.public_url = f"{request.scheme}://{request.host}"
            return await super().handle_index(request)

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            """A page's terminal: a process of the command, as long as the page is open (as
            textual-serve's own, with the pages counted, and closed on shutdown)."""
            if len(pages) >= MAX_PAGES:
                raise web.HTTPServiceUnavailable(text="too many pages are open; try again soon")
            websocket = web.WebSocketResponse(heartbeat=15)
            width = to_int(request.query.get("width", "80"), 80)
            height = to_int(request.query.get("height", "24"), 24)
            service = None
            pages.add(websocket)

            async def close() -> None:
                await websocket.close()

            try:
                await websocket.prepare(request)
                service = AppService(
                    self.command,
                    write_bytes=websocket.send_bytes,
                    write_str=websocket.send_str,
                    close=close,
                    download_manager=self.download_manager,
                    debug=self.debug,
                )
                await service.start(width, height)
                await self._process_messages(websocket, service)
            except asyncio.CancelledError:
                await websocket.close()
            finally:
                pages.discard(websocket)
                if service is not None:
                    await service.stop()
                    await _ended(service._process)
            return websocket

    app: web.Application = await Served(command, title=title)._make_app()
    return app


async def _ended(process: asyncio.subprocess.Process | None) -> None:
    """Wait for a page's process to end (told to quit, it does at once; else it is killed)."""
    if process is None or process.returncode is not None:
        return
    try:
        await asyncio.wait_for(process.wait(), 5)
    except TimeoutError:
        process.kill()
        await process.wait()


class WebFront(Threaded):
    """The browser pages, served from a thread of their own: ``port``, ``stop()`` (every
    page's process is told to quit, and awaited)."""

    def __init__(
        self,
        address: str,
        code: str | None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        console: bool = False,
    ) -> None:
        self.pages: set[Any] = set()
        """The pages open now (their websockets)."""
        join, served_console = join_command(address, code), console_command(address, code)

        async def make() -> web.Application:
            root = await _served(join, "chaosgame", self.pages)
            if console:
                served = await _served(served_console, "chaosgame console", self.pages)
                root.add_subapp(CONSOLE_PATH.rstrip("/"), served)
            return root

        super().__init__(make, host, port, "classroom-web", shutdown_timeout=10)
