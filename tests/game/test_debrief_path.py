"""The player's path and the postmortem's impact table say what happened in words."""

from __future__ import annotations

import re

import pytest

from chaosgame.game.debrief import build_debrief
from chaosgame.game.postmortem import build_postmortem
from chaosgame.game.scoring import Assessment, assess, play
from chaosgame.scenario.library import load

QUERY = 'sum by (service) (rate(http_requests_total{code=~"5.."}[5m]))'


@pytest.fixture(scope="module")
def game() -> Assessment:
    storm = load("checkout-payment-step-failing")
    acts = [
        {"type": "query", "view": "map"},
        {"type": "query", "q": QUERY},
        {"type": "query", "view": "metric", "component": "payments", "metric": "errors"},
        {"type": "mitigate", "action": "rollback", "target": "payments"},
        {"type": "end"},
    ]
    session, errors = play(storm, acts, 7)
    assert errors == []
    return assess(session)


def test_a_typed_query_is_shown_as_typed(game: Assessment) -> None:
    texts = [row["text"] for row in build_debrief(game)["player_path"]]
    assert not any("None" in t for t in texts), texts
    assert texts[1] == f"query {QUERY}"
    assert texts[0] == "look: map"
    assert texts[2] == "look: metric payments errors"


def test_the_postmortem_timeline_shows_the_query(game: Assessment) -> None:
    md = build_postmortem(game)
    assert "None" not in md
    assert f"query {QUERY}" in md


def _impact_rows(md: str) -> list[list[str]]:
    table = md.split("## Impact")[1].split("## Detection")[0]
    rows = [r for r in table.splitlines() if r.startswith("| ")]
    return [[c.strip() for c in re.split(r"(?<!\\)\|", r)[1:-1]] for r in rows]


def test_worst_hit_never_repeats_the_slo_name(game: Assessment) -> None:
    head, *rows = _impact_rows(build_postmortem(game))
    assert "worst hit" in head
    col = head.index("worst hit")
    for row in rows:
        assert row[col] != row[0], row
        assert row[0] not in row[col], row


def test_worst_hit_names_the_tenant_that_burned_most() -> None:
    slow = load("invoices-tenant-slow-burn")
    session, _ = play(slow, [{"type": "end"}], slow.seed)
    head, *rows = _impact_rows(build_postmortem(assess(session)))
    col = head.index("worst hit")
    assert any(row[col].startswith("tenant ") for row in rows), rows
