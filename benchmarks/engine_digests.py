"""Fingerprints of whole simulations, to prove an engine change leaves every result unchanged.

Record on the code before a change, then check after it::

    python benchmarks/engine_digests.py record /tmp/digests.json
    python benchmarks/engine_digests.py check /tmp/digests.json

Each run hashes the simulator's float64 outputs after every tick, the history (every series,
bit for bit), the events, the SLO series, and the state and outputs it ends with. The runs:
every curated scenario (fixed seed, whole duration), each fault kind of the catalogue fleet
with its matching and its mismatched mitigation, a played game and the benchmark fleets. A
physics change legitimately changes these; a pure speed-up must not.
"""

from __future__ import annotations

import copy
import hashlib
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np

from chaosgame.engine import slo
from chaosgame.engine.sim import Simulator
from chaosgame.game.determinism import play
from chaosgame.generate.topology import fleet
from chaosgame.scenario.actions import mitigation_adapter
from chaosgame.scenario.library import current_id, load, scenario_paths

SEED = 7
OUTPUTS = [
    "rates",
    "offered",
    "served",
    "arriving",
    "cap",
    "throttle",
    "drain",
    "cpu",
    "own_lat",
    "p_true",
    "fin",
    "pool_fail",
    "rho",
    "err",
    "lat",
    "floor",
    "wrong",
    "lost",
    "edge_rate",
]


def watch(sim: Simulator) -> Simulator:
    """Hash the simulator's float64 outputs after every tick (the float32 history can hide a
    difference in the last bits for a while)."""
    ticks = hashlib.sha256()

    def observe(s: Simulator) -> None:
        for name in OUTPUTS:
            ticks.update(np.ascontiguousarray(getattr(s, name)).tobytes())

    sim.observers.append(observe)
    sim.memo["digest:ticks"] = ticks
    return sim


def fingerprint(sim: Simulator) -> dict[str, str]:
    """Hashes of everything a simulation produced and of the state it ends in."""
    events = json.dumps([e.as_dict() for e in sim.events], sort_keys=True)
    series = hashlib.sha256()
    for s in slo.all_series(sim):
        series.update(s.total.tobytes())
        series.update(s.bad.tobytes())
    state = hashlib.sha256()
    for f in fields(sim.state):
        value = getattr(sim.state, f.name)
        state.update(f.name.encode())
        if isinstance(value, np.ndarray):
            state.update(np.ascontiguousarray(value).tobytes())
        else:
            state.update(repr(value).encode())
    out = hashlib.sha256()
    for name in OUTPUTS:
        out.update(name.encode())
        out.update(np.ascontiguousarray(getattr(sim, name)).tobytes())
    ticks = sim.memo.get("digest:ticks")
    return {
        "ticks": ticks.hexdigest() if ticks is not None else "",
        "history": sim.history.digest(),
        "events": hashlib.sha256(events.encode()).hexdigest(),
        "slo": series.hexdigest(),
        "state": state.hexdigest(),
        "outputs": out.hexdigest(),
    }


def _curated() -> Iterator[tuple[str, Callable[[], dict[str, str]]]]:
    for path in scenario_paths():

        def run(path: Path = path) -> dict[str, str]:
            sim = watch(Simulator(load(str(path)), seed=SEED))
            sim.run_until(sim.scenario.duration)
            return fingerprint(sim)

        yield f"scenario/{path.stem}", run


def _fault_kinds() -> Iterator[tuple[str, Callable[[], dict[str, str]]]]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.engine.fault_cases import CASES
    from tests.engine.fleet import fleet as small_fleet

    adapter = mitigation_adapter()
    for kind, case in sorted(CASES.items()):

        def run(case: Any = case) -> dict[str, str]:
            sim = Simulator(small_fleet(**case.scenario, faults=[*case.context, case.fault]))
            sim.run_until(case.act)
            out: dict[str, str] = {}
            for label, spec in (("match", case.match), ("mismatch", case.mismatch)):
                branch = watch(copy.deepcopy(sim))
                branch.mitigate(adapter.validate_python(spec))
                branch.run_until(case.end)
                out.update({f"{label}/{k}": v for k, v in fingerprint(branch).items()})
            return out

        yield f"fault/{kind}", run


def _others() -> Iterator[tuple[str, Callable[[], dict[str, str]]]]:
    def session() -> dict[str, str]:
        actions: list[dict[str, Any]] = [
            {"type": "mitigate", "action": "rollback", "target": "payments"},
            {"type": "wait", "seconds": 300},
            {"type": "mitigate", "action": "disable-retries", "target": "payments"},
            {"type": "wait", "seconds": 600},
            {"type": "end"},
        ]
        trace = play(load(), actions, seed=SEED)
        return {"history": trace.history, "events": trace.events, "results": trace.results}

    def big() -> dict[str, str]:
        sim = watch(Simulator(fleet(1000, seed=3)))
        sim.run_until(7200.0)
        return fingerprint(sim)

    def thirty() -> dict[str, str]:
        sim = watch(Simulator(fleet(30, seed=5, tiers=6)))
        sim.run_until(3600.0)
        return fingerprint(sim)

    yield "session/checkout-payment-step-failing", session
    yield "fleet/1000x2h", big
    yield "fleet/30x6-tiers", thirty


def compute() -> dict[str, dict[str, str]]:
    """Every fingerprint, by run name."""
    runs = [*_curated(), *_fault_kinds(), *_others()]
    return {name: run() for name, run in runs}


def _renamed(name: str) -> str:
    """A run recorded under a scenario's earlier id (``aliases``), named by its id now."""
    kind, _, sid = name.partition("/")
    return f"{kind}/{current_id(sid)}" if kind in ("scenario", "session") else name


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in ("record", "check"):
        print(__doc__)
        return 2
    path = Path(argv[2])
    now = compute()
    if argv[1] == "record":
        path.write_text(json.dumps(now, indent=1, sort_keys=True))
        print(f"recorded {len(now)} runs to {path}")
        return 0
    before = {_renamed(name): v for name, v in json.loads(path.read_text()).items()}
    bad = [name for name in sorted(set(before) | set(now)) if before.get(name) != now.get(name)]
    for name in bad:
        old, new = before.get(name, {}), now.get(name, {})
        parts = [k for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]
        print(f"DIFFERS {name}: {', '.join(parts)}")
    print(f"{len(now) - len(bad)} of {len(now)} runs identical")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
