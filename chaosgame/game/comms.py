"""Communication: the status page the player sees, and the score's communication part.

A scenario with ``comms`` says its customers were in the dark unless someone told them: the
first status update is due ``first_update`` after the page, then one every ``cadence`` for as
long as users are hurt (until the player's run recovers for good, or the time limit). Every
second past a due time is *dark time*; a whole ``cadence`` of it costs the whole part. The
part is worth :data:`WEIGHT` points and the other parts make room for it (each is scaled by
``(100 - WEIGHT) / 100``). A scenario without ``comms`` scores exactly as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chaosgame.engine.parties import observed
from chaosgame.game import details
from chaosgame.scenario.units import format_duration

if TYPE_CHECKING:
    from chaosgame.game.impact import Population, Recovery
    from chaosgame.game.scoring import Part
    from chaosgame.game.session import Session
    from chaosgame.scenario.model import Scenario

WEIGHT = 10.0
"""Points of the communication part, in scenarios whose customers were in the dark."""


def scored(sc: Scenario) -> bool:
    """Whether the scenario scores status-page communication."""
    return sc.comms is not None and sc.comms.status_page


def weights(sc: Scenario, base: dict[str, float]) -> dict[str, float]:
    """The weights of the other parts: ``base`` itself, or scaled to make room for this one."""
    if not scored(sc):
        return base
    share = (100.0 - WEIGHT) / 100.0
    return {k: v * share for k, v in base.items()}


def observation(session: Session) -> dict[str, Any]:
    """What the player sees of parties, pipelines and the status page, with when the next
    status update is due (nothing at all for a scenario without them)."""
    sim = session.sim
    if sim is None:
        return {}
    out = observed(sim)
    page = out.get("status_page")
    sc = session.scenario
    if page is not None and sc.comms is not None:
        posts = page["posts"]
        last = posts[-1]["time"] if posts else None
        page["last_update"] = last
        page["next_due"] = (
            session.start_time + sc.comms.first_update if last is None else last + sc.comms.cadence
        )
        page["cadence_s"] = sc.comms.cadence
    return out


def cadence(
    posts: list[float], page: float, until: float, first: float, every: float
) -> tuple[float, tuple[float, float] | None]:
    """Dark seconds and the worst silence ``(from, to)`` for updates at ``posts`` between the
    page and ``until`` (the first due ``first`` after the page, then ``every`` after each)."""
    dark = 0.0
    worst: tuple[float, float] | None = None
    worst_late = 0.0
    due, since = page + first, page
    for t in sorted(p for p in posts if p < until):
        late = max(t - due, 0.0)
        if late > worst_late:
            worst_late, worst = late, (since, t)
        dark += late
        due, since = t + every, t
    late = max(until - due, 0.0)
    if late > worst_late:
        worst = (since, until)
    dark += late
    return dark, worst


def part(
    session: Session, pops: list[Population], recovery: Recovery, page_tick: int, dt: float
) -> Part | None:
    """The communication part of a game's score, or None for a scenario that does not score
    it."""
    from chaosgame.game.scoring import Part

    sc = session.scenario
    if not scored(sc) or sc.comms is None or session.sim is None:
        return None
    page = session.start_time
    until = session.deadline
    if recovery.held and recovery.at_tick is not None:
        until = min(until, recovery.at_tick * dt)
    until = max(until, page)
    posts = [
        float(p["time"]) for p in observed(session.sim).get("status_page", {}).get("posts", [])
    ]
    posts = [t for t in posts if t <= session.now + 1e-9]
    dark, worst = cadence(posts, page, until, sc.comms.first_update, sc.comms.cadence)
    fraction = min(max(1.0 - dark / sc.comms.cadence, 0.0), 1.0)
    got = round(WEIGHT * fraction, 2)
    on_time = [t for t in posts if t < until]
    if until - page < sc.comms.first_update - 1e-9:
        facts = "users were hurt for less than the first update's allowance; none was due"
    elif on_time:
        facts = (
            f"{len(on_time)} status update{'s' if len(on_time) != 1 else ''} while users were "
            f"hurt (first due {format_duration(sc.comms.first_update)} after the page, then "
            f"every {format_duration(sc.comms.cadence)})"
        )
    else:
        facts = "no status update while users were hurt"
    causes = []
    if worst is not None and dark > 0:
        causes.append(
            f"no update for {format_duration(worst[1] - worst[0])} while "
            f"{_failing(pops, worst, page_tick, dt)} failed"
        )
    detail = details.with_losses(facts, got, WEIGHT, causes)
    data = {
        "posts": on_time,
        "hurt_from": page,
        "hurt_until": until,
        "dark_s": round(dark, 3),
        "worst_gap": list(worst) if worst else None,
        "fraction": round(fraction, 6),
        "first_update_s": sc.comms.first_update,
        "cadence_s": sc.comms.cadence,
    }
    return Part("communication", "Communication", got, WEIGHT, detail, data)


def _failing(pops: list[Population], gap: tuple[float, float], page_tick: int, dt: float) -> str:
    """The SLO that burned the most budget during a silence (``users`` if none did)."""
    lo = max(int(gap[0] // dt), page_tick)
    hi = max(int(-(-gap[1] // dt)), lo + 1)
    best, label = 0.0, "users"
    for p in pops:
        if p.tenant is not None:
            continue
        value = p.burned(lo, hi)
        if value > best + 1e-12:
            best, label = value, p.slo
    return label
