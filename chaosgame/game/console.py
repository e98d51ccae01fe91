"""A plain-text console over the session: type commands, read telemetry, act.

This is the line-by-line way to play (and the simplest thing a script can drive). It speaks
only to :class:`~chaosgame.game.session.Session`, like every other frontend.
"""

from __future__ import annotations

import shlex
import sqlite3
import sys
from typing import TYPE_CHECKING, Any, TextIO

from chaosgame.game.session import Session
from chaosgame.game.views import COSTS, METRICS
from chaosgame.scenario.actions import MITIGATIONS
from chaosgame.scenario.model import Scenario
from chaosgame.scenario.units import format_duration, seconds

if TYPE_CHECKING:
    from chaosgame.game.records import RunRecord, RunStore

HELP = """\
Commands (each costs simulated time; the outage keeps burning meanwhile):
  map                         the service map with health           ({map})
  metric COMPONENT [METRIC] [WINDOW]  a metric over time, e.g. metric payments errors 15m ({metric})
  metrics                     the metric names you can ask for
  events [COMPONENT]          deploys, flags, config, restarts, scaling ({events})
  changes                     deploys, flag and config changes only ({deploys})
  slo                         SLOs, burn rates and error budget     ({slo})
  do ACTION TARGET [k=v ...]  a mitigation, e.g. do restart web, do scale web replicas=6
  actions                     the mitigations you can apply
  wait DURATION               let time pass, e.g. wait 2m
  declare COMPONENT KIND [CONFIDENCE]  name the root cause, e.g. declare web memory-leak 0.6
  q QUERY                     any query of the query language (docs/queries.md), e.g.
                              q sum by (service) (rate(http_requests_total{{code=~"5.."}}[5m]))
  logs {{SELECTOR}} [FILTERS]   e.g. logs {{service="checkout"}} |= "timeout" --page=2
  traces [FILTERS] / trace ID  e.g. traces service=payments status=error min_duration=1s
  pods [COMPONENT] / alerts   kubectl-like pods, firing and recent alerts
  end                         finish and see the debrief
""".format(**{k: f"{v:g}s" for k, v in COSTS.items()})

SPARK = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float]) -> str:
    """Values as a row of block characters scaled to their own range."""
    if not values:
        return ""
    lo, hi = min(values), max(values)
    if hi - lo < 1e-12:
        return SPARK[0] * len(values)
    return "".join(SPARK[int((v - lo) / (hi - lo) * (len(SPARK) - 1))] for v in values)


def _kv(tokens: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for tok in tokens:
        key, sep, value = tok.partition("=")
        if not sep:
            raise ValueError(f"expected key=value, got '{tok}'")
        parsed: Any = value
        if value.lower() in ("true", "false"):
            parsed = value.lower() == "true"
        else:
            try:
                parsed = int(value)
            except ValueError:
                try:
                    parsed = float(value)
                except ValueError:
                    parsed = value
        out[key] = parsed
    return out


def parse_command(line: str) -> dict[str, Any] | str:
    """Turn a console line into an action dict, or a local command name (help, metrics...)."""
    raw = line.strip()
    first = raw.split(None, 1)[0].lower() if raw else ""
    if first in ("q", "query"):
        if len(raw.split(None, 1)) < 2:
            raise ValueError('usage: q QUERY, e.g. q rate(http_requests_total{service="web"}[5m])')
        return {"type": "query", "q": raw.split(None, 1)[1]}
    if first in ("logs", "traces", "trace", "pods", "alerts", "kubectl") or raw.startswith("{"):
        return {"type": "query", "q": raw}
    tokens = shlex.split(line)
    if not tokens:
        return "noop"
    head, rest = tokens[0].lower(), tokens[1:]
    if head in ("help", "?", "metrics", "actions", "quit", "exit"):
        return head
    if head == "map":
        return {"type": "query", "view": "map"}
    if head == "slo":
        return {"type": "query", "view": "slo"}
    if head == "changes":
        return {"type": "query", "view": "deploys", "window": 86400.0}
    if head == "events":
        act: dict[str, Any] = {"type": "query", "view": "events", "window": 7200.0}
        if rest:
            act["component"] = rest[0]
        return act
    if head == "metric":
        if not rest:
            raise ValueError("usage: metric COMPONENT [METRIC] [WINDOW]")
        act = {"type": "query", "view": "metric", "component": rest[0]}
        if len(rest) > 1:
            act["metric"] = rest[1]
        if len(rest) > 2:
            act["window"] = seconds(rest[2], "window")
        return act
    if head == "do":
        if len(rest) < 2:
            raise ValueError("usage: do ACTION TARGET [key=value ...]")
        return {"type": "mitigate", "action": rest[0], "target": rest[1], **_kv(rest[2:])}
    if head == "wait":
        if not rest:
            raise ValueError("usage: wait DURATION (for example wait 2m)")
        return {"type": "wait", "seconds": seconds(rest[0], "wait")}
    if head == "declare":
        if len(rest) < 2:
            raise ValueError("usage: declare COMPONENT KIND [CONFIDENCE]")
        component = None if rest[0] in ("-", "none") else rest[0]
        act = {"type": "declare", "component": component, "kind": rest[1]}
        if len(rest) > 2:
            act["confidence"] = float(rest[2])
        return act
    if head == "end":
        return {"type": "end"}
    raise ValueError(f"unknown command '{head}'; type help")


def render(result: Any, session: Session) -> str:
    """A readable rendering of a view's result."""
    if not isinstance(result, dict):
        return str(result)
    if "kind" in result and "query" in result:
        from chaosgame.telemetry.text import as_text

        return as_text(result)
    if "components" in result:
        mark = {"ok": "  ok ", "degraded": " ~deg", "failing": "!FAIL"}
        lines = [f"{'component':<16}{'kind':<16}{'health':<7}{'rps':>9}{'errors':>9}{'pods':>6}"]
        for c in result["components"]:
            lines.append(
                f"{c['name']:<16}{c['kind']:<16}{mark[c['health']]:<7}{c['rps']:>9.1f}"
                f"{c['errors']:>9.2%}{c['replicas']:>6}"
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
            f"min {min(values):.4g}, max {max(values):.4g}{note}\n{sparkline(shown)}"
        )
    if "events" in result:
        if not result["events"]:
            return "(no events in that window)"
        return "\n".join(
            f"{session.clock(e['time']) if e['time'] >= 0 else format_duration(-e['time']) + ' ago':>10}"
            f"  {e['kind']:<10} {e['component']:<16} {e['message']}"
            for e in result["events"]
        )
    if "slos" in result:
        return "\n".join(
            f"{s['journey']:<12}{s['sli']:<13} target {s['target']:.3%}  burn 5m {s['burn_5m']:>7.1f}x"
            f"  1h {s['burn_1h']:>6.1f}x  budget burned {s['budget_burned']:.2%}"
            for s in result["slos"]
        )
    return "\n".join(f"{k}: {v}" for k, v in result.items())


def status_line(obs: dict[str, Any]) -> str:
    """Clock, time left and alerts in one line."""
    pages = len(obs["alerts"])
    return (
        f"[{obs['clock']}] +{format_duration(obs['elapsed_s'])} on call, "
        f"{format_duration(obs['remaining_s'])} left, {pages} page{'s' if pages != 1 else ''} firing"
    )


def debrief_text(session: Session) -> str:
    """What the player learns at the end: the score, the truth, their path and questions."""
    from chaosgame.game.debrief import build_debrief
    from chaosgame.game.debrief_text import render_debrief

    return render_debrief(build_debrief(session.finish()))


def run_console(
    scenario: Scenario,
    seed: int | None,
    stdin: TextIO,
    stdout: TextIO,
    store: RunStore | None = None,
    resume: RunRecord | None = None,
) -> int:
    """Play interactively (or from piped commands) until ``end`` or end of input.

    With a ``store`` the game is saved after every action and scored into it at the end;
    with ``resume`` a saved game in progress is rebuilt and continued.
    """
    if resume is not None:
        from chaosgame.game.records import resume_session

        session = resume_session(resume)
        scenario = session.scenario
        obs = session.observe()
    else:
        session = Session(scenario, seed)
        obs = session.reset()
    run_id = _record(store, session, resume)

    def say(text: str = "") -> None:
        stdout.write(text + "\n")
        stdout.flush()

    say(f"=== {scenario.title} ===")
    say(scenario.briefing.strip())
    say()
    say(status_line(obs))
    say("Type help for the commands.")
    interactive = stdin.isatty()
    while not session.ended:
        if interactive:
            stdout.write("> ")
            stdout.flush()
        line = stdin.readline()
        if not line:
            session.step({"type": "end"})
            break
        if not interactive:
            say(f"> {line.rstrip()}")
        try:
            parsed = parse_command(line)
        except ValueError as exc:
            say(f"error: {exc}")
            continue
        if parsed in ("quit", "exit"):
            session.step({"type": "end"})
            break
        if parsed == "noop":
            continue
        if parsed in ("help", "?"):
            say(HELP)
            continue
        if parsed == "metrics":
            say("\n".join(f"  {k:<16} {v}" for k, v in METRICS.items()))
            continue
        if parsed == "actions":
            say(
                "\n".join(
                    f"  {a:<20} {i.summary} (acts after {i.delay_s:g}s)"
                    for a, i in MITIGATIONS.items()
                )
            )
            continue
        assert isinstance(parsed, dict)
        out = session.step(parsed)
        if not out["ok"]:
            say(f"error: {out['error']}")
            continue
        say(render(out["result"], session))
        say(status_line(out["observation"]))
    assessment = session.finish()
    from chaosgame.game.debrief import build_debrief
    from chaosgame.game.debrief_text import render_debrief

    say(render_debrief(build_debrief(assessment)))
    if store is not None and run_id is not None:
        try:
            store.finish(run_id, session, assessment.score.as_dict())
            say(f"\nSaved as run {run_id}. Its postmortem: chaosgame report {run_id}")
        except (sqlite3.Error, OSError) as exc:
            store.problems.append(f"could not save the finished game: {exc}")
        for problem in store.problems:
            print(f"chaosgame: {problem}", file=sys.stderr)
    return 0


def _record(store: RunStore | None, session: Session, resume: RunRecord | None) -> int | None:
    """Start saving the game after every action; never let a failure to save stop play."""
    if store is None:
        return None
    from chaosgame.game.records import RecordsError

    try:
        return store.attach(session, resume.id if resume is not None else None)
    except (sqlite3.Error, OSError, RecordsError) as exc:
        print(f"chaosgame: this game will not be saved: {exc}", file=sys.stderr)
        return None
