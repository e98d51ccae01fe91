"""The call graph of a scenario, as plain data: the edges it has and whether it can run.

The engine simulates the graph level by level, so it must be acyclic. Loading and validation
ask the same question here, without the engine.
"""

from __future__ import annotations

import networkx as nx

from chaosgame.scenario.model import Scenario


class TopologyError(ValueError):
    """The dependency graph cannot be simulated (for example it has a cycle)."""


def call_edges(sc: Scenario) -> list[tuple[str, str]]:
    """Every call edge: the written dependencies plus each journey's gateway route."""
    edges = [(d.source, d.to) for d in sc.dependencies]
    have = set(edges)
    for j in sc.journeys:
        if j.via is not None and (j.via, j.entry) not in have:
            edges.append((j.via, j.entry))
            have.add((j.via, j.entry))
    return edges


def check_acyclic(sc: Scenario) -> None:
    """Raise :class:`TopologyError` naming a cycle of the call graph, if there is one."""
    graph = nx.DiGraph()
    graph.add_nodes_from(c.name for c in sc.components)
    graph.add_edges_from(call_edges(sc))
    if not nx.is_directed_acyclic_graph(graph):
        cycle = nx.find_cycle(graph)
        path = " -> ".join([a for a, _ in cycle] + [cycle[0][0]])
        raise TopologyError(f"dependencies: the call graph has a cycle: {path}")
