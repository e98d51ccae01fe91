"""The business counter of flag-gated features: requests that used a feature, and requests
that needed it and did not get it (``feature_requests_total``; ``engine/flag_features.py``).

A product team counts its feature's use; the counter is emitted by the journey's entry service
(its scrape settings and gaps apply) and carries the flag's name and ``served`` (``yes`` or
``no``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from chaosgame.telemetry.series import F, Frame, IntArr, comp_labels, emitting

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator
    from chaosgame.telemetry.metrics import Spec
    from chaosgame.telemetry.promql import Matcher

NAME = "feature_requests_total"


def metric_specs(sim: Simulator) -> dict[str, Spec]:
    """The feature counter, for a scenario whose flags declare features."""
    if sim.features is None:
        return {}
    from chaosgame.telemetry.metrics import Spec

    return {
        NAME: Spec(
            "counter",
            "requests that used a flag-gated feature (served=yes) or needed it while the flag "
            "no longer gave it to them (served=no), from the feature's own instrumentation",
            ("service", "region", "flag", "served"),
            _build,
        )
    }


def requests(sim: Simulator, g: int, hi: int, which: str) -> F:
    """Requests per second of gated flag ``g`` at ticks ``[0, hi)``: served (``yes``) or
    lost (``no``)."""
    feats = sim.features
    assert feats is not None
    gate = feats.gated[g]
    rate = sim.history.journey["rate"][:hi][:, gate.classes].astype(np.float64).sum(1)
    shares = feats.served if which == "yes" else feats.lost
    share = np.array([row[g] for row in shares[:hi]], dtype=np.float64)
    out: F = rate * share
    return out


def _build(sim: Simulator, comps: list[int], hi: int, _m: list[Matcher]) -> Frame:
    feats = sim.features
    assert feats is not None
    on = emitting(sim)
    frames = []
    for g, gate in enumerate(feats.gated):
        i = int(gate.entries[0])
        if i not in comps or not on[i]:
            continue
        for which in ("yes", "no"):
            labels = comp_labels(sim, [i]).with_value("flag", gate.flag.name)
            labels = labels.with_value("served", which)

            def values(g: int = g, which: str = which) -> F:
                return requests(sim, g, hi, which)[None, :]

            owner: IntArr = np.array([i], np.int64)
            frames.append(Frame.of_values(labels, values, owner, sim.dt, True))
    return Frame.concat(frames) if frames else Frame.empty()
