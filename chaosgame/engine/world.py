"""The world: a scenario compiled into a networkx graph and flat arrays the tick works on.

Components are numbered ``0..N-1`` and dependency edges ``0..E-1``. Traffic is split into
*classes*, one per (journey, tenant) pair, so that harm can fall on one endpoint or one
customer while fleet-wide averages look fine. Loads, errors and latencies that depend on the
class are arrays of shape ``(K, N)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from chaosgame.engine.load import LoadParams, compile_load
from chaosgame.scenario.graph import TopologyError as TopologyError
from chaosgame.scenario.graph import check_acyclic
from chaosgame.scenario.model import OBSERVABILITY_KINDS, Dependency, Scenario

if TYPE_CHECKING:
    from chaosgame.engine.clients import ClientPlan

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

LOCAL_LATENCY = 0.0005
"""Network time of a call inside one region (or between components with no region)."""
GATEWAY_TIMEOUT = 30.0
"""Timeout of the route a gateway adds to a journey's entry when the scenario names none."""


@dataclass(frozen=True)
class Level:
    """One generation of the call graph, with the index arrays the tick needs precomputed.

    The tick keeps its working arrays in *level order* (components as in
    :attr:`World.node_order`, edges as in :attr:`World.edge_order`), so a level's own
    components and edges are plain slices of them, and reaching another level's columns of a
    ``(K, N)`` array is one gather of flat positions.
    """

    nodes: I64  # components in this level
    at: slice  # their positions in level order
    edges: I64  # edges whose caller is in this level
    span: slice  # their positions in edge level order
    src: I64
    dst: I64
    callers: I64  # (K, E_l) flat positions of each (class, caller) in a level-ordered (K, N)
    callees: I64  # (K, E_l) the same for each (class, callee), for scattering load
    up: I64  # (3, K, E_l) flat positions of each (series, class, caller) in a (3, K, M) block
    queues: I64  # queue components in this level
    consumers: tuple[I64, ...]  # for each of those queues, the components it feeds


@dataclass
class World:
    """Immutable structure of a compiled scenario (the state lives in the simulator)."""

    scenario: Scenario
    graph: nx.DiGraph
    names: list[str]
    index: dict[str, int]
    kinds: list[str]
    # traffic classes
    journeys: list[str]
    tenants: list[str]
    class_journey: I64
    class_tenant: I64
    class_share: F64
    journey_front: I64  # per journey: where its traffic enters (via or entry)
    # levels of the DAG, callers before callees
    levels: list[I64]
    level_edges: list[I64]  # edges whose source is in the level
    # edges
    deps: list[Dependency]
    src: I64
    dst: I64
    calls: F64  # (K, E) calls per request, zero for classes that do not take the edge
    timeout: F64
    retries: F64
    backoff: F64
    pool: F64  # 0 where there is no pool
    required: B
    is_async: B
    has_breaker: B
    breaker_threshold: F64
    breaker_window: F64
    breaker_cooldown: F64
    net_latency: F64
    # component parameters (base values, before faults and mitigations)
    capacity: F64
    service_time: F64
    cpu_limit: F64
    mem_base: F64
    mem_limit: F64
    restart_time: F64
    max_connections: F64  # inf where uncapped
    write_fraction: F64
    disk_gb: F64  # inf where not tracked
    bytes_per_write: F64
    hit_target: F64
    keyspace: F64
    replica_of: I64  # -1 where not a replica
    apply_rate: F64
    replicas: F64
    is_cache: B
    is_queue: B
    is_observability: B
    cluster: I64  # -1 where not scheduled on a cluster
    cluster_cpu: F64
    cluster_nodes: F64
    # regions: where each component starts, and one-way latency between regions (seconds)
    regions: list[str]
    region: I64  # -1 where the component has no region
    region_latency: F64  # (R, R)
    # probes and certificates
    liveness: F64  # liveness probe timeout, nan where there is no probe
    liveness_threshold: F64
    cert_expiry: F64  # simulated time the TLS certificate expires, inf where never
    edge_index: dict[tuple[str, str], int] = field(default_factory=dict)
    plan: list[Level] = field(default_factory=list)
    node_order: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Components level by level (callers before callees): the tick's working order."""
    node_rank: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Position of each component in :attr:`node_order`."""
    edge_order: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Edges level by level of their caller."""
    edge_rank: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Position of each edge in :attr:`edge_order`."""
    class_front: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Per class: the component its traffic enters at."""
    class_rows: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """``0..K-1``, to index one cell per class."""
    autoscaled: list[int] = field(default_factory=list)
    """Components with a horizontal autoscaler, in order."""
    clients: ClientPlan | None = None
    """What the journeys' clients do (``engine/clients.py``); None when no journey says."""
    load: LoadParams | None = None
    """The load-dependent laws in use (``engine/load.py``); ``None`` where none is."""

    @property
    def n(self) -> int:
        """Number of components."""
        return len(self.names)

    @property
    def k(self) -> int:
        """Number of traffic classes."""
        return len(self.class_journey)

    @property
    def e(self) -> int:
        """Number of dependency edges."""
        return len(self.deps)


def _route_edges(sc: Scenario) -> list[Dependency]:
    """Dependencies plus the gateway routes journeys need but the scenario did not write."""
    deps = list(sc.dependencies)
    have = {(d.source, d.to) for d in deps}
    for j in sc.journeys:
        if j.via is not None and (j.via, j.entry) not in have:
            deps.append(
                Dependency.model_validate(
                    {"from": j.via, "to": j.entry, "timeout": GATEWAY_TIMEOUT}, strict=False
                )
            )
            have.add((j.via, j.entry))
    return deps


def _class_mask(sc: Scenario, dep: Dependency, journeys: list[str]) -> list[bool]:
    """Which journeys take a dependency edge."""
    if dep.journeys is not None:
        return [j in dep.journeys for j in journeys]
    routed = [j.name for j in sc.journeys if j.via == dep.source and j.entry == dep.to]
    if routed:
        return [j in routed for j in journeys]
    fronted = {j.via for j in sc.journeys if j.via is not None}
    entries = {j.entry for j in sc.journeys}
    if dep.source in fronted and dep.to in entries:
        return [False] * len(journeys)
    return [True] * len(journeys)


def classes_hit(w: World, journeys: list[str] | None, tenants: list[str] | None) -> F64:
    """1.0 for each traffic class of the given journeys and tenants (None: all), else 0.0."""
    mask = np.ones(w.k)
    if journeys is not None:
        mask *= np.isin(w.class_journey, [w.journeys.index(j) for j in journeys])
    if tenants is not None:
        mask *= np.isin(w.class_tenant, [w.tenants.index(t) for t in tenants])
    return mask.astype(np.float64)


def build_world(sc: Scenario) -> World:
    """Compile a validated scenario into a :class:`World`."""
    names = [c.name for c in sc.components]
    index = {name: i for i, name in enumerate(names)}
    n = len(names)
    deps = _route_edges(sc)

    graph = nx.DiGraph()
    for c in sc.components:
        graph.add_node(c.name, kind=c.kind)
    for d in deps:
        graph.add_edge(d.source, d.to)
    check_acyclic(sc)

    journeys = [j.name for j in sc.journeys]
    tenants = [t.name for t in sc.tenants]
    cj, ct, cs = [], [], []
    for ji, _ in enumerate(journeys):
        for ti, t in enumerate(sc.tenants):
            cj.append(ji)
            ct.append(ti)
            cs.append(t.share)
    k = len(cj)

    level_of = np.zeros(n, dtype=np.int64)
    levels: list[I64] = []
    for depth, gen in enumerate(nx.topological_generations(graph)):
        idx = np.array(sorted(index[name] for name in gen), dtype=np.int64)
        level_of[idx] = depth
        levels.append(idx)

    e = len(deps)
    src = np.array([index[d.source] for d in deps], dtype=np.int64)
    dst = np.array([index[d.to] for d in deps], dtype=np.int64)
    calls = np.zeros((k, e))
    for ei, d in enumerate(deps):
        mask = _class_mask(sc, d, journeys)
        for ki in range(k):
            if mask[cj[ki]]:
                calls[ki, ei] = d.calls
    if any(d.balance is not None for d in deps):
        from chaosgame.engine.steering import shares

        calls = calls * shares(deps)[None, :]
    level_edges = [np.flatnonzero(level_of[src] == depth) for depth in range(len(levels))]

    region_of = {c.name: c.region for c in sc.components}
    cluster_region = {cl.name: cl.region for cl in sc.clusters}
    for c in sc.components:
        if region_of[c.name] is None and c.cluster is not None:
            region_of[c.name] = cluster_region.get(c.cluster)
    latency_ms: dict[tuple[str, str], float] = {}
    for r in sc.regions:
        for other, ms in r.latency_ms.items():
            latency_ms[(r.name, other)] = ms
            latency_ms.setdefault((other, r.name), ms)

    def net(d: Dependency) -> float:
        a, b = region_of[d.source], region_of[d.to]
        if a is None or b is None or a == b:
            return LOCAL_LATENCY
        return latency_ms.get((a, b), 40.0) / 1000.0

    comps = sc.components
    clusters = [cl.name for cl in sc.clusters]
    regions = [r.name for r in sc.regions]
    for name in region_of.values():
        if name is not None and name not in regions:
            regions.append(name)
    rl = np.full((max(len(regions), 1),) * 2, 0.04)
    for (a, b), ms in latency_ms.items():
        if a in regions and b in regions:
            rl[regions.index(a), regions.index(b)] = ms / 1000.0
    np.fill_diagonal(rl, LOCAL_LATENCY)

    def arr(values: list[float]) -> F64:
        return np.array(values, dtype=np.float64)

    world = World(
        scenario=sc,
        graph=graph,
        names=names,
        index=index,
        kinds=[c.kind for c in comps],
        journeys=journeys,
        tenants=tenants,
        class_journey=np.array(cj, dtype=np.int64),
        class_tenant=np.array(ct, dtype=np.int64),
        class_share=arr(cs),
        journey_front=np.array([index[j.via or j.entry] for j in sc.journeys], dtype=np.int64),
        levels=levels,
        level_edges=level_edges,
        deps=deps,
        src=src,
        dst=dst,
        calls=calls,
        timeout=arr([d.timeout for d in deps]),
        retries=arr([float(d.retries.count) for d in deps]),
        backoff=arr([d.retries.backoff for d in deps]),
        pool=arr([float(d.pool or 0) for d in deps]),
        required=np.array([d.required for d in deps], dtype=np.bool_),
        is_async=np.array([d.mode == "async" for d in deps], dtype=np.bool_),
        has_breaker=np.array([d.breaker is not None for d in deps], dtype=np.bool_),
        breaker_threshold=arr([d.breaker.error_threshold if d.breaker else 1.0 for d in deps]),
        breaker_window=arr([d.breaker.window if d.breaker else 30.0 for d in deps]),
        breaker_cooldown=arr([d.breaker.cooldown if d.breaker else 30.0 for d in deps]),
        net_latency=arr([net(d) for d in deps]),
        capacity=arr([c.capacity for c in comps]),
        service_time=arr([c.service_time for c in comps]),
        cpu_limit=arr([c.cpu_limit for c in comps]),
        mem_base=arr([c.memory_base_mb for c in comps]),
        mem_limit=arr([c.memory_limit_mb for c in comps]),
        restart_time=arr([c.restart_time for c in comps]),
        max_connections=arr([float(c.max_connections or np.inf) for c in comps]),
        write_fraction=arr([c.write_fraction for c in comps]),
        disk_gb=arr([c.disk_gb if c.disk_gb is not None else np.inf for c in comps]),
        bytes_per_write=arr([c.bytes_per_write for c in comps]),
        hit_target=arr([c.hit_ratio if c.kind == "cache" else 0.0 for c in comps]),
        keyspace=arr([c.keyspace_reads for c in comps]),
        replica_of=np.array(
            [index[c.replica_of] if c.replica_of else -1 for c in comps], dtype=np.int64
        ),
        apply_rate=arr([c.apply_rate or np.inf for c in comps]),
        replicas=arr([float(c.replicas) for c in comps]),
        is_cache=np.array([c.kind == "cache" for c in comps], dtype=np.bool_),
        is_queue=np.array([c.kind == "queue" for c in comps], dtype=np.bool_),
        is_observability=np.array([c.kind in OBSERVABILITY_KINDS for c in comps], dtype=np.bool_),
        cluster=np.array(
            [clusters.index(c.cluster) if c.cluster else -1 for c in comps], dtype=np.int64
        ),
        cluster_cpu=arr([cl.nodes * cl.cpu_per_node for cl in sc.clusters]),
        cluster_nodes=arr([float(cl.nodes) for cl in sc.clusters]),
        regions=regions,
        region=np.array(
            [regions.index(r) if r is not None else -1 for r in region_of.values()],
            dtype=np.int64,
        ),
        region_latency=rl,
        liveness=arr([c.liveness.timeout if c.liveness else np.nan for c in comps]),
        liveness_threshold=arr(
            [float(c.liveness.failure_threshold if c.liveness else 3) for c in comps]
        ),
        cert_expiry=arr(
            [c.cert_expires_at if c.cert_expires_at is not None else np.inf for c in comps]
        ),
    )
    world.edge_index = {(d.source, d.to): i for i, d in enumerate(deps)}
    world.autoscaled = [i for i, c in enumerate(comps) if c.autoscaling is not None]
    world.load = compile_load(world)
    world.class_front = world.journey_front[world.class_journey]
    world.class_rows = np.arange(k)
    world.node_order = np.concatenate([np.zeros(0, dtype=np.int64), *levels])
    world.edge_order = np.concatenate([np.zeros(0, dtype=np.int64), *level_edges])
    world.node_rank = np.argsort(world.node_order)
    world.edge_rank = np.argsort(world.edge_order)
    from chaosgame.engine.clients import plan_clients

    world.clients = plan_clients(world)
    world.plan = []
    at = span = 0
    for idx, edges in zip(levels, level_edges, strict=True):
        nodes = slice(at, at + len(idx))
        world.plan.append(_level(world, idx, edges, nodes, slice(span, span + len(edges))))
        at, span = at + len(idx), span + len(edges)
    return world


def _level(w: World, nodes: I64, edges: I64, at: slice, span: slice) -> Level:
    k, n, m = w.k, w.n, len(nodes)
    src, dst = w.src[edges], w.dst[edges]
    rows = np.arange(k)[:, None]
    caller = np.searchsorted(nodes, src)  # position of each edge's caller within the level
    queues = nodes[w.is_queue[nodes]]
    return Level(
        nodes=nodes,
        at=at,
        edges=edges,
        span=span,
        src=src,
        dst=dst,
        callers=rows * n + w.node_rank[src][None, :],
        callees=rows * n + w.node_rank[dst][None, :],
        up=np.stack([(s * k + rows) * m + caller[None, :] for s in range(3)]),
        queues=queues,
        consumers=tuple(w.dst[(w.src == i) & w.is_async] for i in queues),
    )
