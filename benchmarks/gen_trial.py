"""Try the generator's recipes: generate, check and play the strategy ladder.

    python benchmarks/gen_trial.py [KIND ...] [--seeds N] [--first S] [--difficulty D ...]
                                   [--no-ladder] [--jobs N] [--keep DIR]

For each kind (every recipe by default), seed and difficulty: generate the incident with the
kind forced, run ``check`` on it and (unless ``--no-ladder``) play the reference and the cheap
strategies. Prints one line per failure and a table per kind: incidents that failed a check,
the reference's lowest and mean score, the best cheap strategy's mean and highest. ``--keep``
writes every failing scenario's YAML there.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from pathlib import Path
from typing import Any

from chaosgame.generate.build import candidates, generate, to_yaml
from chaosgame.generate.codes import DIFFICULTIES, SeedCode
from chaosgame.proof.checker import check_scenario
from chaosgame.scenario.model import Scenario

CHEAP = ("random", "undo-latest", "loudest-alert", "plausible-shotgun", "read-the-id")


def trial(job: tuple[str, int, str, bool]) -> dict[str, Any]:
    kind, seed, difficulty, ladder = job
    out: dict[str, Any] = {"kind": kind, "seed": seed, "difficulty": difficulty}
    try:
        data = generate(SeedCode(seed, difficulty), kind=kind)
        sc = Scenario.model_validate(data)
    except Exception as e:  # a trial reports every failure, whatever it is
        out["error"] = f"generate: {type(e).__name__}: {e}"[:800]
        return out
    out["yaml"] = to_yaml(data)
    out["size"] = len(sc.components)
    try:
        failed = [f"{c.name}: {c.reason}" for c in check_scenario(sc) if not c.ok]
    except Exception as e:
        failed = [f"check crashed: {type(e).__name__}: {e}"]
    out["failed"] = failed
    if ladder and not failed:
        from chaosgame.game.strategies import ladder as play

        scores = play(sc, ["reference", *CHEAP])
        out["scores"] = {k: round(v.total, 1) for k, v in scores.items()}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kinds", nargs="*")
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--first", type=int, default=0)
    ap.add_argument("--difficulty", action="append", choices=DIFFICULTIES)
    ap.add_argument("--no-ladder", action="store_true")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--keep", type=Path)
    args = ap.parse_args(argv)
    ordinary, special = candidates(None)
    kinds = args.kinds or [r.kind for r in ordinary + special]
    diffs = args.difficulty or list(DIFFICULTIES)
    jobs = [
        (k, s, d, not args.no_ladder)
        for k in kinds
        for s in range(args.first, args.first + args.seeds)
        for d in diffs
    ]
    start = time.time()
    if args.jobs > 1:
        with multiprocessing.Pool(args.jobs) as pool:
            results = pool.map(trial, jobs, chunksize=1)
    else:
        results = [trial(j) for j in jobs]
    bad = 0
    for r in results:
        tag = f"{r['kind']} seed {r['seed']} {r['difficulty']}"
        if "error" in r or r.get("failed"):
            bad += 1
            print(f"FAIL {tag}: {r.get('error') or ' | '.join(r['failed'])}")
            if args.keep and "yaml" in r:
                args.keep.mkdir(parents=True, exist_ok=True)
                (args.keep / f"{r['kind']}-{r['seed']}-{r['difficulty']}.yaml").write_text(
                    r["yaml"]
                )
        elif "scores" in r:
            sc = r["scores"]
            best = max(CHEAP, key=lambda k: sc[k])
            if sc["reference"] < 85 or sc[best] > 35:
                print(f"LADDER {tag}: reference {sc['reference']}, {best} {sc[best]}")
    print(
        f"\n{'kind':28} {'n':>3} {'fail':>4} {'ref min':>7} {'ref avg':>7} {'cheap avg':>9}"
        f" {'cheap max':>9}"
    )
    for k in kinds:
        rs = [r for r in results if r["kind"] == k]
        fails = sum(1 for r in rs if "error" in r or r.get("failed"))
        scored = [r["scores"] for r in rs if "scores" in r]
        if scored:
            refs = [s["reference"] for s in scored]
            cheap = {c: sum(s[c] for s in scored) / len(scored) for c in CHEAP}
            top = max(max(s[c] for c in CHEAP) for s in scored)
            print(
                f"{k:28} {len(rs):3} {fails:4} {min(refs):7.1f} {sum(refs) / len(refs):7.1f}"
                f" {max(cheap.values()):9.1f} {top:9.1f}"
            )
        else:
            print(f"{k:28} {len(rs):3} {fails:4}")
    print(f"\n{len(results)} incidents, {bad} failed, {time.time() - start:.0f} s wall")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
