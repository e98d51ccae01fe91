"""The generator's speed and spread, measured on the real work.

    python benchmarks/bench_generate.py [--seeds 1000] [--jobs 2] [--no-check]
                                        [--ladder 200] [--json FILE]

Prints:
* generation time of one incident: median and worst over the seeds, and for 1,000-component
  fleets (targets: under 0.2 s, and under 1 s at 1,000 components);
* ``check`` time for 30-component incidents (median; target at most 0.5 s) and for all;
* generate-and-check of every seed with ``--jobs`` processes (target: 1,000 seeds in at most
  10 minutes with 2 jobs), with every failing check listed;
* the spread: distinct (archetype, root-cause kind, root-cause component) triples (target
  95 %), the kinds that never appeared, the share of no-fault and third-party incidents;
* the difficulty estimate's mean per setting (harder settings must be higher);
* with ``--ladder N``: every strategy player's mean over N seeds (targets: each cheap
  strategy at most 35, the reference at least 85, the heuristic at least 15 above the best
  cheap strategy).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from chaosgame.generate.build import candidates, generate, triple
from chaosgame.generate.codes import DIFFICULTIES, SeedCode
from chaosgame.generate.difficulty import estimate
from chaosgame.scenario.faults import FAULT_KINDS
from chaosgame.scenario.model import Scenario

CHEAP = ("nothing", "random", "undo-latest", "loudest-alert", "plausible-shotgun", "read-the-id")


def one(job: tuple[int, bool, bool]) -> dict[str, Any]:
    seed, check, ladder = job
    code = SeedCode(seed, DIFFICULTIES[seed % 4])
    t0 = time.perf_counter()
    data = generate(code)
    gen = time.perf_counter() - t0
    sc = Scenario.model_validate(data)
    out: dict[str, Any] = {
        "seed": seed,
        "code": code.code,
        "difficulty": code.difficulty,
        "generate_s": gen,
        "size": len(sc.components),
        "regions": len(sc.regions),
        "kind": sc.truth.root_cause.kind,
        "root": triple(sc)[2],
        "archetype": sc.generator.archetype if sc.generator else "",
        "estimate": estimate(sc).score,
    }
    if check:
        from chaosgame.proof.checker import check_scenario

        t1, c1 = time.perf_counter(), time.process_time()
        out["failed"] = [f"{c.name}: {c.reason}" for c in check_scenario(sc) if not c.ok]
        out["check_s"] = time.perf_counter() - t1
        out["check_cpu_s"] = time.process_time() - c1
    if ladder:
        from chaosgame.game.strategies import ladder as play

        names = [*CHEAP, "heuristic", "reference"]
        out["scores"] = {k: v.total for k, v in play(sc, names).items()}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--no-check", action="store_true")
    ap.add_argument("--ladder", type=int, default=0, metavar="N")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)

    big = []
    for seed in range(3):
        t0 = time.perf_counter()
        Scenario.model_validate(generate(SeedCode(seed, "expert"), size=1000))
        big.append(time.perf_counter() - t0)

    jobs = [(s, not args.no_check, s < args.ladder) for s in range(args.seeds)]
    start = time.time()
    with multiprocessing.Pool(args.jobs) as pool:
        results = pool.map(one, jobs, chunksize=4)
    wall = time.time() - start

    gens = [r["generate_s"] for r in results]
    print(
        f"generate one incident: median {statistics.median(gens) * 1000:.1f} ms, "
        f"worst {max(gens) * 1000:.1f} ms (target < 200 ms)"
    )
    print(
        f"generate and validate a 1,000-component incident: worst {max(big):.2f} s (target < 1 s)"
    )
    if not args.no_check:
        checks = [r["check_s"] for r in results]
        small = [r["check_cpu_s"] for r in results if 20 <= r["size"] <= 40]
        if small:
            print(
                f"check of a 20-40 component incident: median {statistics.median(small):.2f} "
                "CPU s"
                f" over {len(small)} (target <= 0.5 s for 30 components)"
            )
        print(
            f"check of any incident: median {statistics.median(checks):.2f} s, "
            f"p90 {sorted(checks)[int(len(checks) * 0.9)]:.2f} s, worst {max(checks):.1f} s"
        )
        failed = [r for r in results if r["failed"]]
        for r in failed:
            print(
                f"  FAILED {r['code']} ({r['difficulty']}, {r['kind']}): " + " | ".join(r["failed"])
            )
        print(
            f"generated and checked {len(results)} seeds with {args.jobs} jobs in "
            f"{wall / 60:.1f} min (target <= 10 min for 1,000); {len(failed)} failed"
        )
    triples = Counter((r["archetype"], r["kind"], r["root"]) for r in results)
    kinds = Counter(r["kind"] for r in results)
    ordinary, special = candidates(None)
    special_kinds = {r.kind for r in special}
    missing = sorted(set(FAULT_KINDS) - set(kinds))
    print(
        f"distinct (archetype, kind, component): {len(triples)} of {len(results)} "
        f"({100 * len(triples) / len(results):.1f} %, target >= 95 %)"
    )
    print(
        f"fault kinds never drawn: {', '.join(missing) or 'none'} "
        f"({len(kinds)} kinds drawn of {len(FAULT_KINDS)})"
    )
    share = sum(kinds[k] for k in special_kinds) / len(results)
    print(f"nothing broken or a third party at fault: {100 * share:.1f} % (about 1 in 12)")
    sizes = [r["size"] for r in results]
    print(
        f"fleet sizes {min(sizes)}-{max(sizes)} components; regions "
        f"{sorted(Counter(r['regions'] for r in results).items())}"
    )
    for d in DIFFICULTIES:
        est = [r["estimate"] for r in results if r["difficulty"] == d]
        print(f"  {d:7} mean difficulty estimate {statistics.mean(est):.2f}")
    played = [r for r in results if "scores" in r]
    if played:
        print(f"strategy ladder over {len(played)} generated incidents (mean score):")
        for name in ("reference", "heuristic", *CHEAP):
            vals = [r["scores"][name] for r in played]
            print(f"  {name:18} {statistics.mean(vals):6.1f}   max {max(vals):6.1f}")
        best = max(CHEAP, key=lambda n: statistics.mean(r["scores"][n] for r in played))
        gap = statistics.mean(r["scores"]["heuristic"] - r["scores"][best] for r in played)
        print(f"  heuristic over the best cheap strategy ({best}): {gap:+.1f} (target >= +15)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
