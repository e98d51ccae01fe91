"""Searching lines in bulk finds exactly the lines a grep over every rendered line finds.

A search decides a needle from the templates where it can and otherwise reads the fields
that can hold it, for all lines at once, without writing the lines. Each test here renders
every line of a window instead, greps it in Python, and compares: the count, and every line
of the answer in order. The needles come from the lines themselves (fragments of any length
at any place, so across field boundaries too) and from the values that make a line unique:
trace ids, pod names, user names, addresses, latencies, timestamps, large numbers.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from chaosgame.engine.sim import Simulator
from chaosgame.game.session import Session
from chaosgame.generate.topology import fleet
from chaosgame.scenario.loader import load_scenario
from chaosgame.scenario.model import Scenario
from chaosgame.telemetry import logs, logscan, logsearch
from chaosgame.telemetry.listings import pod_names
from chaosgame.telemetry.logs import Category, categories, counts
from chaosgame.telemetry.logsearch import Filter, render, search
from chaosgame.telemetry.query import run
from chaosgame.telemetry.recorder import attach, recorder
from tests.telemetry.test_log_games import ROOT

LANGUAGES = ("java", "go", "python", "node", "ruby", "rust", "other")


def _mixed() -> Scenario:
    """A small fleet whose services log in every language and format, with a skewed clock,
    sampling, a rollout of a failing version and a failing dependency."""
    data = fleet(36, seed=11).model_dump(mode="json", exclude_unset=True)
    for n, comp in enumerate(data["components"]):
        comp["telemetry"] = {
            "language": LANGUAGES[n % len(LANGUAGES)],
            "log_format": "json" if n % 3 == 0 else "text",
            "clock_skew": -95.5 if n == 4 else 0.0,
            "log_sampling": 0.3 if n == 5 else 1.0,
        }
    data["deploys"] = [
        {"id": "v2", "at": 1500.0, "component": "svc-0-1", "version": "v2", "duration": 900.0}
    ]
    data["faults"] = [
        {
            "kind": "bad-deploy",
            "target": "svc-0-1",
            "at": 1500.0,
            "version": "v2",
            "error_rate": 0.5,
        },
        {"kind": "dependency-outage", "target": "svc-1-2", "at": 1200.0, "error_rate": 0.7},
    ]
    data["truth"] = {"root_cause": {"component": "svc-0-1", "kind": "bad-deploy"}}
    return Scenario.model_validate(data)


def _backlog() -> Scenario:
    """The retry storm with a consumer so slow that the queue's backlog runs to 5 digits."""
    sc = load_scenario(ROOT / "scenarios" / "checkout-payment-step-failing.yaml")
    data = sc.model_dump(mode="json", exclude_unset=True)
    data["faults"] = [
        *data["faults"],
        {"kind": "queue-backlog", "target": "fulfilment", "at": 600.0, "factor": 50.0},
    ]
    return Scenario.model_validate(data)


def _played(sc: Scenario, until: float) -> Simulator:
    sim = Simulator(sc)
    attach(sim)
    sim.run_until(until)
    return sim


def _session(name: str, wait: float) -> Simulator:
    game = Session(load_scenario(ROOT / "scenarios" / f"{name}.yaml"))
    game.reset()
    game.step({"type": "wait", "seconds": wait})
    assert game.sim is not None
    return game.sim


@dataclass
class Window:
    """Every line of the last ticks of a game, rendered, in the order a page shows them."""

    sim: Simulator
    cats: list[Category]
    lo: int
    hi: int
    lines: list[tuple[float, Category, str]]

    def grep(self, *tests: Any) -> list[tuple[float, Category, str]]:
        return [x for x in self.lines if all(t(x[2]) for t in tests)]

    def search(self, filters: list[Filter], skip: int = 0, limit: int = 10**9) -> Any:
        found = search(self.sim, self.cats, filters, self.lo, self.hi, self.sim.now, skip, limit)
        assert found.start == 0  # these windows fit in the budget: searched whole
        return found[:3]


def _window(sim: Simulator, ticks: int) -> Window:
    cats = [c for i in range(sim.world.n) for c in categories(sim, i)]
    hi = sim.history.ticks
    lo = hi - ticks
    n = counts(sim, cats, lo, hi, sim.now)
    uid = np.array([c.uid for c in cats], dtype=np.uint64)
    lines = []
    for t in range(hi - lo - 1, -1, -1):
        who = np.repeat(np.arange(len(cats)), n[:, t])
        idx = np.concatenate([np.arange(k) for k in n[:, t]])
        offs = np.array(
            [logsearch.offset(sim, cats[r], lo + t, int(k)) for r, k in zip(who, idx, strict=True)]
        )
        for o in np.lexsort((uid[who], -offs)):
            r, k = int(who[o]), int(idx[o])
            when, text = render(sim, cats[r], lo + t, k)
            lines.append((when, cats[r], text))
    return Window(sim, cats, lo, hi, lines)


GAMES = {
    "mixed": lambda: _played(_mixed(), 2100.0),
    "autoscaled": lambda: _session("checkout-cannot-scale-for-peak", 900.0),
    "backlog": lambda: _played(_backlog(), 2400.0),
    "replicas": lambda: _session("eu-users-see-old-profiles", 600.0),
}
CLASSES = [
    r"trace_id=([0-9a-f]{32})",
    r'"trace_id":"([0-9a-f]{32})"',
    r"pod=(\S+)",
    r'"pod":"([^"]+)"',
    r"user=(\S+)",
    r"client_ip=(\S+)",
    r" (\d+ms)",
    r"(\d+ms trace_id=[0-9a-f]{3})",
    r"^(\S+)",
    r'"ts":"([^"]+)"',
    r"(backlog \d+ messages)",
    r"(lag is \d+s)",
    r"(attempt \d/\d)",
    r"(\.java:\d+\))",
]


@pytest.fixture(scope="module", params=sorted(GAMES))
def window(request: pytest.FixtureRequest) -> Window:
    sim = GAMES[request.param]()
    return _window(sim, 2 if request.param != "replicas" else 4)


def _needles(win: Window, count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    texts = [text for _, _, text in win.lines]
    out = {"0", "1", "-", ":", " ", "=", '"', "ms", "00", "\\"}
    for _ in range(count):
        text = rng.choice(texts)
        size = rng.choice([1, 2, 3, 4, 5, 7, 9, 12, 16, 24, 33, 48])
        start = rng.randrange(0, max(len(text) - size, 1))
        out.add(text[start : start + size])
    for pattern in CLASSES:
        found = [m.group(1) for t in texts for m in [re.search(pattern, t)] if m]
        for value in rng.sample(found, min(len(found), 4)):
            out.add(value)
            for _ in range(3):
                size = rng.randint(1, len(value))
                start = rng.randint(0, len(value) - size)
                out.add(value[start : start + size])
    return sorted(out)


def test_every_needle_finds_the_lines_a_grep_finds(window: Window) -> None:
    """The count, and the lines shown (all of them up to a few hundred), in order."""
    for needle in _needles(window, 120, seed=1):
        total, scanned, page = window.search([Filter("|=", needle, 0)], limit=300)
        want = window.grep(lambda text, needle=needle: needle in text)
        assert scanned == len(window.lines)
        assert total == len(want), needle
        assert [x[2] for x in page] == [x[2] for x in want[:300]], needle
        assert [x[0] for x in page] == [x[0] for x in want[:300]], needle


def test_negations_and_several_filters(window: Window) -> None:
    needles = _needles(window, 30, seed=2)
    rng = random.Random(3)
    for needle in needles[::3]:
        other = rng.choice(needles)
        filters = [Filter("!=", needle, 0), Filter("|=", other, 0)]
        total, _, page = window.search(filters, limit=40)
        want = window.grep(lambda t, a=needle, b=other: a not in t and b in t)
        assert total == len(want), (needle, other)
        assert [x[2] for x in page] == [x[2] for x in want[:40]], (needle, other)


def test_pages_walk_the_same_lines(window: Window) -> None:
    needle = max(_needles(window, 20, seed=4), key=lambda s: (0 < len(s) < 3, s))
    _, _, whole = window.search([Filter("|=", needle, 0)], limit=60)
    parts = [window.search([Filter("|=", needle, 0)], skip=s, limit=7)[2] for s in range(0, 60, 7)]
    assert [x[2] for p in parts for x in p][:60] == [x[2] for x in whole]
    alone = logsearch.page(
        window.sim,
        window.cats,
        [Filter("|=", needle, 0)],
        window.lo,
        window.hi,
        window.sim.now,
        14,
        7,
    )
    assert [x[2] for x in alone] == [x[2] for x in parts[2]]


def test_a_regular_expression_reads_rendered_lines(window: Window) -> None:
    rx = r"[0-9a-f]{3}7[0-9a-f]* (client_ip|pod)="
    total, _, page = window.search([Filter("|~", rx, 0), Filter("!=", "GET", 0)], limit=25)
    want = window.grep(lambda t: re.search(rx, t) is not None, lambda t: "GET" not in t)
    assert total == len(want)
    assert [x[2] for x in page] == [x[2] for x in want[:25]]


@pytest.fixture(scope="module")
def autoscaled() -> Window:
    return _window(GAMES["autoscaled"](), 2)


def test_pods_of_any_replica_and_version_are_found(autoscaled: Window) -> None:
    """An autoscaler grew the service past the replicas its scenario lists: lines of every
    pod it runs are found by the pod's name (templates no longer list pod names)."""
    sim = autoscaled.sim
    found = {m.group(1) for _, _, t in autoscaled.lines for m in [re.search(r"pod=(\S+)", t)] if m}
    listed = {
        p
        for i in range(sim.world.n)
        for v in {"v1", sim.scenario.components[i].version}
        for p in pod_names(sim, i, v, int(sim.world.replicas[i]) + 4)
    }
    assert found - listed, "the game should run pods beyond the listed replicas"
    for pod in sorted(found - listed)[:6] + sorted(found & listed)[:3]:
        total, _, _ = autoscaled.search([Filter("|=", pod, 0)], limit=1)
        assert total == len(autoscaled.grep(lambda t, pod=pod: pod in t)) > 0, pod


def test_large_numbers_are_found() -> None:
    """A queue's backlog of five digits is found by its value."""
    sim = GAMES["backlog"]()
    out, _ = run(sim, '{service="orders"} |= "backlog" --since=2m --limit=1')
    backlog = re.search(r"backlog \d{5,} messages", out["lines"][0]["line"])
    assert backlog is not None
    win = _window(sim, 12)
    total, _, _ = win.search([Filter("|=", backlog.group(0), 0)])
    assert total == len(win.grep(lambda t: backlog.group(0) in t)) > 0


def test_a_search_renders_only_the_lines_it_shows(
    autoscaled: Window, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Needles inside ids, names and numbers are counted without writing the lines."""
    calls = []
    real = logsearch.render

    def counting(*args: Any) -> tuple[float, str]:
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(logsearch, "render", counting)
    for needle in ("a7", "3", "ab", "-2", "0ms", ".1"):
        calls.clear()
        total, _, page = autoscaled.search([Filter("|=", needle, 0)], limit=5)
        assert total >= 5
        assert len(calls) == len(page) == 5


def test_latencies_on_a_rounding_edge_are_computed_as_rendered(
    window: Window, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With every latency treated as close to a rounding edge, all are computed line by line
    the way ``render`` does, and the answers stay the same."""
    needles = [
        m.group(1) for _, _, t in window.lines[:400] for m in [re.search(r" (\d+)ms", t)] if m
    ]
    needles = sorted(set(needles))[:5] + ["1", "9ms"]
    before = [window.search([Filter("|=", n, 0)], limit=3) for n in needles]
    monkeypatch.setattr(logscan, "ROUNDING_GUARD", 1.0)
    recorder(window.sim).cache.pop("logs/needles", None)
    after = [window.search([Filter("|=", n, 0)], limit=3) for n in needles]
    assert [(t, [x[2] for x in p]) for t, _, p in before] == [
        (t, [x[2] for x in p]) for t, _, p in after
    ]
    for n, (t, _, _) in zip(needles, after, strict=True):
        assert t == len(window.grep(lambda text, n=n: n in text))


def test_trace_ids_are_matched_digit_by_digit() -> None:
    rng = np.random.default_rng(5)
    a = rng.integers(0, 2**63, 3000, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = rng.integers(0, 2**63, 3000, dtype=np.uint64)
    a[:40] = 0
    b[40:80] = np.uint64(2**64 - 1)
    ids = logscan.Traces(a, b)
    texts = [f"{int(x):016x}{int(y):016x}" for x, y in zip(a, b, strict=True)]
    assert [v.decode() for v in ids.text()] == texts
    pick = random.Random(6)
    for _ in range(400):
        text = pick.choice(texts)
        size = pick.randint(1, 32)
        start = pick.randint(0, 32 - size)
        digits = text[start : start + size] if pick.random() < 0.7 else f"{pick.getrandbits(12):x}"
        assert list(ids.contains(digits)) == [digits in t for t in texts], digits


def test_counts_of_a_selection_are_those_of_the_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """Line counts kept with the game answer any selection and window as computed afresh
    (also when the oldest ticks kept are forgotten)."""
    monkeypatch.setattr(logs, "KEEP_TICKS", 50)
    kept = _played(_mixed(), 1800.0)
    fresh = _played(_mixed(), 1800.0)
    cats = [c for i in range(kept.world.n) for c in categories(kept, i)]
    every = counts(kept, cats, 100, 180, kept.now)
    for lo, hi in ((150, 170), (90, 181), (179, 180), (0, 30)):
        for pick in (lambda c: c.level == "error", lambda c: c.comp % 3 == 1, lambda c: True):
            chosen = [c for c in cats if pick(c)]
            mine = counts(kept, chosen, lo, hi, kept.now)
            theirs = counts(
                fresh,
                [c for i in range(fresh.world.n) for c in categories(fresh, i) if pick(c)],
                lo,
                hi,
                fresh.now,
            )
            assert np.array_equal(mine, theirs)
            if lo >= 100 and hi <= 180:
                rows = [r for r, c in enumerate(cats) if pick(c)]
                assert np.array_equal(mine, every[rows, lo - 100 : hi - 100])


def test_plans_shared_between_categories_are_each_categorys_own(window: Window) -> None:
    """A needle's plans, worked out once per distinct segment and row of reaches, are those
    each category's template gives on its own, and agree with the templates' verdict."""
    from chaosgame.telemetry.logtemplates import decide, reach

    for needle in _needles(window, 25, seed=9)[::2]:
        made = logscan.plans(window.sim, window.cats, needle)
        for cat, got in zip(window.cats, made, strict=True):
            segs = logscan.segments(cat)
            alone = logscan._plan(segs, [reach(needle, s, None) for s, _ in segs], needle)
            assert got == alone, (needle, cat.key)
            assert got.verdict == decide(needle, list(cat.template)), (needle, cat.key)
