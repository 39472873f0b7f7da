"""Explanation chains: through which evidenced edges, and how often, a cause produces a symptom.

A cause produces a symptom along a chain of typed edges read as

    (contributes_to)* (subtype_of)* causes

* `causes` (cause -> symptom) ends the chain with the edge's sensitivity;
* `contributes_to` (cause -> cause) passes on a share of the cases: the edge's sensitivity is
  how often the subject leads to the object (diuretics -> electrolyte imbalance -> twitching);
* `subtype_of` upwards lets a kind of X show what X shows (multiple sclerosis, a neurological
  condition, shows what neurological conditions show), with weight 1.

A `contributes_to` edge is never inherited through `subtype_of`: that corticosteroids are
medications does not make them cause what some other medication leads to. A chain's
sensitivity is the product along it; the strongest chain of at most `max_hops` edges wins.

On the symptom side, a cause that shows a kind of X shows X (HPO's true-path rule: a disease
annotated with bilateral cryptorchidism explains a reported cryptorchidism), so an explanation
reads

    (contributes_to)* (subtype_of)* causes (subtype_of)*

where the trailing `subtype_of` steps climb from the symptom the cause's edge names to the
reported one, with weight 1. `symptom_chains` stops at the `causes` edge: the model applies the
symptom hierarchy itself (every broader term gets the noisy-OR of the terms below it, see
graph/reasoning/likelihoods.py), and `through_subtypes` adds the climb for an explanation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from graph.knowledge import KnowledgeGraph
from graph.schema.records import EdgeRecord, Frequency
from graph.schema.vocabulary import NodeKind, Predicate

__all__ = [
    "SENSITIVITY",
    "Chain",
    "ancestors",
    "broader_symptoms",
    "edge_sensitivity",
    "symptom_chains",
    "through_subtypes",
]

# The middle of each HPO frequency band (HP:0040280-HP:0040285). Obligate stays short of 1 so
# that a reported absence lowers a cause a great deal without ruling it out on one answer.
SENSITIVITY: Mapping[Frequency, float] = {
    Frequency.OBLIGATE: 0.99,
    Frequency.VERY_FREQUENT: 0.9,
    Frequency.FREQUENT: 0.55,
    Frequency.OCCASIONAL: 0.17,
    Frequency.VERY_RARE: 0.025,
    Frequency.EXCLUDED: 0.0,
}
# An edge whose source gives no frequency is read as "frequent" (30-79 %).
DEFAULT_FREQUENCY = Frequency.FREQUENT


@dataclass(frozen=True, slots=True)
class Chain:
    """Edges walked from a cause to the node it reaches, and how often it gets there."""

    edges: tuple[EdgeRecord, ...]
    sensitivity: float

    @property
    def excluded(self) -> bool:
        """The source says the cause does *not* show the symptom."""
        return bool(self.edges) and self.edges[-1].frequency is Frequency.EXCLUDED

    @property
    def named(self) -> str | None:
        """The symptom the chain's `causes` edge names when the chain goes on from it up the
        symptom hierarchy to a broader one (its end); None when the edge names the end."""
        for position in range(len(self.edges) - 1, -1, -1):
            edge = self.edges[position]
            if edge.predicate is Predicate.CAUSES:
                return edge.object if position < len(self.edges) - 1 else None
        return None


def edge_sensitivity(edge: EdgeRecord) -> float:
    if edge.predicate is Predicate.SUBTYPE_OF:
        return 1.0
    if edge.sensitivity is not None:
        return edge.sensitivity
    return SENSITIVITY[edge.frequency or DEFAULT_FREQUENCY]


def symptom_chains(graph: KnowledgeGraph, cause: str, max_hops: int = 4) -> dict[str, Chain]:
    """The strongest chain from `cause` to every symptom it produces (excluded ones included).

    Each state is a node and whether the chain has turned into `subtype_of` edges yet (after
    which only `subtype_of` and a final `causes` may follow). Deterministic: edges are visited
    in key order and a chain only replaces another when strictly stronger.
    """
    direct = graph.edges(subject=cause)
    if all(e.predicate is Predicate.CAUSES for e in direct):
        # Nothing to walk (every disease of a database pack): each edge is its own chain.
        best: dict[str, Chain] = {}
        for edge in direct:
            if graph.kind(edge.object) is NodeKind.SYMPTOM:
                _keep_stronger(best, edge.object, Chain((edge,), edge_sensitivity(edge)))
        return best
    best = {}
    reached: dict[tuple[str, bool], float] = {(cause, False): 1.0}
    frontier: list[tuple[str, bool, Chain]] = [(cause, False, Chain((), 1.0))]
    for _ in range(max_hops):
        next_frontier: dict[tuple[str, bool], Chain] = {}
        for node_id, inherited, chain in frontier:
            for edge in graph.edges(subject=node_id):
                step = _step(graph, edge, inherited)
                if step is None or edge.object == cause:
                    continue
                extended = Chain((*chain.edges, edge), chain.sensitivity * edge_sensitivity(edge))
                if step == "end":
                    _keep_stronger(best, edge.object, extended)
                    continue
                state = (edge.object, step == "inherit")
                if extended.sensitivity > reached.get(state, -1.0):
                    reached[state] = extended.sensitivity
                    next_frontier[state] = extended
        frontier = [(n, inh, ch) for (n, inh), ch in sorted(next_frontier.items())]
    return best


def _step(graph: KnowledgeGraph, edge: EdgeRecord, inherited: bool) -> str | None:
    """What following `edge` does to a chain: 'end', 'pass', 'inherit', or None (not allowed)."""
    target_kind = graph.kind(edge.object)
    if edge.predicate is Predicate.CAUSES and target_kind is NodeKind.SYMPTOM:
        return "end"
    if edge.predicate is Predicate.CONTRIBUTES_TO and not inherited:
        return "pass"
    if edge.predicate is Predicate.SUBTYPE_OF and target_kind is NodeKind.CAUSE:
        return "inherit"
    return None


def _keep_stronger(best: dict[str, Chain], target: str, chain: Chain) -> None:
    known = best.get(target)
    # An explicit exclusion from the cause itself outranks anything inherited or passed on.
    if (
        known is None
        or (chain.excluded and len(chain.edges) == 1)
        or (not known.excluded and chain.sensitivity > known.sensitivity)
    ):
        best[target] = chain


def broader_symptoms(graph: KnowledgeGraph, symptom: str) -> dict[str, tuple[EdgeRecord, ...]]:
    """Every symptom `symptom` is a kind of, with the fewest `subtype_of` edges that climb to it.

    Breadth first, edges in key order, so the path is deterministic; bounded by the symptom's
    ancestors (subtype edges are acyclic: the loader checks). `symptom` itself is not listed.
    """
    paths: dict[str, tuple[EdgeRecord, ...]] = {symptom: ()}
    frontier = [symptom]
    while frontier:
        reached: list[str] = []
        for current in frontier:
            for edge in graph.edges(predicate=Predicate.SUBTYPE_OF, subject=current):
                target = edge.object
                if target not in paths and graph.kind(target) is NodeKind.SYMPTOM:
                    paths[target] = (*paths[current], edge)
                    reached.append(target)
        frontier = reached
    del paths[symptom]
    return paths


def through_subtypes(
    chains: Mapping[str, Chain],
    symptom: str,
    broader: Callable[[str], Mapping[str, tuple[EdgeRecord, ...]]],
) -> Chain | None:
    """The chain to `symptom` through a kind of it the cause shows: a chain of `chains` (the
    cause's own, from `symptom_chains`) to a narrower symptom, then the `subtype_of` edges up
    to `symptom` (`broader` gives a symptom's paths up, as `broader_symptoms` does).

    The strongest such chain, then the one with fewest edges, then the first in `chains`'
    order; None when the cause shows no kind of `symptom`. Excluded chains do not climb: that a
    cause does not show a narrow term says nothing about the broader one. The model combines
    every narrower term (noisy-OR); this names the one that counts most.
    """
    best: Chain | None = None
    for named, chain in chains.items():
        if chain.excluded or chain.sensitivity <= 0.0 or named == symptom:
            continue
        steps = broader(named).get(symptom)
        if steps is None:
            continue
        if best is None or (
            chain.sensitivity,
            -(len(chain.edges) + len(steps)),
        ) > (best.sensitivity, -len(best.edges)):
            best = Chain((*chain.edges, *steps), chain.sensitivity)
    return best


def exposure_chains(graph: KnowledgeGraph, exposure: str, max_hops: int = 4) -> dict[str, Chain]:
    """Causes that knowing `exposure` applies makes more likely, with how often it leads there.

    The exposure itself and its subtypes' parents are not here: being a kind of something is
    handled by `ancestors`. Only `contributes_to` edges are followed, so an exposure is never
    inherited sideways through a shared parent.
    """
    best: dict[str, Chain] = {}
    frontier: dict[str, Chain] = {exposure: Chain((), 1.0)}
    for _ in range(max_hops):
        reached: dict[str, Chain] = {}
        for node_id in sorted(frontier):
            chain = frontier[node_id]
            for edge in graph.edges(predicate=Predicate.CONTRIBUTES_TO, subject=node_id):
                if edge.object == exposure:
                    continue
                strength = chain.sensitivity * edge_sensitivity(edge)
                current = reached.get(edge.object)
                if current is None or strength > current.sensitivity:
                    reached[edge.object] = Chain((*chain.edges, edge), strength)
        frontier = {}
        for node_id, chain in reached.items():
            known = best.get(node_id)
            if known is None or chain.sensitivity > known.sensitivity:
                best[node_id] = chain
                frontier[node_id] = chain
    return best


def ancestors(graph: KnowledgeGraph, node_id: str) -> Sequence[str]:
    """`node_id` and everything it is a subtype of, nearest first (subtype edges are acyclic)."""
    seen = [node_id]
    for current in seen:
        for edge in graph.edges(predicate=Predicate.SUBTYPE_OF, subject=current):
            if edge.object not in seen:
                seen.append(edge.object)
    return seen
