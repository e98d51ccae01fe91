"""The blameless postmortem: every section, from the run's own data."""

from __future__ import annotations

import re

import pytest

from chaosgame.game.players import reference_actions
from chaosgame.game.postmortem import SECTIONS, build_postmortem
from chaosgame.game.scoring import assess, play
from chaosgame.scenario.library import load
from chaosgame.scenario.model import Scenario


@pytest.fixture(scope="module")
def storm() -> Scenario:
    return load("checkout-payment-step-failing")


@pytest.fixture(scope="module")
def report(storm: Scenario) -> str:
    acts = [{"type": "query", "view": "map"}, *reference_actions(storm)]
    return build_postmortem(assess(play(storm, acts)[0]), run_id=3)


def _headings(md: str) -> list[str]:
    return re.findall(r"^## (.+)$", md, flags=re.M)


def test_every_section_in_order(storm: Scenario, report: str) -> None:
    md = report
    assert md.startswith(f"# Postmortem: {storm.title}")
    assert _headings(md) == list(SECTIONS)
    assert "run 3" in md


def test_impact_timeline_and_root_cause(storm: Scenario, report: str) -> None:
    md = report
    for slo in ("checkout availability", "checkout latency", "browse availability"):
        assert f"| {slo} |" in md
    timeline = md.split("## Timeline")[1].split("##")[0]
    assert "the on-call engineer is paged" in timeline
    assert "do rollback payments (v3.2.0 -> v3.1.9: rolling back" in timeline
    assert "payments: deploy v3.2.0" in timeline  # the incident's own events are merged in
    clocks = re.findall(r"^\| (\d\d:\d\d:\d\d) \|", timeline, flags=re.M)
    assert clocks == sorted(clocks)
    assert "Root cause: **bad-deploy** in **payments**" in md
    for factor in storm.truth.contributing:
        assert factor in md
    # every table row has as many cells as its header
    for table in re.findall(r"(?:^\|.*\|\n)+", md, flags=re.M):
        rows = table.strip().splitlines()
        widths = {len(re.split(r"(?<!\\)\|", r)) for r in rows}
        assert len(widths) == 1, rows[0]


def test_a_bad_response_says_what_did_not_go_well(storm: Scenario) -> None:
    acts = [{"type": "mitigate", "action": "restart", "target": "web"}, {"type": "end"}]
    md = build_postmortem(assess(play(storm, acts)[0]))
    bad = md.split("## What did not go well")[1].split("## Action items")[0]
    assert "did not recover" in bad
    assert "No root cause was declared" in bad
    assert "`do restart web` did not address the cause" in bad
    assert "still ongoing at the end of the run" in md
    assert "Put this signal on the on-call dashboard" in md
