"""The instructor console in a browser page (``chaosgame host-console ADDRESS CODE --web``,
what ``chaosgame host --web-console`` serves): the same console, which asks for the host
token on its first screen, so the token is never in a URL or on a command line."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from chaosgame.classroom.host_app import HostConsole
from chaosgame.classroom.host_link import HostLink

__all__ = ["TokenScreen", "WebHostConsole"]


class TokenScreen(ModalScreen[tuple[str, str]]):
    """Ask for the host token (and the round's code when it is not known): ``(code, token)``."""

    BINDINGS = [Binding("ctrl+q", "app.quit", "quit")]
    DEFAULT_CSS = """
    TokenScreen { align: center middle; }
    TokenScreen > Vertical {
        width: 72; height: auto; padding: 1 2; border: round $primary; background: $surface;
    }
    TokenScreen Input { margin-bottom: 1; }
    TokenScreen .token-title { text-style: bold; margin-bottom: 1; }
    TokenScreen #token-message.error { color: $error; }
    """

    def __init__(self, address: str, code: str, why: str = "") -> None:
        super().__init__()
        self.address = address
        self.code = code
        self.why = why

    def compose(self) -> ComposeResult:
        """The code (when unknown), the token, and what to do."""
        with Vertical():
            where = f"round {self.code}" if self.code else "a round"
            yield Label(
                f"Instructor console: {where} on {self.address}",
                classes="token-title",
                markup=False,
            )
            yield Input(placeholder="the round's code, e.g. K7F3-QX2M", id="token-code")
            yield Input(
                placeholder="the host token `chaosgame host` printed", id="token", password=True
            )
            yield Static(
                self.why or "Type the host token and press Enter.",
                id="token-message",
                markup=False,
                classes="error" if self.why else "",
            )

    def on_mount(self) -> None:
        """Only the fields needed."""
        self.query_one("#token-code").display = not self.code
        self.query_one("#token-code" if not self.code else "#token", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        code = self.code or self.query_one("#token-code", Input).value.strip()
        token = self.query_one("#token", Input).value.strip()
        if not code:
            self.query_one("#token-code", Input).focus()
            return
        if not token:
            self.query_one("#token", Input).focus()
            return
        self.dismiss((code, token))


class WebHostConsole(HostConsole):
    """The instructor console that asks for the host token first; a refused token is asked
    for again."""

    def __init__(self, address: str, code: str | None, *, export_dir: Path | None) -> None:
        super().__init__(address, code or "", "", export_dir=export_dir)
        self._asked = False

    def on_mount(self) -> None:
        """Ask for the token before connecting (the console itself mounts behind it)."""
        self.link_line.update("Waiting for the host token…")
        self._ask_token()

    def _ask_token(self, why: str = "") -> None:
        self.push_screen(TokenScreen(self.address, self.code, why), self._given)

    def _given(self, answer: tuple[str, str] | None) -> None:
        if answer is None:
            return
        code, token = answer
        self.link = HostLink(self.address, code, token, backoff=self.link._backoff)
        self.code = self.link.code
        self._asked = True
        self.link_line.update(f"Connecting to {self.address}...")
        self.run_link()

    @work(exclusive=True, group="link")
    async def run_link(self) -> None:
        """Keep the connection up, once the host has given the token."""
        if self._asked:
            await self.link.run(self)

    @on(HostConsole.Refused)
    def _ask_again(self, message: HostConsole.Refused) -> None:
        self._asked = False
        self._ask_token(f"The server refused this console: {message.reason}. Try again.")
