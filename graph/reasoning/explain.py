"""Precomputed explanation chains: how strongly, and through which edges, a cause explains a node.

A cause explains a symptom along a directed chain of typed edges:

* `causes` (cause -> symptom or condition), `contributes_to` (cause -> cause),
* `has_symptom` (condition -> symptom),
* `subtype_of` upwards (a kind of X inherits what X produces; weight 1).

A chain's strength is the product of its edges' strengths times `attenuation` for every hop
after the first, and the best chain of at most `max_hops` edges wins. Everything is computed
once at load, so a request only does dictionary lookups.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from graph.knowledge import KnowledgeGraph
from graph.models import EdgeRecord
from graph.vocabulary import NodeKind, Predicate

__all__ = ["Chain", "ChainIndex", "ScoringModel", "best_chains"]

_EXPLAINING = frozenset(
    {Predicate.CAUSES, Predicate.CONTRIBUTES_TO, Predicate.HAS_SYMPTOM, Predicate.SUBTYPE_OF}
)
# An exposure (a cause known to apply) raises the causes it leads to or is a kind of.
_EXPOSING = frozenset({Predicate.CONTRIBUTES_TO, Predicate.SUBTYPE_OF})


@dataclass(frozen=True, slots=True)
class ScoringModel:
    """The scoring model's parameters; see docs/scoring.md for what each one means."""

    prior: float = 0.1
    leak: float = 0.05
    attenuation: float = 0.8
    exposure_weight: float = 0.9
    max_hops: int = 4


@dataclass(frozen=True, slots=True)
class Chain:
    """Edges walked from a cause to the node it explains, and the chain's strength."""

    edges: tuple[EdgeRecord, ...]
    strength: float


ChainIndex = Mapping[str, Mapping[str, Chain]]


def edge_weight(edge: EdgeRecord) -> float:
    # Being a kind of something is certain; other edges carry their curated strength.
    return 1.0 if edge.predicate is Predicate.SUBTYPE_OF else edge.strength


def best_chains(
    graph: KnowledgeGraph,
    start: str,
    follow: Callable[[EdgeRecord], bool],
    model: ScoringModel,
) -> dict[str, Chain]:
    """The strongest chain from `start` to every node reachable in at most `max_hops` edges.

    A hop-bounded Bellman-Ford over max-product weights: deterministic, because edges are
    visited in key order and a chain only replaces another when strictly stronger.
    """
    best: dict[str, Chain] = {}
    frontier: dict[str, Chain] = {start: Chain((), 1.0)}
    for hop in range(model.max_hops):
        factor = 1.0 if hop == 0 else model.attenuation
        reached: dict[str, Chain] = {}
        for node_id in sorted(frontier):
            chain = frontier[node_id]
            for edge in graph.edges(subject=node_id):
                if not follow(edge) or edge.object == start:
                    continue
                strength = chain.strength * edge_weight(edge) * factor
                current = reached.get(edge.object)
                if current is None or strength > current.strength:
                    reached[edge.object] = Chain((*chain.edges, edge), strength)
        frontier = {}
        for node_id, chain in reached.items():
            known = best.get(node_id)
            if known is None or chain.strength > known.strength:
                best[node_id] = chain
                frontier[node_id] = chain
    return best


def explanation_index(graph: KnowledgeGraph, model: ScoringModel) -> dict[str, dict[str, Chain]]:
    """For each cause, the best chain to each symptom it explains."""
    index: dict[str, dict[str, Chain]] = {}
    for cause in graph.nodes(NodeKind.CAUSE):
        chains = best_chains(graph, cause.id, lambda e: e.predicate in _EXPLAINING, model)
        index[cause.id] = {
            target: chain
            for target, chain in chains.items()
            if graph.node(target).kind is NodeKind.SYMPTOM
        }
    return index


def exposure_index(graph: KnowledgeGraph, model: ScoringModel) -> dict[str, dict[str, Chain]]:
    """For each cause, the causes that knowing it applies makes more likely (itself included)."""
    index: dict[str, dict[str, Chain]] = {}
    for cause in graph.nodes(NodeKind.CAUSE):
        chains = best_chains(graph, cause.id, lambda e: e.predicate in _EXPOSING, model)
        index[cause.id] = {cause.id: Chain((), 1.0), **chains}
    return index


def ancestors(graph: KnowledgeGraph, node_id: str) -> Sequence[str]:
    """`node_id` and everything it is a subtype of, nearest first (subtype edges are acyclic)."""
    seen = [node_id]
    for current in seen:
        for edge in graph.edges(predicate=Predicate.SUBTYPE_OF, subject=current):
            if edge.object not in seen:
                seen.append(edge.object)
    return seen
