"""One case per fault kind over the shared fleet: the fault, the signal it must degrade, the
mitigation that must recover it and one that must not.

Signals: ``("errors", journey)``, ``("latency", journey)``, ``("wrong", journey)`` read the
journey at its front; ``("comp", series, component)`` reads a component's history series.
``sign`` is +1 when the fault pushes the signal up, -1 when it pushes it down.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.engine.fleet import FLEET

DEPLOY_V2 = [
    {"at": -86400.0, "component": "api", "version": "v1"},
    {"at": 60.0, "component": "api", "version": "v2", "duration": 60.0},
]
AUTOSCALE = {"metric": "cpu", "target": 0.5, "min": 3, "max": 12, "delay": 30.0, "startup": 30.0}


@dataclass(frozen=True)
class Case:
    """How to show a fault kind's signature and its remedies."""

    fault: dict[str, Any]
    signal: tuple[str, ...]
    match: dict[str, Any]
    mismatch: dict[str, Any]
    sign: int = 1
    scenario: dict[str, Any] = field(default_factory=dict)
    context: list[dict[str, Any]] = field(default_factory=list)
    act: float = 360.0
    end: float = 900.0


def _f(kind: str, target: str, **params: Any) -> dict[str, Any]:
    return {"kind": kind, "target": target, "at": 60.0, **params}


def _m(action: str, target: str, **params: Any) -> dict[str, Any]:
    return {"action": action, "target": target, **params}


ERR = ("errors", "shop")
RESTART_API = _m("restart", "api")
V2 = {"deploys": DEPLOY_V2}
FLAG_ON = {
    "flags": [{"name": "new-path", "components": ["api"], "changes": [{"at": 60.0, "on": True}]}]
}
SLOW_CACHE = {"patch": {"cache": {"keyspace_reads": 400000.0}}}
RETRYING_GW = {
    "dependencies": [
        *FLEET["dependencies"],
        {"from": "gw", "to": "api", "timeout": 1.0, "retries": {"count": 3, "backoff": 0.05}},
    ]
}

CASES: dict[str, Case] = {
    # ----------------------------------------------------------- change-induced
    "bad-deploy": Case(
        _f("bad-deploy", "api", version="v2"), ERR, _m("rollback", "api"), RESTART_API, scenario=V2
    ),
    "latency-regression": Case(
        _f("latency-regression", "api", version="v2", factor=4.0),
        ERR,
        _m("rollback", "api"),
        RESTART_API,
        scenario=V2,
    ),
    "memory-leak": Case(
        _f("memory-leak", "api", version="v2", mb_per_1k_requests=15.0),
        ("comp", "memory", "api"),
        _m("rollback", "api"),
        _m("disable-retries", "api", to="db"),
        scenario=V2,
    ),
    "traffic-spike": Case(
        _f("traffic-spike", "api", journey="shop", factor=3.0),
        ERR,
        _m("scale", "api", replicas=10),
        RESTART_API,
    ),
    "dependency-outage": Case(
        _f("dependency-outage", "ext", error_rate=0.5),
        ERR,
        _m("switch-fallback", "api", to="ext"),
        RESTART_API,
    ),
    "cache-flush": Case(
        _f("cache-flush", "cache"),
        ("comp", "cache_hit", "cache"),
        _m("warm-cache", "cache"),
        _m("restart", "api"),
        sign=-1,
        scenario=SLOW_CACHE,
    ),
    "expensive-flag": Case(
        _f("expensive-flag", "api", flag="new-path", cpu_factor=6.0),
        ("comp", "latency", "api"),
        _m("toggle-flag", "new-path", on=False),
        _m("rollback", "api"),
        scenario=FLAG_ON,
    ),
    "bad-canary": Case(
        _f("bad-canary", "api", version="v2", weight=0.2, error_rate=0.8),
        ERR,
        _m("shift-traffic", "api", weight=0.0),
        _m("scale", "api", replicas=6),
    ),
    "version-skew": Case(
        _f("version-skew", "api", version="v2", duration=120.0),
        ERR,
        _m("rollback", "api"),
        RESTART_API,
    ),
    "blue-green-cold-cache": Case(
        _f("blue-green-cold-cache", "api", version="v2", cache="cache"),
        ("comp", "cache_hit", "cache"),
        _m("warm-cache", "cache"),
        RESTART_API,
        sign=-1,
        scenario=SLOW_CACHE,
    ),
    "bad-config": Case(
        _f("bad-config", "api"), ERR, _m("revert-config", "api"), _m("rollback", "api")
    ),
    "broken-flag": Case(
        _f("broken-flag", "api", flag="new-path", percentage=50.0),
        ERR,
        _m("toggle-flag", "new-path", on=False),
        RESTART_API,
    ),
    "dependency-upgrade": Case(
        _f("dependency-upgrade", "api", version="v2", to="ext"),
        ERR,
        _m("rollback", "api"),
        RESTART_API,
    ),
    # ----------------------------------------------------------- CI/CD
    "mutable-tag": Case(_f("mutable-tag", "api"), ERR, _m("rollback", "api"), RESTART_API),
    "skipped-validation": Case(
        _f("skipped-validation", "api", version="v2"),
        ("wrong", "shop"),
        _m("rollback", "api"),
        RESTART_API,
    ),
    "config-drift": Case(
        _f("config-drift", "api", to="db", timeout=0.004),
        ERR,
        _m("revert-config", "api"),
        _m("scale", "api", replicas=6),
    ),
    # ----------------------------------------------------------- infrastructure as code
    "iac-shrank-pool": Case(
        _f("iac-shrank-pool", "api", to="db", pool=1),
        ERR,
        _m("resize-pool", "api", to="db", size=10),
        RESTART_API,
        scenario={"patch": {"db": {"service_time": 0.08, "capacity": 600.0}}},
    ),
    "iac-removed-rule": Case(
        _f("iac-removed-rule", "api", to="ext"), ERR, _m("revert-config", "api"), RESTART_API
    ),
    "iac-overwrote-hotfix": Case(
        _f("iac-overwrote-hotfix", "api"),
        ("comp", "replicas", "api"),
        _m("raise-limit", "api", resource="memory"),
        RESTART_API,
        sign=-1,
    ),
    # ----------------------------------------------------------- containers, orchestration
    "oom-working-set": Case(
        _f("oom-working-set", "api"),
        ("comp", "replicas", "api"),
        _m("raise-limit", "api", resource="memory"),
        RESTART_API,
        sign=-1,
    ),
    "cpu-throttling": Case(
        _f("cpu-throttling", "api", cpu_limit=0.1),
        ERR,
        _m("raise-limit", "api", resource="cpu", factor=10.0),
        RESTART_API,
    ),
    "image-pull-failure": Case(
        _f("image-pull-failure", "api", version="v2"),
        ("comp", "replicas", "api"),
        _m("rollback", "api"),
        RESTART_API,
        sign=-1,
    ),
    "cluster-full": Case(
        _f("cluster-full", "api"),
        ("comp", "replicas", "api"),
        _m("add-nodes", "prod", count=4),
        RESTART_API,
        sign=-1,
        scenario={"patch": {"api": {"autoscaling": AUTOSCALE}}},
        context=[_f("traffic-spike", "api", journey="shop", factor=3.0)],
    ),
    "strict-liveness-probe": Case(
        _f("strict-liveness-probe", "api", timeout=0.015),
        ("comp", "replicas", "api"),
        _m("revert-config", "api"),
        _m("scale", "api", replicas=6),
        sign=-1,
    ),
    "readiness-never-passes": Case(
        _f("readiness-never-passes", "api", version="v2"),
        ("comp", "replicas", "api"),
        _m("rollback", "api"),
        RESTART_API,
        sign=-1,
    ),
    "autoscaler-capped": Case(
        _f("autoscaler-capped", "api", journey="shop", max_replicas=3),
        ERR,
        _m("set-autoscaler-max", "api", max_replicas=12),
        RESTART_API,
        scenario={"patch": {"api": {"autoscaling": AUTOSCALE, "capacity": 30.0}}},
    ),
    "autoscaler-wrong-metric": Case(
        _f("autoscaler-wrong-metric", "api"),
        ("comp", "replicas", "api"),
        _m("revert-config", "api"),
        _m("scale", "api", replicas=3),
        scenario={"patch": {"api": {"autoscaling": AUTOSCALE}}},
    ),
    "stale-dns": Case(_f("stale-dns", "ext"), ERR, RESTART_API, _m("scale", "api", replicas=6)),
    "node-failure": Case(
        _f("node-failure", "api", eviction=1800.0),
        ("comp", "replicas", "api"),
        _m("drain-node", "prod"),
        RESTART_API,
        sign=-1,
    ),
    # ----------------------------------------------------------- databases
    "migration-lock": Case(
        _f("migration-lock", "db"), ERR, _m("pause-job", "db"), _m("scale", "api", replicas=6)
    ),
    "backfill-saturation": Case(
        _f("backfill-saturation", "db"), ERR, _m("pause-job", "db"), _m("scale", "api", replicas=6)
    ),
    "incompatible-schema": Case(
        _f("incompatible-schema", "api", reads_with="v2", database="db"),
        ERR,
        _m("complete-rollout", "api"),
        _m("rollback", "api"),
        scenario={"deploys": [DEPLOY_V2[0], {**DEPLOY_V2[1], "duration": 1200.0}]},
    ),
    "slow-query-plan": Case(
        _f("slow-query-plan", "db"), ERR, _m("kill-query", "db"), _m("scale", "api", replicas=6)
    ),
    "pool-exhaustion": Case(
        _f("pool-exhaustion", "api", to="db", leak_per_1k=6.0, when={"version": "v2"}),
        ERR,
        _m("rollback", "api"),
        _m("scale", "db", replicas=3),
        scenario=V2,
    ),
    "replication-lag": Case(
        _f("replication-lag", "replica"),
        ("wrong", "shop"),
        _m("kill-query", "replica"),
        RESTART_API,
    ),
    "hot-shard": Case(
        _f("hot-shard", "db"),
        ERR,
        _m("split-shard", "db"),
        _m("scale", "db", replicas=8),
        end=1500.0,
        scenario={"patch": {"db": {"replicas": 4, "capacity": 25.0}}},
    ),
    "disk-full": Case(
        _f("disk-full", "db", gb_per_hour=600.0),
        ERR,
        _m("raise-limit", "db", resource="disk"),
        RESTART_API,
    ),
    "database-crash": Case(_f("database-crash", "db"), ERR, _m("failover-db", "db"), RESTART_API),
    # ----------------------------------------------------------- load and dynamics
    "retry-storm": Case(
        _f("retry-storm", "api", to="db"),
        ERR,
        _m("disable-retries", "api", to="db"),
        _m("rollback", "api"),
        scenario={"patch": {"db": {"capacity": 70.0}}},
    ),
    "cache-stampede": Case(
        _f("cache-stampede", "cache", ttl=120.0),
        ("comp", "cache_hit", "cache"),
        _m("warm-cache", "cache"),
        RESTART_API,
        sign=-1,
        scenario=SLOW_CACHE,
    ),
    "thundering-herd": Case(
        _f("thundering-herd", "api"),
        ("comp", "throttle", "api"),
        _m("shed-load", "api", fraction=0.6),
        RESTART_API,
    ),
    "poison-message": Case(
        _f("poison-message", "queue"),
        ("comp", "backlog", "queue"),
        _m("dead-letter", "queue"),
        _m("scale", "worker", replicas=4),
    ),
    "queue-backlog": Case(
        _f("queue-backlog", "worker"),
        ("comp", "backlog", "queue"),
        _m("scale", "worker", replicas=10),
        _m("restart", "worker"),
    ),
    "request-starvation": Case(
        _f("request-starvation", "api", journey="report", factor=3.0),
        ERR,
        _m("rate-limit", "gw", journey="report", fraction=0.9),
        RESTART_API,
    ),
    "metastable-overload": Case(
        _f("metastable-overload", "api", journey="shop"),
        ERR,
        _m("disable-retries", "gw", to="api"),
        _m("scale", "db", replicas=2),
        scenario={**RETRYING_GW, "patch": {"api": {"capacity": 28.0}}},
    ),
    # ----------------------------------------------------------- network and regions
    "network-latency": Case(
        _f("network-latency", "api", region="us"),
        ("latency", "shop"),
        _m("failover-region", "us", to="eu"),
        RESTART_API,
    ),
    "packet-loss": Case(
        _f("packet-loss", "api", region="us"),
        ERR,
        _m("failover-region", "us", to="eu"),
        RESTART_API,
    ),
    "region-partition": Case(
        _f("region-partition", "api", region="us"),
        ERR,
        _m("failover-region", "us", to="eu"),
        RESTART_API,
    ),
    "stale-failover": Case(
        _f("stale-failover", "db"), ("wrong", "shop"), _m("failover-db", "db"), RESTART_API
    ),
    "split-brain": Case(
        _f("split-brain", "db"), ("wrong", "shop"), _m("failover-db", "db"), RESTART_API
    ),
    # ----------------------------------------------------------- resources and time
    "fd-exhaustion": Case(
        _f("fd-exhaustion", "api", per_1k_requests=20000.0, when={"version": "v2"}),
        ERR,
        _m("rollback", "api"),
        _m("scale", "api", replicas=6),
        scenario=V2,
    ),
    "clock-skew": Case(_f("clock-skew", "api"), ERR, _m("drain-node", "prod"), RESTART_API),
    "gc-pauses": Case(
        _f("gc-pauses", "api"),
        ("comp", "latency", "api"),
        _m("raise-limit", "api", resource="memory"),
        RESTART_API,
    ),
    # ----------------------------------------------------------- security
    "cert-expired": Case(_f("cert-expired", "ext"), ERR, _m("renew-cert", "ext"), RESTART_API),
    "secret-not-reloaded": Case(
        _f("secret-not-reloaded", "api", to="db"),
        ERR,
        _m("reload-secret", "api"),
        _m("scale", "db", replicas=2),
    ),
    "credential-stuffing": Case(
        _f("credential-stuffing", "api", journey="login", factor=9.0),
        ERR,
        _m("block-client", "gw", client="203.0.113.0/24"),
        RESTART_API,
    ),
    "waf-blocks-users": Case(
        _f("waf-blocks-users", "gw", journey="shop"),
        ERR,
        _m("revert-config", "gw"),
        _m("restart", "gw"),
    ),
    "revoked-access": Case(
        _f("revoked-access", "api", to="db"), ERR, _m("revert-config", "api"), RESTART_API
    ),
    # ----------------------------------------------------------- third parties
    "third-party-slow": Case(
        _f("third-party-slow", "ext"),
        ("latency", "shop"),
        _m("switch-fallback", "api", to="ext"),
        _m("scale", "api", replicas=6),
    ),
    "third-party-rate-limit": Case(
        _f("third-party-rate-limit", "ext"),
        ERR,
        _m("raise-quota", "ext", factor=3.0),
        _m("scale", "api", replicas=6),
        end=1500.0,
    ),
}
"""Every fault kind but ``no-fault`` (which has its own test: nothing is broken)."""
