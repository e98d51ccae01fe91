"""Mitigations of long recoveries (registered on import of ``actions``): a runbook step, and a
restore from backup.

``run-step`` carries out a step of the scenario's runbook (``recovery.runbook``): it changes
nothing in the fleet by itself, but later actions may require it (a restore needs a restore
host). ``restore-backup`` brings a lost database back from its latest backup; how long that
takes is the scenario's to say (``recovery.actions``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from chaosgame.scenario.actions import SIDE_EFFECTS, MitigationBase, mitigation
from chaosgame.scenario.mitigation_kinds import ANY

SIDE_EFFECTS["run-step"] = (
    "none by itself beyond the time it takes; it prepares what a later action needs"
)
SIDE_EFFECTS["restore-backup"] = (
    "every replica restarts on the backup's copy; writes made after the backup are not in it"
)


@mitigation(
    "run-step",
    topics=("alerting-runbooks", "incident-response"),
    summary="carry out a step of the incident's runbook (`step`), such as provisioning a host",
    delay_s=60,
    targets=ANY,
)
class RunStep(MitigationBase):
    action: Literal["run-step"]
    step: str = Field(max_length=63, description="the runbook step's name")


@mitigation(
    "restore-backup",
    topics=("database-migrations", "incident-response"),
    summary="restore a lost database from its latest backup (as slow as the copy)",
    delay_s=1800,
    risky=True,
    targets=("database",),
)
class RestoreBackup(MitigationBase):
    action: Literal["restore-backup"]
    backup: str | None = Field(
        default=None,
        max_length=63,
        description="the backup restored (scenarios with a data: block; default the newest)",
    )
