"""The strategy ladder over the whole curated library: reasoning wins, guessing loses.

Every built-in strategy player (``chaosgame.game.strategies``) plays every curated scenario.
The answer-key player, who looks at the evidence and then applies the reference solution,
averages at least 85; every cheap strategy (none of which looks at the hidden truth) averages
at most 35, random play at most 15, and on no scenario does a cheap strategy come within 25
points of the answer key. The ``heuristic`` player, honest but reasoning from the evidence,
averages at least 15 points above the best cheap strategy and below the answer key.
``benchmarks/bench_ladder.py`` prints the same table.

The whole ladder is one test so that its games are played once, in one process, while the
other workers run the rest of the suite.
"""

from __future__ import annotations

from typing import Any

import pytest

from chaosgame.game.players import play, reference_actions
from chaosgame.game.scoring import GRADES, assess
from chaosgame.game.strategies import STRATEGIES, ladder
from chaosgame.scenario.faults import FAULT_KINDS
from chaosgame.scenario.library import scenario_paths
from chaosgame.scenario.loader import load_scenario
from chaosgame.scenario.model import Scenario

PATHS = scenario_paths()
CHEAP = ("nothing", "random", "undo-latest", "loudest-alert", "plausible-shotgun", "read-the-id")
PASS = next(floor for floor, letter in GRADES if letter == "D")


def test_the_ladder_names_every_strategy() -> None:
    assert set(STRATEGIES) == {*CHEAP, "heuristic", "reference"}


def test_the_ladder_holds_over_the_library() -> None:
    table = {p.stem: {k: s.total for k, s in ladder(load_scenario(p)).items()} for p in PATHS}
    means = {k: sum(row[k] for row in table.values()) / len(table) for k in STRATEGIES}
    shown = ", ".join(f"{k} {v:.1f}" for k, v in means.items())
    assert means["reference"] >= 85, shown
    for name in CHEAP:
        assert means[name] <= 35, shown
    assert means["random"] <= 15, shown
    assert max(means[n] for n in CHEAP) + 15 <= means["heuristic"] < means["reference"], shown
    assert means["nothing"] <= means["random"] + 1e-9 or means["nothing"] <= 5, shown
    close = {
        f"{sid}: {name} {row[name]:.1f} vs reference {row['reference']:.1f}"
        for sid, row in table.items()
        for name in CHEAP
        if row[name] > row["reference"] - 25
    }
    assert not close, sorted(close)
    low = {sid: row["reference"] for sid, row in table.items() if row["reference"] < 85}
    assert not low, low


def wrong_declaration(sc: Scenario) -> dict[str, Any]:
    """A confident declaration that misses: another kind on a component off the causal chain."""
    rc = sc.truth.root_cause
    chain = {step.component for step in sc.truth.causal_chain} | {rc.component}
    component = next(c.name for c in sc.components if c.name not in chain)
    kind = next(k for k in FAULT_KINDS if k != rc.kind)
    return {"type": "declare", "component": component, "kind": kind, "confidence": 1.0}


@pytest.mark.parametrize(
    "sid",
    ["checkout-payment-step-failing", "carts-empty-themselves", "issue-tracker-down"],
)
def test_a_lucky_fix_does_not_pass(sid: str) -> None:
    """The reference solution applied after looking, under a confident wrong diagnosis."""
    sc = next(load_scenario(p) for p in PATHS if p.stem == sid)
    rc = sc.truth.root_cause
    look = {"type": "query", "view": "metric", "component": rc.component}
    fix = [a for a in reference_actions(sc) if a["type"] not in ("declare", "end")]
    session, errors = play(sc, [look, *fix, wrong_declaration(sc), {"type": "end"}])
    assert not errors
    assert assess(session).score.total < PASS
