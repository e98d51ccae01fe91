"""Recipes for load, capacity and orchestration faults: traffic that outgrows a fleet, caches
that go cold, retries and reconnects that feed on themselves, pods that cannot serve, and
the resources a process runs out of.

Each recipe sizes its fault from the fleet's own numbers (:func:`chaosgame.generate.system.
loads`): a spike is big enough to saturate what it reaches, a cold cache sends its store past
what it can answer, so the fault hurts for a reason the engine computes, and the reference
solution (more replicas, a warmed cache, a reverted setting) is sized the same way.
"""

from __future__ import annotations

import math
from typing import Any

from chaosgame.generate.plan import Ctx, NoFit, Plan, recipe
from chaosgame.generate.system import NODE_CPU, System, loads

SCALABLE = ("service", "worker", "database")
"""Kinds the reference may scale out."""
FIXED = ("gateway", "cache", "queue", "external", "dns")
"""Kinds whose capacity a recipe leaves alone: they must keep headroom under the fault."""
SAFE_UTIL = 0.55
"""Utilisation the reference scales a saturated component back to."""


# ------------------------------------------------------------------ fleet arithmetic


def _capacity(system: System, name: str) -> float:
    comp = system.components[name]
    return float(comp.get("capacity", 100.0)) * max(int(comp.get("replicas", 1)), 1)


def utilisation(system: System, load: dict[str, float] | None = None) -> dict[str, float]:
    """Each component's share of its capacity in use (on a normal day by default)."""
    load = loads(system) if load is None else load
    return {n: load[n] / _capacity(system, n) for n in system.components}


def loads_with(
    system: System, factors: dict[str, float], retrying: bool = False
) -> dict[str, float]:
    """The loads with each named journey's rate multiplied by its factor; ``retrying``: with
    every call that retries making all its attempts (what a saturated path carries)."""
    saved = {j["name"]: j["rate"] for j in system.journeys}
    calls = [d.get("calls") for d in system.deps]
    try:
        for j in system.journeys:
            j["rate"] = j["rate"] * factors.get(j["name"], 1.0)
        if retrying:
            for d in system.deps:
                tries = 1 + int((d.get("retries") or {}).get("count", 0))
                d["calls"] = float(d.get("calls", 1.0)) * tries
        return loads(system)
    finally:
        for j in system.journeys:
            j["rate"] = saved[j["name"]]
        for d, c in zip(system.deps, calls, strict=True):
            if c is None:
                d.pop("calls", None)
            else:
                d["calls"] = c


def set_util(system: System, name: str, util: float) -> None:
    """Resize ``name``'s capacity per replica so that a normal day uses ``util`` of it."""
    comp = system.components[name]
    load = loads(system)[name]
    comp["capacity"] = round(max(load / max(int(comp["replicas"]), 1) / util, 1.0), 1)


def replicas_for(
    system: System, name: str, load: float, worst: float = 0.0, util: float = SAFE_UTIL
) -> int:
    """Replicas that serve ``load`` at ``util`` and the ``worst`` load (every retry made)
    below saturation, so a scale-out also breaks a retry loop."""
    comp = system.components[name]
    cap = float(comp["capacity"])
    return max(int(comp["replicas"]), math.ceil(load / (cap * util)), math.ceil(worst / cap / 0.9))


def cluster_room(system: System, cluster: str | None) -> float:
    """Cores left on ``cluster`` for new pods (infinite for a component outside clusters)."""
    spec = next((c for c in system.clusters if c["name"] == cluster), None)
    if spec is None:
        return math.inf
    used = sum(
        int(c.get("replicas", 1)) * float(c.get("cpu_limit", 1.0))
        for c in system.components.values()
        if c.get("cluster") == cluster
    )
    return float(spec["nodes"]) * float(spec.get("cpu_per_node", NODE_CPU)) - used


def scale_steps(system: System, wanted: dict[str, int]) -> list[dict[str, Any]]:
    """Scale-outs to ``wanted`` replicas, with the nodes their clusters need added first."""
    extra: dict[str, float] = {}
    for name, n in wanted.items():
        comp = system.components[name]
        cl = comp.get("cluster")
        if cl:
            extra[cl] = extra.get(cl, 0.0) + (n - int(comp["replicas"])) * float(
                comp.get("cpu_limit", 1.0)
            )
    steps: list[dict[str, Any]] = []
    for cl, cores in sorted(extra.items()):
        short = cores - cluster_room(system, cl) * 0.9
        if short > 0:
            spec = next(c for c in system.clusters if c["name"] == cl)
            count = math.ceil(short / float(spec.get("cpu_per_node", NODE_CPU))) + 1
            steps.append({"action": "add-nodes", "target": cl, "count": count})
    steps += [
        {"action": "scale", "target": name, "replicas": n} for name, n in sorted(wanted.items())
    ]
    return steps


def headroom(system: System, load: dict[str, float], most: float = 0.5) -> None:
    """Give the components the reference cannot scale (gateways, caches, queues, third
    parties) room for ``load``: retries and bursts land on them too."""
    for name in system.of_kind(*FIXED):
        comp = system.components[name]
        if "capacity" in comp and load[name] > _capacity(system, name) * most:
            comp["capacity"] = float(math.ceil(load[name] / max(int(comp["replicas"]), 1) / most))


def no_retries_into(system: System, name: str) -> None:
    """Callers of ``name`` do not retry (a saturated callee then recovers once its cause
    is gone instead of being held down by retries)."""
    for d in system.deps:
        if d["to"] == name:
            d.pop("retries", None)


def journeys_of(system: System, name: str) -> list[str]:
    return [j["name"] for j in system.journeys_through(name)]


def autoscaled(system: System, name: str) -> bool:
    return bool(system.components[name].get("autoscaling"))


def _pct(x: float) -> int:
    return round(x * 100)


# ------------------------------------------------------------------ traffic


@recipe("traffic-spike")
def traffic_spike(ctx: Ctx) -> Plan:
    s = ctx.system
    base = utilisation(s)
    options = []
    for j in s.journeys:
        reach = s.reach(j)
        if any(autoscaled(s, n) for n in reach):
            continue
        options.append(j)
    if not options:
        raise NoFit("every journey has an autoscaled service")
    journey = options[ctx.rng.randrange(len(options))]
    entry = journey["entry"]
    factor = round(2.6 + 1.4 * ctx.intensity, 1)
    load = loads_with(s, {journey["name"]: factor})
    util = {n: load[n] / _capacity(s, n) for n in s.components}
    if util[entry] < 1.1:
        set_util(s, entry, max(base[entry], 0.45))
        load = loads_with(s, {journey["name"]: factor})
        util = {n: load[n] / _capacity(s, n) for n in s.components}
    headroom(s, load)
    hot = [n for n in s.components if s.kind(n) in SCALABLE and util[n] > 0.85]
    if entry not in hot:
        raise NoFit("the spike does not saturate its entry")
    worst = loads_with(s, {journey["name"]: factor}, retrying=True)
    headroom(s, worst, 0.9)
    wanted = {n: replicas_for(s, n, load[n], worst[n]) for n in hot}
    others = [n for n in hot if n != entry]
    chain: list[dict[str, Any]] = [
        {
            "component": entry,
            "what": f"{journey['name']} requests arrive at {factor} times the usual rate "
            "(a marketing push nobody announced)",
            "at": ctx.at,
        },
        {
            "component": entry,
            "what": f"{entry} runs past its capacity: requests queue and time out",
        },
    ]
    for n in others:
        chain.append({"component": n, "what": "the extra calls saturate it too"})
    return Plan(
        kind="traffic-spike",
        root=entry,
        faults=[
            {
                "kind": "traffic-spike",
                "target": entry,
                "at": ctx.at,
                "journey": journey["name"],
                "factor": factor,
            }
        ],
        chain=chain,
        solution=scale_steps(s, wanted),
        summary=(
            f"{journey['name']} traffic rose to {factor} times its usual rate with no change on "
            f"our side. {entry}"
            + (f" and {', '.join(others)}" if others else "")
            + " ran out of capacity, queued and failed requests. Scaling out to the new demand "
            "brought the errors down."
        ),
        signals=[
            f"the request rate of {journey['name']} at the gateway jumped while the others "
            "stayed flat",
            f"{entry}'s utilisation and latency rose with its traffic, not with a change",
            "errors per request rose only once the replicas were saturated",
        ],
        journeys=[journey["name"]],
        questions=[
            {
                "question": f"{journey['name']} traffic multiplied in minutes. Scale out, shed "
                "load or rate-limit: which first, and what would you want in place next time?",
                "topics": ["scalability-ha", "cost-reliability"],
                "answer": "Scale out when the demand is real and the cluster has room, since "
                "shedding turns users away; shed or rate-limit when capacity cannot arrive in "
                "time. Next time: an autoscaler with headroom and a capacity alert ahead of "
                "the saturation.",
            }
        ],
    )


# ------------------------------------------------------------------ caches


def _cache_and_store(ctx: Ctx) -> tuple[str, str, dict[str, float]]:
    """A cache some journey needs and the store behind it, with the store's load when the
    cache answers nothing."""
    s = ctx.system
    options = []
    for cache in s.on_journeys("cache"):
        stores = [n for n in s.callees(cache) if s.kind(n) in SCALABLE]
        if len(stores) == 1 and not autoscaled(s, stores[0]):
            options.append((cache, stores[0]))
    if not options:
        raise NoFit("no cache with a store behind it")
    cache, store = options[ctx.rng.randrange(len(options))]
    comp = s.components[cache]
    comp["hit_ratio"] = hit = float(comp.get("hit_ratio", 0.9))
    comp["hit_ratio"] = 0.0
    try:
        cold = loads(s)
    finally:
        comp["hit_ratio"] = hit
    return cache, store, cold


@recipe("cache-flush", needs=("cache",))
def cache_flush(ctx: Ctx) -> Plan:
    s = ctx.system
    cache, store, cold = _cache_and_store(ctx)
    warm = loads(s)
    if cold[store] / _capacity(s, store) < 1.4:
        set_util(s, store, 1.5 * warm[store] / cold[store] + 0.02 * ctx.intensity)
    ratio = cold[store] / _capacity(s, store)
    if ratio < 1.4:
        raise NoFit(f"{store} could carry {cache}'s misses")
    # a big keyspace: the cache refills over about an hour of its own reads
    s.components[cache]["keyspace_reads"] = float(math.ceil(warm[cache] * 3600 / 1000) * 1000)
    headroom(s, cold)
    old, new = "cache.r6g.xlarge", "cache.r7g.xlarge"
    ctx.config(cache, "node_type", new, old, ctx.at, author="platform-maintenance")
    hit = s.components[cache]["hit_ratio"]
    return Plan(
        kind="cache-flush",
        root=cache,
        faults=[{"kind": "cache-flush", "target": cache, "at": ctx.at, "onset": {"shape": "step"}}],
        chain=[
            {
                "component": cache,
                "what": f"maintenance replaces its nodes with {new} ones holding no keys: the "
                "hit ratio drops to zero",
                "at": ctx.at,
            },
            {
                "component": store,
                "what": f"every read now reaches {store}, about {ratio:.1f} times what it can "
                "serve: queues grow past its callers' timeouts",
            },
            {
                "component": cache,
                "what": f"the cache fills only from the reads {store} answers, so it stays cold "
                "while the store is saturated",
            },
            *ctx.spread(cache),
        ],
        solution=[{"action": "warm-cache", "target": cache}],
        summary=(
            f"A maintenance swap brought up {cache} on new nodes with no keys. Every read fell "
            f"through to {store}, sized for the {_pct(1 - hit)} % of misses, which saturated and "
            "timed out; the cache could only refill from the reads the store answered, so it "
            f"stayed cold. Warming {cache}'s hot keys brought the hit ratio back and the store "
            "recovered."
        ),
        signals=[
            f"{cache}'s hit ratio fell from {_pct(hit)} % to zero at the maintenance",
            f"{store}'s request rate jumped by the missing hits and its latency followed",
            "no deploy touched the failing path; the traffic was the usual",
        ],
        journeys=ctx.hurt_journeys(cache),
        questions=[
            {
                "question": f"{cache} came back empty and its store cannot fill it. Why does the "
                "cache not warm up by itself, and what breaks the loop?",
                "topics": ["scalability-ha"],
                "answer": "A cache fills from answered misses; a saturated store answers few, so "
                "the cache stays cold and the store stays saturated. Pre-load the hot keys (or "
                "add store capacity until the hit ratio recovers, or shed part of the reads), "
                "and swap cache nodes one at a time so most keys survive.",
            }
        ],
    )


@recipe("cache-stampede", needs=("cache",))
def cache_stampede(ctx: Ctx) -> Plan:
    s = ctx.system
    cache, store, cold = _cache_and_store(ctx)
    warm = loads(s)
    if cold[store] / _capacity(s, store) < 1.4:
        set_util(s, store, 1.5 * warm[store] / cold[store])
    ratio = cold[store] / _capacity(s, store)
    if ratio < 1.4:
        raise NoFit(f"{store} could carry {cache}'s misses")
    # a few minutes of reads refill the keys: the hit ratio saws up and down with each expiry
    s.components[cache]["keyspace_reads"] = float(math.ceil(warm[cache] * 240 / 1000) * 1000)
    headroom(s, cold)
    ttl = ctx.rng.choice([300.0, 300.0, 600.0])
    expired = round(0.7 + 0.25 * ctx.intensity, 2)
    ctx.config(cache, "ttl_jitter", "0s", f"{int(ttl / 5)}s", ctx.at)
    return Plan(
        kind="cache-stampede",
        root=cache,
        faults=[
            {
                "kind": "cache-stampede",
                "target": cache,
                "at": ctx.at,
                "ttl": ttl,
                "expired": expired,
                "onset": {"shape": "step"},
            }
        ],
        chain=[
            {
                "component": cache,
                "what": f"the TTL jitter is set to 0: the hot keys, written together, now expire "
                f"together every {int(ttl / 60)} minutes",
                "at": ctx.at,
            },
            {
                "component": store,
                "what": f"each expiry sends the misses of every hot key at once to {store}, "
                f"about {ratio:.1f} times what it serves: it queues and times out",
            },
            *ctx.spread(cache),
        ],
        solution=[{"action": "warm-cache", "target": cache}],
        summary=(
            f"A config change removed the TTL jitter on {cache}, so its hot keys expired "
            f"together every {int(ttl / 60)} minutes. Each expiry sent a stampede of misses to "
            f"{store}, which saturated and failed reads until the keys were back. Warming the "
            "cache with jittered expiry spread the expiries out again."
        ),
        signals=[
            f"{cache}'s hit ratio dropped in a saw-tooth, every {int(ttl / 60)} minutes",
            f"{store}'s load and latency spiked at each drop",
            "the errors came in waves, not as a steady rate",
        ],
        journeys=ctx.hurt_journeys(cache),
        questions=[
            {
                "question": "Why does a cache whose keys all expire together hurt more than "
                "one with the same TTL and random expiry?",
                "topics": ["scalability-ha", "distributed-debugging"],
                "answer": "With aligned expiry every hot key misses at the same moment, so the "
                "store gets all the refill reads at once instead of a trickle; jittered TTLs, "
                "request coalescing or refresh-ahead spread or merge those reads.",
            }
        ],
    )


# ------------------------------------------------------------------ processes


def _service(ctx: Ctx, entries: bool = False) -> str:
    """A service some journey needs (a journey's entry when ``entries``), not autoscaled."""
    s = ctx.system
    names = s.on_journeys("service")
    if entries:
        names = [n for n in names if any(j["entry"] == n for j in s.journeys)]
    names = [n for n in names if not autoscaled(s, n)]
    if not names:
        raise NoFit("no service to host the fault")
    return ctx.choose(names)


@recipe("thundering-herd")
def thundering_herd(ctx: Ctx) -> Plan:
    s = ctx.system
    target = _service(ctx, entries=True)
    # throttled by the handshakes, a replica's capacity shrinks as its CPU demand grows:
    # load / capacity becomes util x util x 0.6 x cost
    util = 0.5
    set_util(s, target, util)
    rho = 1.3 + 0.4 * ctx.intensity
    cost = round(rho / (util * util * 0.6), 1)
    demand = cost * util * 0.6
    fraction = round(min(0.9, 1.0 - 0.7 / demand) + 0.05, 1)
    nodes = ctx.rng.choice(["kernel security patch", "node OS upgrade", "container runtime patch"])
    return Plan(
        kind="thundering-herd",
        root=target,
        faults=[
            {
                "kind": "thundering-herd",
                "target": target,
                "at": ctx.at,
                "handshake_cost": cost,
                "onset": {"shape": "step"},
            }
        ],
        chain=[
            {
                "component": target,
                "what": f"a {nodes} reboots its nodes: every replica restarts at once",
                "at": ctx.at,
            },
            {
                "component": target,
                "what": "every client reconnects at the same moment; TLS handshakes take "
                f"{cost} times a request's CPU and the pods throttle",
            },
            {
                "component": target,
                "what": "throttled pods answer slowly, clients time out and reconnect again: "
                "the herd feeds itself",
            },
            *ctx.spread(target, "slow"),
        ],
        solution=[
            {"action": "shed-load", "target": target, "fraction": fraction},
            {"wait": 180.0},
            {"action": "shed-load", "target": target, "fraction": 0.0},
        ],
        summary=(
            f"A {nodes} restarted every replica of {target} at once. All its clients "
            "reconnected together, and the handshakes saturated its CPU; throttled replicas "
            "timed out, so clients reconnected again and the herd did not die down. Shedding "
            f"{_pct(fraction)} % of the requests for a few minutes let the connections settle; "
            "then the shedding was lifted."
        ),
        signals=[
            f"{target} restarted all its replicas together just before the errors",
            f"{target}'s CPU was pinned and throttled while its request rate was the usual",
            "restarting it again brought the same storm back",
        ],
        journeys=ctx.hurt_journeys(target),
        questions=[
            {
                "question": f"Why did restarting {target} again not help, and what does?",
                "topics": ["scalability-ha", "orchestration"],
                "answer": "A restart drops every connection, so every client reconnects at once "
                "and the herd starts again. Admit fewer requests (shed load or rate-limit) "
                "until the handshakes are done, then lift it; prevent it with jittered client "
                "back-off and rolling node reboots.",
            }
        ],
    )


@recipe("gc-pauses")
def gc_pauses(ctx: Ctx) -> Plan:
    s = ctx.system
    target = _service(ctx)
    comp = s.components[target]
    base = float(comp.get("memory_base_mb", 256.0))
    limit = float(comp.get("memory_limit_mb", 512.0))
    occupancy = 0.96 + 0.03 * ctx.intensity
    live = round(limit * occupancy - base)
    pause = 0.5 * occupancy**6
    util = (1.1 + 0.25 * ctx.intensity) * (1.0 - pause)
    set_util(s, target, round(util, 2))
    no_retries_into(s, target)
    entries = ctx.rng.choice([200000, 250000, 400000])
    key = ctx.rng.choice(["local_cache_entries", "cache.max_entries", "lru.size"])
    ctx.config(target, key, str(entries), str(entries // 4), ctx.at)
    return Plan(
        kind="gc-pauses",
        root=target,
        faults=[
            {
                "kind": "gc-pauses",
                "target": target,
                "at": ctx.at,
                "live_set_mb": float(live),
                "when": {"config": {key: str(entries)}},
            }
        ],
        chain=[
            {
                "component": target,
                "what": f"{key} is raised from {entries // 4} to {entries}: the live heap grows "
                f"by about {live} MB, near the {int(limit)} MB limit",
                "at": ctx.at,
            },
            {
                "component": target,
                "what": "stop-the-world collections come often and last long: pauses take "
                f"about {_pct(pause)} % of every replica's time",
            },
            {
                "component": target,
                "what": "with that capacity gone its queues grow and requests time out",
            },
            *ctx.spread(target, "slow"),
        ],
        solution=[{"action": "revert-config", "target": target, "key": key}],
        summary=(
            f"A config change raised {target}'s in-process cache ({key}) fourfold. The live "
            "heap grew close to the memory limit, so garbage collection ran almost all the "
            "time and paused the process; the pauses took capacity away and requests queued "
            "past their timeouts. Reverting the setting shrank the heap and the pauses stopped."
        ),
        signals=[
            f"{target}'s memory sat just under its limit after the {key} change",
            f"{target}'s latency and utilisation rose with the same traffic",
            "no pod was OOMKilled: the process was paused, not killed",
        ],
        journeys=ctx.hurt_journeys(target),
        questions=[
            {
                "question": "Memory is below the limit and nothing is OOMKilled, yet the service "
                "is slow. How can memory still be the cause?",
                "topics": ["observability", "scalability-ha"],
                "answer": "A heap near its limit makes a garbage-collected runtime collect "
                "constantly; stop-the-world pauses take CPU time and stall requests. GC pause "
                "time or heap-after-GC shows it; shrink the live set or raise the limit.",
            }
        ],
    )


@recipe("fd-exhaustion")
def fd_exhaustion(ctx: Ctx) -> Plan:
    s = ctx.system
    target = _service(ctx)
    comp = s.components[target]
    per_replica = loads(s)[target] / max(int(comp["replicas"]), 1)
    minutes = round(14 - 6 * ctx.intensity)
    per_1k = round(65536 / (minutes * 60.0 * per_replica) * 1000.0, -1)
    _, new = ctx.bump(target)
    note = ctx.rng.choice(
        ["HTTP client per request", "new webhook sender", "upload to object storage"]
    )
    ctx.deploy(target, new, ctx.at, note=note, duration=180.0)
    return Plan(
        kind="fd-exhaustion",
        root=target,
        faults=[
            {
                "kind": "fd-exhaustion",
                "target": target,
                "at": ctx.at,
                "per_1k_requests": per_1k,
                "when": {"version": new},
            }
        ],
        chain=[
            {
                "component": target,
                "what": f"{new} opens a connection per request and never closes it",
                "at": ctx.at,
            },
            {
                "component": target,
                "what": f"open file descriptors climb with traffic and reach the 65,536 limit "
                f"about {minutes} minutes later: every new socket fails",
            },
            *ctx.spread(target),
        ],
        solution=[{"action": "rollback", "target": target}],
        summary=(
            f"{target} {new} leaked a file descriptor on most requests. After about {minutes} "
            "minutes each process reached its descriptor limit and every request that needed "
            "a new socket failed with 'too many open files'. A restart only reset the count; "
            f"rolling {target} back stopped the leak."
        ),
        signals=[
            f"{target}'s open descriptors climbed steadily from the {new} rollout",
            f"{target}'s logs said 'too many open files' once the errors began",
            "a restart cleared the errors for a while, then they came back",
        ],
        journeys=ctx.hurt_journeys(target),
        questions=[
            {
                "question": "A restart fixed it for ten minutes. Why is that a clue, and why is "
                "it not the fix?",
                "topics": ["containers", "alerting-runbooks"],
                "answer": "Errors that vanish on restart and return at the same pace mean "
                "something accumulates per request: a leak. The restart resets the count, not "
                "the cause; roll back the version that leaks and alert on descriptors against "
                "the limit.",
            }
        ],
    )
