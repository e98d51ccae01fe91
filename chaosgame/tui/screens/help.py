"""Help: every key, and how to play, on one screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# How to play

You are paged for an outage. **Every view and every action costs simulated time**, and the
error budget keeps burning meanwhile. Look at the evidence, stop the bleeding (mitigate),
and **declare** the root cause: a component and a fault kind. End the game to read the
debrief: the hidden truth, your score and what you missed.

The top bar always shows the game clock, the time left (and the time on call, when there is
room), pages firing, and what the keys of this tab cost.

| key | anywhere |
|---|---|
| `:` | command palette: every query, mitigation and verb with its cost |
| `?` | this help |
| `esc` | back (leave a field, close a dialog, previous screen) |
| `ctrl+t` | light or dark theme |
| `ctrl+q` | quit |

| key | incident console |
|---|---|
| `1`…`6` | overview, metrics, logs, traces, timeline, notes |
| `/` | the query field of this tab |
| `r` | read this tab again (map, events…) at its cost |
| `m` / `l` | chart errors / p99 latency of the component under the cursor |
| `f` | CPU profile of the component under the cursor (where its CPU goes) |
| `a` | mitigate (choose action, target, arguments) |
| `d` | declare the root cause |
| `w` | wait one minute |
| `t` | wait until the next action under way takes effect (a long recovery) |
| `g` / `u` / `n` | map: group by team, tier, region or call tree / only what is not ok / filter by name (free) |
| `n` / `b` | logs: next / previous page of the search (each page is a query) |
| `←` / `→`, `v` | logs: scroll the records sideways, or wrap them |
| `p` | real time on/off (the clock follows the wall clock) |
| `e` | end the game and read the debrief |

| key | home, history and quiz |
|---|---|
| `/`, `s`, `enter` | home: filter by topic or difficulty, seed, play |
| `d` / `t` / `c` | home: difficulty / topic of a new generated incident; play a seed code |
| `r` | home: resume the latest unfinished game |
| `h` | home: history of saved games; `enter` resumes one in progress or opens a finished one's postmortem (`x` exports it) |
| `z` | home: quiz on interview questions; pick a topic, then `1`…`4` or `a`…`d` answer, `ctrl+s` compare a typed answer, `y`/`n` mark it, `s` skip, `n` next, `t` another topic |

Risky mitigations (⚠) ask for confirmation: `y` yes, `n` or `esc` no.
The mouse works everywhere: click tabs, rows and buttons.
"""


class HelpScreen(ModalScreen[None]):
    """Keys and rules in one place; any of esc, ? or q closes it."""

    BINDINGS = [Binding("escape,question_mark,q", "close", "close")]

    def compose(self) -> ComposeResult:
        """The help text."""
        with VerticalScroll(id="help", classes="dialog wide"):
            yield Markdown(HELP)

    def action_close(self) -> None:
        """Back to where the player was."""
        self.dismiss(None)
