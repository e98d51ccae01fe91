"""Procedural fleets: a layered service graph of any size, from a seed.

Used by the benchmarks and by generated incidents. The fleet is realistic in shape: a gateway
in front of tiers of services, each leaf tier backed by databases and caches, some services
publishing to queues drained by workers, and a few third-party dependencies.
"""

from __future__ import annotations

from typing import Any

from chaosgame.engine.rng import Streams
from chaosgame.scenario.model import Scenario


def fleet(size: int, seed: int = 1, tiers: int | None = None, journeys: int = 3) -> Scenario:
    """A scenario with about ``size`` components and no fault.

    ``tiers`` is the depth of the service call chain: by default 3 for fleets up to 50
    components and 6 above, as fleets grow deeper as they grow wider.
    """
    if tiers is None:
        tiers = 3 if size <= 50 else 6
    rng = Streams(seed).get("generate/topology")
    comps: list[dict[str, Any]] = [
        {
            "name": "edge",
            "kind": "gateway",
            "replicas": 8,
            "capacity": 5000.0,
            "service_time": 0.002,
        }
    ]
    deps: list[dict[str, Any]] = []
    budget = max(size - 1, tiers * 2)
    stores = max(budget // 6, 2)
    services = budget - stores
    per_tier = max(services // tiers, 1)
    tier_names: list[list[str]] = []
    count = 0
    for t in range(tiers):
        names: list[str] = []
        for _ in range(per_tier if t < tiers - 1 else services - count):
            name = f"svc-{t}-{len(names)}"
            comps.append(
                {
                    "name": name,
                    "kind": "service",
                    "replicas": rng.randint(2, 6),
                    "capacity": float(rng.choice([200, 400, 800, 1500])),
                    "service_time": round(rng.uniform(0.002, 0.03), 4),
                }
            )
            names.append(name)
            count += 1
        tier_names.append(names)
    for t in range(1, tiers):
        for name in tier_names[t]:
            for caller in rng.sample(tier_names[t - 1], k=min(2, len(tier_names[t - 1]))):
                deps.append(
                    {
                        "from": caller,
                        "to": name,
                        "calls": round(rng.uniform(0.05, 0.5), 3),
                        "timeout": 1.0,
                        "retries": {"count": rng.choice([0, 0, 1, 2])},
                    }
                )
    leaves = tier_names[-1]
    for s in range(stores):
        kind = rng.choice(["database", "database", "cache", "external"])
        name = f"{kind}-{s}"
        comps.append(
            {
                "name": name,
                "kind": kind,
                "replicas": 3,
                "capacity": 3000.0,
                "service_time": 0.004,
            }
        )
        for caller in rng.sample(leaves, k=min(3, len(leaves))):
            deps.append({"from": caller, "to": name, "calls": 0.5, "timeout": 0.5, "pool": 20})
    entries = tier_names[0]
    js = []
    for j in range(min(journeys, len(entries))):
        js.append({"name": f"journey-{j}", "entry": entries[j], "via": "edge", "rate": 200.0})
    data = {
        "id": f"fleet-{size}",
        "title": f"A generated fleet of {len(comps)} components",
        "topics": ["scalability-ha"],
        "seed": seed,
        "duration": 7200.0,
        "time_limit": 1800.0,
        "components": comps,
        "dependencies": deps,
        "journeys": js,
        "slos": [{"journey": j["name"], "target": 0.999} for j in js],
        "truth": {"root_cause": {"kind": "no-fault"}},
    }
    return Scenario.model_validate(data)
