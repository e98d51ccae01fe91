"""Telemetry speed and memory on a 1,000-component fleet over 2 hours (prints figures).

    PYTHONPATH=. python benchmarks/bench_telemetry.py

1. A log line-filter search over a window of about 1,000,000 lines: first page and exact count,
   against ``grep -c`` over the same lines written to a file (target: within 3x).
2. A metric query over the 2 hours (target: under 20 ms).
3. Resident memory with all telemetry reachable (target: under 300 MB).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time

from chaosgame.engine.sim import Simulator
from chaosgame.generate.topology import fleet
from chaosgame.telemetry import logs
from chaosgame.telemetry.logsearch import render
from chaosgame.telemetry.query import run
from chaosgame.telemetry.recorder import attach

LINES = 1_000_000


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def best(fn: object, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    sc = fleet(1000)
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
    print(f"log window: {hi - lo} ticks ({since:g}s), {total:,} lines")
    path = os.path.join(tempfile.mkdtemp(), "window.log")
    t = time.perf_counter()
    with open(path, "w") as f:
        for r, c in enumerate(cats):
            for tk in range(hi - lo):
                for k in range(int(n[r, tk])):
                    f.write(render(sim, c, lo + tk, k)[1])
                    f.write("\n")
    print(
        f"wrote the window to {path} in {time.perf_counter() - t:.1f}s "
        f"({os.path.getsize(path) / 1e6:.0f} MB)"
    )
    for needle in ("timeout", "retrying", "svc-2-7"):
        grep_s = best(
            lambda needle=needle: subprocess.run(
                ["grep", "-c", "-F", needle, path], capture_output=True
            ),
            3,
        )
        out = subprocess.run(["grep", "-c", "-F", needle, path], capture_output=True, text=True)
        grep_count = int(out.stdout.strip() or 0)
        query = f'logs {{service=~".+"}} |= "{needle}" --since={int(since)}s'
        result, _ = run(sim, query)
        ours = best(lambda query=query: run(sim, query), 3)
        same = "same count" if result["matched"] == grep_count else "COUNTS DIFFER"
        print(
            f'|= "{needle}": ours {ours * 1000:.0f} ms ({result["matched"]:,} of '
            f"{result['scanned']:,}, page of {len(result['lines'])}), grep -c {grep_s * 1000:.0f} ms "
            f"({grep_count:,}), ratio {ours / grep_s:.2f}x (target < 3x), {same}"
        )
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


if __name__ == "__main__":
    main()
