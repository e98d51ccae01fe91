"""Other teams, customers, pipelines and the status page, in the simulation.

* A **request** reaches the party after the action's own delay; the party then starts after
  its pace (``delay`` plus a jitter drawn from the stream ``parties/PARTY/ACTION``) and its
  effect either lands at once (a mitigation on a component it owns) or grows with adoption
  (a change of its clients' traffic or retries, up to ``share`` over ``adoption``).
* A **pipeline** carries out the history's changes it owns (a rollout in waves, config
  changes) and, with ``every``, runs again and again: each run re-applies the config it
  enforces when it drifted, a player's revert included. Once paused, the changes it owns are
  held when they fall due, its rollouts in progress freeze and it never runs again: the
  history does not override the player.
* **Status updates** and **pages** are recorded (the score reads the updates' times).

Everything shows in the event timeline. The state lives in ``sim.memo["parties"]``; a scenario
without parties, pipelines or a status page never creates it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chaosgame.engine.config import set_config
from chaosgame.engine.mitigations import APPLY, MitigationError, applies
from chaosgame.engine.state import Modifiers
from chaosgame.scenario.actions import MITIGATIONS, MitigationBase
from chaosgame.scenario.party_actions import PageTeam, PausePipeline, PostStatus, Request
from chaosgame.scenario.units import format_duration

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator
    from chaosgame.scenario.parties import Party, PartyAction, Pipeline

KEY = "parties"


@dataclass
class Desk:
    """What parties, pipelines and the status page have done so far."""

    owner: dict[str, int] = field(default_factory=dict)
    """``deploy:I`` / ``config:I`` -> index of the pipeline that carries the change out."""
    paused: dict[int, float] = field(default_factory=dict)
    """Pipeline index -> when the player paused it."""
    runs: dict[int, int] = field(default_factory=dict)
    last_run: dict[int, float] = field(default_factory=dict)
    next_run: dict[int, float] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    posts: list[dict[str, Any]] = field(default_factory=list)
    pages: list[dict[str, Any]] = field(default_factory=list)


def desk(sim: Simulator) -> Desk:
    """The simulation's desk (made on first use)."""
    found = sim.memo.get(KEY)
    if found is None:
        found = sim.memo[KEY] = Desk()
    assert isinstance(found, Desk)
    return found


def in_use(sim: Simulator) -> bool:
    """Whether the scenario has parties, pipelines or a status page at all."""
    sc = sim.scenario
    return bool(sc.parties or sc.pipelines or sc.comms is not None)


# ------------------------------------------------------------------ pipelines
def schedule(sim: Simulator) -> None:
    """Mark the changes pipelines own and queue every pipeline's first run."""
    sc = sim.scenario
    if not sc.pipelines:
        return
    d = desk(sim)
    deploy_ids = {dep.id: i for i, dep in enumerate(sc.deploys) if dep.id}
    config_ids = {cfg.id: i for i, cfg in enumerate(sc.configs) if cfg.id}
    for pi, pipe in enumerate(sc.pipelines):
        times: list[float] = []
        for cid in pipe.changes:
            if cid in deploy_ids:
                d.owner[f"deploy:{deploy_ids[cid]}"] = pi
                times.append(sc.deploys[deploy_ids[cid]].at)
            elif cid in config_ids:
                d.owner[f"config:{config_ids[cid]}"] = pi
                times.append(sc.configs[config_ids[cid]].at)
        sim.record("pipeline", _touches(sim, pipe), _describe(pipe), pipe.name, at=0.0)
        if pipe.every is None:
            continue
        first = pipe.start if pipe.start is not None else min(times, default=0.0) + pipe.every
        if first <= 0:
            first += math.ceil((sim.dt - first) / pipe.every) * pipe.every
        d.next_run[pi] = first
        sim.state.schedule(first, pi, "pipeline:run")


def _touches(sim: Simulator, pipe: Pipeline) -> str:
    sc = sim.scenario
    names: list[str] = []
    changed = [(d.id, d.component) for d in sc.deploys] + [(c.id, c.component) for c in sc.configs]
    for cid in pipe.changes:
        for ident, component in changed:
            if ident == cid and component not in names:
                names.append(component)
    for cfg in pipe.enforces:
        if cfg.component not in names:
            names.append(cfg.component)
    return ",".join(names)


def _describe(pipe: Pipeline) -> str:
    """The pipeline as the changes view shows it: the author's description, else what it does."""
    what = [pipe.description] if pipe.description else []
    if not what and pipe.changes:
        what.append(f"carries out {', '.join(pipe.changes)}")
    if not what:
        what += [f"enforces {c.key}={c.value} on {c.component}" for c in pipe.enforces]
    every = f"; runs every {format_duration(pipe.every)}" if pipe.every else ""
    return f"pipeline {pipe.name}: {'; '.join(what)}{every}"


def held(sim: Simulator, head: str, arg: str) -> bool:
    """Whether a change of the history falling due now is held by a paused pipeline."""
    if head not in ("deploy", "config"):
        return False
    d = sim.memo.get(KEY)
    if not isinstance(d, Desk) or not d.paused:
        return False
    pi = d.owner.get(f"{head}:{arg}")
    if pi is None or pi not in d.paused:
        return False
    sc = sim.scenario
    pipe = sc.pipelines[pi]
    if head == "deploy":
        dep = sc.deploys[int(arg)]
        what, where = f"deploy of {dep.version}", dep.component
    else:
        cfg = sc.configs[int(arg)]
        what, where = f"{cfg.key}={cfg.value}", cfg.component
    sim.record("pipeline", where, f"{what} held: pipeline {pipe.name} is paused", pipe.name)
    return True


def _run(sim: Simulator, pi: int) -> None:
    d = desk(sim)
    pipe = sim.scenario.pipelines[pi]
    d.next_run.pop(pi, None)
    if pi in d.paused or pipe.every is None:
        return
    d.runs[pi] = d.runs.get(pi, 0) + 1
    d.last_run[pi] = sim.now
    st = sim.state
    for ci, key, value in _desired(sim, pi):
        if st.config.get((ci, key)) != value:
            set_config(sim, ci, key, value, pipe.name)
    d.next_run[pi] = sim.now + pipe.every
    st.schedule(sim.now + pipe.every, pi, "pipeline:run")


def _desired(sim: Simulator, pi: int) -> list[tuple[int, str, str]]:
    """The config pipeline ``pi`` applies on a run now: what it enforces, and the latest value
    of every key among its config changes already carried out."""
    sc, w = sim.scenario, sim.world
    pipe = sc.pipelines[pi]
    out: dict[tuple[int, str], str] = {}
    ids = set(pipe.changes)
    for cfg in sorted((c for c in sc.configs if c.id in ids), key=lambda c: c.at):
        if cfg.at <= sim.now:
            out[(w.index[cfg.component], cfg.key)] = cfg.value
    for e in pipe.enforces:
        out[(w.index[e.component], e.key)] = e.value
    return [(ci, key, value) for (ci, key), value in out.items()]


@applies(PausePipeline)
def _pause(spec: PausePipeline, sim: Simulator) -> str:
    d = desk(sim)
    sc = sim.scenario
    pi = next(i for i, p in enumerate(sc.pipelines) if p.name == spec.target)
    if pi in d.paused:
        return "already paused"
    d.paused[pi] = sim.now
    d.next_run.pop(pi, None)
    frozen = []
    ahead = 0
    for key, owner in d.owner.items():
        if owner != pi:
            continue
        head, _, arg = key.partition(":")
        at = (sc.deploys if head == "deploy" else sc.configs)[int(arg)].at
        if at > sim.now:
            ahead += 1
        if head == "deploy":
            dep = sc.deploys[int(arg)]
            v = sim.state.versions[sim.world.index[dep.component]]
            r = v.rollout
            if r is not None and r.to == dep.version and not r.paused:
                r.hold, r.paused = v.weight(sim.now), True
                frozen.append(f"{dep.component} at {r.hold:.0%} of {dep.version}")
    parts = ["no more runs"]
    if ahead:
        parts.append(f"{ahead} later change{'s' if ahead > 1 else ''} held")
    if frozen:
        parts.append(f"rollout frozen: {', '.join(frozen)}")
    message = "paused: " + "; ".join(parts)
    pipe = sc.pipelines[pi]
    sim.record("pipeline", _touches(sim, pipe), f"pipeline {pipe.name} {message}", "player")
    return message


# ------------------------------------------------------------------ parties
def _party(sim: Simulator, name: str) -> tuple[int, Party]:
    for i, p in enumerate(sim.scenario.parties):
        if p.name == name:
            return i, p
    raise KeyError(name)


def check_target(sim: Simulator, spec: MitigationBase) -> None:
    """Refuse, with a sentence, what a party, pipeline or status page cannot take."""
    sc = sim.scenario
    kind = MITIGATIONS[spec.action].targets[0]
    if kind == "journey":
        if sc.comms is None or not sc.comms.status_page:
            raise MitigationError(f"{spec.action}: this incident has no public status page")
        journeys = [j.name for j in sc.journeys]
        if spec.target not in journeys:
            raise MitigationError(
                f"{spec.action}: the status page lists {', '.join(journeys)}, not '{spec.target}'"
            )
        return
    if kind == "pipeline":
        names = [p.name for p in sc.pipelines]
        if not names:
            raise MitigationError(f"{spec.action}: no pipeline runs in this incident")
        if spec.target not in names:
            raise MitigationError(
                f"{spec.action}: no pipeline called '{spec.target}' (pipelines: {', '.join(names)})"
            )
        return
    names = [p.name for p in sc.parties]
    if not names:
        raise MitigationError(f"{spec.action}: no other team or customer takes part here")
    if spec.target not in names:
        raise MitigationError(
            f"{spec.action}: nobody called '{spec.target}' (you can reach: {', '.join(names)})"
        )
    _, party = _party(sim, spec.target)
    if isinstance(spec, PageTeam) and party.kind != "team":
        raise MitigationError(
            f"page-team: {party.name} is a customer, not a team on call; reach customers "
            "through the status page (post-status) or ask them to act (request)"
        )
    if isinstance(spec, Request):
        _check_ask(sim, party, spec.ask)


def check_owner(sim: Simulator, spec: MitigationBase) -> None:
    """Refuse the player's own mitigation on a component another party owns."""
    for party in sim.scenario.parties:
        if spec.target in party.owns:
            can = ", ".join(a.name for a in party.actions) or "nothing on request"
            raise MitigationError(
                f"{spec.action}: {spec.target} belongs to {party.name}, not to you; ask them "
                f"with request (they can: {can})"
            )


def _check_ask(sim: Simulator, party: Party, ask: str) -> None:
    for r in party.refuses:
        if r.ask == ask:
            raise MitigationError(f"{party.name} will not {ask}: {r.why}")
    known = {a.name: a for a in party.actions}
    if ask not in known:
        can = "; ".join(f"{a.name} ({a.summary})" if a.summary else a.name for a in known.values())
        raise MitigationError(
            f"{party.name} cannot {ask}; what they can do: {can or 'nothing on request'}"
        )
    asked = [p for p in sim.pending if isinstance(p.spec, Request) and p.spec.target == party.name]
    if any(p.spec.ask == ask for p in asked if isinstance(p.spec, Request)):
        raise MitigationError(f"{party.name} has already been asked to {ask}")


@applies(Request)
def _request(spec: Request, sim: Simulator) -> str:
    pi, party = _party(sim, spec.target)
    ai, act = next((i, a) for i, a in enumerate(party.actions) if a.name == spec.ask)
    pace = act.pace
    jitter = 0.0
    if pace.jitter > 0:
        jitter = sim.streams.get(f"parties/{party.name}/{act.name}").random() * pace.jitter
    start = sim.now + pace.delay + jitter
    desk(sim).requests.append(
        {
            "party": party.name,
            "ask": act.name,
            "asked_at": sim.now,
            "expected_at": sim.now + pace.delay,
            "state": "agreed",
        }
    )
    sim.state.schedule(start, pi, "party:start", float(ai))
    return (
        f"{party.name} agreed to {act.name}; they expect to start in about "
        f"{format_duration(pace.delay)}"
    )


def _entry(sim: Simulator, party: str, ask: str) -> dict[str, Any]:
    return next(r for r in desk(sim).requests if r["party"] == party and r["ask"] == ask)


def _start(sim: Simulator, pi: int, ai: int) -> None:
    party = sim.scenario.parties[pi]
    act = party.actions[ai]
    entry = _entry(sim, party.name, act.name)
    entry["started_at"] = sim.now
    if act.mitigation is not None:
        message = APPLY[act.mitigation.action](act.mitigation, sim)
        entry["state"] = "done"
        sim.record(
            "party", act.mitigation.target, f"{party.name}: {act.name}: {message}", party.name
        )
        return
    start, pace = sim.now, act.pace

    def adopted(now: float) -> float:
        if pace.adoption <= 0:
            return pace.share
        return pace.share * min(max((now - start) / pace.adoption, 0.0), 1.0)

    where = _effect(sim, act, adopted)
    sim.standing[("party", f"{party.name}/{act.name}")] = where[1]
    if pace.adoption > 0:
        entry["state"] = "adopting"
        sim.state.schedule(start + pace.adoption, pi, "party:adopted", float(ai))
        grows = f"adoption grows to {pace.share:.0%} over {format_duration(pace.adoption)}"
    else:
        entry["state"] = "done"
        grows = f"{pace.share:.0%} adopted"
    sim.record("party", where[0], f"{party.name}: {act.name} started; {grows}", party.name)
    if pace.adoption <= 0:
        _settle(sim, party, act)


def _effect(sim: Simulator, act: PartyAction, adopted: Any) -> tuple[str, Any]:
    """Where a gradual effect acts, and the standing effect that writes it every tick."""
    w = sim.world
    if act.traffic is not None:
        ji = w.journeys.index(act.traffic.journey)
        factor = act.traffic.factor

        def traffic(sim: Simulator, m: Modifiers) -> None:
            m.rate_factor[ji] *= 1.0 - adopted(sim.now) * (1.0 - factor)

        return act.traffic.journey, traffic
    assert act.retries is not None
    r = act.retries
    e = w.edge_index[(r.source, r.to)]
    count = float(r.count)

    def retries(sim: Simulator, m: Modifiers) -> None:
        a = adopted(sim.now)
        m.edge_retries[e] = (1.0 - a) * m.edge_retries[e] + a * count

    return r.source, retries


def _adopted(sim: Simulator, pi: int, ai: int) -> None:
    party = sim.scenario.parties[pi]
    act = party.actions[ai]
    _entry(sim, party.name, act.name)["state"] = "done"
    sim.record(
        "party",
        party.name,
        f"{party.name}: {act.name} reached {act.pace.share:.0%} adoption",
        party.name,
    )
    _settle(sim, party, act)


def _settle(sim: Simulator, party: Party, act: PartyAction) -> None:
    """A retry change the whole fleet adopted becomes their configuration."""
    r = act.retries
    if r is not None and act.pace.share >= 1.0:
        sim.standing.pop(("party", f"{party.name}/{act.name}"), None)
        i = sim.world.index[r.source]
        set_config(sim, i, f"retries:{r.to}", str(r.count), party.name)


@applies(PageTeam)
def _page(spec: PageTeam, sim: Simulator) -> str:
    pi, party = _party(sim, spec.target)
    desk(sim).pages.append({"team": party.name, "at": sim.now, "message": spec.message})
    sim.state.schedule(sim.now + party.answers_page, pi, "party:ack")
    said = f": {spec.message}" if spec.message else ""
    return f"paged {party.name}{said}"


@applies(PostStatus)
def _post(spec: PostStatus, sim: Simulator) -> str:
    desk(sim).posts.append(
        {"time": sim.now, "journey": spec.target, "state": spec.state, "message": spec.message}
    )
    said = f": {spec.message}" if spec.message else ""
    sim.record("status", spec.target, f"status page: {spec.target} {spec.state}{said}", "player")
    return f"status page updated ({spec.state})"


# ------------------------------------------------------------------ timers
def due(sim: Simulator, head: str, index: int, arg: str, amount: float) -> None:
    """Carry out a timed change of this module (``pipeline:...`` or ``party:...``)."""
    if head == "pipeline":
        _run(sim, index)
    elif arg == "start":
        _start(sim, index, int(amount))
    elif arg == "adopted":
        _adopted(sim, index, int(amount))
    elif arg == "ack":
        name = sim.scenario.parties[index].name
        sim.record("party", name, f"{name} acknowledged the page and joined", name)


def observed(sim: Simulator) -> dict[str, Any]:
    """What the player sees of parties, pipelines and the status page (plain data)."""
    if not in_use(sim):
        return {}
    d = desk(sim)
    sc = sim.scenario
    out: dict[str, Any] = {}
    if sc.parties:
        out["requests"] = [dict(r) for r in d.requests]
    if sc.pipelines:
        out["pipelines"] = [
            {
                "name": p.name,
                "state": "paused" if i in d.paused else "running",
                "every_s": p.every,
                "runs": d.runs.get(i, 0),
                "last_run": d.last_run.get(i),
                "next_run": d.next_run.get(i),
            }
            for i, p in enumerate(sc.pipelines)
        ]
    if sc.comms is not None and sc.comms.status_page:
        out["status_page"] = {"posts": [dict(p) for p in d.posts]}
    return out
