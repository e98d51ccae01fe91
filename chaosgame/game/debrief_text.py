"""The debrief as plain text for the console (the TUI draws the same data its own way)."""

from __future__ import annotations

import textwrap
from typing import Any

SPARK = "▁▂▃▄▅▆▇█"
VERDICTS = {
    "exact": "right",
    "component": "the right component, but the wrong kind of fault",
    "symptom": "a component that only showed symptoms, not the root cause",
    "wrong": "not the root cause",
}


def spark(values: list[float], lo: float, hi: float) -> str:
    """Values as block characters on a fixed scale from ``lo`` to ``hi``."""
    if hi - lo < 1e-12:
        return SPARK[-1] * len(values)
    out = []
    for v in values:
        x = min(max((v - lo) / (hi - lo), 0.0), 1.0)
        out.append(SPARK[int(x * (len(SPARK) - 1))])
    return "".join(out)


def _wrap(text: str, indent: str = "  ", hang: int = 2, width: int = 78) -> list[str]:
    """``text`` wrapped to ``width``, continuation lines indented ``hang`` more."""
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent + " " * hang)


def score_lines(score: dict[str, Any]) -> list[str]:
    """The total, the grade and one line per part."""
    lines = [f"Score: {score['total']:.1f} / 100 ({score['grade']})"]
    for p in score["parts"]:
        head = f"  {p['label']:<19}{p['points']:>5.1f} / {p['max_points']:<3g}"
        lines.append(f"{head} {p['detail']}")
    return lines


def sli_lines(sli: dict[str, Any], width: int = 56) -> list[str]:
    """One sparkline per SLO and run, on a common scale."""
    lines = []
    runs = ("player", "reference", "nothing")
    names = {"player": "you", "reference": "reference", "nothing": "nothing"}
    for col, name in enumerate(sli["columns"][1:], start=1):
        values = {r: [row[col] for row in sli[r]] for r in runs}
        step = max(1, -(-len(values["player"]) // width))
        shown = {r: v[::step] for r, v in values.items()}
        lo = min(min(v) for v in shown.values() if v) if any(shown.values()) else 0.0
        lines.append(f"  {name} (target {sli['targets'][name]:.2%}, low {lo:.2%})")
        for r in runs:
            lines.append(f"    {names[r]:<10}{spark(shown[r], lo, 1.0)}")
    return lines


def render_debrief(d: dict[str, Any]) -> str:
    """The whole debrief as text."""
    lines = ["", "=== Debrief ===", *textwrap.wrap(d["summary"], 78), ""]
    lines += score_lines(d["score"])
    rc = d["root_cause"]
    lines += ["", f"Root cause: {rc['kind']} in {rc['component'] or '(none)'}"]
    diag = next(p for p in d["score"]["parts"] if p["key"] == "diagnosis")["data"]
    first = next((r["text"] for r in reversed(d["player_path"]) if r["type"] == "declare"), None)
    if diag.get("declared") and first:
        what = first.removeprefix("declare ").rsplit(" (", 1)[0]
        lines.append(f"You declared {what}: {VERDICTS[diag['verdicts'][0]]}.")
    else:
        lines.append("You did not declare a root cause.")
    lines.append("How it unfolded:")
    for step in d["causal_chain"]:
        when = step["clock"] or "        "
        lines += _wrap(f"{when}  {step['component']}: {step['what']}", hang=10)
    if d["contributing"]:
        lines.append("Contributing factors:")
        for c in d["contributing"]:
            lines += _wrap(f"- {c}")
    if d["red_herrings"]:
        lines.append("Red herrings (real, but not the cause):")
        for h in d["red_herrings"]:
            lines += _wrap(f"- {h['ref']}: {h['why']}")
    if d["signals"]:
        lines.append("Signals that pointed to the cause ([x] you looked, [ ] you missed):")
        for s in d["signals"]:
            lines += _wrap(f"[{'x' if s['looked_at'] else ' '}] {s['signal']}", hang=4)
    lines.append("Your path:")
    for a in d["player_path"]:
        lines += _wrap(f"{a['since_page']:>8} {a['text']}: {a['effect']}", hang=9)
    lines.append("The reference path:")
    for a in d["reference_path"]:
        lines += _wrap(f"{a['since_page']:>8} {a['text']}")
    lines.append("SLIs from before the onset to the end of the settled run:")
    lines += sli_lines(d["sli"])
    if d["questions"]:
        lines += ["", "Questions to think about:"]
        for i, q in enumerate(d["questions"], start=1):
            lines += _wrap(f"Q{i}. {q['question']}", "", hang=4)
            for n, choice in enumerate(q["choices"]):
                lines += _wrap(f"{n + 1}) {choice}", "    ", hang=3)
            answer = q["answer"]
            if q["kind"] == "choice" and isinstance(answer, int) and q["choices"]:
                answer = f"{answer + 1}) {q['choices'][answer]}"
            lines += _wrap(f"A: {answer}", "  ", hang=3)
            if q["explanation"]:
                lines += _wrap(q["explanation"], "     ", hang=0)
    return "\n".join(lines)
