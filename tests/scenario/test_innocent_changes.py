"""The newest change before the page is often not the cause.

Real incidents have several changes in flight; a player who undoes the most recent deploy,
flag or config change and blames it must not win by habit. Here the most recent change is
read the way a player reads it (the change history of the player view, up to the page), and
judged against the hidden truth: it is innocent when it is a registered red herring, or when
it touched neither the root cause's component nor the fleet a fleet-wide cause spans.
"""

from __future__ import annotations

import pytest

from chaosgame.game.diagnosis import on_root_fleet
from chaosgame.game.player import PlayerView
from chaosgame.game.strategies import Change, latest_change
from chaosgame.game.strategy_view import change_history
from chaosgame.scenario.library import load, scenario_paths
from chaosgame.scenario.model import Scenario

SHARE = 1 / 3
"""The least share of the curated library whose newest change before the page is innocent."""

REVIEWED = [
    "bookings-fail-nothing-released",
    "browsing-crawls-after-lunch",
    "checkout-one-in-fifteen-fails",
    "eu-checkout-hangs",
    "feed-slow-with-cpu-to-spare",
    "invoices-add-up-wrong",
    "checkout-times-out-database-idle",
    "seat-map-spins-at-onsale",
]
"""Scenarios where undoing the newest change used to be the whole answer (a B), whose
newest deploy is innocent too."""

ALSO_REVIEWED = [
    "account-pages-show-other-customers",
    "analytics-one-tenant-dark",
    "edge-proxies-at-full-cpu",
    "fare-searches-fail-one-in-five",
    "login-fix-does-not-hold",
    "orders-one-in-ten-rejected",
    "payouts-cannot-reach-ledger",
]
"""Scenarios where undoing the newest change and naming its kind scored 80 to 100."""


def newest_deploy(view: PlayerView) -> Change | None:
    """The newest deploy in the change history at the page (the usual first suspect)."""
    deploys = [c for c in change_history(view) if c.kind == "deploy"]
    return deploys[-1] if deploys else None


def change_ref(sc: Scenario, change: Change) -> str | None:
    """The scenario's name for a change the history shows (a deploy or config id,
    ``flag:NAME``), or None for one the scenario does not list (one a fault made)."""
    where = change.component
    if change.kind == "deploy":
        return next(
            (d.id for d in sc.deploys if d.component == where and d.at == change.time and d.id),
            None,
        )
    if change.kind == "config":
        return next(
            (c.id for c in sc.configs if c.component == where and c.at == change.time and c.id),
            None,
        )
    for f in sc.flags:
        if f.name == change.subject and any(ch.at == change.time for ch in f.changes):
            return f"flag:{f.name}"
    return None


def innocent(sc: Scenario, change: Change | None) -> bool:
    """Whether undoing ``change`` leaves the root fault in place, by the truth."""
    if change is None:
        return True
    herrings = {h.ref for h in sc.truth.red_herrings}
    if change_ref(sc, change) in herrings:
        return True
    rc = sc.truth.root_cause
    culprit = rc.component or rc.artefact
    return all(c != culprit and not on_root_fleet(sc, c) for c in change.components)


def newest_is_innocent(name: str, deploys_only: bool = False) -> tuple[bool, Change | None]:
    sc = load(name)
    view = PlayerView(sc)
    view.start()
    change = newest_deploy(view) if deploys_only else latest_change(view)
    return innocent(sc, change), change


@pytest.mark.parametrize("name", REVIEWED + ALSO_REVIEWED)
def test_the_newest_change_of_a_reviewed_scenario_is_innocent(name: str) -> None:
    """The newest change of any kind, and in the first eight the newest deploy too (the
    usual first suspect)."""
    for deploys_only in (False, True) if name in REVIEWED else (False,):
        ok, change = newest_is_innocent(name, deploys_only)
        what = "deploy" if deploys_only else "change"
        assert change is not None, f"{name}: no {what} in the history before the page"
        assert ok, f"{name}: the newest {what} before the page is the cause: {change}"


def test_the_judge_tells_a_herring_from_the_cause() -> None:
    """A hand-made check of the judge on one scenario's own history: its registered
    herring is innocent, the change on the root cause's component is not."""
    sc = load("invoices-add-up-wrong")
    hotfix = Change(1500.0, "deploy", ("invoicing",), "v12.4.1", "v12.4.1 (rolling) by sam")
    patch = Change(1980.0, "deploy", ("invoicing",), "v12.4.2", "v12.4.2 (rolling) by sam")
    tax = Change(960.0, "deploy", ("tax",), "v5.2.0", "v5.2.0 (rolling) by lena")
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
