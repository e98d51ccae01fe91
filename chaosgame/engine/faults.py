"""Fault effects: each kind writes modifiers for the tick; the loop never names a kind.

A fault's strength at a tick is ``intensity x onset(t) x condition``: the onset shape (step,
ramp, intermittent, periodic), and the share of traffic for which its condition holds (the
share on a faulty version during a canary or rolling deploy, a flag's percentage, a config
value). A latent fault (a version shipped days ago) does nothing until its condition holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar, cast

import numpy as np

from chaosgame.engine.compose import adjust, extra_share, version_share
from chaosgame.engine.compose import apply as apply_composed
from chaosgame.engine.evidence import introduce
from chaosgame.engine.state import Modifiers
from chaosgame.engine.versionlog import note_fault_cpu, note_version_error
from chaosgame.engine.world import F64, classes_hit
from chaosgame.scenario.compose import composed, extended, is_range
from chaosgame.scenario.faults import (
    BadDeploy,
    CacheFlush,
    DependencyOutage,
    ExpensiveFlag,
    FaultBase,
    FlaggedFault,
    LatencyRegression,
    MemoryLeak,
    TrafficSpike,
    VersionedFault,
    kind_of,
)

if TYPE_CHECKING:
    from chaosgame.engine.sim import Simulator

F = TypeVar("F", bound=FaultBase)

Effect = Callable[[F, "Simulator", Modifiers, int, float, F64], None]
"""What a fault of kind ``F`` writes into the modifiers each tick: ``(spec, sim, modifiers,
target, strength, class mask)``."""
Start = Callable[[F, "Simulator", int], None]
"""A one-shot change a fault of kind ``F`` makes: ``(spec, sim, target)``."""

# Keyed by kind. A function registered for a model is only ever called with a spec of that
# model (the spec's ``kind`` is its model's registered kind), which is what the casts assert.
EFFECTS: dict[str, Effect[FaultBase]] = {}
STARTS: dict[str, Start[FaultBase]] = {}
INTRODUCES: dict[str, Start[FaultBase]] = {}


def effect(*models: type[F]) -> Callable[[Effect[F]], Effect[F]]:
    """Register the per-tick effect of the fault kinds ``models``."""

    def register(fn: Effect[F]) -> Effect[F]:
        for model in models:
            EFFECTS[kind_of(model)] = cast("Effect[FaultBase]", fn)
        return fn

    return register


def on_start(*models: type[F]) -> Callable[[Start[F]], Start[F]]:
    """Register a one-shot change made when a fault of one of these kinds starts."""

    def register(fn: Start[F]) -> Start[F]:
        for model in models:
            STARTS[kind_of(model)] = cast("Start[FaultBase]", fn)
        return fn

    return register


def introduces(*models: type[F]) -> Callable[[Start[F]], Start[F]]:
    """Register the change a fault of one of these kinds brings with it at its start time (a
    deploy, a config push, a rotated secret): it is what the player sees. It is made whatever
    its target's version, flag and config (the change may be what sets them), once the rest of
    its ``when`` holds (see :meth:`ActiveFault.change_due`)."""

    def register(fn: Start[F]) -> Start[F]:
        for model in models:
            INTRODUCES[kind_of(model)] = cast("Start[FaultBase]", fn)
        return fn

    return register


@dataclass
class ActiveFault:
    """A scenario fault compiled against a world."""

    spec: FaultBase
    number: int
    target: int
    kmask: F64
    started: bool = False
    introduced: bool = False
    first_acted: float | None = None
    """The time of the first tick at which the fault acted (its strength above 0): when the
    harm it brings really began (:mod:`chaosgame.engine.onset`)."""
    composed: bool = field(init=False)
    """Whether the fault uses composed effects, remedies, aggravators or lasting damage."""
    extended: bool = field(init=False)
    """Whether its condition reads more than its target's version, flag and config."""
    cpu_effects: bool = field(init=False)
    """Whether its own effects could change a CPU factor (what a profile must record)."""
    _touched: list[int] | None = field(init=False, default=None)
    provided: bool = False
    """Whether its target is run by a provider (external, dns): ``contact-provider`` ends it."""

    def __post_init__(self) -> None:
        f = self.spec
        self.composed = composed(f)
        self.extended = f.when is not None and extended(f.when)
        self.cpu_effects = f.effects is None or any(
            e.mechanism == "cpu"
            for e in [*f.effects, *(f.lasting.effects if f.lasting else [])]
            + [e for a in f.aggravators or [] for e in a.effects or []]
        )

    def onset(self, sim: Simulator, now: float) -> float:
        """Strength of the onset shape at ``now`` (0 before the start and after the end)."""
        f = self.spec
        if now < f.at or (f.until is not None and now >= f.until):
            return 0.0
        o = f.onset
        since = now - f.at
        if o.shape == "ramp":
            return min(1.0, since / max(o.ramp, 1e-9))
        if o.shape == "periodic":
            return 1.0 if (since % o.period) < o.duty * o.period else 0.0
        if o.shape == "intermittent":
            tick = int(since // sim.dt)
            return 1.0 if sim.streams.unit(f"fault/{self.number}/onset", tick) < o.duty else 0.0
        return 1.0

    def condition(self, sim: Simulator, now: float) -> float:
        """Share of traffic for which the fault's condition holds."""
        f = self.spec
        share = 1.0
        cond = f.when
        if cond and cond.version:
            version: str | None = cond.version
        else:
            version = f.version if isinstance(f, VersionedFault) else None
        if cond and cond.flag:
            flag: str | None = cond.flag
        else:
            flag = f.flag if isinstance(f, FlaggedFault) else None
        if version:
            share *= version_share(sim.state.versions[self.target], version, now)
        if flag:
            on, pct = sim.state.flags.get(flag, (False, 0.0))
            share *= pct / 100.0 if on else 0.0
        if cond and cond.config:
            for key, value in cond.config.items():
                if sim.state.config.get((self.target, key)) != value:
                    share = 0.0
        if cond is not None and share > 0.0 and self.extended:
            share *= extra_share(sim, cond, self.target, now)
        return share

    def change_due(self, sim: Simulator, now: float) -> bool:
        """Whether the change the fault brings (its kind's deploy or config push, its
        ``change:`` command) is made now, at or after its start: at once without a ``when``;
        otherwise when the condition first holds. For a kind that makes a change of its own,
        the parts on its target's version, flag and config are left out (the change may be
        what makes them hold); the rest (time, load, other components) still counts."""
        cond = self.spec.when
        if cond is None:
            return True
        if self.spec.kind in INTRODUCES:
            return not self.extended or extra_share(sim, cond, self.target, now) > 0.0
        return self.condition(sim, now) > 0.0

    def strength(self, sim: Simulator, now: float) -> float:
        """``intensity x onset x condition`` at ``now`` (nothing once a provider fixed it)."""
        shape = self.onset(sim, now)
        if shape <= 0.0:
            return 0.0
        if self.provided and sim.state.reset_since("provider", self.target, self.spec.at):
            return 0.0  # its provider (contact-provider) fixed its side
        x = self.spec.intensity * shape * self.condition(sim, now)
        return adjust(self, sim, x) if self.composed else x

    def apply(self, sim: Simulator, m: Modifiers) -> None:
        """Write this tick's effect into the modifiers."""
        now = sim.now
        if not self.introduced and now >= self.spec.at and self.change_due(sim, now):
            self.introduced = True
            introduce(self.spec, sim, self.target, INTRODUCES.get(self.spec.kind))
        if not self.started and now >= self.spec.at:
            self.started = True
            start = STARTS.get(self.spec.kind)
            if start is not None and self.condition(sim, now) > 0:
                start(self.spec, sim, self.target)
        x = self.strength(sim, now)
        if x > 0.0 and self.first_acted is None:
            self.first_acted = now
        if self.composed:
            if not self.cpu_effects:
                apply_composed(self, sim, m, x)
                return
            where = self.touched(sim)
            if where is None:
                cpus = m.cpu_factor.copy()
                apply_composed(self, sim, m, x)
                where = np.flatnonzero(m.cpu_factor != cpus).tolist()
                cpu_before = [float(cpus[c]) for c in where]
            else:
                cpu_before = [float(m.cpu_factor[c]) for c in where]
                apply_composed(self, sim, m, x)
            for c, was in zip(where, cpu_before, strict=True):
                now_cpu = float(m.cpu_factor[c])
                if now_cpu != was:
                    note_fault_cpu(sim.versionlog, sim.tick, self.number, c, was, now_cpu)
            return
        if x > 0.0:
            fn = EFFECTS.get(self.spec.kind)
            if fn is None:
                return
            version = self.version
            i = self.target
            cpu = float(m.cpu_factor[i])
            if version is None:
                fn(self.spec, sim, m, self.target, x, self.kmask)
            else:
                before = m.err[:, i].copy()
                fn(self.spec, sim, m, self.target, x, self.kmask)
                note_version_error(
                    sim.versionlog, i, version, before, m.err[:, i], self.condition(sim, now)
                )
            note_fault_cpu(sim.versionlog, sim.tick, self.number, i, cpu, float(m.cpu_factor[i]))

    def touched(self, sim: Simulator) -> list[int] | None:
        """The components a composed fault's own effects can write (its target, the effects'
        targets, where an aggravator spread it, its lasting damage), in order; None when the
        kind's recipe acts and any component may change."""
        f = self.spec
        if f.effects is None:
            return None
        if self._touched is None:
            w = sim.world
            names = [e.target for e in f.effects if e.target is not None]
            names += (f.lasting.on or []) if f.lasting is not None else []
            for a in f.aggravators or []:
                names += [e.target for e in a.effects or [] if e.target is not None]
            self._touched = sorted({self.target, *(w.index[n] for n in names)})
        if f.aggravators is None:
            return self._touched
        from chaosgame.engine.compose import runtime

        spread = runtime(sim, self.number, self.target).spread
        return sorted({*self._touched, *spread}) if spread else self._touched

    @property
    def version(self) -> str | None:
        """The version this fault is bound to (its pods alone misbehave), if any."""
        f = self.spec
        if f.when and f.when.version:
            return None if is_range(f.when.version) else f.when.version
        return f.version if isinstance(f, VersionedFault) else None


def compile_faults(sim: Simulator) -> list[ActiveFault]:
    """Bind each scenario fault to component indices and traffic classes."""
    out = []
    for number, f in enumerate(sim.scenario.faults):
        out.extend(compile_fault(sim, number, f))
    return out


def compile_fault(sim: Simulator, number: int, f: FaultBase) -> list[ActiveFault]:
    """Bind fault ``number`` of the scenario (``f``) to its components and traffic classes:
    one active fault per component it strikes."""
    w = sim.world
    kmask = classes_hit(w, f.journeys, f.tenants)
    out = []
    if f.select is not None:
        from chaosgame.engine.fleet import pick

        for name in pick(sim.scenario, number, f.select, sim.seed):
            spec = f.model_copy(update={"target": name})
            out.append(ActiveFault(spec, number, w.index[name], kmask.copy()))
    else:
        out.append(ActiveFault(f, number, w.index[f.target], kmask))
    for a in out:
        a.provided = w.kinds[a.target] in ("external", "dns")
    return out


# ----------------------------------------------------------------- the kinds


@effect(BadDeploy)
def _bad_deploy(f: BadDeploy, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    m.add_err(i, f.error_rate * x, kmask)


@effect(LatencyRegression)
def _latency(
    f: LatencyRegression, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64
) -> None:
    m.svc_factor[i] *= 1.0 + (f.factor - 1.0) * x


@effect(MemoryLeak)
def _leak(f: MemoryLeak, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    m.leak[i] += f.mb_per_1k_requests / 1000.0 * x


@effect(TrafficSpike)
def _spike(f: TrafficSpike, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64) -> None:
    j = sim.world.journeys.index(f.journey)
    m.rate_factor[j] *= 1.0 + (f.factor - 1.0) * x


@effect(DependencyOutage)
def _outage(
    f: DependencyOutage, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64
) -> None:
    m.add_err(i, f.error_rate * x, kmask)
    m.lat_add[i] += f.added_latency * x


@on_start(CacheFlush)
def _flush(f: CacheFlush, sim: Simulator, i: int) -> None:
    sim.state.hit[i] = 0.0


@effect(ExpensiveFlag)
def _expensive(
    f: ExpensiveFlag, sim: Simulator, m: Modifiers, i: int, x: float, kmask: F64
) -> None:
    m.cpu_factor[i] *= 1.0 + (f.cpu_factor - 1.0) * x


# The rest of the catalogue's effects register themselves on import.
from chaosgame.engine import effects as _effects  # noqa: E402,F401
from chaosgame.engine import effects_data as _effects_data  # noqa: E402,F401
