"""Modal dialogs: confirm a risky action, choose a mitigation, declare the root cause, and the
progress screen of long steps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.table import Table
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, LoadingIndicator, OptionList, Static
from textual.widgets.option_list import Option

from chaosgame.game.menu import (
    HANDS_ON_S,
    KIND_SUMMARIES,
    KINDS,
    PARTY_TARGETS,
    TARGET_PLACEHOLDERS,
    cost_text,
    delay_text,
    matching,
    mitigation_params,
    mitigation_problem,
    scenario_delay,
    shown_value,
)
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
            yield Label(self.question, classes="dialog-title", markup=False)
            if self.detail:
                yield Static(self.detail, classes="dialog-detail", markup=False)
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


class ThinkDialog(ModalScreen[str | None]):
    """Type a think-aloud note for the host of a classroom or interview round: ``enter``
    sends it, ``esc`` drops it."""

    BINDINGS = [Binding("escape", "cancel", "cancel")]
    MAX = 2000
    """The longest note the server takes."""

    def compose(self) -> ComposeResult:
        """The title, what happens to the note, the field."""
        with Vertical(classes="dialog wide"):
            yield Label("Think aloud", classes="dialog-title")
            yield Static(
                "What you see, what you suspect, what you will do next: the host (your "
                "interviewer) reads it with the time. It costs no game time. "
                "Enter sends, Esc drops it.",
                classes="dialog-detail",
                markup=False,
            )
            yield Input(
                placeholder="e.g. errors started with the payments deploy; checking its logs",
                max_length=self.MAX,
                id="think-text",
            )

    def on_mount(self) -> None:
        """Straight into the field."""
        self.query_one("#think-text", Input).focus()

    def action_cancel(self) -> None:
        """Close without sending."""
        self.dismiss(None)

    @on(Input.Submitted, "#think-text")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        self.dismiss(text or None)


def mitigation_option(name: str, briefing: Mapping[str, Any] | None = None) -> Table:
    """One mitigation in the list: name, risk, ``+delay`` until it acts (this incident's when
    it says otherwise, marked ``*``), then its summary wrapped beside them."""
    info = MITIGATIONS[name]
    here = scenario_delay(briefing, name)
    delay = f"+{cost_text(info.delay_s)}"
    if here is not None and here != info.delay_s:
        delay = f"+{cost_text(here)}*"
    row = Table.grid(padding=(0, 1), expand=True)
    row.add_column(width=18, no_wrap=True)
    row.add_column(width=1, no_wrap=True)
    row.add_column(width=6, no_wrap=True, justify="right")
    row.add_column(ratio=1)
    row.add_row(name, "⚠" if info.risky else "", delay, info.summary)
    return row


class WorkingScreen(ModalScreen[None]):
    """Shown while a long step runs in a worker (the world running up to the page, the
    scoring at the end): what is being done, and a spinner that moves while it is."""

    def __init__(self, title: str, detail: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.detail = detail

    def compose(self) -> ComposeResult:
        """The title, the spinner and the detail."""
        with Vertical(classes="dialog working"):
            yield Label(self.title_text, classes="dialog-title", id="working-title", markup=False)
            yield LoadingIndicator()
            yield Static(self.detail, classes="dialog-detail", id="working-detail", markup=False)

    def say(self, title: str, detail: str = "") -> None:
        """Change what the screen says is being done."""
        self.title_text, self.detail = title, detail
        if self.is_mounted:
            self.query_one("#working-title", Label).update(title)
            self.query_one("#working-detail", Static).update(detail)


class ActionDialog(ModalScreen[dict[str, Any] | None]):
    """Choose a mitigation, its target and its parameters; see its delay and side effect first.

    The target starts as the component the player was looking at. Each parameter has its own
    field, named, with its type and range; the line under the fields explains what is focused.
    """

    BINDINGS = [Binding("escape", "cancel", "back")]

    def __init__(
        self,
        components: list[str],
        action: str | None = None,
        target: str | None = None,
        briefing: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.components = components
        self.briefing = briefing
        self.initial_action = action
        self.initial_target = target or ""
        self._chosen = ""

    def compose(self) -> ComposeResult:
        """The list of mitigations, the target, a field per parameter, and what it costs."""
        with Vertical(classes="dialog wide mitigate"):
            yield Label(
                "Mitigate: ↑↓ choose, tab fills in, enter acts, esc cancels",
                classes="dialog-title",
            )
            yield OptionList(
                *[Option(mitigation_option(name, self.briefing), id=name) for name in MITIGATIONS],
                id="mitigations",
            )
            with Horizontal(classes="field"):
                yield Label("target", classes="name")
                yield Input(
                    self.initial_target,
                    placeholder="a component",
                    suggester=SuggestFromList(self.components),
                    id="target",
                )
            yield Vertical(id="params")
            yield Static("", id="cost", classes="dialog-detail", markup=False)
            yield Static("", id="error", classes="dialog-error", markup=False)

    def on_mount(self) -> None:
        """Select the action asked for, and focus where typing is needed."""
        options = self.query_one("#mitigations", OptionList)
        names = list(MITIGATIONS)
        if self.initial_action in names:
            options.highlighted = names.index(self.initial_action)
            self.query_one("#target", Input).focus()
        else:
            options.highlighted = 0
            options.focus()

    @property
    def chosen(self) -> str:
        """The mitigation under the cursor."""
        idx = self.query_one("#mitigations", OptionList).highlighted or 0
        return list(MITIGATIONS)[idx]

    def _describe(self, focused: Any = None) -> None:
        """Explain what is focused: the mitigation, its target or one of its parameters."""
        info = MITIGATIONS[self.chosen]
        cost = self.query_one("#cost", Static)
        field_id = getattr(focused, "id", None) or ""
        if field_id.startswith("p-"):
            param = next(p for p in mitigation_params(info.action) if p.name == field_id[2:])
            meaning = f": {param.help}" if param.help else ""
            cost.update(f"{param.name}{meaning}\n{param.hint}")
            return
        if field_id == "target":
            kinds = list(info.targets)
            either = f"{', '.join(kinds[:-1])} or {kinds[-1]}" if len(kinds) > 1 else kinds[0]
            cost.update(
                f"target: the {either} to act on"
                + (
                    ""
                    if "flag" in info.targets or info.targets[0] in PARTY_TARGETS
                    else "; the one you were looking at is filled in"
                )
            )
            return
        risky = "  ⚠ risky: you will be asked to confirm" if info.risky else ""
        target = self.query_one("#target", Input).value.strip() or None
        cost.update(
            f"takes effect {delay_text(self.briefing, info.action, target)} after you ask, costs "
            f"{cost_text(HANDS_ON_S)} of your time{risky}\nside effect: {info.side_effect}"
        )

    @on(OptionList.OptionHighlighted, "#mitigations")
    async def _highlighted(self) -> None:
        name = self.chosen
        if name == self._chosen:
            return
        self._chosen = name
        info = MITIGATIONS[name]
        target = self.query_one("#target", Input)
        flag = "flag" in info.targets or info.targets[0] in PARTY_TARGETS
        target.placeholder = TARGET_PLACEHOLDERS.get(info.targets[0], "a component")
        if flag and target.value == self.initial_target:
            target.value = ""
        elif not flag and not target.value:
            target.value = self.initial_target
        params = self.query_one("#params", Vertical)
        await params.remove_children()
        rows = []
        for p in mitigation_params(name):
            row = Horizontal(classes="field param")
            row.compose_add_child(Label(p.name, classes="name"))
            row.compose_add_child(
                Input(
                    placeholder="required" if p.required else f"{shown_value(p.default)}",
                    suggester=SuggestFromList(self.components) if p.name == "to" else None,
                    id=f"p-{p.name}",
                )
            )
            row.compose_add_child(Static(p.type_text, classes="type"))
            rows.append(row)
        await params.mount_all(rows)
        self.query_one("#error", Static).update("")
        self._describe(self.focused)

    def on_descendant_focus(self, event: Any) -> None:
        """The detail line follows the focus."""
        if self._chosen:
            self._describe(event.widget)

    @on(OptionList.OptionSelected, "#mitigations")
    def _selected(self) -> None:
        self.query_one("#target", Input).focus()

    def _problem(self, text: str, field: str) -> None:
        self.query_one("#error", Static).update(text)
        self.query_one(f"#{field}", Input).focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        name = self.chosen
        target = self.query_one("#target", Input).value.strip()
        if not target:
            first = MITIGATIONS[name].targets[0]
            what = first if first in ("flag", *PARTY_TARGETS) else "component"
            self._problem(f"Say which {what} to act on: type it in the target field.", "target")
            return
        action: dict[str, Any] = {"type": "mitigate", "action": name, "target": target}
        for p in mitigation_params(name):
            text = self.query_one(f"#p-{p.name}", Input).value.strip()
            if not text:
                if p.required:
                    self._problem(p.missing(name), f"p-{p.name}")
                    return
                continue
            try:
                action[p.name] = p.parse(text)
            except ValueError as exc:
                self._problem(f"{exc}.", f"p-{p.name}")
                return
        problem = mitigation_problem(action)
        if problem:
            self.query_one("#error", Static).update(problem)
            return
        self.dismiss(action)

    def action_cancel(self) -> None:
        """Close without acting."""
        self.dismiss(None)


def kind_option(name: str, width: int) -> Table:
    """A fault kind in the declare list: its name, then its summary wrapped beside it (the
    words typed may match the summary, so all of it shows)."""
    row = Table.grid(padding=(0, 2), expand=True)
    row.add_column(width=width, no_wrap=True)
    row.add_column(ratio=1)
    row.add_row(name, KIND_SUMMARIES.get(name, ""))
    return row


class DeclareDialog(ModalScreen[dict[str, Any] | None]):
    """Declare the root cause: component, fault kind, confidence, up to two alternatives.

    Under the rows, a list shows what fits the field being typed in (components and the
    artefacts the fleet shares, or fault kinds with their one-line summaries): ``↓`` moves
    into it, ``enter`` takes the choice.
    """

    BINDINGS = [Binding("escape", "cancel", "back"), Binding("down", "choices", show=False)]

    def __init__(self, components: list[str], artefacts: list[str] | None = None) -> None:
        super().__init__()
        self.artefacts = list(artefacts or [])
        self.components = ["-", *components, *self.artefacts]
        self._field = "comp0"
        """The field the choices are for (the last one focused)."""

    def compose(self) -> ComposeResult:
        """Three rows of (component, kind, confidence); the first is required."""
        comps = SuggestFromList(self.components)
        kinds = SuggestFromList(KINDS)
        hint = "component, artefact or -" if self.artefacts else "component, or -"
        with Vertical(classes="dialog wide declare"):
            yield Label(
                "Declare the root cause (ranked; the first is your answer)", classes="dialog-title"
            )
            for n in range(3):
                with Horizontal(classes="field"):
                    yield Label(f"{n + 1}. ")
                    yield Input(placeholder=hint, suggester=comps, id=f"comp{n}")
                    yield Input(placeholder="fault kind", suggester=kinds, id=f"kind{n}")
                    yield Input(
                        placeholder="1.0" if n == 0 else "0-1", id=f"conf{n}", classes="conf"
                    )
            yield Static("", id="error", classes="dialog-error", markup=False)
            yield Static("", id="choices-title", classes="dialog-detail", markup=False)
            yield OptionList(id="choices")
            yield Static(
                "→ complete · ↓ list · tab next field · enter declare · esc cancel",
                classes="dialog-detail",
            )

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
            if self.artefacts:
                title.update(
                    f"components and shared artefacts such as {self.artefacts[0]} "
                    f"({len(names)}); - means none in particular"
                )
            else:
                title.update(f"components ({len(names)}); - means none in particular")
            choices.add_options([Option(name, id=name) for name in names])
        else:
            names = matching(field.value, KINDS, KIND_SUMMARIES)
            kinds = [n for n in names if n in FAULT_KINDS]  # counted as the catalogue counts
            other = "".join(f" + {n}" for n in names if n not in FAULT_KINDS)
            title.update(
                f"kinds with '{field.value}' in name or summary "
                f"({len(kinds)} of {len(FAULT_KINDS)}){other}"
            )
            width = max((len(n) for n in names), default=0)
            choices.add_options([Option(kind_option(name, width), id=name) for name in names])
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
