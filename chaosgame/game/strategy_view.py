"""What a scripted strategy player reads off the player view, and its hands on the game.

Everything here goes through :class:`~chaosgame.game.player.PlayerView` alone (the same
action dictionaries the terminal UI and the console send) and public catalogues: the change
history as the player sees it, the alerts firing, the service map, the page. Nothing reads the
scenario's hidden truth, the session or the simulation (``tests/game/test_strategies.py``
scans this module to prove it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chaosgame.scenario.actions import MITIGATIONS
from chaosgame.scenario.faults import FAULT_KINDS

if TYPE_CHECKING:
    from chaosgame.game.player import PlayerView

CHANGE_WINDOW_S = 86400.0
"""How far back the players read the change history (the console's ``changes``: 24 hours)."""

CHANGE_KINDS = {"deploy": "bad-deploy", "flag": "broken-flag", "config": "bad-config"}
"""The sorts of change an undo can take back, and the fault kind that names each."""

SEVERITY_ORDER = ("page", "critical", "ticket", "warning", "info")
"""Loudest first; an alert of another severity comes after these."""

ALERT_WORDS = (
    ("memory", "memory-leak"),
    ("restart", "oom-working-set"),
    ("crash", "oom-working-set"),
    ("throttl", "cpu-throttling"),
    ("cpu", "cpu-throttling"),
    ("replication", "replication-lag"),
    ("consumer", "queue-backlog"),
    ("disk", "disk-full"),
    ("connections", "pool-exhaustion"),
    ("hit", "cache-flush"),
    ("latency", "latency-regression"),
    ("replicas", "cluster-full"),
    ("capacity", "traffic-spike"),
    ("saturat", "traffic-spike"),
    ("error", "bad-deploy"),
    ("failing", "bad-deploy"),
)
"""The fault kind an alert's wording suggests: the first keyword found in its name and summary
(lower case) wins; an alert with none of them suggests ``bad-deploy``."""

GENERIC_WORDS = frozenset({"bad", "new", "no", "too", "a", "the", "of", "after", "fault"})
"""Words of kind names too common to name a kind on their own."""


class Hands:
    """A strategy's hands on one game: the player view, and the actions it refused."""

    def __init__(self, view: PlayerView) -> None:
        self.view = view
        self.skipped: list[str] = []
        """Each refused or failed action with the game's answer (the strategy went on)."""

    def act(self, action: Mapping[str, Any]) -> dict[str, Any] | None:
        """Carry out ``action``; its result, or None (noted in :attr:`skipped`) if refused."""
        if self.view.ended:
            if action.get("type") != "end":
                self.skipped.append(
                    f"{_describe(action)}: the game had ended ({self.view.end_reason})"
                )
            return None
        out = self.view.act(action)
        if not out.get("ok"):
            self.skipped.append(f"{_describe(action)}: {out.get('error', 'refused')}")
            return None
        result: dict[str, Any] = out.get("result") or {}
        return result

    def wait_for_actions(self, most: int = 40) -> None:
        """Skip ahead until every action under way has taken effect (``wait until next``)."""
        for _ in range(most):
            if self.view.ended or not self.view.observe().get("pending_mitigations"):
                return
            if self.act({"type": "wait", "until": "next"}) is None:
                return

    def declare(self, component: str | None, kind: str, confidence: float = 0.9) -> None:
        """Declare a root cause."""
        self.act(
            {"type": "declare", "component": component, "kind": kind, "confidence": confidence}
        )

    def end(self) -> None:
        """End the game (if it is still on)."""
        if not self.view.ended:
            self.act({"type": "end"})


def _describe(action: Mapping[str, Any]) -> str:
    shown = " ".join(f"{k}={v}" for k, v in action.items() if k != "type")
    return f"{action.get('type', '?')} {shown}".strip()


# ------------------------------------------------------------------------ changes
@dataclass(frozen=True)
class Change:
    """A deploy, flag change or config change as the change history shows it."""

    time: float
    kind: str
    """``deploy``, ``flag`` or ``config``."""
    components: tuple[str, ...]
    subject: str
    """The version deployed, the flag's name, or the config key."""
    message: str
    on: bool | None = None
    """For a flag: whether the change turned it on."""
    percentage: float = 100.0
    """For a flag turned on: the share of users."""

    @property
    def component(self) -> str:
        """The component the change was made to (a flag's first component)."""
        return self.components[0] if self.components else ""

    @property
    def fault_kind(self) -> str:
        """The fault kind that names this sort of change (``bad-deploy``, ``broken-flag``,
        ``bad-config``)."""
        return CHANGE_KINDS[self.kind]

    def undo(self, history: Sequence[Change] = ()) -> dict[str, Any]:
        """The mitigation that takes this change back: roll the service back, put the flag
        back as the history showed it before (else flip it), revert the config key."""
        if self.kind == "deploy":
            return {"type": "mitigate", "action": "rollback", "target": self.component}
        if self.kind == "config":
            return {
                "type": "mitigate",
                "action": "revert-config",
                "target": self.component,
                "key": self.subject,
            }
        before = [
            c
            for c in history
            if c.kind == "flag" and c.subject == self.subject and c.time < self.time
        ]
        act: dict[str, Any] = {"type": "mitigate", "action": "toggle-flag", "target": self.subject}
        if before:
            prev = before[-1]
            return {
                **act,
                "on": bool(prev.on),
                **({"percentage": prev.percentage} if prev.on else {}),
            }
        return {**act, "on": not self.on}


_FLAG = re.compile(r"^(?P<name>\S+) (?:on at (?P<pct>[0-9.]+)%|(?P<off>off)) by ")


def parse_change(event: Mapping[str, Any]) -> Change | None:
    """A change from one row of the change history; None for what is not a deploy, flag or
    config change somebody made (a stalled rollout, a job, an operator command)."""
    kind = str(event.get("kind", ""))
    message = str(event.get("message", ""))
    if kind not in CHANGE_KINDS or " by " not in message:
        return None
    components = tuple(c for c in str(event.get("component", "")).split(",") if c)
    time = float(event.get("time", 0.0))
    if kind == "deploy":
        return Change(time, kind, components, message.split(" ", 1)[0], message)
    if kind == "config":
        key = message.split("=", 1)[0] if "=" in message else ""
        return Change(time, kind, components, key, message) if key else None
    m = _FLAG.match(message)
    if m is None:
        return None
    on = m.group("off") is None
    pct = float(m.group("pct")) if on else 100.0
    return Change(time, kind, components, m.group("name"), message, on, pct)


def change_history(view: PlayerView, window: float = CHANGE_WINDOW_S) -> list[Change]:
    """The deploys, flag and config changes made before the page, oldest first, as the change
    history shows them (one ``deploys`` query over ``window`` seconds; it costs its time)."""
    out = view.act({"type": "query", "view": "deploys", "window": window})
    if not out.get("ok"):
        return []
    rows = out.get("result", {}).get("events", [])
    changes = [parse_change(row) for row in rows]
    return [c for c in changes if c is not None and c.time <= view.started_at]


def latest_change(view: PlayerView) -> Change | None:
    """The most recent deploy, flag or config change the player can see at the page (the
    last one listed when two share a time), or None. Starts the game if it is not started;
    reads the change history (a ``deploys`` query, which costs its time)."""
    try:
        view.observe()
    except RuntimeError:
        view.start()
    changes = change_history(view)
    return changes[-1] if changes else None


# ------------------------------------------------------------------------- alerts
@dataclass(frozen=True)
class Alerts:
    """The alerts that name a component, loudest first (an ``alerts`` query).

    Loudest: the highest severity (:data:`SEVERITY_ORDER`), then the one that fired first,
    then by name and component. Alert values are not compared: an error rate and a latency
    have no common scale, and the first to fire is the one that woke the on-call engineer.
    """

    firing: list[dict[str, Any]]
    """Firing now."""
    resolved: list[dict[str, Any]]
    """Fired and resolved within the last hour."""

    @property
    def loudest(self) -> dict[str, Any] | None:
        """The loudest alert firing, else the loudest resolved one, else None."""
        found = self.firing or self.resolved
        return found[0] if found else None


def read_alerts(hands: Hands) -> Alerts:
    """The alerts naming a component, firing and recently resolved (an ``alerts`` query)."""
    result = hands.act({"type": "query", "q": "alerts"}) or {}

    def loudness(r: Mapping[str, Any]) -> tuple[int, float, str, str]:
        sev = str(r.get("severity", ""))
        rank = SEVERITY_ORDER.index(sev) if sev in SEVERITY_ORDER else len(SEVERITY_ORDER)
        return rank, float(r.get("start") or 0.0), str(r.get("name")), alert_component(r)

    def named(key: str) -> list[dict[str, Any]]:
        rows = [dict(r) for r in result.get(key, []) if (r.get("labels") or {}).get("service")]
        return sorted(rows, key=loudness)

    return Alerts(named("firing"), named("resolved"))


def page_alert(briefing: Mapping[str, Any]) -> dict[str, Any] | None:
    """The page itself as an alert, when its first line names a component (the first one
    named there): what a player falls back on when the alert list names none."""
    lines = str(briefing.get("briefing", "")).strip().splitlines()
    words = _words(lines[0]) if lines else []
    found: list[tuple[int, int, str]] = []
    for name in briefing.get("components", []):
        parts = _words(str(name))
        n = len(parts)
        at = next((i for i in range(len(words) - n + 1) if words[i : i + n] == parts), None)
        if n and at is not None:
            found.append((at, -n, str(name)))
    if not found:
        return None
    return {
        "name": "page",
        "severity": "page",
        "summary": lines[0],
        "labels": {"service": min(found)[2]},
    }


def alert_component(alert: Mapping[str, Any]) -> str:
    """The component an alert names."""
    return str(alert["labels"]["service"])


def kind_from_alert(alert: Mapping[str, Any]) -> str:
    """The fault kind the alert's wording suggests (:data:`ALERT_WORDS`)."""
    text = f"{alert.get('name', '')} {alert.get('summary', '')}".lower()
    return next((kind for word, kind in ALERT_WORDS if word in text), "bad-deploy")


def service_map(hands: Hands) -> dict[str, dict[str, Any]]:
    """The service map's rows by component name (a ``map`` query), and its edges under
    ``"->"`` keys: ``{"web->catalog": {...}}``."""
    result = hands.act({"type": "query", "view": "map"})
    if result is None:
        return {}
    rows = {str(r["name"]): dict(r) for r in result.get("components", [])}
    for e in result.get("edges", []):
        rows[f"{e['from']}->{e['to']}"] = dict(e)
    return rows


def accepts(action: str, kind: str | None) -> bool:
    """Whether the catalogue's ``action`` takes a component of ``kind`` (unknown: yes)."""
    return kind is None or kind in MITIGATIONS[action].targets


# --------------------------------------------------------------------- the page's id
def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", text.lower()) if w]


def _same(a: str, b: str) -> bool:
    """A word of the id and a word of a kind name mean the same (``oomkilled`` and ``oom``)."""
    return a == b or (min(len(a), len(b)) >= 3 and (a.startswith(b) or b.startswith(a)))


@dataclass(frozen=True)
class Named:
    """What a scenario's id and title name, read as a player reads them."""

    kind: str | None = None
    component: str | None = None
    words: tuple[str, ...] = field(default=(), repr=False)


def named_in_page(briefing: Mapping[str, Any]) -> Named:
    """The fault kind and component the page's id and title name, if any.

    A kind is named when every word of its name appears (the longest such name wins);
    else the kind with the largest share of its words present, at least one of them not a
    generic word (:data:`GENERIC_WORDS`), first in the catalogue on a tie. A component is
    named when its name's words appear one after another; one the id names wins over one
    only the title names, then the one of most words, then the first in the page's list.
    """
    words = _words(f"{briefing.get('id', '')} {briefing.get('title', '')}")
    best: tuple[float, int, int] | None = None
    kind = None
    for order, name in enumerate(FAULT_KINDS):
        parts = _words(name)
        hits = [p for p in parts if any(_same(w, p) for w in words)]
        if not hits or all(p in GENERIC_WORDS for p in hits):
            continue
        rank = (len(hits) / len(parts), len(hits), -order)
        if best is None or rank > best:
            best, kind = rank, name
    id_words = _words(str(briefing.get("id", "")))
    component, ranked = None, (False, 0)
    for name in briefing.get("components", []):
        parts = _words(str(name))
        if _run_of(parts, words) and (_run_of(parts, id_words), len(parts)) > ranked:
            component, ranked = str(name), (_run_of(parts, id_words), len(parts))
    return Named(kind, component, tuple(words))


def _run_of(parts: list[str], words: list[str]) -> bool:
    """Whether ``parts`` appear one after another in ``words``."""
    n = len(parts)
    return n > 0 and any(words[i : i + n] == parts for i in range(len(words) - n + 1))
