"""The command palette (``:``): every query, mitigation and verb, with what it costs."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from chaosgame.game.commands import parse_command
from chaosgame.game.menu import (
    Command,
    cost_text,
    game_commands,
    mitigation_commands,
    query_commands,
    recovery_commands,
)

if TYPE_CHECKING:
    from chaosgame.tui.app import ChaosApp


def _help(cmd: Command) -> str:
    risky = " ⚠ asks to confirm" if cmd.risky else ""
    return f"costs {cost_text(cmd.cost_s)} · {cmd.help}{risky}"


class GameCommands(Provider):
    """Queries, mitigations and game verbs; a typed console command runs as it is."""

    def _commands(self) -> list[Command]:
        app = cast("ChaosApp", self.app)
        snap = app.snapshot
        if snap is None or snap.ended:
            return [c for c in game_commands() if not c.action and c.verb in ("help", "theme")]
        comps = snap.components
        return [
            *game_commands(),
            *recovery_commands(snap.briefing),
            *query_commands(comps),
            *mitigation_commands(comps, snap.briefing),
        ]

    def _run(self, cmd: Command) -> None:
        from chaosgame.tui.screens.console import ConsoleScreen

        screen = self.app.screen
        if isinstance(screen, ConsoleScreen):
            screen.run_command(cmd)
        elif cmd.verb == "help":
            cast("ChaosApp", self.app).action_help()
        elif cmd.verb == "theme":
            cast("ChaosApp", self.app).action_toggle_theme()

    async def discover(self) -> Hits:
        """The game verbs and the views, before anything is typed."""
        for cmd in self._commands()[:12]:
            yield DiscoveryHit(cmd.label, partial(self._run, cmd), help=_help(cmd))

    async def search(self, query: str) -> Hits:
        """Fuzzy match over every command; a full console command is offered as typed."""
        matcher = self.matcher(query)
        if " " in query.strip():
            try:
                parsed = parse_command(query)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict):
                cmd = Command(query.strip(), "run as typed", 0.0, parsed)
                yield Hit(
                    1.0,
                    f"run: {query.strip()}",
                    partial(self._run, cmd),
                    help="as in the text console",
                )
        for cmd in self._commands():
            score = matcher.match(cmd.label)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(cmd.label), partial(self._run, cmd), help=_help(cmd)
                )
