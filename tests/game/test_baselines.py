"""The comparison runs are computed once per scenario content and seed, and kept: in memory
(bounded, keyed by content) and in the run records; a kept comparison scores bit for bit
like a recomputed one."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from chaosgame.game import baselines
from chaosgame.game.debrief import build_debrief
from chaosgame.game.records import RunStore, replay
from chaosgame.game.session import Session
from chaosgame.scenario.library import load
from chaosgame.scenario.model import Scenario

ACTIONS: list[dict[str, Any]] = [
    {"type": "query", "view": "map"},
    {"type": "mitigate", "action": "rollback", "target": "payments"},
    {"type": "declare", "component": "payments", "kind": "bad-deploy", "confidence": 0.8},
]
SEED = 4242


@pytest.fixture(autouse=True)
def _cold() -> Any:
    baselines.clear_memory()
    yield
    baselines.clear_memory()


def _game(scenario: Scenario, store: RunStore | None = None) -> tuple[Session, int | None]:
    session = Session(scenario, SEED)
    session.reset()
    rid = store.attach(session) if store is not None else None
    for act in ACTIONS:
        assert session.step(act)["ok"]
    return session, rid


def _no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any) -> Any:
        raise AssertionError("the comparison runs were simulated again")

    monkeypatch.setattr(baselines, "compute", refuse)


def _same_pops(a: baselines.Comparison, b: baselines.Comparison) -> None:
    for run_a, run_b in ((a.reference, b.reference), (a.nothing, b.nothing)):
        assert run_a.start_time == run_b.start_time
        assert run_a.actions == run_b.actions
        assert run_a.root_strength == run_b.root_strength
        for p, q in zip(run_a.pops, run_b.pops, strict=True):
            assert (p.slo, p.tenant, p.target, p.budget) == (q.slo, q.tenant, q.target, q.budget)
            assert p.bad.tobytes() == q.bad.tobytes()
            assert p.total.tobytes() == q.total.tobytes()


def test_the_key_is_the_content_not_the_object() -> None:
    one, two = load(), load()
    assert one is not two
    assert baselines.key(one, 7, 600.0) == baselines.key(two, 7, 600.0)
    assert baselines.key(one, 7, 600.0) != baselines.key(one, 8, 600.0)
    longer = one.model_copy(update={"time_limit": one.time_limit + 60})
    assert baselines.key(longer, 7, 600.0)[0] != baselines.key(one, 7, 600.0)[0]


def test_memory_is_bounded_and_shared_by_equal_scenarios(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[int] = []
    dummy = baselines.Comparison(
        baselines.RunSummary(load(), 0.0, [], [], 0.0),
        baselines.RunSummary(load(), 0.0, [], [], 0.0),
        [],
    )

    def fake(scenario: Scenario, seed: int, settle: float) -> baselines.Comparison:
        made.append(seed)
        return dummy

    monkeypatch.setattr(baselines, "compute", fake)
    assert baselines.comparison(load(), 1, 600.0) is dummy
    assert baselines.comparison(load(), 1, 600.0) is dummy  # another object, same content
    assert made == [1]
    for seed in range(2, baselines.MEMORY_SIZE + 3):
        baselines.comparison(load(), seed, 600.0)
    assert len(baselines._MEMORY) == baselines.MEMORY_SIZE
    assert baselines.cached(load(), 1, 600.0) is None  # the least recently used went first
    assert baselines.cached(load(), baselines.MEMORY_SIZE + 2, 600.0) is dummy


def test_a_kept_comparison_scores_bit_for_bit_like_a_recomputed_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storm = load("checkout-payment-step-failing")
    store = RunStore(tmp_path / "runs.sqlite3")
    # cold: simulated, then kept in memory and in the records the game is saved in
    first, rid = _game(storm, store)
    cold = first.finish()
    assert rid is not None
    store.finish(rid, first, cold.score.as_dict())
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM baselines").fetchone() == (1,)
    recomputed = baselines.compute(storm, SEED, 600.0)
    _same_pops(cold.base, recomputed)

    # warm, from memory: the same game played again scores the same, nothing simulated
    _no_simulation(monkeypatch)
    second, _ = _game(load("checkout-payment-step-failing"))
    warm = second.finish()
    assert warm.base is cold.base
    assert warm.score.as_dict() == cold.score.as_dict()

    # warm, from the records (a new process): read back, not simulated, the same score
    baselines._MEMORY.clear()
    third, _ = _game(load("checkout-payment-step-failing"), store)
    stored = third.finish()
    assert stored.base is not cold.base
    _same_pops(stored.base, cold.base)
    assert stored.score.as_dict() == cold.score.as_dict()
    assert build_debrief(stored) == build_debrief(cold)
    assert store.problems == []


def test_replay_and_report_read_the_kept_comparison(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storm = load("checkout-payment-step-failing")
    store = RunStore(tmp_path / "runs.sqlite3")
    session, rid = _game(storm, store)
    assert rid is not None
    store.finish(rid, session, session.finish().score.as_dict())
    baselines.clear_memory()
    _no_simulation(monkeypatch)
    assessment, problems = replay(store.get(rid), store)
    assert problems == []
    assert assessment.score.as_dict() == store.get(rid).score


def test_finishing_with_a_store_keeps_a_comparison_made_without_it(tmp_path: Path) -> None:
    storm = load("checkout-payment-step-failing")
    store = RunStore(tmp_path / "runs.sqlite3")
    session, _ = _game(storm)
    score = session.finish().score.as_dict()  # no store yet: kept in memory only
    rid = store.start(session)
    store.finish(rid, session, score)
    key = baselines.key(storm, SEED, 600.0)
    text = store.load_baseline(key, baselines.__version__)
    assert text is not None
    _same_pops(baselines.decode(text, storm), baselines.cached(storm, SEED, 600.0))  # type: ignore[arg-type]


def test_a_damaged_kept_comparison_is_recomputed_and_replaced(tmp_path: Path) -> None:
    storm = load("checkout-payment-step-failing")
    store = RunStore(tmp_path / "runs.sqlite3")
    session, rid = _game(storm, store)
    assert rid is not None
    good = session.finish()
    with sqlite3.connect(store.path) as conn:
        conn.execute('UPDATE baselines SET data = \'{"format": 1, "errors": 3}\'')
    baselines._MEMORY.clear()
    again, _ = _game(storm, store)
    assert again.finish().score.as_dict() == good.score.as_dict()
    assert any("damaged" in p for p in store.problems)
    text = store.load_baseline(baselines.key(storm, SEED, 600.0), baselines.__version__)
    assert text is not None
    _same_pops(baselines.decode(text, storm), good.base)


def test_another_version_s_comparison_is_not_used(tmp_path: Path) -> None:
    storm = load("checkout-payment-step-failing")
    store = RunStore(tmp_path / "runs.sqlite3")
    key = baselines.key(storm, SEED, 600.0)
    store.save_baseline(key, "0.0.0-other", "{}")
    assert store.load_baseline(key, baselines.__version__) is None
    assert baselines.load(store, key, storm) is None


def test_the_stored_form_is_exact() -> None:
    storm = load("checkout-payment-step-failing")
    found = baselines.compute(storm, SEED, 600.0)
    text = baselines.encode(found)
    back = baselines.decode(text, storm)
    _same_pops(found, back)
    assert baselines.encode(back) == text
    assert back.reference.pops[0].bad.dtype == np.float64


@pytest.mark.parametrize(
    "name",
    ["checkout-payment-step-failing", "listings-cache-stampede", "tickets-split-brain-oversell"],
)
def test_the_runs_sharing_their_start_end_as_runs_played_apart(name: str) -> None:
    """The comparison runs share the world up to the page (one simulation, then a copy):
    each ends bit for bit as a run of its own from the start would."""
    from chaosgame.game.players import SETTLE_S, play, reference_actions
    from chaosgame.game.players import baselines as shared

    sc = load(name)
    runs = shared(sc, sc.seed, SETTLE_S)
    apart_reference, _ = play(sc, reference_actions(sc), sc.seed)
    apart_nothing, _ = play(sc, [{"type": "end"}], sc.seed)
    for together, apart in ((runs.reference, apart_reference), (runs.nothing, apart_nothing)):
        assert apart.sim is not None
        assert together.sim is not None
        apart.sim.run_until(together.sim.now)
        assert together.sim.history.digest() == apart.sim.history.digest()
        assert together.actions == apart.actions


def test_games_ending_at_once_in_threads_simulate_the_comparison_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading

    storm = load("checkout-payment-step-failing")
    made: list[baselines.Comparison] = []
    real = baselines.compute

    def counted(*args: Any) -> baselines.Comparison:
        made.append(real(*args))
        return made[-1]

    monkeypatch.setattr(baselines, "compute", counted)
    start = threading.Barrier(3)
    found: list[baselines.Comparison] = []

    def score() -> None:
        start.wait()
        found.append(baselines.comparison(storm, SEED, 600.0))

    threads = [threading.Thread(target=score) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(made) == 1  # a class ending together waits for the first comparison
    assert len(found) == 3
    assert all(c is made[0] for c in found)
