"""The words of a generated incident: id, title, summary, briefing, debrief and questions.

Titles and briefings say what users see (the journey and the symptom), never the cause:
``validate`` warns on a title that names a fault kind, and the generator's tests hold every
generated title to it.
"""

from __future__ import annotations

import random
from typing import Any

from chaosgame.generate.plan import Plan
from chaosgame.generate.system import System

SYMPTOMS: dict[str, tuple[str, ...]] = {
    "errors": ("failing", "failing for many", "erroring", "broken for some"),
    "slow": ("slow", "crawling", "timing out", "sluggish"),
    "wrong": ("showing wrong results", "answering wrongly", "returning odd results"),
    "lost": ("losing data", "missing recent data", "showing stale data"),
    "none": ("alert firing", "paging", "alert at night"),
}
WHEN = ("", "", " after lunch", " at peak", " this morning", " tonight", " on a busy day")


def _words(name: str) -> str:
    return name.replace("-", " ").replace("_", " ")


def title(system: System, plan: Plan, rng: random.Random) -> tuple[str, str]:
    """The scenario's id stem and title, by symptom."""
    journey = plan.journeys[0] if plan.journeys else system.journeys[0]["name"]
    symptom = rng.choice(SYMPTOMS[plan.harm])
    when = rng.choice(WHEN)
    product = system.archetype.title
    text = f"{_words(journey).capitalize()} {symptom}{when} ({product})"
    stem = f"{journey}-{symptom.split()[0]}"
    return stem, text


def briefing(system: System, plan: Plan, slo: dict[str, Any] | None) -> str:
    arch = system.archetype
    users = arch.users
    lines = []
    if plan.harm == "none" or slo is None:
        lines.append("PAGE: an alert is firing; no SLO is burning yet.")
    else:
        sli = slo["sli"]
        lines.append(f"PAGE: {slo['journey']} {sli} SLO burning fast.")
    doing = {j.name: j.doing for j in arch.journeys}
    hurt = [j for j in plan.journeys if j]
    if plan.harm == "errors" and hurt:
        what = doing.get(_base(hurt[0]), f"use {_words(hurt[0])}")
        lines.append(f"Some {users} cannot {what}; they see errors.")
    elif plan.harm == "slow" and hurt:
        what = doing.get(_base(hurt[0]), f"use {_words(hurt[0])}")
        lines.append(f"{users.capitalize()} say it is slow to {what}.")
    elif plan.harm == "wrong" and hurt:
        lines.append(f"Support has tickets from {users} about wrong answers in {_words(hurt[0])}.")
    elif plan.harm == "lost" and hurt:
        lines.append(
            f"Support has tickets from {users} about missing or old data in {_words(hurt[0])}."
        )
    regions = len(system.regions)
    where = "one region" if regions == 1 else f"{regions} regions"
    lines.append(
        f"You are on call for {arch.product} ({len(system.components)} components in {where})."
    )
    return "\n".join(lines) + "\n"


def _base(journey: str) -> str:
    """A journey's name without the region suffix of a second front."""
    head, _, tail = journey.rpartition("-")
    return head if head and len(tail) == 3 and tail.isalpha() and tail in _SHORTS else journey


_SHORTS = {"use", "euw", "aps", "usw", "euc", "apn"}


def questions(
    plan: Plan, herrings: list[dict[str, Any]], topics: list[str]
) -> list[dict[str, Any]]:
    """The scenario's own questions: the recipe's, then two about this incident's evidence."""
    out = list(plan.questions)
    if plan.signals:
        out.append(
            {
                "question": "Which signal would you look at first to find this cause again, "
                "and why that one?",
                "topics": [
                    t
                    for t in topics
                    if t in ("observability", "distributed-debugging", "incident-response")
                ][:2]
                or ["incident-response"],
                "answer": plan.signals[0][0].upper()
                + plan.signals[0][1:]
                + ". "
                + " ".join(s[0].upper() + s[1:] + "." for s in plan.signals[1:3]),
            }
        )
    if herrings:
        h = herrings[0]
        out.append(
            {
                "question": f"Why was {h['label']} not the cause, although it changed "
                "around the same time?",
                "topics": ["incident-response"],
                "answer": h["why"][0].upper() + h["why"][1:] + ". A change is a suspect "
                "until the timeline and the evidence on the failing path rule it in or out.",
            }
        )
    return out
