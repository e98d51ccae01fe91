"""Events a game master adds to a game in progress: a teammate's message, a noisy deploy, a
second fault.

A classroom host sends an event to every game of a round at once; each game takes it at its
own clock, where its player is (:func:`apply`). The event is written to the game's journal
at that point, so replaying the journal gives back the same game. Before anything is applied,
:func:`check` reads the host's event against the round's scenario and says plainly what is
wrong with it.

What the player sees of an event is what they would see of the real thing: a message in the
event timeline, a deploy in the change history, and of a second fault only what it does.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter, ValidationError

from chaosgame.scenario.model import Deploy, FaultSpec, Scenario
from chaosgame.scenario.units import format_duration, parse_duration

if TYPE_CHECKING:
    from chaosgame.game.session import Session

__all__ = ["KINDS", "InjectionError", "apply", "check"]

KINDS = ("message", "deploy", "fault")
TEXT_MAX = 500
NAME_MAX = 40
VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,39}$")
NOT_DEPLOYED = ("external", "dns")
"""Component kinds nobody in the company deploys (a provider runs them)."""
FIELDS = {
    "message": ("text", "sender"),
    "deploy": ("component", "version", "author", "strategy", "duration", "note"),
    "fault": ("fault", "in"),
}
_FAULT = TypeAdapter(FaultSpec)


class InjectionError(ValueError):
    """An event the scenario cannot take; the message says what and where."""


def check(scenario: Scenario, event: Any) -> dict[str, Any]:
    """The host's ``event`` made plain and complete (defaults filled in), or
    :class:`InjectionError` saying what is wrong."""
    if not isinstance(event, dict):
        raise InjectionError("an event is an object with 'kind': " + ", ".join(KINDS))
    kind = event.get("kind")
    if kind not in KINDS:
        raise InjectionError(f"event kind {kind!r} is not one of: {', '.join(KINDS)}")
    extra = sorted(k for k in event if k != "kind" and k not in FIELDS[kind])
    if extra:
        raise InjectionError(
            f"a {kind} event takes {', '.join(FIELDS[kind])}; unknown field {extra[0]!r}"
        )
    if kind == "message":
        return {
            "kind": "message",
            "sender": _text(event.get("sender", "a teammate"), "sender", NAME_MAX),
            "text": _text(event.get("text"), "text", TEXT_MAX),
        }
    if kind == "deploy":
        return _check_deploy(scenario, event)
    return _check_fault(scenario, event)


def _text(value: Any, name: str, most: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InjectionError(f"{name} is text of 1 to {most} characters")
    text = " ".join(value.split())
    if len(text) > most:
        raise InjectionError(f"{name} is text of 1 to {most} characters; this has {len(text)}")
    return text


def _seconds(value: Any, name: str, most: float) -> float:
    try:
        seconds = float(parse_duration(value)) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise InjectionError(f"{name} is a duration such as 90s or 5m, not {value!r}") from None
    if isinstance(value, bool) or not 0 <= seconds <= most:
        raise InjectionError(f"{name} is from 0s to {format_duration(most)}")
    return seconds


def _check_deploy(scenario: Scenario, event: dict[str, Any]) -> dict[str, Any]:
    names = {c.name: c for c in scenario.components}
    component = event.get("component")
    if not isinstance(component, str) or component not in names:
        import difflib

        close = difflib.get_close_matches(str(component), list(names), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise InjectionError(f"deploy: no component {component!r} in this incident{hint}")
    if names[component].kind in NOT_DEPLOYED:
        raise InjectionError(f"deploy: {component} is run by a provider; nobody deploys it here")
    for f in scenario.faults:
        bound = f.when is not None and f.when.version is not None
        if (bound or getattr(f, "version", None)) and f.target == component:
            raise InjectionError(
                f"deploy: whether this incident's fault acts on {component} depends on its "
                "version, so a deploy there would change the incident; pick another component"
            )
    version = event.get("version")
    if version is not None and (not isinstance(version, str) or not VERSION.match(version)):
        raise InjectionError(
            "deploy: version is 1 to 40 letters, digits and . _ + - (such as v2.4.1)"
        )
    out = {
        "kind": "deploy",
        "component": component,
        "version": version,
        "author": _text(event.get("author", "deploy-bot"), "author", NAME_MAX),
        "strategy": event.get("strategy", "rolling"),
        "duration": _seconds(event.get("duration", 300.0), "duration", 3600.0),
        "note": _text(event["note"], "note", TEXT_MAX) if event.get("note") else "",
    }
    try:
        _deploy(out, 0.0, "v0")
    except ValidationError as exc:
        raise InjectionError(f"deploy: {_first(exc)}") from None
    return out


def _check_fault(scenario: Scenario, event: dict[str, Any]) -> dict[str, Any]:
    fault = event.get("fault")
    if not isinstance(fault, dict) or not isinstance(fault.get("kind"), str):
        raise InjectionError(
            "fault: give the fault as in a scenario file, such as "
            '{"kind": "latency-regression", "target": "search", "factor": 4}'
        )
    if "at" in fault:
        raise InjectionError("fault: leave out 'at'; 'in' says how long after it reaches a game")
    delay = _seconds(event.get("in", 0.0), "in", scenario.time_limit)
    data = json.loads(scenario.model_dump_json())
    data["faults"].append(fault)
    try:
        Scenario.model_validate(data)
    except ValidationError as exc:
        from chaosgame.scenario.errors import translate

        number = len(scenario.faults)
        found = translate(exc, data, {}, "fault")
        mine = [p for p in found if f"faults[{number}]" in p.message] or found
        here = f"faults[{number}]"
        text = mine[0].message.replace(f"{here}.", "fault.").replace(here, "fault")
        raise InjectionError(text if text.startswith("fault") else f"fault: {text}") from None
    return {"kind": "fault", "fault": fault, "in": delay}


def _deploy(event: dict[str, Any], at: float, version: str) -> Deploy:
    return Deploy.model_validate(
        {
            "at": at,
            "component": event["component"],
            "version": event.get("version") or version,
            "strategy": event["strategy"],
            "duration": event["duration"],
            "author": event["author"],
            "note": event["note"],
        }
    )


def _first(exc: ValidationError) -> str:
    err = exc.errors(include_url=False)[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}" if where else str(err["msg"])


def _bumped(version: str) -> str:
    """The next patch version after ``version`` (``v2.4.1`` -> ``v2.4.2``)."""
    m = re.match(r"^(.*?)(\d+)$", version)
    if m is None:
        return f"{version}.1"
    return f"{m.group(1)}{int(m.group(2)) + 1}"


def apply(session: Session, event: dict[str, Any]) -> dict[str, Any]:
    """Add a checked ``event`` to ``session`` at its clock; what happened, as plain data (for
    the session's own record, never shown to the player as such)."""
    sim = session.sim
    if sim is None:
        raise RuntimeError("the game has not started")
    now = session.now
    kind = event["kind"]
    done: dict[str, Any] = {"kind": kind, "at": now}
    if kind == "message":
        sim.record("message", "", event["text"], actor=event["sender"], at=now)
        done.update(sender=event["sender"], text=event["text"])
    elif kind == "deploy":
        i = sim.world.index[event["component"]]
        v = sim.state.versions[i]
        current = v.rollout.to if v.rollout is not None else v.stable
        deploy = _deploy(event, now, _bumped(current))
        sim.add_deploy(deploy)
        done.update(component=deploy.component, version=deploy.version)
    else:
        fault = _FAULT.validate_python({**event["fault"], "at": now + float(event["in"])})
        sim.add_fault(fault)
        done.update(fault=fault.kind, target=fault.target, starts=now + float(event["in"]))
    session.scenario = sim.scenario
    session.injected.append(done)
    return done
