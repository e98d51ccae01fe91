"""Scan what the player view shows over every curated scenario, before the debrief.

Nothing a gap should hide is there (an uninstrumented component's numbers, figures from a
dark metrics store, a page through a dark pager), and no root-cause wording is.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from chaosgame.game.player import PlayerView
from chaosgame.scenario.library import load, scenario_paths
from chaosgame.scenario.model import Scenario

SCENARIOS = sorted(p.stem for p in scenario_paths())


def _markers(sc: Scenario) -> list[str]:
    t = sc.truth
    words = {f.kind for f in sc.faults} | ({t.root_cause.kind} - {"no-fault"})
    texts = [s.what for s in t.causal_chain] + list(t.contributing)
    texts += [r.why for r in t.red_herrings]
    ev = sc.evidence  # authored evidence's debrief-only notes
    texts += [r.note for r in (*ev.audit, *ev.jobs, *ev.notifications)]
    return sorted(words) + [x for x in texts if len(x) > 12]


def _views(view: PlayerView) -> list[dict[str, Any]]:
    """Every built-in view, and the query-language views the console shows."""
    out = [view.observe()]
    for act in (
        {"type": "query", "view": "map"},
        {"type": "query", "view": "slo"},
        {"type": "query", "view": "deploys", "window": 86400.0},
        {"type": "query", "view": "events", "window": 7200.0},
        {"type": "query", "q": "alerts"},
        {"type": "query", "q": "map"},
        {"type": "query", "q": "events --since=30d"},
        {"type": "query", "q": "changes"},
    ):
        out.append(view.act(act))
    return out


def _pipeline_down(sc: Scenario, kind: str) -> bool:
    return any(c.kind == kind and c.replicas == 0 for c in sc.components)


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_player_view_hides_what_gaps_hide_and_the_truth(name: str) -> None:
    sc = load(name)
    view = PlayerView(sc)
    view.start()
    seen: list[dict[str, Any]] = []
    targets = sorted({f.target for f in sc.faults})
    for _ in range(3):
        seen += _views(view)
        # a profile frame authored for a fault is evidence; the fault's kind never shows
        seen += [view.act({"type": "query", "q": f"profile {t}"}) for t in targets]
        for c in sc.components:
            if not c.telemetry.metrics:
                got = view.act({"type": "query", "view": "metric", "component": c.name})
                assert got["result"]["points"] == [], f"{name}: {c.name} exports no metrics"
        view.act({"type": "wait", "seconds": 300.0})
    uninstrumented = {c.name for c in sc.components if not c.telemetry.metrics}
    for out in seen:
        result = out.get("result", {})
        for row in result.get("components", []):
            if row["name"] in uninstrumented:
                assert row["rps"] is None, f"{name}: {row['name']} shows a request rate"
                assert row["errors"] is None, f"{name}: {row['name']} shows an error rate"
    if _pipeline_down(sc, "pager"):
        assert all(not out.get("alerts") for out in seen if "alerts" in out)
    blob = json.dumps(seen).lower()
    for mark in _markers(sc):
        pattern = r"(?<![a-z0-9-])" + re.escape(mark.lower()) + r"(?![a-z0-9-])"
        assert not re.search(pattern, blob), f"{name}: the player view shows {mark!r}"
    assert "root cause" not in blob
    assert "root_cause" not in blob
