"""Plain-text rendering of query results (plain data in, text out) for text frontends."""

from __future__ import annotations

import math
from typing import Any

SPARK = "▁▂▃▄▅▆▇█"


def spark(values: list[float]) -> str:
    """Values as block characters scaled to the range of their finite values: an infinity
    sits at the top or the bottom, a missing value (NaN) is a gap."""
    finite = [v for v in values if math.isfinite(v)]
    lo, hi = (min(finite), max(finite)) if finite else (0.0, 0.0)
    # halves, so that the span of -1e308..1e308 does not overflow
    span = hi / 2 - lo / 2
    top = len(SPARK) - 1

    def block(v: float) -> str:
        if math.isnan(v):
            return " "
        if math.isinf(v):
            return SPARK[top] if v > 0 else SPARK[0]
        if span < 1e-12:
            return SPARK[0]
        return SPARK[min(max(int((v / 2 - lo / 2) / span * top), 0), top)]

    return "".join(block(v) for v in values)


def _labels(lab: dict[str, str]) -> str:
    name = lab.get("__name__", "")
    rest = ",".join(f'{k}="{v}"' for k, v in lab.items() if k != "__name__")
    return f"{name}{{{rest}}}" if rest or not name else name


def as_text(result: dict[str, Any], width: int = 100) -> str:
    """A readable rendering of any result of :func:`chaosgame.telemetry.query.run`."""
    kind = result.get("kind")
    out: list[str] = []
    if kind == "metrics":
        for s in result["series"]:
            vals = [v for _, v in s["points"]]
            out.append(f"{_labels(s['labels'])}")
            if not vals:
                out.append("  no points in the window")
                continue
            out.append(
                f"  now {vals[-1]:.4g}  min {min(vals):.4g}  max {max(vals):.4g}  "
                f"{spark(vals[-60:])}"
            )
    elif kind == "logs":
        out.append(
            f"{result['matched']:,} matching lines of {result['scanned']:,} "
            f"(page {result['page']}/{result['pages']}, newest first)"
        )
        out.extend(f"note: {n}" for n in result.get("notes", []))  # before the page
        out.extend(ln["line"][: width * 3] for ln in result["lines"])
        return "\n".join(out)
    elif kind == "traces":
        out.append(
            f"{'trace id':<34}{'time':<10}{'endpoint':<12}{'ms':>9}  status  spans  first error"
        )
        for t in result["traces"]:
            out.append(
                f"{t['trace_id']:<34}{t['clock']:<10}{t['endpoint']:<12}{t['duration_ms']:>9.1f}"
                f"  {t['status']:<6}  {t['span_count']:>5}  {t['first_error'] or ''}"
            )
    elif kind == "trace":
        out.append(
            f"trace {result['trace_id']} {result['endpoint']} {result['duration_ms']}ms {result['status']}"
        )
        for s in result["spans"]:
            msg = f"  {s['message']}" if s.get("message") else ""
            out.append(
                f"{'  ' * s['depth']}{s['service']}: {s['name']} ({s['kind']}) "
                f"+{s['start_ms']}ms {s['duration_ms']}ms {s['status']}{msg}"
            )
    elif kind in ("events", "changes"):
        for e in result["events"]:
            when = e["clock"] or f"{-e['time'] / 3600:.0f}h before"
            out.append(
                f"{when:>10}  {e['type']:<8}{e['reason']:<18}{e['component']:<18}{e['message']}"
            )
        if not result["events"]:
            out.append("(no events in that window)")
    elif kind == "pods":
        out.append(
            f"{'NAME':<36}{'READY':<7}{'STATUS':<19}{'RESTARTS':<10}{'VERSION':<10}CPU   MEM(MB)"
        )
        for p in result["pods"]:
            cpu = "-" if p["cpu"] is None else f"{p['cpu']:.2f}"
            mem = "-" if p["memory_mb"] is None else f"{p['memory_mb']:.0f}"
            out.append(
                f"{p['name']:<36}{p['ready']:<7}{p['status']:<19}{p['restarts']:<10}"
                f"{p['version']:<10}{cpu:<6}{mem}"
            )
    elif kind == "map":
        for c in result["components"]:
            rps = "-" if c["rps"] is None else f"{c['rps']:.1f}"
            err = "-" if c["errors"] is None else f"{c['errors']:.2%}"
            out.append(
                f"{c['name']:<18}{c['kind']:<16}{c['health']:<9}{rps:>9} rps {err:>8} err "
                f"{c['replicas']:>3} pods"
            )
        for e in result["edges"]:
            err = "-" if e["errors"] is None else f"{e['errors']:.2%}"
            out.append(
                f"  {e['from']} -> {e['to']} ({e['mode']}): {e['rps'] if e['rps'] is not None else '-'} rps, "
                f"{err} failing, breaker {e['breaker'] or '-'}"
            )
    elif kind == "alerts":
        for a in result["firing"]:
            out.append(
                f"FIRING  {a['severity']:<8}{a['name']:<22}since {a['since']}  {a['summary']}"
            )
        for a in result["resolved"]:
            out.append(
                f"resolved {a['severity']:<7}{a['name']:<22}{a['since']}-{a['resolved']}  {a['summary']}"
            )
        if not result["firing"] and not result["resolved"]:
            out.append("(no alerts)")
    elif kind == "profile":
        out.append(
            f"CPU profile of {result['component']} {result['from']}-{result['to']}: "
            f"{result['samples']:,} samples"
        )
        out.extend(f"{f['share']:>7}  {f['samples']:>7,}  {f['stack']}" for f in result["frames"])
    elif kind == "catalogue":
        out.extend(f"{m['name']:<44}{m['type']:<8}{m['help']}" for m in result["metrics"])
    elif kind == "help":
        out.extend(result["forms"])
    else:
        out.extend(f"{k}: {v}" for k, v in result.items())
    out.extend(f"note: {n}" for n in result.get("notes", []))
    return "\n".join(out)
