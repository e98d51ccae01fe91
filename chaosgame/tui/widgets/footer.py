"""The key footer, rebuilt only when the keys it shows change.

Textual's footer rebuilds its keys on every bindings update (each focus change, each screen
change), several times for one keypress; every rebuild mounts and styles a widget per key.
This one coalesces the updates of a refresh into one check and rebuilds only when what it
would show differs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.widgets import Footer

if TYPE_CHECKING:
    from textual.screen import Screen


class KeyFooter(Footer):
    """A footer of the active key bindings that skips rebuilds showing the same keys."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending = False
        self._shown: tuple[Any, ...] | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        """Schedule one check after the refresh, however many updates arrive before it."""
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._pending:
            self._pending = True
            self.call_after_refresh(self._rebuild_if_changed)

    def shown_keys(self) -> tuple[Any, ...]:
        """What the footer would show: each visible binding with its state, and the palette."""
        app = self.app
        keys = tuple(
            (
                b.key,
                app.get_key_display(b),
                b.description,
                b.action,
                enabled,
                tooltip,
                b.group,
            )
            for (_, b, enabled, tooltip) in self.screen.active_bindings.values()
            if b.show
        )
        palette = self.show_command_palette and app.ENABLE_COMMAND_PALETTE
        palette_binding = self.screen.active_bindings.get(app.COMMAND_PALETTE_BINDING)
        return keys, palette, palette_binding[1:] if palette and palette_binding else None

    async def _rebuild_if_changed(self) -> None:
        self._pending = False
        if not self.is_attached:
            return
        shown = self.shown_keys()
        if shown == self._shown:
            return
        self._shown = shown
        await self.recompose()
