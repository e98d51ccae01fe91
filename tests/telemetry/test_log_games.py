"""Two games in one process answer log queries as each would alone.

Both games share a seed, so categories of a component both scenarios name (``edge``) get the
same identity while their templates differ (each scenario serves its own journeys). Whatever
log search keeps between queries must belong to one game: interleaving the two games must not
change a single step result compared with playing each in a fresh process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from chaosgame.game.session import Session
from chaosgame.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]
GAMES = ("checkout-payment-step-failing", "sign-in-slow-on-sunday")
SEED = 7
# needles that hit in one scenario and not the other (journey paths, a journey's method and
# path), and needles the templates cannot decide (inside a number, a pod name, a user name)
STEPS: list[dict[str, Any]] = [
    {"type": "query", "q": 'logs {service=~".+"} |= "/api/browse" --since=5m --limit=5'},
    {"type": "query", "q": 'logs {service=~".+"} |= "/api/login" --since=5m --limit=5'},
    {"type": "query", "q": 'logs {service="edge"} != "GET /api/browse 200" --limit=5'},
    {"type": "query", "q": 'logs {service=~".+"} |= "POST /api/checkout" --limit=3'},
    {"type": "query", "q": 'logs {service=~".+"} |= "0ms trace" --since=2m --limit=3'},
    {"type": "query", "q": 'logs {service=~".+"} |= "edge-" --since=2m --limit=3'},
    {"type": "wait", "seconds": 60},
    {"type": "query", "q": 'logs {service=~".+"} |= "/api/browse" --since=5m --limit=5'},
    {"type": "query", "q": 'logs {service=~".+", level="error"} |= "/api/login" --limit=5'},
    {"type": "query", "q": 'logs {service=~".+"} |~ "/api/(browse|login)" --since=1m --limit=2'},
]


def _canonical(value: Any) -> Any:
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def alone(name: str) -> list[Any]:
    """The transcript of one game played in a fresh process."""
    code = (
        "import json, sys\n"
        "from tests.telemetry.test_log_games import play_alone\n"
        "json.dump(play_alone(sys.argv[1]), sys.stdout, sort_keys=True, default=str)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, name],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    transcript: list[Any] = json.loads(out.stdout)
    return transcript


def _session(name: str) -> Session:
    return Session(load_scenario(ROOT / "scenarios" / f"{name}.yaml"), seed=SEED)


def play_alone(name: str) -> list[Any]:
    game = _session(name)
    out = [_canonical(game.reset())]
    out.extend(_canonical(game.step(step)) for step in STEPS)
    return out


def _matched(transcript: list[Any]) -> list[int]:
    return [s["result"]["matched"] for s in transcript[1:] if "matched" in s.get("result", {})]


def test_interleaved_games_answer_as_each_game_alone() -> None:
    expected = [alone(name) for name in GAMES]
    # the journey needles hit in one game only: both verdicts of a template are exercised
    first, second = (_matched(t) for t in expected)
    assert first[0] > 0
    assert second[0] == 0
    assert first[1] == 0
    assert second[1] > 0
    games = [_session(name) for name in GAMES]
    transcripts: list[list[Any]] = [[_canonical(g.reset())] for g in games]
    for step in STEPS:
        for g, transcript in zip(games, transcripts, strict=True):
            transcript.append(_canonical(g.step(step)))
    for name, got, want in zip(GAMES, transcripts, expected, strict=True):
        assert len(got) == len(want)
        for k, (mine, alone_) in enumerate(zip(got, want, strict=True)):
            assert mine == alone_, f"{name}: step {k} differs when played beside another game"


def test_an_answer_does_not_depend_on_earlier_queries() -> None:
    """Lines of events recorded after a first log query are found by later ones."""
    sc = load_scenario(ROOT / "scenarios" / "image-uploads-fail-in-waves.yaml")
    later = {"type": "query", "q": 'logs {service=~".+"} |= "oom" --since=30m --limit=3'}
    asked = Session(sc)
    asked.reset()
    asked.step({"type": "query", "q": 'logs {service=~".+"} |= "oom" --limit=3'})
    asked.step({"type": "wait", "seconds": 900})
    fresh = Session(sc)
    fresh.reset()
    fresh.step({"type": "wait", "seconds": 945})
    assert asked.now == fresh.now
    mine, theirs = asked.step(later), fresh.step(later)
    assert mine["result"]["matched"] > 0
    assert mine["result"] == theirs["result"]
