"""Every mitigation's side effect shows where the design says it does (docs/faults.md)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from chaosgame.engine.sim import Simulator
from chaosgame.scenario.actions import MITIGATIONS, mitigation_adapter
from tests.engine.fault_cases import AUTOSCALE, DEPLOY_V2
from tests.engine.fleet import fleet, play


def comp(sim: Simulator, series: str, name: str, t: float) -> float:
    return float(sim.history.comp[series][int(t / sim.dt), sim.world.index[name]])


def journey(sim: Simulator, series: str, t: float, j: str = "shop") -> float:
    w = sim.world
    mask = w.class_journey == w.journeys.index(j)
    return float(sim.history.journey[series][int(t / sim.dt)][mask].mean())


def peak(sim: Simulator, series: str, name: str, lo: float, hi: float) -> float:
    a, b = int(lo / sim.dt), int(hi / sim.dt)
    return float(sim.history.comp[series][a:b, sim.world.index[name]].max())


def m(action: str, target: str, **params: Any) -> dict[str, Any]:
    return {"action": action, "target": target, **params}


def f(kind: str, target: str, **params: Any) -> dict[str, Any]:
    return {"kind": kind, "target": target, "at": 60.0, **params}


TESTED: set[str] = set()


def covers(*actions: str) -> Any:
    TESTED.update(actions)
    return lambda fn: fn


@covers("rollback", "complete-rollout")
def test_rolling_back_across_an_incompatible_migration_breaks_the_old_version() -> None:
    deploys = [DEPLOY_V2[0], {**DEPLOY_V2[1], "duration": 600.0}]
    fault = f("incompatible-schema", "api", reads_with="v2", database="db")
    back = play([(300.0, m("rollback", "api"))], 900.0, deploys=deploys, faults=[fault])
    ahead = play([(300.0, m("complete-rollout", "api"))], 600.0, deploys=deploys, faults=[fault])
    assert journey(back, "errors", 290.0) < 0.7
    # the rollback replaces the new pods as the deploy placed them: over (420 - 60) s more
    assert journey(back, "errors", 890.0) > 0.95  # every pod is old now, none can read
    assert journey(ahead, "errors", 590.0) < 0.01


@covers("restart")
def test_restart_drops_work_and_a_restarted_cache_stampedes_its_store() -> None:
    api = play([(300.0, m("restart", "api"))], 500.0)
    assert journey(api, "errors", 370.0) > 0.9  # every replica recycling at once
    cache = play([(300.0, m("restart", "cache"))], 500.0)
    assert comp(cache, "cache_hit", "cache", 420.0) < 0.2
    assert comp(cache, "utilisation", "db", 420.0) > 1.5 * comp(cache, "utilisation", "db", 290.0)


@covers("scale")
def test_scaling_a_database_bound_service_adds_connections() -> None:
    slow = [f("slow-query-plan", "db", factor=30.0)]
    pool = [{"at": -60.0, "component": "api", "key": "pool:db", "value": "3"}]
    sim = play([(300.0, m("scale", "api", replicas=9))], 600.0, faults=slow, configs=pool)
    assert comp(sim, "connections", "db", 590.0) > 1.5 * comp(sim, "connections", "db", 290.0)


@covers("toggle-flag")
def test_turning_a_flag_on_exposes_everyone_to_its_path() -> None:
    fault = f("expensive-flag", "api", flag="new-path", cpu_factor=4.0)
    sim = play([(300.0, m("toggle-flag", "new-path", on=True))], 500.0, faults=[fault])
    assert comp(sim, "cpu", "api", 490.0) > 2 * comp(sim, "cpu", "api", 290.0)


@covers("disable-retries")
def test_without_retries_transient_failures_reach_users() -> None:
    deps = [dict(d) for d in fleet().model_dump(by_alias=True)["dependencies"]]
    for d in deps:
        if d["to"] == "ext":
            d["retries"] = {"count": 3, "backoff": 0.05}
    fault = f("dependency-outage", "ext", error_rate=0.3)
    sim = play(
        [(300.0, m("disable-retries", "api", to="ext"))], 600.0, dependencies=deps, faults=[fault]
    )
    assert journey(sim, "errors", 290.0) < 0.02
    assert journey(sim, "errors", 590.0) > 0.25


@covers("set-autoscaler-max")
def test_a_higher_autoscaler_max_buys_replicas_under_load() -> None:
    auto = {"patch": {"api": {"autoscaling": {**AUTOSCALE, "max": 3}}}}
    spike = [f("traffic-spike", "api", journey="shop", factor=3.0)]
    sim = play([(300.0, m("set-autoscaler-max", "api", max_replicas=12))], 900.0, faults=spike,
               **auto)  # fmt: skip
    assert comp(sim, "replicas", "api", 290.0) == 3
    assert comp(sim, "replicas", "api", 890.0) >= 4  # more capacity, more cost


@covers("flush-cache", "warm-cache")
def test_flushing_loads_the_store_and_warming_loads_it_briefly() -> None:
    flushed = play([(300.0, m("flush-cache", "cache"))], 500.0)
    assert comp(flushed, "utilisation", "db", 400.0) > 1.5 * comp(flushed, "utilisation", "db", 290)
    warmed = play([(300.0, m("warm-cache", "cache"))], 700.0)
    during = comp(warmed, "utilisation", "db", 450.0)
    assert during > 1.5 * comp(warmed, "utilisation", "db", 290.0)  # the warming job's reads
    assert comp(warmed, "utilisation", "db", 690.0) < 0.8 * during


@covers("shed-load", "rate-limit")
def test_shedding_and_rate_limits_reject_real_users() -> None:
    shed = play([(300.0, m("shed-load", "gw", fraction=0.3))], 500.0)
    assert journey(shed, "errors", 490.0) == pytest.approx(0.3, abs=0.02)
    limited = play([(300.0, m("rate-limit", "gw", journey="login", fraction=0.5))], 500.0)
    assert journey(limited, "errors", 490.0, "login") == pytest.approx(0.5, abs=0.02)
    assert journey(limited, "errors", 490.0, "shop") < 0.01


@covers("pause-rollout", "shift-traffic")
def test_pausing_keeps_both_versions_and_shifting_moves_the_share() -> None:
    deploys = [DEPLOY_V2[0], {**DEPLOY_V2[1], "duration": 600.0}]
    bad = [f("bad-deploy", "api", version="v2", error_rate=1.0)]
    paused = play([(360.0, m("pause-rollout", "api"))], 900.0, deploys=deploys, faults=bad)
    assert journey(paused, "errors", 890.0) == pytest.approx(0.5, abs=0.05)  # skew stays
    canary = [DEPLOY_V2[0], {**DEPLOY_V2[1], "strategy": "canary", "weight": 0.1}]
    shifted = play([(300.0, m("shift-traffic", "api", weight=1.0))], 500.0, deploys=canary,
                   faults=bad)  # fmt: skip
    assert journey(shifted, "errors", 290.0) == pytest.approx(0.1, abs=0.02)
    assert journey(shifted, "errors", 490.0) > 0.95  # all traffic now meets the bad version


@covers("revert-config")
def test_revert_undoes_the_latest_change_even_a_good_one() -> None:
    configs = [{"at": 60.0, "component": "api", "key": "pool:db", "value": "2", "previous": "10"},
               {"at": 120.0, "component": "api", "key": "pool:db", "value": "30"}]  # fmt: skip
    sim = play([(300.0, m("revert-config", "api"))], 400.0, configs=configs)
    assert sim.state.pool[sim.world.edge_index[("api", "db")]] == 2
    assert any("pool:db=2 by player" in e.message for e in sim.events)


@covers("raise-limit")
def test_raising_a_limit_restarts_pods_in_waves() -> None:
    sim = play([(300.0, m("raise-limit", "api", resource="cpu"))], 600.0)
    assert comp(sim, "restarts", "api", 590.0) > comp(sim, "restarts", "api", 290.0)
    assert peak(sim, "replicas", "api", 300.0, 600.0) == 3
    assert min(sim.history.comp["replicas"][30:60, sim.world.index["api"]]) < 3


@covers("resize-pool")
def test_a_bigger_pool_opens_more_connections_to_the_database() -> None:
    slow = [f("slow-query-plan", "db", factor=3.0)]
    patch = {"patch": {"db": {"max_connections": 12}}}
    sim = play([(300.0, m("resize-pool", "api", to="db", size=40))], 600.0, faults=slow, **patch)
    assert comp(sim, "connections", "db", 590.0) > comp(sim, "connections", "db", 290.0)


@covers("add-nodes", "drain-node")
def test_nodes_cost_and_draining_dips_capacity() -> None:
    added = play([(300.0, m("add-nodes", "prod", count=2))], 600.0)
    assert added.state.nodes[0] == 6  # more nodes, more cost
    drained = play([(300.0, m("drain-node", "prod"))], 600.0)
    assert min(drained.history.comp["replicas"][37:42, drained.world.index["api"]]) < 3
    assert drained.state.nodes[0] == 3  # the cordoned node leaves the pool


@covers("add-subnet")
def test_a_new_subnet_gives_addresses_not_cpu() -> None:
    # prod: 4 nodes of 4 cores; gw 2 x 0.5 + api 3 + cache 2 + queue 1 + worker 2 = 9 cores
    # held; api asks for 12 more pods: the subnet (4 nodes x 2 + 9 pods + 3 free addresses)
    # lets 3 start, the new subnet lets the rest try, and 16 - 9 = 7 cores still leave 5
    # of them Pending on CPU
    cluster = {"name": "prod", "region": "eu", "nodes": 4, "cpu_per_node": 4.0}
    limited = [{**cluster, "pod_ips": 4 * 2 + 10 + 3, "node_ips": 2}]
    scale = (60.0, m("scale", "api", replicas=15))
    sim = play([scale], 300.0, clusters=limited)
    assert sim.state.ready[sim.world.index["api"]] == 3 + 3
    sim = play([scale, (300.0, m("add-subnet", "prod", addresses=256))], 900.0, clusters=limited)
    assert sim.state.ready[sim.world.index["api"]] == 3 + 7


@covers("failover-db", "promote-replica")
def test_promoting_a_lagging_replica_loses_writes_a_planned_failover_does_not() -> None:
    lag = [f("replication-lag", "replica", until=300.0)]
    promoted = play([(300.0, m("promote-replica", "replica"))], 500.0, faults=lag)
    planned = play([(300.0, m("failover-db", "db"))], 500.0, faults=lag)
    assert promoted.history.journey["lost"][: promoted.history.ticks].max() > 0.01
    assert planned.history.journey["lost"][: planned.history.ticks].max() == 0.0
    crashed = [*lag, f("database-crash", "db", at=290.0)]
    forced = play([(300.0, m("failover-db", "db"))], 500.0, faults=crashed)
    assert forced.history.journey["lost"][: forced.history.ticks].max() > 0.01


@covers("failover-region")
def test_a_region_failover_starts_cold_caches() -> None:
    sim = play([(300.0, m("failover-region", "eu", to="us"))], 700.0)
    assert comp(sim, "cache_hit", "cache", 590.0) > 0.85
    assert comp(sim, "cache_hit", "cache", 610.0) < 0.5


@covers("kill-query", "pause-job", "split-shard")
def test_database_remedies_fail_queries_leave_work_undone_or_take_long() -> None:
    killed = play([(300.0, m("kill-query", "db"))], 400.0)
    assert peak(killed, "errors", "db", 300.0, 400.0) >= 0.05  # in-flight queries killed
    paused = play([(300.0, m("pause-job", "db"))], 400.0)
    assert any("not done" in e.message for e in paused.events)
    hot = [f("hot-shard", "db")]
    patch = {"patch": {"db": {"replicas": 4, "capacity": 25.0}}}
    split = play([(300.0, m("split-shard", "db"))], 1000.0, faults=hot, **patch)
    assert journey(split, "errors", 880.0) > 0.05  # ten minutes of harm before the move
    assert journey(split, "errors", 990.0) < 0.01


@covers("open-breaker", "switch-fallback")
def test_breaking_a_call_fails_fast_and_a_fallback_answers_worse() -> None:
    opened = play([(300.0, m("open-breaker", "api", to="ext"))], 500.0)
    assert journey(opened, "errors", 490.0) > 0.95  # ext is required
    assert journey(opened, "latency", 490.0) < journey(opened, "latency", 290.0)
    fallback = play([(300.0, m("switch-fallback", "api", to="ext"))], 500.0)
    assert journey(fallback, "errors", 490.0) < 0.01
    assert journey(fallback, "wrong", 490.0) == pytest.approx(0.02, abs=0.005)


@covers("dead-letter", "raise-quota", "renew-cert", "reload-secret")
def test_quiet_remedies_say_what_they_leave_behind() -> None:
    sim = play(
        [
            (300.0, m("dead-letter", "queue")),
            (300.0, m("raise-quota", "ext")),
            (300.0, m("renew-cert", "ext")),
            (300.0, m("reload-secret", "api")),
        ],
        1000.0,
    )
    text = " ".join(e.message for e in sim.events)
    assert "needs replaying" in text or "need replaying" in text
    assert "billed" in text
    assert sim.state.cert_expiry[sim.world.index["ext"]] > 86400.0
    assert ("reload-secret", sim.world.index["api"]) in sim.state.resets


@covers("block-client")
def test_blocking_the_wrong_client_leaves_the_abuse() -> None:
    abuse = [f("credential-stuffing", "api", journey="login", factor=9.0)]
    wrong = play([(300.0, m("block-client", "gw", client="198.51.100.0/24"))], 600.0, faults=abuse)
    right = play([(300.0, m("block-client", "gw", client="203.0.113.0/24"))], 600.0, faults=abuse)
    assert journey(wrong, "errors", 590.0) > 0.1
    assert journey(right, "errors", 590.0) < 0.01


@covers("silence-alert")
def test_silencing_changes_nothing_in_the_system() -> None:
    fault = [f("bad-deploy", "api", version="v1", error_rate=0.3)]
    quiet = play([(300.0, m("silence-alert", "api"))], 600.0, faults=fault)
    loud = play([], 600.0, faults=fault)
    assert np.array_equal(quiet.history.journey["errors"][:60], loud.history.journey["errors"][:60])


@covers("run-step", "restore-backup")
def test_a_runbook_step_changes_nothing_and_a_restore_restarts_every_replica() -> None:
    runbook = {"runbook": [{"name": "provision-host", "target": "db", "takes": "1m"}]}
    crash = [f("database-crash", "db")]
    step = play([(300.0, m("run-step", "db", step="provision-host"))], 600.0, recovery=runbook)
    calm = play([], 600.0, recovery=runbook)
    assert np.array_equal(step.history.journey["errors"][:60], calm.history.journey["errors"][:60])
    lost = play([(120.0, m("restore-backup", "db"))], 2400.0, faults=crash)
    db = lost.world.index["db"]
    assert comp(lost, "errors", "db", 1000.0) > 0.99  # thirty minutes of copying
    assert comp(lost, "replicas", "db", 1930.0) < 1.0  # the replica restarts on the copy
    assert comp(lost, "errors", "db", 2300.0) < 0.01
    assert lost.state.restarts[db] >= 1


@covers("reconcile")
def test_reconciling_diverged_copies_takes_its_time_and_changes_nothing_else() -> None:
    split = [f("split-brain", "db", at=300.0, until=420.0, writes_elsewhere=0.3)]
    rules = {"reconcile_per_s": 1.0}
    done = play([(450.0, m("reconcile", "db"))], 900.0, faults=split, data=rules)
    left = play([], 900.0, faults=split, data=rules)
    until = int(done.pending[-1].at / done.dt)
    assert until > 60  # slower than the catalogue's ten minutes at one write per second
    assert np.array_equal(done.history.comp["errors"][:until], left.history.comp["errors"][:until])


@covers("drain", "shift-weights", "repoint", "set-fanout", "contact-provider")
def test_steering_loads_whoever_takes_the_traffic_and_a_provider_takes_its_time() -> None:
    from tests.engine.steering_fleet import steer_fleet

    def steered(action: str, target: str, **params: Any) -> Simulator:
        sim = Simulator(steer_fleet(patch={"web-b": {"replicas": 2}}))
        sim.run_until(300.0)
        sim.mitigate(mitigation_adapter().validate_python(m(action, target, **params)))
        sim.run_until(600.0)
        return sim

    def err(sim: Simulator, name: str) -> float:
        return float(sim.err[:, sim.world.index[name]].max())

    assert err(steered("drain", "a"), "web-b") > 0.05  # the smaller region saturates
    assert err(steered("shift-weights", "front", to="web-b", weight=1.0), "web-b") > 0.05
    cold = Simulator(steer_fleet(patch={"standby": {"capacity": 50.0}}))
    cold.run_until(300.0)
    cold.mitigate(
        mitigation_adapter().validate_python(m("repoint", "web-a", to="store-a", onto="standby"))
    )
    cold.run_until(600.0)
    assert err(cold, "standby") > 0.05  # a small standby cannot hold every call at once
    fewer = steered("set-fanout", "web-b", to="store-b", calls=0.5)
    i = fewer.world.index["store-b"]
    assert float(fewer.served[:, i].sum()) < float(
        fewer.served[:, fewer.world.index["web-b"]].sum()
    )
    slow = [{**f("third-party-slow", "provider"), "added_latency": 3.0}]
    asked = Simulator(steer_fleet(faults=slow))
    asked.run_until(300.0)
    asked.mitigate(mitigation_adapter().validate_python(m("contact-provider", "provider")))
    asked.run_until(1800.0)
    assert float(asked.lat[0, asked.world.index["provider"]]) > 3.0  # an hour by default


def test_every_mitigation_has_a_side_effect_test() -> None:
    assert set(MITIGATIONS) == TESTED


@covers("request", "pause-pipeline", "post-status", "page-team")
def test_asking_people_changes_nothing_until_they_act_and_a_pause_holds_good_changes() -> None:
    party = {
        "name": "platform",
        "answers_page": "2m",
        "actions": [
            {"name": "halve-login", "traffic": {"journey": "login", "factor": 0.5}, "pace": {}}
        ],
    }
    good = {"id": "fix", "at": 900.0, "component": "api", "key": "feature.mode", "value": "off"}
    scenario = {
        "parties": [party],
        "comms": {},
        "configs": [good],
        "pipelines": [{"name": "sync", "changes": ["fix"]}],
    }
    asks = [
        (300.0, m("request", "platform", ask="halve-login")),
        (300.0, m("post-status", "shop", state="investigating")),
        (300.0, m("page-team", "platform")),
        (300.0, m("pause-pipeline", "sync")),
    ]
    sim = play(asks, 1000.0, **scenario)
    still = play([], 1000.0, **scenario)
    # the default pace is half an hour: nothing changed in the system meanwhile
    assert np.array_equal(sim.history.journey["errors"][:90], still.history.journey["errors"][:90])
    assert sim.state.config.get((sim.world.index["api"], "feature.mode")) is None  # held
    text = [e.message for e in sim.events]
    assert "platform acknowledged the page and joined" in text
    assert "status page: shop investigating" in text
