"""Modal dialogs: confirm a risky action, choose a mitigation, declare the root cause."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from chaosgame.game.commands import parse_command
from chaosgame.game.menu import HANDS_ON_S, KIND_SUMMARIES, KINDS, matching, mitigation_label
from chaosgame.scenario.actions import MITIGATIONS
from chaosgame.scenario.faults import FAULT_KINDS


class ConfirmDialog(ModalScreen[bool]):
    """Ask before something risky or irreversible. ``y``/``enter`` confirms, ``n``/``esc`` not."""

    BINDINGS = [
        Binding("y", "answer(True)", "yes"),
        Binding("n,escape", "answer(False)", "no"),
    ]

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        """The question, the detail and two buttons."""
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-title")
            if self.detail:
                yield Static(self.detail, classes="dialog-detail")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Yes, do it (y)", id="yes", variant="error")
                yield Button("No (n)", id="no", variant="primary")

    def on_mount(self) -> None:
        """Focus the safe answer."""
        self.query_one("#no", Button).focus()

    def action_answer(self, answer: bool) -> None:
        """Close with the answer."""
        self.dismiss(answer)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class ActionDialog(ModalScreen[dict[str, Any] | None]):
    """Choose a mitigation, its target and arguments; see its cost and delay first."""

    BINDINGS = [Binding("escape", "cancel", "back")]

    def __init__(
        self, components: list[str], action: str | None = None, target: str | None = None
    ) -> None:
        super().__init__()
        self.components = components
        self.initial_action = action
        self.initial_target = target or ""

    def compose(self) -> ComposeResult:
        """A list of mitigations, a target, arguments, and what it will cost."""
        with Vertical(classes="dialog wide"):
            yield Label(
                "Mitigate: choose an action (↑↓), a target, then enter", classes="dialog-title"
            )
            yield OptionList(
                *[Option(mitigation_label(name), id=name) for name in MITIGATIONS],
                id="mitigations",
            )
            with Horizontal(classes="field"):
                yield Label("target ")
                yield Input(
                    self.initial_target,
                    placeholder="component or flag",
                    suggester=SuggestFromList(self.components),
                    id="target",
                )
            with Horizontal(classes="field"):
                yield Label("args   ")
                yield Input(placeholder="key=value ... e.g. replicas=6", id="args")
            yield Static("", id="cost", classes="dialog-detail")
            yield Static("", id="error", classes="dialog-error")

    def on_mount(self) -> None:
        """Select the action asked for, and focus where typing is needed."""
        options = self.query_one(OptionList)
        names = list(MITIGATIONS)
        if self.initial_action in names:
            options.highlighted = names.index(self.initial_action)
            self.query_one("#target" if not self.initial_target else "#args", Input).focus()
        else:
            options.highlighted = 0
            options.focus()
        self._describe()

    @property
    def chosen(self) -> str:
        """The mitigation under the cursor."""
        options = self.query_one(OptionList)
        idx = options.highlighted or 0
        return list(MITIGATIONS)[idx]

    def _describe(self) -> None:
        info = MITIGATIONS[self.chosen]
        risky = "  ⚠ risky: you will be asked to confirm" if info.risky else ""
        self.query_one("#cost", Static).update(
            f"{info.summary}\ncosts {HANDS_ON_S:g}s hands-on, then acts after "
            f"{info.delay_s:g}s; targets: {', '.join(info.targets)}{risky}"
        )

    @on(OptionList.OptionHighlighted)
    def _highlighted(self) -> None:
        self._describe()

    @on(OptionList.OptionSelected)
    def _selected(self) -> None:
        self.query_one("#target", Input).focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        target = self.query_one("#target", Input).value.strip()
        if not target:
            self.query_one("#error", Static).update("say which component (or flag) to act on")
            self.query_one("#target", Input).focus()
            return
        args = self.query_one("#args", Input).value.strip()
        try:
            action = parse_command(f"do {self.chosen} {target} {args}")
        except ValueError as exc:
            self.query_one("#error", Static).update(f"args: {exc}")
            return
        assert isinstance(action, dict)
        self.dismiss(action)

    def action_cancel(self) -> None:
        """Close without acting."""
        self.dismiss(None)


class DeclareDialog(ModalScreen[dict[str, Any] | None]):
    """Declare the root cause: component, fault kind, confidence, up to two alternatives.

    Under the rows, a list shows what fits the field being typed in (components, or fault
    kinds with their one-line summaries): ``↓`` moves into it, ``enter`` takes the choice.
    """

    BINDINGS = [Binding("escape", "cancel", "back"), Binding("down", "choices", show=False)]

    def __init__(self, components: list[str]) -> None:
        super().__init__()
        self.components = ["-", *components]
        self._field = "comp0"
        """The field the choices are for (the last one focused)."""

    def compose(self) -> ComposeResult:
        """Three rows of (component, kind, confidence); the first is required."""
        comps = SuggestFromList(self.components)
        kinds = SuggestFromList(KINDS)
        with Vertical(classes="dialog wide declare"):
            yield Label(
                "Declare the root cause (ranked; the first is your answer)", classes="dialog-title"
            )
            for n in range(3):
                with Horizontal(classes="field"):
                    yield Label(f"{n + 1}. ")
                    yield Input(placeholder="component, or -", suggester=comps, id=f"comp{n}")
                    yield Input(placeholder="fault kind", suggester=kinds, id=f"kind{n}")
                    yield Input(
                        placeholder="1.0" if n == 0 else "0-1", id=f"conf{n}", classes="conf"
                    )
            yield Static("", id="choices-title", classes="dialog-detail")
            yield OptionList(id="choices")
            yield Static(
                "→ complete · ↓ list · tab next field · enter declare · esc cancel",
                classes="dialog-detail",
            )
            yield Static("", id="error", classes="dialog-error")

    def on_mount(self) -> None:
        """Start at the first component."""
        self.query_one("#comp0", Input).focus()
        self._offer()

    def _offer(self) -> None:
        """List what fits the field being filled in."""
        field = self.query_one(f"#{self._field}", Input)
        choices = self.query_one("#choices", OptionList)
        title = self.query_one("#choices-title", Static)
        choices.clear_options()
        if self._field.startswith("conf"):
            title.update("confidence: how sure you are, from 0 to 1 (empty means 1.0)")
            choices.display = False
            return
        choices.display = True
        if self._field.startswith("comp"):
            names = matching(field.value, self.components)
            title.update(f"components ({len(names)}); - means none in particular")
            choices.add_options([Option(name, id=name) for name in names])
        else:
            names = matching(field.value, KINDS)
            kinds = [n for n in names if n in FAULT_KINDS]  # counted as the catalogue counts
            other = "".join(f" + {n}" for n in names if n not in FAULT_KINDS)
            title.update(
                f"fault kinds matching '{field.value}' ({len(kinds)} of {len(FAULT_KINDS)}){other}"
            )
            width = max((len(n) for n in names), default=0)
            choices.add_options(
                [
                    Option(f"{name:<{width}}  {KIND_SUMMARIES.get(name, '')}", id=name)
                    for name in names
                ]
            )
        if names:
            choices.highlighted = 0

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if event.input.id == self._field:
            self._offer()

    def on_descendant_focus(self, event: Any) -> None:
        """Follow the field being filled in."""
        widget = event.widget
        if isinstance(widget, Input) and widget.id and widget.id != self._field:
            self._field = widget.id
            self._offer()

    def action_choices(self) -> None:
        """Move from a field into the list of choices."""
        choices = self.query_one("#choices", OptionList)
        if isinstance(self.focused, Input) and choices.display and choices.option_count:
            choices.focus()

    @on(OptionList.OptionSelected, "#choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        field = self.query_one(f"#{self._field}", Input)
        field.value = event.option.id or ""
        row, n = self._field[:-1], self._field[-1]
        following = {"comp": f"#kind{n}", "kind": f"#conf{n}"}.get(row, f"#{self._field}")
        self.query_one(following, Input).focus()

    def _row(self, n: int) -> dict[str, Any] | None:
        comp = self.query_one(f"#comp{n}", Input).value.strip()
        kind = self.query_one(f"#kind{n}", Input).value.strip()
        conf = self.query_one(f"#conf{n}", Input).value.strip()
        if not comp and not kind:
            return None
        if not kind:
            raise ValueError(f"hypothesis {n + 1}: say which fault kind")
        if kind not in KINDS:
            import difflib

            close = difflib.get_close_matches(kind, KINDS, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise ValueError(f"hypothesis {n + 1}: unknown fault kind '{kind}'{hint}")
        try:
            confidence = float(conf) if conf else 1.0
        except ValueError:
            raise ValueError(
                f"hypothesis {n + 1}: confidence must be a number from 0 to 1"
            ) from None
        if not 0.0 <= confidence <= 1.0:
            raise ValueError(f"hypothesis {n + 1}: confidence must be from 0 to 1")
        component = None if comp in ("", "-", "none") else comp
        return {"component": component, "kind": kind, "confidence": confidence}

    @on(Input.Submitted)
    def _submitted(self) -> None:
        try:
            rows = [self._row(n) for n in range(3)]
        except ValueError as exc:
            self.query_one("#error", Static).update(str(exc))
            return
        hyps = [r for r in rows if r is not None]
        if not hyps or rows[0] is None:
            self.query_one("#error", Static).update("the first hypothesis needs a fault kind")
            return
        first = hyps[0]
        self.dismiss({"type": "declare", **first, "alternatives": hyps[1:]})

    def action_cancel(self) -> None:
        """Close without declaring."""
        self.dismiss(None)
