"""The run-record commands of ``chaosgame``: history, replay, report, quiz, and the records
options of play. ``chaosgame.cli`` registers them; they print results on stdout and problems
on stderr, and answer bad input with a message, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from chaosgame.game import figures
from chaosgame.game.records import (
    RecordsError,
    RunRecord,
    RunStore,
    newest_first,
    parse_seed,
)


def seed_arg(text: str) -> int:
    """``--seed``: a whole number that run records can keep (64 bits)."""
    try:
        return parse_seed(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_records_option(parser: argparse.ArgumentParser) -> None:
    """``--records PATH``: the run database to use."""
    parser.add_argument(
        "--records",
        metavar="PATH",
        default=None,
        help="run records database (default: $CHAOSGAME_RECORDS or the user data directory)",
    )


def add_parsers(sub: Any, helps: dict[str, str]) -> None:
    """The sub-parsers of history, replay, report and quiz."""
    his = sub.add_parser("history", help=helps["history"], description=helps["history"])
    his.add_argument("--json", action="store_true", help="print JSON")
    his.add_argument(
        "--evals", action="store_true", help="list only the evaluations (chaosgame eval)"
    )
    add_records_option(his)
    rep = sub.add_parser("replay", help=helps["replay"], description=helps["replay"])
    rep.add_argument("run", metavar="RUN", help="a run id from history, or last")
    rep.add_argument("--json", action="store_true", help="print the replayed score as JSON")
    add_records_option(rep)
    rpt = sub.add_parser("report", help=helps["report"], description=helps["report"])
    rpt.add_argument("run", metavar="RUN", help="a run id from history, or last")
    rpt.add_argument("-o", "--output", metavar="FILE", help="write the Markdown to FILE")
    add_records_option(rpt)
    quiz = sub.add_parser("quiz", help=helps["quiz"], description=helps["quiz"])
    quiz.add_argument("--topic", metavar="ID", default=None, help="only questions on this topic")
    quiz.add_argument("--count", type=int, default=5, help="how many questions (default 5)")
    quiz.add_argument(
        "--seed", type=seed_arg, default=None, help="draw the same questions again with this seed"
    )


def add_play_options(play: argparse.ArgumentParser) -> None:
    """Run-record options of ``chaosgame play``."""
    add_records_option(play)
    play.add_argument("--no-record", action="store_true", help="do not save this game")
    play.add_argument(
        "--resume",
        nargs="?",
        const="unfinished",
        default=None,
        metavar="RUN",
        help="continue a saved game in progress (default: the latest unfinished one)",
    )


def _store(args: argparse.Namespace) -> RunStore:
    return RunStore(Path(args.records) if getattr(args, "records", None) else None)


def _problems(store: RunStore) -> None:
    for problem in store.problems:
        print(f"chaosgame: {problem}", file=sys.stderr)


def play_records(args: argparse.Namespace) -> tuple[RunStore | None, RunRecord | None]:
    """The store to save a game in (None with --no-record) and the record to resume, if any."""
    store = None if args.no_record else _store(args)
    if args.resume is None:
        return store, None
    source = store or _store(args)
    record = source.get(args.resume)
    if record.status == "finished":
        raise RecordsError(f"run {record.id} is finished; see it with chaosgame report {record.id}")
    return store, record


def cmd_history(args: argparse.Namespace) -> int:
    """List the saved runs, the newest first, then the evaluations (``--evals``: only them)."""
    from chaosgame.game.eval_records import evals

    store = _store(args)
    try:
        runs = [] if args.evals else [r.summary() for r in newest_first(store.runs())]
        done = sorted(evals(store), key=lambda e: e.id, reverse=True)
    except RecordsError as exc:
        print(f"chaosgame: {exc}", file=sys.stderr)
        return 1
    _problems(store)
    if args.json:
        print(json.dumps([e.as_dict() for e in done] if args.evals else runs, indent=2))
        return 0
    if not runs and not done:
        what = "evaluations" if args.evals else "runs"
        print(f"No {what} saved yet in {store.path}.", file=sys.stderr)
        return 0
    if runs:
        print(f"{'run':>4}  {'when (UTC)':<19} {'scenario':<28} {'seed':>6}  {'score':>5}  status")
    for r in runs:
        score = (
            f"{figures.score(r['score']):>5} {r['grade']}" if r["score"] is not None else "    -  "
        )
        when = r["created"][:19].replace("T", " ")
        print(
            f"{r['id']:>4}  {when:<19} {r['scenario']:<28} {r['seed']:>6}  {score}  {r['status']}"
        )
    if done:
        if runs:
            print()
        print(f"{'eval':>4}  {'when (UTC)':<19} {'incidents':<28} {'episodes':>8}  mean score")
    for e in done:
        when = e.created[:19].replace("T", " ")
        means = ", ".join(
            f"{p} {'-' if m is None else figures.score(m)}" for p, m in e.means().items()
        )
        print(f"{e.id:>4}  {when:<19} {e.incidents:<28} {e.episodes:>8}  {means}")
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    """Re-run a saved game's actions and check that it scores the same."""
    from chaosgame import __version__
    from chaosgame.game.records import replay

    store = _store(args)
    try:
        record = store.get(args.run)
        assessment, problems = replay(record, store)
    except RecordsError as exc:
        print(f"chaosgame: {exc}", file=sys.stderr)
        return 1
    score = assessment.score
    if args.json:
        out = {"run": record.id, "score": score.as_dict(), "recorded": record.score}
        out["reproduced"] = not problems
        out["differences"] = problems
        print(json.dumps(out, indent=2))
    else:
        was = record.score
        old = figures.score_line(was["total"], was["grade"]) if was else "no score (unfinished)"
        print(
            f"run {record.id} ({record.scenario_id}, seed {record.seed}): recorded {old}, "
            f"replayed {figures.score_line(score.total, score.grade)}"
        )
        print(
            "differences: " + "; ".join(problems) if problems else "the replay reproduced the run"
        )
    if problems and record.version != __version__:
        print(
            f"chaosgame: the run was played with chaosgame {record.version}, this is {__version__}",
            file=sys.stderr,
        )
    return 1 if problems else 0


def cmd_report(args: argparse.Namespace) -> int:
    """Write the blameless postmortem of a saved game."""
    from chaosgame.game.postmortem import build_postmortem
    from chaosgame.game.records import replay

    store = _store(args)
    try:
        record = store.get(args.run)
        assessment, problems = replay(record, store)
    except RecordsError as exc:
        print(f"chaosgame: {exc}", file=sys.stderr)
        return 1
    for p in problems:
        print(f"chaosgame: run {record.id} does not replay exactly: {p}", file=sys.stderr)
    text = build_postmortem(assessment, record.id)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_quiz(args: argparse.Namespace) -> int:
    """Practise interview questions."""
    import os

    from chaosgame.game.quiz import run_quiz
    from chaosgame.scenario.model import TOPICS

    if args.topic is not None and args.topic not in TOPICS:
        import difflib

        close = difflib.get_close_matches(args.topic, TOPICS, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "topics: " + ", ".join(TOPICS)
        print(f"chaosgame: unknown topic '{args.topic}'; {hint}", file=sys.stderr)
        return 2
    if args.count < 1:
        print(f"chaosgame: --count must be at least 1 (got {args.count})", file=sys.stderr)
        return 2
    seed = args.seed
    if seed is None:
        # a fresh draw each time; the seed is shown so the same quiz can be asked again
        seed = int.from_bytes(os.urandom(3), "big")
        print(f"(quiz seed {seed}: --seed {seed} asks these questions again)", file=sys.stderr)
    return run_quiz(sys.stdin, sys.stdout, args.topic, args.count, seed)
