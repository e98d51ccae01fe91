"""Joining a classroom round from the TUI: the player's name (and the round's code when it
was not given; the rejoin token when the name is taken), then, in a browser, the token to
keep (``docs/classroom.md``, "In a browser")."""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Static

__all__ = ["JoinScreen"]


class JoinScreen(Screen[None]):
    """Ask who the player is, join the round in a worker, then start the game.

    With ``web`` (the page a browser opens) no token file is read or written: every browser
    player runs as the same user on the host's machine, so the player is shown their token,
    and gives it back to come in again under a name they used.
    """

    BINDINGS = [Binding("ctrl+q", "app.quit", "quit")]
    DEFAULT_CSS = """
    JoinScreen { align: center middle; }
    JoinScreen > Vertical {
        width: 72; height: auto; padding: 1 2; border: round $primary; background: $surface;
    }
    JoinScreen Input { margin-bottom: 1; }
    JoinScreen .join-title { text-style: bold; margin-bottom: 1; }
    JoinScreen #join-message { height: auto; margin-bottom: 1; }
    JoinScreen #join-message.error { color: $error; }
    JoinScreen #join-token-shown { text-style: bold; color: $success; margin-bottom: 1; }
    """

    def __init__(self, address: str, code: str | None, *, web: bool) -> None:
        super().__init__()
        self.address = address
        self.code = code
        self.web = web
        self.view: Any = None
        """The joined game (a ``RemoteView``), once the server let the player in."""

    def compose(self) -> ComposeResult:
        """The fields, a line for what the server said, and (later) the token to keep."""
        with Vertical(id="join-form"):
            where = f"round {self.code}" if self.code else "a round"
            yield Label(f"Join {where} on {self.address}", classes="join-title", markup=False)
            yield Input(placeholder="the round's code, e.g. K7F3-QX2M", id="join-code")
            yield Input(placeholder="your name in the round", id="join-name", max_length=40)
            yield Input(
                placeholder="your rejoin token (only to come back under a name you used)",
                id="join-token",
                password=False,
            )
            yield Static("Type your name and press Enter.", id="join-message", markup=False)
            yield Static("", id="join-token-shown", markup=False)
            yield Button("Start the game (Enter)", id="join-start", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        """Only the fields needed now."""
        self.query_one("#join-code").display = self.code is None
        self.query_one("#join-token").display = False
        self.query_one("#join-token-shown").display = False
        self.query_one("#join-start").display = False
        self.query_one("#join-code" if self.code is None else "#join-name", Input).focus()

    def say(self, text: str, error: bool = False) -> None:
        line = self.query_one("#join-message", Static)
        line.update(text)
        line.set_class(error, "error")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        code = self.code or self.query_one("#join-code", Input).value.strip()
        name = self.query_one("#join-name", Input).value.strip()
        token = self.query_one("#join-token", Input).value.strip() or None
        if not code:
            self.say("Type the round's code (the host's screen shows it).", error=True)
            self.query_one("#join-code", Input).focus()
            return
        if event.input.id == "join-code" and not name:
            self.query_one("#join-name", Input).focus()
            return
        if not name:
            self.say("Type your name: it is how the host sees you.", error=True)
            self.query_one("#join-name", Input).focus()
            return
        for field in self.query(Input):
            field.disabled = True
        self.say(f"Joining as {name}…")
        self._join(code, name, token)

    @work(thread=True, exclusive=True, group="join")
    def _join(self, code: str, name: str, token: str | None) -> None:
        from chaosgame.classroom.client import RemoteError, RemoteView

        try:
            view = RemoteView(self.address, code, name, token, keep_token=not self.web)
        except RemoteError as exc:
            self.app.call_from_thread(self._refused, str(exc), exc.code)
            return
        self.app.call_from_thread(self._joined, view)

    def _refused(self, why: str, code: str) -> None:
        for field in self.query(Input):
            field.disabled = False
        if code == "name_taken":
            token = self.query_one("#join-token", Input)
            if token.display and token.value:
                why = f"That is not the rejoin token of {self.query_one('#join-name', Input).value.strip()!r}"
                token.value = ""
            token.display = True
            self.say(
                f"{why}. If it is you, type your rejoin token (the game showed it when you "
                "joined) and press Enter; or pick another name.",
                error=True,
            )
            token.focus()
            return
        self.say(why, error=True)
        self.query_one("#join-code" if code == "no_round" else "#join-name", Input).focus()

    def _joined(self, view: Any) -> None:
        self.view = view
        if not self.web:
            self.start()
            return
        for field in self.query(Input):
            field.display = False
        self.say(
            f"You are in round {view.code} as {view.name}. Keep this rejoin token: with it "
            "you come back where you were after closing this page (type your name again, "
            "then the token)."
        )
        shown = self.query_one("#join-token-shown", Static)
        shown.update(f"Your rejoin token: {view.token}")
        shown.display = True
        start = self.query_one("#join-start", Button)
        start.display = True
        start.focus()

    @on(Button.Pressed, "#join-start")
    def start(self) -> None:
        """Leave this screen for the game."""
        view, app = self.view, self.app
        if view is None:
            return
        self.dismiss()
        app.start_remote(view)  # type: ignore[attr-defined]
