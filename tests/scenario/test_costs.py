"""One table of action costs (``chaosgame.scenario.costs``), used by every part of the game."""

from __future__ import annotations

import re
from pathlib import Path

import chaosgame
from chaosgame.game import session as session_mod
from chaosgame.game import views
from chaosgame.game.session import Session
from chaosgame.scenario import costs
from chaosgame.scenario.library import load
from chaosgame.telemetry import query


def test_the_costs_keep_their_values() -> None:
    assert costs.VIEW_COSTS == {
        "map": 20.0,
        "metric": 45.0,
        "events": 30.0,
        "slo": 10.0,
        "deploys": 20.0,
    }
    assert costs.QUERY_COSTS == {
        "metrics": 30.0,
        "logs": 45.0,
        "traces": 60.0,
        "trace": 20.0,
        "events": 20.0,
        "changes": 20.0,
        "pods": 15.0,
        "map": 20.0,
        "alerts": 10.0,
        "profile": 60.0,
        "catalogue": 0.0,
        "help": 0.0,
    }
    assert costs.MITIGATION_HANDS_ON == 30.0


def test_every_user_reads_the_one_table() -> None:
    assert views.COSTS is costs.VIEW_COSTS
    assert query.COSTS is costs.QUERY_COSTS
    assert session_mod.MITIGATION_HANDS_ON is costs.MITIGATION_HANDS_ON


def test_no_other_module_keeps_its_own_cost_table() -> None:
    root = Path(chaosgame.__file__).parent
    table = re.compile(r"^(\w*COSTS|MITIGATION_HANDS_ON)\s*(:[^=]*)?=\s*[{\d]", re.M)
    owners = sorted(
        str(p.relative_to(root)) for p in root.rglob("*.py") if table.search(p.read_text("utf-8"))
    )
    assert owners == ["scenario/costs.py"]


def test_the_session_charges_the_table() -> None:
    s = Session(load())
    s.reset()
    out = s.step({"type": "query", "view": "slo"})
    assert out["cost_s"] == costs.VIEW_COSTS["slo"]
    out = s.step({"type": "query", "q": "alerts"})
    assert out["cost_s"] == costs.QUERY_COSTS["alerts"]
    out = s.step({"type": "mitigate", "action": "rollback", "target": "payments"})
    assert out["cost_s"] == costs.MITIGATION_HANDS_ON
