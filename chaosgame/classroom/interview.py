"""Interview rounds: one candidate, an interviewer who sees the hidden truth (``docs/classroom.md``,
"Interviews").

An interview is a round of mode ``interview``. On top of a classroom round it has:

* **one candidate**: a second name is refused (the candidate comes back with their token);
* **think-aloud notes**: the candidate's ``think`` requests, kept in the round's log with the
  time they arrived; they never touch the game (class rounds take them too);
* **host ops** for the interviewer: ``truth`` (the answer key's sheet), ``rubric`` (a mark of
  1 to 4 and a comment per criterion, the latest counts), ``questions`` (the question bank by
  curriculum topic), ``ask`` (a question asked, with a note on the answer) and ``report`` (the
  whole interview in Markdown and JSON).

No network and no Textual here: the server carries requests in and answers out.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chaosgame.classroom.host_view import clock_text, step_text

if TYPE_CHECKING:
    from chaosgame.classroom.room import Room

__all__ = [
    "CRITERIA",
    "HOST_OPS",
    "Criterion",
    "admit",
    "host_op",
    "rubric_state",
    "think",
    "transcript",
]

TEXT_MAX = 2000
"""The longest think-aloud note, comment or note on an answer."""
HOST_OPS = ("truth", "rubric", "questions", "ask", "report")
"""The interviewer's ops (``truth`` and ``questions`` work in class rounds too)."""
INTERVIEW_ONLY = frozenset({"rubric", "ask", "report"})


@dataclass(frozen=True)
class Criterion:
    """One line of the rubric: its key, its name and what each mark (1 to 4) means."""

    key: str
    label: str
    levels: tuple[str, str, str, str]


CRITERIA = (
    Criterion(
        "hypotheses",
        "Hypothesis quality",
        (
            "no hypothesis, or a guess never stated",
            "a hypothesis, but vague or never tested",
            "specific hypotheses, tested against what they saw",
            "ranked hypotheses, each with how to prove it wrong, revised as evidence came",
        ),
    ),
    Criterion(
        "safety",
        "Safety of actions",
        (
            "broad or risky changes without evidence",
            "some changes made just in case",
            "changes aimed at the cause, their risk weighed",
            "the least risky, reversible mitigation first, and why, before the cause was sure",
        ),
    ),
    Criterion(
        "communication",
        "Communication cadence",
        (
            "silent for long stretches",
            "spoke when asked",
            "regular updates on what they saw and did",
            "a steady cadence: what is known, what is next, when the next update comes",
        ),
    ),
    Criterion(
        "evidence",
        "Use of evidence",
        (
            "acted without looking",
            "looked, but at the wrong things, or ignored what they saw",
            "followed the signals to the cause",
            "looked for what would prove them wrong; told the cause from the red herrings",
        ),
    ),
)
"""The interview rubric, in the order the console and the report show it."""
MARK_MAX = 4


def _error(code: str, message: str) -> Exception:
    from chaosgame.classroom.room import RoomError

    return RoomError(code, message)


def _text(value: Any, what: str, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > TEXT_MAX:
        least = 1 if required else 0
        raise _error("invalid_params", f"{what} is text of {least} to {TEXT_MAX} characters")
    return value.strip()


# ---------------------------------------------------------------- the candidate
def admit(room: Room, name: str) -> None:
    """Refuse a second candidate into an interview round: the round's one seat goes to the
    first to claim it, whichever server process they reach (the candidate comes back with
    their token: that is checked before this)."""
    if not room.store.claim_seat(room.code, name):
        raise _error(
            "round_full",
            "this interview round already has its candidate; ask the interviewer for a "
            "round of your own",
        )


def think(room: Room, name: str, request: dict[str, Any], now: float) -> dict[str, Any]:
    """A think-aloud note of player ``name``: kept in the round's log (kind ``think``), for
    the host's eyes; the game does not change and its journal does not hold it."""
    rid = request.get("id")
    extra = sorted(k for k in request if k not in ("id", "op", "text"))
    if extra:
        return _answer_error(rid, f"think takes text; unknown field {extra[0]!r}")
    try:
        text = _text(request.get("text"), "a think-aloud note")
    except Exception as exc:
        return _answer_error(rid, str(exc))
    body = {"name": name, "text": text, "game_clock": room.game_clock(name)}
    seq = room.store.log(room.code, "think", body, now)
    return {"id": rid, "result": {"noted": seq, "at": now}}


def _answer_error(rid: Any, message: str) -> dict[str, Any]:
    return {"id": rid, "error": {"code": "invalid_params", "message": message}}


# ---------------------------------------------------------------- the interviewer
def host_op(room: Room, op: str, req: dict[str, Any], now: float) -> Any:
    """Answer one of :data:`HOST_OPS` (the host's token was checked)."""
    if op in INTERVIEW_ONLY and room.mode != "interview":
        raise _error("rejected", f"{op} is for interview rounds (chaosgame host --interview ...)")
    if op == "truth":
        return truth(room)
    if op == "rubric":
        return _rubric(room, req, now)
    if op == "questions":
        return _questions(room, req.get("topic"))
    if op == "ask":
        return _ask(room, req, now)
    return report(room, now)


def truth(room: Room) -> dict[str, Any]:
    """The hidden truth from the answer key: root cause, causal chain, reference solution."""
    from chaosgame.game.answer_key import truth_sheet

    return truth_sheet(room.scenario, room.seed)


def rubric_state(log: list[tuple[int, str, dict[str, Any], float]]) -> list[dict[str, Any]]:
    """Each criterion with its latest mark, comment and when it was set (None: not marked)."""
    latest: dict[str, tuple[dict[str, Any], float | None]] = {}
    for _, kind, body, at in log:
        if kind == "rubric":
            latest[str(body.get("criterion"))] = (body, at)
    out = []
    for c in CRITERIA:
        body, when = latest.get(c.key, ({}, None))
        mark = body.get("mark")
        out.append(
            {
                "criterion": c.key,
                "label": c.label,
                "mark": mark,
                "meaning": c.levels[mark - 1] if isinstance(mark, int) else None,
                "comment": body.get("comment", ""),
                "at": when,
                "levels": list(c.levels),
            }
        )
    return out


def _rubric(room: Room, req: dict[str, Any], now: float) -> dict[str, Any]:
    key = req.get("criterion")
    if key is not None:
        keys = [c.key for c in CRITERIA]
        if key not in keys:
            raise _error("invalid_params", f"criterion is one of {', '.join(keys)}")
        mark = req.get("mark")
        if isinstance(mark, bool) or not isinstance(mark, int) or not 1 <= mark <= MARK_MAX:
            raise _error("invalid_params", f"mark is a whole number from 1 to {MARK_MAX}")
        comment = _text(req.get("comment"), "comment", required=False)
        room.store.log(
            room.code, "rubric", {"criterion": key, "mark": mark, "comment": comment}, now
        )
    return {"rubric": rubric_state(room.store.round_log(room.code))}


def _questions(room: Room, topic: Any) -> dict[str, Any]:
    from chaosgame.game import questions as bank
    from chaosgame.scenario.model import TOPICS

    ours = list(room.scenario.topics)
    if topic is None:
        every = bank.load_bank()
        order = [*ours, *(t for t in TOPICS if t not in ours)]
        return {
            "topics": [
                {
                    "topic": t,
                    "questions": sum(1 for q in every if t in q.topics),
                    "incident": t in ours,
                }
                for t in order
            ]
        }
    if not isinstance(topic, str):
        raise _error("invalid_params", "topic is a curriculum topic id, such as slo")
    try:
        found = bank.by_topic(topic)
    except ValueError as exc:
        raise _error("invalid_params", str(exc)) from None
    return {"topic": topic, "questions": [_question(q) for q in found]}


def _question(q: Any) -> dict[str, Any]:
    return {
        "id": q.id,
        "topics": list(q.topics),
        "difficulty": q.difficulty,
        "kind": q.kind,
        "question": q.question,
        "choices": list(q.choices),
        "answer": q.answer,
        "explanation": q.explanation,
        "rubric": list(q.rubric),
    }


def _ask(room: Room, req: dict[str, Any], now: float) -> dict[str, Any]:
    from chaosgame.game import questions as bank

    qid = req.get("question")
    if not isinstance(qid, str):
        raise _error("invalid_params", "ask takes question (a question's id, such as slo-001)")
    try:
        q = bank.by_id(qid)
    except KeyError:
        raise _error(
            "invalid_params", f"no question with id {qid!r}; the questions op lists them"
        ) from None
    note = _text(req.get("note"), "note", required=False)
    body = {"question": q.id, "topic": q.topic, "text": q.question, "note": note}
    return {"logged": room.store.log(room.code, "ask", body, now)}


# ---------------------------------------------------------------- the timeline and the report
def transcript(
    steps: list[dict[str, Any]], log: list[dict[str, Any]], name: str | None = None
) -> list[dict[str, Any]]:
    """The candidate's requests (``timeline`` rows) and the round's log lines (think-aloud
    notes of ``name``, the interviewer's notes, questions asked, hints, pauses...) as one list
    in the order they happened: ``at``, ``kind`` (``action`` for a request) and ``text``.
    Rubric marks are left out (the rubric shows them)."""
    rows: list[dict[str, Any]] = [
        {"at": s.get("at"), "kind": "action", "text": step_text(s["request"]), "order": (0, i)}
        for i, s in enumerate(steps)
    ]
    for i, line in enumerate(log):
        kind = str(line.get("kind"))
        if kind == "rubric" or (kind == "think" and name is not None and line.get("name") != name):
            continue
        rows.append({"at": line.get("at"), "kind": kind, "text": _log_text(line), "order": (1, i)})
    rows.sort(key=lambda r: (float(r["at"] or 0.0), r["order"]))
    return [{k: v for k, v in r.items() if k != "order"} for r in rows]


def _log_text(line: dict[str, Any]) -> str:
    kind = line.get("kind")
    if kind == "think":
        game = f" (game {line['game_clock']})" if line.get("game_clock") else ""
        return f'{line.get("name", "")}{game}: "{line.get("text", "")}"'
    if kind == "ask":
        note = f" - {line['note']}" if line.get("note") else ""
        text = str(line.get("text", ""))
        text = text if len(text) <= 60 else text[:59].rstrip() + "…"
        return f"asked {line.get('question')}: {text}{note}"
    if kind == "hint":
        return f"hint ({float(line.get('penalty') or 0):g} points): {line.get('text', '')}"
    if kind == "note":
        return str(line.get("text", ""))
    said = {
        "paused": "the clock is paused",
        "open": "the clock runs again",
        "ended": "the round has ended",
        "revealed": "the debrief is revealed",
    }
    return said.get(str(kind), str(kind))


def report(room: Room, now: float | None = None) -> dict[str, Any]:
    """The interview as a report: ``{"json": {...}, "markdown": "..."}``."""
    when = time.time() if now is None else now
    players = room.store.players(room.code)
    name = players[0].name if players else None
    lines = room.store.round_log(room.code)
    log = [{"seq": s, "kind": k, "at": at, **b} for s, k, b, at in lines]
    steps = room.timeline(name) if name is not None else []
    row = next((r for r in room.standings() if r["name"] == name), None)
    final = room.final(name) if name is not None else None
    rubric = rubric_state(lines)
    marks = [r["mark"] for r in rubric if isinstance(r["mark"], int)]
    data: dict[str, Any] = {
        "round": room.code,
        "title": room.scenario.title,
        "candidate": name,
        "state": room.state,
        "written": when,
        "game": _game_part(row, final),
        "rubric": {
            "criteria": [{k: v for k, v in r.items() if k != "levels"} for r in rubric],
            "marked": len(marks),
            "total": sum(marks),
            "max": MARK_MAX * len(CRITERIA),
        },
        "path": _path_part(steps, final),
        "truth": truth(room),
        "timeline": transcript(steps, log, name),
        "notes": [{"at": x["at"], "text": x["text"]} for x in log if x["kind"] == "note"],
        "think_aloud": [
            {"at": x["at"], "game_clock": x.get("game_clock"), "text": x["text"]}
            for x in log
            if x["kind"] == "think" and x.get("name") == name
        ],
        "questions": [
            {k: x.get(k) for k in ("at", "question", "topic", "text", "note")}
            for x in log
            if x["kind"] == "ask"
        ],
    }
    return {"json": data, "markdown": markdown(data)}


def _game_part(row: dict[str, Any] | None, final: dict[str, Any] | None) -> dict[str, Any]:
    if row is None:
        return {"ended": False, "status": "no candidate has joined"}
    out: dict[str, Any] = {
        "ended": final is not None,
        "status": row["status"],
        "actions": row["actions"],
        "elapsed_s": row["elapsed_s"],
        "budget_burned": row["budget_burned"],
        "hints": row["hints"],
        "penalty": row["penalty"],
        "score": row["score"],
        "raw_score": row["raw_score"],
    }
    if final is not None:
        score = final["score"]
        out["grade"] = score.get("grade")
        out["parts"] = [
            {k: p.get(k) for k in ("key", "label", "points", "max_points", "detail")}
            for p in score.get("parts", [])
        ]
        out["end_reason"] = final.get("end_reason")
    return out


def _path_part(steps: list[dict[str, Any]], final: dict[str, Any] | None) -> dict[str, Any]:
    """The candidate's path against the reference: the debrief's own comparison once the game
    has ended; before that, the requests so far."""
    if final is None:
        return {
            "compared": False,
            "candidate": [{"at": s.get("at"), "text": step_text(s["request"])} for s in steps],
            "reference": [],
            "signals": [],
        }
    d = final["debrief"]
    keep = ("since_page", "clock", "text", "effect", "role", "risky")
    return {
        "compared": True,
        "candidate": [{k: a[k] for k in keep if k in a} for a in d["player_path"]],
        "reference": [{k: a[k] for k in keep if k in a} for a in d["reference_path"]],
        "signals": list(d["signals"]),
    }


# ---------------------------------------------------------------- Markdown
def _cell(text: Any) -> str:
    return str("" if text is None else text).replace("|", "\\|").replace("\n", " ")


def markdown(data: dict[str, Any]) -> str:
    """The report's JSON as a Markdown document."""
    out = [
        f"# Interview: {data['candidate'] or '(no candidate)'}",
        "",
        f"Round {data['round']}, *{data['title']}*; report written {_stamp(data['written'])}; "
        f"the round is {data['state']}.",
        "",
        "## Score",
        "",
    ]
    game = data["game"]
    rub = data["rubric"]
    out.append(f"- **Rubric:** {rub['total']}/{rub['max']} ({rub['marked']} of 4 criteria marked)")
    if game["ended"]:
        grade = f" ({game['grade']})" if game.get("grade") else ""
        penalty = f", {game['penalty']:g} points of hints off" if game.get("penalty") else ""
        out.append(f"- **Game:** {game['score']}/100{grade}; raw {game['raw_score']}{penalty}")
        for p in game.get("parts", []):
            out.append(f"  - {p['label']}: {p['points']:g}/{p['max_points']:g}: {p['detail']}")
    else:
        out.append(
            f"- **Game:** not ended yet ({game['status']}): the game's score comes when the "
            "candidate ends it"
        )
    out += [
        "",
        "## Rubric",
        "",
        "| Criterion | Mark | Meaning | Comment |",
        "| --- | --- | --- | --- |",
    ]
    for r in rub["criteria"]:
        mark = f"{r['mark']}/4" if r["mark"] is not None else "-"
        out.append(
            f"| {_cell(r['label'])} | {mark} | {_cell(r['meaning'])} | {_cell(r['comment'])} |"
        )
    out += ["", "## The path against the reference", ""]
    path = data["path"]
    if path["compared"]:
        out += ["| Since the page | Candidate's action | What it did |", "| --- | --- | --- |"]
        out += [
            f"| {_cell(a.get('since_page'))} | {_cell(a['text'])} | {_cell(a.get('effect'))} |"
            for a in path["candidate"]
        ]
        out += ["", "The reference path:", ""]
        out += [f"- {a.get('since_page', '')} {a['text']}" for a in path["reference"]]
        if path["signals"]:
            out += ["", "Signals that pointed to the cause:", ""]
            out += [f"- [{'x' if s['looked_at'] else ' '}] {s['signal']}" for s in path["signals"]]
    else:
        out.append("The game has not ended: the comparison comes with its debrief. So far:")
        out.append("")
        out += [f"- {clock_text(a['at'])} {a['text']}" for a in path["candidate"]] or ["- nothing"]
        out += ["", "The reference solution:", ""]
        out += [f"- {t}" for t in data["truth"]["reference_solution"]]
    truth = data["truth"]
    rc = truth["root_cause"]
    where = rc.get("component") or rc.get("artefact") or "(none)"
    out += ["", "## The truth", "", f"Root cause: **{rc['kind']}** in **{where}**.", ""]
    if truth["summary"]:
        out += [truth["summary"], ""]
    out += [f"- {s['component']}: {s['what']}" for s in truth["causal_chain"]]
    out += ["", "## Timeline", "", "| Time | What | |", "| --- | --- | --- |"]
    out += [
        f"| {clock_text(r['at'])} | {_cell(r['kind'])} | {_cell(r['text'])} |"
        for r in data["timeline"]
    ]
    out += ["", "## Questions asked", ""]
    out += [
        f"- {clock_text(q['at'])} **{q['question']}** ({q['topic']}): {q['text']}"
        + (f"\n  - Answer: {q['note']}" if q.get("note") else "")
        for q in data["questions"]
    ] or ["None."]
    out += ["", "## Think-aloud notes", ""]
    out += [
        f"- {clock_text(t['at'])}"
        + (f" (game {t['game_clock']})" if t.get("game_clock") else "")
        + f" {t['text']}"
        for t in data["think_aloud"]
    ] or ["None."]
    out += ["", "## Interviewer's notes", ""]
    out += [f"- {clock_text(n['at'])} {n['text']}" for n in data["notes"]] or ["None."]
    return "\n".join(out) + "\n"


def _stamp(at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at))
