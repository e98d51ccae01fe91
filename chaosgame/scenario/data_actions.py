"""The data mitigation beyond failovers and restores (registered on import of ``actions``):
reconciling two copies that diverged.

``reconcile`` replays the writes only the other copy of a database holds into the copy that
serves (after a split brain both primaries took writes). It is as long as the diverged writes
divided by the scenario's reconciliation rate (``data.reconcile_per_s``); until it is done,
reads miss those writes.
"""

from __future__ import annotations

from typing import Literal

from chaosgame.scenario.actions import SIDE_EFFECTS, MitigationBase, mitigation

SIDE_EFFECTS["reconcile"] = (
    "takes as long as the diverged writes at the reconciliation rate; nothing else changes"
)


@mitigation(
    "reconcile",
    topics=("multi-region", "database-migrations"),
    summary="replay the writes only the other copy holds into the serving one (diverged / rate)",
    delay_s=600,
    targets=("database",),
)
class Reconcile(MitigationBase):
    action: Literal["reconcile"]
