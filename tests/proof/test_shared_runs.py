"""``chaosgame check`` simulates what its checks share once, and concludes exactly as when
every run was simulated on its own."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from chaosgame.game import baselines, forks, players
from chaosgame.game.session import Session
from chaosgame.proof import checker
from chaosgame.proof.checker import check_scenario
from chaosgame.scenario.library import find
from chaosgame.scenario.loader import load_scenario
from chaosgame.scenario.model import Scenario

# red herrings; no fault at all; a staged reference solution (wait_until)
SCENARIOS = [
    "add-to-cart-failing",
    "search-cpu-high-at-night",
    "product-pages-fail-at-morning-peak",
    "edge-proxies-at-full-cpu",  # noise red herrings
]


def _scenario(name: str) -> Scenario:
    return load_scenario(find(name))


def _tables(session: Session) -> dict[str, Any]:
    sim = session.sim
    assert sim is not None
    h = sim.history
    out: dict[str, Any] = {"ticks": h.ticks, "now": sim.now, "start": session.start_time}
    for group in (h.comp, h.cls, h.edge, h.journey):
        out |= {name: arr[: h.ticks].copy() for name, arr in group.items()}
    out["events"] = [e.as_dict() for e in sim.events]
    out["actions"] = session.actions
    return out


def _same(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert a.keys() == b.keys()
    for key, value in a.items():
        if isinstance(value, np.ndarray):
            assert np.array_equal(value, b[key]), key
        else:
            assert value == b[key], key


@pytest.mark.parametrize("name", ["add-to-cart-failing", "product-pages-fail-at-morning-peak"])
def test_a_forked_session_plays_on_exactly_like_a_fresh_one(name: str) -> None:
    sc = _scenario(name)
    acts = players.reference_actions(sc)
    fresh, fresh_errors = players.play(sc, acts, sc.seed)
    start = forks.paged(sc, sc.seed)
    twin = forks.fork(start)
    assert twin.sim is not start.sim
    assert twin.scenario is sc
    # the original plays on too: the copy must not share its state
    assert players.play_on(start, players.idle_actions(sc)) == []
    assert players.play_on(twin, acts) == fresh_errors
    for s in (fresh, twin, start):
        assert s.sim is not None
        s.sim.run_until(fresh.deadline + players.SETTLE_S)
    _same(_tables(twin), _tables(fresh))
    idle, _ = players.play(sc, players.idle_actions(sc), sc.seed)
    assert idle.sim is not None
    idle.sim.run_until(fresh.deadline + players.SETTLE_S)
    _same(_tables(start), _tables(idle))


def test_check_does_not_simulate_the_comparison_runs_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def simulated(*_args: Any) -> Any:
        raise AssertionError("scoring simulated the comparison runs again")

    monkeypatch.setattr(baselines, "compute", simulated)
    baselines.clear_memory()
    checks = {c.name: c for c in check_scenario(_scenario("add-to-cart-failing"))}
    assert checks["nothing-scores-poorly"].details["nothing_score"] is not None


def _unshared(monkeypatch: pytest.MonkeyPatch) -> None:
    """Check as before runs were shared: every run simulated from the start on its own."""
    monkeypatch.setattr(forks, "fork", lambda s: forks.paged(s.scenario, s.seed))
    monkeypatch.setattr(checker.baselines, "offer", lambda *_a: False)
    real = checker._share_without
    monkeypatch.setattr(
        checker,
        "_share_without",
        lambda sc, seed, run, onset, _noise: real(sc, seed, run, onset, False),
    )
    monkeypatch.setattr(
        checker,
        "_baseline_of",
        lambda sc, seed, until, run: checker._baseline(sc, seed, until, checker._expiring(run.sim)),
    )


@pytest.mark.parametrize("name", SCENARIOS)
def test_shared_runs_conclude_exactly_as_separate_runs(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sc = _scenario(name)
    baselines.clear_memory()
    shared = [c.as_dict() for c in check_scenario(sc)]
    with monkeypatch.context() as m:
        _unshared(m)
        baselines.clear_memory()
        separate = [c.as_dict() for c in check_scenario(sc)]
    baselines.clear_memory()
    assert shared == separate


def test_runs_at_another_horizon_are_not_offered_to_scoring() -> None:
    sc = _scenario("add-to-cart-failing")
    baselines.clear_memory()
    ref, errors = players.play(sc, players.reference_actions(sc), sc.seed)
    idle, _ = players.play(sc, players.idle_actions(sc), sc.seed)
    assert not baselines.offer(sc, sc.seed, players.SETTLE_S, ref, idle, errors)
    assert baselines.cached(sc, sc.seed, players.SETTLE_S) is None
    for s in (ref, idle):
        assert s.sim is not None
        s.sim.run_until(idle.deadline + players.SETTLE_S)
    assert baselines.offer(sc, sc.seed, players.SETTLE_S, ref, idle, errors)
    kept = baselines.cached(sc, sc.seed, players.SETTLE_S)
    baselines.clear_memory()
    computed = baselines.compute(sc, sc.seed, players.SETTLE_S)
    assert kept is not None
    assert baselines.encode(kept) == baselines.encode(computed)


@pytest.mark.parametrize("name", ["analytics-one-tenant-dark", "edge-proxies-at-full-cpu"])
def test_the_world_runs_the_same_without_its_noise(name: str) -> None:
    # what lets check skip the counterfactual run of a noise red herring
    sc = _scenario(name)
    assert sc.noise.alerts or sc.noise.logs or sc.noise.slow_queries or sc.noise.metrics
    quiet = sc.model_copy(update={"noise": type(sc.noise)()})
    runs = []
    for s in (sc, quiet):
        session, _ = players.play(s, players.idle_actions(s), s.seed)
        assert session.sim is not None
        session.sim.run_until(session.deadline)
        runs.append(_tables(session))
    _same(runs[0], runs[1])
