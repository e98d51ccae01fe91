"""``snippets-saved-edits-vanish`` needs the data laws: after a split brain the
tempting failback loses the writes the promoted copy took, the reference (reconcile, then a
planned failback) loses none; without the ``data:`` block the failback loses nothing counted.
"""

from __future__ import annotations

from chaosgame.engine.grading import evaluate
from chaosgame.engine.sim import Simulator
from chaosgame.scenario.actions import mitigation_adapter
from chaosgame.scenario.library import load
from chaosgame.scenario.model import Scenario

NAME = "snippets-saved-edits-vanish"
SETTLE = 600.0


def failback_at_page(sc: Scenario) -> Simulator:
    sim = Simulator(sc)
    page = sc.page_at or 0.0
    sim.run_until(page)
    spec = {"action": "failover-db", "target": "snippets-db"}
    sim.mitigate(mitigation_adapter().validate_python(spec))
    sim.run_until(page + 1800.0)
    return sim


def test_failing_back_at_once_loses_the_promoted_copys_writes() -> None:
    sc = load(NAME)
    sim = failback_at_page(sc)
    assert sim.data is not None
    lost = sum(loss.writes for loss in sim.data.losses)
    assert lost > 10_000  # every write the us-west primary took since 14:20
    reasons = evaluate(sim, sc.page_at or 0.0, SETTLE).reasons
    assert any("writes were lost" in r for r in reasons), reasons


def test_the_reference_reconciles_first_and_loses_nothing() -> None:
    sc = load(NAME)
    sim = Simulator(sc)
    page = sc.page_at or 0.0
    sim.run_until(page)
    sim.mitigate(
        mitigation_adapter().validate_python({"action": "reconcile", "target": "snippets-db"})
    )
    done = sim.pending[-1].at
    assert done - page > 600.0  # a long action: diverged writes at 2 a second
    sim.run_until(done + 60.0)
    spec = {"action": "failover-db", "target": "snippets-db"}
    sim.mitigate(mitigation_adapter().validate_python(spec))
    sim.run_until(done + 1200.0)
    assert sim.data is not None
    assert not sim.data.losses
    assert not sim.data.theirs.any()
    reasons = evaluate(sim, page, SETTLE).reasons
    assert not any("lost" in r or "reconciled" in r for r in reasons), reasons


def test_without_the_data_block_the_failback_loses_nothing_counted() -> None:
    sc = load(NAME).model_copy(update={"data": None})
    sim = failback_at_page(sc)
    assert sim.data is None
    h = sim.history
    assert float(h.journey["lost"][: h.ticks].max()) == 0.0
