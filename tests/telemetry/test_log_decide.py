"""What a line filter decides from a template alone holds for every line rendered from it.

A search counts lines it does not render when the template decides a ``|=`` needle for all
of a category's lines. Needles taken from real lines (ids, numbers, pod names, service names
and the text around them) check that a True or False verdict never disagrees with rendering.
"""

from __future__ import annotations

import pytest

from chaosgame.engine.sim import Simulator
from chaosgame.generate.topology import fleet
from chaosgame.telemetry.logs import categories, counts
from chaosgame.telemetry.logsearch import render
from chaosgame.telemetry.logtemplates import Field, decide
from chaosgame.telemetry.query import run
from chaosgame.telemetry.recorder import attach


@pytest.fixture(scope="module")
def fleet_sim() -> Simulator:
    sim = Simulator(fleet(120, seed=4))
    attach(sim)
    sim.run_until(1800.0)
    return sim


def test_verdicts_agree_with_rendered_lines(fleet_sim: Simulator) -> None:
    sim = fleet_sim
    cats = [c for i in range(sim.world.n) for c in categories(sim, i)]
    lo, hi = sim.history.ticks - 3, sim.history.ticks
    n = counts(sim, cats, lo, hi, sim.now)
    lines = {
        r: [
            render(sim, c, lo + t, k)[1]
            for t in range(hi - lo)
            for k in range(min(int(n[r, t]), 4))
        ]
        for r, c in enumerate(cats)
    }
    lines = {r: v for r, v in lines.items() if v}
    sample = sorted(lines)[:: max(1, len(lines) // 30)]
    needles = {"svc-1-1", "svc-2-7", "attempt 2", "(attempt 1", " 2/", "-1-", "ms", "0ms", "=1"}
    for r in sample:
        text = lines[r][0]
        for start in range(0, len(text) - 8, 7):
            needles.update({text[start : start + 3], text[start : start + 7]})
    checked = {True: 0, False: 0, None: 0}
    for needle in sorted(needles):
        for r in sample:
            verdict = decide(needle, list(cats[r].template))
            checked[verdict] += 1
            if verdict is True:
                assert all(needle in x for x in lines[r]), (needle, cats[r].key)
            elif verdict is False:
                assert not any(needle in x for x in lines[r]), (needle, cats[r].key)
    assert checked[True]
    assert checked[False]
    assert checked[None]


@pytest.mark.parametrize(
    ("needle", "verdict"),
    [
        (" 7m", None),  # "... 200 " + "7" + "ms"
        ("x7m", False),  # nothing before the number ends in x
        ("00 12", None),  # "200 " + "12..."
        ("200 ", True),
        ("GET /api 200 1", None),
    ],
)
def test_a_number_lies_inside_a_needle_only_where_its_neighbours_allow(
    needle: str, verdict: bool | None
) -> None:
    tpl = ["GET /api 200 ", Field("ms", frozenset("0123456789"), (1, 6)), "ms"]
    assert decide(needle, tpl) is verdict


def test_a_service_name_with_digits_is_decided_by_the_templates(fleet_sim: Simulator) -> None:
    """``svc-1-1`` is counted from templates: "(attempt 1" cannot hold it."""
    out, _ = run(fleet_sim, 'logs {service=~".+"} |= "svc-1-1" --since=30s')
    cats = [c for i in range(fleet_sim.world.n) for c in categories(fleet_sim, i)]
    assert all(decide("svc-1-1", list(c.template)) is not None for c in cats)
    assert out["matched"] > 0
