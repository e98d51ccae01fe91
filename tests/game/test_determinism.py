"""Same scenario, seed and actions: the same history, bit for bit; another seed differs."""

from __future__ import annotations

import json

import pytest

from chaosgame.game.determinism import check_determinism, play
from chaosgame.scenario.library import load

ACTIONS = [
    {"type": "query", "view": "map"},
    {"type": "query", "view": "metric", "component": "payments", "metric": "latency_p99"},
    {"type": "mitigate", "action": "rollback", "target": "payments"},
    {"type": "wait", "seconds": 300},
    {"type": "declare", "component": "payments", "kind": "bad-deploy", "confidence": 0.7},
    {"type": "end"},
]


def test_same_inputs_same_everything() -> None:
    check_determinism(load(), ACTIONS)


def test_another_seed_differs_in_values_not_in_shape() -> None:
    a = play(load(), ACTIONS, seed=1)
    b = play(load(), ACTIONS, seed=2)
    assert a.history != b.history  # traffic noise differs, so every series does
    shape = [(e["kind"], e["component"], e["message"]) for e in json.loads(a.events)]
    assert shape == [(e["kind"], e["component"], e["message"]) for e in json.loads(b.events)]


def test_check_determinism_notices_a_difference(monkeypatch: pytest.MonkeyPatch) -> None:
    import itertools

    from chaosgame.game import determinism

    counter = itertools.count()
    real = determinism.play

    def flaky(*args, **kwargs):  # type: ignore[no-untyped-def]
        trace = real(*args, **kwargs)
        return determinism.Trace(trace.history + str(next(counter)), trace.events, trace.results)

    monkeypatch.setattr(determinism, "play", flaky)
    with pytest.raises(AssertionError, match="history"):
        determinism.check_determinism(load(), ACTIONS[:1])
