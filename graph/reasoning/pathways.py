"""Care pathways (what to check, treat and prevent for a node) and bounded typed paths."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graph.knowledge import Direction, KnowledgeGraph, Neighbour
from graph.knowledge.edge_table import EdgeList
from graph.knowledge.once import Once
from graph.reasoning.explain import ancestors
from graph.schema.errors import GraphError
from graph.schema.records import EdgeRecord
from graph.schema.vocabulary import NodeKind, Predicate

if TYPE_CHECKING:
    # Imported by the first paths request: importing it cost every start 0.2-0.3 s.
    import networkx as nx

__all__ = [
    "MAX_HOPS",
    "MAX_PATHS",
    "CarePathway",
    "PathFinder",
    "Recommendation",
    "TypedPath",
    "WrongKindError",
    "care_pathway",
    "recommendations_for",
]

MAX_HOPS = 4
MAX_PATHS = 10
_RECOMMENDING = {
    Predicate.EVALUATES: "diagnostic",
    Predicate.TREATS: "treatment",
    Predicate.PREVENTS: "prevention",
}
_PRODUCING = (Predicate.CAUSES, Predicate.HAS_SYMPTOM)
_LEADING_TO = (Predicate.CAUSES, Predicate.CONTRIBUTES_TO)


class WrongKindError(GraphError, ValueError):
    """A node exists but is of a kind the operation does not accept."""


@dataclass(frozen=True, slots=True)
class Recommendation:
    """A diagnostic, treatment or prevention measure, and the edge that recommends it.

    `via` names the broader node the edge is about when it is not the node asked for
    (a test for nutrient deficiencies also applies to a vitamin D deficiency).
    """

    category: str
    node: str
    edge: EdgeRecord
    via: str | None


def recommendations_for(
    graph: KnowledgeGraph, node_id: str, general: bool = True
) -> tuple[Recommendation, ...]:
    """Diagnostics, treatments and prevention for `node_id`, following the chain it works through.

    Besides its own, a node takes the recommendations of what it is a kind of (a test for
    nutrient deficiencies applies to a vitamin D deficiency) and of the causes it leads to
    (diuretics work through an electrolyte imbalance, so rehydration applies), each marked with
    `via`. With `general`, it also takes those the sources give for the condition it causes.
    """
    found: list[Recommendation] = []
    seen: set[tuple[str, str]] = set()
    for target in _recommendation_targets(graph, node_id, general):
        for edge in graph.edges(object=target):
            category = _RECOMMENDING.get(edge.predicate)
            if category is None or (category, edge.subject) in seen:
                continue
            seen.add((category, edge.subject))
            via = None if target == node_id else target
            found.append(Recommendation(category, edge.subject, edge, via))
    order = list(_RECOMMENDING.values())
    return tuple(
        sorted(
            found,
            key=lambda r: (
                order.index(r.category),
                r.via is not None,
                graph.content_order.get(r.node, 0),
            ),
        )
    )


def _recommendation_targets(graph: KnowledgeGraph, node_id: str, general: bool) -> list[str]:
    """The node and the causes it leads to, each with what it is a kind of, then (with
    `general`) the conditions any of those cause: nearest first, each once. What a parent
    leads to is not inherited: corticosteroids are medications, but only some medications
    are said to cause an electrolyte imbalance."""
    chain = [node_id]
    for current in chain:
        for edge in graph.edges(predicate=Predicate.CONTRIBUTES_TO, subject=current):
            if edge.object not in chain:
                chain.append(edge.object)
    targets: list[str] = []
    for member in chain:
        targets += [t for t in ancestors(graph, member) if t not in targets]
    if general:
        for current in list(targets):
            for edge in graph.edges(predicate=Predicate.CAUSES, subject=current):
                if (
                    graph.node(edge.object).kind is NodeKind.CONDITION
                    and edge.object not in targets
                ):
                    targets.append(edge.object)
    return targets


@dataclass(frozen=True, slots=True)
class CarePathway:
    node: str
    symptoms: tuple[EdgeRecord, ...]  # what the node produces: causes / has_symptom edges
    causes: tuple[EdgeRecord, ...]  # what leads to it: causes / contributes_to edges
    recommendations: tuple[Recommendation, ...]
    related: tuple[Neighbour, ...]


def care_pathway(graph: KnowledgeGraph, node_id: str) -> CarePathway:
    """Everything a health page about a cause or condition needs, grouped, with evidence."""
    node = graph.node(node_id)
    if node.kind not in (NodeKind.CAUSE, NodeKind.CONDITION):
        raise WrongKindError(f"care pathways exist for causes and conditions, not a {node.kind}")
    out_edges = graph.edges(subject=node_id)
    in_edges = graph.edges(object=node_id)
    return CarePathway(
        node=node_id,
        symptoms=tuple(e for e in out_edges if e.predicate in _PRODUCING),
        causes=tuple(e for e in in_edges if e.predicate in _LEADING_TO),
        recommendations=recommendations_for(graph, node_id),
        related=tuple(
            n
            for n in graph.neighbours(node_id)
            if n.edge.predicate is Predicate.SUBTYPE_OF
            or (n.direction is Direction.OUT and n.edge.predicate is Predicate.CONTRIBUTES_TO)
        ),
    )


@dataclass(frozen=True, slots=True)
class TypedPath:
    """A path as its nodes and, for each step, every edge joining the two nodes (either way)."""

    nodes: tuple[str, ...]
    steps: tuple[tuple[Neighbour, ...], ...]


class PathFinder:
    """Shortest typed paths between two nodes, bounded in hops and count."""

    def __init__(self, graph: KnowledgeGraph) -> None:
        self._graph = graph
        self._undirected = Once(self._project)

    @property
    def built(self) -> bool:
        return self._undirected.built

    def build(self) -> None:
        """Build the projection now (a server's warm-up), not on the first paths request."""
        self._undirected.get()

    def _project(self) -> nx.Graph:
        """Paths read relations either way (a prevention and a symptom meet at a cause), so
        they search a simple undirected projection of ids alone: copying the MultiDiGraph
        with its attributes took 5 s on the full HPO pack, this 0.4 s. Built by the warm-up
        or the first paths request rather than at start, where it held up every other route."""
        import networkx as nx

        undirected = nx.Graph()
        # Ids, not records: a forked worker builds it, and each object it touches is copied.
        undirected.add_nodes_from(self._graph.node_ids)
        every = self._graph.edges()
        undirected.add_edges_from(
            every.ends()  # from columns: a built pack's records are decoded when read
            if isinstance(every, EdgeList)
            else ((e.subject, e.object) for e in every)
        )
        return undirected

    def paths(
        self, source: str, target: str, max_hops: int = 3, k: int = 5
    ) -> tuple[TypedPath, ...]:
        if not 1 <= max_hops <= MAX_HOPS:
            raise ValueError(f"max_hops must be between 1 and {MAX_HOPS}")
        if not 1 <= k <= MAX_PATHS:
            raise ValueError(f"k must be between 1 and {MAX_PATHS}")
        self._graph.node(source)
        self._graph.node(target)
        if source == target:
            return ()
        import networkx as nx

        found = []
        try:
            # Yen's algorithm yields paths shortest first, so stop at the first too long.
            for nodes in itertools.islice(
                nx.shortest_simple_paths(self._undirected.get(), source, target), k
            ):
                if len(nodes) - 1 > max_hops:
                    break
                found.append(self._typed(nodes))
        except nx.NetworkXNoPath:
            return ()
        return tuple(found)

    def _typed(self, nodes: list[str]) -> TypedPath:
        steps = []
        for here, there in itertools.pairwise(nodes):
            steps.append(
                tuple(
                    n
                    for n in self._graph.neighbours(here)
                    if (n.edge.object if n.direction is Direction.OUT else n.edge.subject) == there
                )
            )
        return TypedPath(tuple(nodes), tuple(steps))
