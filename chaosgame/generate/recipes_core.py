"""Recipes for the first kinds: a bad release, a slower release, a third party that slows or
fails, and nothing broken at all."""

from __future__ import annotations

from chaosgame.generate.plan import Ctx, Plan, recipe

RELEASE_NOTES = (
    "new pricing rules",
    "reworked request validation",
    "faster serializer",
    "new API version",
    "client library upgrade",
    "retry handling rewrite",
    "schema for the new screen",
)


@recipe("bad-deploy")
def bad_deploy(ctx: Ctx) -> Plan:
    s = ctx.system
    target = ctx.choose(s.on_journeys("service"))
    _, new = ctx.bump(target)
    ctx.deploy(target, new, ctx.at, note=ctx.rng.choice(RELEASE_NOTES), duration=240.0)
    rate = round(0.35 + 0.45 * ctx.intensity, 2)
    pct = round(rate * 100)
    return Plan(
        kind="bad-deploy",
        root=target,
        faults=[
            {
                "kind": "bad-deploy",
                "target": target,
                "version": new,
                "at": ctx.at,
                "error_rate": rate,
            }
        ],
        chain=[
            {
                "component": target,
                "what": f"{new} fails about {pct} % of its requests",
                "at": ctx.at,
            },
            *ctx.spread(target),
        ],
        solution=[{"action": "rollback", "target": target}],
        summary=(
            f"{target} {new}, rolled out at the onset, failed about {pct} % of its requests. "
            f"Its callers passed the errors up to users. Rolling {target} back to the previous "
            "version ended them."
        ),
        signals=[
            f"{target}'s own error rate rose as {new} rolled out",
            f"the errors on the failing journeys traced down to {target}",
            f"{target}'s dependencies stayed healthy, so the fault was in {target} itself",
        ],
        journeys=ctx.hurt_journeys(target),
        questions=[
            {
                "question": f"Roll back {target} or fix forward, and why?",
                "topics": ["incident-response", "deploy-strategies"],
                "answer": "Roll back: the previous version is known good and the rollback is "
                "quick; fix forward once users are no longer failing.",
            }
        ],
    )


@recipe("latency-regression")
def latency_regression(ctx: Ctx) -> Plan:
    s = ctx.system
    target = ctx.choose(s.on_journeys("service"))
    _, new = ctx.bump(target)
    ctx.deploy(target, new, ctx.at, note=ctx.rng.choice(RELEASE_NOTES), duration=240.0)
    factor = round(3.0 + 4.0 * ctx.intensity, 1)
    return Plan(
        kind="latency-regression",
        root=target,
        faults=[
            {
                "kind": "latency-regression",
                "target": target,
                "version": new,
                "at": ctx.at,
                "factor": factor,
            }
        ],
        chain=[
            {
                "component": target,
                "what": f"{new} needs {factor}x the time per request, so it saturates and queues",
                "at": ctx.at,
            },
            *ctx.spread(target, "slow"),
        ],
        solution=[{"action": "rollback", "target": target}],
        summary=(
            f"{target} {new} spent {factor} times as long on each request. With the same "
            "traffic its replicas saturated, requests queued and its callers' timeouts fired. "
            f"Rolling {target} back restored its service time."
        ),
        signals=[
            f"{target}'s latency and CPU per request rose as {new} rolled out",
            f"traces put the slow span in {target}, not in what it calls",
            "its traffic did not grow: the same load cost more",
        ],
        harm="errors",
        journeys=ctx.hurt_journeys(target),
    )


@recipe("third-party-slow", needs=("external",), external=True)
def third_party_slow(ctx: Ctx) -> Plan:
    s = ctx.system
    target = ctx.choose(s.on_journeys("external"))
    caller = ctx.caller_on_path(target)
    added = round(1.5 + 3.0 * ctx.intensity, 1)
    return Plan(
        kind="third-party-slow",
        root=target,
        faults=[
            {"kind": "third-party-slow", "target": target, "at": ctx.at, "added_latency": added}
        ],
        chain=[
            {"component": target, "what": f"the provider answers {added} s slower", "at": ctx.at},
            {
                "component": caller,
                "what": f"waits on {target} until its timeout, holding its workers",
            },
            *ctx.spread(caller),
        ],
        solution=[
            {"action": "switch-fallback", "target": c, "to": target}
            for c in ctx.callers_on_paths(target)
        ],
        summary=(
            f"{target}, a provider we do not run, slowed down by {added} s per call. {caller} "
            "waited on it until its timeout and failed the requests that needed it. Switching "
            f"{caller} to its degraded fallback stopped the waiting; the provider's own fix "
            "was theirs to make."
        ),
        signals=[
            f"the time {caller} spends in calls to {target} jumped, with no change on our side",
            f"{caller}'s own CPU stayed low: it was waiting, not working",
            "no deploy or config change touched the failing path",
        ],
        journeys=ctx.hurt_journeys(caller),
        external=True,
    )


@recipe("dependency-outage", needs=("external",), external=True)
def dependency_outage(ctx: Ctx) -> Plan:
    s = ctx.system
    target = ctx.choose(s.on_journeys("external"))
    caller = ctx.caller_on_path(target)
    rate = round(0.5 + 0.5 * ctx.intensity, 2)
    return Plan(
        kind="dependency-outage",
        root=target,
        faults=[{"kind": "dependency-outage", "target": target, "at": ctx.at, "error_rate": rate}],
        chain=[
            {
                "component": target,
                "what": f"the provider fails {round(rate * 100)} % of calls",
                "at": ctx.at,
            },
            *ctx.spread(target),
        ],
        solution=[
            {"action": "switch-fallback", "target": c, "to": target}
            for c in ctx.callers_on_paths(target)
        ],
        summary=(
            f"{target}, a provider we do not run, started failing calls. {caller} needs it, "
            f"so its requests failed. Switching {caller} to its degraded fallback kept users "
            "going until the provider recovered."
        ),
        signals=[
            f"{caller}'s calls to {target} failed fast with the provider's errors",
            "no deploy, flag or config change touched the failing path",
            f"{caller}'s own metrics were normal apart from the failing calls",
        ],
        journeys=ctx.hurt_journeys(caller),
        external=True,
    )
