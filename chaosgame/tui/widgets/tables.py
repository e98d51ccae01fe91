"""A data table that keeps its rendered rows across focus and tab changes.

Textual's ``DataTable`` throws away every rendered cell on any style update, and it gets one
each time it gains or loses the focus: on a console tab switch a 100-row service map was
rendered again from nothing (``benchmarks/bench_tui.py`` measures it). Its render caches are
already keyed by the focus and hover state and by the base style, so they only go stale when
the styles of its parts change (a new theme): this table clears them only then.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.content import Content
from textual.widget import Widget
from textual.widgets import DataTable


class SteadyTable(DataTable[Content]):
    """A ``DataTable`` whose render caches survive style updates that change nothing drawn."""

    def _drawn_with(self) -> tuple[Any, ...]:
        """What a style update can change in the cells besides the keys of the caches (the
        focus and hover state, the base style): the theme and the style of each part."""
        parts = tuple(
            self.get_component_styles(name).partial_rich_style
            for name in sorted(self.COMPONENT_CLASSES)
        )
        return (self.app.theme, self.app.ansi_color, parts)

    def notify_style_update(self) -> None:
        """Clear the rendered cells only when what they were drawn with changed.

        The parts' styles differ with the focus, so they are remembered per focus and hover
        state: going back to a state seen before finds its cells still valid.
        """
        try:
            drawn_with: tuple[Any, ...] | None = self._drawn_with()
        except KeyError:  # the parts have no styles yet (before the first styling)
            drawn_with = None
        state = self.get_pseudo_class_state()
        seen: dict[Any, tuple[Any, ...]] = self.__dict__.setdefault("_drawn", {})
        if drawn_with is not None and seen.get(state, drawn_with) == drawn_with:
            seen[state] = drawn_with
            Widget.notify_style_update(self)  # the widget's own style caches, not the cells
            self.refresh()
            return
        seen.clear()
        if drawn_with is not None:
            seen[state] = drawn_with
        super().notify_style_update()

    def _on_resize(self, event: events.Resize) -> None:
        """A tab shown again is resized to the size it had: its rendered cells still fit."""
        if not event.size.area or event.size == getattr(self, "_last_size", None):
            event.prevent_default()  # Textual calls every class's handler unless told not to
            return
        self._last_size = event.size
