"""Data as the scenario's own objects: the backups a database can be restored from, and how
fast diverged copies are reconciled (the ``data:`` block).

With a ``data:`` block, writes lost are counted as writes: a failover loses the writes its
replica had not applied, a restore the writes acknowledged after its backup was taken, and a
failback across diverged primaries the writes the abandoned copy took; the durability SLO
counts each of them. Without one nothing here changes anything (a loss stays a one-tick share
of the database's traffic, as before).

Plain data and validation only; the engine gives it its effect (``chaosgame.engine.data``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from chaosgame.scenario.units import MAX_NUMBER, Fraction, Moment, Positive

if TYPE_CHECKING:
    from chaosgame.scenario.model import Scenario

STRICT = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)

BackupName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=63)]

RESTORES = ("yes", "corrupt", "empty", "never-ran")
"""What restoring a backup gives: the copy, or the way it fails."""


class Backup(BaseModel):
    """A backup of a database: when it was taken, how big it is, and whether it restores."""

    model_config = STRICT
    name: BackupName = Field(description="the backup's name, as its catalogue lists it")
    database: str = Field(description="the database it is a copy of")
    taken_at: Moment = Field(
        description="when it was taken (negative: before the window); a restore loses every "
        "write acknowledged after it"
    )
    size_gb: Annotated[float, Field(ge=0, le=MAX_NUMBER)] = Field(
        description="its size as the catalogue lists it"
    )
    copy_mb_per_s: Positive = Field(
        default=100.0, description="restore throughput: a restore takes size / throughput"
    )
    method: str = Field(
        default="", max_length=80, description="how it was made (a nightly dump, a disk snapshot)"
    )
    restores: Literal["yes", "corrupt", "empty", "never-ran"] = Field(
        default="yes",
        description="hidden: whether restoring it gives the copy (yes) or fails, and how",
    )

    @property
    def restore_seconds(self) -> float:
        """How long restoring it takes: ``size / throughput`` (at least a minute)."""
        return max(60.0, self.size_gb * 1000.0 / self.copy_mb_per_s)


class Data(BaseModel):
    """Backups and copies: writes lost are counted as writes; the backups a restore picks from."""

    model_config = STRICT
    backups: list[Backup] = Field(default_factory=list, description="the backups there are")
    reconcile_per_s: Positive = Field(
        default=10.0,
        description="diverged writes reconciled per second (`reconcile` takes diverged / rate)",
    )
    diverged_reads: Fraction = Field(
        default=0.05,
        description="while two copies differ, the share of the database's reads that miss "
        "writes the other copy took (wrong answers until reconciled)",
    )


def check_data(sc: Scenario) -> list[str]:
    """Backups name databases of the scenario, once each; reference restores name a backup of
    their target."""
    d = sc.data
    if d is None:
        return []
    problems: list[str] = []
    kinds = {c.name: c.kind for c in sc.components}
    seen: set[str] = set()
    for b in d.backups:
        if kinds.get(b.database) != "database":
            problems.append(f"data.backups: '{b.database}' of backup '{b.name}' is not a database")
        if b.name in seen:
            problems.append(f"data.backups: two backups are called '{b.name}'")
        seen.add(b.name)
    for step in sc.truth.reference_solution:
        name = getattr(step, "backup", None)
        target = getattr(step, "target", None)
        if getattr(step, "action", None) != "restore-backup" or name is None:
            continue
        if not any(b.name == name and b.database == target for b in d.backups):
            problems.append(
                f"truth.reference_solution: restore-backup {target} names backup '{name}', "
                f"which is no backup of {target} in data.backups"
            )
    return problems
