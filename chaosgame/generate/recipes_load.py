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
SATURATED = 3
"""The most services besides its entry a traffic spike saturates (the rest keep up)."""
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


def ancestors(system: System, name: str) -> list[str]:
    """Every component that calls ``name``, directly or through others (synchronously)."""
    seen: list[str] = []
    todo = [name]
    while todo:
        for c in system.callers(todo.pop()):
            if c not in seen:
                seen.append(c)
                todo.append(c)
    return seen


def journeys_of(system: System, name: str) -> list[str]:
    return [j["name"] for j in system.journeys_through(name)]


def autoscaled(system: System, name: str) -> bool:
    return bool(system.components[name].get("autoscaling"))


def _pct(x: float) -> int:
    return round(x * 100)


PAGE_DELAY = 120.0
"""How long after the onset a fault that hurts at once pages (the generator's first innocent
change lands within 90 s of the onset: it is then the newest change when the page comes)."""


def sync_pipeline(
    ctx: Ctx, owner: str, changes: list[str], enforces: list[dict[str, str]] | None = None
) -> str:
    """A GitOps sync that carries out ``changes`` and re-applies them (and ``enforces``) every
    five minutes: a revert by hand lasts until its next run unless it is paused first."""
    name = f"{owner}-config-sync"
    entry: dict[str, Any] = {
        "name": name,
        "description": f"the {owner} team's config repository, synced to the fleet",
        "every": 300.0,
        "start": ctx.at + 240.0,
    }
    if changes:
        entry["changes"] = changes
    if enforces:
        entry["enforces"] = enforces
    ctx.extra.setdefault("pipelines", []).append(entry)
    return name


def time_in_system(service_time: float, rho: float, servers: int) -> float:
    """Mean time in system of an M/M/c queue, the engine's law (Sakasegawa's formula)."""
    c = max(servers, 1)
    wait: float = rho ** (math.sqrt(2.0 * (c + 1)) - 1.0) / (c * (1.0 - rho))
    return service_time * (1.0 + wait)


def page_late(ctx: Ctx) -> None:
    """Page :data:`PAGE_DELAY` after the onset, for a fault whose own change is the onset and
    whose harm would page before the generator's innocent change lands."""
    ctx.extra["page_at"] = ctx.at + PAGE_DELAY


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
    # anything the spike takes past 70 %: traffic wobbles, and a saturated callee's retries
    # would hold it there
    hot = [n for n in s.components if s.kind(n) in SCALABLE and util[n] > 0.7]
    if entry not in hot:
        raise NoFit("the spike does not saturate its entry")
    worst = loads_with(s, {journey["name"]: factor}, retrying=True)
    # a spike that saturates half the fleet takes longer to scale out than the incident
    # lasts: the services past the few hottest were sized for a busy day and keep up
    spare = sorted((n for n in hot if n != entry), key=lambda n: (-util[n], n))[SATURATED:]
    for n in spare:
        comp = s.components[n]
        most = max(load[n] / 0.6, worst[n] / 0.8)
        comp["capacity"] = float(math.ceil(most / max(int(comp["replicas"]), 1)))
    hot = [n for n in hot if n not in spare]
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


def _service(ctx: Ctx, entries: bool | None = None) -> str:
    """A service some journey needs, not autoscaled (a journey's entry when ``entries``,
    anything but one when it is False)."""
    s = ctx.system
    names = s.on_journeys("service", entries=bool(entries))
    if entries is not None:
        names = [n for n in names if any(j["entry"] == n for j in s.journeys) == entries]
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
    # so heavy that twice the replicas still throttle and saturate: a scale-out alone does
    # not end the herd
    rho = 4.4 + 0.8 * ctx.intensity
    cost = round(rho / (util * util * 0.6), 1)
    demand = cost * util * 0.6
    # shed enough that the handshakes fit in the CPU limit: then the herd ends
    fraction = min(0.95, math.ceil((1.0 - 0.8 / demand) * 20) / 20)
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
    for name in [target, *ancestors(s, target)]:
        no_retries_into(s, name)
    entries = ctx.rng.choice([200000, 250000, 400000])
    key = ctx.rng.choice(["local_cache_entries", "cache.max_entries", "lru.size"])
    change = ctx.config(target, key, str(entries), str(entries // 4), ctx.at)
    page_late(ctx)
    team = str(comp.get("team", "service"))
    pipeline = sync_pipeline(ctx, team, [change])
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
                "onset": {"shape": "step"},
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
        solution=[
            {"action": "pause-pipeline", "target": pipeline},
            {"action": "revert-config", "target": target, "key": key},
        ],
        summary=(
            f"A config change raised {target}'s in-process cache ({key}) fourfold. The live "
            "heap grew close to the memory limit, so garbage collection ran almost all the "
            "time and paused the process; the pauses took capacity away and requests queued "
            f"past their timeouts. The change came from {pipeline}, which re-applies it every "
            "five minutes: pausing the sync and reverting the setting shrank the heap and the "
            "pauses stopped."
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


# ------------------------------------------------------------------ orchestration


@recipe("readiness-never-passes")
def readiness_never_passes(ctx: Ctx) -> Plan:
    s = ctx.system
    target = _service(ctx)
    unavailable = round(0.5 + 0.25 * ctx.intensity, 2)
    util = utilisation(s)[target]
    want = min(0.65, 1.35 * (1.0 - unavailable))
    if util < want:
        set_util(s, target, round(want, 2))
    for name in [target, *ancestors(s, target)]:
        no_retries_into(s, name)
    _, new = ctx.bump(target)
    note = ctx.rng.choice(["health endpoint checks the new config", "readiness gate on warm-up"])
    ctx.deploy(target, new, ctx.at, note=note, duration=300.0)
    return Plan(
        kind="readiness-never-passes",
        root=target,
        faults=[
            {
                "kind": "readiness-never-passes",
                "target": target,
                "at": ctx.at,
                "version": new,
                "duration": 300.0,
                "max_unavailable": unavailable,
            }
        ],
        chain=[
            {
                "component": target,
                "what": f"{new}'s readiness probe never passes: its new pods start but never "
                "join the load balancer",
                "at": ctx.at,
            },
            {
                "component": target,
                "what": f"the rolling update takes old pods away as new ones start: up to "
                f"{_pct(unavailable)} % of the replicas serve nothing",
            },
            {
                "component": target,
                "what": "the pods left in rotation take all the traffic, saturate and time out",
            },
            *ctx.spread(target),
        ],
        solution=[{"action": "rollback", "target": target}],
        summary=(
            f"{target} {new}'s readiness probe never passed, so its new pods never took "
            f"traffic while the rollout removed old ones: {_pct(unavailable)} % of the "
            "capacity was gone and the remaining pods saturated. Nothing restarted, which is "
            f"why restarts did not help. Rolling {target} back returned ready pods."
        ),
        signals=[
            f"{target}'s ready replicas fell below the desired count during the {new} rollout",
            f"the timeline showed 'Readiness probe failed' for {new}'s pods",
            f"{target}'s remaining pods ran at full utilisation with the usual traffic",
        ],
        journeys=ctx.hurt_journeys(target),
        questions=[
            {
                "question": "Pods are Running but not Ready, and nothing restarts. What does "
                "that tell you, and which setting limited the damage?",
                "topics": ["orchestration", "deploy-strategies"],
                "answer": "Readiness only removes pods from the load balancer; it never "
                "restarts them, so a bad probe or a bad version starves capacity silently. "
                "maxUnavailable bounds how much of the old capacity a rollout may take away; a "
                "progress deadline should halt it. Roll back.",
            }
        ],
    )


@recipe("node-failure")
def node_failure(ctx: Ctx) -> Plan:
    s = ctx.system
    options = [n for n in s.on_journeys("service") if s.cluster_of(n) and not autoscaled(s, n)]
    if not options:
        raise NoFit("no clustered service")
    target = ctx.choose(options)
    cluster = str(s.cluster_of(target))
    nodes = max(int(next(c for c in s.clusters if c["name"] == cluster)["nodes"]), 2)
    load = loads(s)
    comp = s.components[target]
    # two pods, one on the node that dies: the other must carry twice its share
    comp["replicas"] = replicas = 2
    lost = 1
    set_util(s, target, round((1.2 + 0.2 * ctx.intensity) / 2, 2))
    for name in [target, *ancestors(s, target)]:
        no_retries_into(s, name)
    # the node's other pods leave room behind: only the target is short of capacity
    for name, other in s.components.items():
        if name == target or other.get("cluster") != cluster:
            continue
        r = int(other.get("replicas", 1))
        gone = math.ceil(r / nodes)
        if r - gone < 1:
            other["replicas"] = r = gone + 1
        if load[name] / (float(other.get("capacity", 100.0)) * (r - gone)) > 0.6:
            other["capacity"] = float(math.ceil(load[name] / (r - gone) / 0.6))
    # a cache that loses pods loses their keys: what it stores behind must take the misses
    caches = [n for n in s.of_kind("cache") if s.cluster_of(n) == cluster]
    saved = {n: s.components[n].get("hit_ratio", 0.9) for n in caches}
    for n in caches:
        s.components[n]["hit_ratio"] = 0.0
    cold = loads(s)
    for n in caches:
        s.components[n]["hit_ratio"] = saved[n]
    stores = {d for n in caches for d in s.callees(n)} - {target}
    for name in stores:
        other = s.components[name]
        if "capacity" in other and cold[name] > _capacity(s, name) * 0.7:
            other["capacity"] = float(math.ceil(cold[name] / max(int(other["replicas"]), 1) / 0.7))
    eviction = 3600.0
    return Plan(
        kind="node-failure",
        root=target,
        faults=[
            {
                "kind": "node-failure",
                "target": target,
                "at": ctx.at,
                "eviction": eviction,
                "onset": {"shape": "step"},
            }
        ],
        chain=[
            {
                "component": target,
                "what": f"a node of {cluster} stops responding; {lost} of {target}'s "
                f"{replicas} pods were on it",
                "at": ctx.at,
            },
            {
                "component": target,
                "what": "the lost pods wait out the eviction timeout instead of starting "
                "elsewhere; the rest take all the traffic and saturate",
            },
            *ctx.spread(target),
        ],
        solution=[{"action": "drain-node", "target": cluster}],
        summary=(
            f"A node of {cluster} died. {target} lost {lost} of its {replicas} pods, which "
            "stayed bound to the dead node until the hour-long eviction timeout, and the pods "
            "left could not carry the traffic. Draining the node restarted its pods on the "
            "healthy nodes."
        ),
        signals=[
            f"{target}'s ready replicas dropped at once, with no deploy or restart of its own",
            f"the timeline showed a node of {cluster} NotReady and pods of several components "
            "lost with it",
            f"{target}'s remaining pods ran at full utilisation",
        ],
        journeys=ctx.hurt_journeys(target),
        questions=[
            {
                "question": "Why did the pods on the dead node not come back by themselves, "
                "and what should the platform do about it?",
                "topics": ["orchestration", "incident-response"],
                "answer": "Pods on an unreachable node are only evicted after the eviction "
                "timeout; until then the scheduler does not replace them. Drain (or delete) "
                "the node to reschedule now; spread replicas across nodes and keep N+1 "
                "capacity so one node's loss does not saturate a service.",
            }
        ],
    )


@recipe("stale-dns")
def stale_dns(ctx: Ctx) -> Plan:
    s = ctx.system
    options = []
    for name in s.on_journeys("service", "database"):
        callers = s.callers(name)
        if not callers or any(s.kind(c) not in ("service", "worker") for c in callers):
            continue
        if not any(s.journeys_through(c) for c in callers):
            continue
        options.append(name)
    if not options:
        raise NoFit("no service called by services only")
    many = [n for n in options if len(s.callers(n)) >= 2]
    target = ctx.choose(many or options)
    callers = s.callers(target)
    share = round(0.35 + 0.4 * ctx.intensity, 2)
    moved = ctx.at - 300.0
    what = ctx.rng.choice(["node pool upgrade", "move to a new subnet", "cluster migration"])
    return Plan(
        kind="stale-dns",
        root=target,
        faults=[
            {
                "kind": "stale-dns",
                "target": target,
                "at": ctx.at,
                "stale_share": share,
                "onset": {"shape": "ramp", "ramp": 300.0},
            }
        ],
        chain=[
            {
                "component": target,
                "what": f"a {what} reschedules {target}'s pods: they come back on new "
                "addresses and the old ones go dark",
                "at": moved if moved > 0 else None,
            },
            *(
                {
                    "component": c,
                    "what": f"keeps {target}'s old addresses cached for the life of its "
                    f"processes: about {_pct(share)} % of its calls go nowhere and time out",
                }
                for c in callers
            ),
            *ctx.spread(callers[0]),
        ],
        solution=[{"action": "restart", "target": c, "rolling": True} for c in callers],
        summary=(
            f"A {what} moved {target}'s pods to new addresses. Its callers "
            f"({', '.join(callers)}) had resolved the old ones and kept them, so about "
            f"{_pct(share)} % of their calls went to addresses nobody answered and timed out, "
            f"while {target} itself was healthy. Restarting the callers made them resolve "
            "again."
        ),
        signals=[
            f"calls to {target} failed with connect timeouts while {target}'s own metrics "
            "showed no errors and less traffic",
            f"every caller of {target} failed alike, whatever its version",
            "restarted callers stopped failing",
        ],
        journeys=sorted({j for c in callers for j in ctx.hurt_journeys(c)}),
        questions=[
            {
                "question": f"{target} is healthy, yet its callers cannot reach it. What do "
                "you check, and what keeps this from happening again?",
                "topics": ["orchestration", "distributed-debugging"],
                "answer": "Compare the addresses the callers use with the endpoints the service "
                "has now; a connect timeout to a healthy service points to a stale address. "
                "Restart or re-resolve the callers now; honour DNS TTLs and refresh "
                "connection pools so moved endpoints are picked up.",
            }
        ],
    )


@recipe("strict-liveness-probe")
def strict_liveness_probe(ctx: Ctx) -> Plan:
    s = ctx.system
    # behind callers with short timeouts: a saturated survivor's queue stays shorter than the
    # probe's usual timeout, so once the timeout is back the restarts stop
    target = _service(ctx, entries=False)
    comp = s.components[target]
    comp["liveness"] = {"timeout": 5.0, "failure_threshold": 3}
    replicas = int(comp["replicas"])
    service_time = float(comp.get("service_time", 0.02))
    if service_time < 0.02:
        comp["service_time"] = service_time = 0.02
    util = 0.45
    set_util(s, target, util)
    # the busiest hour: the journey that brings it the most traffic rises until the target
    # runs at about 82 % (which it serves well)
    journey, share = main_journey(s, target)
    name = journey["name"]
    factor = factor_for(util, share, 0.82, most=3.5)
    # a timeout between the time in system at the usual load and at the peak: harmless for
    # days, fatal at the peak
    timeout = round(time_in_system(service_time, 0.64, replicas), 4)
    ms = round(timeout * 1000, 1)
    for n in [target, *ancestors(s, target)]:
        no_retries_into(s, n)
    absorb(s, loads_with(s, {name: factor}), {target})
    journey.setdefault("spikes", []).append({"at": ctx.at, "duration": 5400.0, "factor": factor})
    # the fault acts from the window's start (its change is days old): the page comes with
    # the harm at the peak
    page_late(ctx)
    days = ctx.rng.choice([2, 3, 4, 6])
    return Plan(
        kind="strict-liveness-probe",
        root=target,
        faults=[
            {
                "kind": "strict-liveness-probe",
                "target": target,
                "at": -days * 86400.0,
                "timeout": timeout,
                "onset": {"shape": "step"},
            }
        ],
        chain=[
            {
                "component": target,
                "what": f"a platform config push {days} days ago set its liveness probe "
                f"timeout to {ms:g} ms, just above its usual response time",
            },
            {
                "component": target,
                "what": f"the {name} peak arrives: queueing pushes its response time past "
                f"{ms:g} ms and the probes fail",
                "at": ctx.at,
            },
            {
                "component": target,
                "what": "the kubelet restarts pods that were slow but healthy; their load moves "
                "to the survivors, which fail the probe too: restarts cascade with back-off",
            },
            *ctx.spread(target),
        ],
        solution=[{"action": "revert-config", "target": target, "key": "liveness_timeout"}],
        summary=(
            f"{days} days earlier a platform push set {target}'s liveness probe timeout to "
            f"{ms:g} ms, a little above its response time at the usual load. At the {name} peak "
            "queueing made it slower than that; the kubelet killed pods that were busy but "
            "healthy, the survivors took their load and were killed in turn. Reverting the "
            "probe timeout stopped the restarts."
        ),
        signals=[
            f"{target}'s restart count climbed with 'Liveness probe failed' in the timeline",
            f"{target}'s pods were neither out of memory nor crashing on their own",
            f"the restarts began with the {name} peak, not with a change",
        ],
        journeys=ctx.hurt_journeys(target),
        questions=[
            {
                "question": "What should a liveness probe check, and how should its timeout be "
                "chosen?",
                "topics": ["orchestration", "containers"],
                "answer": "Only that the process is alive and can make progress, not request "
                "latency or dependencies; its timeout must sit well above the slowest healthy "
                "response under peak load, or the probe kills busy pods and turns load into "
                "an outage.",
            }
        ],
    )


def _retried_pair(ctx: Ctx) -> tuple[str, str, float]:
    """A service and a service it needs in its region, the caller on some journey's path and
    the source of most of the callee's load (so its retries alone can saturate it), with the
    caller's share of that load."""
    s = ctx.system
    load = loads(s)
    pairs = []
    for d in s.deps:
        src, dst = d["from"], d["to"]
        if d.get("mode", "sync") != "sync" or not d.get("required", True):
            continue
        # a database behind a connection pool never sees more calls than the pool allows
        if s.kind(src) != "service" or s.kind(dst) != "service":
            continue
        if s.region_of(src) != s.region_of(dst) or autoscaled(s, dst):
            continue
        if not s.journeys_through(src):
            continue
        share = load[src] * float(d.get("calls", 1.0)) / max(load[dst], 1e-9)
        pairs.append((share, src, dst))
    most = [(a, b, share) for share, a, b in pairs if share >= 0.7]
    if not most:
        most = [(a, b, share) for share, a, b in sorted(pairs, reverse=True) if share >= 0.45][:1]
    if not most:
        raise NoFit("no service carries most of another's load")
    return most[ctx.rng.randrange(len(most))]


STORM_LOAD = 1.25
"""A saturated callee fails about half its calls, so the caller retrying sends about twice its
share: the storm feeds itself when ``util x (1 + share)`` is at least this (the baseline load
plus the retried share clearly above capacity; at 1.1 it drains within minutes)."""
STORM_UTIL = 0.84
"""The busiest a retry storm's callee is on a normal day (a low share needs a busy callee)."""


def storm_util(share: float, intensity: float) -> float:
    """The callee's normal-day utilisation: busy enough that the attempts the caller retries,
    at its ``share`` of the callee's load, keep the callee saturated after the blip."""
    return round(
        min(max(0.66 + 0.06 * intensity, STORM_LOAD / (1.0 + min(share, 1.0))), STORM_UTIL), 2
    )


@recipe("retry-storm")
def retry_storm(ctx: Ctx) -> Plan:
    s = ctx.system
    caller, callee, share = _retried_pair(ctx)
    retries = 4 + round(2 * ctx.intensity)
    # busy enough that retried attempts alone exceed its capacity once calls fail
    set_util(s, callee, storm_util(share, ctx.intensity))
    # the caller's new policy is the only retrying on the way to the callee
    for name in [callee, *ancestors(s, callee)]:
        no_retries_into(s, name)
    blip = ctx.rng.choice([60.0, 90.0])
    blip_error = round(0.6 + 0.3 * ctx.intensity, 2)
    worst = loads_with(s, {}, retrying=True)
    headroom(s, worst)
    page_late(ctx)
    return Plan(
        kind="retry-storm",
        root=caller,
        faults=[
            {
                "kind": "retry-storm",
                "target": caller,
                "at": ctx.at,
                "to": callee,
                "retries": retries,
                "blip": blip,
                "blip_error": blip_error,
                "onset": {"shape": "step"},
            }
        ],
        chain=[
            {
                "component": caller,
                "what": f"a config push raises its retries of calls to {callee} to {retries}, "
                "with no back-off budget",
                "at": ctx.at,
            },
            {
                "component": callee,
                "what": f"a {int(blip)}-second blip fails some calls; each failed call is tried "
                f"up to {retries + 1} times, and the extra attempts saturate {callee}",
            },
            {
                "component": callee,
                "what": "saturated, it times out more calls, which are retried again: the storm "
                "outlives the blip",
            },
            *ctx.spread(callee),
        ],
        solution=[{"action": "disable-retries", "target": caller, "to": callee}],
        summary=(
            f"A config push raised {caller}'s retries to {callee} to {retries}. A short blip "
            f"made {caller} retry, the extra attempts saturated {callee}, and saturated it "
            "failed more calls, which were retried again: the storm fed itself long after the "
            f"blip. Turning off {caller}'s retries to {callee} let it drain and recover."
        ),
        signals=[
            f"{callee}'s offered load was several times {caller}'s request rate",
            f"the retries change on {caller} shortly before the storm",
            f"{callee}'s errors began with a short blip and never came back down",
        ],
        journeys=ctx.hurt_journeys(caller),
        questions=[
            {
                "question": f"The blip lasted a minute; why did {callee} stay down, and what "
                "retry policy would have kept it up?",
                "topics": ["scalability-ha", "incident-response"],
                "answer": "Retries multiply load exactly when the callee is weakest, so a "
                "saturated callee stays saturated (a metastable failure). Retry few times, with "
                "exponential back-off and jitter, under a retry budget (say 10 % of requests), "
                "and at one layer only.",
            }
        ],
    )


@recipe("metastable-overload")
def metastable_overload(ctx: Ctx) -> Plan:
    s = ctx.system
    options = [
        j for j in s.journeys if s.kind(j["entry"]) == "service" and not autoscaled(s, j["entry"])
    ]
    if not options:
        raise NoFit("no journey enters at a plain service")
    journey = options[ctx.rng.randrange(len(options))]
    entry, gateway = journey["entry"], journey["via"]
    # busy enough that retried attempts alone exceed its capacity once it fails
    util = 0.68 + 0.04 * ctx.intensity
    set_util(s, entry, round(util, 2))
    retries = 5
    edge = s.dep(gateway, entry)
    if edge is None:
        edge = {"from": gateway, "to": entry}
        s.deps.append(edge)
    below = [float(d.get("timeout", 1.0)) for d in s.deps if d["from"] == entry]
    edge["timeout"] = round(max(1.0, 1.2 * max(below, default=0.0)), 1)
    edge["retries"] = {"count": retries, "backoff": 0.05}
    worst = loads_with(s, {}, retrying=True)
    headroom(s, worst)
    factor = round(2.5 + 1.0 * ctx.intensity, 1)
    trigger = 120.0
    return Plan(
        kind="metastable-overload",
        root=entry,
        faults=[
            {
                "kind": "metastable-overload",
                "target": entry,
                "at": ctx.at,
                "journey": journey["name"],
                "factor": factor,
                "trigger": trigger,
                "onset": {"shape": "step"},
            }
        ],
        chain=[
            {
                "component": entry,
                "what": f"a two-minute burst of {journey['name']} requests ({factor} times the "
                "usual rate) saturates it",
                "at": ctx.at,
            },
            {
                "component": gateway,
                "what": f"retries each failed request up to {retries} more times: {entry} gets "
                "several attempts per request",
            },
            {
                "component": entry,
                "what": "the retries alone keep it past capacity after the burst is over; it "
                "stays saturated at normal traffic",
            },
        ],
        solution=[{"action": "disable-retries", "target": gateway, "to": entry}],
        summary=(
            f"A two-minute burst of {journey['name']} traffic saturated {entry}. {gateway} "
            f"retried every failed request up to {retries} times, so even after the burst "
            f"{entry} received several attempts per request and never caught up: the overload "
            f"sustained itself. Turning off {gateway}'s retries to {entry} let its queue drain."
        ),
        signals=[
            f"{entry}'s offered load stayed several times the users' request rate after the "
            "burst had passed",
            "the overload began with a short burst of traffic and outlived it",
            "no deploy or config change came before the errors",
        ],
        journeys=ctx.hurt_journeys(entry),
        questions=[
            {
                "question": "The trigger is gone but the system stays down. Why would adding a "
                "few replicas not be enough, and what is?",
                "topics": ["scalability-ha", "incident-response"],
                "answer": "The load that keeps it down is the retries, which grow with the "
                "failure rate: capacity must exceed the retried load, not the users' load, to "
                "escape. Cutting the amplification (disable retries, shed load) drops the load "
                "below capacity so it recovers; retry budgets prevent it.",
            }
        ],
    )


def absorb(system: System, load: dict[str, float], spare: set[str], most: float = 0.6) -> None:
    """Give every component but ``spare`` the capacity to serve ``load`` at ``most`` of it
    (only the fault's own target is meant to run short)."""
    headroom(system, load, most)
    for name in system.of_kind(*SCALABLE):
        comp = system.components[name]
        if name in spare or "capacity" not in comp:
            continue
        if load[name] > _capacity(system, name) * most:
            comp["capacity"] = float(math.ceil(load[name] / max(int(comp["replicas"]), 1) / most))


def main_journey(system: System, name: str) -> tuple[dict[str, Any], float]:
    """The journey that brings ``name`` the largest share of its traffic, and that share."""
    base = loads(system)[name]
    shares = {
        j["name"]: _only(system, j["name"])[name] / max(base, 1e-9)
        for j in system.journeys_through(name)
    }
    if not shares:
        raise NoFit(f"no journey needs {name}")
    best = max(shares, key=lambda n: (shares[n], n))
    return system.journey(best), shares[best]


def factor_for(util: float, share: float, want: float, most: float = 6.0) -> float:
    """How much a journey bringing ``share`` of a component's traffic must grow to take it
    from ``util`` to ``want`` of its capacity (NoFit past ``most``)."""
    factor = round(1.0 + (want / util - 1.0) / max(share, 1e-9), 2)
    if factor > most:
        raise NoFit("no journey brings the component most of its traffic")
    return factor


def _only(system: System, journey: str) -> dict[str, float]:
    """The loads one journey alone puts on the fleet."""
    return loads_with(system, {j["name"]: 0.0 for j in system.journeys if j["name"] != journey})


HEAVY = ("bulk-export", "csv-export", "batch-import", "full-sync", "admin-search")


@recipe("request-starvation")
def request_starvation(ctx: Ctx) -> Plan:
    s = ctx.system
    options = [
        j
        for j in s.journeys
        if s.kind(j["entry"]) == "service"
        and not autoscaled(s, j["entry"])
        and s.region_of(j["entry"]) == s.home
    ]
    if not options:
        raise NoFit("no journey enters at a plain service")
    journey = options[ctx.rng.randrange(len(options))]
    target, gateway = journey["entry"], journey["via"]
    names = {j["name"] for j in s.journeys}
    heavy = next((h for h in HEAVY if h not in names), None)
    if heavy is None:
        raise NoFit("no name left for the heavy endpoint")
    others = [j["name"] for j in s.journeys_through(target)]
    load_o = loads(s)[target]
    # a batch endpoint on the same replicas: a small share of the requests, each costing
    # ``cost`` ordinary ones; best effort, so it has no SLO of its own
    rate = round(max(load_o * 0.12, 0.5), 1)
    s.journeys.append({"name": heavy, "entry": target, "via": gateway, "rate": rate})
    factor = round(2.0 + 1.0 * ctx.intensity, 1)
    b = 0.35
    comp = s.components[target]
    total = load_o / b
    a = rate / total
    need = 2.3 + 0.4 * ctx.intensity
    cost = round((need - b) / (factor * a), 1)
    comp["capacity"] = round(total / max(int(comp["replicas"]), 1), 1)
    fraction = 0.4
    after = b + (1.0 - fraction) * (need - b)
    replicas = math.ceil(int(comp["replicas"]) * after / SAFE_UTIL)
    for name in [target, *ancestors(s, target)]:
        no_retries_into(s, name)
    absorb(s, loads_with(s, {heavy: factor * cost}), {target})
    return Plan(
        kind="request-starvation",
        root=target,
        faults=[
            {
                "kind": "request-starvation",
                "target": target,
                "at": ctx.at,
                "journey": heavy,
                "cost": cost,
                "factor": factor,
            }
        ],
        chain=[
            {
                "component": target,
                "what": f"{heavy} requests arrive at {factor} times their usual rate; each "
                f"costs {target} about {cost} times an ordinary request",
                "at": ctx.at,
            },
            {
                "component": target,
                "what": f"the heavy requests take most of its capacity: the {', '.join(others)} "
                "requests queue behind them and time out",
            },
        ],
        solution=[
            {"action": "rate-limit", "target": gateway, "journey": heavy, "fraction": fraction},
            *scale_steps(s, {target: replicas}),
        ],
        summary=(
            f"{heavy} requests to {target}, each about {cost} times as expensive as the "
            f"others, arrived at {factor} times their usual rate and took most of its "
            f"capacity. The {', '.join(others)} requests, cheap but served by the same "
            f"replicas, queued behind them and failed. Rate-limiting {heavy} at {gateway} and "
            "adding replicas gave the interactive traffic its capacity back."
        ),
        signals=[
            f"{target} saturated while its request rate rose only a little",
            f"the {heavy} request rate at the gateway rose at the onset",
            f"the failing requests were the {', '.join(others)} ones",
        ],
        harm="errors",
        journeys=others,
        questions=[
            {
                "question": f"Why did a small share of {heavy} requests take down the others, "
                "and how would you keep it from happening again?",
                "topics": ["scalability-ha", "slo"],
                "answer": "Capacity is shared per unit of work, not per request: a few "
                "expensive requests can use most of it. Limit or queue the expensive class "
                "(its own rate limit or concurrency cap), or give it separate capacity "
                "(bulkheads), so interactive requests keep theirs.",
            }
        ],
    )


@recipe("autoscaler-capped")
def autoscaler_capped(ctx: Ctx) -> Plan:
    s = ctx.system
    target = _service(ctx)
    comp = s.components[target]
    replicas = int(comp["replicas"])
    set_util(s, target, 0.45)
    journey, share = main_journey(s, target)
    factor = factor_for(0.45, share, 1.3 + 0.3 * ctx.intensity)
    load = loads_with(s, {journey["name"]: factor})
    need = math.ceil(load[target] / float(comp["capacity"]) / 0.6)
    most = max(math.ceil(need * 1.5), replicas * 3)
    comp["autoscaling"] = {
        "metric": "cpu",
        "target": 0.4,
        "min": replicas,
        "max": most,
        "delay": 60.0,
        "startup": 45.0,
    }
    for name in [target, *ancestors(s, target)]:
        no_retries_into(s, name)
    absorb(s, load, {target})
    cluster = s.cluster_of(target)
    room = cluster_room(s, cluster)
    short = (most - replicas) * float(comp.get("cpu_limit", 1.0)) * 1.2 - room
    if short > 0:
        spec = next(c for c in s.clusters if c["name"] == cluster)
        spec["nodes"] = int(spec["nodes"]) + math.ceil(short / float(spec["cpu_per_node"]))
    # the maximum was reset weeks ago; only today's demand finds it
    since = -float(ctx.rng.choice([5, 9, 12, 16])) * 86400.0
    page_late(ctx)
    days = round(-since / 86400)
    return Plan(
        kind="autoscaler-capped",
        root=target,
        faults=[
            {
                "kind": "autoscaler-capped",
                "target": target,
                "at": since,
                "journey": journey["name"],
                "factor": factor,
                "max_replicas": replicas,
                "when": {"after": ctx.at},
                # demand arrives and stays (on-and-off demand would let the autoscaler
                # shrink in between)
                "onset": {"shape": "step"},
            }
        ],
        chain=[
            {
                "component": target,
                "what": f"a terraform apply {days} days ago reset its autoscaler's maximum from "
                f"{most} to {replicas}, the module's default",
            },
            {
                "component": target,
                "what": f"{journey['name']} demand grows to {factor} times the usual rate",
                "at": ctx.at,
            },
            {
                "component": target,
                "what": f"the autoscaler stops at {replicas} replicas; CPU stays above target "
                "and requests queue and time out",
            },
            *ctx.spread(target, "slow"),
        ],
        solution=[{"action": "set-autoscaler-max", "target": target, "max_replicas": most}],
        summary=(
            f"A terraform apply {days} days earlier reset {target}'s autoscaler maximum to "
            f"{replicas}, its current size; the hand-set {most} had never been written into "
            f"the module. When {journey['name']} demand rose to {factor} times the usual, the "
            "autoscaler wanted more replicas and could not add them, so the service saturated. "
            f"Raising the maximum let it scale out."
        ),
        signals=[
            f"{target}'s desired replicas sat at the autoscaler's maximum of {replicas}",
            f"{target}'s CPU stayed above the autoscaler's target while it did not scale",
            f"{journey['name']} traffic rose at the onset",
        ],
        journeys=ctx.hurt_journeys(target),
        questions=[
            {
                "question": "The autoscaler is on, yet the service saturates. What do you look "
                "at, and what guard would have caught this before the peak?",
                "topics": ["orchestration", "cost-reliability"],
                "answer": "Compare desired and current replicas with the autoscaler's maximum: "
                "a service pinned at its maximum cannot grow. Keep the limits in code (the "
                "terraform module), review maximums against expected peaks, and alert when an "
                "autoscaler sits at its maximum.",
            }
        ],
    )


# ------------------------------------------------------------------ queues


def _consumer(ctx: Ctx) -> tuple[str, str, str]:
    """A queue some journey publishes to, its consumer and the producer. The consumer also
    answers the producer's status reads synchronously, so when it stalls users see it."""
    s = ctx.system
    options = []
    for queue in s.on_journeys("queue"):
        workers = [d["to"] for d in s.deps if d["from"] == queue and d.get("mode") == "async"]
        producers = [p for p in s.callers(queue) if s.journeys_through(p)]
        if len(workers) == 1 and producers and s.kind(workers[0]) in ("worker", "service"):
            options.append((queue, workers[0], producers[0]))
    if not options:
        raise NoFit("no queue with one consumer")
    queue, worker, producer = options[ctx.rng.randrange(len(options))]
    if s.dep(producer, worker) is None:
        s.deps.append({"from": producer, "to": worker, "calls": 0.5, "timeout": 0.5})
    no_retries_into(s, worker)
    set_util(s, worker, 0.45)
    return queue, worker, producer


def drain_room(system: System, worker: str, rate: float) -> None:
    """Room downstream of ``worker`` for draining a backlog at ``rate`` messages a second:
    what it calls for each message must not saturate meanwhile."""
    load = loads(system)
    extra = max(rate - load[worker], 0.0)
    todo = [(worker, extra)]
    while todo:
        name, more = todo.pop()
        for d in system.deps:
            if d["from"] != name or d.get("mode", "sync") != "sync":
                continue
            callee, add = d["to"], more * float(d.get("calls", 1.0))
            comp = system.components[callee]
            if "capacity" in comp and system.kind(callee) != "external":
                need = (load[callee] + add) / max(int(comp["replicas"]), 1) / 0.7
                comp["capacity"] = max(float(comp["capacity"]), float(math.ceil(need)))
            if system.kind(callee) != "cache":
                todo.append((callee, add))


@recipe("poison-message", needs=("queue",))
def poison_message(ctx: Ctx) -> Plan:
    s = ctx.system
    queue, worker, producer = _consumer(ctx)
    replicas = int(s.components[worker]["replicas"])
    # while a backlog is left the consumers drain it with all they have and the status reads
    # wait: enough replicas drain it in a minute or two
    more = replicas * 4
    drain_room(s, worker, more * float(s.components[worker]["capacity"]))
    return Plan(
        kind="poison-message",
        root=queue,
        faults=[
            {"kind": "poison-message", "target": queue, "at": ctx.at, "onset": {"shape": "step"}}
        ],
        chain=[
            {
                "component": queue,
                "what": "a malformed message reaches the head of the queue",
                "at": ctx.at,
            },
            {
                "component": worker,
                "what": "every consumer that takes it crashes; it goes back to the head and "
                "crashes the next one: the pods crash-loop with back-off",
            },
            {
                "component": queue,
                "what": "nothing is consumed: the backlog and the consumer lag grow",
            },
            {
                "component": producer,
                "what": f"its status reads from {worker} fail while no consumer is up",
            },
            *ctx.spread(producer),
        ],
        solution=[
            {"action": "dead-letter", "target": queue},
            *scale_steps(s, {worker: more}),
        ],
        summary=(
            f"A malformed message at the head of {queue} crashed every {worker} pod that took "
            "it; the message went back to the queue and crashed the next one, so the consumers "
            f"crash-looped, the backlog grew and {producer}'s reads from {worker} failed. "
            "Moving the message to the dead-letter queue stopped the crashes, and extra "
            "replicas drained the backlog."
        ),
        signals=[
            f"{worker}'s restart count climbed in a crash loop with no deploy",
            f"{queue}'s backlog and consumer lag grew from the onset",
            f"more {worker} replicas crashed just the same",
        ],
        journeys=ctx.hurt_journeys(producer),
        questions=[
            {
                "question": "Why does adding consumers not help with a poison message, and "
                "what should the consumer do with a message it cannot process?",
                "topics": ["scalability-ha", "distributed-debugging"],
                "answer": "Every consumer takes the same head message and crashes on it, so "
                "more consumers only crash more. Set it aside in a dead-letter queue after a "
                "few failed deliveries (a redrive policy), alert on it, and replay it once "
                "fixed; the rest of the queue flows again.",
            }
        ],
    )


@recipe("queue-backlog", needs=("queue",))
def queue_backlog(ctx: Ctx) -> Plan:
    s = ctx.system
    queue, worker, producer = _consumer(ctx)
    comp = s.components[worker]
    replicas = int(comp["replicas"])
    factor = round(5.0 + 1.5 * ctx.intensity, 1)
    # enough to serve the slower messages and drain what piled up meanwhile quickly (the
    # status reads wait while a backlog is left)
    more = math.ceil(replicas * factor * 0.45 / 0.3)
    drain_room(s, worker, more * float(comp["capacity"]) / factor)
    return Plan(
        kind="queue-backlog",
        root=worker,
        faults=[
            {
                "kind": "queue-backlog",
                "target": worker,
                "at": ctx.at,
                "factor": factor,
                # the partner's messages grow over minutes and stay large
                "onset": {"shape": "ramp", "ramp": 300.0},
            }
        ],
        chain=[
            {
                "component": worker,
                "what": f"a partner's messages grow much larger: each takes {factor} times as "
                "long to process",
                "at": ctx.at,
            },
            {
                "component": queue,
                "what": "the consumers fall behind: the backlog and the consumer lag grow",
            },
            {
                "component": worker,
                "what": f"busy with the backlog, its replicas saturate and {producer}'s status "
                "reads time out",
            },
            *ctx.spread(producer),
        ],
        solution=scale_steps(s, {worker: more}),
        summary=(
            f"Messages on {queue} became {factor} times as costly to process. {worker}'s "
            f"replicas fell behind, the backlog grew, and busy with it they could not answer "
            f"{producer}'s status reads in time. Scaling {worker} out let it keep up and drain "
            "the backlog."
        ),
        signals=[
            f"{queue}'s consumer lag grew steadily from the onset",
            f"{worker}'s time per message rose with no deploy or config change",
            f"{worker} ran at full utilisation while its message rate was the usual",
        ],
        journeys=ctx.hurt_journeys(producer),
        questions=[
            {
                "question": "Consumer lag is growing. How do you tell a slow consumer from a "
                "poison message or a producer flood?",
                "topics": ["scalability-ha", "slo"],
                "answer": "Compare publish and consume rates and the time per message: a flood "
                "raises the publish rate, a slow consumer raises the time per message with "
                "steady consumption, a poison message stops consumption and crash-loops the "
                "consumers. Scale out a slow consumer; alert on lag against a freshness SLO.",
            }
        ],
    )


# ------------------------------------------------------------------ cluster capacity


def _cluster_spec(system: System, name: str) -> dict[str, Any]:
    return next(c for c in system.clusters if c["name"] == name)


def _peak(ctx: Ctx, cluster: str | None = None) -> tuple[str, dict[str, Any], float, int]:
    """A service that must scale out for a traffic peak a few minutes after the onset: its
    autoscaler, the peak on one of its journeys (a traffic spike every day brings), the
    capacity everything else needs for it. Returns the service, the journey, the peak's
    factor and the replicas the service reaches."""
    s = ctx.system
    names = [
        n
        for n in s.on_journeys("service")
        if s.cluster_of(n) and (cluster is None or s.cluster_of(n) == cluster)
    ]
    names = [n for n in names if s.region_of(n) == s.home]
    if not names:
        raise NoFit("no clustered service")
    svc = ctx.choose(names)
    comp = s.components[svc]
    replicas = int(comp["replicas"])
    set_util(s, svc, 0.45)
    # the journey that brings it the most traffic peaks enough to need 1.3-1.5 times the
    # replicas it has
    journey, share = main_journey(s, svc)
    factor = factor_for(0.45, share, 1.3 + 0.2 * ctx.intensity)
    load = loads_with(s, {journey["name"]: factor})
    reach = math.ceil(load[svc] / float(comp["capacity"]) / 0.6)
    comp["autoscaling"] = {
        "metric": "cpu",
        "target": 0.4,
        "min": replicas,
        "max": max(reach * 2, replicas * 3),
        "delay": 60.0,
        "startup": 45.0,
    }
    for name in [svc, *ancestors(s, svc)]:
        no_retries_into(s, name)
    absorb(s, load, {svc})
    journey.setdefault("spikes", []).append(
        {"at": ctx.at + 600.0, "duration": 5400.0, "factor": factor}
    )
    # room for the peak on a normal day
    spec = _cluster_spec(s, str(s.cluster_of(svc)))
    want = (comp["autoscaling"]["max"] - replicas) * float(comp.get("cpu_limit", 1.0))
    short = want + 2 * NODE_CPU - cluster_room(s, spec["name"])
    if short > 0:
        spec["nodes"] = int(spec["nodes"]) + math.ceil(short / float(spec["cpu_per_node"]))
    return svc, journey, factor, reach


@recipe("cluster-full")
def cluster_full(ctx: Ctx) -> Plan:
    s = ctx.system
    svc, journey, factor, reach = _peak(ctx)
    cluster = str(s.cluster_of(svc))
    spec = _cluster_spec(s, cluster)
    total = float(spec["nodes"]) * float(spec["cpu_per_node"])
    free = cluster_room(s, cluster)
    reserved = min(0.95, math.ceil((free / total + 0.02) * 100) / 100)
    comp = s.components[svc]
    extra = (reach - int(comp["replicas"])) * float(comp.get("cpu_limit", 1.0))
    left = total - reserved * total - (total - free)
    count = math.ceil((extra - left) * 1.3 / float(spec["cpu_per_node"])) + 1
    job = ctx.rng.choice(["a reindexing batch job", "a load test", "a data backfill"])
    return Plan(
        kind="cluster-full",
        root=svc,
        faults=[
            {
                "kind": "cluster-full",
                "target": svc,
                "at": ctx.at,
                "reserved": reserved,
                "onset": {"shape": "step"},
            }
        ],
        chain=[
            {
                "component": svc,
                "what": f"{job} fills the free CPU of {cluster}: no new pod fits",
                "at": ctx.at,
            },
            {
                "component": svc,
                "what": f"the {journey['name']} peak arrives ({factor} times the morning "
                "rate); the autoscaler asks for more replicas, which stay Pending",
                "at": ctx.at + 600.0,
            },
            {"component": svc, "what": "its running replicas saturate; requests time out"},
            *ctx.spread(svc, "slow"),
        ],
        solution=[{"action": "add-nodes", "target": cluster, "count": count}],
        summary=(
            f"{job.capitalize()} took the free capacity of {cluster}. When the "
            f"{journey['name']} peak came, {svc}'s autoscaler asked for more replicas as it "
            "does every day, but the new pods stayed Pending for want of CPU and the running "
            f"ones saturated. Adding nodes to {cluster} let the pods start."
        ),
        signals=[
            f"{svc}'s desired replicas rose but its ready replicas did not follow",
            f"the timeline showed {svc}'s new pods Pending: insufficient cpu",
            f"{svc}'s own latency per request was normal until it saturated",
        ],
        journeys=ctx.hurt_journeys(svc),
        questions=[
            {
                "question": "The autoscaler did its job, yet the service saturated. Where "
                "would you look, and what keeps a batch job from starving the serving pods?",
                "topics": ["orchestration", "cost-reliability"],
                "answer": "Compare desired and ready replicas and read why pods are Pending: a "
                "cluster without room cannot honour a scale-out. Keep headroom (a cluster "
                "autoscaler, spare nodes), and give batch work lower priority, quotas or its "
                "own node pool so it cannot take the serving pods' room.",
            }
        ],
    )


@recipe("autoscaler-wrong-metric")
def autoscaler_wrong_metric(ctx: Ctx) -> Plan:
    s = ctx.system
    svc, journey, factor, reach = _peak(ctx)
    cluster = str(s.cluster_of(svc))
    options = [
        n
        for n in s.of_kind("service", "worker")
        if n != svc and s.cluster_of(n) == cluster and not autoscaled(s, n)
    ]
    if not options:
        raise NoFit("no other workload in the cluster")
    target = ctx.choose(options)
    comp = s.components[target]
    replicas = int(comp["replicas"])
    cpu = float(comp.get("cpu_limit", 1.0))
    # its maximum takes exactly the room left: every pod of its own runs (nothing of it
    # shows Pending), and none of the peak's fits
    runaway = replicas + math.floor(cluster_room(s, cluster) / cpu)
    comp["autoscaling"] = {
        "metric": "cpu",
        "target": 0.6,
        "min": replicas,
        "max": runaway,
        "delay": 60.0,
        "startup": 45.0,
    }
    wanted = ctx.rng.choice([0.005, 0.01, 0.02])
    metric_target = min(wanted, float(comp.get("service_time", 0.02)) * 0.5)
    ms = round(metric_target * 1000, 1)
    return Plan(
        kind="autoscaler-wrong-metric",
        root=target,
        faults=[
            {
                "kind": "autoscaler-wrong-metric",
                "target": target,
                "at": ctx.at,
                "metric": "latency",
                "metric_target": metric_target,
            }
        ],
        chain=[
            {
                "component": target,
                "what": f"a config push makes its autoscaler target {ms:g} ms of latency, "
                "less than a request can ever take",
                "at": ctx.at,
            },
            {
                "component": target,
                "what": f"latency never reaches the target, so the autoscaler grows it to its "
                f"maximum of {runaway} replicas and fills {cluster}",
            },
            {
                "component": svc,
                "what": f"the {journey['name']} peak arrives; its autoscaler asks for more "
                "replicas, which stay Pending",
                "at": ctx.at + 600.0,
            },
            {"component": svc, "what": "its running replicas saturate; requests time out"},
            *ctx.spread(svc, "slow"),
        ],
        solution=[
            {"action": "revert-config", "target": target, "key": "autoscaler_metric"},
            {"action": "revert-config", "target": target, "key": "autoscaler_target"},
        ],
        summary=(
            f"A config push switched {target}'s autoscaler to a latency target of {ms:g} ms, "
            f"which no replica count can reach. It scaled {target} to its maximum and filled "
            f"{cluster}, so when the {journey['name']} peak came {svc} could not add replicas "
            f"and saturated. Reverting the autoscaler's metric and target let {target} shrink "
            f"and {svc}'s pods start."
        ),
        signals=[
            f"{target}'s replicas climbed to its autoscaler's maximum with no more traffic",
            f"{svc}'s new pods stayed Pending: insufficient cpu",
            f"the autoscaler change on {target} came before the climb",
        ],
        journeys=ctx.hurt_journeys(svc),
        questions=[
            {
                "question": f"Why could more replicas never bring {target}'s latency to its "
                "target, and what makes a good autoscaling metric?",
                "topics": ["cost-reliability", "orchestration"],
                "answer": "Latency has a floor (the work itself and the calls it makes) that "
                "replicas do not lower, so the autoscaler keeps adding them. Scale on a metric "
                "that falls as replicas are added (CPU, requests or queue lag per replica) "
                "with a reachable target, and cap the maximum.",
            }
        ],
    )
