"""Recipes for data, network, security and third-party kinds, and for nothing broken at all.

Databases (a migration's lock, a backfill, a bad plan, a leaking pool, a lagging replica, a
hot shard, a full disk, a crashed primary), the network between regions (latency, loss, a
partition, a stale failover, split brain), clocks and credentials (a skewed node, an expired
certificate, a secret not reloaded, an abusive client, a WAF rule, a revoked grant), a third
party's quota, and a page with nothing broken behind it.

Each recipe sizes its fault from the load the fleet carries (:func:`_util`), so it hurts
clearly whatever the archetype and size, and picks its target where the cheap moves (a
restart, undoing the latest change, scaling what alerts) do not cure it for a real reason.
"""

from __future__ import annotations

import math
from typing import Any

from chaosgame.generate.plan import Ctx, Plan, recipe
from chaosgame.generate.system import NODE_CPU, NoFit, System, loads

WORKLOADS = ("service", "worker")


# ------------------------------------------------------------------ helpers


def _util(system: System, name: str) -> float:
    """The share of its capacity ``name`` uses on a normal day."""
    comp = system.components[name]
    load = loads(system)[name]
    return load / max(float(comp["capacity"]) * max(int(comp["replicas"]), 1), 1e-9)


def _rate(system: System, name: str) -> float:
    return loads(system)[name]


def _workload_callers(system: System, name: str) -> list[str]:
    """Services and workers on some journey's path that need ``name``."""
    return [
        c
        for c in system.required_callers(name)
        if system.kind(c) in WORKLOADS and system.journeys_through(c)
    ]


def _primaries(ctx: Ctx, replicated: bool | None = None) -> list[str]:
    """Primary databases some journey needs through a service that calls them directly
    (``replicated``: only those with a replica, or only those without)."""
    s = ctx.system
    have = {c.get("replica_of") for c in s.components.values() if c.get("replica_of")}
    out = []
    for db in s.on_journeys("database"):
        if s.components[db].get("replica_of") or not _workload_callers(s, db):
            continue
        if replicated is not None and (db in have) != replicated:
            continue
        out.append(db)
    if not out:
        raise NoFit("no database a journey needs directly")
    return out


def _replica_of(system: System, primary: str) -> str | None:
    for name, comp in system.components.items():
        if comp.get("replica_of") == primary:
            return name
    return None


def _grow(system: System, name: str, replicas: int) -> None:
    """Set ``name``'s replica count, with room for them in its cluster."""
    comp = system.components[name]
    extra = (replicas - int(comp["replicas"])) * float(comp.get("cpu_limit", 1.0))
    comp["replicas"] = replicas
    cluster = comp.get("cluster")
    for c in system.clusters:
        if c["name"] == cluster and extra > 0:
            c["nodes"] = int(c["nodes"]) + int(math.ceil(extra * 1.5 / NODE_CPU))


def _pct(x: float) -> str:
    return f"{round(x * 100)} %"


# ------------------------------------------------------------------ databases


@recipe("migration-lock", needs=("database",))
def migration_lock(ctx: Ctx) -> Plan:
    s = ctx.system
    db = ctx.choose(_primaries(ctx))
    caller = ctx.choose(_workload_callers(s, db))
    share = round(0.45 + 0.4 * ctx.intensity, 2)
    wait = round(3.0 + 3.0 * ctx.intensity, 1)
    table = ctx.rng.choice(("orders", "accounts", "events", "items", "users", "documents"))
    return Plan(
        kind="migration-lock",
        root=db,
        faults=[
            {"kind": "migration-lock", "target": db, "at": ctx.at, "share": share, "wait": wait}
        ],
        chain=[
            {
                "component": db,
                "what": f"a migration rewrites the {table} table under an exclusive lock; "
                f"about {_pct(share)} of queries wait on it",
                "at": ctx.at,
            },
            {
                "component": caller,
                "what": f"its calls to {db} wait until their timeout and fail",
            },
            *ctx.spread(caller),
        ],
        solution=[{"action": "kill-query", "target": db}],
        summary=(
            f"A schema migration on {db} took an exclusive lock on a hot table. Queries that "
            f"touched it queued behind the lock, so {caller}'s calls timed out and users saw "
            f"errors. Killing the migration's query on {db} released the lock; the change has "
            "to be redone with an online method."
        ),
        signals=[
            f"a migration started on {db} at the minute its latency jumped",
            f"{db} served fewer queries while its callers' traffic stayed the same",
            f"the errors on the failing journeys traced down to {caller}'s calls to {db}",
        ],
        journeys=ctx.hurt_journeys(caller),
        questions=[
            {
                "question": "How should a column with a default be added to a large, hot table?",
                "topics": ["database-migrations"],
                "answer": "Online: add it nullable without a default (a metadata-only change), "
                "backfill in small batches, then set the default; run it with a lock timeout so "
                "it gives up instead of queueing every query behind it.",
            }
        ],
    )


@recipe("backfill-saturation", needs=("database",))
def backfill_saturation(ctx: Ctx) -> Plan:
    s = ctx.system
    db = ctx.choose(_primaries(ctx))
    caller = ctx.choose(_workload_callers(s, db))
    util = _util(s, db)
    # what is left must fall well below what the day's load needs
    left = min(0.6, util * (0.75 - 0.35 * ctx.intensity))
    taken = round(min(0.97, 1.0 - left), 2)
    factor = round(3.0 + 3.0 * ctx.intensity, 1)
    return Plan(
        kind="backfill-saturation",
        root=db,
        faults=[
            {
                "kind": "backfill-saturation",
                "target": db,
                "at": ctx.at,
                "capacity_taken": taken,
                "write_factor": factor,
            }
        ],
        chain=[
            {
                "component": db,
                "what": f"an unthrottled backfill takes about {_pct(taken)} of its capacity and "
                f"multiplies its writes by {factor}",
                "at": ctx.at,
            },
            {"component": db, "what": "the day's queries no longer fit; they queue and fail"},
            {"component": caller, "what": f"its calls to {db} time out and fail"},
            *ctx.spread(caller),
        ],
        solution=[{"action": "pause-job", "target": db}],
        summary=(
            f"A backfill job started rewriting rows on {db} with no throttle. It took most of "
            f"the primary's capacity, so {caller}'s ordinary queries queued and timed out. "
            "Pausing the job gave the capacity back; it can resume later in small, throttled "
            "batches."
        ),
        signals=[
            f"a backfill job started on {db} when its utilisation jumped",
            f"{db}'s write rate rose several-fold while its callers' traffic did not",
            f"{caller}'s errors were timeouts on its calls to {db}",
        ],
        journeys=ctx.hurt_journeys(caller),
        questions=[
            {
                "question": "How do you run a backfill on a busy primary without hurting users?",
                "topics": ["database-migrations", "scalability-ha"],
                "answer": "In small batches with a pause between them, throttled on the "
                "primary's latency and the replicas' lag, in off-peak hours, with a kill "
                "switch; never as one unbounded job.",
            }
        ],
    )


@recipe("slow-query-plan", needs=("database",))
def slow_query_plan(ctx: Ctx) -> Plan:
    s = ctx.system
    db = ctx.choose(_primaries(ctx))
    caller = ctx.choose(_workload_callers(s, db))
    util = _util(s, db)
    # twice the replicas must not be enough: the load it needs is over 2.5x what it has
    factor = round(max(4.0, (2.5 + 1.5 * ctx.intensity) / max(util, 0.05)), 1)
    return Plan(
        kind="slow-query-plan",
        root=db,
        faults=[{"kind": "slow-query-plan", "target": db, "at": ctx.at, "factor": factor}],
        chain=[
            {
                "component": db,
                "what": f"the planner switches a hot query to a sequential scan: {factor}x the "
                "time and CPU per query",
                "at": ctx.at,
            },
            {"component": db, "what": "its CPU saturates; queries queue and time out"},
            {"component": caller, "what": f"its calls to {db} time out and fail"},
            *ctx.spread(caller),
        ],
        solution=[{"action": "kill-query", "target": db}],
        summary=(
            f"The query planner on {db} switched a hot query to a bad plan after its "
            f"statistics changed. Each query cost {factor} times as much, the database's CPU "
            f"saturated and {caller}'s calls timed out. Killing the running queries forced a "
            "fresh plan; pinning the plan or refreshing the statistics keeps it from coming back."
        ),
        signals=[
            f"{db}'s CPU and latency per query rose with no more traffic",
            f"{db}'s CPU saturated at the minute its latency jumped, the same traffic costing more",
            "no deploy touched the services that call it",
        ],
        journeys=ctx.hurt_journeys(caller),
        questions=[
            {
                "question": "Why does adding database replicas not fix a bad query plan?",
                "topics": ["database-migrations", "scalability-ha"],
                "answer": "The plan multiplies the cost of every query; more replicas divide "
                "the load by two while the plan multiplied it by ten. Fix the cost: kill the "
                "running queries so they are planned again, refresh statistics, pin the plan.",
            }
        ],
    )


@recipe("pool-exhaustion", needs=("database",))
def pool_exhaustion(ctx: Ctx) -> Plan:
    s = ctx.system
    db = ctx.choose(_primaries(ctx))
    caller = ctx.choose(_workload_callers(s, db))
    edge = s.dep(caller, db)
    assert edge is not None
    pool = int(edge.get("pool", 10))
    edge["pool"] = pool
    conns = pool * int(s.components[caller]["replicas"])
    calls = _rate(s, caller) * float(edge.get("calls", 1.0))
    drained = 420.0 - 180.0 * ctx.intensity  # seconds until the pool is gone
    leak = round(max(0.5, conns * 1000.0 / max(calls * drained, 1e-6)), 1)
    _, new = ctx.bump(caller)
    # the leak shipped days ago and only bites once something takes the error path
    shipped = -3600.0 * ctx.rng.randint(30, 90)
    ctx.deploy(caller, new, shipped, note="retry handling rewrite", duration=240.0)
    days = round(-shipped / 86400.0, 1)
    trigger = ctx.rng.choice(
        (
            "a partner integration starts sending requests that fail validation",
            "a client starts retrying with expired tokens, which are refused",
            "a batch job starts asking for records that no longer exist",
        )
    )
    return Plan(
        kind="pool-exhaustion",
        root=caller,
        faults=[
            {
                "kind": "pool-exhaustion",
                "target": caller,
                "to": db,
                "at": ctx.at,
                "leak_per_1k": leak,
                "when": {"version": new},
            }
        ],
        chain=[
            {
                "component": caller,
                "what": f"{trigger}; on that error path {new}, running for {days} days, never "
                f"returns its connection to the {db} pool",
                "at": ctx.at,
            },
            {
                "component": caller,
                "what": f"its pool of {pool} connections per replica to {db} drains; calls wait "
                "for a connection and fail",
            },
            *ctx.spread(caller),
        ],
        solution=[{"action": "rollback", "target": caller}],
        summary=(
            f"{caller} {new}, shipped {days} days earlier, leaks a database connection each "
            f"time a call takes a rarely used error path, and from the onset {trigger}. "
            f"Its pool to {db} drained within minutes, after which its calls waited for a "
            f"connection and failed; {db} itself was idle. A restart or more replicas only "
            f"refilled the pool for a while; rolling {caller} back to the release before ended "
            "the leak."
        ),
        signals=[
            f"{caller}'s connections in use to {db} climbed steadily to the pool's size",
            f"{db} was healthy and under-used while {caller} failed",
            f"restarted pods of {caller} drained their pools again at the same pace",
        ],
        journeys=ctx.hurt_journeys(caller),
        questions=[
            {
                "question": "Why does restarting a service with a connection leak only buy time?",
                "topics": ["scalability-ha", "incident-response"],
                "answer": "A restart opens a fresh pool, but the code that leaks still runs: the "
                "pool drains again at the same rate. Roll back the release that leaks, then "
                "find the path that does not return its connection.",
            }
        ],
    )


@recipe("replication-lag", needs=("replica",))
def replication_lag(ctx: Ctx) -> Plan:
    s = ctx.system
    replicas = [
        n
        for n, c in s.components.items()
        if c.get("replica_of") and any(s.journeys_through(r) for r in s.callers(n))
    ]
    replica = ctx.choose(replicas)
    primary = str(s.components[replica]["replica_of"])
    readers = [c for c in s.callers(replica) if s.journeys_through(c)]
    reader = ctx.choose(readers)
    writes = _rate(s, primary) * float(s.components[primary].get("write_fraction", 0.1))
    apply_rate = float(s.components[replica]["apply_rate"])
    factor = round(max(0.005, (0.5 - 0.3 * ctx.intensity) * writes / apply_rate), 3)
    hurt = list(dict.fromkeys(j for r in readers for j in ctx.hurt_journeys(r)))
    _correctness(s, hurt)
    return Plan(
        kind="replication-lag",
        root=replica,
        faults=[
            {
                "kind": "replication-lag",
                "target": replica,
                "at": ctx.at,
                "apply_factor": factor,
                # the query holds replay for as long as it runs: a backlog builds without
                # pause (a fault that comes and goes would let the replica catch up between)
                "onset": _steady(ctx),
            }
        ],
        chain=[
            {
                "component": replica,
                "what": "a long-running report query blocks replay; the replica applies "
                f"writes far slower than {primary} makes them",
                "at": ctx.at,
            },
            {"component": replica, "what": "its replication lag grows by the minute"},
            {
                "component": reader,
                "what": f"reads it sends to {replica} miss recent writes: users see old data",
            },
        ],
        solution=[{"action": "kill-query", "target": replica}],
        summary=(
            f"A long query on {replica} blocked the replay of {primary}'s writes. Its lag grew "
            f"by the minute and the reads {reader} sends to it returned old data: no errors, "
            "wrong answers. Killing the query let the replica replay its backlog and catch up."
        ),
        signals=[
            f"{replica}'s replication lag climbed steadily from the onset",
            f"{primary}'s write rate did not change: the replica was slow, not the load high",
            "error rates stayed low while the answers went stale",
        ],
        harm="wrong",
        journeys=hurt,
        questions=[
            {
                "question": "How do you keep a lagging read replica from showing users old data?",
                "topics": ["multi-region", "database-migrations"],
                "answer": "Alert on replica lag, not only on errors; route reads that must see "
                "the user's own writes to the primary (read-your-writes); cap long queries on "
                "replicas with a statement timeout; take a replica out of rotation past a lag "
                "bound.",
            }
        ],
    )


def _steady(ctx: Ctx) -> dict[str, Any]:
    """An onset that never lets up: a step, or on harder settings a ramp."""
    if ctx.intensity >= 0.8:
        return {"shape": "step"}
    return {"shape": "ramp", "ramp": float(ctx.rng.choice((240, 300, 360, 420)))}


def _correctness(system: System, journeys: list[str]) -> None:
    """A correctness SLO on each of ``journeys`` (wrong answers are what users see)."""
    have = {(slo["journey"], slo["sli"]) for slo in system.slos}
    for j in journeys:
        if (j, "correctness") not in have:
            system.slos.append({"journey": j, "sli": "correctness", "target": 0.99})


@recipe("hot-shard", needs=("database",))
def hot_shard(ctx: Ctx) -> Plan:
    s = ctx.system
    db = ctx.choose(_primaries(ctx, replicated=False))
    caller = ctx.choose(_workload_callers(s, db))
    shards = ctx.rng.choice((6, 8, 8, 10))
    load = _rate(s, db)
    util = 0.4
    capacity = round(max(load / (shards * util), 2.0), 1)
    _grow(s, db, shards)
    s.components[db]["capacity"] = capacity
    util = load / (shards * capacity)
    share = round(min(0.9, (1.5 + 0.8 * ctx.intensity) / (util * shards)), 2)
    tenant = ctx.rng.choice(("one large customer", "one merchant", "one tenant", "one hot key"))
    return Plan(
        kind="hot-shard",
        root=db,
        faults=[{"kind": "hot-shard", "target": db, "at": ctx.at, "share": share}],
        chain=[
            {
                "component": db,
                "what": f"{tenant} sends {_pct(share)} of its queries to a single one of its "
                f"{shards} shards, which saturates while the others idle",
                "at": ctx.at,
            },
            {"component": caller, "what": f"its calls that land on the hot shard of {db} fail"},
            *ctx.spread(caller),
        ],
        solution=[{"action": "split-shard", "target": db}],
        summary=(
            f"{tenant.capitalize()} concentrated most of {db}'s queries on one of its {shards} "
            f"shards. That shard saturated and failed its share while the rest idled, so "
            f"adding replicas did nothing for it. Moving the hot keys to a shard of their own "
            "spread the load again."
        ),
        signals=[
            f"{db} failed a share of queries while its average utilisation looked moderate",
            "one shard ran hot while the others idled",
            f"the failures on {caller} were calls to {db}, with no change to either",
        ],
        journeys=ctx.hurt_journeys(caller),
        questions=[
            {
                "question": "Why can a database fail requests while its average CPU looks fine?",
                "topics": ["scalability-ha", "observability"],
                "answer": "Averages over shards hide one that is saturated: a hot key or tenant "
                "sends its load to one shard. Look at the per-shard (max, not mean) load; fix "
                "by splitting or re-keying the hot range, not by adding replicas.",
            }
        ],
    )


@recipe("disk-full", needs=("database",))
def disk_full(ctx: Ctx) -> Plan:
    s = ctx.system
    db = ctx.choose(_primaries(ctx))
    caller = ctx.choose(_workload_callers(s, db))
    comp = s.components[db]
    comp["write_fraction"] = max(float(comp.get("write_fraction", 0.1)), 0.25)
    size = float(ctx.rng.choice((250, 500, 1000, 2000)))
    used = round(size * ctx.rng.uniform(0.6, 0.7), 1)
    comp["disk_gb"] = size
    comp["disk_used_gb"] = used
    fill = 300.0 - 60.0 * ctx.intensity  # seconds from the onset until it is full
    per_hour = round((size - used) * 3600.0 / fill, -1)
    job, stops = ctx.rng.choice(
        (
            ("a one-off bulk import", "its own writes fail once the disk is full"),
            ("a reindex job that builds the new index beside the old", "it fails when full"),
            ("a data-fix script that keeps an audit copy of every row", "it fails when full"),
        )
    )
    return Plan(
        kind="disk-full",
        root=db,
        faults=[
            {
                "kind": "disk-full",
                "target": db,
                "at": ctx.at,
                "until": ctx.at + fill + 60.0,
                "gb_per_hour": per_hour,
                # the job writes at its own pace: the fill is the ramp, and it must be full
                # before the job dies
                "onset": {"shape": "step"},
            }
        ],
        chain=[
            {
                "component": db,
                "what": f"{job} writes about {per_hour:g} GB an hour to its data volume",
                "at": ctx.at,
            },
            {
                "component": db,
                "what": f"its {size:g} GB disk is full: every write fails ({stops}, but the "
                "space stays taken)",
            },
            {"component": caller, "what": f"its requests that write to {db} fail"},
            *ctx.spread(caller),
        ],
        solution=[{"action": "raise-limit", "target": db, "resource": "disk", "factor": 2.0}],
        summary=(
            f"{job[0].upper() + job[1:]} ran on {db} and filled its disk within minutes. "
            f"Once full, every write failed and {caller}'s requests that write failed with "
            "them; reads went on. The job died with its writes, but the space stayed taken "
            "until the disk was grown online; the job's leftovers can be cleaned up after."
        ),
        signals=[
            f"{db}'s disk usage climbed steeply and reached its size",
            f"{db} failed its writes while its reads succeeded",
            "no deploy or config change touched the failing path",
        ],
        journeys=ctx.hurt_journeys(caller),
        questions=[
            {
                "question": "What should a disk alert watch so it pages before the disk is full?",
                "topics": ["slo", "alerting-runbooks"],
                "answer": "The time until full at the current growth rate (a linear prediction "
                "over the last hour), not a fixed percentage: a disk at 70 % filling at 200 GB "
                "an hour needs a page now, one at 90 % growing slowly needs a ticket.",
            }
        ],
    )


@recipe("database-crash", needs=("replica",))
def database_crash(ctx: Ctx) -> Plan:
    s = ctx.system
    db = ctx.choose(_primaries(ctx, replicated=True))
    replica = _replica_of(s, db)
    caller = ctx.choose(_workload_callers(s, db))
    return Plan(
        kind="database-crash",
        root=db,
        # a host dies at once (a crash that came on slowly would let writes pile up on the
        # way, unreplicated)
        faults=[{"kind": "database-crash", "target": db, "at": ctx.at, "onset": {"shape": "step"}}],
        chain=[
            {
                "component": db,
                "what": "the primary's host dies; every query to it fails",
                "at": ctx.at,
            },
            {"component": caller, "what": f"its calls to {db} fail at once"},
            *ctx.spread(caller),
        ],
        solution=[{"action": "failover-db", "target": db}],
        summary=(
            f"The host of {db}'s primary died and every query to it failed, so {caller} "
            f"failed the requests that needed it. Failing over to {replica} brought the "
            "database back, losing only the writes it had not yet applied."
        ),
        signals=[
            f"{db} stopped answering: connection errors on every call from {caller}",
            f"{replica} stopped receiving writes at the same moment",
            "no deploy or config change preceded it",
        ],
        journeys=ctx.hurt_journeys(caller),
        questions=[
            {
                "question": "Fail over to the replica at once, or wait for the primary's host?",
                "topics": ["multi-region", "incident-response"],
                "answer": "Fail over when the primary is gone and users are failing: waiting "
                "costs every request meanwhile, the failover costs only the writes the replica "
                "had not applied (seconds of them). Wait only when the host will be back in "
                "less time than the failover takes, or when losing any write is worse than "
                "the outage.",
            }
        ],
    )


# ------------------------------------------------------------------ network and regions


def _far_front(ctx: Ctx) -> tuple[str, str, list[str], list[str]]:
    """A region other than home with a front of its own: the region, its gateway, the entry
    services there whose calls cross to the home region, and the journeys they serve."""
    s = ctx.system
    fronts = [r for r in s.regions[1:] if r in s.gateways]
    if not fronts:
        raise NoFit("the fleet has one region")
    region = ctx.choose(fronts)
    gw = s.gateways[region]
    journeys = [j for j in s.journeys if j["via"] == gw]
    entries = list(dict.fromkeys(j["entry"] for j in journeys))
    crossing = [
        e
        for e in entries
        if any(
            s.region_of(d["to"]) == s.home and d.get("required", True)
            for d in s.deps
            if d["from"] == e and d.get("mode", "sync") == "sync"
        )
    ]
    if not crossing:
        raise NoFit("nothing in the far region calls the home region")
    return region, gw, crossing, [j["name"] for j in journeys if j["entry"] in crossing]


def _crossing_timeout(ctx: Ctx, entries: list[str]) -> float:
    """The shortest timeout of the required calls most of the far entries' requests make to
    the home region (a call one request in fifty makes, such as a name lookup, aside)."""
    s = ctx.system
    outs = [
        float(d.get("timeout", 1.0))
        for d in s.deps
        if d["from"] in entries
        and s.region_of(d["to"]) == s.home
        and d.get("mode", "sync") == "sync"
        and d.get("required", True)
        and float(d.get("calls", 1.0)) >= 0.5
    ]
    if not outs:
        raise NoFit("the far region's requests do not need the home region")
    return min(outs)


def _region_question() -> dict[str, Any]:
    return {
        "question": "When the link between two regions degrades, what do you move, and what "
        "does moving cost?",
        "topics": ["multi-region", "incident-response"],
        "answer": "Serve the far region's users from the home region (fail the region over, "
        "or shift its traffic by DNS) so no request crosses the bad link; it costs cold caches "
        "and the longer round trip for those users, which is far less than calls timing out.",
    }


@recipe("network-latency", needs=("regions",))
def network_latency(ctx: Ctx) -> Plan:
    s = ctx.system
    region, gw, entries, journeys = _far_front(ctx)
    home = s.home
    timeout = _crossing_timeout(ctx, entries)
    added = round(timeout * (0.9 + 0.5 * ctx.intensity), 2)
    entry = entries[0]
    ms = round(added * 1000)
    return Plan(
        kind="network-latency",
        root=entry,
        faults=[
            {
                "kind": "network-latency",
                "target": entry,
                "at": ctx.at,
                "region": home,
                "added_latency": added,
            }
        ],
        chain=[
            {
                "component": entry,
                "what": f"the link between {region} and {home} is congested: about {ms} ms "
                "more on every crossing",
                "at": ctx.at,
            },
            *(
                {
                    "component": e,
                    "what": f"its calls to services in {home} exceed their timeouts and fail",
                }
                for e in entries
            ),
        ],
        solution=[{"action": "failover-region", "target": region, "to": home}],
        summary=(
            f"The network link between {region} and {home} degraded and every call across "
            f"it took about {ms} ms longer. The services in {region} call {home} for most of "
            f"their work, so those calls ran past their timeouts and {region}'s users saw "
            f"errors; {home} itself was healthy. Failing {region} over to {home} took the "
            "link out of the path."
        ),
        signals=[
            f"only the journeys that enter through {gw} suffered; {home}'s own were healthy",
            f"the time {entry} spent in calls to {home} jumped while {home}'s services stayed fast",
            "no deploy or config change touched the failing path",
        ],
        journeys=journeys,
        questions=[_region_question()],
    )


@recipe("packet-loss", needs=("regions",))
def packet_loss(ctx: Ctx) -> Plan:
    s = ctx.system
    region, gw, entries, journeys = _far_front(ctx)
    home = s.home
    loss = round(0.3 + 0.4 * ctx.intensity, 2)
    entry = entries[0]
    return Plan(
        kind="packet-loss",
        root=entry,
        faults=[
            {"kind": "packet-loss", "target": entry, "at": ctx.at, "region": home, "loss": loss}
        ],
        chain=[
            {
                "component": entry,
                "what": f"about {_pct(loss)} of packets between {region} and {home} are "
                "dropped (a faulty link)",
                "at": ctx.at,
            },
            *(
                {
                    "component": e,
                    "what": f"its calls to {home} fail or retransmit; the requests that need "
                    "them fail",
                }
                for e in entries
            ),
        ],
        solution=[{"action": "failover-region", "target": region, "to": home}],
        summary=(
            f"A faulty link dropped about {_pct(loss)} of the packets between {region} and "
            f"{home}. The services in {region} call {home} for most of their work, so many of "
            f"their requests failed while every service in {home} was healthy. Failing "
            f"{region} over to {home} took the link out of the path."
        ),
        signals=[
            f"only the journeys entering through {gw} failed; {home}'s own were healthy",
            f"{entry}'s calls to {home} failed with connection resets and timeouts, not with "
            "the callees' errors",
            f"the services {entry} calls saw fewer requests from it, and served them fine",
        ],
        journeys=journeys,
        questions=[_region_question()],
    )


@recipe("region-partition", needs=("regions",))
def region_partition(ctx: Ctx) -> Plan:
    s = ctx.system
    region, gw, entries, journeys = _far_front(ctx)
    home = s.home
    entry = entries[0]
    return Plan(
        kind="region-partition",
        root=entry,
        faults=[{"kind": "region-partition", "target": entry, "at": ctx.at, "region": home}],
        chain=[
            {
                "component": entry,
                "what": f"{region} cannot reach {home}: every call across fails",
                "at": ctx.at,
            },
            *(
                {
                    "component": e,
                    "what": f"its calls to {home} fail; the requests that need them fail",
                }
                for e in entries
            ),
        ],
        solution=[{"action": "failover-region", "target": region, "to": home}],
        summary=(
            f"The network between {region} and {home} was cut. The services in {region} "
            f"need {home} for most of their work, so their requests failed, while {home} "
            f"served its own users normally. Failing {region} over to {home} served its "
            "users from the side that still worked."
        ),
        signals=[
            f"only the journeys entering through {gw} failed",
            f"{entry}'s calls to {home} failed with connection timeouts; nothing in {home} "
            "saw errors",
            f"replication to {region} stopped at the same moment",
        ],
        journeys=journeys,
        questions=[_region_question()],
    )


@recipe("stale-failover", needs=("replica",))
def stale_failover(ctx: Ctx) -> Plan:
    s = ctx.system
    db = ctx.choose(_primaries(ctx, replicated=True))
    replica = _replica_of(s, db)
    caller = ctx.choose(_workload_callers(s, db))
    stale = round(0.15 + 0.2 * ctx.intensity, 2)
    lost = round(0.1 + 0.1 * ctx.intensity, 2)
    hurt = list(dict.fromkeys(j for c in _workload_callers(s, db) for j in ctx.hurt_journeys(c)))
    _correctness(s, hurt)
    return Plan(
        kind="stale-failover",
        root=db,
        faults=[
            {
                "kind": "stale-failover",
                "target": db,
                "at": ctx.at,
                "stale_share": stale,
                "lost_share": lost,
            }
        ],
        chain=[
            {
                "component": db,
                "what": f"a flapping health check makes the automation fail {db} over to "
                f"{replica} without checking its lag",
                "at": ctx.at,
            },
            {
                "component": replica,
                "what": "it was minutes behind: the writes it had not applied are gone from "
                "what it serves",
            },
            {
                "component": caller,
                "what": f"about {_pct(stale)} of its reads come back without recent writes: "
                "wrong answers, not errors",
            },
        ],
        solution=[{"action": "failover-db", "target": db}],
        summary=(
            f"Failover automation promoted {replica} after a flapping health check, without "
            f"checking its replication lag. It was minutes behind, so reads through {caller} "
            "returned old data while nothing errored. Failing back to the caught-up primary "
            "restored correct answers; the writes lost in between need replaying from their "
            "source."
        ),
        signals=[
            f"an automatic failover event on {db} minutes before the wrong answers",
            f"{caller}'s calls to {db} changed latency at that moment: it had moved",
            "availability stayed green while the correctness SLO burned",
        ],
        harm="wrong",
        journeys=hurt,
        questions=[
            {
                "question": "Why is failing over to a lagging replica worse than a short outage "
                "for data users rely on?",
                "topics": ["multi-region", "database-migrations"],
                "answer": "An outage loses availability for its minutes; a stale failover "
                "loses the writes the replica lacked and serves wrong data until someone "
                "notices, then needs reconciling. Fail over automatically only with lag under "
                "a bound.",
            }
        ],
    )


@recipe("split-brain", needs=("regions", "replica"))
def split_brain(ctx: Ctx) -> Plan:
    s = ctx.system
    db = ctx.choose(_primaries(ctx, replicated=True))
    replica = _replica_of(s, db)
    caller = ctx.choose(_workload_callers(s, db))
    assert replica is not None
    far = s.region_of(replica)
    if far == s.region_of(db):
        raise NoFit("the replica is in the primary's region")
    rate = round(0.02 + 0.03 * ctx.intensity, 3)
    blip = float(ctx.rng.choice((180, 240, 300, 360)))
    hurt = list(dict.fromkeys(j for c in _workload_callers(s, db) for j in ctx.hurt_journeys(c)))
    _correctness(s, hurt)
    return Plan(
        kind="split-brain",
        root=db,
        faults=[
            {
                "kind": "region-partition",
                "target": db,
                "at": ctx.at,
                "until": ctx.at + blip,
                "region": far,
            },
            {
                "kind": "split-brain",
                "target": db,
                "at": ctx.at + 60.0,
                "conflict_per_min": rate,
                "change": {
                    "author": "failover-manager",
                    "text": f"{far} lost sight of the primary: {replica} promoted to primary "
                    f"(no quorum; {db} not fenced)",
                },
            },
        ],
        chain=[
            {
                "component": db,
                "what": f"the link between {s.region_of(db)} and {far} drops for "
                f"{round(blip / 60)} minutes",
                "at": ctx.at,
            },
            {
                "component": replica,
                "what": f"{far}'s failover manager sees no primary and promotes {replica}, "
                f"without fencing {db}: two primaries",
                "at": ctx.at + 60.0,
            },
            {
                "component": db,
                "what": "the link heals, but nothing demotes either primary",
                "at": ctx.at + blip,
            },
            {
                "component": db,
                "what": "each side accepts writes the other never sees; conflicting rows pile up",
            },
            {
                "component": caller,
                "what": "a growing share of its reads return one side's version of a row: "
                "wrong answers",
            },
        ],
        solution=[{"action": "failover-db", "target": db}],
        summary=(
            f"A short partition made {replica} promote itself while {db} was still primary, "
            "and both accepted writes; when the link healed nothing demoted either. Conflicting rows accumulated by the minute and reads "
            f"through {caller} returned whichever side they reached. Fencing to one primary "
            "with a failover stopped the divergence; the conflicting rows need reconciling."
        ),
        signals=[
            f"replication to {replica} stopped with the partition and never resumed",
            "the share of wrong answers grew steadily with time, not with load",
            "errors and latency stayed normal",
        ],
        harm="wrong",
        journeys=hurt,
        questions=[
            {
                "question": "What prevents two database primaries from accepting writes at once?",
                "topics": ["multi-region", "distributed-debugging"],
                "answer": "Fencing: a lease or quorum that a primary must hold to accept "
                "writes, so the old one stops (or is shot) before the new one starts; a "
                "promotion without a quorum is how split brain begins.",
            }
        ],
    )


# ------------------------------------------------------------------ clocks and credentials


def _serving(ctx: Ctx) -> list[str]:
    """Services on some journey's path that a caller needs (so their failure spreads)."""
    s = ctx.system
    out = [n for n in s.on_journeys("service") if s.required_callers(n) or s.journeys_through(n)]
    if not out:
        raise NoFit("no service on a journey")
    return out


def _node_pool(system: System, name: str, nodes: int) -> str:
    """Move ``name`` to a node pool of its own (``nodes`` nodes in its region): what draining
    one of them restarts is its own pods only. The pool's name."""
    comp = system.components[name]
    region = system.region_of(name)
    pool = f"{name}-pool"
    cpu = int(comp["replicas"]) * float(comp.get("cpu_limit", 1.0))
    per_node = max(NODE_CPU, float(math.ceil(cpu * 2.0 / nodes)))
    system.clusters.append(
        {"name": pool, "region": region, "nodes": nodes, "cpu_per_node": per_node}
    )
    comp["cluster"] = pool
    return pool


@recipe("clock-skew")
def clock_skew(ctx: Ctx) -> Plan:
    s = ctx.system
    target = ctx.choose([n for n in _serving(ctx) if s.cluster_of(n)])
    nodes = 2 if ctx.intensity >= 0.75 else 3
    cluster = _node_pool(s, target, nodes)
    skew = float(ctx.rng.choice((360, 420, 480, 600, 900)))
    share = round(1.0 / nodes, 2)  # its pods on the skewed node
    return Plan(
        kind="clock-skew",
        root=target,
        faults=[
            {"kind": "clock-skew", "target": target, "at": ctx.at, "skew": skew, "share": share}
        ],
        chain=[
            {
                "component": target,
                "what": f"time sync stops on one of the {nodes} nodes of {cluster}; its clock "
                f"drifts "
                f"{round(skew / 60)} minutes, and {target}'s pods there reject tokens as "
                "expired or not yet valid",
                "at": ctx.at,
            },
            {
                "component": target,
                "what": f"about {_pct(share)} of its requests, those on the skewed node, fail",
            },
            *ctx.spread(target),
        ],
        solution=[{"action": "drain-node", "target": cluster}],
        summary=(
            f"Time synchronisation stopped on one node of {cluster} and its clock drifted "
            f"about {round(skew / 60)} minutes. {target}'s pods on that node checked token "
            "lifetimes against the wrong time and rejected valid requests, so a steady share "
            "failed while the same version on other nodes was fine. Draining the node moved "
            "the pods to nodes with good clocks."
        ),
        signals=[
            f"{target} failed a steady share of requests, all from the pods on one node",
            "the log timestamps of those pods were minutes off the others'",
            "no deploy or config change touched it; restarted pods on the same node failed again",
        ],
        journeys=ctx.hurt_journeys(target),
        questions=[
            {
                "question": "Why can a clock a few minutes off fail requests that have nothing "
                "to do with time?",
                "topics": ["distributed-debugging", "security-compliance"],
                "answer": "Tokens and certificates carry validity windows: a host whose clock "
                "is off by more than the allowed leeway sees valid tokens as expired or not "
                "yet valid. Monitor clock offset per node and take a drifting node out.",
            }
        ],
    )


@recipe("cert-expired")
def cert_expired(ctx: Ctx) -> Plan:
    s = ctx.system
    target = ctx.choose([n for n in _serving(ctx) if s.required_callers(n)])
    s.components[target]["cert_expires_at"] = ctx.at
    caller = ctx.caller_on_path(target)
    return Plan(
        kind="cert-expired",
        root=target,
        faults=[{"kind": "cert-expired", "target": target, "at": ctx.at}],
        chain=[
            {
                "component": target,
                "what": "its internal TLS certificate expires; every handshake to it fails",
                "at": ctx.at,
            },
            {"component": caller, "what": f"its calls to {target} fail at the handshake"},
            *ctx.spread(caller),
        ],
        solution=[{"action": "renew-cert", "target": target}],
        summary=(
            f"{target}'s internal TLS certificate expired, and from that second every caller's "
            f"handshake failed, so {caller} failed the requests that needed it. Nothing had "
            "changed in the code. Issuing and installing a fresh certificate ended it; "
            "automated renewal with an alert weeks before expiry keeps it from coming back."
        ),
        signals=[
            f"every call to {target} failed at once, to the second, with handshake errors",
            f"{target} itself received almost no requests while its callers failed",
            f"{target}'s certificate expiry date was the minute the errors began",
        ],
        journeys=ctx.hurt_journeys(target),
        questions=[
            {
                "question": "How do you keep internal certificates from expiring in production?",
                "topics": ["security-compliance", "alerting-runbooks"],
                "answer": "Issue them from an automated CA with short lifetimes and automatic "
                "renewal, and alert on time to expiry (weeks ahead) for every certificate in "
                "use, so a renewal that silently stopped pages someone long before it bites.",
            }
        ],
    )


@recipe("secret-not-reloaded", needs=("database",))
def secret_not_reloaded(ctx: Ctx) -> Plan:
    s = ctx.system
    db = ctx.choose(_primaries(ctx))
    target = ctx.choose(_workload_callers(s, db))
    return Plan(
        kind="secret-not-reloaded",
        root=target,
        faults=[{"kind": "secret-not-reloaded", "target": target, "to": db, "at": ctx.at}],
        chain=[
            {
                "component": target,
                "what": f"the vault rotates its credential for {db}; {target} keeps the old one "
                "it read at start-up",
                "at": ctx.at,
            },
            {
                "component": target,
                "what": f"{db} rejects its logins: every call to {db} fails authentication",
            },
            *ctx.spread(target),
        ],
        solution=[{"action": "reload-secret", "target": target}],
        summary=(
            f"The vault rotated {target}'s credential for {db} on schedule. {target} reads its "
            f"secrets only at start-up, so it kept logging in with the old password and every "
            f"call to {db} failed authentication. Making it re-read its secrets ended the "
            "failures without dropping work."
        ),
        signals=[
            f"a credential rotation event for {target} at the minute its calls to {db} began "
            "failing",
            f"{target}'s errors were authentication failures on {db}, not timeouts",
            f"{db} was healthy for its other clients",
        ],
        journeys=ctx.hurt_journeys(target),
        questions=[
            {
                "question": "How should a service take a rotated credential?",
                "topics": ["security-compliance", "incident-response"],
                "answer": "Watch the secret and reload it without a restart (or use short-lived "
                "credentials issued per connection); rotate with an overlap during which the "
                "old and new credentials both work, and check that every client moved before "
                "revoking the old one.",
            }
        ],
    )


CLIENTS = ("203.0.113.0/24", "198.51.100.0/24", "192.0.2.0/24", "198.51.100.0/22")
LOGIN_WORDS = ("login", "sign-in", "auth")


CPU_AT_CAPACITY = 0.6
"""Share of its CPU limit a replica uses at its rated capacity (the engine's)."""


def _stuffing_strength(system: System, entry: str, rate: float, want: float) -> tuple[float, float]:
    """The attack's factor on a journey of ``rate`` and the CPU an attempt costs, so that
    ``entry`` needs ``want`` times the CPU it has."""
    comp = system.components[entry]
    load = _rate(system, entry)
    cap = float(comp["capacity"]) * int(comp["replicas"])
    for cpu in (2.0, 4.0, 6.0, 8.0):
        for tenth in range(30, 201, 5):
            factor = tenth / 10
            abusive = (factor - 1) / factor
            demand = (load + rate * (factor - 1)) / cap
            if max(demand, CPU_AT_CAPACITY * (1 + (cpu - 1) * abusive) * demand) >= want:
                return factor, cpu
    raise NoFit(f"an attack on {entry} would need more than 20 times its traffic")


@recipe("credential-stuffing")
def credential_stuffing(ctx: Ctx) -> Plan:
    s = ctx.system
    journeys = [
        j
        for j in s.journeys
        if s.kind(j["entry"]) == "service" and not s.components[j["entry"]].get("autoscaling")
    ]
    login = [j for j in journeys if any(w in j["name"] for w in LOGIN_WORDS)]
    journey = s.journey(ctx.choose([j["name"] for j in (login or journeys)]))
    entry, front = journey["entry"], journey["via"]
    want = 2.4 + 1.0 * ctx.intensity  # the entry's CPU demand over what it has (scaled twice)
    factor, cpu = _stuffing_strength(s, entry, float(journey["rate"]), want)
    client = ctx.rng.choice(CLIENTS)
    name = journey["name"]
    return Plan(
        kind="credential-stuffing",
        root=entry,
        faults=[
            {
                "kind": "credential-stuffing",
                "target": entry,
                "journey": name,
                "at": ctx.at,
                "factor": factor,
                "client": client,
                "cpu_factor": cpu,
            }
        ],
        chain=[
            {
                "component": front,
                "what": f"a botnet in {client} replays leaked passwords against {name}: "
                f"{factor} times the usual requests",
                "at": ctx.at,
            },
            {
                "component": entry,
                "what": "each attempt costs a password hash; its CPU saturates and real users' "
                "requests queue and time out",
            },
        ],
        solution=[{"action": "block-client", "target": front, "client": client}],
        summary=(
            f"A credential-stuffing run from {client} multiplied {name} requests by {factor}. "
            f"Every attempt cost {entry} a password hash, so it saturated and real users' "
            "requests timed out. Scaling out only fed the attack; blocking the source range "
            f"at {front} took the load away at once."
        ),
        signals=[
            f"{name} traffic jumped while the other journeys' stayed flat",
            f"most of the new requests came from one address range, {client}, and failed "
            "their logins",
            f"{entry}'s CPU per request rose: the work was hashing, not a slower release",
        ],
        journeys=[name],
        questions=[
            {
                "question": "Why is scaling out a poor answer to a credential-stuffing attack?",
                "topics": ["security-compliance", "scalability-ha"],
                "answer": "The attacker sets the load: more replicas raise the bill and let more "
                "guesses through. Block or rate-limit the source at the edge, add bot "
                "detection and per-account limits, and scale only for real users.",
            }
        ],
    )


@recipe("waf-blocks-users")
def waf_blocks_users(ctx: Ctx) -> Plan:
    s = ctx.system
    journey = s.journey(ctx.choose([j["name"] for j in s.journeys]))
    name, front = journey["name"], journey["via"]
    # a rule that blocks everyone is caught in review; one that matches some real requests
    # pages minutes later, after the next innocent change
    share = round(0.25 + 0.2 * ctx.intensity, 2)
    return Plan(
        kind="waf-blocks-users",
        root=front,
        faults=[
            {
                "kind": "waf-blocks-users",
                "target": front,
                "journey": name,
                "at": ctx.at,
                "share": share,
            }
        ],
        chain=[
            {
                "component": front,
                "what": f"the security team's new WAF rule matches about {_pct(share)} of real "
                f"{name} requests and rejects them with 403",
                "at": ctx.at,
            },
        ],
        solution=[{"action": "revert-config", "target": front}],
        summary=(
            f"A new WAF rule at {front} meant for an attack pattern also matched ordinary "
            f"{name} requests, and rejected about {_pct(share)} of them before they reached "
            "any service. Every service behind it was healthy: it simply received fewer "
            "requests. Reverting the rule let users through; it can return once tested "
            "against real traffic in log-only mode."
        ),
        signals=[
            f"{front} answered 403 to a share of {name} requests from the minute the rule changed",
            f"the services behind {front} saw fewer {name} requests, and failed none",
            "the other journeys were untouched",
        ],
        journeys=[name],
        questions=[
            {
                "question": "How do you roll out a new WAF rule without blocking real users?",
                "topics": ["security-compliance", "incident-response"],
                "answer": "Run it in count (log-only) mode on real traffic first, look at what "
                "it would have blocked, then enforce it gradually with an alert on the block "
                "rate per journey, and keep the revert one command away.",
            }
        ],
    )


@recipe("revoked-access")
def revoked_access(ctx: Ctx) -> Plan:
    s = ctx.system
    exposure = s.exposures()
    pairs = [
        (c, d["to"], exposure.get(c, 0.0) * min(float(d.get("calls", 1.0)), 1.0))
        for d in s.deps
        if d.get("mode", "sync") == "sync"
        and d.get("required", True)
        and s.kind(c := d["from"]) in WORKLOADS
        and s.kind(d["to"]) in ("database", "service", "cache", "queue")
        and s.journeys_through(c)
    ]
    # a grant only some requests need (an endpoint, a feature): the page comes minutes after
    # the access change, with the next innocent change in between
    some = [p for p in pairs if 0.15 <= p[2] <= 0.5]
    pick = some or [p for p in pairs if p[2] >= 0.15]
    if not pick:
        raise NoFit("no service that needs another")
    target, to, _ = pick[ctx.rng.randrange(len(pick))]
    return Plan(
        kind="revoked-access",
        root=target,
        faults=[{"kind": "revoked-access", "target": target, "to": to, "at": ctx.at}],
        chain=[
            {
                "component": target,
                "what": f"an access sync removes {target}'s grant on {to}; every call it makes "
                "there is denied",
                "at": ctx.at,
            },
            *ctx.spread(target),
        ],
        solution=[{"action": "revert-config", "target": target}],
        summary=(
            f"An automated access sync dropped {target}'s grant on {to}, so every call it "
            f"made there was denied at once and its callers failed with it. {to} was healthy "
            "and served everyone else. Restoring the grant ended it; the sync's source of "
            "truth needs the grant added so the next run does not remove it again."
        ),
        signals=[
            f"{target}'s calls to {to} failed instantly with permission denied",
            f"an access change for {target} in the change history at the minute it began",
            f"{to} stayed healthy for its other callers",
        ],
        journeys=ctx.hurt_journeys(target),
        questions=[
            {
                "question": "How do you keep an access sync from revoking grants production needs?",
                "topics": ["security-compliance", "infra-as-code"],
                "answer": "Keep grants as code, reviewed like any change; have the sync report "
                "what it would remove and refuse large removals without approval; alert on "
                "denied calls between services.",
            }
        ],
    )


# ------------------------------------------------------------------ third parties


@recipe("third-party-rate-limit", needs=("external",), external=True)
def third_party_rate_limit(ctx: Ctx) -> Plan:
    s = ctx.system
    target = ctx.choose([e for e in s.on_journeys("external") if _rate(s, e) >= 2.0])
    callers = ctx.callers_on_paths(target)
    caller = callers[0] if len(callers) == 1 else ctx.choose(callers)
    rate = _rate(s, target)
    quota = round(max(1.0, rate * (0.65 - 0.35 * ctx.intensity)), 1)
    factor = float(min(16, math.ceil(rate * 1.6 / quota)))
    plan = ctx.rng.choice(("Starter", "Basic", "Developer"))
    ctx.extra["evidence"] = {
        "notifications": [
            {
                "at": -5 * 86400.0,
                "channel": "email",
                "sender": f"billing@{target}.example",
                "to": "vendors@ (mailing list)",
                "subject": f"Your {target} contract ends: the account moves to the {plan} plan",
                "body": f"Without a renewal the account moves to the {plan} plan, limited to "
                f"{quota:g} requests per second; further requests are answered 429.",
                "state": "unread",
            }
        ]
    }
    return Plan(
        kind="third-party-rate-limit",
        root=target,
        faults=[
            {"kind": "third-party-rate-limit", "target": target, "at": ctx.at, "quota_rps": quota}
        ],
        chain=[
            {
                "component": target,
                "what": f"the provider moves the account to its {plan} plan: {quota:g} calls a "
                f"second, the rest refused with 429 (we make about {rate:.0f})",
                "at": ctx.at,
            },
            {"component": caller, "what": f"its calls to {target} over the quota are refused"},
            *ctx.spread(caller),
        ],
        solution=[{"action": "raise-quota", "target": target, "factor": factor}],
        summary=(
            f"{target}'s contract lapsed and the provider moved the account to a plan of "
            f"{quota:g} calls a second, as its unread e-mails had said it would. Calls above "
            f"that were refused with 429, so {caller} failed the requests that needed them. "
            "Buying the higher quota ended the refusals; nobody had owned the renewal."
        ),
        signals=[
            f"{caller}'s calls to {target} were refused with 429 Too Many Requests",
            f"the calls that got through held steady at about {quota:g} a second",
            "the provider's e-mails about the plan change sat unread in a mailing list",
        ],
        journeys=ctx.hurt_journeys(caller),
        questions=[
            {
                "question": "How do you keep a third party's quota from taking you down?",
                "topics": ["cost-reliability", "scalability-ha"],
                "answer": "Track each provider's limits and contract dates as owned "
                "configuration, alert on 429s and on usage nearing the quota, and give the "
                "caller a degraded path (a cached or default answer) for when the provider "
                "refuses.",
            }
        ],
        external=True,
    )


# ------------------------------------------------------------------ nothing broken


@recipe("no-fault")
def no_fault(ctx: Ctx) -> Plan:
    s = ctx.system
    quiet = [
        n
        for n in s.on_journeys("service")
        if not s.components[n].get("autoscaling") and _rate(s, n) > 0
    ]
    target = ctx.choose(quiet)
    page = ctx.at + float(ctx.rng.choice((240, 300, 360, 420)))
    ctx.extra["page_at"] = page
    # busy enough that the burst crosses the alert's hair-trigger threshold (half the CPU
    # limit), far from saturation
    comp = s.components[target]
    comp["capacity"] = round(_rate(s, target) / (int(comp["replicas"]) * 0.55), 1)
    comp.setdefault("telemetry", {})["noisy_alerts"] = True
    until = page + float(ctx.rng.choice((900, 1200, 1500)))
    job = ctx.rng.choice(("a cache rebuild", "a nightly compaction", "a report export"))
    chain: list[dict[str, Any]] = [
        {
            "component": target,
            "what": f"{job} inside {target} raises its CPU for a while",
            "at": ctx.at,
        },
        {
            "component": target,
            "what": "its CPU alert, with a threshold far below saturation, fires and pages",
        },
        {
            "component": target,
            "what": "it keeps serving: latency, errors and every journey's SLO stay normal",
        },
    ]
    summary = (
        f"Nothing was broken. {job[0].upper() + job[1:]} raised {target}'s CPU, and a CPU "
        "alert with a threshold far below saturation paged. Latency, errors and every "
        "journey's SLO stayed normal throughout. The right response was to confirm there "
        "was no user impact and leave the system alone; the alert needs fixing, not "
        f"{target}."
    )
    signals = [
        f"{target}'s CPU rose, but its latency and errors did not",
        "every journey's SLO stayed within its objective",
        f"the alert's threshold sat far below the CPU at which {target} slows down",
    ]
    contributing = ["the CPU alert pages on a cause far below saturation, not on a symptom"]
    return Plan(
        kind="no-fault",
        root=None,
        faults=[
            {
                "kind": "no-fault",
                "target": target,
                "at": ctx.at,
                "until": until,
                "artefact": "cpu-burst",
            }
        ],
        chain=chain,
        solution=[],
        summary=summary,
        signals=signals,
        harm="none",
        journeys=ctx.hurt_journeys(target),
        contributing=contributing,
        questions=[
            {
                "question": "What should wake someone at night: a cause or a symptom?",
                "topics": ["alerting-runbooks", "observability"],
                "answer": "A symptom users feel: an SLO burning fast. Causes (CPU, a missing "
                "series) belong on dashboards and in tickets; a page for a cause that hurts no "
                "one trains people to ignore pages.",
            }
        ],
    )
