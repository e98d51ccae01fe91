"""The simulator: advances a world in fixed ticks of simulated time.

Each tick:

1. timed changes fall due (deploy steps, flag and config changes, replicas returning,
   mitigations taking effect);
2. modifiers are reset to neutral and every active fault and standing mitigation writes its
   effect into them (``faults.py``, ``mitigations.py``); the loop below knows no fault by name;
3. **load flows down** the graph level by level: arrivals at the edge, admission, CPU
   throttling, capacity, a backlog past saturation, then calls along each edge multiplied by
   the expected attempts (retries, from last tick's failure rate), cache misses, breaker and
   pool limits;
4. **outcomes flow up** level by level: queueing latency, timeouts, per-attempt and final
   failure of each call, and the caller's errors and latency;
5. resources and control loops update (memory and OOM kills, caches refilling, queues,
   replication lag, disk, breakers, autoscalers), SLO events are counted and the history row
   is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from chaosgame.engine import data, evidence, flag_features, load, probes, steering
from chaosgame.engine.capacity import Limits, limits_of
from chaosgame.engine.clients import ClientState
from chaosgame.engine.evidence import FaultActivity
from chaosgame.engine.faults import ActiveFault, compile_faults
from chaosgame.engine.fleet import stopped_note
from chaosgame.engine.history import History
from chaosgame.engine.load import LoadState
from chaosgame.engine.parties import held as _held
from chaosgame.engine.probes import Probes, probes_of
from chaosgame.engine.refusals import Refusals
from chaosgame.engine.rng import Streams
from chaosgame.engine.state import Modifiers, Rollout, State
from chaosgame.engine.tick import CLIENT_TIMEOUT, flow, resources, write_history
from chaosgame.engine.versionlog import VersionLog
from chaosgame.engine.world import F64, World, build_world
from chaosgame.scenario.model import Scenario
from chaosgame.scenario.units import seconds_past_midnight

if TYPE_CHECKING:
    from chaosgame.engine.mitigations import Pending, Standing
    from chaosgame.engine.steering import Steering
    from chaosgame.scenario.actions import MitigationBase
    from chaosgame.scenario.faults import FaultBase
    from chaosgame.scenario.model import Deploy


@dataclass(frozen=True)
class Event:
    """Something that happened and shows in the change/event timeline."""

    time: float
    kind: str  # deploy, rollback, flag, config, scale, restart, oom, autoscale, mitigation, ...
    component: str
    message: str
    actor: str = "system"
    details: tuple[tuple[str, str], ...] = ()
    """Authored evidence's fields (author, command, matched, outcome...; ``engine.evidence``)."""

    def as_dict(self) -> dict[str, Any]:
        out = {
            "time": self.time,
            "kind": self.kind,
            "component": self.component,
            "message": self.message,
            "actor": self.actor,
        }
        if self.details:
            out["details"] = dict(self.details)
        return out


class Simulator:
    """Runs one scenario deterministically; the session drives it forward."""

    # Written by the tick's passes (chaosgame.engine.tick) for the views of "now".
    rates: F64
    offered: F64
    arriving: F64
    cap: F64
    throttle: F64
    drain: F64
    cpu: F64
    own_lat: F64
    p_true: F64
    fin: F64
    pool_fail: F64
    rho: F64

    def __init__(self, scenario: Scenario, seed: int | None = None) -> None:
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else seed
        self.world: World = build_world(scenario)
        self.streams = Streams(self.seed)
        self.dt = scenario.tick
        self.state = State.initial(self.world)
        self.limits: Limits | None = limits_of(self)
        """The clusters' quotas and subnets, and the pods waiting on them (``capacity.py``)."""
        self.probes: Probes | None = probes_of(self)
        """Readiness probes and deep health checks (``probes.py``); None where none."""
        self.mods = Modifiers.neutral(self.world)
        w = self.world
        expected = int(np.ceil(scenario.duration / self.dt)) + 1
        self.history = History(w.n, w.k, w.e, expected)
        self.faults: list[ActiveFault] = compile_faults(self)
        self.calls: F64 = w.calls
        """Calls per request of every class on every edge in force (``engine/steering.py``)."""
        self.steering: Steering | None = steering.setup(self)
        self.standing: dict[tuple[str, str], Standing] = {}
        self.overrides: dict[tuple[str, int], float] = {}
        self.observers: list[Callable[[Simulator], None]] = []
        """Called after every tick, once its history row is written; they may only read."""
        self.versionlog = VersionLog()
        """Versions, rollout shares and retries in force, recorded at the end of every tick."""
        self.refusals = Refusals()
        """The share of requests a quota refused, per tick with a quota in force (429s)."""
        self.pending: list[Pending] = []
        self.events: list[Event] = []
        self.memo: dict[Any, Any] = {}
        self._wait_key: F64 | None = None
        self._max_wait = np.zeros(w.n)
        self._blocked: F64 | None = None
        self._cache_edges = np.flatnonzero(w.is_cache[w.src])
        """Scratch state of faults and mitigations (accumulators, one-time notes)."""
        self.load_state = LoadState.initial(w, w.load) if w.load is not None else None
        """What the load-dependent laws carry between ticks (``engine/load.py``)."""
        self.tick = 0
        self.activity = FaultActivity(self)
        """Whether the faults authored evidence waits for were acting, tick by tick."""
        self._noise_rngs = [self.streams.numpy(f"traffic/{j}") for j in w.journeys]
        self._noise_table = np.zeros((len(w.journeys), 0))
        self._past_events()
        self.clients = ClientState.start(self) if w.clients is not None else None
        """The journeys' clients' memory (``engine/clients.py``), where a journey has some."""
        self.features = flag_features.setup(self)
        """Flags whose feature users lose when the flag is turned off (``flag_features.py``)."""
        self._schedule_scenario_changes()
        self.data = data.start(self)
        """The data laws' state (``engine/data.py``); None without a ``data:`` block."""
        from chaosgame.engine.config import apply_key

        for ci, key in list(self.state.config):
            apply_key(self, ci, key)
        # per-tick outputs, kept for views of "now"
        k, n, e = w.k, w.n, w.e
        self.err = np.zeros((k, n))
        self.lat = np.tile(w.service_time, (k, 1))
        self.floor = self.lat.copy()
        self.wrong = np.zeros((k, n))
        self.lost = np.zeros((k, n))
        self.served = np.zeros((k, n))
        self.edge_rate = np.zeros((k, e))
        self.versionlog.start(self)

    def _max_wait_for(self, timeout: F64) -> F64:
        """How long a request may wait in each component's queue: its callers' shortest
        timeout (recomputed only when a timeout changes)."""
        if self._wait_key is None or not np.array_equal(self._wait_key, timeout):
            w = self.world
            wait = np.full(w.n, CLIENT_TIMEOUT)
            np.minimum.at(wait, w.dst, np.where(w.is_async, CLIENT_TIMEOUT, timeout))
            self._wait_key, self._max_wait = timeout.copy(), wait
        return self._max_wait

    # ------------------------------------------------------------------ time
    @property
    def now(self) -> float:
        """Simulated seconds since the start of the window (time of the next tick)."""
        return self.tick * self.dt

    def run_until(self, t: float) -> None:
        """Advance tick by tick until simulated time ``t``."""
        while self.now < t - 1e-9:
            self.step()

    def mitigate(self, spec: MitigationBase, actor: str = "player") -> float:
        """Ask for a mitigation; it takes effect after its delay. Returns that time."""
        from chaosgame.engine.mitigations import request

        return request(self, spec, actor)

    # --------------------------------------------------------------- changes
    def _schedule_scenario_changes(self) -> None:
        sc, st, w = self.scenario, self.state, self.world
        for i, d in enumerate(sc.deploys):
            if d.at > 0:
                st.schedule(d.at, w.index[d.component], f"deploy:{i}")
        for fi, f in enumerate(sc.flags):
            for ci, ch in enumerate(f.changes):
                if ch.at > 0:
                    st.schedule(ch.at, fi, f"flag:{ci}")
        for i, cfg in enumerate(sc.configs):
            if cfg.at > 0:
                st.schedule(cfg.at, w.index[cfg.component], f"config:{i}")
        if sc.pipelines:
            from chaosgame.engine.parties import schedule

            schedule(self)

    def add_fault(self, fault: FaultBase) -> None:
        """A fault that joins the world while it runs (a game master's second fault): it
        becomes the scenario's last fault and acts from its ``at`` on, as if authored.

        The simulation's scenario becomes a copy with the fault added; the scenario the
        simulation started from is left as it was (other games share it)."""
        from chaosgame.engine.faults import compile_fault

        sc = self.scenario
        self.scenario = sc.model_copy(update={"faults": [*sc.faults, fault]})
        self.faults.extend(compile_fault(self, len(sc.faults), fault))

    def add_deploy(self, deploy: Deploy) -> None:
        """A deploy that joins the change history while the world runs: it becomes the
        scenario's last deploy and rolls out at its ``at`` (now at the earliest), as if
        authored. The scenario is copied as :meth:`add_fault` does."""
        sc = self.scenario
        self.scenario = sc.model_copy(update={"deploys": [*sc.deploys, deploy]})
        at = max(deploy.at, self.now)
        self.state.schedule(at, self.world.index[deploy.component], f"deploy:{len(sc.deploys)}")

    def record(
        self,
        kind: str,
        component: str,
        message: str,
        actor: str = "system",
        at: float | None = None,
    ) -> None:
        """Add an event to the timeline (at the current time unless ``at`` is given)."""
        self.events.append(Event(self.now if at is None else at, kind, component, message, actor))

    def _past_events(self) -> None:
        """Changes made before the simulated window, so the timeline shows the recent past."""
        sc = self.scenario
        past: list[Event] = []
        for d in sc.deploys:
            if d.at <= 0:
                note = stopped_note(sc, d)
                past.append(
                    Event(
                        d.at,
                        "deploy",
                        d.component,
                        f"{d.version} ({d.strategy}) by {d.author}{note}",
                        d.author,
                    )
                )
        for f in sc.flags:
            for ch in f.changes:
                if ch.at <= 0:
                    state = f"on at {ch.percentage:g}%" if ch.on else "off"
                    past.append(
                        Event(
                            ch.at,
                            "flag",
                            ",".join(f.components),
                            f"{f.name} {state} by {ch.author}",
                            ch.author,
                        )
                    )
        for cfg in sc.configs:
            if cfg.at <= 0:
                past.append(
                    Event(
                        cfg.at,
                        "config",
                        cfg.component,
                        f"{cfg.key}={cfg.value} by {cfg.author}",
                        cfg.author,
                    )
                )
        past.extend(evidence.past(sc))
        self.events.extend(sorted(past, key=lambda e: e.time))

    def _apply_due(self) -> None:
        from chaosgame.engine.mitigations import take_effect

        sc, st, _w = self.scenario, self.state, self.world
        for what, i, amount in st.due(self.now):
            head, _, arg = what.partition(":")
            if self.memo and _held(self, head, arg):
                continue  # a paused pipeline's change: the player's pause wins
            if head == "deploy":
                d = sc.deploys[int(arg)]
                st.versions[i].rollout = Rollout(
                    d.version, self.now, d.duration, d.strategy, d.weight, stop_at=d.reached
                )
                how = f"{d.strategy} at {d.weight:.0%}" if d.strategy == "canary" else d.strategy
                if d.reached is not None and d.reached < 1.0:
                    how += f", stopping at {d.reached:.0%} of pods"
                self.record("deploy", d.component, f"{d.version} ({how}) by {d.author}", d.author)
            elif head == "flag":
                f = sc.flags[i]
                ch = f.changes[int(arg)]
                st.flags[f.name] = (ch.on, ch.percentage)
                state = f"on at {ch.percentage:g}%" if ch.on else "off"
                self.record(
                    "flag", ",".join(f.components), f"{f.name} {state} by {ch.author}", ch.author
                )
            elif head == "config":
                from chaosgame.engine.config import set_config

                cfg = sc.configs[int(arg)]
                set_config(self, i, cfg.key, cfg.value, cfg.author)
            elif head == "return":
                from chaosgame.engine.control import start_replicas

                start_replicas(self, i, amount, what)
            elif head == "mitigation":
                take_effect(self, int(arg))
            elif head in ("pipeline", "party"):
                from chaosgame.engine.parties import due

                due(self, head, i, arg, amount)

    # ------------------------------------------------------------------ tick
    def step(self) -> None:
        """Advance the world by one tick."""
        w, st, dt, now = self.world, self.state, self.dt, self.now
        evidence.record_due(self)
        self._apply_due()
        for v in st.versions.values():
            if v.rollout is not None:  # most components are not being deployed
                v.settle(now)
        m = Modifiers.neutral(w)
        m.edge_retries = st.retries.copy()
        if st.lost_pulse.any():
            m.lost[:] = st.lost_pulse[None, :]
            st.lost_pulse[:] = 0.0
        if st.err_pulse.any():
            m.err[:] = st.err_pulse[None, :]
            st.err_pulse[:] = 0.0
        self.mods = m
        for fault in self.faults:
            fault.apply(self, m)
        self.activity.record(self)
        for effect in self.standing.values():
            effect(self, m)
        if self.features is not None:
            flag_features.before_flow(self, m)
        if self.data is not None:
            data.before_flow(self, m)
        if self.probes is not None:
            probes.before_flow(self, m)
        if self.load_state is not None:
            load.before_flow(self, m)
        if self.steering is not None:
            steering.resolve(self, m)
        flow(self, m, now, dt)
        resources(self, m, dt)
        if self.load_state is not None:
            load.after_tick(self, m)
        if self.data is not None:
            data.after_tick(self, m)
        write_history(self, m)
        if self.probes is not None:
            probes.after_tick(self, m)
        self.versionlog.record(self)
        for observer in self.observers:
            observer(self)
        self.tick += 1

    def journey_rates(self, now: float) -> F64:
        """Arrival rate of each journey at time ``now`` (shape, spikes and faults applied)."""
        sc = self.scenario
        out = np.empty(len(sc.journeys))
        day = 86400.0
        start = seconds_past_midnight(sc.clock_start)
        for ji, j in enumerate(sc.journeys):
            phase = 2 * np.pi * ((start + now - j.peak_at) % day) / day
            start_phase = 2 * np.pi * ((start - j.peak_at) % day) / day
            shape = (1 + j.daily_amplitude * np.cos(phase)) / (
                1 + j.daily_amplitude * np.cos(start_phase)
            )
            rate = j.rate * shape
            for s in j.spikes:
                if s.at <= now < s.at + s.duration:
                    rate *= s.factor
            out[ji] = rate * self.mods.rate_factor[ji] * self._noise(ji, j.rate)
        return out

    def _noise(self, journey: int, rate: float) -> float:
        """Poisson-like fluctuation of arrivals this tick (from the ``traffic/...`` stream)."""
        while self.tick >= self._noise_table.shape[1]:
            more = np.stack([g.standard_normal(256) for g in self._noise_rngs])
            self._noise_table = np.concatenate([self._noise_table, more], axis=1)
        sigma = 1.0 / np.sqrt(max(rate * self.dt, 1.0))
        return float(max(0.0, 1.0 + sigma * self._noise_table[journey, self.tick]))
