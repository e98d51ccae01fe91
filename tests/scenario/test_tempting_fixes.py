"""The tempting cheap fixes must not work as well as the reference, in the scenarios built
to tempt them.

Two cheap strategies that never look at the evidence, each deciding only from what a player
sees through :class:`chaosgame.game.player.PlayerView` (the firing alerts, the change
timeline, the map):

* **loudest alert**: restart the service of the loudest firing alert;
* **plausible shotgun**: restart every alerting service, roll back every service deployed in
  the last three hours, turn off every flag changed then, revert every config changed then,
  and scale every alerting service to twice its replicas.

Each scenario below carries a production reason why its tempting fix fails or costs (a
rolling restart that stalls, a release whose migration the old version cannot read, an
upload limit users already rely on...). The measure is the error budget the SLOs burn from
the page to the time limit plus the settling period, as the engine simulates it
(:func:`chaosgame.proof.recovery.burned`), never the score.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import pytest

from chaosgame.game.player import PlayerView
from chaosgame.game.players import SETTLE_S, play, reference_actions
from chaosgame.proof.recovery import burned
from chaosgame.scenario.library import load
from chaosgame.scenario.model import Scenario

RECENT_S = 3 * 3600.0
"""How far back the shotgun counts a change as recent."""
SEVERITY = {"page": 3, "critical": 3, "warning": 2, "info": 1}


def _component(alert: dict[str, Any]) -> str | None:
    labels = alert["labels"]
    return labels.get("service") or labels.get("component")


def _number(text: str) -> float:
    found = re.findall(r"\d+(?:\.\d+)?", text)
    return float(found[0]) if found else 0.0


def _loudest(alerts: list[dict[str, Any]]) -> str | None:
    """The service of the loudest firing alert: the most severe, an error alert before the
    rest, the largest number in its summary, the earliest."""
    named = [a for a in alerts if _component(a)]
    if not named:
        return None
    top = max(
        named,
        key=lambda a: (
            SEVERITY.get(a["severity"], 0),
            a["name"] == "HighErrorRate",
            _number(a["summary"]),
            -a["start"],
        ),
    )
    return _component(top)


def _look(view: PlayerView) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    alerts = view.act({"type": "query", "q": "alerts"})["result"]["firing"]
    changes = view.act({"type": "query", "q": "changes"})["result"]["events"]
    listed = view.act({"type": "query", "q": "map"})["result"]["components"]
    return alerts, changes, {c["name"]: c for c in listed}


def loudest_alert(view: PlayerView) -> None:
    """Restart the service of the loudest alert and blame it."""
    alerts, _changes, _map = _look(view)
    target = _loudest(alerts)
    if target is not None:
        view.act({"type": "mitigate", "action": "restart", "target": target})
        view.act({"type": "declare", "component": target, "kind": "crash-loop"})


def _flag_name(event: dict[str, Any]) -> str:
    return str(event["message"]).split()[0]


def plausible_shotgun(view: PlayerView) -> None:
    """Every plausible fix at once, on everything alerting and every recent change."""
    alerts, changes, listed = _look(view)
    alerting: list[str] = []
    for a in alerts:
        c = _component(a)
        if c is not None and c not in alerting:
            alerting.append(c)
    for c in alerting:
        view.act({"type": "mitigate", "action": "restart", "target": c})
    seen: set[tuple[str, str]] = set()
    for e in changes:
        if e["time"] < view.now - RECENT_S:
            continue
        what = _flag_name(e) if e["kind"] == "flag" else e["component"]
        if (e["kind"], what) in seen:
            continue
        seen.add((e["kind"], what))
        if e["kind"] == "deploy":
            view.act({"type": "mitigate", "action": "rollback", "target": what})
        elif e["kind"] == "flag":
            view.act({"type": "mitigate", "action": "toggle-flag", "target": what, "on": False})
        elif e["kind"] == "config":
            view.act({"type": "mitigate", "action": "revert-config", "target": what})
    for c in alerting:
        replicas = int(listed.get(c, {}).get("replicas", 1))
        view.act({"type": "mitigate", "action": "scale", "target": c, "replicas": 2 * replicas})
    target = _loudest(alerts)
    if target is not None:
        view.act({"type": "declare", "component": target, "kind": "bad-deploy"})


STRATEGIES = {"loudest-alert": loudest_alert, "plausible-shotgun": plausible_shotgun}


def _actions(sc: Scenario, strategy: str) -> list[dict[str, Any]]:
    """What the strategy did, deciding from the player's view alone."""
    view = PlayerView(sc)
    view.start()
    STRATEGIES[strategy](view)
    view.end()
    return [*view.actions, {"type": "end"}]


def _burned(sc: Scenario, actions: list[dict[str, Any]]) -> float:
    """Error budget burned from the page to the time limit plus the settling period."""
    session, _errors = play(sc, actions)
    sim = session.sim
    assert sim is not None
    end = session.deadline + SETTLE_S
    sim.run_until(end)
    return burned(sim, session.start_time, end)


@functools.cache
def _baselines(name: str) -> tuple[float, float]:
    """The budget the reference solution and doing nothing burn in scenario ``name``."""
    sc = load(name)
    return _burned(sc, reference_actions(sc)), _burned(sc, [{"type": "end"}])


THIRD = 1 / 3
CASES = [
    # scenario, strategy, least share of the way from the reference's burn to doing nothing's
    ("add-to-cart-failing", "plausible-shotgun", THIRD),
    ("checkout-payment-step-failing", "plausible-shotgun", THIRD),
    ("profile-pages-break-in-waves", "loudest-alert", THIRD),
    ("profile-pages-break-in-waves", "plausible-shotgun", THIRD),
    ("checkout-cannot-scale-for-peak", "loudest-alert", THIRD),
    ("checkout-cannot-scale-for-peak", "plausible-shotgun", THIRD),
    ("search-spins-forever", "plausible-shotgun", THIRD),
    # the shotgun turns the guilty flag off as the reference does; what it adds is a full
    # outage of media-api by its restart (doing nothing burns forty times the reference)
    ("product-pages-without-images", "plausible-shotgun", 0.0),
    ("image-uploads-fail-in-waves", "plausible-shotgun", THIRD),
]


@pytest.mark.parametrize(("name", "strategy", "way"), CASES)
def test_the_tempting_fix_burns_more_budget_than_the_reference(
    name: str, strategy: str, way: float
) -> None:
    reference, nothing = _baselines(name)
    cheap = _burned(load(name), _actions(load(name), strategy))
    assert nothing > reference
    # measurably worse: at least twice the reference's burn and half a percent of the
    # budgets more, and (where the tempting fix is the wrong one) a third of the way from
    # the reference to doing nothing or further
    assert cheap >= 2 * reference, (cheap, reference, nothing)
    assert cheap >= reference + 0.005, (cheap, reference, nothing)
    assert cheap >= reference + way * (nothing - reference), (cheap, reference, nothing)
