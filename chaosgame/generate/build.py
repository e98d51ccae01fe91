"""``chaosgame generate``: a seed code in, a complete scenario out.

The steps, each drawing from its own named random stream of the code's seed (so adding a
step never changes what the others draw):

1. **choose**: the root-cause kind (among the topic's kinds when a topic is set; about one in
   twelve is nothing broken or a third party's fault), the archetype, the size and regions
   (from the difficulty's knobs);
2. **fleet**: :func:`chaosgame.generate.system.build_system` grows the archetype's core to the
   size, with what the kind's recipe needs;
3. **fault**: the kind's recipe (:mod:`chaosgame.generate.plan`) picks a target, writes the
   change that brings it and the truth;
4. **history and noise**: old deploys, innocent changes after the onset (red herrings), flapping
   alerts and slow queries, observability gaps and contributing factors, per the knobs;
5. **words**: id, title, briefing, debrief, questions (:mod:`chaosgame.generate.story`).

The result is the same scenario data an author writes, dumped as YAML with a fixed key order:
the same code gives byte-identical text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from typing import Any

import yaml

from chaosgame.engine.rng import Streams
from chaosgame.generate import story
from chaosgame.generate.archetypes import ARCHETYPES
from chaosgame.generate.codes import VERSION, SeedCode
from chaosgame.generate.difficulty import KNOBS, SCENARIO_DIFFICULTY, Knobs
from chaosgame.generate.plan import RECIPES, Ctx, Plan, Recipe
from chaosgame.generate.system import NoFit, System, build_system
from chaosgame.scenario.faults import FAULT_KINDS
from chaosgame.scenario.model import Scenario

WINDOW = 5400.0
TICK = 30.0
"""Generated incidents step the world 30 s at a time: metrics are scraped every 30 s, so a
player sees the same resolution, and ``check`` plays a thousand of them in minutes."""
SPECIAL_SHARE = 1 / 12
"""About one incident in twelve has nothing broken or a third party at fault."""
MAX_SIZE = 1000
MIN_SIZE = 6


class GenerateError(ValueError):
    """The generator could not make an incident for these settings (the message says why)."""


def _streams(code: SeedCode) -> Streams:
    key = f"chaosgame-generate:{code.version}:{code.difficulty}:{code.topic}:{code.seed}"
    return Streams(int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big"))


def _recipes() -> dict[str, Recipe]:
    import chaosgame.generate.recipes  # noqa: F401  (registers every recipe)

    return RECIPES


def candidates(topic: str | None) -> tuple[list[Recipe], list[Recipe]]:
    """The ordinary and the special (no fault, third party) recipes for ``topic``."""
    recipes = _recipes()
    fits = [r for k, r in sorted(recipes.items()) if topic is None or topic in _topics_of(k)]
    special = [r for r in fits if r.kind == "no-fault" or r.external]
    ordinary = [r for r in fits if r not in special]
    return ordinary, special


def _topics_of(kind: str) -> tuple[str, ...]:
    info = FAULT_KINDS.get(kind)
    return tuple(info.topics) if info else ("alerting-runbooks", "observability")


def _weighted(rng: random.Random, recipes: list[Recipe]) -> Recipe:
    total = sum(r.weight for r in recipes)
    x = rng.random() * total
    for r in recipes:
        x -= r.weight
        if x < 0:
            return r
    return recipes[-1]


def choose_kind(code: SeedCode, rng: random.Random) -> list[Recipe]:
    """The recipes to try, in order (the first that fits a fleet wins)."""
    ordinary, special = candidates(code.topic)
    if not ordinary and not special:
        raise GenerateError(f"no fault kind teaches topic {code.topic}")
    first_special = special and (not ordinary or rng.random() < SPECIAL_SHARE)
    pool = special if first_special else ordinary
    first = _weighted(rng, pool)
    rest = [r for r in ordinary + special if r is not first]
    rng.shuffle(rest)
    return [first, *rest]


def _size(knobs: Knobs, rng: random.Random) -> int:
    if knobs.huge and rng.random() < knobs.huge:
        return rng.randint(250, MAX_SIZE)
    return rng.randint(*knobs.size)


def _clock(rng: random.Random) -> str:
    day = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(365))
    hour = rng.choice([2, 8, 9, 10, 11, 13, 14, 15, 16, 17, 19, 20, 22])
    return f"{day.isoformat()}T{hour:02d}:{rng.choice([0, 10, 20, 30, 40, 50]):02d}:00Z"


def _round(x: float, step: float = 30.0) -> float:
    return float(round(x / step) * step)


def _plan(
    code: SeedCode, streams: Streams, size: int | None, kind: str | None = None
) -> tuple[System, Ctx, Plan, Knobs]:
    knobs = KNOBS[code.difficulty]
    pick = streams.get("generate/choose")
    if kind is not None:
        if kind not in _recipes():
            raise GenerateError(f"no recipe generates fault kind '{kind}'")
        order = [_recipes()[kind]]
    else:  # from a stream of its own: adding a recipe does not reshape every fleet
        order = choose_kind(code, streams.get("generate/kind"))
    archs = sorted(ARCHETYPES)
    want = size if size is not None else _size(knobs, pick)
    regions = pick.choice(knobs.regions)
    at = _round(pick.uniform(360.0, 720.0))
    intensity = round(pick.uniform(*knobs.intensity), 2)
    first_arch = pick.randrange(len(archs))
    tried: list[str] = []
    for rec in order[:12]:
        for n in range(len(archs)):
            arch = ARCHETYPES[archs[(first_arch + n) % len(archs)]]
            sub = Streams(streams.seed ^ (n + 1) * 0x9E3779B97F4A7C15 % 2**63)
            try:
                system = build_system(arch, want, regions, rec.needs, sub.get("generate/fleet"))
                ctx = Ctx(system, sub.get(f"generate/recipe/{rec.kind}"), at, intensity)
                return system, ctx, rec.build(ctx), knobs
            except NoFit as why:
                tried.append(f"{rec.kind} in {arch.key}: {why}")
    raise GenerateError(
        "no fault kind fits a generated fleet for these settings: " + "; ".join(tried[:5])
    )


def generate(code: SeedCode, size: int | None = None, kind: str | None = None) -> dict[str, Any]:
    """The scenario data for ``code`` (``size`` overrides the difficulty's fleet size; ``kind``
    forces the root cause's kind, for tests and recipe authors: the code then no longer
    says everything, so such a file is for trials, not for sharing)."""
    if size is not None and not MIN_SIZE <= size <= MAX_SIZE:
        raise GenerateError(f"size must be between {MIN_SIZE} and {MAX_SIZE} components")
    streams = _streams(code)
    system, ctx, plan, knobs = _plan(code, streams, size, kind)
    extras = streams.get("generate/extras")
    _onset(plan, knobs, extras)
    herrings = _herrings(system, ctx, plan, knobs, extras)
    noise = _noise(system, plan, knobs, extras, herrings)
    _gaps(system, plan, knobs, extras)
    contributing = list(plan.contributing)
    contributing += _contributing(system, plan, knobs, extras, len(contributing))
    _old_deploys(system, ctx, extras)
    words = streams.get("generate/words")
    stem, title = story.title(system, plan, words)
    topics = list(dict.fromkeys([*([code.topic] if code.topic else []), *_topics_of(plan.kind)]))[
        :3
    ]
    page_slo = next(
        (s for s in system.slos if plan.journeys and s["journey"] == plan.journeys[0]), None
    )
    data: dict[str, Any] = {
        "id": f"{stem}-{code.code.replace('-', '').lower()}",
        "title": title,
        "summary": f"A generated {code.difficulty} incident in a {system.archetype.title} "
        f"(seed code {code.code}).",
        "topics": topics,
        "difficulty": SCENARIO_DIFFICULTY[code.difficulty],
        "expected_minutes": {"easy": 10, "normal": 15, "hard": 20, "expert": 20}[code.difficulty],
        "seed": code.seed,
        "tick": TICK,
        "duration": WINDOW,
        "time_limit": knobs.time_limit[extras.randrange(len(knobs.time_limit))],
        "clock_start": _clock(words),
        "briefing": story.briefing(system, plan, page_slo),
        **system.data(),
    }
    if ctx.deploys:
        data["deploys"] = sorted(ctx.deploys, key=lambda d: (d["at"], d["component"]))
    if system.flags:
        data["flags"] = system.flags
    if ctx.configs:
        data["configs"] = sorted(ctx.configs, key=lambda c: (c["at"], c["id"]))
    if noise:
        data["noise"] = noise
    for key, value in ctx.extra.items():
        if key == "noise":  # a recipe's own noise joins the generated noise
            for part, items in value.items():
                data.setdefault("noise", {}).setdefault(part, []).extend(items)
        else:
            data[key] = value
    data["faults"] = plan.faults
    truth: dict[str, Any] = {
        "root_cause": {"kind": plan.kind} | ({"component": plan.root} if plan.root else {}),
        "causal_chain": plan.chain,
    }
    if contributing:
        truth["contributing"] = contributing
    if herrings:
        truth["red_herrings"] = [{"ref": h["ref"], "why": h["why"]} for h in herrings]
    truth["reference_solution"] = plan.solution
    data["truth"] = truth
    data["debrief"] = {
        "summary": plan.summary,
        "signals": plan.signals,
        "questions": story.questions(plan, herrings, topics),
    }
    data["generator"] = {
        "code": code.code,
        "version": VERSION,
        "difficulty": code.difficulty,
        "topic": code.topic,
        "archetype": system.archetype.key,
    }
    return data


def _onset(plan: Plan, knobs: Knobs, rng: random.Random) -> None:
    shape = rng.choice(knobs.onsets)
    if not plan.faults or shape == "step" or plan.kind == "no-fault":
        return
    fault = plan.faults[0]
    if "onset" in fault:
        return
    if shape == "ramp":
        fault["onset"] = {"shape": "ramp", "ramp": _round(rng.uniform(240.0, 600.0))}
    else:
        fault["onset"] = {"shape": "intermittent", "duty": round(rng.uniform(0.6, 0.8), 2)}


def _protected(system: System, plan: Plan) -> set[str]:
    out = set(plan.protect)
    out |= {s["component"] for s in plan.chain}
    if plan.root:
        out.add(plan.root)
    for f in plan.faults:
        for key in ("target", "to", "cache", "database"):
            if isinstance(f.get(key), str):
                out.add(f[key])
    for step in plan.solution:
        if isinstance(step.get("target"), str):
            out.add(step["target"])
    return out


CONFIG_KEYS = (
    ("log_level", "debug", "info"),
    ("http.keepalive_timeout", "75s", "60s"),
    ("metrics.histogram_buckets", "fine", "default"),
    ("gc.target_percent", "120", "100"),
    ("feature.dark_mode_banner", "on", "off"),
    ("worker_threads", "48", "32"),
    ("tracing.sample_rate", "0.1", "0.05"),
)
NOTES = (
    "copy changes",
    "dependency bumps",
    "logging cleanup",
    "new admin endpoint",
    "translation updates",
    "refactor of the settings page",
    "metrics for the new dashboard",
)


def _herrings(
    system: System, ctx: Ctx, plan: Plan, knobs: Knobs, rng: random.Random
) -> list[dict[str, Any]]:
    """Innocent changes around the onset (the newest visible change is one of them)."""
    count = rng.randint(*knobs.herrings)
    protected = _protected(system, plan)
    spare = [
        n
        for n in system.on_journeys("service", "worker")
        if n not in protected and not system.components[n].get("autoscaling")
    ]
    spare += [n for n in system.of_kind("service") if n not in spare and n not in protected]
    rng.shuffle(spare)
    out: list[dict[str, Any]] = []
    latest = max([ctx.at, *(d["at"] for d in ctx.deploys), *(c["at"] for c in ctx.configs)])
    for i in range(count):
        if not spare:
            break
        comp = spare.pop()
        # the first lands between the onset and the page (a fast fault pages about a
        # minute after its onset): the newest change a player sees when paged is innocent
        at = (
            _round(max(latest, ctx.at) + rng.uniform(15.0, 45.0), 15.0)
            if i == 0
            else _round(ctx.at + rng.uniform(-900.0, 300.0))
        )
        if rng.random() < 0.6:
            _, new = ctx.bump(comp)
            ships = _ships(system, comp, rng)
            extra = {"ships": ships} if ships else {}
            ref = ctx.deploy(comp, new, at, note=rng.choice(NOTES), duration=120.0, **extra)
            why = (
                f"{comp} kept serving with the same error rate and latency before and after "
                f"its rollout"
            )
            if ships:
                why += "; rolling it back would have taken away what it shipped"
            label = f"the {comp} deploy"
        else:
            key, value, previous = rng.choice(CONFIG_KEYS)
            ref = ctx.config(comp, key, value, previous, at)
            why = f"the {key} change on {comp} did not change its errors, latency or load"
            label = f"the config change on {comp}"
        out.append({"ref": ref, "why": why, "label": label})
    return out


FEATURES = (
    "saved searches",
    "bulk export",
    "dark mode",
    "new onboarding flow",
    "receipts by email",
    "two-step sign-in",
    "keyboard shortcuts",
    "CSV import",
    "usage charts",
)
MIGRATIONS = (
    "rows rewritten with the new address format",
    "a column split into two",
    "records moved to the v2 layout",
    "settings stored as JSON documents",
)


def _ships(system: System, comp: str, rng: random.Random) -> dict[str, Any]:
    """What an innocent release shipped: its users rely on it once it is out, so undoing
    the release is not free (most real releases ship something)."""
    journeys = [j["name"] for j in system.journeys_through(comp, required=False)]
    out: dict[str, Any] = {}
    if journeys and rng.random() < 0.7:
        out["features"] = [
            {
                "what": rng.choice(FEATURES),
                "share": round(rng.uniform(0.04, 0.1), 2),
                "journey": rng.choice(journeys),
            }
        ]
    if rng.random() < 0.35:
        out["migration"] = {
            "what": rng.choice(MIGRATIONS),
            "share": round(rng.uniform(0.1, 0.25), 2),
        }
    return out


def _noise(
    system: System, plan: Plan, knobs: Knobs, rng: random.Random, herrings: list[dict[str, Any]]
) -> dict[str, Any]:
    count = rng.randint(*knobs.noise)
    if count == 0:
        return {}
    protected = _protected(system, plan)
    out: dict[str, Any] = {}
    others = [n for n in system.of_kind("service", "worker") if n not in protected]
    dbs = [n for n in system.of_kind("database") if n not in protected]
    for i in range(count):
        if i % 2 == 0 and others:
            comp = others.pop(rng.randrange(len(others)))
            name = "".join(p.capitalize() for p in comp.split("-")) + "HighCpuFlapping"
            out.setdefault("alerts", []).append(
                {
                    "name": name[:63],
                    "component": comp,
                    "summary": f"{comp} CPU above 80 % for 2 minutes",
                    "period": 900.0,
                    "duty": 0.3,
                }
            )
            herrings.append(
                {
                    "ref": f"alert:{name[:63]}",
                    "why": f"the {comp} CPU alert has flapped every 15 minutes for a week",
                    "label": f"the {name[:63]} alert",
                }
            )
        elif dbs:
            db = dbs.pop(rng.randrange(len(dbs)))
            ident = f"{db}-nightly-report"
            out.setdefault("slow_queries", []).append(
                {
                    "id": ident,
                    "component": db,
                    "statement": "SELECT date_trunc('day', created_at), count(*) FROM events "
                    "GROUP BY 1 ORDER BY 1",
                    "duration": 4.0,
                }
            )
            herrings.append(
                {
                    "ref": f"slow-query:{ident}",
                    "why": f"the report query on {db} has been slow for months and did not change",
                    "label": f"the slow report query on {db}",
                }
            )
    return out


def _gaps(system: System, plan: Plan, knobs: Knobs, rng: random.Random) -> None:
    """Observability gaps: traces off, logs sampled, dashboards of averages; never the root
    cause's own metrics, so the cause stays visible."""
    count = rng.randint(*knobs.gaps)
    names = [n for n in system.of_kind("service", "worker") if n != plan.root]
    rng.shuffle(names)
    chain = {s["component"] for s in plan.chain}
    near = [n for n in names if n in chain] + [n for n in names if n not in chain]
    for i in range(min(count, len(near))):
        comp = system.components[near[i]]
        tel = comp.setdefault("telemetry", {})
        gap = rng.choice(["traces", "logs", "averages"])
        if gap == "traces":
            tel["traces"] = False
        elif gap == "logs":
            tel["log_sampling"] = rng.choice([0.01, 0.02, 0.05])
        else:
            tel["dashboard_averages_only"] = True
    if plan.root and count >= 5 and system.kind(plan.root) in ("service", "worker"):
        system.components[plan.root].setdefault("telemetry", {})["traces"] = False


def _contributing(
    system: System, plan: Plan, knobs: Knobs, rng: random.Random, have: int
) -> list[str]:
    want = rng.randint(*knobs.contributing) - have
    out: list[str] = []
    if want <= 0 or plan.root is None:
        return out
    for comp in system.on_journeys("service"):
        tel = system.components[comp].get("telemetry", {})
        if not tel.get("traces", True):
            out.append(f"{comp} sends no traces, so requests through it end at its callers")
        elif tel.get("dashboard_averages_only"):
            out.append(f"{comp}'s dashboards show only averages, which hide a failing share")
        if len(out) >= want:
            break
    return out


def _old_deploys(system: System, ctx: Ctx, rng: random.Random) -> None:
    """Each workload's current version arrived days ago (the history before the window)."""
    have = {d["component"] for d in ctx.deploys if d["at"] < 0}
    names = [n for n in system.on_journeys("service", "worker") if n not in have][:30]
    for name in names:
        version = system.components[name].get("version")
        if not version:
            continue
        at = -_round(rng.uniform(1.0, 20.0) * 86400.0, 3600.0)
        ctx.deploys.append(
            {
                "id": f"{name}-{version}",
                "at": at,
                "component": name,
                "version": version,
                "author": ctx.author(name),
            }
        )


# ------------------------------------------------------------------ output


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def to_yaml(data: dict[str, Any]) -> str:
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, width=100, allow_unicode=True)
    code = data.get("generator", {}).get("code", "")
    head = (
        "# yaml-language-server: $schema=./scenario.schema.json\n"
        f"# Generated by `chaosgame generate --seed {code}`: the same code always gives this "
        "file.\n"
    )
    return head + body


def generate_yaml(code: SeedCode, size: int | None = None, kind: str | None = None) -> str:
    return to_yaml(generate(code, size, kind))


def generate_scenario(code: SeedCode, size: int | None = None, kind: str | None = None) -> Scenario:
    return Scenario.model_validate(generate(code, size, kind))


def triple(sc: Scenario) -> tuple[str, str, str | None]:
    """What tells generated incidents apart: the archetype, the root cause's kind and its
    component (for a false alarm, the component it fires on)."""
    rc = sc.truth.root_cause
    where = rc.component
    if where is None and sc.faults:
        where = getattr(sc.faults[0], "target", None)
    return (sc.generator.archetype if sc.generator else "", rc.kind, where)
