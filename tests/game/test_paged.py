"""The world up to the page is simulated once per scenario and seed in a process, then copied:
a game started from the copy plays bit for bit as one simulated from the start."""

from __future__ import annotations

from typing import Any

import pytest

from chaosgame.game import paged
from chaosgame.game.session import Session
from chaosgame.scenario.library import load

ACTIONS: list[dict[str, Any]] = [
    {"type": "query", "view": "map"},
    {"type": "mitigate", "action": "restart", "target": "web"},
    {"type": "wait", "seconds": 300},
    {"type": "end"},
]


def _play(sc: Any, seed: int) -> tuple[str, list[dict[str, Any]]]:
    s = Session(sc, seed)
    out = [s.reset()]
    out += [s.step(dict(a)) for a in ACTIONS]
    assert s.sim is not None
    return s.sim.history.digest(), out


@pytest.mark.parametrize("name", ["checkout-payment-step-failing", "listings-cache-stampede"])
def test_a_game_from_the_kept_world_plays_as_one_from_the_start(name: str) -> None:
    sc = load(name)
    paged.clear()
    fresh = _play(sc, 7)  # simulated from the start, and its page kept
    assert paged.recall(sc, 7) is not None
    again = _play(sc, 7)  # from the copy
    assert again == fresh
    paged.clear()
    assert _play(sc, 7) == fresh  # and the kept world was not changed by the games played


def test_only_the_same_scenario_object_and_seed_reuse_it() -> None:
    sc = load("checkout-payment-step-failing")
    paged.clear()
    _play(sc, 7)
    assert paged.recall(sc, 8) is None
    assert paged.recall(load("checkout-payment-step-failing"), 7) is None
    first = paged.recall(sc, 7)
    second = paged.recall(sc, 7)
    assert first is not None
    assert second is not None
    assert first[0] is not second[0]  # each game gets its own copy


def test_games_started_at_once_in_threads_simulate_the_world_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading

    sc = load("checkout-payment-step-failing")
    paged.clear()
    runs: list[float] = []
    real = Session._run_to_page

    def counted(self: Session, sim: Any) -> float:
        page = real(self, sim)
        runs.append(page)
        return page

    monkeypatch.setattr(Session, "_run_to_page", counted)
    start = threading.Barrier(4)
    seen: list[Any] = []

    def begin() -> None:
        s = Session(sc, 7)
        start.wait()
        seen.append(s.reset())

    threads = [threading.Thread(target=begin) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    paged.clear()
    assert len(runs) == 1  # a class joining together waits for the first world
    assert len(seen) == 4
    assert all(obs == seen[0] for obs in seen)
