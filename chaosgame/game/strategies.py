"""The built-in strategy players: cheap ways to play a scenario, and the answer key.

They prove the score rewards reasoning: played headless over the curated library, every cheap
strategy must score far below the reference (``docs/scoring.md``, ``benchmarks/bench_ladder.py``).

* ``nothing``: ends at once.
* ``random``: one to three random mitigations from the catalogue on valid targets, a random
  diagnosis, the end; every draw from the seed's ``strategy.random`` stream.
* ``undo-latest``: takes back the most recent change made before the page and blames it.
* ``loudest-alert``: restarts the component of the loudest alert and blames it.
* ``plausible-shotgun``: restarts everything alerting, rolls back every recent deploy, flips
  back every recent flag, reverts every recent config, doubles everything alerting, blames the
  loudest alert.
* ``read-the-id``: undoes the latest change and declares what the scenario's id and title name.
* ``heuristic``: the best honest scripted responder (:mod:`chaosgame.game.heuristic`):
  follows the failing calls down the call graph to the suspect, reads what changed on it and
  its signals, applies the matching mitigation, verifies the SLIs recover, declares with a
  calibrated confidence.
* ``reference``: the answer key (:mod:`chaosgame.game.answer_key`). It reads the hidden
  truth: looks at the evidence for the true cause, applies the scenario's reference
  solution, declares the true cause.

Every player but ``reference`` plays only through :class:`~chaosgame.game.player.PlayerView`
and :mod:`chaosgame.game.strategy_view`, with the same actions as the terminal UI; none reads
the scenario's truth, the session or the simulation (``tests/game/test_strategies.py``
proves it). A refused action is noted in :attr:`Run.skipped` and the player goes on. The same
scenario and seed give the same actions and the same score.
"""

from __future__ import annotations

import difflib
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chaosgame.engine.rng import Streams
from chaosgame.game.answer_key import reference
from chaosgame.game.heuristic import heuristic
from chaosgame.game.menu import KINDS, Param, mitigation_params
from chaosgame.game.player import PlayerView
from chaosgame.game.strategy_view import (
    Change,
    Hands,
    accepts,
    alert_component,
    change_history,
    kind_from_alert,
    latest_change,
    named_in_page,
    page_alert,
    read_alerts,
    service_map,
)
from chaosgame.scenario.actions import MITIGATIONS

if TYPE_CHECKING:
    from chaosgame.game.scoring import Score
    from chaosgame.scenario.model import Scenario

__all__ = [
    "STRATEGIES",
    "Change",
    "Run",
    "Strategy",
    "latest_change",
    "ladder",
    "play_strategy",
    "run_strategy",
    "strategy",
]

RANDOM_STREAM = "strategy.random"
"""The named stream the random player draws from."""
RANDOM_TRIES = 5
"""Draws the random player makes for one mitigation until the game takes one (a refusal
costs no time: the player learns the target cannot take it and picks again)."""


@dataclass(frozen=True)
class Run:
    """One game played to the end by a strategy."""

    strategy: str
    view: PlayerView
    skipped: list[str]
    """Actions the game refused (each with its answer); the player went on without them."""

    @property
    def actions(self) -> list[dict[str, Any]]:
        """The accepted actions, as the game recorded them (time, action, cost)."""
        return self.view.actions

    def score(self) -> Score:
        """The game's score."""
        from chaosgame.game.scoring import Score

        return Score.from_dict(self.view.score())


@dataclass(frozen=True)
class Strategy:
    """A scripted way to play."""

    name: str
    summary: str
    moves: Callable[[Hands], None] | None = None
    """How it plays, through the player view alone; None for the answer key."""
    answer_key: Callable[[Scenario, int | None], tuple[PlayerView, list[str]]] | None = None
    """How the answer key plays (it reads the hidden truth): its finished game and what the
    game refused."""

    @property
    def honest(self) -> bool:
        """Whether it plays only through what a player can see."""
        return self.moves is not None

    def play(self, scenario: Scenario, seed: int | None = None) -> Run:
        """Play ``scenario`` to the end."""
        if self.moves is None:
            assert self.answer_key is not None
            return Run(self.name, *self.answer_key(scenario, seed))
        view = PlayerView(scenario, seed)
        view.start()
        hands = Hands(view)
        _guarded(hands, self.moves)
        return Run(self.name, view, hands.skipped)


def _guarded(hands: Hands, moves: Callable[[Hands], None]) -> None:
    """Play ``moves``; a failure of the strategy itself ends its game, noted, never raised."""
    try:
        moves(hands)
    except Exception as exc:  # a scripted player never crashes the benchmark
        hands.skipped.append(f"the strategy stopped: {type(exc).__name__}: {exc}")
    hands.end()


# ----------------------------------------------------------------- the cheap players
def nothing(hands: Hands) -> None:
    """End at once."""
    hands.end()


def random_player(hands: Hands) -> None:
    """One to three random mitigations on valid targets, a random diagnosis, the end.

    The targets are the components the service map shows, of a kind the action takes (and,
    for an action on a dependency, one the map shows it calls); the journeys of the page for
    an action on a journey. Parameters are drawn within their ranges; an optional one is set
    half the time, except free-text ones, which keep their default. A mitigation the game
    refuses (a target outside any balance group, one another team owns) is drawn again, up
    to :data:`RANDOM_TRIES` times.
    """
    rng = Streams(hands.view.seed).get(RANDOM_STREAM)
    brief = hands.view.briefing()
    fleet = service_map(hands)
    components = [str(c) for c in brief.get("components", [])]
    calls: dict[str, list[str]] = {}
    for key, row in fleet.items():
        if "->" in key:
            calls.setdefault(str(row["from"]), []).append(str(row["to"]))
    options: list[tuple[str, str]] = []
    for action, info in MITIGATIONS.items():
        params = mitigation_params(action)
        if any(p.required and p.kind == "name" and p.name != "to" for p in params):
            continue
        needs_to = any(p.name == "to" and p.required for p in params)
        if info.targets == ("journey",):
            options += [(action, str(j)) for j in brief.get("journeys", [])]
            continue
        for comp in components:
            kind = fleet.get(comp, {}).get("kind")
            if kind in info.targets and (not needs_to or calls.get(comp)):
                options.append((action, comp))
    for _ in range(rng.randint(1, 3)):
        for _try in range(RANDOM_TRIES):
            if not options or _random_mitigation(hands, rng, options, fleet, calls):
                break
    if components:
        hands.declare(rng.choice(components), rng.choice(KINDS), round(rng.uniform(0.3, 1.0), 2))
    hands.end()


def _random_mitigation(
    hands: Hands,
    rng: random.Random,
    options: list[tuple[str, str]],
    fleet: dict[str, dict[str, Any]],
    calls: dict[str, list[str]],
) -> bool:
    """Draw one mitigation and its parameters, and ask for it; whether the game took it."""
    action, target = rng.choice(options)
    act: dict[str, Any] = {"type": "mitigate", "action": action, "target": target}
    for p in mitigation_params(action):
        if p.name == "to" and p.required:
            act["to"] = rng.choice(calls[target])
        elif p.kind != "name" and (p.required or rng.random() < 0.5):
            act[p.name] = _draw(rng, p, int(fleet.get(target, {}).get("replicas") or 1))
    return hands.act(act) is not None


def _draw(rng: random.Random, p: Param, replicas: int) -> Any:
    """A valid random value of parameter ``p`` (counts of replicas near the current one)."""
    if p.kind == "yes/no":
        return rng.random() < 0.5
    if p.kind == "choice":
        return rng.choice(p.choices)
    low = p.low if p.low is not None else 0.0
    high = p.high if p.high is not None else max(low, 1.0) * 10
    if p.kind == "integer":
        top = 2 * replicas + 2 if p.name in ("replicas", "max_replicas") else low + 20
        lo = max(int(low) + (1 if p.low_open else 0), 1)
        hi = int(min(high, top)) - (1 if p.high_open and min(high, top) == high else 0)
        return rng.randint(lo, max(hi, lo))
    value = round(rng.uniform(low, high), 2)
    if p.low_open and value <= low:
        value = round(low + (high - low) / 2, 2)
    if p.high_open and value >= high:
        value = round(low + (high - low) / 2, 2)
    return value


def _undo(hands: Hands, change: Change, history: list[Change]) -> None:
    """Take ``change`` back and wait until the undo has taken effect."""
    if hands.act(change.undo(history)) is not None:
        hands.wait_for_actions()


def undo_latest(hands: Hands) -> None:
    """Take back the most recent change before the page; blame it (no change: no fault)."""
    history = change_history(hands.view)
    if not history:
        hands.declare(None, "no-fault")
        hands.end()
        return
    latest = history[-1]
    _undo(hands, latest, history)
    hands.declare(latest.component, latest.fault_kind)
    hands.end()


def loudest_alert(hands: Hands) -> None:
    """Restart the loudest alert's component (firing, else resolved within the hour), wait
    until the restart has taken effect, blame that component with the kind the alert's
    wording suggests (``strategy_view.ALERT_WORDS``). With no alert naming a component, the
    page's own first line stands for the alert when it names one; else it declares no fault."""
    loudest = read_alerts(hands).loudest or page_alert(hands.view.briefing())
    if loudest is None:
        hands.declare(None, "no-fault")
        hands.end()
        return
    comp = alert_component(loudest)
    if hands.act({"type": "mitigate", "action": "restart", "target": comp}) is not None:
        hands.wait_for_actions()
    hands.declare(comp, kind_from_alert(loudest))
    hands.end()


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def plausible_shotgun(hands: Hands) -> None:
    """Everything a rushed on-call engineer might try at once, then blame the loudest alert.

    Restart every component with an alert firing (none: the one the page names), roll back every service deployed in the
    last 24 hours, put every flag changed in the last 24 hours back as it was before its first
    change there, revert every config key changed then, scale every alerting component to
    twice the replicas the map shows; wait until all of it has taken effect; declare the
    loudest alert's component as ``loudest-alert`` does (else the latest change's, else no
    fault). Each action only on a
    component of a kind the catalogue says it takes.
    """
    alerts = read_alerts(hands)
    history = change_history(hands.view)
    fleet = service_map(hands)

    def kind(name: str) -> str | None:
        return fleet.get(name, {}).get("kind")

    page = page_alert(hands.view.briefing())
    alerting = _unique(alert_component(a) for a in alerts.firing)
    if not alerting and page is not None:  # the page itself is the alert
        alerting = [alert_component(page)]
    acts: list[dict[str, Any]] = []
    acts += [
        {"type": "mitigate", "action": "restart", "target": c}
        for c in alerting
        if accepts("restart", kind(c))
    ]
    deployed = _unique(c.component for c in history if c.kind == "deploy")
    acts += [
        {"type": "mitigate", "action": "rollback", "target": c}
        for c in deployed
        if accepts("rollback", kind(c))
    ]
    first_flag: dict[str, Change] = {}
    for c in history:
        if c.kind == "flag":
            first_flag.setdefault(c.subject, c)
    acts += [
        {"type": "mitigate", "action": "toggle-flag", "target": name, "on": not c.on}
        for name, c in first_flag.items()
    ]
    configs = list(dict.fromkeys((c.component, c.subject) for c in history if c.kind == "config"))
    acts += [
        {"type": "mitigate", "action": "revert-config", "target": comp, "key": key}
        for comp, key in configs
        if accepts("revert-config", kind(comp))
    ]
    for comp in alerting:
        replicas = fleet.get(comp, {}).get("replicas")
        if accepts("scale", kind(comp)) and isinstance(replicas, int | float):
            twice = min(max(2 * int(replicas), 2), 500)
            acts.append({"type": "mitigate", "action": "scale", "target": comp, "replicas": twice})
    for act in acts:
        hands.act(act)
    hands.wait_for_actions()
    loudest = alerts.loudest or page
    if loudest is not None:
        hands.declare(alert_component(loudest), kind_from_alert(loudest))
    elif history:
        hands.declare(history[-1].component, history[-1].fault_kind)
    else:
        hands.declare(None, "no-fault")
    hands.end()


def read_the_id(hands: Hands) -> None:
    """Undo the latest change as ``undo-latest`` does, then declare the kind and component
    the scenario's id and title name (what they do not name: the latest change's)."""
    named = named_in_page(hands.view.briefing())
    history = change_history(hands.view)
    latest = history[-1] if history else None
    if latest is not None:
        _undo(hands, latest, history)
    component = named.component or (latest.component if latest else None)
    kind = named.kind or (latest.fault_kind if latest else "no-fault")
    hands.declare(component, kind)
    hands.end()


# ------------------------------------------------------------------------ registry
STRATEGIES: dict[str, Strategy] = {
    s.name: s
    for s in (
        Strategy("nothing", "end at once", nothing),
        Strategy(
            "random", "random mitigations on valid targets, a random diagnosis", random_player
        ),
        Strategy(
            "undo-latest", "undo the most recent change before the page, blame it", undo_latest
        ),
        Strategy("loudest-alert", "restart the loudest alert's component, blame it", loudest_alert),
        Strategy(
            "plausible-shotgun",
            "restart, roll back, flip back, revert and scale everything suspect",
            plausible_shotgun,
        ),
        Strategy(
            "read-the-id",
            "undo the latest change, declare what the scenario's id and title name",
            read_the_id,
        ),
        Strategy(
            "heuristic",
            "follow the failing calls to the suspect, read what changed, fix, verify, declare",
            heuristic,
        ),
        Strategy(
            "reference",
            "the answer key: look at the evidence, apply the reference solution",
            answer_key=reference,
        ),
    )
}
"""Every built-in strategy by name, the cheap ones first and the answer key last."""


def strategy(name: str) -> Strategy:
    """The strategy called ``name``; a ``ValueError`` naming the known ones otherwise."""
    found = STRATEGIES.get(name)
    if found is None:
        close = difflib.get_close_matches(str(name), list(STRATEGIES), n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise ValueError(
            f"unknown strategy '{name}'; {hint}known strategies: {', '.join(STRATEGIES)}"
        )
    return found


def run_strategy(name: str, scenario: Scenario, seed: int | None = None) -> Run:
    """Play ``scenario`` to the end with strategy ``name``: the game and what was refused."""
    return strategy(name).play(scenario, seed)


def play_strategy(name: str, scenario: Scenario, seed: int | None = None) -> PlayerView:
    """Play ``scenario`` to the end with strategy ``name``; the finished game's view."""
    return run_strategy(name, scenario, seed).view


def ladder(
    scenario: Scenario, names: Iterable[str] | None = None, seed: int | None = None
) -> dict[str, Score]:
    """The score of each strategy (all by default) on ``scenario``, by name.

    The comparison runs every score is measured against are simulated once for the scenario
    and seed and kept (``chaosgame.game.baselines.comparison``): every strategy after the
    first reuses them.
    """
    chosen = [strategy(n).name for n in (STRATEGIES if names is None else names)]
    return {n: run_strategy(n, scenario, seed).score() for n in chosen}
