"""Turning a flag off stops the feature it gates (``flags[].feature``; docs/architecture.md,
"Costs of restarts and flags").

Every tick, each flag that declares its feature compares the users the feature reaches now
(``percentage`` of them while the flag is on, none while it is off) with the users its owners
set it to reach (its authored state and the changes due by now). The users it no longer
reaches lose it: of the feature's journeys, ``share x (authored - now)`` of the requests need
the feature and do not get it. At the journey's entry they fail (``fails``), are answered
without it (``degraded``: a wrong answer for the correctness SLI, and orders lost or wrong in
the money the scenario prices), or cost ``value`` each another way (``money``). Doing nothing
costs nothing; a player who turns off an innocent flag pays for it, and so does one who turns
off a guilty one (the scenario accepts that cost in its reference solution).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from chaosgame.engine.physics import combine
from chaosgame.engine.world import F64, I64
from chaosgame.scenario.flag_features import FlagFeature

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator
    from chaosgame.engine.state import Modifiers
    from chaosgame.scenario.model import Flag


def reach(on: bool, percentage: float) -> float:
    """Share of users a flag's feature reaches: its percentage while on, none while off."""
    return percentage / 100.0 if on else 0.0


def authored_reach(flag: Flag, now: float) -> float:
    """The share of users the flag's owners set its feature to reach at ``now``: its
    authored state and its changes due by then."""
    on, pct = flag.on, flag.percentage
    for ch in sorted(flag.changes, key=lambda c: c.at):
        if ch.at <= now:
            on, pct = ch.on, ch.percentage
    return reach(on, pct)


@dataclass
class Gated:
    """One flag's feature, compiled: where it acts and what it does."""

    flag: Flag
    feature: FlagFeature
    entries: I64  # per class of the feature's journeys: its entry component
    classes: I64  # those classes


@dataclass
class Features:
    """The flags with a feature, and the share of their requests that lost it, per tick."""

    gated: list[Gated]
    lost: list[F64] = field(default_factory=list)
    """Per tick: per gated flag, the share of its journeys' requests that needed the feature
    and did not get it."""
    served: list[F64] = field(default_factory=list)
    """Per tick: per gated flag, the share of its journeys' requests that got the feature."""


def setup(sim: Simulator) -> Features | None:
    """The scenario's gated features, or None when no flag declares one."""
    sc, w = sim.scenario, sim.world
    gated = []
    journey_index = {name: ji for ji, name in enumerate(w.journeys)}
    entry = {j.name: w.index[j.entry] for j in sc.journeys}
    for f in sc.flags:
        if f.feature is None:
            continue
        wanted = {journey_index[name] for name in f.feature.journeys}
        classes = np.array(
            [k for k, ji in enumerate(w.class_journey) if int(ji) in wanted], dtype=np.int64
        )
        entries = np.array(
            [entry[w.journeys[int(w.class_journey[k])]] for k in classes], dtype=np.int64
        )
        gated.append(Gated(f, f.feature, entries, classes))
    return Features(gated) if gated else None


def before_flow(sim: Simulator, m: Modifiers) -> None:
    """Requests that need a feature their flag no longer gives them fail or degrade."""
    feats = sim.features
    assert feats is not None
    lost = np.zeros(len(feats.gated))
    served = np.zeros(len(feats.gated))
    for g, gate in enumerate(feats.gated):
        on, pct = sim.state.flags[gate.flag.name]
        now = reach(on, pct)
        share = gate.feature.share
        lost[g] = share * max(0.0, authored_reach(gate.flag, sim.now) - now)
        served[g] = share * now
        if lost[g] <= 0 or gate.feature.lost == "money":
            continue
        target = m.err if gate.feature.lost == "fails" else m.wrong
        target[gate.classes, gate.entries] = combine(
            target[gate.classes, gate.entries], np.full(gate.classes.size, lost[g])
        )
    feats.lost.append(lost)
    feats.served.append(served)
