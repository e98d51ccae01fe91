"""The newest change before the page is often not the cause.

Real incidents have several changes in flight; a player who undoes the most recent deploy,
flag or config change and blames it must not win by habit. Here the most recent change is
read the way a player reads it (the change history of the player view, up to the page), and
judged against the hidden truth: it is innocent when it is a registered red herring, or when
it touched neither the root cause's component nor the fleet a fleet-wide cause spans.
"""

from __future__ import annotations

from typing import Any

import pytest

from chaosgame.game.diagnosis import on_root_fleet
from chaosgame.game.player import PlayerView
from chaosgame.scenario.library import load, scenario_paths
from chaosgame.scenario.model import Scenario

SHARE = 1 / 3
"""The least share of the curated library whose newest change before the page is innocent."""

REVIEWED = [
    "booking-mutable-latest-tag",
    "catalog-slow-release",
    "checkout-canary-unwatched",
    "eu-checkout-security-group-apply",
    "feed-cpu-limit-throttling",
    "invoices-fast-track-release",
    "payments-terraform-pool-shrink",
    "tickets-hpa-max-onsale",
]
"""Scenarios where undoing the newest change used to be the whole answer (a B), whose
newest deploy is innocent too."""

ALSO_REVIEWED = [
    "account-pages-cached-for-everyone",
    "analytics-one-tenant-dark",
    "edge-waf-regex-cpu-burn",
    "fares-forgotten-canary-rules-bundle",
    "login-herd-after-rollback",
    "orders-mixed-fleet-reused-flag",
    "payouts-mesh-selector-restart",
]
"""Scenarios where undoing the newest change and naming its kind scored 80 to 100."""

CHANGES = ("deploy", "flag", "config")


def latest_change(view: PlayerView, kinds: tuple[str, ...] = CHANGES) -> dict[str, Any] | None:
    """The newest change of ``kinds`` (deploy, flag, config) in the history at the page."""
    out = view.act({"type": "query", "view": "deploys", "window": 86400.0})
    events = out["result"]["events"] if out["ok"] else []
    seen = [e for e in events if e["kind"] in kinds and e["time"] <= view.started_at]
    return max(seen, key=lambda e: e["time"]) if seen else None


def change_ref(sc: Scenario, change: dict[str, Any]) -> str | None:
    """The scenario's name for a change the history shows (a deploy or config id,
    ``flag:NAME``), or None for one the scenario does not list (one a fault made)."""
    kind, at, where = change["kind"], change["time"], change["component"]
    if kind == "deploy":
        return next(
            (d.id for d in sc.deploys if d.component == where and d.at == at and d.id), None
        )
    if kind == "config":
        return next(
            (c.id for c in sc.configs if c.component == where and c.at == at and c.id), None
        )
    for f in sc.flags:
        if change["message"].startswith(f"{f.name} ") and any(ch.at == at for ch in f.changes):
            return f"flag:{f.name}"
    return None


def innocent(sc: Scenario, change: dict[str, Any] | None) -> bool:
    """Whether undoing ``change`` leaves the root fault in place, by the truth."""
    if change is None:
        return True
    herrings = {h.ref for h in sc.truth.red_herrings}
    if change_ref(sc, change) in herrings:
        return True
    rc = sc.truth.root_cause
    culprit = rc.component or rc.artefact
    where = change["component"]
    return where != culprit and not on_root_fleet(sc, where)


def newest_is_innocent(
    name: str, kinds: tuple[str, ...] = CHANGES
) -> tuple[bool, dict[str, Any] | None]:
    sc = load(name)
    view = PlayerView(sc)
    view.start()
    change = latest_change(view, kinds)
    return innocent(sc, change), change


@pytest.mark.parametrize("name", REVIEWED + ALSO_REVIEWED)
def test_the_newest_change_of_a_reviewed_scenario_is_innocent(name: str) -> None:
    """The newest change of any kind, and in the first eight the newest deploy too (the
    usual first suspect)."""
    for kinds in (CHANGES, ("deploy",)) if name in REVIEWED else (CHANGES,):
        ok, change = newest_is_innocent(name, kinds)
        assert change is not None, f"{name}: no {'/'.join(kinds)} in the history before the page"
        assert ok, f"{name}: the newest {'/'.join(kinds)} before the page is the cause: {change}"


def test_the_judge_tells_a_herring_from_the_cause() -> None:
    """A hand-made check of the judge on one scenario's own history: its registered
    herring is innocent, the change on the root cause's component is not."""
    sc = load("invoices-fast-track-release")
    hotfix = {"time": 1500.0, "kind": "deploy", "component": "invoicing", "message": "v12.4.1"}
    patch = {"time": 1980.0, "kind": "deploy", "component": "invoicing", "message": "v12.4.2"}
    tax = {"time": 960.0, "kind": "deploy", "component": "tax", "message": "v5.2.0"}
    assert not innocent(sc, hotfix)
    assert innocent(sc, patch)  # the same service, but a registered herring
    assert innocent(sc, tax)


def test_a_third_of_the_library_has_an_innocent_newest_change() -> None:
    names = sorted(p.stem for p in scenario_paths())
    guilty = [n for n in names if not newest_is_innocent(n)[0]]
    share = 1 - len(guilty) / len(names)
    assert share >= SHARE, (
        f"only {share:.0%} of the library has an innocent newest change; "
        f"the newest change is the cause in: {', '.join(guilty)}"
    )
