"""A generated fleet: an archetype's core cut to the journeys kept, grown to a size, spread
over regions, with capacities sized to the traffic it carries.

:func:`build_system` returns a :class:`System`, plain data (the dictionaries a scenario file
holds) with the questions recipes ask of it: who calls whom, which journeys reach a component,
which stores a service uses. Recipes may edit the dictionaries (a pool on an edge, a limit on
a component); :meth:`System.data` gives the scenario fields.
"""

from __future__ import annotations

import math
import random
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from chaosgame.generate.archetypes import Archetype

FEATURES = frozenset(
    {"cache", "queue", "external", "database", "replica", "regions", "autoscaling", "tenants"}
)
"""What a recipe may ask the fleet to have (``needs``)."""

REGIONS = ("us-east", "eu-west", "ap-south", "us-west", "eu-central", "ap-northeast")
SHORT = {
    "us-east": "use",
    "eu-west": "euw",
    "ap-south": "aps",
    "us-west": "usw",
    "eu-central": "euc",
    "ap-northeast": "apn",
}
LATENCY_MS = {
    frozenset(p): ms
    for p, ms in [
        (("us-east", "eu-west"), 38.0),
        (("us-east", "ap-south"), 110.0),
        (("us-east", "us-west"), 32.0),
        (("us-east", "eu-central"), 45.0),
        (("us-east", "ap-northeast"), 80.0),
        (("eu-west", "ap-south"), 75.0),
        (("eu-west", "us-west"), 70.0),
        (("eu-west", "eu-central"), 12.0),
        (("eu-west", "ap-northeast"), 110.0),
        (("ap-south", "us-west"), 120.0),
        (("ap-south", "eu-central"), 70.0),
        (("ap-south", "ap-northeast"), 60.0),
        (("us-west", "eu-central"), 75.0),
        (("us-west", "ap-northeast"), 55.0),
        (("eu-central", "ap-northeast"), 115.0),
    ]
}
OBSERVABILITY = (
    ("metrics", "metrics_store"),
    ("logs", "log_pipeline"),
    ("tracing", "trace_collector"),
    ("pager", "pager"),
)
WORKLOAD = ("gateway", "service", "worker")
GATEWAYS = ("edge", "api-gw", "ingress", "lb", "gateway", "front-door")
PROVIDERS = (
    "sms-gateway",
    "email-api",
    "address-lookup",
    "fraud-score-api",
    "currency-api",
    "push-notifications",
    "geo-ip-api",
    "captcha-api",
    "tax-rates-api",
    "analytics-collector",
    "image-cdn-api",
    "translation-api",
    "identity-verification",
    "search-saas",
)
"""Third parties a bigger fleet also calls (beyond its archetype's own)."""
NODE_CPU = 8.0
RETRY_HIDES = 0.5
"""What one retry leaves of a partial failure, in :meth:`System.exposure`."""
IDLE_PATH = 1.0
"""The most seconds a journey's request spends in its services on an idle fleet: a bigger
fleet grows wider, not slower, so its latency SLO (2 s) holds on a normal day."""
IDLE_HOP = 0.0005
"""Network time of one call inside a region (the engine's)."""
CLUSTER_COMPONENTS = 150
"""A region's components are split over clusters of at most this many."""


class NoFit(Exception):
    """The fleet cannot host what a recipe needs (the builder tries another)."""


@dataclass
class System:
    """A generated fleet as scenario data, with the lookups recipes need."""

    archetype: Archetype
    home: str
    regions: list[str]
    components: dict[str, dict[str, Any]]
    deps: list[dict[str, Any]]
    journeys: list[dict[str, Any]]
    tenants: list[dict[str, Any]] = field(default_factory=list)
    clusters: list[dict[str, Any]] = field(default_factory=list)
    slos: list[dict[str, Any]] = field(default_factory=list)
    flags: list[dict[str, Any]] = field(default_factory=list)
    gateways: dict[str, str] = field(default_factory=dict)
    """The gateway of each region."""

    # ------------------------------------------------------------- lookups

    def kind(self, name: str) -> str:
        return str(self.components[name]["kind"])

    def of_kind(self, *kinds: str) -> list[str]:
        return [n for n, c in self.components.items() if c["kind"] in kinds]

    def dep(self, source: str, to: str) -> dict[str, Any] | None:
        for d in self.deps:
            if d["from"] == source and d["to"] == to:
                return d
        return None

    def callees(self, name: str, sync: bool = True) -> list[str]:
        return [
            d["to"]
            for d in self.deps
            if d["from"] == name and (not sync or d.get("mode", "sync") == "sync")
        ]

    def callers(self, name: str, sync: bool = True) -> list[str]:
        return [
            d["from"]
            for d in self.deps
            if d["to"] == name and (not sync or d.get("mode", "sync") == "sync")
        ]

    def required_callers(self, name: str) -> list[str]:
        return [
            d["from"]
            for d in self.deps
            if d["to"] == name and d.get("mode", "sync") == "sync" and d.get("required", True)
        ]

    def reach(self, journey: dict[str, Any], required: bool = True) -> list[str]:
        """The components a journey's requests go through (required sync calls only by
        default), in the order met, the entry first (the gateway is not included)."""
        seen = [journey["entry"]]
        todo = deque(seen)
        outgoing = _outgoing(self)
        while todo:
            name = todo.popleft()
            for d in outgoing.get(name, ()):
                if d["to"] in seen or d.get("mode", "sync") != "sync":
                    continue
                if required and not d.get("required", True):
                    continue
                if d.get("journeys") and journey["name"] not in d["journeys"]:
                    continue
                seen.append(d["to"])
                todo.append(d["to"])
        return seen

    def journeys_through(self, name: str, required: bool = True) -> list[dict[str, Any]]:
        """The journeys whose requests need ``name`` (those an outage of it hurts)."""
        return [j for j in self.journeys if name in self.reach(j, required)]

    def on_journeys(self, *kinds: str, exposed: float = 0.15, entries: bool = False) -> list[str]:
        """Components of these kinds that some journey's requests need, in a stable order:
        those at least ``exposed`` of one journey's requests reach (so a fault in them hurts
        that journey clearly; 0 for all). Journeys' entry services only with ``entries`` or
        when there is nothing deeper: a cause in the service the page names needs no
        investigation."""
        out: list[str] = []
        for j in self.journeys:
            for name in self.reach(j):
                if name not in out and self.kind(name) in kinds:
                    out.append(name)
        if exposed > 0:
            exposure = self.exposures()
            out = [n for n in out if exposure.get(n, 0.0) >= exposed]
        if not entries:
            front = {j["entry"] for j in self.journeys}
            deeper = [n for n in out if n not in front]
            out = deeper or out
        return out

    def exposure(self, name: str) -> float:
        """How much of a partial failure of ``name`` one journey's requests feel: the most
        calls to it one journey request makes over required synchronous calls (1 for an
        entry; a call made by half the requests gives 0.5), each retried call counting
        half per retry. A retry hides most of a partial failure (two tries of a call that
        fails half the time both fail a quarter of the time), so a cause behind retries at
        several levels barely reaches users."""
        return self.exposures().get(name, 0.0)

    def exposures(self) -> dict[str, float]:
        """:meth:`exposure` of every component."""
        best: dict[str, float] = {}
        outgoing = _outgoing(self)
        order = _topological(self)
        for j in self.journeys:
            per = {j["entry"]: 1.0}
            for node in order:
                v = per.get(node, 0.0)
                if v <= 0:
                    continue
                for d in outgoing.get(node, ()):
                    if d.get("mode", "sync") != "sync" or not d.get("required", True):
                        continue
                    if d.get("journeys") and j["name"] not in d["journeys"]:
                        continue
                    tries = int((d.get("retries") or {}).get("count", 0))
                    weight = float(d.get("calls", 1.0)) * RETRY_HIDES**tries
                    per[d["to"]] = per.get(d["to"], 0.0) + v * weight
            for node, v in per.items():
                best[node] = max(best.get(node, 0.0), v)
        return best

    def region_of(self, name: str) -> str:
        comp = self.components[name]
        if comp.get("region"):
            return str(comp["region"])
        for c in self.clusters:
            if c["name"] == comp.get("cluster"):
                return str(c["region"])
        return self.home

    def cluster_of(self, name: str) -> str | None:
        c = self.components[name].get("cluster")
        return str(c) if c else None

    def journey(self, name: str) -> dict[str, Any]:
        return next(j for j in self.journeys if j["name"] == name)

    def pick(self, rng: random.Random, names: list[str]) -> str:
        if not names:
            raise NoFit("nothing to pick")
        return names[rng.randrange(len(names))]

    def data(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        out["regions"] = [
            {
                "name": r,
                "latency_ms": {o: LATENCY_MS[frozenset((r, o))] for o in self.regions if o != r},
            }
            for r in self.regions
        ]
        out["clusters"] = self.clusters
        out["components"] = list(self.components.values())
        out["dependencies"] = self.deps
        out["journeys"] = self.journeys
        if self.tenants:
            out["tenants"] = self.tenants
        out["slos"] = self.slos
        return out


# ------------------------------------------------------------------ building


def _version(rng: random.Random) -> str:
    return f"v{rng.randint(1, 40)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"


def _component(name: str, kind: str, rng: random.Random) -> dict[str, Any]:
    comp: dict[str, Any] = {"name": name, "kind": kind}
    if kind in ("service", "worker"):
        comp["replicas"] = rng.choice([2, 3, 3, 4, 4, 6])
        comp["service_time"] = round(rng.choice([0.008, 0.012, 0.02, 0.03, 0.04]), 3)
        comp["version"] = _version(rng)
    elif kind == "gateway":
        comp["replicas"] = 3
        comp["service_time"] = 0.002
    elif kind == "database":
        comp["replicas"] = rng.choice([1, 2, 3])
        comp["service_time"] = rng.choice([0.003, 0.004, 0.005, 0.006])
        comp["write_fraction"] = rng.choice([0.1, 0.2, 0.3])
    elif kind == "cache":
        comp["replicas"] = 3
        comp["service_time"] = 0.001
        comp["hit_ratio"] = rng.choice([0.85, 0.9, 0.95])
    elif kind == "queue":
        comp["replicas"] = 3
        comp["service_time"] = 0.002
        comp["disk_gb"] = 200.0
        comp["disk_used_gb"] = float(rng.randint(5, 40))
    elif kind == "external":
        comp["replicas"] = 1
        comp["service_time"] = rng.choice([0.05, 0.08, 0.12, 0.15])
        comp["capacity"] = 5000.0
    elif kind == "dns":
        comp["replicas"] = 2
        comp["service_time"] = 0.001
        comp["capacity"] = 5000.0
    else:
        comp["replicas"] = 2 if kind != "trace_collector" else 1
    return comp


def _closure(arch: Archetype, entries: list[str]) -> list[str]:
    """The components reached from ``entries`` over every kind of call, in order met."""
    edges = arch.edges()
    seen = list(dict.fromkeys(entries))
    todo = deque(seen)
    while todo:
        name = todo.popleft()
        for src, dst, _ in edges:
            if src == name and dst not in seen:
                seen.append(dst)
                todo.append(dst)
    return seen


def _features(arch: Archetype, names: list[str]) -> set[str]:
    kinds = {arch.kind_of(n) for n in names}
    out = set()
    for k, feature in (
        ("cache", "cache"),
        ("queue", "queue"),
        ("external", "external"),
        ("database", "database"),
    ):
        if k in kinds:
            out.add(feature)
    if "database" in kinds:
        out.add("replica")
    return out


def choose_journeys(
    arch: Archetype, size: int, needs: frozenset[str], rng: random.Random
) -> list[int]:
    """Indexes of the journeys kept: enough to host ``needs``, as many as ``size`` allows."""
    order = list(range(len(arch.journeys)))
    rng.shuffle(order)
    kept: list[int] = []

    def names(idx: list[int]) -> list[str]:
        return _closure(arch, [arch.journeys[i].entry for i in idx])

    for need in sorted(needs & {"cache", "queue", "external", "database", "replica"}):
        if need in _features(arch, names(kept)):
            continue
        for i in order:
            if i not in kept and need in _features(arch, names([*kept, i])):
                kept.append(i)
                break
        else:
            raise NoFit(f"the {arch.title} has no {need}")
    if not kept:
        kept.append(order[0])
    for i in order:
        if i not in kept and len(names([*kept, i])) + 2 <= size:
            kept.append(i)
    return sorted(kept)


def build_system(
    arch: Archetype,
    size: int,
    regions: int,
    needs: frozenset[str],
    rng: random.Random,
) -> System:
    """A fleet of about ``size`` components of the ``arch`` kind over ``regions`` regions."""
    if "regions" in needs:
        regions = max(regions, 2)
    arch = arch.renamed(rng)
    keep = choose_journeys(arch, size, needs, rng)
    journeys_kept = [arch.journeys[i] for i in keep]
    core = _closure(arch, [j.entry for j in journeys_kept])
    region_names = (
        [REGIONS[0], *rng.sample(REGIONS[1:], regions - 1)]
        if regions > 1
        else [rng.choice(REGIONS)]
    )
    home = region_names[0]
    comps: dict[str, dict[str, Any]] = {}
    front = rng.choice(GATEWAYS)
    gw = front if regions == 1 else f"{front}-{SHORT[home]}"
    comps[gw] = _component(gw, "gateway", rng)
    comps[gw]["team"] = "platform"
    for name in core:
        comps[name] = _component(name, arch.kind_of(name), rng)
        team = arch.teams.get(name)
        if team:
            comps[name]["team"] = team
    deps: list[dict[str, Any]] = []
    for src, dst, mode in arch.edges():
        if src in comps and dst in comps:
            d: dict[str, Any] = {"from": src, "to": dst}
            if mode == "async":
                d["mode"] = "async"
            elif mode == "optional":
                d["required"] = False
                d["calls"] = 0.5
            deps.append(d)
    journeys = [
        {"name": j.name, "entry": j.entry, "via": gw, "rate": j.rate} for j in journeys_kept
    ]
    small = size < 12
    infra = 0 if small else 1 + len(OBSERVABILITY)
    # grow: services of the archetype's kind, each called by one already there
    pad_words = list(arch.pad)
    rng.shuffle(pad_words)
    callers = [n for n in comps if comps[n]["kind"] == "service"]
    providers = [p for p in PROVIDERS if p not in comps]
    rng.shuffle(providers)
    budget = size - len(comps) - infra - (regions - 1) * (1 + len(journeys))
    serial = 0
    idle = _IdlePaths(comps, deps, journeys, callers)
    while budget > 0:
        word = pad_words[serial % len(pad_words)]
        rank = serial // len(pad_words)
        serial += 1
        name = word if rank == 0 else f"{word}-{rank + 1}"
        if name in comps:
            continue
        comps[name] = _component(name, "service", rng)
        comps[name]["team"] = word.split("-")[0]
        caller = rng.choice(callers)
        call: dict[str, Any] = {
            "from": caller,
            "to": name,
            "calls": rng.choice([0.2, 0.3, 0.5, 1.0]),
        }
        if rng.random() < 0.4:  # an optional feature: a failure degrades the page
            call["required"] = False
        deps.append(call)
        start = len(deps)
        budget -= 1
        if budget > 0 and rng.random() < 0.45:
            store = f"{name}-db" if rng.random() < 0.7 else f"{name}-cache"
            comps[store] = _component(store, arch.kind_of(store), rng)
            deps.append({"from": name, "to": store})
            budget -= 1
        if budget > 0 and providers and rng.random() < 0.12:
            provider = providers.pop()
            comps[provider] = _component(provider, "external", rng)
            deps.append({"from": name, "to": provider})
            budget -= 1
        # a journey's requests would wait too long on an idle fleet: another team calls it
        cost = idle.cost(name, float(call["calls"]), deps[start:])
        if not idle.fits(caller, cost):
            fits = idle.room(cost)
            call["from"] = rng.choice(fits) if fits else idle.lightest()
        idle.add(call["from"], name, float(call["calls"]), cost)  # and a possible caller
    if not small:
        comps["dns"] = _component("dns", "dns", rng)
        for entry in dict.fromkeys(j["entry"] for j in journeys):
            deps.append({"from": entry, "to": "dns", "calls": 0.02})
        for name, kind in OBSERVABILITY:
            comps[name] = _component(name, kind, rng)
    system = System(
        archetype=arch,
        home=home,
        regions=region_names,
        components=comps,
        deps=deps,
        journeys=journeys,
        gateways={home: gw},
    )
    if "replica" in needs or (regions > 1) or rng.random() < 0.3:
        _add_replica(system, rng)
    for other in region_names[1:]:
        _add_region(system, other, rng)
    if "tenants" in needs or rng.random() < 0.5:
        system.tenants = _tenants(arch, rng)
    if "autoscaling" in needs or rng.random() < 0.3:
        svc = rng.choice(system.on_journeys("service"))
        system.components[svc]["autoscaling"] = {
            "metric": "cpu",
            "target": 0.6,
            "min": system.components[svc]["replicas"],
            "max": system.components[svc]["replicas"] * 3,
        }
    _size_capacity(system, rng)
    _clusters(system)
    _timeouts(system, rng)
    _slos(system, rng)
    return system


class _IdlePaths:
    """What each journey's request spends in its services on an idle fleet while the fleet
    grows (service times over every synchronous call it makes, as the engine adds them up):
    a grown service is called from where that stays within :data:`IDLE_PATH`.

    ``callers`` are the services a grown one may be called from, in order; each new one is
    appended to it by :meth:`add`. Row ``i`` of the weights is ``callers[i]``'s calls per
    request of each journey."""

    def __init__(
        self,
        comps: dict[str, dict[str, Any]],
        deps: list[dict[str, Any]],
        journeys: list[dict[str, Any]],
        callers: list[str],
    ) -> None:
        self.comps, self.callers = comps, callers
        weights: list[dict[str, float]] = []
        out: dict[str, list[dict[str, Any]]] = {}
        for d in deps:
            out.setdefault(d["from"], []).append(d)
        for j in journeys:
            w: dict[str, float] = {}
            todo = [(j["entry"], 1.0)]
            while todo:  # the core is a small graph without cycles
                name, calls = todo.pop()
                w[name] = w.get(name, 0.0) + calls
                comp = comps[name]
                miss = 1.0 - float(comp.get("hit_ratio", 0.9)) if comp["kind"] == "cache" else 1.0
                for d in out.get(name, ()):
                    if d.get("mode", "sync") == "sync":
                        todo.append((d["to"], calls * float(d.get("calls", 1.0)) * miss))
            weights.append(w)
        self.spent = np.array(
            [
                sum(v * (float(comps[n].get("service_time", 0.0)) + IDLE_HOP) for n, v in w.items())
                for w in weights
            ]
        )
        self.rows = {c: i for i, c in enumerate(callers)}
        self.weight = np.zeros((max(len(comps) * 4, 16), len(journeys)))
        for i, c in enumerate(callers):
            self.weight[i] = [w.get(c, 0.0) for w in weights]

    def cost(self, name: str, calls: float, own: list[dict[str, Any]]) -> float:
        """Seconds one call to a new service ``name`` costs a request, with ``own``, the
        calls it makes (to its store and provider, which call nothing)."""
        spent = float(self.comps[name].get("service_time", 0.0))
        for d in own:
            to = self.comps[d["to"]]
            spent += float(d.get("calls", 1.0)) * (float(to.get("service_time", 0.0)) + IDLE_HOP)
        return calls * (spent + IDLE_HOP)

    def _most(self, cost: float) -> NDArray[np.float64]:
        """The heaviest weight a caller may have in each journey for a call costing ``cost``."""
        return (IDLE_PATH - self.spent) / max(cost, 1e-12)

    def fits(self, caller: str, cost: float) -> bool:
        return bool((self.weight[self.rows[caller]] <= self._most(cost)).all())

    def room(self, cost: float) -> list[str]:
        """The callers a call costing ``cost`` fits under, in order."""
        n = len(self.callers)
        ok = (self.weight[:n] <= self._most(cost)).all(axis=1)
        return [self.callers[i] for i in np.flatnonzero(ok)]

    def lightest(self) -> str:
        n = len(self.callers)
        return self.callers[int(np.argmin(self.weight[:n].max(axis=1, initial=0.0)))]

    def add(self, caller: str, name: str, calls: float, cost: float) -> None:
        """``caller`` now makes ``calls`` calls per request to a new caller ``name``, which
        costs a request ``cost`` seconds."""
        share = self.weight[self.rows[caller]]
        self.spent += share * cost
        row = len(self.callers)
        if row >= len(self.weight):
            self.weight = np.concatenate([self.weight, np.zeros_like(self.weight)])
        self.weight[row] = share * calls
        self.rows[name] = row
        self.callers.append(name)


def _add_replica(system: System, rng: random.Random) -> None:
    """A read replica of a database some journey reads; half its callers' reads go there."""
    dbs = [d for d in system.on_journeys("database") if not system.components[d].get("replica_of")]
    if not dbs:
        raise NoFit("no database to replicate")
    primary = dbs[0] if len(dbs) == 1 else rng.choice(dbs)
    other = system.regions[1] if len(system.regions) > 1 else system.home
    name = f"{primary}-replica" if other == system.home else f"{primary}-{SHORT[other]}"
    comp = _component(name, "database", rng)
    comp.update(
        {
            "replica_of": primary,
            "write_fraction": 0.0,
            "replicas": 1,
            "region": other,
            "apply_rate": 0.0,  # sized with the capacities
        }
    )
    system.components[name] = comp
    system.components[primary]["region"] = system.home
    for caller in system.callers(primary):
        if system.kind(caller) != "cache":
            system.deps.append({"from": caller, "to": name, "calls": 0.5})
            break
    else:
        raise NoFit("nothing reads the database")


def _add_region(system: System, region: str, rng: random.Random) -> None:
    """A second front: a gateway and a copy of every journey's entry service in ``region``,
    calling the home region's services (across the regions' link) and a local replica."""
    short = SHORT[region]
    front = system.gateways[system.home]
    front = front[: -len(SHORT[system.home]) - 1] if len(system.regions) > 1 else front
    gw = f"{front}-{short}"
    system.components[gw] = {**_component(gw, "gateway", rng), "team": "platform"}
    system.gateways[region] = gw
    replicas = {
        c["replica_of"]: n
        for n, c in system.components.items()
        if c.get("replica_of") and c.get("region") == region
    }
    for j in list(system.journeys):
        if j["via"] != system.gateways[system.home]:
            continue
        entry = j["entry"]
        clone = f"{entry}-{short}"
        if clone not in system.components:
            comp = dict(system.components[entry])
            comp["name"] = clone
            comp["region"] = region
            system.components[clone] = comp
            for d in [d for d in system.deps if d["from"] == entry]:
                to = replicas.get(d["to"], d["to"])
                system.deps.append({**d, "from": clone, "to": to})
        share = rng.choice([0.3, 0.4, 0.5])
        rate = j["rate"]
        j["rate"] = round(rate * (1 - share), 1)
        system.journeys.append(
            {
                "name": f"{j['name']}-{short}",
                "entry": clone,
                "via": gw,
                "rate": round(rate * share, 1),
            }
        )


def _tenants(arch: Archetype, rng: random.Random) -> list[dict[str, Any]]:
    names = {
        "payments": ["enterprise", "smb", "marketplaces"],
        "saas": ["enterprise", "teams", "free"],
        "pipeline": ["internal", "customers"],
    }.get(arch.key, ["web", "app"])
    shares = [rng.uniform(0.2, 1.0) for _ in names]
    total = sum(shares)
    parts = [round(s / total, 2) for s in shares]
    parts[-1] = round(1.0 - sum(parts[:-1]), 2)
    return [{"name": n, "share": p} for n, p in zip(names, parts, strict=True)]


def loads(system: System) -> dict[str, float]:
    """Requests per second each component serves on a normal day (calls multiply, caches
    pass their misses on, asynchronous consumers drain what is published)."""
    load = {n: 0.0 for n in system.components}
    order = _topological(system)
    out = _outgoing(system)
    for j in system.journeys:
        per = {n: 0.0 for n in system.components}
        per[j["entry"]] = j["rate"]
        if j.get("via"):
            load[j["via"]] += j["rate"]
        for name in order:
            if per[name] <= 0:
                continue
            hit = system.components[name].get("hit_ratio", 0.9)
            for d in out.get(name, ()):
                if d.get("journeys") and j["name"] not in d["journeys"]:
                    continue
                calls = float(d.get("calls", 1.0))
                if system.kind(name) == "cache":
                    calls *= 1.0 - hit
                per[d["to"]] += per[name] * calls
        for n, v in per.items():
            load[n] += v
    return load


def _outgoing(system: System) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for d in system.deps:
        out.setdefault(d["from"], []).append(d)
    return out


def _topological(system: System) -> list[str]:
    indeg = {n: 0 for n in system.components}
    for d in system.deps:
        indeg[d["to"]] += 1
    todo = deque(n for n, k in indeg.items() if k == 0)
    out = []
    outgoing = _outgoing(system)
    while todo:
        n = todo.popleft()
        out.append(n)
        for d in outgoing.get(n, ()):
            indeg[d["to"]] -= 1
            if indeg[d["to"]] == 0:
                todo.append(d["to"])
    if len(out) != len(system.components):
        raise NoFit("the call graph has a cycle")
    return out


def _nice(x: float) -> float:
    """Round up to two significant figures."""
    if x <= 0:
        return 10.0
    mag = 10 ** math.floor(math.log10(x) - 1)
    return float(math.ceil(x / mag) * mag)


def _size_capacity(system: System, rng: random.Random) -> None:
    load = loads(system)
    for name, comp in system.components.items():
        kind = comp["kind"]
        if kind in ("metrics_store", "log_pipeline", "trace_collector", "pager"):
            continue
        if kind in ("external", "dns"):
            comp["capacity"] = max(comp.get("capacity", 0.0), _nice(load[name] * 4 + 50))
            continue
        util = {
            "gateway": 0.25,
            "service": rng.uniform(0.3, 0.45),
            "worker": rng.uniform(0.3, 0.45),
            "database": rng.uniform(0.25, 0.4),
            "cache": 0.2,
            "queue": 0.2,
        }[kind]
        if kind in ("service", "worker") and load[name] / util < comp["replicas"] * 10.0:
            comp["replicas"] = 2  # a quiet service runs the minimum for redundancy
            if comp.get("autoscaling"):
                comp["autoscaling"]["min"] = 2
                comp["autoscaling"]["max"] = 6
        per = load[name] / max(comp["replicas"], 1) / util
        comp["capacity"] = _nice(max(per, 1.0))
        if kind == "database":
            pools = 0
            for d in system.deps:
                if d["to"] == name and system.kind(d["from"]) in WORKLOAD:
                    d["pool"] = rng.choice([10, 15, 20])
                    pools += d["pool"] * system.components[d["from"]]["replicas"] * 3
            comp["max_connections"] = max(100, int(_nice(pools * 1.5)))
            if comp.get("replica_of"):
                primary = load[comp["replica_of"]]
                writes = primary * system.components[comp["replica_of"]].get("write_fraction", 0.1)
                comp["apply_rate"] = _nice(max(writes * 3.0, 20.0))


def _clusters(system: System) -> None:
    clusters: list[dict[str, Any]] = []
    for region in system.regions:
        members = [
            n
            for n, c in system.components.items()
            if c["kind"] in (*WORKLOAD, "database", "cache", "queue")
            and (c.get("region") or system.home) == region
        ]
        if not members:
            continue
        groups = [
            members[i : i + CLUSTER_COMPONENTS] for i in range(0, len(members), CLUSTER_COMPONENTS)
        ]
        for k, group in enumerate(groups):
            cname = f"{SHORT[region]}-{k + 1}"
            cpu = sum(
                system.components[n]["replicas"] * system.components[n].get("cpu_limit", 1.0)
                for n in group
            )
            extra = sum(
                (system.components[n].get("autoscaling") or {}).get("max", 0) for n in group
            )
            nodes = int(math.ceil((cpu + extra) * 1.5 / NODE_CPU)) + 1
            clusters.append(
                {"name": cname, "region": region, "nodes": nodes, "cpu_per_node": NODE_CPU}
            )
            for n in group:
                system.components[n]["cluster"] = cname
                system.components[n].pop("region", None)
    system.clusters = clusters


def _timeouts(system: System, rng: random.Random) -> None:
    """A timeout per call, longer the deeper the callee's own calls go."""
    depth: dict[str, int] = {}
    outgoing = _outgoing(system)
    for name in reversed(_topological(system)):
        below = [depth[d["to"]] for d in outgoing.get(name, ())]
        depth[name] = 1 + max(below, default=0)
    for d in system.deps:
        if d.get("mode") == "async":
            continue
        kind = system.kind(d["to"])
        base = {"cache": 0.1, "dns": 0.2, "external": 2.0, "database": 0.5}.get(kind, 1.0)
        timeout = base * (1 + 0.5 * (depth[d["to"]] - 1))
        a, b = system.region_of(d["from"]), system.region_of(d["to"])
        if a != b:
            timeout += 4 * LATENCY_MS[frozenset((a, b))] / 1000.0
        d["timeout"] = round(timeout, 2)
        if kind in ("service", "external") and rng.random() < 0.4:
            d["retries"] = {"count": 1, "backoff": 0.1}


def _slos(system: System, rng: random.Random) -> None:
    slos = []
    for j in system.journeys:
        slos.append(
            {"journey": j["name"], "sli": "availability", "target": rng.choice([0.995, 0.999])}
        )
    first = system.journeys[0]["name"]
    slos.append({"journey": first, "sli": "latency", "target": 0.99, "threshold": 2.0})
    system.slos = slos
