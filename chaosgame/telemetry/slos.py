"""SLOs as the monitoring system knows them: computed only from what was scraped.

The engine counts every good and bad event (``engine/slo.py``); a real SLO dashboard only has
the samples its metrics pipeline kept. A journey's SLI is measured at its front component, so
while the metrics store is dark, or a scrape of the front was missed, those ticks are unknown
and left out; a front that exports no metrics gives no SLO figures at all. Paging follows the
alert rules (``telemetry/alerts.py``) and reaches the player only while the pager is up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from chaosgame.engine import physics as ph
from chaosgame.engine import slo as slo_mod
from chaosgame.telemetry import gaps

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator

B = NDArray[np.bool_]
F = NDArray[np.float64]


def seen_ticks(sim: Simulator, front: int, hi: int) -> B:
    """Ticks ``[0, hi)`` whose samples of ``front`` reached the metrics store."""
    if not gaps.has(sim, front, "metrics"):
        return np.zeros(hi, dtype=np.bool_)
    seen: B = ~gaps.dark(sim, "metrics", 0, hi) & ~gaps.missed_scrapes(sim, 0, hi)[:, front]
    return seen


def _window(s: slo_mod.SloSeries, seen: B, end: int, seconds: float) -> tuple[float, float, int]:
    """(bad, total, ticks seen) over the ``seconds`` before ``end``, scraped ticks only."""
    ticks = int(round(seconds / s.dt))
    lo = max(end - ticks, 0)
    mask = seen[lo:end]
    bad = float(s.bad[lo:end][mask].sum())
    total = float(s.total[lo:end][mask].sum())
    if end - ticks < 0 and s.total.size and mask.size and mask[0]:
        total += (ticks - end) * float(s.total[0])
    return bad, total, int(mask.sum())


def observed(sim: Simulator, tick: int) -> list[dict[str, Any]]:
    """Each SLO's SLI, burn rates and budget burned up to ``tick`` as dashboards show them.

    A figure nobody could have measured is ``None``, with a ``note`` that says why.
    """
    rows: list[dict[str, Any]] = []
    w = sim.world
    for s in slo_mod.all_series(sim):
        front = int(w.journey_front[w.journeys.index(s.slo.journey)])
        seen = seen_ticks(sim, front, tick)
        row: dict[str, Any] = {"journey": s.slo.journey, "sli": s.slo.sli, "target": s.slo.target}
        bad5, total5, n5 = _window(s, seen, tick, 300.0)
        bad1, total1, n1 = _window(s, seen, tick, 3600.0)
        budget = s.budget()
        row["sli_5m"] = round(1.0 - bad5 / total5, 6) if n5 and total5 > 0 else None
        row["burn_5m"] = round(ph.burn_rate(bad5, total5, s.slo.target), 3) if n5 else None
        row["burn_1h"] = round(ph.burn_rate(bad1, total1, s.slo.target), 3) if n1 else None
        burned = float(s.bad[:tick][seen].sum()) / budget if budget > 0 else 0.0
        row["budget_burned"] = round(burned, 6) if seen.any() else None
        if not gaps.has(sim, front, "metrics"):
            row["note"] = f"{w.names[front]} exports no metrics: this SLO cannot be measured"
        elif not n5:
            row["note"] = "no metrics samples in the last 5 minutes"
        rows.append(row)
    return rows


def pages(sim: Simulator, tick: int) -> list[dict[str, Any]]:
    """SLO pages firing at ``tick`` that the pager delivered (empty while it is down)."""
    from chaosgame.telemetry.alerts import timeline

    if tick <= 0:
        return []
    pager_down = gaps.dark(sim, "alerts", 0, tick)
    out = []
    for ep in timeline(sim, tick, slo_only=True):
        if ep["severity"] != "page" or ep["end"] is not None:
            continue
        start = int(round(ep["start"] / sim.dt))
        if bool((~pager_down[start:tick]).any()):
            out.append(ep)
    return out


def paged(sim: Simulator, tick: int) -> bool:
    """Whether an SLO page is firing at ``tick`` and the pager delivered it.

    The page rules are burn-rate conditions on the events up to ``tick``; when none holds at
    ``tick`` no page can be firing, so the alert timeline is only built when one does.
    """
    if not any(s.paging(tick) for s in slo_mod.all_series(sim)):
        return False
    return bool(pages(sim, tick))
