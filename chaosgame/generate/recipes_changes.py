"""Recipes for faults that changes bring: releases (canaries, rolling updates, blue-green
switches, library bumps, mutable tags, skipped tests, schema changes), config and flag
pushes, infrastructure applies, and the resource limits containers run under.

Each sizes its fault from the fleet's own numbers (a component's utilisation, its requests
per replica, a store's load) so that it hurts clearly whatever fleet it lands in, scaled by
the incident's intensity.
"""

from __future__ import annotations

import math
from typing import Any

from chaosgame.generate.plan import Ctx, Plan, recipe
from chaosgame.generate.system import NoFit, loads

RELEASE_NOTES = (
    "new settings screen",
    "reworked request validation",
    "faster serializer",
    "new API version",
    "client library upgrade",
    "retry handling rewrite",
    "schema for the new screen",
)
TRAIN_NOTES = (
    "release train: copy changes",
    "release train: dependency bumps",
    "release train: logging cleanup",
    "release train: new admin endpoint",
)
CPU_AT_CAPACITY = 0.6
"""Share of its CPU limit a replica uses at its rated capacity (the engine's law)."""
MEMORY_BASE_MB = 256.0
MEMORY_LIMIT_MB = 512.0
"""A component's memory at rest and its limit when the fleet does not say (the model's)."""


# ------------------------------------------------------------------ helpers


def _util(ctx: Ctx, name: str) -> float:
    """The share of ``name``'s capacity its normal traffic uses."""
    comp = ctx.system.components[name]
    load = loads(ctx.system)[name]
    return load / max(float(comp["replicas"]) * float(comp["capacity"]), 1e-9)


def _per_replica(ctx: Ctx, name: str) -> float:
    """Requests per second one replica of ``name`` serves on a normal day."""
    return loads(ctx.system)[name] / max(float(ctx.system.components[name]["replicas"]), 1.0)


def _service(ctx: Ctx, fixed: bool = False) -> str:
    """A service that many of some journey's requests need (half of them at best), deeper
    than the journeys' entries when one fits; not one that autoscales when another fits (a
    fixed fleet shows the fault plainly), never one with ``fixed`` (it would scale the fault
    away)."""
    s = ctx.system
    for exposed in (0.5, 0.15):
        for entries in (False, True):
            names = s.on_journeys("service", exposed=exposed, entries=entries)
            still = [n for n in names if not s.components[n].get("autoscaling")]
            if still:
                return ctx.choose(still)
    if fixed:
        raise NoFit("every service a journey needs autoscales")
    return ctx.choose(s.on_journeys("service", exposed=0.15, entries=True))


def _edges(ctx: Ctx, kinds: tuple[str, ...]) -> list[tuple[str, str]]:
    """Required synchronous calls from a workload to a callee of ``kinds`` that some journey
    makes for at least 30 % of a journey's requests, in a stable order."""
    s = ctx.system
    exposure = s.exposures()
    out = []
    for d in s.deps:
        caller, callee = d["from"], d["to"]
        if d.get("mode", "sync") != "sync" or not d.get("required", True):
            continue
        if s.kind(caller) not in ("service", "worker") or s.kind(callee) not in kinds:
            continue
        if (
            _edge_journeys(ctx, caller, callee)
            and exposure.get(caller, 0.0) * float(d.get("calls", 1.0)) >= 0.3
        ):
            out.append((caller, callee))
    return out


def _edge_journeys(ctx: Ctx, caller: str, callee: str) -> list[str]:
    s = ctx.system
    return [j["name"] for j in s.journeys if {caller, callee} <= set(s.reach(j))]


def _pick_edge(ctx: Ctx, kinds: tuple[str, ...]) -> tuple[str, str]:
    edges = _edges(ctx, kinds)
    if not edges:
        raise NoFit(f"no journey needs a call to a {' or '.join(kinds)}")
    return edges[ctx.rng.randrange(len(edges))]


def _release(ctx: Ctx, target: str, at: float, **extra: Any) -> str:
    """Deploy a next version of ``target`` at ``at``; the new version."""
    _, new = ctx.bump(target)
    ctx.deploy(target, new, at, note=ctx.rng.choice(RELEASE_NOTES), **extra)
    return new


def _past_release(ctx: Ctx, target: str, hours: tuple[float, float]) -> tuple[str, str, float]:
    """A release of ``target`` between ``hours`` ago (before the window), after an older one
    it replaced: (the old version, the new one, when). The component runs the new one."""
    old, new = ctx.bump(target)
    at = -round(ctx.rng.uniform(*hours)) * 3600.0
    days = ctx.rng.randint(4, 20)
    ctx.deploy(target, old, at - days * 86400.0, duration=240.0)
    ctx.deploy(target, new, at, note=ctx.rng.choice(RELEASE_NOTES), duration=240.0)
    ctx.system.components[target]["version"] = new
    return old, new, at


def _pct(x: float) -> int:
    return round(x * 100)


PLAIN_KEYS = (
    ("log_retention_days", "30", "14"),
    ("labels.cost_center", "cc-4410", "cc-4400"),
    ("backup_window", "03:00-04:00", "02:00-03:00"),
    ("alarm_topic", "oncall-critical", "oncall"),
    ("tags.data_class", "internal", "unset"),
    ("access_log_format", "json", "text"),
)
"""Settings an apply or a sync also touches that change nothing the simulation reads."""


def _same_change(ctx: Ctx, author: str, keep_off: set[str], count: int) -> list[str]:
    """Other settings the same apply, sync or push changed a tick after the fault's own
    (innocent, and the newest change a player sees when paged): their components."""
    s = ctx.system
    names = [
        n for n in s.of_kind("service", "worker", "database", "cache", "queue") if n not in keep_off
    ] or s.of_kind("gateway")
    picked = [names[i] for i in sorted(ctx.rng.sample(range(len(names)), min(count, len(names))))]
    for n, comp in enumerate(picked):
        key, value, previous = ctx.rng.choice(PLAIN_KEYS)
        ctx.config(comp, key, value, previous, ctx.at + 30.0 * (n + 1), author=author)
    return picked


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


HARMLESS_FLAGS = (
    "holiday-banner",
    "new-onboarding-copy",
    "compact-receipts",
    "dark-mode-default",
    "larger-thumbnails",
)


def _launch_flag(ctx: Ctx, keep_off: set[str]) -> str | None:
    """A harmless flag the same launch turned on a tick after the fault's (on a component off
    the failing path); its name, or None when no such component is left."""
    s = ctx.system
    names = [n for n in s.of_kind("service", "worker") if n not in keep_off]
    taken = {f["name"] for f in s.flags}
    free = [f for f in HARMLESS_FLAGS if f not in taken]
    if not names or not free:
        return None
    flag = ctx.rng.choice(free)
    ctx.flag(flag, [ctx.choose(names)], ctx.at + 30.0, "copy and layout only")
    return flag


def _right_size(ctx: Ctx, keep_off: set[str]) -> list[str]:
    """CPU limits the same push lowered on other services, each still well above its demand:
    the components."""
    s = ctx.system
    names = [n for n in s.of_kind("service", "worker") if n not in keep_off]
    out: list[str] = []
    for name in ctx.rng.sample(names, min(len(names), ctx.rng.randint(1, 3))):
        before = float(s.components[name].get("cpu_limit", 1.0))
        demand = CPU_AT_CAPACITY * _util(ctx, name) * before
        new = next((c for c in (0.5, 0.75) if demand / c <= 0.45 and c < before), None)
        if new is None:
            continue
        ctx.config(
            name,
            "cpu_limit",
            f"{new:g}",
            f"{before:g}",
            ctx.at + 30.0 * (len(out) + 1),
            author="config-push",
        )
        out.append(name)
    return out


def _train(ctx: Ctx, keep_off: set[str]) -> str | None:
    """Another release of the same release train, out a tick after the faulty one on a
    component off the failing path: its component, or None when there is none."""
    s = ctx.system
    names = [n for n in s.of_kind("service", "worker") if n not in keep_off]
    names = names or [n for n in s.of_kind("gateway") if n not in keep_off]
    if not names:
        return None
    name = ctx.choose(names)
    _, new = ctx.bump(name)
    at = ctx.at + 30.0
    ctx.deploy(name, new, at, note=ctx.rng.choice(TRAIN_NOTES), duration=180.0)
    return name


def _converges(ctx: Ctx, name: str, what: str, component: str, key: str, value: str) -> float:
    """A pipeline ``name`` that re-applies ``key=value`` on ``component`` every few minutes
    from the onset on (a fix made by hand lasts until its next run): its period."""
    every = float(ctx.rng.choice([300, 420, 600]))
    ctx.extra.setdefault("pipelines", []).append(
        {
            "name": name,
            "description": what,
            "every": every,
            "start": ctx.at + every,
            "enforces": [{"component": component, "key": key, "value": value}],
        }
    )
    return every


def _keep_off(ctx: Ctx, *names: str) -> set[str]:
    """``names`` and every component between them and the users."""
    out = set(names)
    for n in names:
        out |= set(ctx.path_to(n))
    return out


# ------------------------------------------------------------------ releases


@recipe("bad-canary")
def bad_canary(ctx: Ctx) -> Plan:
    target = _service(ctx)
    weight = round(0.12 + 0.13 * ctx.intensity, 2)
    rate = round(0.5 + 0.4 * ctx.intensity, 2)
    new = _release(ctx, target, ctx.at, duration=300.0, strategy="canary", weight=weight)
    share = _pct(weight * rate)
    return Plan(
        kind="bad-canary",
        root=target,
        faults=[
            {
                "kind": "bad-canary",
                "target": target,
                "version": new,
                "at": ctx.at,
                "weight": weight,
                "error_rate": rate,
            }
        ],
        chain=[
            {
                "component": target,
                "what": f"a canary of {new} took {_pct(weight)} % of its traffic and failed "
                f"{_pct(rate)} % of what it got (about {share} % of all requests)",
                "at": ctx.at,
            },
            *ctx.spread(target),
        ],
        solution=[{"action": "shift-traffic", "target": target, "weight": 0.0}],
        summary=(
            f"A canary of {target} {new} took {_pct(weight)} % of its traffic and failed most "
            f"of it, about {share} % of all requests. The stable pods stayed healthy, so the "
            "fleet-wide error rate looked modest while the canary's was high. Shifting the "
            "canary's weight to zero ended the errors at once; the release waits for a fix."
        ),
        signals=[
            f"{target}'s errors came from the pods running {new}, not from the stable version",
            f"the errors began when the {new} canary started taking traffic",
            f"{target}'s dependencies were healthy: the failures were its own",
        ],
        journeys=ctx.hurt_journeys(target),
        questions=[
            {
                "question": f"The {new} canary took only {_pct(weight)} % of the traffic. "
                "Why was shifting it to zero better than a full rollback or waiting?",
                "topics": ["deploy-strategies", "incident-response"],
                "answer": "Shifting the weight to zero takes effect in seconds and keeps the "
                "canary's pods for debugging; a rollback replaces pods and takes longer, and "
                "waiting lets the canary keep failing its share. A canary exists to be "
                "stopped cheaply: its errors should be watched per version and stop it "
                "automatically.",
            }
        ],
    )


@recipe("version-skew")
def version_skew(ctx: Ctx) -> Plan:
    target = _service(ctx)
    duration = float(ctx.rng.choice([480, 600, 720]))
    new = _release(ctx, target, ctx.at, duration=duration)
    _train(ctx, _keep_off(ctx, target))
    rate = round(0.35 + 0.45 * ctx.intensity, 2)
    return Plan(
        kind="version-skew",
        root=target,
        faults=[
            {
                "kind": "version-skew",
                "target": target,
                "version": new,
                "at": ctx.at,
                "duration": duration,
                "stall_at": 0.5,
                "error_rate": rate,
            }
        ],
        chain=[
            {
                "component": target,
                "what": f"the rolling update to {new} stalled half-way; old and new pods "
                "write state in formats the other cannot read, so requests that cross "
                "versions fail",
                "at": ctx.at,
            },
            *ctx.spread(target),
        ],
        solution=[{"action": "rollback", "target": target}],
        summary=(
            f"The rolling update of {target} to {new} stalled with half the pods on each "
            "version. The two versions disagree on a message format, so a request whose "
            "steps land on pods of different versions fails. Rolling back put every pod on "
            "one version again."
        ),
        signals=[
            f"{target}'s pods ran two versions at once: the rollout stalled half-way",
            f"errors on {target} rose as the rollout progressed and peaked with a 50/50 mix",
            "neither version failed alone: the failures were between pods of different versions",
        ],
        journeys=ctx.hurt_journeys(target),
        questions=[
            {
                "question": f"Pausing the {target} rollout would have kept it half-way. Why "
                "was that not enough, and what release practice prevents this fault?",
                "topics": ["deploy-strategies", "distributed-debugging"],
                "answer": "The failures come from the mix itself: a paused rollout keeps old "
                "and new pods side by side. Roll back (or complete) to one version. Changes "
                "to shared formats must be compatible both ways (expand, migrate, contract) "
                "so that any mix of versions can serve during a rollout.",
            }
        ],
    )


WARM_STORE = 0.6
"""The busiest a cold cache's store is on a normal day (with room for the retries a short
overload brings, so a warmed cache lets it recover)."""
MIN_COLD = 1.35
"""The least a cold cache loads its store, in its capacity: clearly saturated, so its failed
reads keep the cache cold (at about 1.0 the cache refills and the incident ends by itself).
A store that also serves much traffic besides the cache's misses (a ledger every service
reads) cannot be sized to saturate on a cold cache and idle on a warm one."""


def _store_behind(ctx: Ctx, cache: str) -> str:
    s = ctx.system
    return next(c for c in s.callees(cache) if s.kind(c) in ("database", "service"))


def _cold_ratio(ctx: Ctx, load: dict[str, float], cache: str) -> float:
    """How many times its normal load the store behind ``cache`` carries once the cache is
    empty (every hit becomes a read of the store)."""
    store = _store_behind(ctx, cache)
    hit = float(ctx.system.components[cache].get("hit_ratio", 0.9))
    return (load[store] + load[cache] * hit) / max(load[store], 1e-9)


@recipe("blue-green-cold-cache", needs=("cache",))
def blue_green_cold_cache(ctx: Ctx) -> Plan:
    s = ctx.system
    pairs = [
        (caller, cache)
        for caller, cache in _edges(ctx, ("cache",))
        if any(s.kind(c) in ("database", "service") for c in s.callees(cache))
    ]
    if not pairs:
        raise NoFit("no journey needs a cache with a store behind it")
    load = loads(s)
    fits = [p for p in pairs if WARM_STORE * _cold_ratio(ctx, load, p[1]) >= MIN_COLD]
    if not fits:
        raise NoFit("no cache takes most of the reads off its store")
    target, cache = fits[ctx.rng.randrange(len(fits))]
    store = _store_behind(ctx, cache)
    comp = s.components[cache]
    hit = float(comp.get("hit_ratio", 0.9))
    # the green stack's cache refills from the keys its misses bring back: slowly, over
    # hours of reads, so it is still cold when the longest time limit runs out
    comp["keyspace_reads"] = float(round(max(load[cache], 1.0) * 9000.0, -2))
    st = s.components[store]
    cold = (load[store] + load[cache] * hit) / (float(st["replicas"]) * float(st["capacity"]))
    want = min(1.5 + 1.0 * ctx.intensity, WARM_STORE * _cold_ratio(ctx, load, cache))
    if cold < want:
        # the store was sized for a warm cache
        st["capacity"] = float(
            max(
                round((load[store] + load[cache] * hit) / (want * float(st["replicas"])), 1),
                load[store] / (WARM_STORE * float(st["replicas"])),
            )
        )
    new = _release(ctx, target, ctx.at, duration=120.0, strategy="blue-green")
    return Plan(
        kind="blue-green-cold-cache",
        root=target,
        faults=[
            {
                "kind": "blue-green-cold-cache",
                "target": target,
                "version": new,
                "at": ctx.at,
                "cache": cache,
            }
        ],
        chain=[
            {
                "component": target,
                "what": f"the blue-green switch to {new} sent all traffic to the green stack",
                "at": ctx.at,
            },
            {
                "component": cache,
                "what": f"the green stack's cache started empty: its hit ratio fell from "
                f"{_pct(hit)} % to zero",
            },
            {
                "component": store,
                "what": f"every read {cache} missed fell through to {store}, many times its "
                "usual load, so it saturated and failed reads, which kept the cache cold",
            },
            {
                "component": target,
                "what": f"fails the requests whose reads through {cache} fail",
            },
            *ctx.spread(target),
        ],
        solution=[{"action": "warm-cache", "target": cache}],
        summary=(
            f"{target} {new} went live by a blue-green switch onto a green stack whose cache, "
            f"{cache}, was empty. Every read fell through to {store}, which saturated; its "
            "failed reads filled no keys, so the cache stayed cold. Warming the cache's hot "
            "keys brought the hit ratio back and the store's load down."
        ),
        signals=[
            f"{cache}'s hit ratio dropped to zero at the switch to {new}",
            f"{store}'s load jumped many times over at the same moment and it saturated",
            f"{target}'s new version itself was not failing: its reads were",
        ],
        journeys=ctx.hurt_journeys(target),
        questions=[
            {
                "question": "How should a blue-green switch treat caches, so that the green "
                "stack does not start cold?",
                "topics": ["deploy-strategies", "scalability-ha"],
                "answer": "Warm the green stack's cache before the switch (replay hot keys or "
                "mirror reads), or shift traffic gradually so the cache fills under partial "
                "load; size the store, or rate-limit misses, for the cold-start read rate.",
            }
        ],
    )


# ------------------------------------------------------------------ config and flags

CONFIG_PUSHES = (
    ("serializer.mode", "strict"),
    ("pricing.engine", "v2"),
    ("http.max_header_kb", "4"),
    ("auth.token_audience", "api-v2"),
    ("routing.shard_map", "2026-q3"),
    ("feature.mode", "on"),
)
FLAG_WORDS = (
    "new-checkout-flow",
    "async-writes",
    "smart-retries",
    "v2-endpoint",
    "bulk-lookup",
    "rich-previews",
    "inline-validation",
)
EXPENSIVE_WORDS = (
    "live-recommendations",
    "full-text-rerank",
    "per-request-pricing",
    "server-side-render",
    "deep-audit-log",
)


@recipe("bad-config")
def bad_config(ctx: Ctx) -> Plan:
    target = _service(ctx)
    key, value = ctx.rng.choice(CONFIG_PUSHES)
    rate = round(0.3 + 0.4 * ctx.intensity, 2)
    added = round(0.1 + 0.2 * ctx.intensity, 2)
    others = _same_change(ctx, "config-push", _keep_off(ctx, target), ctx.rng.randint(1, 2))
    return Plan(
        kind="bad-config",
        root=target,
        faults=[
            {
                "kind": "bad-config",
                "target": target,
                "at": ctx.at,
                "key": key,
                "value": value,
                "error_rate": rate,
                "added_latency": added,
            }
        ],
        chain=[
            {
                "component": target,
                "what": f"a config push set {key}={value}; with it {target} fails about "
                f"{_pct(rate)} % of requests and answers the rest {added} s slower",
                "at": ctx.at,
            },
            *ctx.spread(target),
        ],
        solution=[{"action": "revert-config", "target": target, "key": key}],
        summary=(
            f"A config push set {key}={value} on {target}. From that moment it failed about "
            f"{_pct(rate)} % of its requests and slowed the rest; no deploy was involved. "
            f"The same push also changed {_and(others)}, harmlessly; reverting {key} "
            "ended it within a minute."
        ),
        signals=[
            f"{target}'s errors began at the minute of the {key} push",
            f"{target} ran the same version before and after: the change was configuration",
            f"{target}'s dependencies stayed healthy",
        ],
        journeys=ctx.hurt_journeys(target),
        questions=[
            {
                "question": "A config push is a deploy without a version. What would have "
                "made this one safer?",
                "topics": ["incident-response", "deploy-strategies"],
                "answer": "Roll configuration out like code: validated, reviewed, applied to "
                "a canary share first with automatic rollback on errors, and listed in the "
                "same change timeline as deploys so on-call sees it.",
            }
        ],
    )


@recipe("broken-flag")
def broken_flag(ctx: Ctx) -> Plan:
    target = _service(ctx)
    flag = f"{ctx.rng.choice(FLAG_WORDS)}"
    if any(f["name"] == flag for f in ctx.system.flags):
        raise NoFit(f"flag {flag} exists")
    pct = float(ctx.rng.choice([50, 100, 100]))
    rate = round(0.5 + 0.4 * ctx.intensity, 2)
    ctx.flag(flag, [target], ctx.at, f"a new code path in {target}", percentage=pct)
    _launch_flag(ctx, _keep_off(ctx, target))
    share = _pct(rate * pct / 100.0)
    return Plan(
        kind="broken-flag",
        root=target,
        faults=[
            {
                "kind": "broken-flag",
                "target": target,
                "flag": flag,
                "at": ctx.at,
                "error_rate": rate,
                "percentage": pct,
            }
        ],
        chain=[
            {
                "component": target,
                "what": f"the flag {flag} turned on at {pct:g} % sent requests down a broken "
                f"code path: about {share} % of {target}'s requests fail",
                "at": ctx.at,
            },
            *ctx.spread(target),
        ],
        solution=[{"action": "toggle-flag", "target": flag, "on": False}],
        summary=(
            f"The flag {flag} was turned on for {pct:g} % of requests to {target}, exposing "
            f"a code path that fails; about {share} % of its requests failed. Nothing was "
            "deployed: the code had shipped dark. Turning the flag off ended the errors at once."
        ),
        signals=[
            f"{target}'s errors began the minute {flag} was turned on",
            f"{target}'s version did not change: the failing path was behind the flag",
            f"{target}'s dependencies stayed healthy",
        ],
        journeys=ctx.hurt_journeys(target),
        questions=[
            {
                "question": f"Why turn {flag} off rather than roll {target} back?",
                "topics": ["feature-flags", "incident-response"],
                "answer": "The flag is the kill switch: it takes effect in seconds and changes "
                "nothing else, while a rollback replaces pods and removes whatever else the "
                "release carried. A flag should go out to a small percentage first, watched.",
            }
        ],
    )


@recipe("expensive-flag")
def expensive_flag(ctx: Ctx) -> Plan:
    target = _service(ctx, fixed=True)
    util = max(_util(ctx, target), 0.15)
    # throttled capacity serves 1/k of the load: k from the CPU law
    k = 1.5 + 0.8 * ctx.intensity
    factor = round(min(k / (CPU_AT_CAPACITY * util * util), 60.0), 1)
    flag = ctx.rng.choice(EXPENSIVE_WORDS)
    if any(f["name"] == flag for f in ctx.system.flags):
        raise NoFit(f"flag {flag} exists")
    ctx.flag(flag, [target], ctx.at, f"a richer answer computed in {target}")
    _launch_flag(ctx, _keep_off(ctx, target))
    return Plan(
        kind="expensive-flag",
        root=target,
        faults=[
            {
                "kind": "expensive-flag",
                "target": target,
                "flag": flag,
                "at": ctx.at,
                "cpu_factor": factor,
            }
        ],
        chain=[
            {
                "component": target,
                "what": f"the flag {flag} turned on a code path costing {factor:g}x the CPU "
                "per request; its pods hit their CPU limit, are throttled and queue",
                "at": ctx.at,
            },
            *ctx.spread(target, "slow"),
        ],
        solution=[{"action": "toggle-flag", "target": flag, "on": False}],
        summary=(
            f"The flag {flag} turned on a code path in {target} that costs {factor:g} times "
            "the CPU per request. Its pods ran into their CPU limit, were throttled and "
            "queued; their callers timed out. Turning the flag off brought the CPU back down."
        ),
        signals=[
            f"{target}'s CPU per request jumped when {flag} was turned on",
            f"{target} was CPU-throttled at the same traffic as before",
            f"{target}'s version did not change: the new cost was behind the flag",
        ],
        harm="errors",
        journeys=ctx.hurt_journeys(target),
        questions=[
            {
                "question": f"Scaling {target} out would also have absorbed the load. Why "
                "turn the flag off first?",
                "topics": ["feature-flags", "scalability-ha"],
                "answer": "Turning the flag off removes the cost in seconds and needs no "
                "capacity; scaling pays for the expensive path and needs room in the cluster. "
                "Ramp such a flag up by percentage while watching CPU per request, then "
                "decide whether the feature is worth its capacity.",
            }
        ],
    )


@recipe("dependency-upgrade")
def dependency_upgrade(ctx: Ctx) -> Plan:
    s = ctx.system
    target, to = _pick_edge(ctx, ("service", "database", "external", "cache"))
    duration = float(ctx.rng.choice([180, 240, 300]))
    rate = round(0.5 + 0.5 * ctx.intensity, 2)
    _, new = ctx.bump(target)
    lib = {
        "database": "database driver",
        "cache": "cache client",
        "external": "HTTP client",
        "service": "RPC client",
    }[s.kind(to)]
    ctx.deploy(target, new, ctx.at, note=f"bump the {lib} to the next major", duration=duration)
    _train(ctx, _keep_off(ctx, target, to))
    return Plan(
        kind="dependency-upgrade",
        root=target,
        faults=[
            {
                "kind": "dependency-upgrade",
                "target": target,
                "version": new,
                "at": ctx.at,
                "duration": duration,
                "to": to,
                "error_rate": rate,
            }
        ],
        chain=[
            {
                "component": target,
                "what": f"{new} bumped its {lib}; {to} rejects {_pct(rate)} % of the calls "
                "the new client makes",
                "at": ctx.at,
            },
            *ctx.spread(target),
        ],
        solution=[{"action": "rollback", "target": target}],
        summary=(
            f"{target} {new} upgraded its {lib}. {to} rejected the new client's calls, so "
            f"{target} failed the requests that needed it, while {to} itself stayed healthy "
            f"for every other caller. Rolling {target} back restored the old client."
        ),
        signals=[
            f"{target}'s calls to {to} began failing as {new} rolled out",
            f"{to} served its other callers normally",
            f"the failing calls came only from {target}'s pods on {new}",
        ],
        journeys=_edge_journeys(ctx, target, to),
        questions=[
            {
                "question": "What in the pipeline would have caught a client library that "
                "a dependency rejects?",
                "topics": ["ci-cd", "deploy-strategies"],
                "answer": "Contract or integration tests against the real dependency (or its "
                "recorded contract) in the pipeline, and a canary that compares the new "
                "version's call errors per dependency with the old version's.",
            }
        ],
    )


# ------------------------------------------------------------------ CI/CD


@recipe("mutable-tag")
def mutable_tag(ctx: Ctx) -> Plan:
    s = ctx.system
    target = _service(ctx)
    tag = ctx.rng.choice(["latest", "stable", "prod"])
    digest = f"{ctx.rng.getrandbits(48):012x}"
    old = f"{tag}@sha256:{digest}"
    days = ctx.rng.randint(3, 15)
    ctx.deploy(target, old, -days * 86400.0, note=f"release pinned to the {tag} tag")
    s.components[target]["version"] = old
    _train(ctx, _keep_off(ctx, target))
    rate = round(0.3 + 0.4 * ctx.intensity, 2)
    return Plan(
        kind="mutable-tag",
        root=target,
        faults=[
            {"kind": "mutable-tag", "target": target, "tag": tag, "at": ctx.at, "error_rate": rate}
        ],
        chain=[
            {
                "component": target,
                "what": f"its pods were redeployed from the tag {tag}, which now points at a "
                f"different build; the new artifact fails {_pct(rate)} % of requests",
                "at": ctx.at,
            },
            *ctx.spread(target),
        ],
        solution=[{"action": "rollback", "target": target}],
        summary=(
            f"{target} runs the image tag {tag}, which someone had moved to a newer build. "
            f"When its pods were redeployed they pulled that build, which fails about "
            f"{_pct(rate)} % of requests, though no release of {target} was made. Rolling "
            "back to the previous image digest ended the errors."
        ),
        signals=[
            f"{target}'s image digest changed at the onset while its tag stayed {tag}",
            f"{target}'s errors came from pods on the new digest",
            f"no release of {target} was cut: the tag had been moved",
        ],
        journeys=ctx.hurt_journeys(target),
        questions=[
            {
                "question": f"Why is deploying {target} from a mutable tag a risk, and what "
                "should the pipeline do instead?",
                "topics": ["ci-cd", "containers"],
                "answer": "A tag can be moved, so the same name runs different code after a "
                "restart; nobody deploys, yet the artifact changes. Deploy immutable "
                "digests (or unique version tags) promoted through environments, so that what "
                "runs is what was tested and a rollback names an exact artifact.",
            }
        ],
    )


@recipe("skipped-validation")
def skipped_validation(ctx: Ctx) -> Plan:
    s = ctx.system
    target = _service(ctx)
    journeys = ctx.hurt_journeys(target)
    if not journeys:
        raise NoFit(f"no journey needs {target}")
    rate = round(0.04 + 0.08 * ctx.intensity, 3)
    _, new = ctx.bump(target)
    ctx.deploy(
        target,
        new,
        ctx.at,
        note=f"hotfix: {ctx.rng.choice(['rounding', 'currency', 'date parsing', 'pagination'])}"
        " (fast-track pipeline, tests skipped)",
        duration=240.0,
    )
    _train(ctx, _keep_off(ctx, target))
    # a correctness SLO on each hurt journey, the first one first (the page names it)
    for j in reversed(journeys):
        if not any(x["journey"] == j and x["sli"] == "correctness" for x in s.slos):
            s.slos.insert(0, {"journey": j, "sli": "correctness", "target": 0.999})
    return Plan(
        kind="skipped-validation",
        root=target,
        faults=[
            {
                "kind": "skipped-validation",
                "target": target,
                "version": new,
                "at": ctx.at,
                "duration": 240.0,
                "wrong_rate": rate,
            }
        ],
        chain=[
            {
                "component": target,
                "what": f"{new} went out without its test stage and returns wrong answers "
                f"for about {round(rate * 100, 1):g} % of requests, with no error",
                "at": ctx.at,
            },
            *[
                {"component": c["component"], "what": "passes the wrong answers on to users"}
                for c in ctx.spread(target)
            ],
        ],
        solution=[{"action": "rollback", "target": target}],
        summary=(
            f"{target} {new} was released through a fast-track pipeline that skipped its "
            f"tests, and about {round(rate * 100, 1):g} % of its answers were wrong. No "
            "request failed, so error and latency alerts stayed quiet; only the correctness "
            f"SLO burned. Rolling {target} back stopped the wrong answers."
        ),
        signals=[
            "the correctness SLO burned while availability and latency stayed green",
            f"the wrong answers began as {target} {new} rolled out",
            f"the release note of {new} says its tests were skipped",
        ],
        harm="wrong",
        journeys=journeys,
        questions=[
            {
                "question": "Why did no error alert fire, and which SLI catches this kind of "
                "failure?",
                "topics": ["slo", "ci-cd"],
                "answer": "Wrong answers are successful responses: error rate and latency "
                "stay normal. A correctness SLI (answers checked by a probe, a reconciliation "
                "or a shadow comparison) catches it; the pipeline should never let a release "
                "skip its tests, hotfix or not.",
            }
        ],
    )


@recipe("config-drift")
def config_drift(ctx: Ctx) -> Plan:
    s = ctx.system
    target, to = _pick_edge(ctx, ("database", "service"))
    d = s.dep(target, to)
    assert d is not None
    floor = float(s.components[to]["service_time"])
    timeout = round(floor * (0.5 + 0.3 * (1.0 - ctx.intensity)), 4)
    before = float(d.get("timeout", 0.3))
    others = _same_change(ctx, "config-sync", _keep_off(ctx, target, to), ctx.rng.randint(1, 3))
    key = f"timeout:{to}"
    solution = [{"action": "revert-config", "target": target, "key": key}]
    chain = [
        {
            "component": target,
            "what": f"a config sync set its timeout for calls to {to} to "
            f"{timeout * 1000:g} ms (it was {before * 1000:g} ms): calls that take "
            "longer fail",
            "at": ctx.at,
        },
        *ctx.spread(target),
    ]
    return Plan(
        kind="config-drift",
        root=target,
        faults=[
            {"kind": "config-drift", "target": target, "to": to, "at": ctx.at, "timeout": timeout}
        ],
        chain=chain,
        solution=solution,
        summary=(
            f"A config sync copied a drifted value into production: {target}'s timeout for "
            f"calls to {to} fell to {timeout * 1000:g} ms, below {to}'s normal response time, "
            f"and most calls timed out although {to} was healthy. The same sync changed "
            f"settings on {_and(others)} too, none of which mattered. Reverting the timeout "
            "ended it."
        ),
        signals=[
            f"{target}'s calls to {to} failed as timeouts while {to}'s own latency was normal",
            f"the config history shows {key} on {target} changed at the onset",
            f"{to}'s other callers were fine",
        ],
        journeys=_edge_journeys(ctx, target, to),
        questions=[
            {
                "question": "How do staging and production configs drift apart, and how do "
                "you keep them in step?",
                "topics": ["ci-cd", "infra-as-code"],
                "answer": "Hand edits and per-environment overrides accumulate. Keep every "
                "environment's config in version control, generated from one source with "
                "explicit differences, and have a drift check compare what runs with what is "
                "declared before any sync applies it.",
            }
        ],
    )


# ------------------------------------------------------------------ infrastructure as code


@recipe("iac-shrank-pool", needs=("database",))
def iac_shrank_pool(ctx: Ctx) -> Plan:
    s = ctx.system
    load = loads(s)
    # connections each replica keeps busy: the apply leaves one, which carries 1/busy of them
    busy = 1.7 + 1.8 * ctx.intensity

    def need(a: str, b: str) -> float:
        """The database time per call at which ``a``'s replicas keep ``busy`` connections."""
        d = s.dep(a, b) or {}
        rate = load[a] * float(d.get("calls", 1.0))
        return busy * float(s.components[a]["replicas"]) / max(rate, 1e-9)

    def fits(a: str, b: str) -> bool:
        """Whether ``b`` at that time per call still serves its other callers' pools."""
        if not (s.dep(a, b) or {}).get("pool") or need(a, b) > 0.15:
            return False
        for o in s.deps:
            if o["to"] == b and o["from"] != a and o.get("pool"):
                held = load[o["from"]] * float(o.get("calls", 1.0)) * need(a, b)
                if held / float(s.components[o["from"]]["replicas"]) > 0.4 * o["pool"]:
                    return False
        return True

    pairs = [(a, b) for a, b in _edges(ctx, ("database",)) if fits(a, b)]
    if not pairs:
        raise NoFit("no pooled call to a database busy enough for a pool of one to bite")
    target, to = pairs[ctx.rng.randrange(len(pairs))]
    d = s.dep(target, to)
    assert d is not None
    st = need(target, to)
    db = s.components[to]
    db["service_time"] = round(max(st, float(db["service_time"])), 4)
    pool = int(d["pool"])
    others = _same_change(ctx, "terraform", _keep_off(ctx, target, to), ctx.rng.randint(1, 3))
    return Plan(
        kind="iac-shrank-pool",
        root=target,
        faults=[{"kind": "iac-shrank-pool", "target": target, "to": to, "at": ctx.at, "pool": 1}],
        chain=[
            {
                "component": target,
                "what": f"a terraform apply set its pool to {to} to one connection per replica "
                f"(it was {pool}); calls wait for a connection and time out",
                "at": ctx.at,
            },
            *ctx.spread(target),
        ],
        solution=[{"action": "resize-pool", "target": target, "to": to, "size": pool}],
        summary=(
            f"A terraform apply shrank {target}'s connection pool to {to} from {pool} to one "
            f"connection per replica. Calls queued for a connection and timed out while {to} "
            f"itself sat idle. The same apply changed {_and(others)} too, harmlessly; resizing "
            f"the pool back to {pool} ended it."
        ),
        signals=[
            f"{target}'s calls to {to} failed waiting for a connection",
            f"{to} was idle, with few connections in use: it was not the bottleneck",
            f"the config history shows pool:{to} on {target} changed by terraform at the onset",
        ],
        journeys=_edge_journeys(ctx, target, to),
        questions=[
            {
                "question": "How could the plan of this apply have been caught in review?",
                "topics": ["infra-as-code", "scalability-ha"],
                "answer": "The plan showed a pool going from many connections to one. Review "
                "plans, not just code; flag changes to capacity settings (pools, limits, "
                "replica counts) for a second look, and keep such values out of shared "
                "defaults that one module's change can override.",
            }
        ],
    )


@recipe("iac-removed-rule")
def iac_removed_rule(ctx: Ctx) -> Plan:
    s = ctx.system
    target, to = _pick_edge(ctx, ("database", "service", "cache"))
    d = s.dep(target, to)
    assert d is not None
    timeout = float(d.get("timeout", 0.3))
    others = _same_change(ctx, "terraform", _keep_off(ctx, target, to), ctx.rng.randint(1, 3))
    return Plan(
        kind="iac-removed-rule",
        root=target,
        faults=[{"kind": "iac-removed-rule", "target": target, "to": to, "at": ctx.at}],
        chain=[
            {
                "component": target,
                "what": f"a terraform apply removed the network rule that let it reach {to}; "
                f"its calls hang until their {timeout:g} s timeout",
                "at": ctx.at,
            },
            *ctx.spread(target, "slow"),
        ],
        solution=[{"action": "revert-config", "target": target, "key": f"allow:{to}"}],
        summary=(
            f"A terraform apply removed the security-group rule that allowed {target} to "
            f"reach {to}. Its calls were dropped and hung until their timeout, holding "
            f"{target}'s workers while {to} saw no traffic from it. Of the apply's changes (it "
            f"also touched {_and(others)}) only this one mattered; restoring "
            "the rule ended it."
        ),
        signals=[
            f"{target}'s calls to {to} all took exactly their timeout",
            f"{to} received no requests from {target} though it was healthy",
            f"the config history shows allow:{to} on {target} changed by terraform",
        ],
        journeys=_edge_journeys(ctx, target, to),
        questions=[
            {
                "question": "Why do calls blocked by a firewall hang instead of failing fast, "
                "and what does that do to the caller?",
                "topics": ["infra-as-code", "security-compliance"],
                "answer": "A dropped packet gets no answer, so the caller waits for its "
                "timeout; its workers are held the whole time and it can saturate. Keep "
                "timeouts short, and treat network rules as code with a plan reviewed for "
                "removed rules.",
            }
        ],
    )


@recipe("iac-overwrote-hotfix")
def iac_overwrote_hotfix(ctx: Ctx) -> Plan:
    s = ctx.system
    target = _service(ctx)
    comp = s.components[target]
    limit = float(comp.get("memory_limit_mb", MEMORY_LIMIT_MB))
    working = round(limit * (1.2 + 0.4 * ctx.intensity) / 10.0) * 10.0
    hotfix = float(2 ** math.ceil(math.log2(working * 1.3)))
    others = _same_change(ctx, "terraform", _keep_off(ctx, target), ctx.rng.randint(1, 3))
    every = _converges(
        ctx,
        "terraform",
        "CI applies the infrastructure code on every run",
        target,
        "memory_limit_mb",
        f"{limit:g}",
    )
    return Plan(
        kind="iac-overwrote-hotfix",
        root=target,
        faults=[
            {
                "kind": "iac-overwrote-hotfix",
                "target": target,
                "at": ctx.at,
                "working_set_mb": working,
                "hotfix_limit_mb": hotfix,
            }
        ],
        chain=[
            {
                "component": target,
                "what": f"a terraform apply reset its memory limit from {hotfix:g} MB (raised "
                f"by hand last month) to {limit:g} MB, below its {working:g} MB working set; "
                "its pods are OOMKilled in a loop",
                "at": ctx.at,
            },
            *ctx.spread(target),
            {
                "component": target,
                "what": f"the apply runs every {every / 60:g} minutes and sets the limit back "
                "over any change made by hand",
            },
        ],
        solution=[
            {"action": "pause-pipeline", "target": "terraform"},
            {"action": "raise-limit", "target": target, "resource": "memory"},
        ],
        summary=(
            f"Last month on-call raised {target}'s memory limit to {hotfix:g} MB by hand, "
            f"and nobody put it in the infrastructure code. Today's apply set it back to "
            f"{limit:g} MB (among changes to {_and(others)}), below the {working:g} MB the "
            "service needs, and its pods crash-looped with OOMKilled. The apply runs every "
            f"{every / 60:g} minutes, so raising the limit by hand held only once the pipeline "
            "was paused; the code must now carry the new value."
        ),
        signals=[
            f"{target}'s pods were OOMKilled again and again right after the apply",
            f"the config history shows memory_limit_mb on {target} set back by terraform",
            f"{target}'s memory rose straight to the limit after each restart, not slowly",
        ],
        journeys=ctx.hurt_journeys(target),
        questions=[
            {
                "question": "What should follow a manual hotfix in a system managed as code?",
                "topics": ["infra-as-code", "containers"],
                "answer": "Put the hotfix into the code the same day (or the apply will undo "
                "it), and have drift detection flag manual changes; the plan of the next "
                "apply would have shown the limit going down.",
            }
        ],
    )


# ------------------------------------------------------------------ containers


@recipe("oom-working-set")
def oom_working_set(ctx: Ctx) -> Plan:
    s = ctx.system
    target = _service(ctx)
    comp = s.components[target]
    base = float(comp.get("memory_base_mb", MEMORY_BASE_MB))
    limit = float(comp.get("memory_limit_mb", MEMORY_LIMIT_MB))
    extra = round(((limit - base) * (1.2 + 0.5 * ctx.intensity)) / 10.0) * 10.0
    what = ctx.rng.choice(
        [
            "the in-memory catalogue it loads at start-up, after the nightly import doubled it",
            "the lookup tables it loads at start-up, after a new market was added",
            "the model file it loads at start-up, after the weekly retraining grew it",
        ]
    )
    return Plan(
        kind="oom-working-set",
        root=target,
        faults=[{"kind": "oom-working-set", "target": target, "at": ctx.at, "extra_mb": extra}],
        chain=[
            {
                "component": target,
                "what": f"its working set grew by {extra:g} MB ({what}), past its "
                f"{limit:g} MB memory limit; its pods are OOMKilled as they start",
                "at": ctx.at,
            },
            *ctx.spread(target),
        ],
        solution=[{"action": "raise-limit", "target": target, "resource": "memory"}],
        summary=(
            f"{target}'s working set grew by {extra:g} MB with {what}, past its {limit:g} MB "
            "memory limit. Its pods were OOMKilled and crash-looped, and the survivors could "
            "not carry the load. Restarts could not help; raising the memory limit did."
        ),
        signals=[
            f"{target}'s pods restarted with OOMKilled, again and again",
            f"{target}'s memory reached its limit soon after each start, without a slow climb",
            f"no deploy or config change of {target} preceded it",
        ],
        journeys=ctx.hurt_journeys(target),
        questions=[
            {
                "question": "How do you tell a working set that outgrew its limit from a "
                "memory leak, and why does the fix differ?",
                "topics": ["containers", "orchestration"],
                "answer": "A leak climbs steadily with traffic after each restart; a working "
                "set too big for the limit reaches it at once. A leak needs the leaking "
                "version rolled back (more memory only delays the kill); a working set needs a "
                "higher limit, or less data held in memory.",
            }
        ],
    )


@recipe("memory-leak")
def memory_leak(ctx: Ctx) -> Plan:
    s = ctx.system
    target = _service(ctx)
    comp = s.components[target]
    base = float(comp.get("memory_base_mb", MEMORY_BASE_MB))
    limit = float(comp.get("memory_limit_mb", MEMORY_LIMIT_MB))
    per = max(_per_replica(ctx, target), 0.5)
    # the first pods reach their limit within minutes of the onset
    minutes = 8.0 - 4.0 * ctx.intensity
    mb = round((limit - base) * 1000.0 / (per * minutes * 60.0), 1)
    old, new, when = _past_release(ctx, target, (26.0, 40.0))
    hours = round(-when / 3600.0)
    return Plan(
        kind="memory-leak",
        root=target,
        faults=[
            {
                "kind": "memory-leak",
                "target": target,
                "version": new,
                "at": ctx.at,
                "mb_per_1k_requests": mb,
            }
        ],
        chain=[
            {
                "component": target,
                "what": f"{new}, released {hours} hours earlier, leaks memory with every "
                "request; under the day's traffic its pods reach their limit and are OOMKilled",
                "at": ctx.at,
            },
            *ctx.spread(target),
        ],
        solution=[{"action": "rollback", "target": target}],
        summary=(
            f"{target} {new}, released {hours} hours before, leaks memory on every request. "
            "Under the day's traffic its pods climbed to their memory limit within minutes and "
            "were OOMKilled, over and over; each restart only reset the climb. Rolling back to "
            f"{old} stopped the leak."
        ),
        signals=[
            f"{target}'s memory climbed in a sawtooth: up with traffic, down at each OOM kill",
            f"{target}'s restarts were OOMKilled, and they began only after {new} shipped",
            "a restart bought a few minutes, then the climb began again",
        ],
        journeys=ctx.hurt_journeys(target),
        questions=[
            {
                "question": f"The release of {new} was more than a day old. Why still roll it "
                "back, and why was a restart not enough?",
                "topics": ["containers", "orchestration"],
                "answer": "A leak grows with traffic, so it shows up when traffic does, long "
                "after the release. A restart resets memory and the leak climbs again; the "
                "leaking code has to go. Memory per pod over time, compared across versions, "
                "shows it before it kills pods.",
            }
        ],
    )


@recipe("cpu-throttling")
def cpu_throttling(ctx: Ctx) -> Plan:
    s = ctx.system
    target = _service(ctx, fixed=True)
    comp = s.components[target]
    before = float(comp.get("cpu_limit", 1.0))
    util = max(_util(ctx, target), 0.15)
    k = 1.5 + 0.8 * ctx.intensity
    limit = max(round(before * CPU_AT_CAPACITY * util * util / k, 3), 0.005)
    millis = round(limit * 1000)
    others = _right_size(ctx, _keep_off(ctx, target))
    also = (
        f" The same push lowered the limits of {_and(others)} too, which kept enough CPU."
        if others
        else ""
    )
    return Plan(
        kind="cpu-throttling",
        root=target,
        faults=[{"kind": "cpu-throttling", "target": target, "at": ctx.at, "cpu_limit": limit}],
        chain=[
            {
                "component": target,
                "what": f"a config push set its CPU limit to {millis}m (it was "
                f"{before * 1000:g}m); its pods are throttled and every request stretches",
                "at": ctx.at,
            },
            *ctx.spread(target, "slow"),
        ],
        solution=[{"action": "revert-config", "target": target, "key": "cpu_limit"}],
        summary=(
            f"A config push cut {target}'s CPU limit from {before * 1000:g}m to {millis}m "
            "per pod. The pods were throttled most of the time, so each request took several "
            "times longer, they saturated and their callers timed out, while the node had CPU "
            f"to spare.{also} Reverting the limit ended the throttling."
        ),
        signals=[
            f"{target} was CPU-throttled most of the time at normal traffic",
            f"{target}'s CPU use sat at its new, much lower limit",
            f"the config history shows cpu_limit on {target} changed at the onset",
        ],
        journeys=ctx.hurt_journeys(target),
        questions=[
            {
                "question": "Why can a pod be slow from CPU throttling while the node's CPU "
                "is mostly idle?",
                "topics": ["containers", "scalability-ha"],
                "answer": "The CPU limit is a quota per period: once a pod has used it, it "
                "waits for the next period however idle the node is. Watch throttled time, "
                "not only CPU use, and set limits from measured demand with headroom.",
            }
        ],
    )


@recipe("image-pull-failure")
def image_pull_failure(ctx: Ctx) -> Plan:
    target = _service(ctx)
    util = _util(ctx, target)
    # the pods left serve the load at 1.3-2x their capacity
    unavailable = round(min(max(1.0 - util / (0.6 + 1.4 * ctx.intensity), 0.5), 0.9), 2)
    _, new = ctx.bump(target)
    ctx.deploy(target, new, ctx.at, note=ctx.rng.choice(RELEASE_NOTES), duration=300.0)
    return Plan(
        kind="image-pull-failure",
        root=target,
        faults=[
            {
                "kind": "image-pull-failure",
                "target": target,
                "version": new,
                "at": ctx.at,
                "max_unavailable": unavailable,
            }
        ],
        chain=[
            {
                "component": target,
                "what": f"the rollout of {new} took old pods down, but the new ones cannot "
                f"pull their image (ImagePullBackOff): {_pct(unavailable)} % of its capacity "
                "is gone",
                "at": ctx.at,
            },
            *ctx.spread(target),
        ],
        solution=[{"action": "rollback", "target": target}],
        summary=(
            f"The rollout of {target} {new} replaced old pods with new ones whose image the "
            "nodes could not pull (its tag was never pushed to the registry). The new pods "
            f"stayed in ImagePullBackOff, {target} lost {_pct(unavailable)} % of its capacity "
            "and saturated. Rolling back to the previous image brought the pods back."
        ),
        signals=[
            f"{target} ran with fewer ready replicas than desired since the rollout began",
            f"the events show ImagePullBackOff for {target}:{new}",
            f"the remaining {target} pods were saturated at normal traffic",
        ],
        journeys=ctx.hurt_journeys(target),
        questions=[
            {
                "question": "Why did restarting the service make things worse, not better?",
                "topics": ["containers", "ci-cd"],
                "answer": "Restarted pods must pull their image too, and it cannot be pulled: "
                "they join the failing ones. A rollout should check the image exists (and "
                "keep old pods until new ones are ready, maxUnavailable low) before taking "
                "capacity away.",
            }
        ],
    )


@recipe("incompatible-schema", needs=("database",))
def incompatible_schema(ctx: Ctx) -> Plan:
    target, db = _pick_edge(ctx, ("database",))
    # the rollout began inside the window, minutes before the migration
    lead = _round(min(ctx.rng.uniform(600.0, 1200.0), ctx.at - 300.0))
    duration = float(ctx.rng.choice([5400, 6000, 7200]))
    rate = round(0.6 + 0.4 * ctx.intensity, 2)
    _, new = ctx.bump(target)
    ctx.deploy(
        target,
        new,
        ctx.at - lead,
        note=f"reads the new {db} columns (slow rollout, one pod at a time)",
        duration=duration,
    )
    share = lead / duration
    return Plan(
        kind="incompatible-schema",
        root=target,
        faults=[
            {
                "kind": "incompatible-schema",
                "target": target,
                "at": ctx.at,
                "reads_with": new,
                "database": db,
                "error_rate": rate,
            }
        ],
        chain=[
            {
                "component": target,
                "what": f"a migration on {db} dropped and renamed columns while only about "
                f"{_pct(share)} % of its pods ran {new}, the version that reads the new "
                "schema; the old pods fail their reads",
                "at": ctx.at,
            },
            *ctx.spread(target),
        ],
        solution=[{"action": "complete-rollout", "target": target}],
        summary=(
            f"{target} {new}, which reads {db}'s new schema, was still rolling out slowly when "
            f"the migration changed the schema under it. Every pod still on the old version "
            "failed its reads. Completing the rollout put every pod on the version that reads "
            "the new schema; a rollback would have made every pod fail."
        ),
        signals=[
            f"{target}'s errors came only from pods on the old version",
            f"the {db} migration event lines up with the onset of the errors",
            f"{target}'s rollout of {new} was still in progress",
        ],
        journeys=_edge_journeys(ctx, target, db),
        questions=[
            {
                "question": "Why was rolling back the wrong move here, and how should such a "
                "schema change be sequenced?",
                "topics": ["database-migrations", "deploy-strategies"],
                "answer": "The database had already changed: the old version cannot read it, "
                "so a rollback moves every pod onto the failing side. Use expand and "
                "contract: add the new columns, deploy code that reads both, finish the "
                "rollout, and only then drop the old columns.",
            }
        ],
    )


def _round(x: float, step: float = 30.0) -> float:
    return float(round(x / step) * step)
