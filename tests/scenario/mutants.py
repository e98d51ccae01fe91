"""Seeded mutants of scenario files, and what becomes of each: rejected, played, or a failure.

A mutant is a scenario file (a curated one, or the ``chaosgame new`` template) with one or a
few of its values replaced by hostile ones (zero, negative, tiny, huge, infinite, a number
with thousands of digits, a duration of a day or of a millisecond, text that is not a date)
or with an entry removed or repeated. It is written out as YAML text and loaded like any file,
so the reader's rules apply too.

:func:`verdict` loads a mutant and, when it validates, plays a short headless game through the
player view (a look, a wait, the reference mitigations, a declaration, the end) and renders
the debrief. What ``validate`` accepts must play: any exception other than a clean
:class:`~chaosgame.scenario.loader.ScenarioError` is a failure, and so is a simulation that
runs more ticks than its scenario could ever need (a hang, caught by counting ticks rather
than by a clock).

The suite runs a few thousand of them (``tests/scenario/test_fuzz.py``); the larger sweep is
``benchmarks/bench_scenarios.py --fuzz``.
"""

from __future__ import annotations

import copy
import math
import random
import re
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from chaosgame.scenario.library import scenario_dir, scenario_paths
from chaosgame.scenario.loader import (
    Loc,
    ScenarioError,
    load_scenario_text,
    parse_yaml,
    read_text,
)
from chaosgame.scenario.model import Scenario
from chaosgame.scenario.template import render
from chaosgame.scenario.topology import apply_extends


class Raw(str):
    """Text written into the YAML as it is (unquoted): ``1e400``, a 5,000-digit number."""


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """libyaml's emitter when PyYAML has it (ten times faster), with :class:`Raw` values."""


def _raw(dumper: yaml.SafeDumper, value: Raw) -> yaml.ScalarNode:
    tag = dumper.resolve(yaml.ScalarNode, str(value), (True, False))
    return dumper.represent_scalar(tag, str(value), style="")


_Dumper.add_representer(Raw, _raw)


def dump(data: Any) -> str:
    """YAML text of mutated data (``Raw`` values unquoted)."""
    text: str = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10**6)
    return text


_DURATION = re.compile(r"^-?(\d+(\.\d+)?(ms|s|m|h|d))+$")

NUMBERS: tuple[Any, ...] = (
    0,
    -1,
    1,
    0.5,
    1e-9,
    1e-308,
    7,
    1000,
    10**9,
    1e12,
    1e308,
    -1e308,
    2**63,
    2**64,
    Raw("1e400"),
    Raw("-1e400"),
    Raw("9" * 5000),
    Raw("." + "0" * 400 + "1"),
    ".inf",
    ".nan",
    True,
    None,
    "12",
    [],
)
DURATIONS: tuple[Any, ...] = (
    "0s",
    "0",
    0,
    "1ms",
    "100ms",
    "1s",
    "10m",
    "1d",
    "7d",
    "1000d",
    "100000000d",
    "-1h",
    "-100000d",
    "2h",
    "3h",
    Raw("1e400"),
    "1.5.5s",
)
TEXTS: tuple[Any, ...] = (
    "",
    " ",
    "not a date",
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00Z",
    "2026-02-30T09:00:00Z",
    "2026-03-14T09:00:00+14:00",
    "2026-03-14",
    "[red]markup[/red]",
    "x" * 300,
    "orders",
    "gateway",
    "flag:nothing",
    Raw("9" * 5000),
    1,
    None,
)


def leaves(data: Any, loc: Loc = ()) -> Iterator[Loc]:
    """Every place in ``data`` a value or an entry could be changed."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from leaves(value, (*loc, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from leaves(value, (*loc, i))
    yield loc


def get(data: Any, loc: Loc) -> Any:
    for part in loc:
        data = data[part]
    return data


def candidates(value: Any) -> tuple[Any, ...]:
    """Hostile replacements for ``value``, by what it looks like."""
    if isinstance(value, bool):
        return (False, True, None, "yes", 0)
    if isinstance(value, int | float):
        extra = (value * 1000, value / 1000, -value, value * 1e6) if value else ()
        return (*NUMBERS, *extra)
    if isinstance(value, str) and _DURATION.match(value.replace(" ", "")):
        return DURATIONS
    if isinstance(value, str):
        return TEXTS
    if isinstance(value, list):
        return ([], None, "x")
    return ({}, None, [])


def set_at(data: Any, loc: Loc, value: Any) -> None:
    get(data, loc[:-1])[loc[-1]] = value


def mutate(data: dict[str, Any], rng: random.Random, count: int) -> tuple[dict[str, Any], str]:
    """``data`` with ``count`` random changes; the changes, described."""
    out = copy.deepcopy(data)
    done = []
    for _ in range(count):
        places = [loc for loc in leaves(out) if loc]
        loc = rng.choice(places)
        parent = get(out, loc[:-1])
        op = rng.random()
        if op < 0.08:
            if isinstance(parent, dict):
                del parent[loc[-1]]
            else:
                del parent[loc[-1]]
            done.append(f"del {_path(loc)}")
        elif op < 0.12 and isinstance(parent, list):
            parent.insert(int(loc[-1]), copy.deepcopy(parent[int(loc[-1])]))
            done.append(f"dup {_path(loc)}")
        else:
            value = rng.choice(candidates(get(out, loc)))
            set_at(out, loc, copy.deepcopy(value))
            done.append(f"{_path(loc)}={_short(value)}")
    return out, "; ".join(done)


def single_field_mutants(data: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str]]:
    """Every scalar of ``data`` replaced, in turn, by each of its hostile candidates."""
    for loc in leaves(data):
        value = get(data, loc) if loc else None
        if not loc or isinstance(value, dict | list):
            continue
        for new in candidates(value):
            out = copy.deepcopy(data)
            set_at(out, loc, copy.deepcopy(new))
            yield out, f"{_path(loc)}={_short(new)}"


def _path(loc: Loc) -> str:
    return ".".join(str(p) for p in loc)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 24 else text[:21] + "..."


# ------------------------------------------------------------------ the seeds
def template_data() -> dict[str, Any]:
    """The ``chaosgame new`` template as plain data."""
    data, _, _ = parse_yaml(render("new-scenario"))
    assert isinstance(data, dict)
    return data


def rich_template_data() -> dict[str, Any]:
    """The template with every optional part set, so that mutants reach each of them: the
    clock, a page time, a fault's end and shape, an autoscaler, probes, telemetry, regions,
    a traffic spike, tenants, a flag and its change, a multiple-choice question."""
    data = template_data()
    data.update(tick="10s", page_at="32m", clock_start="2026-03-14T09:00:00Z")
    data["regions"] = [{"name": "eu", "latency_ms": {"us": 80}}, {"name": "us"}]
    data["clusters"] = [{"name": "prod", "region": "eu", "nodes": 6, "cpu_per_node": 8}]
    orders = data["components"][1]
    orders.update(
        region="eu",
        cluster="prod",
        autoscaling={"metric": "cpu", "target": 0.6, "min": 2, "max": 6, "delay": "3m"},
        liveness={"timeout": "1s", "failure_threshold": 3},
        telemetry={"trace_sampling": 0.1, "clock_skew": 2, "scrape_interval": "30s"},
        memory_base_mb=256,
        memory_limit_mb=512,
        cert_expires_at="1d",
    )
    data["components"][2].update(disk_gb=500, disk_used_gb=100, write_fraction=0.3)
    data["dependencies"][0].update(
        retries={"count": 2, "backoff": "100ms"},
        breaker={"error_threshold": 0.5, "window": "30s", "cooldown": "30s"},
    )
    data["journeys"][0]["spikes"] = [{"at": "1h", "duration": "5m", "factor": 1.5}]
    data["journeys"][1].update(daily_amplitude=0.2, peak_at="14h")
    data["tenants"] = [{"name": "big", "share": 0.3}, {"name": "rest", "share": 0.7}]
    data["flags"] = [
        {
            "name": "tax-v2",
            "components": ["orders"],
            "on": False,
            "changes": [{"at": "20m", "on": True, "percentage": 50}],
        }
    ]
    data["slos"].append({"journey": "order", "sli": "latency", "threshold": "500ms"})
    fault = data["faults"][0]
    fault.update(until="1h40m", onset={"shape": "periodic", "period": "10m", "duty": 0.7})
    data["faults"].append(
        {"kind": "latency-regression", "target": "search", "at": "40m", "factor": 2.0}
    )
    data["debrief"]["questions"].append(
        {"question": "Which first?", "choices": ["roll back", "scale"], "answer": 0}
    )
    return data


def curated_data(path: Path) -> dict[str, Any]:
    """A curated scenario as plain data, its shared topology merged in."""
    data, marks, _ = parse_yaml(read_text(path), str(path))
    assert isinstance(data, dict)
    if "extends" in data:
        data, _, _ = apply_extends(data, marks, str(path), path.parent)
    return data


def seeds(curated: int | None = None) -> list[tuple[str, dict[str, Any]]]:
    """The template and (the first ``curated``, default all) curated scenarios."""
    paths = scenario_paths()
    if curated is not None:
        paths = paths[:curated]
    return [("new", template_data()), ("new+", rich_template_data())] + [
        (p.stem, curated_data(p)) for p in paths
    ]


# ------------------------------------------------------------------ verdicts
@dataclass(frozen=True)
class Verdict:
    """What became of one mutant."""

    outcome: str  # "rejected", "valid", "played", "failed"
    detail: str = ""

    @property
    def failed(self) -> bool:
        return self.outcome == "failed"


class Runaway(Exception):
    """A simulation ran far more ticks than its scenario could ever need."""


def tick_budget(sc: Scenario) -> int:
    """The most ticks any run of ``sc`` may take: its window and the settling after it."""
    from chaosgame.game.players import SETTLE_S

    return math.ceil((sc.duration + SETTLE_S + 3600.0) / sc.tick) + 10


def load(text: str) -> Scenario:
    """Load mutant text as a file in the scenarios folder would be."""
    return load_scenario_text(text, "mutant.yaml", base_dir=scenario_dir())


def verdict(text: str, play: bool) -> Verdict:
    """Load ``text``; when valid and ``play``, play a short game and render its debrief."""
    from chaosgame.scenario.graph import TopologyError, check_acyclic

    try:
        sc = load(text)
        check_acyclic(sc)  # as ``validate`` does
    except TopologyError as exc:
        return Verdict("rejected", str(exc))
    except ScenarioError as exc:
        for p in exc.problems:
            if p.line < 1 or p.col < 1 or not p.message or "Traceback" in p.message:
                return Verdict("failed", f"bad problem: {p!r}")
        return Verdict("rejected", str(exc.problems[0]))
    except Exception:
        return Verdict("failed", "loading: " + traceback.format_exc(limit=-4))
    if not play:
        return Verdict("valid")
    try:
        play_short(sc)
    except Exception:
        return Verdict("failed", "playing: " + traceback.format_exc(limit=-6))
    return Verdict("played")


def play_short(sc: Scenario) -> str:
    """A short game: look, wait, apply the reference solution, declare, end; the debrief."""
    from chaosgame.engine import sim as sim_module
    from chaosgame.game.player import PlayerView

    budget = tick_budget(sc)
    original = sim_module.Simulator.step

    def counted(self: sim_module.Simulator) -> None:
        if self.tick > budget:
            raise Runaway(f"tick {self.tick} of a scenario that needs at most {budget}")
        original(self)

    sim_module.Simulator.step = counted  # type: ignore[method-assign]
    try:
        view = PlayerView(sc)
        view.start()
        view.act({"type": "query", "view": "slo"})
        view.act({"type": "query", "view": "map"})
        view.act({"type": "wait", "seconds": 60})
        for m in sc.truth.mitigations[:2]:
            view.act({"type": "mitigate", **m.model_dump(mode="json")})
        rc = sc.truth.root_cause
        view.act({"type": "declare", "component": rc.component, "kind": rc.kind})
        view.end()
        text: str = view.debrief()["text"]
        view.score()
    finally:
        sim_module.Simulator.step = original  # type: ignore[method-assign]
    return text
