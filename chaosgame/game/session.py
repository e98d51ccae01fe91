"""The headless session: a Gymnasium-shaped game over one scenario.

``reset()`` runs the world up to the page and returns the first observation; ``step(action)``
takes a plain-data action and returns a plain-data result. Every action costs simulated time
while the outage keeps burning the error budget. Nothing returned here carries the hidden
truth: only scoring and the debrief read ``scenario.truth``.
"""

from __future__ import annotations

import copy
import logging
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from chaosgame.engine import action_rules
from chaosgame.engine import onset as harm
from chaosgame.engine.mitigations import MitigationError
from chaosgame.engine.sim import Simulator
from chaosgame.game import comms, paged
from chaosgame.game.actions import Action, Declare, End, Mitigate, Query, Wait, parse_action
from chaosgame.game.timeskip import recovery_briefing, skip_to_next
from chaosgame.game.views import run_view
from chaosgame.scenario.costs import MITIGATION_HANDS_ON
from chaosgame.scenario.fleet import artefacts, unknown_culprit
from chaosgame.scenario.model import Scenario
from chaosgame.scenario.units import clock as clock_text
from chaosgame.telemetry import query as telemetry_query
from chaosgame.telemetry import slos as observed_slos
from chaosgame.telemetry.budget import Cancelled
from chaosgame.telemetry.recorder import attach as attach_telemetry

if TYPE_CHECKING:
    from chaosgame.game.scoring import Assessment

log = logging.getLogger(__name__)

PAGE_GRACE = 1200.0
"""Longest time after the onset before the player is called in without a page."""


class Session:
    """One game: a clock, a simulation, and the player's actions."""

    def __init__(self, scenario: Scenario, seed: int | None = None) -> None:
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else seed
        self.sim: Simulator | None = None
        self.start_time = 0.0
        self.now = 0.0
        self.actions: list[dict[str, Any]] = []
        self.declarations: list[dict[str, Any]] = []
        self.ended = False
        self.end_reason = ""
        self.on_action: Callable[[Session], None] | None = None
        """Called after every accepted action (run records save the game in progress here)."""
        self._last_look: dict[str, Any] | None = None
        """What :meth:`observe` showed as the game ended (the same however long after)."""
        self.injected: list[dict[str, Any]] = []
        """What a game master added to the game while it ran (:mod:`chaosgame.game.injections`)."""

    # ------------------------------------------------------------ lifecycle
    def reset(self, seed: int | None = None) -> dict[str, Any]:
        """Start (or restart) the game; run the world up to the page; observe."""
        if seed is not None:
            self.seed = seed
        self.actions = []
        self.declarations = []
        self.ended = False
        self.end_reason = ""
        self._last_look = None
        with paged.once(("page", id(self.scenario), self.seed)):
            found = paged.recall(self.scenario, self.seed)
            if found is not None:  # this process has run this world to the page before
                self.sim, self.start_time = found
            else:
                self.sim = Simulator(self.scenario, self.seed)
                attach_telemetry(self.sim)
                self.start_time = self._run_to_page(self.sim)
                paged.keep(self.scenario, self.seed, self.sim, self.start_time)
        self.now = self.start_time
        return self.observe()

    def inject(self, event: dict[str, Any]) -> dict[str, Any]:
        """Add a game master's event, already checked, at the game's clock
        (:func:`chaosgame.game.injections.apply`); what happened."""
        from chaosgame.game.injections import apply

        if self.ended:
            raise RuntimeError("the game has ended")
        return apply(self, event)

    def _run_to_page(self, sim: Simulator) -> float:
        """Run until the player is paged: ``page_at``, or the first SLO page after the onset
        (at most ``PAGE_GRACE`` later: a slow burn is noticed by a ticket or a human)."""
        sc = self.scenario
        if sc.page_at is not None:
            sim.run_until(sc.page_at)
            return sim.now
        # a latent fault may start long before it acts (even before the window): the page
        # waits for the harm, never for the fault's start alone
        last = sc.duration - sc.time_limit
        onset = harm.run_to_harm(sim, last)
        latest = min(onset + PAGE_GRACE, last)
        if harm.first_acted(sim) is not None and observed_slos.paged(sim, sim.history.ticks):
            return sim.now  # paged on the very tick the harm began
        while sim.now < latest:
            sim.step()
            if observed_slos.paged(sim, sim.history.ticks):
                break
        return sim.now

    @property
    def onset(self) -> float:
        """When the harm began (the first tick a fault acted, :mod:`chaosgame.engine.onset`),
        never after the page; what scoring, the debrief and the postmortem measure from."""
        sim = self.sim
        if sim is None:
            return max(self.scenario.onset, 0.0)
        return min(harm.onset(sim), self.start_time)

    @property
    def deadline(self) -> float:
        """When the game ends by itself."""
        return min(self.start_time + self.scenario.time_limit, self.scenario.duration)

    def _sim(self) -> Simulator:
        if self.sim is None:
            raise RuntimeError("call reset() before playing")
        return self.sim

    def step(
        self, action: dict[str, Any] | Action, stop: Callable[[], bool] | None = None
    ) -> dict[str, Any]:
        """Carry out one action and report what happened (plain data).

        A malformed action is answered with ``{"ok": false, "error": ...}`` and costs nothing.
        ``stop`` is asked now and then during a long query (a log search); when it answers
        True the query is dropped: ``{"ok": false, "cancelled": true, ...}``, nothing spent.
        """
        self._sim()
        if self.ended:
            return {"ok": False, "error": "the game has ended", "observation": self.observe()}
        try:
            act = action if isinstance(action, BaseModel) else parse_action(action)
        except (ValidationError, ValueError) as exc:
            return {"ok": False, "error": _explain(exc), "observation": self.observe()}
        started = self.now
        try:
            result = self._do(act, stop)
        except Cancelled as exc:
            return {
                "ok": False,
                "error": str(exc),
                "cancelled": True,
                "observation": self.observe(),
            }
        except (MitigationError, ValueError, KeyError) as exc:
            return {"ok": False, "error": str(exc).strip("'\""), "observation": self.observe()}
        except Exception as exc:  # a failure inside the game is an answer, never the end of it
            log.debug("%r failed", act, exc_info=True)
            return {
                "ok": False,
                "error": _internal(act, exc),
                "internal": True,
                "observation": self.observe(),
            }
        # a wait keeps only the form it was asked in (seconds, or until next)
        dumped = act.model_dump(mode="json", exclude_none=isinstance(act, Wait))
        self.actions.append({"time": started, "action": dumped, "cost_s": self.now - started})
        if self.now >= self.deadline - 1e-9 and not self.ended:
            self._finish("time is up")
        if self.on_action is not None:
            self.on_action(self)
        return {
            "ok": True,
            "result": result,
            "cost_s": self.now - started,
            "observation": self.observe(),
        }

    def _advance(self, seconds: float) -> None:
        """Move the game clock; the simulation follows to the tick that covers it."""
        self.now = min(self.now + seconds, self.deadline)
        self._sim().run_until(self.now)

    def _do(self, act: Action, stop: Callable[[], bool] | None = None) -> Any:
        sim = self._sim()
        if isinstance(act, Query) and act.q is not None:
            result, cost = telemetry_query.run(sim, act.q, self.now, stop=stop)
            self._advance(cost)
            return result
        if isinstance(act, Query):
            result, cost = run_view(sim, act)
            self._advance(cost)
            return result
        if isinstance(act, Mitigate):
            spec = act.mitigation()
            delay = action_rules.delay(sim, spec)
            takes = sim.mitigate(spec)
            self._advance(MITIGATION_HANDS_ON)
            return {
                "action": spec.action,
                "target": spec.target,
                "takes_effect_at": takes,
                "delay_s": delay,
            }
        if isinstance(act, Wait) and act.until is not None:
            return skip_to_next(self, sim)
        if isinstance(act, Wait):
            assert act.seconds is not None
            self._advance(act.seconds)
            return {"waited_s": act.seconds}
        if isinstance(act, Declare):
            names = sim.world.names
            shared = artefacts(self.scenario)
            for h in act.hypotheses():
                if h["component"] is not None and h["component"] not in (*names, *shared):
                    raise ValueError(unknown_culprit(self.scenario, h["component"], names))
            self.declarations.append({"time": self.now, "hypotheses": act.hypotheses()})
            return {"declared": act.hypotheses()}
        if isinstance(act, End):
            self._finish("ended by the player")
            return {"ended": True}
        raise ValueError(f"unsupported action {act!r}")

    def _finish(self, reason: str) -> None:
        self.ended = True
        self.end_reason = reason
        self._last_look = self.observe()

    def finish(self) -> Assessment:
        """End the game if it is still on, let the world settle, and score it.

        Returns the :class:`~chaosgame.game.scoring.Assessment` (score, comparison runs) that
        the debrief and the postmortem are built from. This is where the hidden truth is read.
        """
        self._sim()
        if not self.ended:
            self._finish("ended by the player")
        from chaosgame.game.scoring import assess

        return assess(self)

    # ----------------------------------------------------------- observation
    def clock(self, t: float | None = None) -> str:
        """Wall-clock time of simulated second ``t`` (default: now), as HH:MM:SS."""
        t = self.now if t is None else t
        return clock_text(self.scenario.clock_start, t)

    def observe(self) -> dict[str, Any]:
        """What the on-call engineer sees at a glance: SLOs and pages as the monitoring system
        knows them (every observability gap applies; no hidden truth)."""
        if self.ended and self._last_look is not None:
            # as the game ended: scoring runs the world on past the end, out of sight
            return copy.deepcopy(self._last_look)
        sim = self._sim()
        tick = sim.history.ticks
        alerts = [
            {"severity": "page", "name": ep["name"], "summary": ep["summary"]}
            for ep in observed_slos.pages(sim, tick)
        ]
        slos = observed_slos.observed(sim, tick)
        return {
            "scenario": self.scenario.id,
            "title": self.scenario.title,
            "time": self.now,
            "clock": self.clock(),
            "elapsed_s": self.now - self.start_time,
            "remaining_s": max(self.deadline - self.now, 0.0),
            "status": "ended" if self.ended else "playing",
            "end_reason": self.end_reason,
            "alerts": alerts,
            "slos": slos,
            "pending_mitigations": [
                {"action": p.spec.action, "target": p.spec.target, "takes_effect_at": p.at}
                for p in sim.pending
                if not p.done
            ],
            **comms.observation(self),
        }

    def briefing(self) -> dict[str, Any]:
        """The page as the on-call engineer receives it."""
        sc = self.scenario
        return {
            "id": sc.id,
            "title": sc.title,
            "briefing": sc.briefing,
            "topics": list(sc.topics),
            "difficulty": sc.difficulty,
            "time_limit_s": sc.time_limit,
            "journeys": [j.name for j in sc.journeys],
            "components": [c.name for c in sc.components],
            "artefacts": artefacts(sc),
            **recovery_briefing(sc),
        }


def _internal(act: Action, exc: Exception) -> str:
    """What the player reads when the game itself failed: what, and where to report it."""
    where = ""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = frame.filename.replace("\\", "/")
        if "/chaosgame/" in path:
            where = f", at {path.rsplit('/chaosgame/', 1)[1]}:{frame.lineno}"
            break
    what = (
        "this query could not be answered"
        if isinstance(act, Query)
        else f"this {act.type} could not be carried out"
    )
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return f"{what}: an internal error ({detail}{where}); please report it"


def _explain(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        parts = []
        for err in exc.errors(include_url=False):
            where = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function"))
            msg = str(err["msg"]).removeprefix("Value error, ")
            parts.append(f"{where}: {msg}" if where else msg)
        return "; ".join(parts)
    return str(exc)
