"""Every fault kind has an honest signature, a remedy that works and one that does not.

For each kind, over the shared fleet (``fleet.py``): injected, it degrades its signal compared
with the same scenario without it; its matching mitigation brings the signal back; a
mismatched mitigation leaves it degraded. Simulations are shared: the faulty run is copied at
the moment of acting, and baselines are cached per scenario.
"""

from __future__ import annotations

import copy
import functools
import json
from typing import Any

import numpy as np
import pytest

from chaosgame.engine import slo as slo_mod
from chaosgame.engine.sim import Simulator
from chaosgame.scenario.actions import mitigation_adapter
from chaosgame.scenario.faults import FAULT_KINDS
from tests.engine.fault_cases import CASES, Case
from tests.engine.fleet import fleet

WINDOW = 60.0
RECOVERED = 0.3
"""After the matching mitigation, at most this share of the harm may remain..."""
UNRECOVERED = 0.5
"""...and after a mismatched one, at least this share must."""


def measure(sim: Simulator, signal: tuple[str, ...], t: float) -> float:
    """The signal averaged over the ``WINDOW`` seconds before ``t``."""
    h, w = sim.history, sim.world
    hi = min(int(round(t / sim.dt)), h.ticks)
    lo = max(hi - int(round(WINDOW / sim.dt)), 0)
    if signal[0] == "comp":
        _, series, name = signal
        return float(h.comp[series][lo:hi, w.index[name]].mean())
    what, journey = signal
    mask = w.class_journey == w.journeys.index(journey)
    rate = h.journey["rate"][lo:hi][:, mask].astype(np.float64)
    values = h.journey[what][lo:hi][:, mask].astype(np.float64)
    return float((values * rate).sum() / max(rate.sum(), 1e-12))


def _scenario(case: Case, with_fault: bool) -> str:
    faults = [*case.context, *([case.fault] if with_fault else [])]
    return json.dumps({**case.scenario, "faults": faults}, sort_keys=True)


@functools.cache
def _run(key: str, until: float) -> Simulator:
    sim = Simulator(fleet(**json.loads(key)))
    sim.run_until(until)
    return sim


def _branch(case: Case, spec: dict[str, Any] | None) -> Simulator:
    sim = copy.deepcopy(_run(_scenario(case, True), case.act))
    if spec is not None:
        sim.mitigate(mitigation_adapter().validate_python(spec))
    sim.run_until(case.end)
    return sim


def test_every_kind_has_a_case() -> None:
    assert set(CASES) == set(FAULT_KINDS) - {"no-fault"}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_fault_degrades_its_signal_and_only_its_remedy_recovers_it(kind: str) -> None:
    case = CASES[kind]
    base = _run(_scenario(case, False), case.end)
    s = case.sign
    harm = s * (measure(_run(_scenario(case, True), case.act), case.signal, case.act)
                - measure(base, case.signal, case.act))  # fmt: skip
    assert harm > 1e-3, f"{kind}: {case.signal} not degraded (harm {harm:.4g})"
    left = s * (measure(_branch(case, case.match), case.signal, case.end)
                - measure(base, case.signal, case.end))  # fmt: skip
    assert left <= RECOVERED * harm, (
        f"{kind}: {case.match['action']} left {left:.4g} of {harm:.4g} on {case.signal}"
    )
    stays = s * (measure(_branch(case, case.mismatch), case.signal, case.end)
                 - measure(base, case.signal, case.end))  # fmt: skip
    assert stays >= UNRECOVERED * harm, (
        f"{kind}: {case.mismatch['action']} (a mismatch) recovered it: {stays:.4g} of {harm:.4g}"
    )


@pytest.mark.parametrize("artefact", ["cpu-burst", "metrics-gap"])
def test_no_fault_is_harmless_but_visible(artefact: str) -> None:
    fault = {"kind": "no-fault", "target": "api", "at": 60.0, "artefact": artefact}
    sim = Simulator(fleet(faults=[fault]))
    base = _run(json.dumps({"faults": []}, sort_keys=True), 900.0)
    sim.run_until(600.0)
    t = sim.history.ticks
    for s, b in zip(slo_mod.all_series(sim), slo_mod.all_series(base), strict=True):
        assert s.good_ratio(0, t) >= b.good_ratio(0, t) - 1e-9
    series = "cpu" if artefact == "cpu-burst" else "scraped"
    seen = measure(sim, ("comp", series, "api"), 600.0)
    normal = measure(base, ("comp", series, "api"), 600.0)
    assert seen > normal * 1.3 if artefact == "cpu-burst" else seen < normal
