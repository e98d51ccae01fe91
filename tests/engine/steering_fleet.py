"""A small two-region fleet for the steering and resolver laws (tests/engine/test_physics_steering.py).

A front door with no region balances a journey between two regional web tiers (group
``web``, equal weights); each web tier calls its region's store; ``web-a`` may re-point its
store calls to a standby (group ``db``, weight 0). Both web tiers resolve names through a
``dns`` component when ``resolver`` is given.
"""

from __future__ import annotations

import copy
from typing import Any

from chaosgame.scenario.model import Scenario

RATE = 120.0

STEER: dict[str, Any] = {
    "id": "steer",
    "title": "steering fleet",
    "topics": ["multi-region"],
    "duration": 3600.0,
    "time_limit": 1200.0,
    "regions": [{"name": "a", "latency_ms": {"b": 30.0}}, {"name": "b"}],
    "components": [
        {
            "name": "front",
            "kind": "gateway",
            "replicas": 4,
            "capacity": 1000.0,
            "service_time": 0.001,
        },
        {
            "name": "web-a",
            "kind": "service",
            "region": "a",
            "replicas": 4,
            "capacity": 50.0,
            "service_time": 0.02,
        },
        {
            "name": "web-b",
            "kind": "service",
            "region": "b",
            "replicas": 4,
            "capacity": 50.0,
            "service_time": 0.02,
        },
        {
            "name": "store-a",
            "kind": "database",
            "region": "a",
            "replicas": 1,
            "capacity": 2000.0,
            "service_time": 0.002,
        },
        {
            "name": "store-b",
            "kind": "database",
            "region": "b",
            "replicas": 1,
            "capacity": 2000.0,
            "service_time": 0.002,
        },
        {
            "name": "standby",
            "kind": "database",
            "region": "a",
            "replicas": 1,
            "capacity": 2000.0,
            "service_time": 0.002,
        },
        {"name": "dns", "kind": "dns", "replicas": 2, "capacity": 5000.0, "service_time": 0.001},
        {
            "name": "provider",
            "kind": "external",
            "replicas": 1,
            "capacity": 5000.0,
            "service_time": 0.05,
        },
    ],
    "dependencies": [
        {"from": "front", "to": "web-a", "timeout": 2.0, "balance": "web"},
        {"from": "front", "to": "web-b", "timeout": 2.0, "balance": "web"},
        {"from": "web-a", "to": "store-a", "timeout": 1.0, "calls": 2.0, "balance": "db"},
        {
            "from": "web-a",
            "to": "standby",
            "timeout": 1.0,
            "calls": 2.0,
            "balance": "db",
            "weight": 0.0,
        },
        {"from": "web-b", "to": "store-b", "timeout": 1.0, "calls": 2.0},
        {"from": "web-b", "to": "provider", "timeout": 2.0},
    ],
    "journeys": [{"name": "shop", "entry": "front", "rate": RATE}],
    "slos": [{"journey": "shop", "target": 0.99}],
    "truth": {"root_cause": {"kind": "no-fault"}},
}


def steer_fleet(**overrides: Any) -> Scenario:
    """The fleet with top-level fields replaced and components patched (``patch=``)."""
    data = copy.deepcopy(STEER)
    patch = overrides.pop("patch", {})
    for comp in data["components"]:
        comp.update(patch.get(comp["name"], {}))
    data.update(overrides)
    return Scenario.model_validate(data)
