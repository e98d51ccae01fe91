"""The scenario's written evidence in the engine's timeline, and the authors of fault changes.

Audit entries, job runs and notifications (``scenario.evidence``) become timeline events at
their time: history before the window when the game starts, the rest as the clock reaches
them. They change nothing else. A fault's ``change`` gives the events its kind records when it
introduces its change (a deploy, a config push, a migration) the scenario's author and text,
and adds the operator's command as an audit event. :class:`FaultActivity` records, tick by
tick, whether the faults that authored evidence waits for were acting, so that telemetry can
read it without running a fault.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from chaosgame.scenario.evidence import AuditEntry, Change, JobRun, Notification

if TYPE_CHECKING:
    from chaosgame.engine.sim import Event, Simulator
    from chaosgame.scenario.faults import FaultBase
    from chaosgame.scenario.model import Scenario

Entry = AuditEntry | JobRun | Notification
KIND = {AuditEntry: "audit", JobRun: "job", Notification: "notification"}


def entries(sc: Scenario) -> list[Entry]:
    """Every audit entry, job run and notification, in time order (stable)."""
    ev = sc.evidence
    rows: list[Entry] = [*ev.audit, *ev.jobs, *ev.notifications]
    return sorted(rows, key=lambda r: r.at)


def audit_message(
    author: str, command: str, asked: str = "", matched: str = "", outcome: str = "", how: str = ""
) -> str:
    """One line: who ran what, and what it asked, matched and did."""
    parts = [f"{author}{f' ({how})' if how else ''} ran: {command}"]
    parts += [f"{k}: {v}" for k, v in (("asked", asked), ("matched", matched), ("done", outcome))]
    return " | ".join(p for p in parts if not p.endswith(": "))


def _details(row: Entry) -> tuple[tuple[str, str], ...]:
    if isinstance(row, AuditEntry):
        pairs = [
            ("author", row.author),
            ("command", row.command),
            ("source", row.source),
            ("asked", row.asked),
            ("matched", row.matched),
            ("outcome", row.outcome),
            ("status", row.status),
        ]
    elif isinstance(row, JobRun):
        pairs = [
            ("author", row.author),
            ("job", row.name),
            ("schedule", row.schedule or ""),
            ("status", row.status),
            ("duration", f"{row.duration:g}s" if row.duration else ""),
        ]
    else:
        pairs = [
            ("author", row.sender),
            ("channel", row.channel),
            ("to", row.to),
            ("subject", row.subject),
            ("body", row.body),
            ("state", row.state),
        ]
    return tuple((k, v) for k, v in pairs if v)


def _message(row: Entry) -> str:
    if isinstance(row, AuditEntry):
        text = audit_message(
            row.author, row.command, row.asked, row.matched, row.outcome, row.source
        )
        return text if row.status == "ok" else f"{text} [{row.status}]"
    if isinstance(row, JobRun):
        took = f" after {_span(row.duration)}" if row.duration else ""
        sched = f" ({row.schedule})" if row.schedule else ""
        text = f"job {row.name}{sched} {row.status}{took}"
        return f"{text}: {row.message}" if row.message else text
    body = f": {row.body}" if row.body else ""
    return f"{row.channel} from {row.sender} to {row.to} [{row.state}]: {row.subject}{body}"


def _span(seconds: float) -> str:
    from chaosgame.scenario.units import format_duration

    return format_duration(seconds)


def event_of(row: Entry) -> Event:
    """The timeline event of an audit entry, job run or notification."""
    from chaosgame.engine.sim import Event

    author = row.sender if isinstance(row, Notification) else row.author
    return Event(
        row.at, KIND[type(row)], row.component or "-", _message(row), author, _details(row)
    )


def past(sc: Scenario) -> list[Event]:
    """The events of entries at or before the start of the window."""
    return [event_of(r) for r in entries(sc) if r.at <= 0]


def record_due(sim: Simulator) -> None:
    """Add the entries whose time has come to the timeline (called at the start of a tick)."""
    rows: list[Entry] | None = sim.memo.get("evidence/rows")
    if rows is None:
        rows = sim.memo["evidence/rows"] = [r for r in entries(sim.scenario) if r.at > 0]
    while rows and rows[0].at <= sim.now + 1e-9:
        sim.events.append(event_of(rows.pop(0)))


# ------------------------------------------------------------------ fault changes

Intro = Callable[["FaultBase", "Simulator", int], None]


def introduce(spec: FaultBase, sim: Simulator, i: int, intro: Intro | None) -> None:
    """Make the change a fault brings at its start, with the scenario's author and text."""
    change = spec.change
    if change is None:
        if intro is not None:
            intro(spec, sim, i)
        return
    first = len(sim.events)
    if intro is not None:
        intro(spec, sim, i)
    made = range(first, len(sim.events))
    for n in made:
        sim.events[n] = _authored(sim.events[n], change, n == first)
    if change.command is not None or not made:
        author = change.author or "operator"
        command = change.command or change.text or f"change on {sim.world.names[i]}"
        details = tuple(
            (k, v)
            for k, v in (
                ("author", author),
                ("command", command),
                ("matched", change.matched),
                ("outcome", change.outcome),
                ("status", "ok"),
            )
            if v
        )
        from chaosgame.engine.sim import Event

        msg = audit_message(author, command, "", change.matched, change.outcome)
        # the command comes before what it did
        where = change.component or sim.world.names[i]
        sim.events.insert(first, Event(sim.now, "audit", where, msg, author, details))


def _authored(ev: Event, change: Change, first: bool) -> Event:
    author = change.author or ev.actor
    message = ev.message
    if change.text is not None and first:
        message = change.text
    elif change.author is not None:
        message = re.sub(rf"\bby {re.escape(ev.actor)}$", f"by {author}", message)
    return dataclasses.replace(ev, actor=author, message=message)


# ------------------------------------------------------------------ names from the scenario

_STORE_SUFFIX = re.compile(r"[-_](db|database|pg|postgres|mysql|sql|primary|store|index|rds)$")


def table_of(sim: Simulator, i: int) -> str:
    """The table a change on database ``i`` touches: its ``table`` tag, or its name without
    the store suffix (``orders-db`` -> ``orders``, ``ledger-primary`` -> ``ledger``)."""
    comp = sim.scenario.components[i]
    tag = comp.tags.get("table")
    if tag:
        return tag
    name = comp.name
    while True:
        shorter = _STORE_SUFFIX.sub("", name)
        if shorter == name or not shorter:
            break
        name = shorter
    return name.replace("-", "_")


# ------------------------------------------------------------------ fault activity


class FaultActivity:
    """Per tick, whether each fault that authored evidence waits for, or that the scenario's
    ``harm`` says exposes data, was acting (its onset and condition held): the engine's
    record, read by telemetry and by scoring."""

    def __init__(self, sim: Simulator) -> None:
        sc = sim.scenario
        wanted = {
            (w.fault, w.target or item.component)
            for item in sc.evidence.logs
            if (w := item.when) is not None and w.fault is not None
        }
        exposing = [(e.fault, e.target) for e in sc.harm.exposures] if sc.harm else []
        self.watched = [
            n
            for n, f in enumerate(sim.faults)
            if (f.spec.kind, f.spec.target) in wanted
            or any(f.spec.kind == k and t in (None, f.spec.target) for k, t in exposing)
        ]
        """Positions (in ``sim.faults``) of the faults recorded."""
        self.ticks: dict[int, bytearray] = {n: bytearray() for n in self.watched}

    def record(self, sim: Simulator) -> None:
        """Note this tick's activity (after the faults wrote their effects)."""
        for n in self.watched:
            self.ticks[n].append(1 if sim.faults[n].strength(sim, sim.now) > 0 else 0)

    def acting(self, sim: Simulator, kind: str, target: str) -> list[bytearray]:
        """The records of the faults of ``kind`` on ``target``."""
        return [
            self.ticks[n]
            for n in self.watched
            if sim.faults[n].spec.kind == kind and sim.faults[n].spec.target == target
        ]
