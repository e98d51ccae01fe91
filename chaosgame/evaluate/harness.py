"""Every episode of an evaluation, played in this process, in worker processes or on Dask.

One :class:`Job` is one incident with every policy asked for: its scenario is loaded or
generated once, and its comparison runs (the reference and doing-nothing simulations every
score is measured against, ``chaosgame.game.baselines``) are simulated once, before the
first episode, and kept in the worker's memory, keyed by the scenario's content and the
seed: every policy's score on that incident reads them. For scenario files they are also
read from, and kept in, the run records when a records path is given, so evaluating again
simulates nothing but the episodes themselves.

Results come back in any order and are sorted by incident (then by policy, in the order
asked for), so the same jobs give the same results whatever runs them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chaosgame.evaluate import policies
from chaosgame.evaluate.incidents import EvalInputError, Incident, load

if TYPE_CHECKING:
    from chaosgame.game.records import RunStore

LOCAL = "local"
"""``--dask local``: start a Dask cluster on this machine for the evaluation."""


@dataclass(frozen=True)
class Job:
    """One incident, with every policy to play on it."""

    incident: Incident
    policies: tuple[str, ...]
    seed: int | None = None
    """The game's seed for every episode (None: each scenario's own)."""
    records: str | None = None
    """Run records to read and keep comparison runs in (None: this process's memory only)."""


@dataclass
class JobResult:
    """The episodes of one job, and what they cost."""

    index: int
    episodes: list[dict[str, Any]] = field(default_factory=list)
    problem: str | None = None
    """Why the incident could not be played (its scenario could not be made)."""
    cpu_s: float = 0.0
    """CPU seconds of the whole job in its worker."""
    comparison_cpu_s: float = 0.0
    """CPU seconds of those spent on the comparison runs (0 when they were kept)."""


_STORES: dict[str, RunStore] = {}


def _store(path: str | None) -> RunStore | None:
    if path is None:
        return None
    from chaosgame.game.records import RunStore

    found = _STORES.get(path)
    if found is None:
        found = _STORES[path] = RunStore(path)
    return found


def play_job(job: Job) -> JobResult:
    """Play every policy of ``job`` on its incident (in whatever process runs it)."""
    from chaosgame.game import baselines
    from chaosgame.game.players import SETTLE_S

    start = time.process_time()
    out = JobResult(job.incident.index)
    try:
        scenario = load(job.incident)
    except EvalInputError as exc:
        out.problem = str(exc)
        return out
    seed = scenario.seed if job.seed is None else job.seed
    store = _store(job.records) if job.incident.path is not None else None
    before = time.process_time()
    baselines.comparison(scenario, seed, SETTLE_S, store)
    out.comparison_cpu_s = time.process_time() - before
    for name in job.policies:
        out.episodes.append(policies.play(name, job.incident, scenario, job.seed))
    out.cpu_s = time.process_time() - start
    return out


Progress = Callable[[JobResult], None]


def run(
    jobs: list[Job],
    workers: int = 1,
    dask: str | None = None,
    progress: Progress | None = None,
) -> list[JobResult]:
    """Play every job, ``workers`` at a time (in processes; 1: in this one), or on the Dask
    scheduler at ``dask`` (:data:`LOCAL`: a cluster of ``workers`` processes started here).
    ``progress`` is called with each job's result as it arrives. Results are sorted by
    incident."""
    if dask is not None:
        results = _on_dask(jobs, dask, workers, progress)
    elif workers <= 1 or len(jobs) <= 1:
        results = _tell(map(play_job, jobs), progress)
    else:
        import multiprocessing

        with multiprocessing.Pool(min(workers, len(jobs)), _quiet_worker) as pool:
            results = _tell(pool.imap_unordered(play_job, jobs), progress)
    return sorted(results, key=lambda r: r.index)


def _quiet_worker() -> None:
    """A worker leaves Ctrl-C to the command (which stops the pool), printing nothing."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _tell(results: Iterable[JobResult], progress: Progress | None) -> list[JobResult]:
    out = []
    for r in results:
        out.append(r)
        if progress is not None:
            progress(r)
    return out


class DaskError(RuntimeError):
    """Dask cannot be used: not installed, or the scheduler cannot be reached."""


def _on_dask(
    jobs: list[Job], address: str, workers: int, progress: Progress | None
) -> list[JobResult]:
    import importlib

    try:  # an optional extra: imported by name, so the package is not needed to type-check
        dist: Any = importlib.import_module("distributed")
    except ImportError:
        raise DaskError("--dask needs Dask distributed: pip install 'chaosgame[dask]'") from None
    cluster: Any = None
    try:
        if address == LOCAL:
            cluster = dist.LocalCluster(
                n_workers=max(workers, 1),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            client = dist.Client(cluster)
        else:
            client = dist.Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        if cluster is not None:
            cluster.close()
        raise DaskError(f"--dask: cannot reach a Dask scheduler at {address} ({exc})") from None
    try:
        futures = client.map(play_job, jobs, pure=False)
        results: Iterator[JobResult] = (f.result() for f in dist.as_completed(futures))
        return _tell(results, progress)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
