"""Loading scenario files: merging onto a shared topology, and a sweep of mutated files.

    python benchmarks/bench_scenarios.py            # merge times
    python benchmarks/bench_scenarios.py --fuzz [N] [--seed S] [--play P]

The first part prints the CPU seconds it takes to parse, merge (``extends:``) and validate a
scenario that adds 2,000 and 10,000 components to the shop topology: the merge is linear in
the files' size, so five times the components take about five times as long.

``--fuzz`` runs ``N`` seeded mutants (default 5,000) of the ``chaosgame new`` template and of
every curated scenario through ``validate``, plays a short headless game for up to ``P`` of the
valid ones (default 200) and renders their debriefs, then prints how many mutants were tried,
rejected, played and failed, with the failures. The suite's ``tests/scenario/test_fuzz.py``
runs a smaller, fixed share of the same mutants.
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chaosgame.scenario.library import scenario_dir  # noqa: E402
from chaosgame.scenario.loader import load_scenario_text, parse_yaml  # noqa: E402
from chaosgame.scenario.topology import apply_extends  # noqa: E402


def extra_components(n: int) -> str:
    """A curated scenario on the shop topology, with ``n`` more components and calls."""
    text = (scenario_dir() / "browsing-crawls-after-lunch.yaml").read_text(encoding="utf-8")
    comps = "".join(f"  - {{name: extra-{i}, kind: worker, replicas: 1}}\n" for i in range(n))
    calls = "".join(f"  - {{from: extra-{i}, to: extra-{i + 1}}}\n" for i in range(0, n - 1, 2))
    text = text.replace("\ncomponents:\n", "\ncomponents:\n" + comps, 1)
    if "\ndependencies:\n" in text:
        return text.replace("\ndependencies:\n", "\ndependencies:\n" + calls, 1)
    return text + "dependencies:\n" + calls


def merge_times() -> None:
    print(f"{'extra components':>16}{'KiB':>8}{'parse s':>9}{'merge s':>9}{'validate s':>12}")
    for n in (2_000, 10_000):
        text = extra_components(n)
        t0 = time.process_time()
        data, marks, _ = parse_yaml(text, "bench.yaml")
        t1 = time.process_time()
        apply_extends(data, marks, "bench.yaml", scenario_dir())
        t2 = time.process_time()
        sc = load_scenario_text(text, "bench.yaml", base_dir=scenario_dir())
        t3 = time.process_time()
        assert len(sc.components) == 16 + n
        load = (t3 - t2) - (t2 - t1) - (t1 - t0)
        print(f"{n:>16,}{len(text) // 1024:>8}{t1 - t0:>9.2f}{t2 - t1:>9.2f}{load:>12.2f}")


def fuzz(count: int, seed: int, play: int) -> int:
    from tests.scenario.mutants import dump, mutate, seeds, verdict

    rng = random.Random(seed)
    pool = seeds()
    tally: collections.Counter[str] = collections.Counter()
    failures = []
    started = time.process_time()
    for i in range(count):
        name, data = rng.choice(pool)
        mutant, what = mutate(data, rng, rng.choice((1, 1, 1, 2, 3)))
        result = verdict(dump(mutant), play=tally["played"] < play)
        tally[result.outcome] += 1
        if result.failed:
            failures.append(f"#{i} {name}: {what}\n    {result.detail.strip()}")
    print(
        f"seed {seed}: {count:,} mutants tried, {tally['rejected']:,} rejected, "
        f"{tally['valid'] + tally['played']:,} valid, {tally['played']:,} played, "
        f"{tally['failed']:,} failures ({time.process_time() - started:.0f} CPU s)"
    )
    for line in failures:
        print(line)
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fuzz", nargs="?", type=int, const=5000, default=None, metavar="N")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--play", type=int, default=200)
    args = parser.parse_args()
    if args.fuzz is not None:
        return fuzz(args.fuzz, args.seed, args.play)
    merge_times()
    return 0


if __name__ == "__main__":
    sys.exit(main())
