"""The two comparison runs every score is measured against, computed once and kept.

Scoring a game compares it with the *reference* run (the scenario's reference solution at the
page) and the *doing nothing* run of the same scenario and seed (``docs/scoring.md``). Each is
a full simulation, so they are kept, as the plain data scoring and the debrief read of them
(:class:`RunSummary`: the SLO populations, the reference's actions, how strongly the root
cause still acts at the end):

* in memory, for this process: the :data:`MEMORY_SIZE` most recently used, keyed by
  :func:`key` (a SHA-256 of the scenario's model dump, the seed and the settling time: the
  same content gives the same key whatever object holds it);
* in the run records (``chaosgame.game.records``: the ``baselines`` table, keyed the same way
  and by chaosgame version, since another engine would run them differently), written when a
  game is finished with a store and read back before anything is recomputed.

A cached comparison gives a score identical, bit for bit, to a recomputed one: the arrays are
stored as their exact float64 bytes and every number as its exact ``repr``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from chaosgame import __version__
from chaosgame.engine.world import F64
from chaosgame.game import harm, impact
from chaosgame.scenario.units import clock as clock_text

if TYPE_CHECKING:
    from chaosgame.game.session import Session
    from chaosgame.scenario.model import Scenario

FORMAT = 1
"""Version of the stored form (a different one is recomputed, never misread)."""
MEMORY_SIZE = 16
"""Comparisons kept in memory per process (the least recently used goes first)."""

Key = tuple[str, int, float]
"""(SHA-256 of the scenario's model dump, seed, settling seconds)."""


class BaselineStore(Protocol):
    """Where comparisons are kept between processes (the run records implement it)."""

    problems: list[str]

    def load_baseline(self, key: Key, version: str) -> str | None: ...

    def save_baseline(self, key: Key, version: str, data: str) -> None: ...


@dataclass(frozen=True)
class RunSummary:
    """What scoring and the debrief read of one comparison run (no simulator inside)."""

    scenario: Scenario = field(repr=False)
    start_time: float
    """When the run was paged (simulated seconds)."""
    actions: list[dict[str, Any]]
    """Its recorded actions, as ``Session.actions``."""
    pops: list[impact.Population] = field(repr=False)
    """Its SLO populations up to the comparison horizon (``impact.populations``)."""
    root_strength: float
    """How strongly the root-cause fault acts at the end of the settled run."""
    harm: dict[str, F64] | None = field(default=None, repr=False)
    """Its per-tick harm beyond availability (``harm.series``; None without ``harm``)."""

    def clock(self, t: float) -> str:
        """Wall-clock ``HH:MM:SS`` of simulated second ``t``."""
        return clock_text(self.scenario.clock_start, t)


@dataclass(frozen=True)
class Comparison:
    """The reference run and the doing-nothing run of one scenario and seed."""

    reference: RunSummary
    nothing: RunSummary
    errors: list[str]
    """Reference actions the session refused (a scenario mistake ``check`` reports)."""


def key(scenario: Scenario, seed: int, settle: float) -> Key:
    """The cache key: the scenario's content (not the object), the seed and the settling."""
    digest = hashlib.sha256(scenario.model_dump_json().encode()).hexdigest()
    return digest, int(seed), float(settle)


def root_fault_strength(session: Session) -> float:
    """How strongly the root-cause fault still acts at the end of the (settled) run."""
    sim = session.sim
    if sim is None:
        return 0.0
    rc = session.scenario.truth.root_cause
    strength = 0.0
    from chaosgame.engine.fleet import root_fleet

    fleet = root_fleet(session.scenario, session.seed) | {rc.component}
    for fault in sim.faults:
        if fault.spec.kind == rc.kind and fault.spec.target in fleet:
            strength = max(strength, fault.strength(sim, sim.now))
    return strength


def summarise(session: Session) -> RunSummary:
    """A finished, settled comparison run as plain data."""
    assert session.sim is not None
    return RunSummary(
        session.scenario,
        session.start_time,
        json.loads(json.dumps(session.actions)),
        impact.populations(session.sim),
        root_fault_strength(session),
        harm.series(session.sim),
    )


# ------------------------------------------------------------------------ the caches
_MEMORY: OrderedDict[Key, Comparison] = OrderedDict()
_STORES: weakref.WeakKeyDictionary[Session, BaselineStore] = weakref.WeakKeyDictionary()


def clear_memory() -> None:
    """Forget every comparison kept in this process (and the scripted players' runs)."""
    from chaosgame.game import players

    _MEMORY.clear()
    players._CACHE.clear()


def remember(session: Session, store: BaselineStore) -> None:
    """Read and keep ``session``'s comparison runs in ``store`` when it is scored."""
    _STORES[session] = store


def store_for(session: Session) -> BaselineStore | None:
    """The store :func:`remember` gave ``session``, if any."""
    return _STORES.get(session)


def cached(scenario: Scenario, seed: int, settle: float) -> Comparison | None:
    """The comparison kept in memory for this scenario content and seed, if any."""
    return _MEMORY.get(key(scenario, seed, settle))


def comparison(
    scenario: Scenario, seed: int, settle: float, store: BaselineStore | None = None
) -> Comparison:
    """The comparison runs of ``scenario`` and ``seed``: from memory, else from ``store``,
    else simulated (and then kept in both)."""
    from chaosgame.game.paged import once

    k = key(scenario, seed, settle)
    with once(("comparison", k)):  # games ending at once in threads: simulated by the first
        found = _MEMORY.get(k)
        if found is not None:
            _MEMORY.move_to_end(k)
            return found
        if store is not None:
            found = load(store, k, scenario)
        if found is None:
            found = compute(scenario, seed, settle)
            if store is not None:
                save(store, k, found)
        _keep(k, found)
        return found


def offer(
    scenario: Scenario,
    seed: int,
    settle: float,
    reference: Session,
    nothing: Session,
    errors: list[str],
) -> bool:
    """Keep comparison runs a caller has already simulated (``chaosgame check`` plays both),
    so scoring reads them instead of simulating them again. They must be the runs
    :func:`compute` would make: the reference and idle players of ``scenario`` and ``seed``,
    each settled to the doing-nothing run's time limit plus ``settle`` and not beyond.
    Returns whether they were kept (runs at another horizon are not)."""
    horizon = nothing.deadline + settle
    for s in (reference, nothing):
        sim = s.sim
        if sim is None or s.seed != seed or s.scenario is not scenario:
            return False
        if not (horizon - 1e-9 <= sim.now < horizon - 1e-9 + sim.dt):
            return False
    k = key(scenario, seed, settle)
    if k not in _MEMORY:
        _keep(k, Comparison(summarise(reference), summarise(nothing), list(errors)))
    return True


def compute(scenario: Scenario, seed: int, settle: float) -> Comparison:
    """Simulate the two runs (no cache read)."""
    from chaosgame.game.players import baselines

    runs = baselines(scenario, seed, settle)
    return Comparison(summarise(runs.reference), summarise(runs.nothing), list(runs.errors))


def _keep(k: Key, found: Comparison) -> None:
    _MEMORY[k] = found
    _MEMORY.move_to_end(k)
    while len(_MEMORY) > MEMORY_SIZE:
        _MEMORY.popitem(last=False)


def load(store: BaselineStore, k: Key, scenario: Scenario) -> Comparison | None:
    """The comparison ``store`` keeps under ``k``; None when it has none, or none readable
    (the problem is noted in ``store.problems`` and the runs are simulated again)."""
    try:
        text = store.load_baseline(k, __version__)
    except (sqlite3.Error, OSError, OverflowError) as exc:
        store.problems.append(f"could not read the saved comparison runs: {exc}")
        return None
    if text is None:
        return None
    try:
        return decode(text, scenario)
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        store.problems.append(f"saved comparison runs ignored, they are damaged ({exc})")
        return None


def save(store: BaselineStore, k: Key, found: Comparison) -> None:
    """Keep ``found`` in ``store`` under ``k``; a failure is noted, never raised."""
    try:
        store.save_baseline(k, __version__, encode(found))
    except (sqlite3.Error, OSError, OverflowError) as exc:
        store.problems.append(f"could not save the comparison runs: {exc}")


# ------------------------------------------------------------------- the stored form
def _array(values: Any) -> str:
    return base64.b64encode(np.ascontiguousarray(values, dtype="<f8").tobytes()).decode()


def _unarray(text: str) -> Any:
    return np.frombuffer(base64.b64decode(text, validate=True), dtype="<f8").astype(np.float64)


def _run_data(run: RunSummary) -> dict[str, Any]:
    extra = {} if run.harm is None else {"harm": {k: _array(v) for k, v in run.harm.items()}}
    return extra | {
        "start_time": run.start_time,
        "actions": run.actions,
        "root_strength": run.root_strength,
        "pops": [
            {
                "slo": p.slo,
                "tenant": p.tenant,
                "target": p.target,
                "budget": p.budget,
                "bad": _array(p.bad),
                "total": _array(p.total),
            }
            for p in run.pops
        ],
    }


def _run(data: dict[str, Any], scenario: Scenario) -> RunSummary:
    pops = [
        impact.Population(
            str(p["slo"]),
            None if p["tenant"] is None else str(p["tenant"]),
            float(p["target"]),
            _unarray(p["bad"]),
            _unarray(p["total"]),
            float(p["budget"]),
        )
        for p in data["pops"]
    ]
    if any(p.bad.shape != p.total.shape for p in pops):
        raise ValueError("bad and total events differ in length")
    actions = data["actions"]
    if not isinstance(actions, list):
        raise TypeError("actions are not a list")
    kept = data.get("harm")
    series = None if kept is None else {str(k): _unarray(v) for k, v in kept.items()}
    return RunSummary(
        scenario, float(data["start_time"]), actions, pops, float(data["root_strength"]), series
    )


def encode(found: Comparison) -> str:
    """A comparison as JSON text (exact: floats as ``repr``, arrays as float64 bytes)."""
    return json.dumps(
        {
            "format": FORMAT,
            "errors": found.errors,
            "reference": _run_data(found.reference),
            "nothing": _run_data(found.nothing),
        },
        separators=(",", ":"),
    )


def decode(text: str, scenario: Scenario) -> Comparison:
    """The comparison :func:`encode` wrote (``ValueError`` if it is not one)."""
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("not a stored comparison of this format")
    errors = data["errors"]
    if not isinstance(errors, list):
        raise TypeError("errors are not a list")
    return Comparison(
        _run(data["reference"], scenario), _run(data["nothing"], scenario), list(errors)
    )
