"""The debrief in words: the sections every frontend shows, and the console's plain text.

:func:`sections` turns the debrief's data into titled sections of rows, each row a short
*lead* (a time, a marker, a part's points) and a *text* that wraps under itself. The text
console prints them with :func:`render_debrief`; the terminal UI draws the very same rows, so
every sentence and every figure of a debrief is written once. Author and player text is kept
as written: frontends show it as text, never as markup.
"""

from __future__ import annotations

import textwrap
from typing import Any

from chaosgame.game import figures

SPARK = "▁▂▃▄▅▆▇█"
VERDICTS = {
    "exact": "right",
    "component": "the right component, but the wrong kind of fault",
    "symptom": "a component that only showed symptoms, not the root cause",
    "wrong": "not the root cause",
}
BURNED = 0.001
"""An SLO *burned* when a run spent at least this share of its error budget (0.1 %)."""
RUNS = (("player", "you"), ("reference", "reference"), ("nothing", "doing nothing"))


def spark(values: list[float], lo: float, hi: float) -> str:
    """Values as block characters on a fixed scale from ``lo`` to ``hi``."""
    if hi - lo < 1e-12:
        return SPARK[-1] * len(values)
    out = []
    for v in values:
        x = min(max((v - lo) / (hi - lo), 0.0), 1.0)
        out.append(SPARK[int(x * (len(SPARK) - 1))])
    return "".join(out)


def row(text: str, lead: str = "", tone: str = "") -> dict[str, str]:
    """One row: ``lead`` stays on the first line, ``text`` wraps under itself.

    ``tone`` is ``good``, ``warn``, ``bad``, ``muted`` or empty; frontends may colour by it.
    """
    return {"lead": lead, "text": text, "tone": tone}


def section(key: str, title: str, rows: list[dict[str, str]]) -> dict[str, Any]:
    """A titled block of rows."""
    return {"key": key, "title": title, "rows": rows}


def burned_slos(d: dict[str, Any]) -> list[str]:
    """The SLOs that burned budget in your run or doing nothing's, the worst first."""
    per: dict[str, dict[str, float]] = _slo_part(d)["data"]["per_slo"]
    names = list(per)
    order = sorted(names, key=lambda n: (-per[n]["player"], -per[n]["nothing"], names.index(n)))
    return [n for n in order if max(per[n]["player"], per[n]["nothing"]) >= BURNED]


def _slo_part(d: dict[str, Any]) -> dict[str, Any]:
    return next(p for p in d["score"]["parts"] if p["key"] == "slo")


def _tone(got: float, top: float) -> str:
    return "good" if top and got >= 0.8 * top else "warn" if got > 0 else "bad"


def score_section(d: dict[str, Any]) -> dict[str, Any]:
    """The total, one row per part (points and why), and how the game ended."""
    score = d["score"]
    rows = []
    for p in score["parts"]:
        got, top = float(p["points"]), float(p["max_points"])
        lead = f"{p['label']:<19}{figures.points(got, top):>8}  "
        rows.append(row(p["detail"], lead, _tone(got, top)))
    ended = d["ended"]
    n = len(d["player_path"])
    rows.append(
        row(
            f"Ended at {ended['clock']} ({ended['reason']}) after {figures.plural(n, 'action')}.",
            tone="muted",
        )
    )
    return section("score", f"Score {figures.score_line(score['total'], score['grade'])}", rows)


def sli_section(d: dict[str, Any]) -> dict[str, Any]:
    """Per SLO, the share of its error budget each run burned (the SLOs that burned first)."""
    per: dict[str, dict[str, float]] = _slo_part(d)["data"]["per_slo"]
    burned = burned_slos(d)
    rows = []
    for name in [*burned, *(n for n in per if n not in burned)]:
        if name in burned:
            text = ", ".join(f"{label} {figures.percent(per[name][k])}" for k, label in RUNS)
            rows.append(row(f"{text} of its error budget", f"{name}: "))
        else:
            rows.append(row("no error budget burned in any run", f"{name}: ", "muted"))
    return section("sli", "Error budget burned, per SLO", rows)


def truth_sections(d: dict[str, Any]) -> list[dict[str, Any]]:
    """What really happened: summary, root cause, your verdict, chain, factors, herrings."""
    rc = d["root_cause"]
    rows = [row(d["summary"])] if d["summary"] else []
    where = rc["component"] or rc.get("artefact") or "(none)"
    if rc["component"] and rc.get("artefact"):
        where += f" (every component built from {rc['artefact']})"
    rows.append(row(f"Root cause: {rc['kind']} in {where}"))
    diag = next(p for p in d["score"]["parts"] if p["key"] == "diagnosis")["data"]
    last = next((r["text"] for r in reversed(d["player_path"]) if r["type"] == "declare"), None)
    if diag.get("declared") and last:
        what = last.removeprefix("declare ").rsplit(" (", 1)[0]
        verdict = diag["verdicts"][0]
        tone = "good" if verdict == "exact" else "bad"
        rows.append(row(f"You declared {what}: {VERDICTS[verdict]}.", tone=tone))
    else:
        rows.append(row("You did not declare a root cause.", tone="bad"))
    out = [section("truth", "What happened", rows)]
    chain = [
        row(f"{step['component']}: {step['what']}", f"{step['clock'] or '':<8}  ")
        for step in d["causal_chain"]
    ]
    out.append(section("chain", "How it unfolded", chain))
    if d["contributing"]:
        out.append(
            section(
                "contributing", "Contributing factors", [row(c, "- ") for c in d["contributing"]]
            )
        )
    if d["red_herrings"]:
        herrings = [row(f"{h['ref']}: {h['why']}", "- ") for h in d["red_herrings"]]
        out.append(section("red_herrings", "Red herrings (real, but not the cause)", herrings))
    if d.get("evidence_notes"):
        notes = [row(f"{n['what']}: {n['why']}", "- ") for n in d["evidence_notes"]]
        out.append(section("evidence_notes", "Evidence that was there to find", notes))
    if d["signals"]:
        signals = [
            row(
                s["signal"],
                "[x] " if s["looked_at"] else "[ ] ",
                "good" if s["looked_at"] else "bad",
            )
            for s in d["signals"]
        ]
        out.append(
            section(
                "signals",
                "Signals that pointed to the cause ([x] you looked, [ ] you missed)",
                signals,
            )
        )
    return out


def path_sections(d: dict[str, Any]) -> list[dict[str, Any]]:
    """Your path, each action with what it did, and the reference path."""
    mine = [row(f"{a['text']}: {a['effect']}", f"{a['since_page']:>7}  ") for a in d["player_path"]]
    ref = [row(a["text"], f"{a['since_page']:>7}  ") for a in d["reference_path"]]
    return [section("path", "Your path", mine), section("reference", "The reference path", ref)]


def questions_section(d: dict[str, Any]) -> dict[str, Any]:
    """The questions to think about, each with its answer and why, and why each wrong choice is
    wrong when the question says so."""
    rows = []
    for i, q in enumerate(d["questions"], start=1):
        rows.append(row(q["question"], f"Q{i}. "))
        for n, choice in enumerate(q["choices"]):
            rows.append(row(choice, f"    {n + 1}) "))
        answer = q["answer"]
        if q["kind"] == "choice" and isinstance(answer, int) and q["choices"]:
            answer = f"{answer + 1}) {q['choices'][answer]}"
        rows.append(row(str(answer), "  A: "))
        if q["explanation"]:
            rows.append(row(q["explanation"], "     ", "muted"))
        for n, why in enumerate(q.get("why_not") or []):
            if why:
                rows.append(row(why, f"     Not {n + 1}: ", "muted"))
    return section("questions", "Questions to think about", rows)


def sections(d: dict[str, Any]) -> list[dict[str, Any]]:
    """The whole debrief as titled sections of rows, in the order it is read."""
    from chaosgame.game.harm import debrief_rows

    beyond = debrief_rows(d["score"])
    out = [score_section(d), sli_section(d)]
    if beyond:
        out.append(section("harm", "Harm beyond the SLOs", beyond))
    out += truth_sections(d)
    if d.get("injected"):
        out.append(injected_section(d))
    out += path_sections(d)
    if d["questions"]:
        out.append(questions_section(d))
    return out


def injected_section(d: dict[str, Any]) -> dict[str, Any]:
    """What a game master added while the game ran (a classroom host's events)."""
    rows = []
    for e in d["injected"]:
        lead = f"{e['clock']}  "
        if e["kind"] == "message":
            rows.append(row(f"a message from {e['sender']}: {e['text']}", lead))
        elif e["kind"] == "deploy":
            rows.append(row(f"a deploy of {e['version']} to {e['component']}", lead))
        else:
            text = f"a second fault: {e['fault']} on {e['target']}, acting from {e['starts_clock']}"
            rows.append(row(text, lead, "warn"))
    return section("injected", "What the game master added", rows)


def wrap_row(r: dict[str, str], width: int = 78, indent: str = "  ") -> list[str]:
    """One row as text lines: the lead first, the text wrapped under itself."""
    lead = indent + r["lead"]
    pad = " " * len(lead)
    lines = textwrap.wrap(
        r["text"], max(width, len(lead) + 20), initial_indent=lead, subsequent_indent=pad
    )
    return lines or [lead.rstrip()]


def sli_lines(d: dict[str, Any], width: int = 56) -> list[str]:
    """One sparkline per run for each SLO that burned, on a common scale."""
    sli = d["sli"]
    lines = []
    for name in burned_slos(d):
        col = sli["columns"].index(name)
        values = {r: [row[col] for row in sli[r]] for r, _ in RUNS}
        step = max(1, -(-len(values["player"]) // width))
        shown = {r: v[::step] for r, v in values.items()}
        lo = min(min(v) for v in shown.values() if v) if any(shown.values()) else 0.0
        lines.append(
            f"  {name} (target {figures.target(sli['targets'][name])}, low {figures.sli(lo)})"
        )
        for r, label in RUNS:
            lines.append(f"    {label:<14}{spark(shown[r], lo, 1.0)}")
    return lines


def render_debrief(d: dict[str, Any]) -> str:
    """The whole debrief as text (for the console)."""
    lines = ["", "=== Debrief ==="]
    for s in sections(d):
        lines += ["", s["title"]]
        for r in s["rows"]:
            lines += wrap_row(r)
        if s["key"] == "sli":
            lines += sli_lines(d)
    return "\n".join(lines)
