"""What makes a valid scenario playable: the rules between its fields.

Every number has a range of its own (in the model); these rules relate the fields to each
other, so that what ``validate`` accepts plays to a debrief:

* **the clock**: a tick of 1 s to 1 minute (up to 5 minutes in a window longer than a day),
  a window (``duration``) of 10 minutes to a week holding at least 60 ticks and at most 10,000,
  and a fleet whose history over the window fits in memory (ticks x components x
  (journeys + 5) at most 20 million);
* **the timeline**: every time that happens (faults and their ends, ``page_at``, deploys, flag
  and config changes, traffic spikes, the causal chain) lies before the end of the window, and a
  fault ends after it starts; history before the window may go back a year;
* **room to play**: the page (``page_at``, or the first fault) comes at least 5 minutes before
  the end of the window, and the time limit is at least 5 minutes and no longer than the window;
* a periodic fault's period spans at least two ticks, a multiple-choice answer names a choice;
* a ``cert-expired`` fault and its target's ``cert_expires_at`` name the same moment.

Each broken rule is one message ``where: what`` that the loader places at its line. This module
reads a :class:`~chaosgame.scenario.model.Scenario` but does not import the model (the model
calls it), so the numbers here are the one source for the model's ranges and the guide.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from chaosgame.scenario.units import format_duration

if TYPE_CHECKING:
    from chaosgame.scenario.model import Scenario

MIN_TICK_S = 1.0
"""The shortest tick: shorter ones cost minutes of CPU per game for nothing the player sees."""
MAX_TICK_S = 300.0
"""The longest tick of a long incident (a window over a day): a restore over days is played
in 5-minute ticks."""
MAX_SHORT_TICK_S = 60.0
"""The longest tick of a window of a day or less: longer ones hide whole retry storms and
alerts between two ticks."""
LONG_WINDOW_S = 86400.0
"""A window longer than this (a day) is a long incident: its ticks may be longer."""
MIN_WINDOW_S = 600.0
"""The shortest simulated window (10 minutes)."""
MAX_WINDOW_S = 7 * 86400.0
"""The longest simulated window (a week, for a recovery over days); also the longest time
limit."""
MIN_TICKS = 60
"""The fewest ticks in the window: a tick well under the duration."""
MAX_TICKS = 10_000
"""The most ticks in the window."""
MAX_POINTS = 20_000_000
"""The most ``ticks x components x (journeys + 5)``: the history the simulation keeps."""
MIN_PLAY_S = 300.0
"""The least play time: the page comes this long before the end of the window, and the time
limit is at least this long."""


def _t(seconds: float) -> str:
    """A time as authors write it (``-2d``, ``1h30m``)."""
    return f"-{format_duration(-seconds)}" if seconds < 0 else format_duration(seconds)


def check_playable(sc: Scenario) -> list[str]:
    """Every broken rule between the fields of ``sc``, as ``where: what`` messages."""
    problems: list[str] = []
    problems += _clock(sc)
    problems += _timeline(sc)
    problems += _room(sc)
    problems += _certificates(sc)
    for i, q in enumerate(sc.debrief.questions):
        if isinstance(q.answer, int) and q.choices and not 0 <= q.answer < len(q.choices):
            problems.append(
                f"debrief.questions[{i}].answer: choice {q.answer} does not exist; the answer "
                f"is the number of a choice, from 0 to {len(q.choices) - 1}"
            )
    return problems


def _clock(sc: Scenario) -> list[str]:
    ticks = math.ceil(sc.duration / sc.tick)
    window = f"a {_t(sc.duration)} window of {_t(sc.tick)} ticks"
    if sc.tick > MAX_SHORT_TICK_S and sc.duration <= LONG_WINDOW_S:
        return [
            f"tick: {window}: a tick longer than {_t(MAX_SHORT_TICK_S)} is only for a window "
            f"longer than {_t(LONG_WINDOW_S)} (a long incident); make the tick at most "
            f"{_t(MAX_SHORT_TICK_S)}"
        ]
    if ticks < MIN_TICKS:
        return [
            f"tick: {window} holds only {ticks} ticks; make the tick at most "
            f"{_t(sc.duration / MIN_TICKS)} (a window holds at least {MIN_TICKS} ticks)"
        ]
    if ticks > MAX_TICKS:
        return [
            f"tick: {window} holds {ticks:,} ticks; make the tick at least "
            f"{_t(math.ceil(sc.duration / MAX_TICKS))} or the window shorter (at most "
            f"{MAX_TICKS:,} ticks)"
        ]
    points = ticks * len(sc.components) * (len(sc.journeys) + 5)
    if points > MAX_POINTS:
        return [
            f"tick: {window} over {len(sc.components):,} components and "
            f"{len(sc.journeys)} journeys is too much history to simulate ({points:,} points, "
            f"at most {MAX_POINTS:,} = ticks x components x (journeys + 5)); use a longer tick "
            "or a shorter window"
        ]
    return []


def _timeline(sc: Scenario) -> list[str]:
    """Every time that happens lies inside the window; a fault ends after it starts."""
    end = sc.duration
    problems: list[str] = []

    def inside(where: str, t: float | None, what: str) -> None:
        if t is not None and t > end:
            problems.append(
                f"{where}: {_t(t)} is after the end of the {_t(end)} window; {what} must "
                "happen inside it (or make the duration longer)"
            )

    inside("page_at", sc.page_at, "the page")
    if sc.page_at is not None and sc.page_at < 0:
        problems.append(
            f"page_at: {_t(sc.page_at)} is before the window starts; page at 0 or later"
        )
    for i, f in enumerate(sc.faults):
        inside(f"faults[{i}].at", f.at, "a fault")
        if f.until is not None:
            if f.until <= f.at:
                problems.append(
                    f"faults[{i}].until: {_t(f.until)} is not after the fault starts "
                    f"({_t(f.at)}); leave it out for a fault that lasts"
                )
            else:
                inside(f"faults[{i}].until", f.until, "the end of a fault")
        if f.onset.shape == "periodic" and f.onset.period < 2 * sc.tick:
            problems.append(
                f"faults[{i}].onset.period: a period of {_t(f.onset.period)} is shorter than "
                f"two ticks ({_t(2 * sc.tick)}); it could not turn on and off"
            )
    for i, d in enumerate(sc.deploys):
        inside(f"deploys[{i}].at", d.at, "a deploy")
    for i, fl in enumerate(sc.flags):
        for j, ch in enumerate(fl.changes):
            inside(f"flags[{i}].changes[{j}].at", ch.at, "a flag change")
    for i, cfg in enumerate(sc.configs):
        inside(f"configs[{i}].at", cfg.at, "a config change")
    for i, journey in enumerate(sc.journeys):
        for k, spike in enumerate(journey.spikes):
            inside(f"journeys[{i}].spikes[{k}].at", spike.at, "a traffic spike")
    for i, step in enumerate(sc.truth.causal_chain):
        inside(f"truth.causal_chain[{i}].at", step.at, "a step of the causal chain")
    return problems


def _room(sc: Scenario) -> list[str]:
    """The player gets at least :data:`MIN_PLAY_S` between the page and the end."""
    problems: list[str] = []
    if sc.time_limit > sc.duration:
        problems.append(
            f"time_limit: {_t(sc.time_limit)} is longer than the {_t(sc.duration)} window; "
            "make it shorter or the duration longer"
        )
    latest = sc.duration - MIN_PLAY_S
    if sc.page_at is not None:
        if 0 <= sc.page_at <= sc.duration and sc.page_at > latest:
            problems.append(
                f"page_at: a page at {_t(sc.page_at)} leaves less than {_t(MIN_PLAY_S)} to play "
                f"before the window ends at {_t(sc.duration)}; page by {_t(latest)}"
            )
        return problems
    for i, f in enumerate(sc.faults):
        if f.at == sc.onset and latest < f.at <= sc.duration:
            problems.append(
                f"faults[{i}].at: the first fault starts at {_t(f.at)}, less than "
                f"{_t(MIN_PLAY_S)} before the window ends at {_t(sc.duration)}; start it by "
                f"{_t(latest)} (the player is paged after it)"
            )
    return problems


def _certificates(sc: Scenario) -> list[str]:
    """A ``cert-expired`` fault *is* the expiry of its target's certificate: a
    ``cert_expires_at`` on the same component must name the same moment (it then only says
    so twice), or the scenario would hold two expiries with two onsets."""
    problems: list[str] = []
    index = {c.name: j for j, c in enumerate(sc.components)}
    for i, f in enumerate(sc.faults):
        if f.kind != "cert-expired" or f.select is not None or f.target not in index:
            continue
        j = index[f.target]
        expires = sc.components[j].cert_expires_at
        if expires is not None and expires != f.at:
            problems.append(
                f"faults[{i}].at: the cert-expired fault on {f.target} starts at {_t(f.at)}, "
                f"but components[{j}].cert_expires_at says its certificate expires at "
                f"{_t(expires)}; the fault is that expiry: give both the same time "
                f"(at: {_t(expires)}), or leave cert_expires_at out"
            )
    return problems
