"""The ``chaosgame eval`` command: a policy over many incidents, summed up in a table.

``chaosgame.cli`` registers it. The table goes to stdout, and nothing else does; progress,
the time taken and problems go to stderr. Bad input (an unknown policy, a bad range, a glob
that matches nothing, a scenario that does not load) is one line on stderr and status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from chaosgame.evaluate import harness, policies, summary
from chaosgame.evaluate.incidents import EvalInputError, Incident, from_scenarios, from_seeds

HELP = "play a policy over many incidents and sum up its scores"


def add_parser(sub: Any) -> None:
    """The ``eval`` sub-parser (values are checked by the command, each in one line)."""
    p = sub.add_parser("eval", help=HELP, description=HELP)
    p.add_argument(
        "--policy",
        action="append",
        required=True,
        metavar="NAME_OR_MODULE:CALLABLE",
        help="a built-in policy ("
        + ", ".join(policies.builtin_names())
        + ") or your own: a callable policy(env) in a module or .py file; repeat it, or "
        "separate names with commas, to compare several",
    )
    p.add_argument(
        "--scenarios",
        nargs="+",
        metavar="PATH_OR_GLOB",
        help="curated ids, scenario files, folders or globs ('curated': the whole library)",
    )
    p.add_argument("--seeds", metavar="A-B", help="generated incidents from seed A to seed B")
    p.add_argument(
        "--difficulty",
        metavar="LEVEL",
        help="generated incidents at this difficulty (default: easy, normal, hard, expert in turn)",
    )
    p.add_argument("--jobs", default="1", metavar="N", help="processes to play in (default 1)")
    p.add_argument("--json", metavar="FILE", help="also write every episode to FILE as JSON")
    p.add_argument("--seed", metavar="N", help="play every incident with this seed")
    p.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="play on the Dask scheduler at ADDRESS ('local': start a cluster of --jobs workers)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    p.add_argument(
        "--records",
        metavar="PATH",
        default=None,
        help="run records database (default: $CHAOSGAME_RECORDS or the user data directory)",
    )
    p.add_argument(
        "--no-record", action="store_true", help="do not save the evaluation in the run records"
    )


class Progress:
    """Episodes done so far, on stderr: a bar redrawn in place on a terminal, otherwise a
    plain line at every tenth of the way."""

    def __init__(self, total: int, out: TextIO, quiet: bool = False) -> None:
        self.total = max(total, 1)
        self.done = 0
        self.out = out
        self.quiet = quiet
        self.tty = out.isatty()
        self.started = time.perf_counter()  # wall time for the progress display only
        self._shown = 0

    def __call__(self, result: harness.JobResult) -> None:
        self.done += len(result.episodes)
        if self.quiet:
            return
        if self.tty:
            filled = 30 * self.done // self.total
            bar = "#" * filled + "." * (30 - filled)
            self.out.write(f"\r[{bar}] {self.done}/{self.total} episodes")
            self.out.flush()
            return
        tenth = 10 * self.done // self.total
        if tenth > self._shown or self.done == self.total:
            self._shown = tenth
            print(f"eval: {self.done}/{self.total} episodes", file=self.out, flush=True)

    def close(self) -> float:
        """End the bar; the wall seconds taken."""
        if self.tty and not self.quiet:
            self.out.write("\n")
        return time.perf_counter() - self.started


def _whole(text: str, what: str, low: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise EvalInputError(f"{what}: '{text}' is not a whole number") from None
    if value < low:
        raise EvalInputError(f"{what}: must be at least {low} (got {value})")
    return value


def _policies(values: list[str]) -> list[str]:
    names = [n.strip() for v in values for n in v.split(",") if n.strip()]
    if not names:
        raise EvalInputError("--policy: name a policy")
    return list(dict.fromkeys(policies.resolve(n) for n in names))


def incidents_of(args: argparse.Namespace) -> tuple[list[Incident], str]:
    """The incidents to play and how to name them in words."""
    if not args.scenarios and args.seeds is None:
        raise EvalInputError("name the incidents to play: --scenarios PATH_OR_GLOB or --seeds A-B")
    if args.difficulty is not None and args.seeds is None:
        raise EvalInputError("--difficulty sets generated incidents: add --seeds A-B")
    chosen: list[Incident] = []
    words = []
    if args.scenarios:
        chosen += from_scenarios(args.scenarios)
        words.append(f"{len(chosen)} scenario{'s' if len(chosen) != 1 else ''}")
    if args.seeds is not None:
        made = from_seeds(args.seeds, args.difficulty, start=len(chosen))
        chosen += made
        level = args.difficulty or "mixed"
        words.append(f"seeds {args.seeds.strip()} ({level})")
    return chosen, " + ".join(words)


def cmd_eval(args: argparse.Namespace) -> int:
    """Play the policies over the incidents; print the table; save and write the results."""
    from chaosgame.game.records import parse_seed

    try:
        names = _policies(args.policy)
        workers = _whole(args.jobs, "--jobs", 1)
        seed = None
        if args.seed is not None:
            try:
                seed = parse_seed(args.seed)
            except ValueError as exc:
                raise EvalInputError(f"--seed: {exc}") from None
        chosen, described = incidents_of(args)
    except EvalInputError as exc:
        print(f"chaosgame: {exc}", file=sys.stderr)
        return 2
    records = None if args.no_record or args.dask else _records_path(args)
    jobs = [harness.Job(i, tuple(names), seed, records) for i in chosen]
    progress = Progress(len(jobs) * len(names), sys.stderr, args.quiet)
    try:
        results = harness.run(jobs, workers, args.dask, progress)
    except harness.DaskError as exc:
        progress.close()
        print(f"chaosgame: {exc}", file=sys.stderr)
        return 2
    wall = progress.close()
    episodes = [e for r in results for e in r.episodes]
    skipped = [r.problem for r in results if r.problem]
    for problem in skipped:
        print(f"chaosgame: skipped {problem}", file=sys.stderr)
    figures = summary.summarise(episodes, names)
    seed_words = "each scenario's own seed" if seed is None else f"seed {seed}"
    plural = "" if len(episodes) == 1 else "s"
    print(f"{len(episodes)} episode{plural} over {described}, {seed_words}")
    print(summary.table(figures))
    errors = [e for e in episodes if e["error"]]
    for e in errors[:5]:
        print(f"chaosgame: {e['policy']} failed on {e['incident']}: {e['error']}", file=sys.stderr)
    if len(errors) > 5:
        print(f"chaosgame: ... and {len(errors) - 5} more failures", file=sys.stderr)
    if args.json:
        doc = document(names, described, seed, figures, episodes, skipped)
        Path(args.json).write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    minutes = max(wall, 1e-9) / 60
    print(
        f"eval: {len(episodes)} episodes in {wall:.1f} s ({len(episodes) / minutes:.0f} a minute)",
        file=sys.stderr,
    )
    if records is not None or (args.dask and not args.no_record):
        _save(args, names, described, figures, episodes)
    return 0


def document(
    names: list[str],
    described: str,
    seed: int | None,
    figures: dict[str, Any],
    episodes: list[dict[str, Any]],
    skipped: list[str],
) -> dict[str, Any]:
    """What ``--json FILE`` writes (the same arguments give the same document)."""
    from chaosgame import __version__

    return {
        "version": __version__,
        "policies": names,
        "incidents": described,
        "seed": seed,
        "summary": figures,
        "skipped": skipped,
        "episodes": episodes,
    }


def _records_path(args: argparse.Namespace) -> str:
    from chaosgame.game.records import default_path

    return str(Path(args.records) if args.records else default_path())


def _save(
    args: argparse.Namespace,
    names: list[str],
    described: str,
    figures: dict[str, Any],
    episodes: list[dict[str, Any]],
) -> None:
    import sqlite3

    from chaosgame.game.eval_records import save_eval
    from chaosgame.game.records import RecordsError, RunStore

    store = RunStore(_records_path(args))
    results = [[e["incident"], e["policy"], e["total"]] for e in episodes]
    try:
        rid = save_eval(store, names, described, figures, results)
    except (RecordsError, sqlite3.Error, OSError) as exc:
        print(f"chaosgame: the evaluation was not saved: {exc}", file=sys.stderr)
        return
    for problem in store.problems:
        print(f"chaosgame: {problem}", file=sys.stderr)
    print(f"eval: saved as evaluation {rid} (chaosgame history lists it)", file=sys.stderr)
