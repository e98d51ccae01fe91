"""Capacity limits and health checks, each against an independent reference.

Quotas, subnets and node limits are checked against counts worked out by hand from the
scenario's numbers; readiness against the closed form ``p^f`` of ``f`` failed probes in a row
and against the shifted exponential's tail computed here with ``math.exp``; the autoscaler
against ``ceil(current x metric / target)`` on the metric the engine recorded.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from chaosgame.engine.probes import step_runs
from chaosgame.engine.sim import Simulator
from chaosgame.scenario.actions import mitigation_adapter
from chaosgame.telemetry.listings import events, pods
from tests.conftest import make_scenario


def scenario(cluster: dict[str, Any] | None = None, **overrides: Any) -> Any:
    """The tiny fleet with gw and api on cluster ``k`` (10 nodes of 8 cores, no limit)."""
    comps = make_scenario().model_dump(by_alias=True)["components"]
    for c in comps[:2]:
        c["cluster"] = "k"
    comps[1]["cpu_limit"] = 1.5
    for name, patch in overrides.pop("patch", {}).items():
        next(c for c in comps if c["name"] == name).update(patch)
    k = {"name": "k", "nodes": 10, "cpu_per_node": 8.0, **(cluster or {})}
    return make_scenario(components=comps, clusters=[k], **overrides)


def act(sim: Simulator, at: float, **spec: Any) -> None:
    sim.run_until(at)
    sim.mitigate(mitigation_adapter().validate_python(spec))


def running(sim: Simulator, name: str) -> float:
    return float(sim.state.ready[sim.world.index[name]])


def statuses(sim: Simulator, name: str) -> list[str]:
    return [p["status"] for p in pods(sim, sim.history.ticks - 1, name)["pods"]]


# ------------------------------------------------------------- quotas and addresses


def test_a_cpu_quota_runs_floor_q_over_q_pods_and_the_rest_stay_pending() -> None:
    # Hand count: quota 12 cores; gw holds 2 x 1 core, so api (1.5 cores a pod) may hold 10:
    # floor(10 / 1.5) = 6 pods run, and of the 10 asked for 4 stay Pending.
    sim = Simulator(scenario({"pod_cpu_quota": 12.0}))
    act(sim, 300.0, action="scale", target="api", replicas=10)
    sim.run_until(900.0)
    assert running(sim, "api") == math.floor((12.0 - 2 * 1.0) / 1.5) == 6
    assert sim.state.desired[sim.world.index["api"]] == 10
    assert statuses(sim, "api").count("Pending") == 4
    assert statuses(sim, "api").count("Running") == 6
    # pending pods serve nothing: the capacity is the running pods' (6 x 50 req/s)
    assert sim.cap[sim.world.index["api"]] == pytest.approx(6 * 50.0)
    said = [e["message"] for e in events(sim, 0, 900, ["scheduling"], "api")["events"]]
    assert said == [
        "4 replicas Pending: exceeded quota: compute-quota, requested: limits.cpu=1.5, "
        "used: limits.cpu=11, limited: limits.cpu=12"
    ]


def test_a_full_subnet_leaves_pods_without_an_address_and_new_nodes_make_it_worse() -> None:
    # Hand count: 60 addresses; 10 nodes hold 4 each (40); gw 2 + api 2 pods hold 4: 16 free.
    cluster = {"pod_ips": 60, "node_ips": 4}
    sim = Simulator(scenario(cluster))
    act(sim, 300.0, action="scale", target="api", replicas=30)
    sim.run_until(600.0)
    assert running(sim, "api") == 2 + 16
    assert statuses(sim, "api").count("ContainerCreating") == 12
    # a new node needs 4 free addresses: none are left, so none launch
    act(sim, 600.0, action="add-nodes", target="k", count=2)
    sim.run_until(1000.0)
    assert sim.state.nodes[0] == 10
    said = [e["message"] for e in events(sim, 0, 1000, ["provisioning"], "k")["events"]]
    assert said
    assert "InsufficientFreeAddressesInSubnet" in said[0]

    # with room for nodes, each new one takes 4 addresses the pods no longer get
    early = Simulator(scenario(cluster))
    act(early, 10.0, action="add-nodes", target="k", count=2)
    act(early, 300.0, action="scale", target="api", replicas=30)
    early.run_until(600.0)
    assert early.state.nodes[0] == 12
    assert running(early, "api") == 2 + 16 - 2 * 4


def test_a_new_subnet_lets_the_waiting_pods_start() -> None:
    sim = Simulator(scenario({"pod_ips": 60, "node_ips": 4}))
    act(sim, 300.0, action="scale", target="api", replicas=30)
    act(sim, 600.0, action="add-subnet", target="k", addresses=256)
    sim.run_until(1200.0)
    assert running(sim, "api") == 30
    assert "ContainerCreating" not in statuses(sim, "api")


def test_nodes_past_the_vcpu_quota_or_the_group_size_fail_to_launch() -> None:
    # vCPU quota 100 with 8-core nodes: floor(100 / 8) = 12 nodes, so 2 of 5 launch
    sim = Simulator(scenario({"vcpu_quota": 100.0}))
    act(sim, 60.0, action="add-nodes", target="k", count=5)
    sim.run_until(600.0)
    assert sim.state.nodes[0] == math.floor(100.0 / 8.0) == 12
    said = [e["message"] for e in events(sim, 0, 600, ["provisioning"], "k")["events"]]
    assert said == [
        "3 of 5 new nodes failed to launch: VcpuLimitExceeded: you have requested more vCPU "
        "capacity than your current vCPU limit of 100 allows"
    ]
    capped = Simulator(scenario({"max_nodes": 11}))
    act(capped, 60.0, action="add-nodes", target="k", count=5)
    capped.run_until(600.0)
    assert capped.state.nodes[0] == 11


def test_a_restart_with_no_address_left_loses_the_restarted_pods() -> None:
    # the pods a restart takes down give their addresses back; while they are away the
    # waiting scale-out takes them, so the restarted pods come back to a full subnet
    sim = Simulator(scenario({"pod_ips": 60, "node_ips": 4}))
    act(sim, 300.0, action="scale", target="api", replicas=30)
    sim.run_until(600.0)
    before = running(sim, "api")
    act(sim, 600.0, action="restart", target="gw")
    sim.run_until(1200.0)
    assert running(sim, "api") == before + 2
    assert running(sim, "gw") == 0


def test_limits_validate_against_the_starting_cluster() -> None:
    with pytest.raises(ValueError, match=r"clusters\[0\].vcpu_quota: 10 nodes of 8 cores"):
        scenario({"vcpu_quota": 40.0})
    with pytest.raises(ValueError, match=r"clusters\[0\].pod_ips: 10 nodes of 4 addresses"):
        scenario({"pod_ips": 30, "node_ips": 4})
    with pytest.raises(ValueError, match=r"clusters\[0\].max_nodes"):
        scenario({"max_nodes": 5})


# ------------------------------------------------------------- autoscaler on the wrong signal


def test_an_autoscaler_on_cpu_does_not_see_a_pool_bound_service() -> None:
    # api waits on a slow database through a small pool: its requests fail, yet its CPU (the
    # work of the requests it receives) stays where it was, so desired stays at min.
    deps = [
        {"from": "gw", "to": "api", "timeout": 30.0},
        {"from": "api", "to": "db", "timeout": 1.0, "pool": 2},
    ]
    slow = [{"kind": "latency-regression", "target": "db", "at": 300.0, "factor": 20.0}]
    hpa = {"metric": "cpu", "target": 0.5, "min": 2, "max": 10, "delay": 60.0}
    sc = scenario(dependencies=deps, faults=slow, patch={"api": {"autoscaling": hpa}})
    sim = Simulator(sc)
    api = sim.world.index["api"]
    seen: list[tuple[float, float]] = []
    sim.observers.append(lambda s: seen.append((float(s.cpu[api]), float(s.state.desired[api]))))
    sim.run_until(1500.0)
    e = sim.world.edge_index[("api", "db")]
    assert sim.history.edge["pool_wait"][sim.history.ticks - 1, e] > 0.3  # bound on the pool
    for cpu, desired in seen:
        # ceil(current x metric / target), bounded by min and max: 2 x 0.25 / 0.5 -> 1 -> 2
        want = max(2, min(10, math.ceil(max(desired, 1) * cpu / 0.5 - 1e-9)))
        assert want == 2
        # CPU: 60 % of the limit at the rated capacity, times the share of it in use
        assert cpu == pytest.approx(0.6 * 40.0 / 2 / 50.0, rel=0.25)
    assert sim.history.comp["desired"][: sim.history.ticks, api].max() == 2


def test_scaling_out_a_pool_bound_caller_adds_connections_past_the_database_limit() -> None:
    # more replicas, more pools: 2 -> 8 replicas of 10 connections take the database past
    # its 30 connections (calls in flight, Little's law, no longer capped at 2 x 10 by the
    # pools), and it refuses the excess
    deps = [
        {"from": "gw", "to": "api", "timeout": 30.0},
        {"from": "api", "to": "db", "timeout": 1.0, "pool": 10},
    ]
    slow = [{"kind": "latency-regression", "target": "db", "at": 300.0, "factor": 40.0}]
    sc = scenario(dependencies=deps, faults=slow, patch={"db": {"max_connections": 30}})
    calm, scaled = Simulator(sc), Simulator(sc)
    act(scaled, 600.0, action="scale", target="api", replicas=8)
    calm.run_until(1200.0)
    scaled.run_until(1200.0)
    db = sc.components.index(sc.component("db"))
    t = scaled.history.ticks - 1
    assert scaled.history.comp["connections"][t, db] > 30 > calm.history.comp["connections"][t, db]
    assert scaled.history.journey["errors"][t].max() >= calm.history.journey["errors"][t].max()


# ------------------------------------------------------------- readiness


def test_readiness_runs_of_failures_give_p_to_the_f() -> None:
    # f failed probes in a row take a replica out; one success brings it back. With the same
    # failure probability p every tick, none is out before the f-th tick, p^f from then on.
    p, f = np.array([0.3, 0.8]), np.array([3, 1])
    runs = np.zeros((2, 5))
    runs[:, 0] = 1.0
    out = []
    for _ in range(6):
        runs = step_runs(runs, p, p, f)
        out.append(runs[np.arange(2), f].copy())
        assert runs.sum(1) == pytest.approx([1.0, 1.0])
    assert [o[0] for o in out] == pytest.approx([0.0, 0.0, 0.3**3, 0.3**3, 0.3**3, 0.3**3])
    assert [o[1] for o in out] == pytest.approx([0.8] * 6)
    # replicas out of rotation are idle: they come back when their own probe passes
    runs = np.array([[0.0, 0.0, 0.0, 1.0, 0.0]])
    runs = step_runs(runs, np.array([0.9]), np.array([0.25]), np.array([3]))
    assert runs[0] == pytest.approx([0.75, 0.0, 0.0, 0.25, 0.0])


def deep(checks: list[str], timeout: float = 0.3, threshold: int = 3, **kw: Any) -> Any:
    probe = {"timeout": timeout, "failure_threshold": threshold, "checks": checks}
    return scenario(patch={"api": {"readiness": probe, "replicas": 4}}, **kw)


TIMEOUT = 0.2


def test_the_ready_share_follows_the_probe_timeout_and_the_dependency_latency() -> None:
    # The reference: the probe's latency is api's own time plus the database's, a shifted
    # exponential; p = exp(-(T - floor) / (mean - floor)) from the values the engine
    # computed each tick, and a scalar run-length chain stepped by hand.
    slow = [{"kind": "latency-regression", "target": "db", "at": 300.0, "factor": 30.0}]
    sim = Simulator(deep(["db"], timeout=TIMEOUT, faults=slow))
    w = sim.world
    api, db, e = w.index["api"], w.index["db"], w.edge_index[("api", "db")]
    chain = [1.0, 0.0, 0.0, 0.0]  # run length 0, 1, 2, 3+ (out of rotation)
    shares: list[tuple[float, float]] = []

    def probe(s: Simulator) -> None:
        own_floor = w.service_time[api] * s.mods.svc_factor[api] * s.throttle[api]
        dep_mean, dep_floor = s.lat[0, db] + w.net_latency[e], s.floor[0, db] + w.net_latency[e]
        floor = own_floor + dep_floor
        ok = 1.0 - min(float(s.err[0, db]), 1.0)

        def tail(mean: float) -> float:  # P(probe slower than T), shifted exponential
            headroom = TIMEOUT - floor
            p = 1.0 if headroom <= 0 else math.exp(-headroom / max(mean - floor, 1e-9))
            return 1.0 - (1.0 - p) * ok

        p_in, p_out = tail(s.own_lat[api] + dep_mean), tail(own_floor + dep_mean)
        shares.append((chain[3], float(s.mods.unready[api])))
        back = (1.0 - p_in) * (1.0 - chain[3]) + (1.0 - p_out) * chain[3]
        chain[:] = [back, p_in * chain[0], p_in * chain[1], p_in * chain[2] + p_out * chain[3]]

    sim.observers.append(probe)
    sim.run_until(1200.0)
    for want, got in shares:
        assert got == pytest.approx(want, abs=1e-9)
    late = [got for _, got in shares[60:]]
    assert 0.02 < min(late) < 0.98  # a share of the replicas, not all of them all the time
    # the ones out take no traffic and are not restarted: the rest carry the load
    t = sim.history.ticks - 1
    assert sim.history.comp["restarts"][t, api] == 0
    assert sim.history.comp["replicas"][t, api] == pytest.approx(4 * (1 - shares[-1][1]), rel=1e-5)


def test_a_deep_check_on_a_slow_database_ejects_every_replica() -> None:
    # the database's idle path alone takes longer than the probe's timeout: every probe
    # fails, every replica leaves the load balancer after 3 ticks, and the service is down
    slow = [{"kind": "latency-regression", "target": "db", "at": 300.0, "factor": 80.0}]
    sim = Simulator(deep(["db"], faults=slow))
    sim.run_until(600.0)
    api = sim.world.index["api"]
    t = sim.history.ticks - 1
    assert sim.history.comp["replicas"][t, api] == 0
    assert sim.history.journey["errors"][t].max() == pytest.approx(1.0)
    assert statuses(sim, "api") == ["Running"] * 4
    assert all(p["ready"] == "0/1" for p in pods(sim, t, "api")["pods"])
    # the same probe without the deep check keeps every replica in: the journey only loses
    # what the slow database itself fails
    shallow = Simulator(deep([], faults=slow))
    shallow.run_until(600.0)
    assert shallow.history.comp["replicas"][t, api] == 4
    assert shallow.history.journey["errors"][t].max() < 1.0


def test_a_deep_liveness_check_restarts_replicas_that_a_restart_does_not_help() -> None:
    slow = [{"kind": "latency-regression", "target": "db", "at": 300.0, "factor": 80.0}]
    probe = {"timeout": 0.3, "failure_threshold": 3, "checks": ["db"]}
    sim = Simulator(scenario(patch={"api": {"liveness": probe, "replicas": 4}}, faults=slow))
    sim.run_until(1200.0)
    api = sim.world.index["api"]
    restarts = sim.history.comp["restarts"][: sim.history.ticks, api]
    assert restarts[29] == 0
    assert restarts[-1] >= 4
    plain = {"timeout": 0.3, "failure_threshold": 3}
    calm = Simulator(scenario(patch={"api": {"liveness": plain, "replicas": 4}}, faults=slow))
    calm.run_until(1200.0)
    assert calm.history.comp["restarts"][calm.history.ticks - 1, api] == 0


def test_a_probe_can_only_check_a_dependency() -> None:
    with pytest.raises(ValueError, match=r"readiness.checks\[0\]: 'api' does not call 'gw'"):
        deep(["gw"])


def test_pending_pods_are_a_metric_the_player_can_query() -> None:
    from chaosgame.telemetry.metrics import select

    sim = Simulator(scenario({"pod_cpu_quota": 12.0}))
    act(sim, 300.0, action="scale", target="api", replicas=10)
    sim.run_until(900.0)
    frame = select(sim, "kube_pod_status_pending", [], sim.history.ticks)
    api = list(frame.owner).index(sim.world.index["api"])
    values = frame.read(np.arange(sim.history.ticks), False)[api]
    assert values[0] == 0
    assert values[-1] == 4
