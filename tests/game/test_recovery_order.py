"""A recovery done out of order fails as the scenario says: the decommission incident needs
the index back before placement restarts, and placement before the API."""

from __future__ import annotations

from chaosgame.game import players
from chaosgame.scenario.library import find
from chaosgame.scenario.loader import load_scenario

SCENARIO = "blobstore-one-region-failing"


def _restarts(actions: list[dict[str, object]]) -> dict[str, str]:
    sc = load_scenario(find(SCENARIO))
    session, errors = players.play(sc, actions)
    assert errors == []
    sim = session.sim
    assert sim is not None
    sim.run_until(session.deadline)
    out: dict[str, str] = {}
    for e in sim.events:
        if (
            e.kind == "mitigation"
            and e.message.startswith("restart")
            and "requested" not in e.message
        ):
            out.setdefault(e.component, e.message)
    return out


def _mit(action: str, target: str) -> dict[str, object]:
    return {"type": "mitigate", "action": action, "target": target}


def test_restarting_before_the_index_is_back_fails() -> None:
    done = _restarts([_mit("restart", "placement"), _mit("restart", "blob-api"), {"type": "end"}])
    assert "failed" in done["placement"]
    assert "caches the gaps again" in done["placement"]
    assert "failed" in done["blob-api"]


def test_the_reference_order_works() -> None:
    sc = load_scenario(find(SCENARIO))
    done = _restarts(players.reference_actions(sc))
    assert "failed" not in done["placement"], done["placement"]
    assert "failed" not in done["blob-api"], done["blob-api"]
