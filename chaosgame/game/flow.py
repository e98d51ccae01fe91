"""The flow of a game as every frontend shows it: frozen snapshots of what the player has seen.

Nothing here imports Textual. :class:`Game` wraps a :class:`~chaosgame.game.player.PlayerView`
(the only door into the core) and turns each step's plain-data result into a new
:class:`Snapshot`. A frontend holds the latest snapshot and only renders it (the terminal UI
keeps it in one reactive).
Every view the player opens cost simulated time, so a snapshot keeps the last answer of each
view with the clock time it was read at, exactly like a dashboard that is only refreshed on
demand.
"""

from __future__ import annotations

import dataclasses
import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chaosgame.game.player import PlayerView
from chaosgame.scenario.model import Scenario
from chaosgame.scenario.units import format_duration

MAX_CHARTS = 4
"""Metric charts kept on the console (the oldest is dropped first)."""


@dataclass(frozen=True)
class Chart:
    """One chart the player asked for: one or more named series over a window."""

    title: str
    window_s: float
    lines: tuple[tuple[str, tuple[tuple[float, float], ...]], ...]
    read_at: str
    action: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Charts of the same question replace each other."""
        return self.title


@dataclass(frozen=True)
class Entry:
    """One line of the player's own path: what was asked, what it cost, what came back."""

    clock: str
    elapsed_s: float
    label: str
    cost_s: float
    ok: bool
    message: str
    kind: str = ""
    """The action's type: ``query``, ``mitigate``, ``wait``, ``declare`` or ``end``."""
    time_s: float = 0.0
    """The simulated second it was asked at (``clock`` is its clock time)."""
    effect_s: float | None = None
    """For a mitigation, the simulated second it takes effect."""


@dataclass(frozen=True)
class Snapshot:
    """Everything the interface shows, frozen. A new one replaces it after every action."""

    briefing: Mapping[str, Any]
    observation: Mapping[str, Any]
    map: Mapping[str, Any] | None = None
    map_at: str = ""
    charts: tuple[Chart, ...] = ()
    events: tuple[Mapping[str, Any], ...] = ()
    events_at: str = ""
    logs: Mapping[str, Any] | None = None
    traces: Mapping[str, Any] | None = None
    other: Mapping[str, Any] | None = None
    path: tuple[Entry, ...] = ()
    sli_trail: tuple[tuple[float, float], ...] = ()
    message: str = ""
    error: bool = False
    notes: str = ""
    debrief: Mapping[str, Any] | None = None

    @property
    def ended(self) -> bool:
        """Whether the game is over (the debrief can be shown)."""
        return self.observation.get("status") == "ended"

    @property
    def components(self) -> list[str]:
        """Component names the player may name (from the briefing)."""
        return list(self.briefing.get("components", []))

    @property
    def artefacts(self) -> list[str]:
        """Shared artefacts (a tag's ``key:value``) the player may name as a fleet-wide root
        cause (from the briefing)."""
        return list(self.briefing.get("artefacts", []))

    @property
    def clock_zero(self) -> float:
        """The second of the day at simulated second 0 (for a chart's time axis)."""
        h, m, s = (int(x) for x in str(self.observation["clock"]).split(":"))
        return h * 3600 + m * 60 + s - float(self.observation["time"])

    @property
    def start_s(self) -> float:
        """The simulated second the player was paged (the game started)."""
        return float(self.observation["time"]) - float(self.observation["elapsed_s"])

    def clock_of(self, t: float) -> str:
        """The ``HH:MM:SS`` clock time of simulated second ``t``."""
        at = int(round(self.clock_zero + t)) % 86400
        return f"{at // 3600:02d}:{at % 3600 // 60:02d}:{at % 60:02d}"


def describe(action: Mapping[str, Any]) -> str:
    """A short human label for an action dict (for the path and the messages)."""
    kind = action.get("type")
    if kind == "query":
        if "q" in action:
            return f"query {action['q']}"
        view = str(action.get("view"))
        parts = [view if view != "deploys" else "changes"]
        if action.get("component"):
            parts.append(str(action["component"]))
        if action.get("metric"):
            parts.append(str(action["metric"]))
        return " ".join(parts)
    if kind == "mitigate":
        extra = " ".join(
            f"{k}={v}" for k, v in action.items() if k not in ("type", "action", "target")
        )
        return f"{action.get('action')} {action.get('target')} {extra}".strip()
    if kind == "wait" and action.get("until") == "next":
        return "wait until the next step"
    if kind == "wait":
        return f"wait {float(action.get('seconds', 0)):g}s"
    if kind == "declare":
        return f"declare {action.get('kind')} in {action.get('component') or '-'}"
    return str(kind)


def _describe_safely(action: Any) -> str:
    try:
        return describe(action)
    except Exception:
        return "that action"


def mitigation_message(entry: Entry, effect_clock: str) -> str:
    """When a mitigation was asked and when it takes effect, as the timeline shows them."""
    assert entry.effect_s is not None
    delay = format_duration(entry.effect_s - entry.time_s)
    return f"{entry.label}: asked at {entry.clock}, takes effect at {effect_clock} ({delay} later)"


def _window(query: str) -> float:
    """The ``--since`` of a typed query, in seconds (15 minutes when not given)."""
    from chaosgame.telemetry.query import since

    return since(query)


def _drawable(points: Any) -> tuple[tuple[float, float], ...]:
    """The points of a series a chart can draw: finite values only (a scalar such as 1e400 is
    infinite), and none so large that the distance between two of them overflows."""
    out = []
    for t, v in points:
        t, v = float(t), float(v)
        if math.isfinite(t) and math.isfinite(v) and abs(v) < 1e300:
            out.append((t, v))
    return tuple(out)


def _first_sli(obs: Mapping[str, Any]) -> float:
    slos = obs.get("slos") or []
    known = [s["sli_5m"] for s in slos if s.get("sli_5m") is not None]
    return float(known[0]) if known else 1.0


PENDING = "Your game is over. The debrief opens when the host reveals it."


class DebriefPending(Exception):
    """The game is over, and its debrief is not open yet (a classroom host reveals it)."""


class Game:
    """A player view plus the snapshot a frontend shows. Safe to step from a worker thread."""

    def __init__(
        self,
        scenario: Scenario | None = None,
        seed: int | None = None,
        *,
        store: Any = None,
        resume: Any = None,
        view: Any = None,
    ) -> None:
        if view is None and scenario is None:
            raise ValueError("a game needs a scenario, or a view of a game played elsewhere")
        self.view = view if view is not None else PlayerView(scenario, seed)  # type: ignore[arg-type]
        """The game as the player may see it (the only door into the core)."""
        self._lock = threading.Lock()
        self.snapshot: Snapshot | None = None
        self.store = store
        """Where the game is saved after every action (a ``RunStore``), or None."""
        self.resume = resume
        """A saved game in progress to continue (a ``RunRecord``), or None."""
        self.run_id: int | None = None

    @property
    def scenario_id(self) -> str:
        """The scenario's id."""
        return self.view.scenario_id

    @property
    def seed(self) -> int:
        """The seed in play."""
        return self.view.seed

    def start(self) -> Snapshot:
        """Run the world up to the page; the first snapshot."""
        with self._lock:
            if self.resume is not None:
                self.view = PlayerView.resumed(self.resume)
                obs = self.view.observe()
            else:
                obs = self.view.start()
            unsaved = ""
            if self.store is not None:
                try:
                    rid = self.resume.id if self.resume is not None else None
                    self.run_id = self.view._save_to(self.store, rid)
                except Exception as exc:  # saving never stops a game; the player is told
                    self.run_id = None
                    unsaved = f" This game is not being saved: {exc}"
            resumed = self.resume is not None
            self.snapshot = Snapshot(
                briefing=self.view.briefing(),
                observation=obs,
                sli_trail=((0.0, _first_sli(obs)),),
                message=(
                    f"Resumed after {len(self.view.actions)} actions."
                    if resumed
                    else "You are on call. Look around: every view costs simulated time."
                )
                + unsaved,
                error=bool(unsaved),
            )
            return self.snapshot

    def _current(self) -> Snapshot:
        if self.snapshot is None:
            raise RuntimeError("start the game first")
        return self.snapshot

    def step(self, action: Mapping[str, Any], stop: Callable[[], bool] | None = None) -> Snapshot:
        """Send one action to the game; fold its result into a new snapshot.

        Whatever goes wrong is a message in the snapshot, never an exception. ``stop`` is
        handed to the player view: a query it stops leaves the snapshot as it was, with a note.
        """
        with self._lock:
            snap = self._current()
            try:
                self.snapshot = self._step(snap, action, stop)
            except Exception as exc:  # a failure is a message the player reads
                label = _describe_safely(action)
                self.snapshot = dataclasses.replace(
                    snap,
                    observation=self._observe_safely(snap),
                    message=f"{label}: an internal error ({type(exc).__name__}: {exc}); "
                    "please report it",
                    error=True,
                )
            return self.snapshot

    def _observe_safely(self, snap: Snapshot) -> Mapping[str, Any]:
        try:
            return self.view.observe()
        except Exception:
            return snap.observation

    def _step(
        self, snap: Snapshot, action: Mapping[str, Any], stop: Callable[[], bool] | None
    ) -> Snapshot:
        out = self.view.act(action, stop)
        if out.get("cancelled"):
            return dataclasses.replace(
                snap,
                observation=out["observation"],
                message=f"{describe(action)}: cancelled",
                error=False,
            )
        obs = out["observation"]
        label = describe(action)
        result = out.get("result")
        effect = result.get("takes_effect_at") if isinstance(result, Mapping) else None
        entry = Entry(
            clock=str(snap.observation.get("clock", "")),
            elapsed_s=float(snap.observation.get("elapsed_s", 0.0)),
            label=label,
            cost_s=float(out.get("cost_s", 0.0)),
            ok=bool(out["ok"]),
            message="" if out["ok"] else str(out["error"]),
            kind=str(action.get("type", "")),
            time_s=float(snap.observation.get("time", 0.0)),
            effect_s=None if effect is None else float(effect),
        )
        changes: dict[str, Any] = {
            "observation": obs,
            "path": (*snap.path, entry),
            "error": not out["ok"],
        }
        if out["ok"]:
            changes.update(self._fold(snap, action, out["result"], str(obs["clock"])))
            if entry.effect_s is not None:
                changes["message"] = mitigation_message(entry, snap.clock_of(entry.effect_s))
            trail = (float(obs["elapsed_s"]), _first_sli(obs))
            changes["sli_trail"] = (*snap.sli_trail, trail)
        else:
            changes["message"] = f"{label}: {out['error']}"
        if obs.get("status") == "ended":
            try:
                changes["debrief"] = self._debrief()
            except DebriefPending:
                changes["message"] = PENDING
        return dataclasses.replace(snap, **changes)

    def fetch_debrief(self) -> Snapshot:
        """The snapshot with the debrief, once it is open (:class:`DebriefPending` before)."""
        with self._lock:
            snap = self._current()
            self.snapshot = dataclasses.replace(snap, debrief=self._debrief(), message="")
            return self.snapshot

    def set_notes(self, text: str) -> Snapshot:
        """Keep the player's notes with the game (not in the text widget)."""
        with self._lock:
            self.snapshot = dataclasses.replace(self._current(), notes=text)
            return self.snapshot

    def _fold(
        self, snap: Snapshot, action: Mapping[str, Any], result: Any, clock: str
    ) -> dict[str, Any]:
        """What a successful result changes in the snapshot."""
        label = describe(action)
        changes: dict[str, Any] = {"message": f"{label}: done"}
        if not isinstance(result, Mapping):
            return changes
        kind = result.get("kind")
        if kind in ("logs",):
            partial = "" if result.get("complete", True) else " (stopped early: narrow --since)"
            changes.update(
                logs=result, message=f"{result.get('matched', 0)} log lines at {clock}{partial}"
            )
            return changes
        if kind in ("traces", "trace"):
            changes.update(traces=result, message=f"traces read at {clock}")
            return changes
        if kind == "metrics":
            lines = tuple(
                (
                    ",".join(f"{k}={v}" for k, v in s["labels"].items()) or "value",
                    _drawable(s["points"]),
                )
                for s in result.get("series", [])[:6]
            )
            chart = Chart(
                str(action.get("q", "")), _window(str(action.get("q", ""))), lines, clock, action
            )
            kept = tuple(c for c in snap.charts if c.key != chart.key)
            changes["charts"] = (*kept, chart)[-MAX_CHARTS:]
            undrawn = sum(len(s["points"]) for s in result.get("series", [])[:6]) - sum(
                len(points) for _, points in lines
            )
            notes = "; ".join(
                [*result.get("notes", [])]
                + ([f"{undrawn} points too large to draw are left out"] if undrawn else [])
            )
            changes["message"] = f"{len(lines)} series read at {clock}" + (
                f" ({notes})" if notes else ""
            )
            return changes
        if kind in ("pods", "alerts", "profile", "help", "catalogue"):
            changes.update(other=result, message=f"{kind} read at {clock}")
            return changes
        if "components" in result:
            changes.update(map=result, map_at=clock, message=f"service map read at {clock}")
        elif "points" in result:
            title = f"{result['component']} {result['metric']}"
            points = _drawable(result["points"])
            chart = Chart(
                title, float(action.get("window", 900.0)), ((title, points),), clock, action
            )
            kept = tuple(c for c in snap.charts if c.key != chart.key)
            changes["charts"] = (*kept, chart)[-MAX_CHARTS:]
            note = f" ({result['note']})" if result.get("note") else ""
            changes["message"] = f"{title} read at {clock}{note}"
        elif "events" in result:
            changes.update(
                events=tuple(result["events"]),
                events_at=clock,
                message=f"{len(result['events'])} events read at {clock}",
            )
        elif "lines" in result or "logs" in result:
            changes.update(logs=result, message=f"log search read at {clock}")
        elif "traces" in result or "spans" in result:
            changes.update(traces=result, message=f"traces read at {clock}")
        elif "slos" in result:
            changes["message"] = f"SLOs read at {clock}"
        elif "declared" in result:
            changes["message"] = f"declared {label.removeprefix('declare ')}"
        elif "waited_s" in result:
            changes["message"] = f"waited {float(result['waited_s']):g}s"
        return changes

    def _debrief(self) -> dict[str, Any]:
        """The debrief as plain data: score, truth, signals, paths, SLI curves, postmortem."""
        data = self.view.debrief(self.run_id)
        if self.store is not None and self.run_id is not None:
            try:
                self.view._finish_in(self.store, self.run_id)
            except Exception as exc:  # saving never breaks the debrief
                data["save_problem"] = f"could not save the finished game: {exc}"
        return data
