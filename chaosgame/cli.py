"""The ``chaosgame`` command.

Diagnostics go to stderr; stdout carries what the user asked for (and ``--json`` output).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Sequence
from typing import Any

from chaosgame import __version__
from chaosgame.cli_output import EX_IOERR, EX_SOFTWARE, GuardedOutput, OutputError, output_failed


def _scenario(name: str) -> Any:
    """A curated scenario by id, a scenario file, or a generated incident by its seed code
    or its id (``chaosgame history`` shows it)."""
    from chaosgame.scenario import library

    try:
        path = library.find(name)
    except FileNotFoundError:
        from chaosgame.generate.menu import resolve

        found = resolve(name)
        if found is None:
            raise
        return found
    from chaosgame.scenario.loader import load_scenario

    return load_scenario(path)


def cmd_play(args: argparse.Namespace) -> int:
    """Play a scenario: the Textual UI in a terminal, the text console otherwise.

    Without a scenario, ``--seed``, ``--difficulty`` or ``--topic`` play a generated incident
    (a seed code carries its own settings); with one, ``--seed`` is the scenario's seed.
    """
    from chaosgame.generate.build import GenerateError
    from chaosgame.generate.menu import CodeError

    try:
        chosen = _chosen(args)
    except (CodeError, GenerateError, _Refused) as exc:
        print(f"chaosgame: {exc}", file=sys.stderr)
        return 2
    return _play(args, chosen)


class _Refused(ValueError):
    """Options of ``play`` that do not go together (the message says which)."""


def _chosen(args: argparse.Namespace) -> Any:
    """The scenario ``play`` was asked for: a generated one (from ``--seed``, ``--difficulty``
    or ``--topic`` without a scenario), a named one, or None (the home screen or the
    built-in incident); ``args.seed`` is left as the seed to play it with."""
    from chaosgame.generate import menu

    generated = args.difficulty is not None or args.topic is not None
    if args.resume is not None:  # the saved game says what it plays
        return None
    if args.scenario is not None:
        if generated:
            raise _Refused(
                "--difficulty and --topic choose a generated incident: drop the scenario"
            )
        if isinstance(args.seed, str):
            from chaosgame.generate.codes import looks_like_code

            if not looks_like_code(args.seed):
                raise _Refused(f"argument --seed: '{args.seed}' is not a whole number")
            raise _Refused(
                f"seed code {args.seed} makes its own incident: drop the scenario to play it, "
                "or give --seed a number"
            )
        return _scenario(args.scenario)
    if args.seed is None and not generated:
        return None
    text = str(args.seed) if args.seed is not None else None
    code = (
        menu.read(text, args.difficulty, args.topic, insist=True)
        if text
        else menu.fresh(args.difficulty or "normal", args.topic)
    )
    args.seed = None  # the incident's own seed is the code's
    return menu.build(code)


def _play(args: argparse.Namespace, scenario: Any) -> int:
    """Play ``scenario`` (None: the home screen, or the built-in incident in the console)."""
    from chaosgame.game.records import RecordsError
    from chaosgame.game.runs_cli import play_records

    if not args.text and sys.stdin.isatty() and sys.stdout.isatty():
        from chaosgame.tui.app import run_tui

        try:
            store, resume = play_records(args)
        except RecordsError as exc:
            print(f"chaosgame: {exc}", file=sys.stderr)
            return 1
        chosen = resume.scenario() if resume else scenario
        try:
            return run_tui(chosen, args.seed, args.realtime, store=store, resume=resume)
        except Exception as exc:  # a crash: one line here, the traceback in a file
            return _crashed(exc, store)
    from chaosgame.console import run_console
    from chaosgame.generate.menu import about
    from chaosgame.scenario import library

    try:
        store, resume = play_records(args)
        scenario = resume.scenario() if resume else scenario or _scenario(library.BUILTIN)
        lines = about(scenario).lines() if scenario.generator is not None else []
        return run_console(
            scenario, args.seed, sys.stdin, sys.stdout, store=store, resume=resume, about=lines
        )
    except RecordsError as exc:
        print(f"chaosgame: {exc}", file=sys.stderr)
        return 1


def cmd_agent(args: argparse.Namespace) -> int:
    """Play for a program: one JSON request per line on stdin, one answer per line on stdout
    (``docs/agent-protocol.md``)."""
    from chaosgame.agent.jsonl import serve
    from chaosgame.generate.build import GenerateError
    from chaosgame.generate.menu import CodeError

    if args.schema:
        from chaosgame.agent.jsonl import schema_text

        sys.stdout.write(schema_text())
        return 0
    args.resume = None
    try:
        chosen = _chosen(args)
    except (CodeError, GenerateError, _Refused) as exc:
        print(f"chaosgame: {exc}", file=sys.stderr)
        return 2
    if chosen is None:
        print(
            "chaosgame: agent needs a scenario (a curated id or a file) or --seed N|CODE "
            "for a generated incident",
            file=sys.stderr,
        )
        return 2
    source = getattr(sys.stdin, "buffer", None)
    if source is None:  # a closed or replaced stdin: read its text as bytes
        source = io.BytesIO(sys.stdin.read().encode("utf-8", "surrogateescape"))
    return serve(chosen, args.seed, source, sys.stdout)


def cmd_host(args: argparse.Namespace) -> int:
    """Open a round for a class (or a candidate) and serve it (``docs/classroom.md``)."""
    from chaosgame.classroom.host_cli import interactive
    from chaosgame.classroom.hosting import serve_round
    from chaosgame.generate.build import GenerateError
    from chaosgame.generate.menu import CodeError
    from chaosgame.scenario import library

    if not 0 <= args.port <= 65535:
        print(
            f"chaosgame: --port {args.port}: a port is 1 to 65535 (0: any free one)",
            file=sys.stderr,
        )
        return 2
    web_port = None
    if not args.no_web:
        web_port = args.web_port if args.web_port is not None else args.port + (args.port > 0)
        if not 0 <= web_port <= 65535 or (web_port == args.port and web_port):
            print(
                f"chaosgame: --web-port {web_port}: a port is 1 to 65535, other than --port "
                "(0: any free one)",
                file=sys.stderr,
            )
            return 2
    elif args.web_port is not None or args.web_console:
        print(
            "chaosgame: --no-web serves no browser pages: drop --web-port and --web-console",
            file=sys.stderr,
        )
        return 2
    scenario = None
    if not args.serve:
        args.resume = None
        try:
            scenario = _chosen(args) or _scenario(library.BUILTIN)
        except (CodeError, GenerateError, _Refused) as exc:
            print(f"chaosgame: {exc}", file=sys.stderr)
            return 2
    elif args.scenario is not None or args.seed is not None:
        print(
            "chaosgame: --serve serves the rounds in the database: drop the scenario",
            file=sys.stderr,
        )
        return 2
    return serve_round(
        scenario,
        args.seed if isinstance(args.seed, int) else None,
        db=args.db,
        bind=args.bind,
        port=args.port,
        mode="interview" if args.interview else "class",
        out=sys.stdout,
        console=scenario is not None and not args.no_console and interactive(),
        export_dir=args.export_dir,
        web_port=web_port,
        web_console=args.web_console,
    )


def cmd_host_console(args: argparse.Namespace) -> int:
    """Open the instructor console on a round served elsewhere (``docs/classroom.md``)."""
    from chaosgame.classroom.host_cli import open_console

    if args.web:
        from chaosgame.classroom.host_link import ws_url
        from chaosgame.classroom.web_console import WebHostConsole

        try:
            ws_url(args.address)
        except ValueError as exc:
            print(f"chaosgame: {exc}", file=sys.stderr)
            return 2
        from pathlib import Path

        export = Path(args.export_dir) if args.export_dir else None
        WebHostConsole(args.address, args.code, export_dir=export).run()
        return 0
    if args.code is None:
        print("chaosgame: host-console needs the round's CODE", file=sys.stderr)
        return 2
    return open_console(args.address, args.code, args.token, args.export_dir, sys.stderr)


def cmd_join(args: argparse.Namespace) -> int:
    """Play in a classroom or interview round: the game runs on the host's server."""
    from chaosgame.classroom.client import NotRevealed, RemoteError, RemoteView
    from chaosgame.console import run_console

    if args.web or args.name is None:
        if args.text or not (args.web or (sys.stdin.isatty() and sys.stdout.isatty())):
            print("chaosgame: join needs --name NAME outside the terminal UI", file=sys.stderr)
            return 2
        from chaosgame.tui.app import run_join_tui

        try:
            return run_join_tui(args.address, args.code, web=args.web)
        except (RemoteError, NotRevealed) as exc:
            print(f"chaosgame: {exc}", file=sys.stderr)
            return 1
    if args.code is None:
        print("chaosgame: join needs the round's CODE with --name", file=sys.stderr)
        return 2
    try:
        view = RemoteView(args.address, args.code, args.name, args.token)
    except RemoteError as exc:
        print(f"chaosgame: {exc}", file=sys.stderr)
        return 1
    try:
        if not args.text and sys.stdin.isatty() and sys.stdout.isatty():
            from chaosgame.tui.app import run_remote_tui

            return run_remote_tui(view)
        return run_console(None, None, sys.stdin, sys.stdout, view=view)  # type: ignore[arg-type]
    except (RemoteError, NotRevealed) as exc:
        print(f"chaosgame: {exc}", file=sys.stderr)
        return 1
    finally:
        view.close()


def cmd_daily(args: argparse.Namespace) -> int:
    """Play the day's generated incident: the same for everyone on that (UTC) date."""
    from chaosgame.generate.build import GenerateError
    from chaosgame.generate.codes import today
    from chaosgame.generate.menu import daily_code

    date = args.date or today()
    code = daily_code(date)
    print(f"The incident of {date.isoformat()} (UTC): seed code {code.code}", flush=True)
    try:
        scenario = _build(code)
    except GenerateError as exc:
        print(f"chaosgame: {exc}", file=sys.stderr)
        return 2
    args.seed, args.scenario = None, None
    return _play(args, scenario)


def _build(code: Any) -> Any:
    from chaosgame.generate.menu import build

    return build(code)


def _crashed(exc: BaseException, store: Any) -> int:
    """Write a crash's traceback to a log file and say where it is, in one message."""
    import platform
    import traceback

    from chaosgame.game.records import crash_log

    text = (
        f"chaosgame {__version__}, Python {platform.python_version()} on {platform.platform()}\n"
        f"command: {' '.join(sys.argv)}\n\n" + "".join(traceback.format_exception(exc))
    )
    try:
        where = f"the details are in {crash_log(text, store.path if store else None)}"
    except OSError as why:
        where = f"no crash log could be written ({why})"
    saved = " A game in progress was saved: chaosgame play --resume continues it." if store else ""
    print(
        f"chaosgame: the game stopped on an internal error ({type(exc).__name__}: {exc}); "
        f"{where}. Please report it with that file.{saved}",
        file=sys.stderr,
    )
    return EX_SOFTWARE


def cmd_history(args: argparse.Namespace) -> int:
    """List saved runs."""
    from chaosgame.game.runs_cli import cmd_history as run

    return run(args)


def cmd_replay(args: argparse.Namespace) -> int:
    """Replay a saved run and check its score."""
    from chaosgame.game.runs_cli import cmd_replay as run

    return run(args)


def cmd_report(args: argparse.Namespace) -> int:
    """Print a saved run's postmortem."""
    from chaosgame.game.runs_cli import cmd_report as run

    return run(args)


def cmd_quiz(args: argparse.Namespace) -> int:
    """Practise interview questions."""
    from chaosgame.game.runs_cli import cmd_quiz as run

    return run(args)


def cmd_eval(args: argparse.Namespace) -> int:
    """Play a policy over many incidents and sum up its scores."""
    from chaosgame.evaluate.command import cmd_eval as run

    return run(args)


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate scenario files (and shared topology files)."""
    from chaosgame.scenario.loader import file_kind, validate_report

    bad = 0
    for path in args.paths:
        problems, warnings = validate_report(path)
        for problem in [*problems, *warnings]:
            print(problem, file=sys.stderr)
        if problems:
            bad += 1
        elif not args.quiet:
            topology = file_kind(path) == "topology"
            note = (
                f" ({len(warnings)} warning{'s' if len(warnings) > 1 else ''})" if warnings else ""
            )
            print(f"{path}: ok (a shared topology)" if topology else f"{path}: ok{note}")
    return 1 if bad else 0


def cmd_list(args: argparse.Namespace) -> int:
    """List the curated scenarios."""
    from chaosgame.scenario import library
    from chaosgame.scenario.loader import ScenarioError, load_scenario

    rows: list[dict[str, Any]] = []
    for path in library.scenario_paths():
        try:
            sc = load_scenario(path)
        except ScenarioError as exc:
            print(f"skipped {path.name}: {exc.problems[0]}", file=sys.stderr)
            continue
        rows.append(
            {
                "id": sc.id,
                "title": sc.title,
                "topics": list(sc.topics),
                "difficulty": sc.difficulty,
                "expected_minutes": sc.expected_minutes,
            }
        )
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for r in rows:
        topics = ", ".join(str(t) for t in r["topics"])
        print(f"{r['id']:<32} {r['difficulty']:<7} {r['expected_minutes']:>3} min  {topics}")
        print(f"    {r['title']}")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of scenario files."""
    from chaosgame.scenario import schema

    text = schema.render_topology_schema() if args.topology else schema.render_scenario_schema()
    sys.stdout.write(text)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Prove scenarios fair and solvable by playing them headless.

    Exit status 0 when every scenario passes, 1 when one fails, 2 when a file is not a
    scenario at all (a shared topology).
    """
    from chaosgame.proof.checker import check_path
    from chaosgame.scenario import library

    reports = [check_path(str(library.find(p)), seed=args.seed) for p in args.paths]
    if args.json:
        print(json.dumps([r.as_dict() for r in reports], indent=2))
    for r in reports:
        if r.kind == "topology":
            for error in r.errors:
                print(f"chaosgame: {error}", file=sys.stderr)
        elif not args.json:
            print(r.text())
    if any(r.kind == "topology" for r in reports):
        return 2
    return 0 if all(r.ok for r in reports) else 1


def cmd_new(args: argparse.Namespace) -> int:
    """Write a commented starting scenario."""
    from chaosgame.scenario.template import write_new

    try:
        path = write_new(args.name, args.dir, force=args.force)
    except (ValueError, FileExistsError) as exc:
        print(f"chaosgame: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {path}; next: chaosgame validate {path} && chaosgame check {path}")
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    """Write a generated incident as a scenario file (stdout, or ``-o FILE``)."""
    from chaosgame.generate.build import GenerateError, generate, to_yaml
    from chaosgame.generate.codes import CodeError, parse
    from chaosgame.generate.difficulty import estimate
    from chaosgame.scenario.model import Scenario

    try:
        code = parse(args.seed, args.difficulty, args.topic)
        data = generate(code, args.size)
    except (CodeError, GenerateError) as exc:
        print(f"chaosgame: {exc}", file=sys.stderr)
        return 2
    text = to_yaml(data)
    est = estimate(Scenario.model_validate(data))
    if args.output:
        from pathlib import Path

        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    print(
        f"seed code {code.code} ({code.difficulty}, topic {code.topic or 'any'}): "
        f"{data['title']}; difficulty estimate {est.text()}",
        file=sys.stderr,
    )
    return 0


def cmd_catalog(args: argparse.Namespace) -> int:
    """Print the fault kinds and mitigations."""
    from chaosgame import catalog

    if args.json:
        print(json.dumps(catalog.catalog(), indent=2))
    elif args.markdown:
        sys.stdout.write(catalog.render_markdown())
    else:
        sys.stdout.write(catalog.render_table())
    return 0


COMMANDS = {
    "play": (cmd_play, "play an incident in the terminal"),
    "validate": (cmd_validate, "check scenario files and print path:line:col errors"),
    "list": (cmd_list, "list the curated scenarios"),
    "schema": (cmd_schema, "print the JSON Schema of scenario files"),
    "check": (cmd_check, "prove scenarios fair and solvable by playing them headless"),
    "new": (cmd_new, "write a commented starting scenario"),
    "history": (cmd_history, "list the games you played, with their scores"),
    "replay": (cmd_replay, "re-run a saved game and check it scores the same"),
    "report": (cmd_report, "print the blameless postmortem of a saved game"),
    "quiz": (cmd_quiz, "practise interview questions, by topic"),
    "catalog": (cmd_catalog, "list the fault kinds and mitigations"),
    "generate": (cmd_generate, "write a new incident generated from a seed or seed code"),
    "daily": (cmd_daily, "play today's generated incident, the same for everyone"),
    "eval": (cmd_eval, "play a policy over many incidents and sum up its scores"),
    "agent": (cmd_agent, "play headless: JSON-lines requests on stdin, answers on stdout"),
    "host": (cmd_host, "run a classroom or interview round: one incident for a room"),
    "host-console": (cmd_host_console, "open the instructor console on a round served elsewhere"),
    "join": (cmd_join, "play a round a host is running (classroom or interview)"),
}


def _seed_or_code(text: str) -> int | str:
    """``play --seed``: a whole number run records can keep, or a seed code (kept as text)."""
    from chaosgame.game import runs_cli

    if text.strip().lstrip("+-").isdigit():
        return runs_cli.seed_arg(text)
    return text.strip()  # a seed code, read (and refused with its reason) once play begins


def _date(text: str) -> Any:
    """``daily --date``: a calendar date written YYYY-MM-DD."""
    from chaosgame.scenario.units import calendar_date

    try:
        return calendar_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _export_dir(parser: argparse.ArgumentParser) -> None:
    """``--export-dir``: where the instructor console writes the grades."""
    parser.add_argument(
        "--export-dir",
        default=None,
        metavar="DIR",
        help="where the console's export (x) writes the grades (default: this folder)",
    )


def _generated_options(parser: argparse.ArgumentParser) -> None:
    """``--seed``, ``--difficulty`` and ``--topic``: a scenario's seed, or a generated
    incident."""
    parser.add_argument(
        "--seed",
        type=_seed_or_code,
        default=None,
        metavar="N|CODE",
        help="with a scenario, its seed; without, a generated incident's seed or seed code",
    )
    parser.add_argument(
        "--difficulty",
        choices=("easy", "normal", "hard", "expert"),
        default=None,
        help="a generated incident's difficulty (default normal; a seed code carries its own)",
    )
    parser.add_argument(
        "--topic", default=None, metavar="ID", help="a curriculum topic the generated cause teaches"
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one sub-parser per command."""
    parser = argparse.ArgumentParser(
        prog="chaosgame",
        description="A distributed-systems troubleshooting training game.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"chaosgame {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    play = sub.add_parser("play", help=COMMANDS["play"][1], description=COMMANDS["play"][1])
    play.add_argument(
        "scenario",
        nargs="?",
        default=None,
        help="id or path (default: the home screen, or the built-in incident with --text)",
    )
    from chaosgame.game import runs_cli

    _generated_options(play)
    play.add_argument(
        "--text", action="store_true", help="the line-by-line console (also used when piped)"
    )
    play.add_argument(
        "--realtime",
        type=float,
        default=0.0,
        metavar="SPEED",
        help="real-time mode: simulated seconds per wall second (p toggles it in the TUI)",
    )
    runs_cli.add_play_options(play)
    day = sub.add_parser("daily", help=COMMANDS["daily"][1], description=COMMANDS["daily"][1])
    day.add_argument(
        "--date",
        type=_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="the incident of another day (default: today, in UTC)",
    )
    day.add_argument("--text", action="store_true", help="the line-by-line console")
    day.add_argument(
        "--realtime", type=float, default=0.0, metavar="SPEED", help="real-time mode, as in play"
    )
    runs_cli.add_play_options(day)
    val = sub.add_parser(
        "validate", help=COMMANDS["validate"][1], description=COMMANDS["validate"][1]
    )
    val.add_argument("paths", nargs="+", metavar="PATH")
    val.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    lst = sub.add_parser("list", help=COMMANDS["list"][1], description=COMMANDS["list"][1])
    lst.add_argument("--json", action="store_true", help="print JSON")
    sch = sub.add_parser("schema", help=COMMANDS["schema"][1], description=COMMANDS["schema"][1])
    sch.add_argument(
        "--topology", action="store_true", help="the schema of shared topology files instead"
    )
    chk = sub.add_parser("check", help=COMMANDS["check"][1], description=COMMANDS["check"][1])
    chk.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or curated ids")
    chk.add_argument("--json", action="store_true", help="print a JSON report")
    chk.add_argument(
        "--seed", type=runs_cli.seed_arg, default=None, help="check with this seed instead"
    )
    new = sub.add_parser("new", help=COMMANDS["new"][1], description=COMMANDS["new"][1])
    new.add_argument("name", help="the scenario id (or a path ending in .yaml)")
    new.add_argument("--dir", default=".", help="folder to write it in (default: here)")
    new.add_argument("--force", action="store_true", help="overwrite an existing file")
    runs_cli.add_parsers(sub, {k: v[1] for k, v in COMMANDS.items()})
    cat = sub.add_parser("catalog", help=COMMANDS["catalog"][1], description=COMMANDS["catalog"][1])
    cat.add_argument("--json", action="store_true", help="print JSON")
    cat.add_argument("--markdown", action="store_true", help="print docs/faults.md")
    agent = sub.add_parser(
        "agent",
        help=COMMANDS["agent"][1],
        description=COMMANDS["agent"][1] + " (docs/agent-protocol.md)",
    )
    agent.add_argument("scenario", nargs="?", default=None, help="a curated id or a scenario file")
    _generated_options(agent)
    agent.add_argument(
        "--schema", action="store_true", help="print the protocol's JSON Schema and exit"
    )
    hst = sub.add_parser(
        "host",
        help=COMMANDS["host"][1],
        description=COMMANDS["host"][1] + " (docs/classroom.md)",
    )
    hst.add_argument(
        "scenario",
        nargs="?",
        default=None,
        help="a curated id or a scenario file (default: the built-in incident)",
    )
    _generated_options(hst)
    hst.add_argument(
        "--port",
        type=int,
        default=8765,
        help="the port to serve on (default 8765; 0: any free port)",
    )
    hst.add_argument(
        "--bind",
        default="127.0.0.1",
        metavar="ADDRESS",
        help="the address to listen on (default 127.0.0.1: this machine only)",
    )
    hst.add_argument(
        "--db",
        default=None,
        metavar="URL",
        help="a SQLite file or a postgresql:// URL (default: classroom.sqlite3 in your data "
        "folder)",
    )
    hst.add_argument("--interview", action="store_true", help="one candidate, an interviewer")
    hst.add_argument(
        "--serve",
        action="store_true",
        help="serve the rounds already in the database (a second server, or after a restart)",
    )
    hst.add_argument(
        "--no-console",
        action="store_true",
        help="serve without the instructor console (it opens in a terminal unless told not to)",
    )
    hst.add_argument(
        "--web-port",
        type=int,
        default=None,
        metavar="PORT",
        help="the port of the browser pages (default: --port + 1; 0: any free port)",
    )
    hst.add_argument(
        "--no-web",
        action="store_true",
        help="serve no browser pages (players join only from a terminal)",
    )
    hst.add_argument(
        "--web-console",
        action="store_true",
        help="also serve the instructor console in a browser, at /console/ (it asks for the "
        "host token)",
    )
    _export_dir(hst)
    hcon = sub.add_parser(
        "host-console",
        help=COMMANDS["host-console"][1],
        description=COMMANDS["host-console"][1] + " (docs/classroom.md)",
    )
    hcon.add_argument("address", metavar="HOST:PORT", help="the server, e.g. 127.0.0.1:8765")
    hcon.add_argument(
        "code",
        metavar="CODE",
        nargs="?",
        default=None,
        help="the round's join code, e.g. K7F3-QX2M",
    )
    hcon.add_argument(
        "--token",
        default=None,
        help="the host token `chaosgame host` printed (default: $CHAOSGAME_HOST_TOKEN, "
        "else asked for)",
    )
    hcon.add_argument(
        "--web",
        action="store_true",
        help="the browser page's console (what `chaosgame host --web-console` serves): asks "
        "for the host token on its first screen",
    )
    _export_dir(hcon)
    jn = sub.add_parser(
        "join", help=COMMANDS["join"][1], description=COMMANDS["join"][1] + " (docs/classroom.md)"
    )
    jn.add_argument("address", metavar="HOST:PORT", help="the server, as the host's screen says")
    jn.add_argument("code", metavar="CODE", nargs="?", default=None, help="the round's join code")
    jn.add_argument(
        "--name", default=None, help="your name in the round (default: the TUI asks it)"
    )
    jn.add_argument(
        "--text", action="store_true", help="the line-by-line console (also used when piped)"
    )
    jn.add_argument(
        "--token",
        default=None,
        help="your token, to come back from another machine (this one keeps it for you)",
    )
    jn.add_argument(
        "--web",
        action="store_true",
        help="the browser page's game (what `chaosgame host` serves): asks your name, shows "
        "your rejoin token and keeps no token file",
    )
    gen = sub.add_parser(
        "generate", help=COMMANDS["generate"][1], description=COMMANDS["generate"][1]
    )
    gen.add_argument(
        "--seed",
        required=True,
        metavar="N|CODE",
        help="a number (0 to 67,108,863) or a seed code such as K7F3-QX2M",
    )
    gen.add_argument(
        "--difficulty",
        choices=("easy", "normal", "hard", "expert"),
        default=None,
        help="how hard (default normal; a seed code carries its own)",
    )
    gen.add_argument(
        "--topic", default=None, metavar="ID", help="a curriculum topic id the cause teaches"
    )
    gen.add_argument(
        "--size", type=int, default=None, metavar="N", help="fleet size, 6 to 1000 components"
    )
    gen.add_argument("-o", "--output", default=None, metavar="FILE", help="write to FILE")
    from chaosgame.evaluate.command import add_parser as add_eval

    add_eval(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``chaosgame`` command; returns the exit status.

    Standard output is guarded for the whole command: a pipe whose reader has gone ends
    quietly with status 141, a closed stdout or a full disk with one line and status 74. A
    closed stdin reads as empty.
    """
    real, real_in = sys.stdout, sys.stdin
    out = GuardedOutput(real)
    sys.stdout = out
    if real_in is None:  # started with stdin closed (<&-): it reads as empty, as /dev/null
        sys.stdin = io.StringIO("")
    try:
        try:
            status = _main(argv)
        finally:
            out.flush()
        return status
    except OutputError as exc:
        return output_failed(exc, real)
    finally:
        sys.stdout, sys.stdin = real, real_in


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    handler = COMMANDS[args.command][0]
    try:
        return handler(args)
    except OutputError:
        raise
    except FileNotFoundError as exc:
        print(f"chaosgame: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("", file=sys.stderr)
        return 130
    except OSError as exc:  # a file that cannot be read or written: the system says why
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"chaosgame: {where}{exc.strerror or exc}", file=sys.stderr)
        return EX_IOERR
    except Exception as exc:  # the last line of defence: never a traceback
        from chaosgame.scenario.loader import ScenarioError

        if isinstance(exc, ScenarioError):
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            return 1
        print(f"chaosgame: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("Please report it with the command you ran.", file=sys.stderr)
        return EX_SOFTWARE
