"""Telemetry speed and memory on a 1,000-component fleet over 2 hours (prints figures).

    PYTHONPATH=. python benchmarks/bench_telemetry.py          # everything
    PYTHONPATH=. python benchmarks/bench_telemetry.py regex    # the fleet and part 2 only

1. Log line-filter searches over a window of about 1,000,000 lines of a fleet with faults
   running (so error, retry and rollout lines exist). The needles are taken from the rendered
   lines themselves: fragments of trace ids, pod names, user names, addresses, latencies,
   timestamps and of text across a field's edge, each chosen to match about 0.1 %, 10 % and
   50 % of the lines, preferring needles the templates alone cannot decide for most lines.
   For each: the time to the first page of 50 lines, the time of the whole query with its
   exact count (both as the median of three, and for a needle never searched before), the
   count against ``grep -c -F`` over the same lines written to a file (they must be equal)
   and the ratio of the query's time to grep's (targets: first page under 0.1 s, query
   within 2x of grep).
2. Regular-expression filters over the same window: the time of the whole query, whether it
   searched the whole window or stopped at its budget (and how many lines it read then),
   and, for patterns that mean the same in POSIX ERE, the count against ``grep -c -E`` over
   the lines it searched (equal when the whole window was searched). One of them,
   ``(.*a){25}``, never finishes in a backtracking engine.
3. A metric query over the 2 hours (target: under 20 ms).
4. Resident memory with all telemetry reachable (target: under 300 MB).
"""

from __future__ import annotations

import math
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

from chaosgame.engine.sim import Simulator
from chaosgame.generate.topology import fleet
from chaosgame.scenario.model import Scenario
from chaosgame.telemetry import logs
from chaosgame.telemetry.logquery import parse
from chaosgame.telemetry.logscan import plans
from chaosgame.telemetry.logsearch import Filter, page, render
from chaosgame.telemetry.query import run
from chaosgame.telemetry.recorder import attach, recorder

LINES = 1_000_000
SAMPLE = 20_000
"""Lines of the window kept to pick needles from and estimate their share."""
TARGETS = (0.001, 0.1, 0.5)
PAGE_TARGET = 0.1
RATIO_TARGET = 2.0
REGEXES: tuple[tuple[str, str | None], ...] = (
    ("unexpected status 50[0-9]", "unexpected status 50[0-9]"),
    ("POST /api/journey-[0-9]+ 50[02]", "POST /api/journey-[0-9]+ 50[02]"),
    (r"\d{2}ms trace", "[0-9]{2}ms trace"),
    ("user=[a-z]+[0-9]+ ", "user=[a-z]+[0-9]+ "),
    ("(?i)internal server error", None),
    ("(.*a){25}", None),
)
"""Patterns timed over the window, and the same in POSIX ERE for ``grep -c -E``, if any."""
CLASSES: dict[str, re.Pattern[str]] = {
    "trace id": re.compile(r"trace_id=([0-9a-f]{32})"),
    "pod name": re.compile(r"pod=(\S+)"),
    "user name": re.compile(r"user=(\S+)"),
    "client ip": re.compile(r"client_ip=(\S+)"),
    "latency": re.compile(r" (\d+ms) "),
    "timestamp": re.compile(r"^(\S+)"),
    "across": re.compile(r"(\d+ms trace_id=[0-9a-f]{4}|\.\d+ user=\w{4}|\w{3} pod=\S{5})"),
}
"""Where needles come from: a value the line carries, or text across a field's edge
(fragments of it are candidates)."""


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def best(fn: Callable[[], Any], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def faulty_fleet() -> Scenario:
    """The generated 1,000-component fleet with a bad rollout and a failing dependency."""
    data = fleet(1000).model_dump(mode="json", exclude_unset=True)
    data["deploys"] = [
        {
            "id": "svc-0-1-v2",
            "at": 6600.0,
            "component": "svc-0-1",
            "version": "v2",
            "duration": 600.0,
        }
    ]
    data["faults"] = [
        {
            "kind": "bad-deploy",
            "target": "svc-0-1",
            "at": 6600.0,
            "version": "v2",
            "error_rate": 0.4,
        },
        {"kind": "dependency-outage", "target": "svc-1-4", "at": 5400.0, "error_rate": 0.6},
    ]
    data["truth"] = {"root_cause": {"component": "svc-0-1", "kind": "bad-deploy"}}
    return Scenario.model_validate(data)


def candidates(sample: list[str]) -> dict[str, set[str]]:
    """Fragments of the values each class of needle comes from, by class."""
    rng = random.Random(5)
    out: dict[str, set[str]] = {name: set() for name in CLASSES}
    for line in sample:
        for name, pattern in CLASSES.items():
            m = pattern.search(line)
            if m is None:
                continue
            value = m.group(1)
            for _ in range(2):
                size = rng.randint(1, min(len(value), 12))
                start = rng.randint(0, len(value) - size)
                out[name].add(value[start : start + size])
            out[name].add(value)
    return out


def pick(
    sample: list[str], found: dict[str, set[str]], undecided: Callable[[str], float]
) -> list[tuple[str, float, str, float]]:
    """(class, target share, needle, share in the sample) for each class and target."""
    rng = random.Random(7)
    chosen = []
    few = sample[:: max(len(sample) // 4000, 1)]
    for name, pool in found.items():
        ranked = sorted(pool)
        ranked = rng.sample(ranked, min(len(ranked), 400))
        shares = {s: sum(s in line for line in few) / len(few) for s in ranked}
        for target in TARGETS:
            # closest to the target, among needles the templates cannot decide for most lines
            near = sorted(
                (abs(math.log(share / target)), needle)
                for needle, share in shares.items()
                if share > 0 and needle.strip()
            )[:12]
            fits = sorted((d + (undecided(n) < 0.5), n) for d, n in near if undecided(n) > 0)
            if fits:
                chosen.append((name, target, fits[0][1], shares[fits[0][1]]))
    return chosen


def main() -> None:
    sc = faulty_fleet()
    sim = Simulator(sc)
    attach(sim)
    t = time.perf_counter()
    sim.run_until(7200.0)
    print(
        f"fleet: {sim.world.n} components, {sim.history.ticks} ticks, simulated in "
        f"{time.perf_counter() - t:.1f}s"
    )

    # -- metrics
    q = 'sum by (service) (rate(http_requests_total{code=~"5.."}[5m])) --since=2h'
    t = time.perf_counter()
    run(sim, q)
    first = time.perf_counter() - t
    m = best(lambda: run(sim, q))
    q2 = 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{service="svc-1-3"}[5m]))) --since=2h'
    m2 = best(lambda: run(sim, q2))
    print(f"metric query over 2h, all services: {m * 1000:.1f} ms  (target < 20 ms)")
    print(f"metric query over 2h, one service p99: {m2 * 1000:.1f} ms")
    print(f"metric query over 2h, all services, first query on the fleet: {first * 1000:.1f} ms")

    # -- logs: find a window (ending now) that holds about LINES lines
    cats = [c for i in range(sim.world.n) for c in logs.categories(sim, i)]
    hi = sim.history.ticks
    lo = hi - 1
    while lo > 0:
        total = int(logs.counts(sim, cats, lo, hi, sim.now).sum())
        if total >= LINES:
            break
        lo -= 1
    n = logs.counts(sim, cats, lo, hi, sim.now)
    total = int(n.sum())
    since = (hi - lo) * sim.dt
    errors = int(sum(n[r].sum() for r, c in enumerate(cats) if c.level == "error"))
    print(f"log window: {hi - lo} ticks ({since:g}s), {total:,} lines, {errors:,} at level error")
    path = os.path.join(tempfile.mkdtemp(), "window.log")
    every = max(total // SAMPLE, 1)
    sample: list[str] = []
    written = 0
    t = time.perf_counter()
    with open(path, "w") as f:
        for r, c in enumerate(cats):
            for tk in range(hi - lo):
                for k in range(int(n[r, tk])):
                    text = render(sim, c, lo + tk, k)[1]
                    f.write(text)
                    f.write("\n")
                    if written % every == 0:
                        sample.append(text)
                    written += 1
    print(
        f"wrote the window to {path} in {time.perf_counter() - t:.1f}s "
        f"({os.path.getsize(path) / 1e6:.0f} MB)"
    )

    if "regex" in sys.argv[1:]:
        regexes(sim, since, path)
        os.remove(path)
        return
    weight = {r: int(n[r].sum()) for r in range(len(cats))}

    known: dict[str, float] = {}

    def undecided(needle: str) -> float:
        """Share of the window's lines the templates cannot decide for ``needle``."""
        if needle not in known:
            verdicts = [p.verdict for p in plans(sim, cats, needle)]
            known[needle] = sum(w for r, w in weight.items() if verdicts[r] is None) / total
        return known[needle]

    chosen = pick(sample, candidates(sample), undecided)
    print(
        f"{'needle':<24}{'class':<11}{'target':>7}{'matched':>9}{'undecided':>10}"
        f"{'page':>7}{'(new)':>7}{'query':>7}{'(new)':>7}{'grep -c':>8}{'ratio':>7}  count"
    )
    worst_page = worst_ratio = 0.0
    kept = recorder(sim).cache

    def unseen(fn: Callable[[], Any]) -> float:
        """Time of ``fn`` with a needle never searched before (its plans not yet made)."""
        kept.pop("logs/needles", None)
        t = time.perf_counter()
        fn()
        return time.perf_counter() - t

    for name, target, needle, _ in chosen:
        argv = ["grep", "-c", "-F", "--", needle, path]
        grep_s = best(lambda argv=argv: subprocess.run(argv, capture_output=True), 3)
        out = subprocess.run(argv, capture_output=True, text=True)
        grep_count = int(out.stdout.strip() or 0)
        quoted = needle.replace("\\", "\\\\").replace('"', '\\"')
        query = f'logs {{service=~".+"}} |= "{quoted}" --since={int(since)}s'
        _, filters, _ = parse(query.removeprefix("logs ").split(" --")[0])

        def first_page(f: list[Filter] = filters) -> object:
            return page(sim, cats, f, lo, hi, sim.now, 0, 50)

        page_new = unseen(first_page)
        page_s = best(first_page, 3)
        query_new = unseen(lambda query=query: run(sim, query))
        result, _ = run(sim, query)
        ours = best(lambda query=query: run(sim, query), 3)
        same = "same" if result["matched"] == grep_count else f"DIFFERS (grep {grep_count:,})"
        worst_page = max(worst_page, page_s)
        worst_ratio = max(worst_ratio, ours / grep_s)
        print(
            f"{needle!r:<24}{name:<11}{target:>7.1%}{result['matched'] / total:>9.2%}"
            f"{undecided(needle):>10.1%}{page_s * 1000:>5.0f}ms{page_new * 1000:>5.0f}ms"
            f"{ours * 1000:>5.0f}ms{query_new * 1000:>5.0f}ms{grep_s * 1000:>6.0f}ms"
            f"{ours / grep_s:>6.2f}x  {same}"
        )
    print(
        f"slowest first page {worst_page * 1000:.0f} ms (target < {PAGE_TARGET * 1000:.0f} ms), "
        f"worst ratio to grep -c {worst_ratio:.2f}x (target < {RATIO_TARGET:g}x)"
    )
    regexes(sim, since, path)
    os.remove(path)

    # -- everything reachable
    for q in (
        "map",
        "alerts",
        "changes",
        "pods svc-0-1",
        "traces --limit=20",
        '{service="svc-0-1"} --limit=20',
    ):
        run(sim, q)
    print(
        f"resident memory: {rss_mb():.0f} MB  (target < 300 MB), history {sim.history.nbytes() / 1e6:.0f} MB"
    )


def regexes(sim: Simulator, since: float, path: str) -> None:
    """Time each of :data:`REGEXES` over the window; check counts against ``grep -c -E``."""
    print(
        f"{'regex':<22}{'matched':>10}{'lines':>11}  {'searched':<16}{'query':>8}"
        f"{'grep -E':>9}  count"
    )
    for rx, ere in REGEXES:
        quoted = rx.replace("\\", "\\\\").replace('"', '\\"')
        query = f'logs {{service=~".+"}} |~ "{quoted}" --since={int(since)}s'
        t = time.perf_counter()
        try:
            result, _ = run(sim, query)
        except ValueError as exc:  # refused
            print(f"{rx!r:<22}  refused: {str(exc).splitlines()[0]}")
            continue
        took = time.perf_counter() - t
        whole = result.get("complete", True)
        searched = (
            "whole window" if whole else f"newest {result['window'][1] - result['window'][0]:g}s"
        )
        grep, same = "", ""
        if ere is not None and whole:
            t = time.perf_counter()
            out = subprocess.run(
                ["grep", "-c", "-E", "--", ere, path], capture_output=True, text=True
            )
            grep = f"{(time.perf_counter() - t) * 1000:>7.0f}ms"
            counted = int(out.stdout.strip() or 0)
            same = "same" if counted == result["matched"] else f"DIFFERS (grep {counted:,})"
        print(
            f"{rx!r:<22}{result['matched']:>10,}{result['scanned']:>11,}  {searched:<16}"
            f"{took * 1000:>6.0f}ms{grep:>9}  {same}"
        )


if __name__ == "__main__":
    main()
