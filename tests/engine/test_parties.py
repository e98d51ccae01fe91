"""Other parties act at their own pace; pipelines re-apply until the player pauses them."""

from __future__ import annotations

from typing import Any

import pytest

from chaosgame.engine.mitigations import MitigationError
from chaosgame.engine.rng import Streams
from chaosgame.engine.sim import Simulator
from chaosgame.scenario.actions import mitigation_adapter
from tests.engine.fleet import fleet

PARTNER: dict[str, Any] = {
    "name": "partner",
    "kind": "customer",
    "actions": [
        {
            "name": "slow-down",
            "summary": "ship a client that sends half the requests",
            "traffic": {"journey": "shop", "factor": 0.5},
            "pace": {"delay": "10m"},
        },
        {
            "name": "roll-out-backoff",
            "traffic": {"journey": "login", "factor": 0.5},
            "pace": {"delay": "10m", "adoption": "10m", "share": 0.8, "jitter": "5m"},
        },
    ],
    "refuses": [{"ask": "recall-app", "why": "an installed app cannot be recalled"}],
}
PLATFORM: dict[str, Any] = {
    "name": "platform",
    "owns": ["db"],
    "actions": [
        {
            "name": "add-db-replica",
            "mitigation": {"action": "scale", "target": "db", "replicas": 3},
            "pace": {"delay": "5m"},
        }
    ],
}


def ask(sim: Simulator, action: str, target: str, **params: Any) -> float:
    spec = mitigation_adapter().validate_python({"action": action, "target": target, **params})
    return sim.mitigate(spec)


def rate_factor(sim: Simulator, journey: str) -> float:
    return float(sim.mods.rate_factor[sim.world.journeys.index(journey)])


def test_a_requested_traffic_change_lands_after_the_partys_pace() -> None:
    sim = Simulator(fleet(parties=[PARTNER]))
    sim.run_until(300.0)
    assert ask(sim, "request", "partner", ask="slow-down") == 360.0  # the request's own delay
    sim.run_until(955.0)  # last tick at 950: 300 + 60 + 600 = 960 not reached
    assert rate_factor(sim, "shop") == 1.0
    sim.run_until(965.0)  # the tick at 960 ran with the change
    assert rate_factor(sim, "shop") == pytest.approx(0.5)
    text = [e.message for e in sim.events if e.kind == "party"]
    assert text == ["partner: slow-down started; 100% adopted"]


def test_adoption_grows_to_its_share_after_a_seeded_jitter() -> None:
    sim = Simulator(fleet(parties=[PARTNER]))
    sim.run_until(300.0)
    ask(sim, "request", "partner", ask="roll-out-backoff")
    jitter = Streams(sim.seed).get("parties/partner/roll-out-backoff").random() * 300.0
    start = 360.0 + 600.0 + jitter
    tick = -(-start // 10.0) * 10.0  # the first tick at or after the start: it starts there
    sim.run_until(tick + 150.0 - 5.0)
    assert rate_factor(sim, "login") == pytest.approx(1.0 - 0.8 * 140.0 / 600.0 * 0.5)
    sim.run_until(tick + 300.0 + 5.0)  # half way: 40% adopted, a 20% cut
    assert rate_factor(sim, "login") == pytest.approx(0.8)
    sim.run_until(start + 700.0)
    assert rate_factor(sim, "login") == pytest.approx(1.0 - 0.8 * 0.5)
    assert any("reached 80% adoption" in e.message for e in sim.events)


def test_a_party_mitigation_acts_on_their_component() -> None:
    sim = Simulator(fleet(parties=[PLATFORM]))
    sim.run_until(100.0)
    ask(sim, "request", "platform", ask="add-db-replica")
    sim.run_until(455.0)
    assert sim.state.desired[sim.world.index["db"]] == 1
    sim.run_until(465.0)  # 100 + 60 + 300
    assert sim.state.desired[sim.world.index["db"]] == 3


def test_asking_for_what_they_cannot_or_will_not_do_is_refused_with_a_sentence() -> None:
    sim = Simulator(fleet(parties=[PARTNER, PLATFORM]))
    with pytest.raises(
        MitigationError, match=r"partner cannot fix-it; what they can do: slow-down"
    ):
        ask(sim, "request", "partner", ask="fix-it")
    with pytest.raises(MitigationError, match="partner will not recall-app: an installed app"):
        ask(sim, "request", "partner", ask="recall-app")
    with pytest.raises(MitigationError, match="nobody called 'mobile'"):
        ask(sim, "request", "mobile", ask="slow-down")
    with pytest.raises(MitigationError, match="partner is a customer"):
        ask(sim, "page-team", "partner")
    ask(sim, "request", "partner", ask="slow-down")
    with pytest.raises(MitigationError, match="already been asked"):
        ask(sim, "request", "partner", ask="slow-down")
    plain = Simulator(fleet())
    with pytest.raises(MitigationError, match="no other team or customer"):
        ask(plain, "request", "partner", ask="slow-down")
    with pytest.raises(MitigationError, match="no pipeline"):
        ask(plain, "pause-pipeline", "sync")
    with pytest.raises(MitigationError, match="no public status page"):
        ask(plain, "post-status", "shop")


SYNC = {
    "configs": [
        {"id": "mode", "at": 120.0, "component": "api", "key": "feature.mode", "value": "on"}
    ],
    "pipelines": [{"name": "sync", "changes": ["mode"], "every": "5m"}],
}


def mode(sim: Simulator) -> str | None:
    return sim.state.config.get((sim.world.index["api"], "feature.mode"))


def test_a_config_pipeline_reapplies_after_a_revert_until_paused() -> None:
    sim = Simulator(fleet(**SYNC))
    sim.run_until(500.0)
    assert mode(sim) == "on"
    ask(sim, "revert-config", "api")  # lands at 545
    sim.run_until(600.0)
    assert mode(sim) is None
    sim.run_until(725.0)  # runs at 420, 720, ...: the revert did not hold
    assert mode(sim) == "on"
    assert any(e.message == "feature.mode=on by sync" for e in sim.events)
    ask(sim, "pause-pipeline", "sync")  # lands at 755
    sim.run_until(800.0)
    ask(sim, "revert-config", "api")  # lands at 845
    sim.run_until(2000.0)
    assert mode(sim) is None
    paused = [e for e in sim.events if e.kind == "pipeline" and "paused" in e.message]
    assert [(e.message, e.actor) for e in paused] == [
        ("pipeline sync paused: no more runs", "player")
    ]


def test_without_a_pause_the_pipeline_keeps_the_change() -> None:
    sim = Simulator(fleet(**SYNC))
    sim.run_until(500.0)
    ask(sim, "revert-config", "api")
    sim.run_until(2000.0)
    assert mode(sim) == "on"


WAVES = {
    "deploys": [
        {"at": -86400.0, "component": "api", "version": "v1"},
        {"id": "wave-1", "at": 100.0, "component": "api", "version": "v2", "duration": 300.0},
        {"id": "wave-2", "at": 600.0, "component": "worker", "version": "v2"},
    ],
    "pipelines": [{"name": "release", "changes": ["wave-1", "wave-2"]}],
}


def test_a_paused_release_pipeline_freezes_its_wave_and_holds_the_next() -> None:
    sim = Simulator(fleet(**WAVES))
    sim.run_until(200.0)
    ask(sim, "pause-pipeline", "release")  # lands at 230
    sim.run_until(1200.0)
    api = sim.state.versions[sim.world.index["api"]]
    assert api.rollout is not None
    assert api.rollout.paused
    assert api.rollout.hold == pytest.approx((230.0 - 100.0) / 300.0)
    worker = sim.state.versions[sim.world.index["worker"]]
    assert worker.stable == "v1"
    assert worker.rollout is None
    assert any(e.message == "deploy of v2 held: pipeline release is paused" for e in sim.events)


def test_an_unpaused_release_pipeline_continues() -> None:
    sim = Simulator(fleet(**WAVES))
    sim.run_until(1200.0)
    assert sim.state.versions[sim.world.index["worker"]].stable == "v2"
    assert sim.state.versions[sim.world.index["api"]].stable == "v2"


def test_the_changes_view_shows_the_pipeline() -> None:
    sim = Simulator(fleet(**WAVES))
    first = next(e for e in sim.events if e.kind == "pipeline")
    assert first.message == "pipeline release: carries out wave-1, wave-2"


def test_a_retry_change_grows_with_adoption_and_becomes_their_config_once_complete() -> None:
    party = {
        "name": "partner",
        "owns": ["api"],
        "actions": [
            {
                "name": "retry-more",
                "retries": {"from": "api", "to": "ext", "count": 4},
                "pace": {"delay": 0, "adoption": "10m"},
            }
        ],
    }
    sim = Simulator(fleet(parties=[party]))
    ask(sim, "request", "partner", ask="retry-more")  # reaches them at 60
    e = sim.world.edge_index[("api", "ext")]
    # with no delay they start on the next tick, at 70; at 370 half of the fleet adopted
    sim.run_until(375.0)
    assert float(sim.mods.edge_retries[e]) == pytest.approx(2.0)
    sim.run_until(700.0)
    assert sim.state.config[(sim.world.index["api"], "retries:ext")] == "4"
    assert float(sim.mods.edge_retries[e]) == 4.0
    assert ("party", "partner/retry-more") not in sim.standing
    with pytest.raises(MitigationError, match="api belongs to partner, not to you"):
        ask(sim, "restart", "api")
