"""The two curated scenarios of other parties and pipelines play as their debriefs say."""

from __future__ import annotations

from typing import Any

from chaosgame.game.session import Session
from chaosgame.scenario.library import load

SYNC = "checkout-cards-declined"
RESELLER = "checkout-fails-for-partner-too"


def do(action: str, target: str, **params: Any) -> dict[str, Any]:
    return {"type": "mitigate", "action": action, "target": target, **params}


def started(name: str) -> Session:
    s = Session(load(name))
    s.reset()
    return s


def mode(s: Session) -> str | None:
    assert s.sim is not None
    return s.sim.state.config.get((s.sim.world.index["payments"], "fraud.scoring_mode"))


def test_a_revert_alone_does_not_hold_against_the_config_sync() -> None:
    s = started(SYNC)
    assert s.step(do("revert-config", "payments"))["ok"]
    s.step({"type": "wait", "seconds": 60})
    assert mode(s) is None
    s.step({"type": "wait", "seconds": 300})  # fleet-sync runs every five minutes
    assert mode(s) == "strict"
    assert s.sim is not None
    assert any(e.actor == "fleet-sync" and e.kind == "config" for e in s.sim.events)


def test_pausing_the_sync_then_reverting_holds_and_scores_better() -> None:
    s = started(SYNC)
    s.step(do("pause-pipeline", "fleet-sync"))
    s.step(do("revert-config", "payments"))
    s.step(do("post-status", "checkout", state="identified"))
    s.step({"type": "wait", "seconds": 1200})
    assert mode(s) is None
    s.step({"type": "declare", "component": "payments", "kind": "bad-config"})
    good = s.finish().score

    r = started(SYNC)
    r.step(do("revert-config", "payments"))
    r.step(do("post-status", "checkout", state="identified"))
    r.step({"type": "wait", "seconds": 1200})
    r.step({"type": "declare", "component": "payments", "kind": "bad-config"})
    reverted = r.finish().score
    assert good.part("slo").points > reverted.part("slo").points
    assert good.total > reverted.total


def test_the_reseller_adopts_their_fix_over_time_and_scaling_alone_only_hides_it() -> None:
    s = started(RESELLER)
    s.step(do("scale", "payments", replicas=6))
    s.step(do("scale", "checkout", replicas=8))
    out = s.step(do("request", "parcelnest", ask="restore-backoff"))
    assert out["ok"]
    s.step({"type": "wait", "seconds": 60})
    assert s.observe()["requests"][0]["state"] == "agreed"
    s.step({"type": "wait", "seconds": 3000})  # 15m + up to 10m, then 20m of adoption
    assert s.observe()["requests"][0]["state"] == "done"
    assert s.sim is not None
    retries = s.sim.state.config[(s.sim.world.index["reseller-connector"], "retries:checkout")]
    assert retries == "1"
    s.step({"type": "declare", "component": "reseller-connector", "kind": "retry-storm"})
    both = s.finish().score
    assert not both.part("time").data["symptom_hiding"]

    alone = started(RESELLER)
    alone.step(do("scale", "payments", replicas=6))
    alone.step(do("scale", "checkout", replicas=8))
    alone.step({"type": "wait", "seconds": 3060})
    alone.step({"type": "declare", "component": "reseller-connector", "kind": "retry-storm"})
    hidden = alone.finish().score
    assert hidden.part("time").data["symptom_hiding"]
    assert both.total > hidden.total


def test_the_players_own_hands_cannot_reach_the_resellers_connector() -> None:
    s = started(RESELLER)
    out = s.step(do("revert-config", "reseller-connector"))
    assert not out["ok"]
    assert out["error"] == (
        "revert-config: reseller-connector belongs to parcelnest, not to you; ask them with "
        "request (they can: restore-backoff)"
    )
