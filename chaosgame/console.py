"""The text console: type commands, read telemetry, act, one line at a time.

This is the line-by-line way to play (and the simplest thing a script can drive). Like every
frontend it speaks only to :class:`~chaosgame.game.player.PlayerView`, and reads the command
language from :mod:`chaosgame.game.commands` and the catalogue from :mod:`chaosgame.game.menu`.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from chaosgame.game.commands import parse_command
from chaosgame.game.flow import describe
from chaosgame.game.menu import METRIC_HELP, VIEW_COSTS, delay_text, scenario_delay, status_due
from chaosgame.game.player import PlayerView
from chaosgame.game.render import spark
from chaosgame.scenario.actions import MITIGATIONS
from chaosgame.scenario.costs import QUERY_COSTS
from chaosgame.scenario.units import format_duration

if TYPE_CHECKING:
    from chaosgame.game.records import RunRecord, RunStore
    from chaosgame.scenario.model import Scenario

HELP = """\
Commands (each costs simulated time; the outage keeps burning meanwhile):
  map                         the service map with health           ({map})
  metric COMPONENT [METRIC] [WINDOW]  a metric over time, e.g. metric payments errors 15m ({metric})
  metrics                     the metric names you can ask for
  events [COMPONENT]          deploys, flags, config, restarts, scaling ({events})
  changes                     deploys, flags, config, commands, jobs ({deploys})
  backups [DATABASE]          the backups taken: name, method, size, copy speed (a query)
  slo                         SLOs, burn rates and error budget     ({slo})
  do ACTION TARGET [k=v ...]  a mitigation, e.g. do restart web, do scale web replicas=6
  actions                     the mitigations you can apply
  wait DURATION               let time pass, e.g. wait 2m
  wait next                   skip until the next action under way takes effect (long recoveries)
  declare COMPONENT KIND [CONFIDENCE]  name the root cause, e.g. declare web memory-leak 0.6
                              (or a shared artefact: declare image:edge-2611 memory-leak)
  artefacts                   the shared artefacts (image, bundle...) you can declare
  q QUERY                     any query of the query language (docs/queries.md), e.g.
                              q sum by (service) (rate(http_requests_total{{code=~"5.."}}[5m]))
  logs {{SELECTOR}} [FILTERS]   e.g. logs {{service="checkout"}} |= "timeout" --page=2
  traces [FILTERS] / trace ID  e.g. traces service=payments status=error min_duration=1s
  pods [COMPONENT] / alerts   kubectl-like pods, firing and recent alerts
  profile COMPONENT           where its CPU goes (sampled CPU profile, {profile})
  end                         finish and see the debrief
""".format(**{k: f"{v:g}s" for k, v in VIEW_COSTS.items()}, profile=f"{QUERY_COSTS['profile']:g}s")


def render(result: Any, view: PlayerView) -> str:
    """A readable rendering of a view's result."""
    if not isinstance(result, dict):
        return str(result)
    if "kind" in result and "query" in result:
        from chaosgame.game.render import as_text

        return as_text(result)
    if "components" in result:
        mark = {"ok": "  ok ", "degraded": " ~deg", "failing": "!FAIL", "unknown": "  ?  "}
        lines = [f"{'component':<16}{'kind':<16}{'health':<7}{'rps':>9}{'errors':>9}{'pods':>6}"]
        for c in result["components"]:
            lines.append(
                f"{c['name']:<16}{c['kind']:<16}{mark[c['health']]:<7}"
                f"{_num(c['rps'], '.1f'):>9}{_num(c['errors'], '.2%'):>9}{c['replicas']:>6}"
            )
        return "\n".join(lines)
    if "points" in result:
        values = [v for _, v in result["points"]]
        note = f" ({result['note']})" if result.get("note") else ""
        if not values:
            return f"{result['component']} {result['metric']}: no data points in that window{note}"
        step = max(1, len(values) // 60)
        shown = values[::step]
        last = values[-1] if values else 0.0
        return (
            f"{result['component']} {result['metric']}: now {last:.4g}, "
            f"min {min(values):.4g}, max {max(values):.4g}{note}\n{spark(shown)}"
        )
    if "events" in result:
        if not result["events"]:
            return "(no events in that window)"
        return "\n".join(
            f"{view.clock(e['time']) if e['time'] >= 0 else format_duration(-e['time']) + ' ago':>10}"
            f"  {e['kind']:<10} {e['component']:<16} {e['message']}"
            for e in result["events"]
        )
    if "slos" in result:
        return "\n".join(
            f"{s['journey']:<12}{s['sli']:<13} target {s['target']:.3%}"
            f"  burn 5m {_num(s['burn_5m'], '.1f', 'x'):>8}  1h {_num(s['burn_1h'], '.1f', 'x'):>7}"
            f"  budget burned {_num(s['budget_burned'], '.2%')}"
            + (f"  ({s['note']})" if s.get("note") else "")
            for s in result["slos"]
        )
    return "\n".join(f"{k}: {_plain(v)}" for k, v in result.items())


def _plain(value: Any) -> str:
    """A value as a reader would write it: no quotes, brackets or ``None``."""
    if value is None:
        return "-"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_plain(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _hypothesis(h: dict[str, Any]) -> str:
    where = f" in {h['component']}" if h.get("component") else ""
    return f"{h['kind']}{where} (confidence {float(h['confidence']):g})"


def actions_text(briefing: Mapping[str, Any]) -> str:
    """The mitigations with their delays (this incident's where they differ), then the
    incident's runbook steps, if it has any."""
    lines = []
    for a, i in MITIGATIONS.items():
        here = scenario_delay(briefing, a)
        when = f"{i.delay_s:g}s" if here is None else delay_text(briefing, a)
        lines.append(f"  {a:<20} {i.summary} (acts after {when})")
    for entry in briefing.get("action_times", []):
        if entry.get("target") and entry.get("takes_s") is not None:
            lines.append(
                f"  {entry['action']} {entry['target']}: acts after "
                f"{format_duration(float(entry['takes_s']))} here"
                + (f" ({entry['how']})" if entry.get("how") else "")
            )
    steps = briefing.get("runbook", [])
    if steps:
        lines.append("Runbook steps (do run-step TARGET step=NAME):")
        for step in steps:
            takes = step.get("takes_s")
            after = f" (acts after {format_duration(float(takes))})" if takes is not None else ""
            lines.append(f"  {step['target']} {step['step']}: {step.get('summary', '')}{after}")
    return "\n".join(lines)


def said(action: dict[str, Any], result: Any, asked: str, view: PlayerView) -> str:
    """What an action did, as a sentence that starts with the clock time it was asked at;
    a query's result is rendered as it is (see :func:`render`)."""
    if not isinstance(result, dict):
        return _plain(result)
    if "takes_effect_at" in result:
        return (
            f"{asked} {describe(action)} asked; takes effect at "
            f"{view.clock(float(result['takes_effect_at']))}"
        )
    if "waited_s" in result and result.get("until") == "next":
        return f"{asked} {result['message']}; now {view.clock()}"
    if "waited_s" in result:
        return f"{asked} waited {format_duration(float(result['waited_s']))}; now {view.clock()}"
    if "declared" in result:
        first, *others = result["declared"]
        then = "".join(f"; then {_hypothesis(h)}" for h in others)
        return f"{asked} declared {_hypothesis(first)}{then}"
    if result.get("ended"):
        return f"{asked} you ended the incident"
    return render(result, view)


def _num(value: Any, spec: str, unit: str = "") -> str:
    """A figure as text, or ``n/a`` where telemetry has no such number."""
    return "n/a" if value is None else f"{format(value, spec)}{unit}"


def status_line(obs: dict[str, Any]) -> str:
    """Clock, time left and alerts in one line."""
    pages = len(obs["alerts"])
    line = (
        f"[{obs['clock']}] +{format_duration(obs['elapsed_s'])} on call, "
        f"{format_duration(obs['remaining_s'])} left, {pages} page{'s' if pages != 1 else ''} firing"
    )
    board = obs.get("status_page")
    if board is not None:
        line += f", {status_due(board, float(obs['time']))}"
    return line


def run_console(
    scenario: Scenario,
    seed: int | None,
    stdin: TextIO,
    stdout: TextIO,
    store: RunStore | None = None,
    resume: RunRecord | None = None,
    about: Sequence[str] = (),
    view: Any = None,
) -> int:
    """Play interactively (or from piped commands) until ``end`` or end of input.

    With a ``store`` the game is saved after every action and scored into it at the end;
    with ``resume`` a saved game in progress is rebuilt and continued. ``about`` is said
    under the title (a generated incident's seed code and difficulty estimate).
    """

    def say(text: str = "") -> None:
        stdout.write(text + "\n")
        stdout.flush()

    if view is not None:  # a game played elsewhere (a classroom server's)
        from chaosgame.classroom.client import event_line

        view.on_event = lambda event: say(f"*** {event_line(event)}")
        obs = view.start()
    elif resume is not None:
        view = PlayerView.resumed(resume)
        obs = view.observe()
    else:
        view = PlayerView(scenario, seed)
        obs = view.start()
    run_id = _record(store, view, resume)
    brief = view.briefing()

    say(f"=== {brief['title']} ===")
    for line in about:
        say(line)
    say(str(brief["briefing"]).strip())
    say()
    if resume is not None:
        done = len(view.actions)
        say(
            f"Resumed run {resume.id}: {done} action{'s' if done != 1 else ''} replayed, "
            f"the clock is at {view.clock()}."
        )
    say(status_line(obs))
    say("Type help for the commands.")
    interactive = stdin.isatty()
    while not view.ended:
        if interactive:
            stdout.write("> ")
            stdout.flush()
        line = stdin.readline()
        if not line:
            view.end()
            break
        if not interactive:
            say(f"> {line.rstrip()}")
        if line.split(maxsplit=1)[:1] == ["think"]:
            say(_think(view, line.strip()[len("think") :].strip()))
            continue
        try:
            parsed = parse_command(line)
        except ValueError as exc:
            say(f"error: {exc}")
            continue
        if parsed in ("quit", "exit"):
            view.end()
            break
        if parsed == "noop":
            continue
        if parsed in ("help", "?"):
            say(HELP)
            if hasattr(view, "think"):
                say(THINK_HELP)
            continue
        if parsed == "metrics":
            say("\n".join(f"  {k:<16} {v}" for k, v in METRIC_HELP.items()))
            continue
        if parsed == "artefacts":
            shared = list(brief.get("artefacts", []))
            say("\n".join(f"  {a}" for a in shared) or "  (no component carries tags)")
            continue
        if parsed == "actions":
            say(actions_text(view.briefing()))
            continue
        assert isinstance(parsed, dict)
        asked = view.clock()
        out = view.act(parsed)
        if not out["ok"]:
            say(f"error: {out['error']}")
            continue
        try:
            say(said(parsed, out["result"], asked, view))
        except Exception as exc:  # showing an answer never ends the game
            say(f"error: the answer cannot be shown: an internal error ({exc!r}); please report it")
        say(status_line(out["observation"]))
    waiting = getattr(view, "wait_for_reveal", None)
    if waiting is not None and not view.revealed():
        say("Your game is over. The debrief opens when the host reveals it: waiting for them")
        say("(Ctrl-C leaves; joining again with the same name shows it later).")
        waiting()
    say(str(view.debrief(run_id)["text"]))
    if store is not None and run_id is not None:
        try:
            view._finish_in(store, run_id)
            say(f"\nSaved as run {run_id}. Its postmortem: chaosgame report {run_id}")
        except (sqlite3.Error, OSError) as exc:
            store.problems.append(f"could not save the finished game: {exc}")
        for problem in store.problems:
            print(f"chaosgame: {problem}", file=sys.stderr)
    return 0


THINK_HELP = (
    "  think TEXT           say what you think, for the host (an interviewer) to read;\n"
    "                       it costs no time and changes nothing in the game"
)


def _think(view: Any, text: str) -> str:
    """Send a think-aloud note to the host (only a game on a classroom server has one)."""
    think = getattr(view, "think", None)
    if think is None:
        return "error: think is for rounds on a classroom server (chaosgame join)"
    if not text:
        return "error: think needs what you think: think TEXT"
    try:
        think(text)
    except Exception as exc:  # a refused or lost note is a message, never a crash
        return f"error: the note was not sent: {exc}"
    return "(noted for the host)"


def _record(store: RunStore | None, view: PlayerView, resume: RunRecord | None) -> int | None:
    """Start saving the game after every action; never let a failure to save stop play."""
    if store is None:
        return None
    from chaosgame.game.records import RecordsError

    try:
        return view._save_to(store, resume.id if resume is not None else None)
    except (sqlite3.Error, OSError, RecordsError) as exc:
        print(f"chaosgame: this game will not be saved: {exc}", file=sys.stderr)
        return None
