"""Type a seed code (or a number) to play a generated incident someone shared."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from chaosgame.generate.menu import CodeError, SeedCode, read


class SeedCodeDialog(ModalScreen[SeedCode | None]):
    """A field for the code; a code that cannot be read is answered here, in one line."""

    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, difficulty: str = "normal", topic: str | None = None) -> None:
        super().__init__()
        self.difficulty = difficulty
        self.topic = topic

    def compose(self) -> ComposeResult:
        """The title, the field, the problem line and a hint."""
        with Vertical(classes="dialog", id="code-dialog"):
            yield Label("Play a seed code", classes="dialog-title")
            yield Input(placeholder="K7F3-QX2M, or a number", id="code", max_length=20)
            yield Static("", id="code-problem")
            yield Static(
                Content.assemble(
                    "A code gives everyone the same incident. A number is played at "
                    f"{self.difficulty}, {self.topic or 'any topic'} (the pickers).\n",
                    ("enter", "bold $accent"),
                    " play  ",
                    ("esc", "bold $accent"),
                    " cancel",
                ),
                classes="dialog-detail",
            )

    def on_mount(self) -> None:
        """Ready to type."""
        self.query_one("#code", Input).focus()

    @on(Input.Submitted, "#code")
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            code = read(event.value, self.difficulty, self.topic)
        except CodeError as exc:
            self.query_one("#code-problem", Static).update(Content.styled(str(exc), "$error"))
            self.app.bell()
            return
        self.dismiss(code)

    @on(Input.Changed, "#code")
    def _typed(self) -> None:
        self.query_one("#code-problem", Static).update("")

    def action_cancel(self) -> None:
        """Back to the list."""
        self.dismiss(None)
