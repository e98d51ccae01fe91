"""The chaosgame terminal UI: a small app that owns one game and one snapshot.

Screens send plain-data actions with :meth:`ChaosApp.request`; a worker thread steps the
session and posts :class:`~chaosgame.tui.messages.ActionCompleted`; the app stores the new
frozen snapshot in its one reactive, and every screen re-renders from it.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive
from textual.worker import get_current_worker

from chaosgame.tui.messages import ActionCompleted, GameEnded, GameStarted

if TYPE_CHECKING:
    from textual.command import Provider
    from textual.screen import Screen

    from chaosgame.game.flow import Game, Snapshot
    from chaosgame.generate.menu import About
    from chaosgame.scenario.model import Scenario

DARK, LIGHT = "textual-dark", "textual-light"


def game_commands() -> type[Provider]:
    """The palette's game commands (imported when the palette first opens: a fast start)."""
    from chaosgame.tui.commands import GameCommands

    return GameCommands


class ChaosApp(App[None]):
    """The on-call console game."""

    CSS_PATH = "app.tcss"
    TITLE = "chaosgame"
    COMMANDS = App.COMMANDS | {game_commands}
    COMMAND_PALETTE_BINDING = "ctrl+p"
    BINDINGS = [
        Binding("colon", "command_palette", "commands", key_display=":"),
        Binding("question_mark", "help", "help", key_display="?"),
        Binding("ctrl+t", "toggle_theme", "theme", show=False),
        Binding("ctrl+q", "quit", "quit", show=False, priority=True),
    ]

    snapshot: reactive[Snapshot | None] = reactive(None, always_update=True)
    """The one frozen picture of the game; every screen renders from it."""
    busy: reactive[bool] = reactive(False)
    """A step is running in a worker."""
    realtime_speed: reactive[float] = reactive(0.0)
    """Simulated seconds per wall-clock second in real-time mode; 0 is turn-based."""

    def __init__(
        self,
        scenario: Scenario | None = None,
        seed: int | None = None,
        *,
        start: str = "home",
        realtime: float = 0.0,
        light: bool = False,
        export_dir: Path | None = None,
        library: Sequence[Scenario | Path] | None = None,
        store: Any = None,
        resume: Any = None,
        today: dt.date | None = None,
    ) -> None:
        super().__init__()
        self.initial_scenario = scenario
        self.initial_seed = seed
        self.start_at = start
        self._export_dir = export_dir
        self.library = library
        self.store = store
        """Where games are saved after every action (a ``RunStore``), or None."""
        self.resume = resume
        """A saved game in progress to open first (a ``RunRecord``), or None."""
        self.game: Game | None = None
        self.about: About | None = None
        """Where the game in play came from (a generated incident's seed code) and its
        difficulty estimate, for the briefing."""
        self._today = today
        self._realtime_choice = realtime
        self.theme = LIGHT if light else DARK
        self.remote_view: Any = None
        """A game on a classroom server to open first (``chaosgame join``), or None."""
        self.join_request: tuple[str, str | None, bool] | None = None
        """A classroom round to join on the first screen (``chaosgame join`` without a
        name): the server's address, the round's code (None: asked too), and whether the
        app is served to a browser (no token file; the token is shown)."""
        self.crash: BaseException | None = None
        """What ended the app unexpectedly: ``chaosgame play`` logs it and exits non-zero."""

    def _handle_exception(self, error: Exception) -> None:
        from textual.worker import WorkerFailed

        if self.crash is None:
            self.crash = error.error if isinstance(error, WorkerFailed) else error
        super()._handle_exception(error)

    def _print_error_renderables(self) -> None:
        if self.crash is None:
            super()._print_error_renderables()
        else:  # the command line tells a crash in one line and writes the details to a file
            self._exit_renderables.clear()

    @property
    def daily_date(self) -> dt.date:
        """The date of today's incident (the UTC date, unless the app was given one)."""
        from chaosgame.generate.codes import today

        return self._today or today()

    @property
    def export_dir(self) -> Path:
        """Where postmortems are exported: the folder given, else ``postmortems/`` in the
        data directory, beside the run records (``chaosgame.game.exports``)."""
        if self._export_dir is None:
            from chaosgame.game.exports import folder

            self._export_dir = folder()
        return self._export_dir

    # ----------------------------------------------------------------- start
    def get_default_screen(self) -> Screen[Any]:
        """The home screen is the bottom of the stack (the first frame drawn is the list)."""
        from chaosgame.tui.screens.home import HomeScreen

        return HomeScreen(self.initial_scenario, self.initial_seed, self.library)

    def on_mount(self) -> None:
        """Resume a saved game, or go straight into a named scenario, if asked."""
        if self.remote_view is not None:
            self.start_remote(self.remote_view)
        elif self.join_request is not None:
            from chaosgame.tui.screens.join import JoinScreen

            address, code, web = self.join_request
            self.push_screen(JoinScreen(address, code, web=web))
        elif self.resume is not None:
            self.resume_game(self.resume)
        elif self.start_at != "home" and self.initial_scenario is not None:
            self.start_game(self.initial_scenario, self.initial_seed)

    def start_game(self, scenario: Scenario, seed: int | None, resume: Any = None) -> None:
        """Begin a new game (the world runs up to the page in a worker, under a progress
        screen)."""
        from chaosgame.game.flow import Game
        from chaosgame.generate.menu import about

        self.game = Game(scenario, seed, store=self.store, resume=resume)
        self.about = about(scenario)
        self.snapshot = None
        doing = "Replaying your saved game" if resume is not None else "Running the world"
        self.working(
            f"Starting: {scenario.title}",
            f"{doing} up to the moment you are paged…",
        )
        self._start_worker(self.game)

    def start_remote(self, view: Any) -> None:
        """Play a game that runs on a classroom server (``chaosgame join``): ``view`` has the
        player view's interface; what the host does arrives as notifications."""
        from chaosgame.classroom.client import event_line
        from chaosgame.game.flow import Game

        def told(event: dict[str, Any]) -> None:
            self.call_from_thread(self.notify, event_line(event), timeout=15, markup=False)

        view.on_event = told
        view.listen()
        self.remote_view = view
        self.game = Game(view=view)
        self.about = None
        self.snapshot = None
        self.working(f"Joining round {view.code}", "Asking the host's server for the page…")
        self._start_worker(self.game)

    def working(self, title: str, detail: str = "") -> None:
        """Show (or update) the progress screen while a worker runs a long step."""
        from chaosgame.tui.screens.dialogs import WorkingScreen

        if isinstance(self.screen, WorkingScreen):
            self.screen.say(title, detail)
        else:
            self.push_screen(WorkingScreen(title, detail))

    def done_working(self) -> None:
        """Take the progress screen away, if it is shown."""
        from chaosgame.tui.screens.dialogs import WorkingScreen

        if isinstance(self.screen, WorkingScreen):
            self.pop_screen()

    def resume_game(self, record: Any) -> None:
        """Continue a saved game in progress, straight into the console."""
        try:
            scenario = record.scenario()
        except Exception as exc:  # a damaged record is a message, never a crash
            self.notify(
                f"Run {record.id} cannot be resumed: {exc}",
                severity="error",
                timeout=10,
                markup=False,
            )
            return
        self.start_at = "console"
        self.start_game(scenario, record.seed, resume=record)

    def action_resume(self) -> None:
        """Continue the latest unfinished game, if games are saved."""
        if self.store is None:
            self.notify("Games are not being saved in this session.", severity="warning")
            return
        self._find_unfinished()

    @work(thread=True, exclusive=True, group="records")
    def _find_unfinished(self) -> None:
        try:
            record = self.store.get("unfinished")
        except Exception as exc:  # a missing or damaged record is a message, never a crash
            self.call_from_thread(self.notify, str(exc), severity="warning")
            return
        self.call_from_thread(self.resume_game, record)

    @work(thread=True, exclusive=True, group="session")
    def _start_worker(self, game: Game) -> None:
        try:
            snap = game.start()
        except Exception as exc:  # a game that cannot start is a message, never a crash
            self.call_from_thread(self._start_failed, game, str(exc) or type(exc).__name__)
            return
        self.post_message(GameStarted(snap))

    def _start_failed(self, game: Game, why: str) -> None:
        self.done_working()
        if self.game is game:
            self.game = None
        self.start_at = "home"
        self.notify(f"The game could not start: {why}", severity="error", timeout=10, markup=False)

    @on(GameStarted)
    def _started(self, message: GameStarted) -> None:
        from chaosgame.tui.screens.briefing import BriefingScreen
        from chaosgame.tui.screens.console import ConsoleScreen

        self.done_working()
        self.snapshot = message.snapshot
        self.realtime_speed = 0.0
        if self.start_at == "console":
            self.start_at = "home"
            self.push_screen(ConsoleScreen())
        else:
            self.push_screen(BriefingScreen())

    # --------------------------------------------------------------- actions
    def request(self, action: dict[str, Any]) -> bool:
        """Send an action to the session in a worker; False if one is already running."""
        if self.game is None or self.busy:
            if self.busy:
                self.notify("Still working on the last action…", timeout=2)
            return False
        if self.snapshot is not None and self.snapshot.ended:
            return False
        self.busy = True
        if self._ends(action):
            self.working(
                "Ending the game",
                "Scoring it: your path is compared with doing nothing and with the reference "
                "fix, run on the same world…",
            )
        self._step_worker(self.game, action)
        return True

    def _ends(self, action: dict[str, Any]) -> bool:
        """Whether ``action`` will end the game (the debrief is worked out in the same step)."""
        if action.get("type") == "end":
            return True
        left = float(self.snapshot.observation.get("remaining_s", 1e9)) if self.snapshot else 1e9
        if action.get("type") == "wait" and action.get("until") == "next" and self.snapshot:
            obs = self.snapshot.observation
            due = [float(p["takes_effect_at"]) for p in obs.get("pending_mitigations", [])]
            return bool(due) and min(due) - float(obs["time"]) >= left
        return action.get("type") == "wait" and float(action.get("seconds", 0)) >= left

    @work(thread=True, group="session")
    def _step_worker(self, game: Game, action: dict[str, Any]) -> None:
        worker = get_current_worker()
        # a long search stops at its next chunk once the worker is cancelled (the app quits)
        snap = game.step(action, stop=lambda: worker.is_cancelled)
        if not worker.is_cancelled:
            self.post_message(ActionCompleted(action, snap))

    @on(ActionCompleted)
    def _completed(self, message: ActionCompleted) -> None:
        self.busy = False
        if not message.snapshot.ended:
            self.done_working()
        self.snapshot = message.snapshot
        if message.snapshot.error:
            self.bell()
        if message.snapshot.ended:
            self.post_message(GameEnded(message.snapshot))

    @work(thread=True, exclusive=True, group="reveal")
    def wait_for_debrief(self) -> None:
        """Wait (in a worker) until the host reveals the debrief, then show it."""
        from chaosgame.game.flow import DebriefPending

        game = self.game
        waiting = getattr(game.view, "wait_for_reveal", None) if game is not None else None
        if game is None or waiting is None:
            return
        worker = get_current_worker()
        while not worker.is_cancelled:
            if waiting(give_up=2.0):
                try:
                    snap = game.fetch_debrief()
                except DebriefPending:
                    continue
                except Exception as exc:  # a lost server is a message, never a crash
                    self.call_from_thread(self.notify, str(exc), severity="error", markup=False)
                    return
                self.post_message(GameEnded(snap))
                return

    @on(GameEnded)
    def _ended(self, message: GameEnded) -> None:
        from chaosgame.tui.screens.debrief import DebriefScreen

        gc.unfreeze()  # the game's objects may be collected again once it is left
        self.realtime_speed = 0.0
        self.done_working()
        self.snapshot = message.snapshot
        self.switch_screen(DebriefScreen())
        if message.snapshot.debrief is None:
            self.wait_for_debrief()

    def settle_memory(self) -> None:
        """Set what exists now (the world, its history, the console's widgets) aside from the
        garbage collector: later collections scan only new objects, so a keypress never waits
        on a full collection of a large game (``benchmarks/bench_tui.py`` measures it)."""
        gc.collect()
        gc.freeze()

    def save_notes(self, text: str) -> None:
        """Keep the player's notes with the game."""
        if self.game is not None and self.game.snapshot is not None:
            self.snapshot = self.game.set_notes(text)

    # ------------------------------------------------------------ app verbs
    def action_help(self) -> None:
        """Every key and how to play."""
        from chaosgame.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_help_quit(self) -> None:
        """Ctrl+C quits, as Ctrl+Q does (where text is selected it copies it instead: the
        field or screen with the selection takes the key first)."""
        self.exit()

    def action_toggle_theme(self) -> None:
        """Switch between the light and the dark theme."""
        self.theme = LIGHT if self.theme == DARK else DARK

    def action_toggle_realtime(self) -> None:
        """Turn-based or real time (the clock follows the wall clock at the chosen speed)."""
        self.realtime_speed = 0.0 if self.realtime_speed else (self._realtime_choice or 10.0)
        mode = f"real time x{self.realtime_speed:g}" if self.realtime_speed else "turn-based"
        self.notify(f"Now {mode}", timeout=2)


def make_app(
    scenario: Scenario | str | None = None,
    seed: int | None = None,
    **options: Any,
) -> ChaosApp:
    """Build the app (the one factory tests and the command line use)."""
    if isinstance(scenario, str):
        from chaosgame.scenario import library

        scenario = library.load(scenario)
    return ChaosApp(scenario, seed, **options)


def run_remote_tui(view: Any) -> int:
    """Play a classroom round in the terminal UI (``chaosgame join``)."""
    light = os.environ.get("CHAOSGAME_THEME", "").lower() == "light"
    app = ChaosApp(start="remote", light=light)
    app.remote_view = view
    app.run()
    if app.crash is not None:
        raise app.crash
    return app.return_code or 0


def run_join_tui(address: str, code: str | None, *, web: bool) -> int:
    """Join a classroom round from the TUI's first screen, which asks the player's name
    (``chaosgame join`` without ``--name``; ``web``: the page a browser opens)."""
    light = os.environ.get("CHAOSGAME_THEME", "").lower() == "light"
    app = ChaosApp(start="remote", light=light)
    app.join_request = (address, code, web)
    try:
        app.run()
    finally:
        if app.remote_view is not None:
            app.remote_view.close()
    if app.crash is not None:
        raise app.crash
    return app.return_code or 0


def run_tui(
    scenario: Scenario | None,
    seed: int | None,
    realtime: float = 0.0,
    *,
    store: Any = None,
    resume: Any = None,
) -> int:
    """Run the app in the terminal; a named scenario opens its briefing directly.

    An error that stopped the app is raised again once the terminal is restored.
    """
    light = os.environ.get("CHAOSGAME_THEME", "").lower() == "light"
    app = make_app(
        scenario,
        seed,
        start="briefing" if scenario else "home",
        realtime=realtime,
        light=light,
        store=store,
        resume=resume,
    )
    app.run()
    if app.crash is not None:
        raise app.crash
    return app.return_code or 0
