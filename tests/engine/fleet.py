"""The shared small fleet the catalogue's tests inject every fault kind into.

Two regions, one cluster, a gateway in front of an API that calls a cache (backed by the
primary database), the primary for writes, a read replica in the other region, a third-party
API, DNS and a queue with a worker behind it. Three journeys, two tenants, four SLOs.
"""

from __future__ import annotations

import copy
from typing import Any

from chaosgame.engine.sim import Simulator
from chaosgame.scenario.actions import mitigation_adapter
from chaosgame.scenario.model import Scenario

FLEET: dict[str, Any] = {
    "id": "fleet",
    "title": "catalogue fleet",
    "topics": ["scalability-ha"],
    "duration": 3600.0,
    "time_limit": 1200.0,
    "regions": [{"name": "eu", "latency_ms": {"us": 40.0}}, {"name": "us"}],
    "clusters": [{"name": "prod", "region": "eu", "nodes": 4, "cpu_per_node": 4.0}],
    "components": [
        {
            "name": "gw",
            "kind": "gateway",
            "cluster": "prod",
            "replicas": 2,
            "capacity": 500.0,
            "service_time": 0.002,
            "cpu_limit": 0.5,
        },
        {
            "name": "api",
            "kind": "service",
            "cluster": "prod",
            "replicas": 3,
            "capacity": 40.0,
            "service_time": 0.02,
            "version": "v1",
        },
        {
            "name": "cache",
            "kind": "cache",
            "cluster": "prod",
            "replicas": 2,
            "capacity": 2000.0,
            "service_time": 0.001,
            "hit_ratio": 0.9,
            "keyspace_reads": 20000.0,
        },
        {
            "name": "db",
            "kind": "database",
            "region": "eu",
            "replicas": 1,
            "capacity": 150.0,
            "service_time": 0.005,
            "max_connections": 200,
            "write_fraction": 0.3,
            "disk_gb": 100.0,
            "disk_used_gb": 90.0,
        },
        {
            "name": "replica",
            "kind": "database",
            "region": "us",
            "replicas": 1,
            "capacity": 300.0,
            "service_time": 0.005,
            "replica_of": "db",
            "apply_rate": 60.0,
            "write_fraction": 0.0,
        },
        {"name": "ext", "kind": "external", "replicas": 1, "capacity": 1000.0, "service_time": 0.1},
        {"name": "dns", "kind": "dns", "replicas": 2, "capacity": 5000.0, "service_time": 0.001},
        {
            "name": "queue",
            "kind": "queue",
            "cluster": "prod",
            "replicas": 1,
            "capacity": 5000.0,
            "service_time": 0.002,
            "disk_gb": 50.0,
            "disk_used_gb": 1.0,
        },
        {
            "name": "worker",
            "kind": "worker",
            "cluster": "prod",
            "replicas": 2,
            "capacity": 40.0,
            "service_time": 0.05,
        },
    ],
    "dependencies": [
        {"from": "api", "to": "cache", "timeout": 0.2},
        {"from": "cache", "to": "db", "timeout": 0.5},
        {"from": "api", "to": "db", "timeout": 0.5, "pool": 10, "journeys": ["shop", "login"]},
        {"from": "api", "to": "replica", "calls": 0.5, "timeout": 0.5, "journeys": ["shop"]},
        {"from": "api", "to": "ext", "timeout": 2.0, "journeys": ["shop"]},
        {"from": "api", "to": "dns", "calls": 0.05, "timeout": 0.2},
        {"from": "api", "to": "queue", "timeout": 0.2, "journeys": ["shop"]},
        {"from": "queue", "to": "worker", "mode": "async"},
    ],
    "journeys": [
        {"name": "shop", "entry": "api", "via": "gw", "rate": 40.0},
        {"name": "login", "entry": "api", "via": "gw", "rate": 10.0},
        {"name": "report", "entry": "api", "via": "gw", "rate": 4.0},
    ],
    "tenants": [{"name": "big", "share": 0.3}, {"name": "rest", "share": 0.7}],
    "slos": [
        {"journey": "shop", "sli": "availability", "target": 0.99},
        {"journey": "shop", "sli": "latency", "target": 0.99, "threshold": 1.0},
        {"journey": "shop", "sli": "correctness", "target": 0.999},
        {"journey": "shop", "sli": "durability", "target": 0.9999},
        {"journey": "login", "sli": "availability", "target": 0.99},
    ],
    "flags": [{"name": "new-path", "components": ["api"]}],
    "deploys": [{"at": -86400.0, "component": "api", "version": "v1"}],
    "truth": {"root_cause": {"kind": "no-fault"}},
}


def fleet(**overrides: Any) -> Scenario:
    """The shared fleet, with top-level fields replaced and components patched.

    ``patch={"api": {...}}`` updates fields of named components.
    """
    data = copy.deepcopy(FLEET)
    patch = overrides.pop("patch", {})
    for comp in data["components"]:
        comp.update(patch.get(comp["name"], {}))
    data.update(overrides)
    return Scenario.model_validate(data)


def play(actions: list[tuple[float, dict[str, Any]]], until: float, **scenario: Any) -> Simulator:
    """Run the fleet, asking for each mitigation at its time."""
    sim = Simulator(fleet(**scenario))
    for at, spec in sorted(actions, key=lambda a: a[0]):
        sim.run_until(at)
        sim.mitigate(mitigation_adapter().validate_python(spec))
    sim.run_until(until)
    return sim
