"""Simulated patients for ranking diseases from HPO terms, the standard way (issue 10, part 6).

A case starts from a disease with at least five annotated phenotypes: three to eight of them
are drawn by frequency, each is replaced by one of its parents with probability 0.3 (patients
are described less precisely than diseases), one or two unrelated terms are added as noise,
and a few terms the disease does not have are reported absent (its own `NOT` annotations
first). Everything is read from a loaded graph and drawn from one seeded generator, so a seed
gives the same cases on every machine.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from graph.knowledge import KnowledgeGraph
from graph.schema.records import EdgeRecord, Frequency
from graph.schema.vocabulary import NodeKind, Predicate

__all__ = ["Case", "Ranks", "simulate"]

# The middle of each HPO frequency band; an annotation without one counts as "frequent".
_WEIGHT = {
    Frequency.OBLIGATE: 1.0,
    Frequency.VERY_FREQUENT: 0.895,
    Frequency.FREQUENT: 0.545,
    Frequency.OCCASIONAL: 0.17,
    Frequency.VERY_RARE: 0.025,
}
_UNSTATED = 0.545
PARENT_PROBABILITY = 0.3
MIN_ANNOTATIONS = 5


@dataclass(frozen=True, slots=True)
class Case:
    disease: str  # the cause's node id
    present: tuple[str, ...]  # symptom ids
    absent: tuple[str, ...]
    sex: str | None = None  # female, male or unknown, as a diagnose query takes it


def _weight(edge: EdgeRecord) -> float:
    if edge.sensitivity is not None:
        return edge.sensitivity
    return _UNSTATED if edge.frequency is None else _WEIGHT[edge.frequency]


class _Phenotypes:
    """The symptom hierarchy and each disease's annotations, read once from the graph."""

    def __init__(self, graph: KnowledgeGraph) -> None:
        self.parents: dict[str, tuple[str, ...]] = {
            s.id: tuple(e.object for e in graph.edges(Predicate.SUBTYPE_OF, subject=s.id))
            for s in graph.nodes(NodeKind.SYMPTOM)
        }
        self.shown: dict[str, list[tuple[str, float]]] = {}
        self.excluded: dict[str, list[str]] = {}
        for cause in graph.nodes(NodeKind.CAUSE):
            edges = graph.edges(Predicate.CAUSES, subject=cause.id)
            self.shown[cause.id] = [
                (e.object, _weight(e)) for e in edges if e.frequency is not Frequency.EXCLUDED
            ]
            self.excluded[cause.id] = [e.object for e in edges if e.frequency is Frequency.EXCLUDED]
        self.annotated = sorted({t for terms in self.shown.values() for t, _ in terms})
        self.ancestors: Callable[[str], frozenset[str]] = cache(self._ancestors)

    def _ancestors(self, term: str) -> frozenset[str]:
        found = {term}
        for parent in self.parents.get(term, ()):
            found |= self.ancestors(parent)
        return frozenset(found)

    def unrelated(
        self, disease: str, candidates: Sequence[str], rng: random.Random, count: int
    ) -> list[str]:
        """`count` terms that are neither an annotation of `disease`, nor above or below one."""
        terms = {t for t, _ in self.shown[disease]}
        above = set().union(*(self.ancestors(t) for t in terms))
        chosen: list[str] = []
        for _ in range(50 * count):
            if len(chosen) == count:
                break
            term = rng.choice(candidates)
            if term not in above and term not in chosen and not self.ancestors(term) & terms:
                chosen.append(term)
        return chosen


def _weighted_sample(items: list[tuple[str, float]], count: int, rng: random.Random) -> list[str]:
    """`count` distinct items drawn with probability proportional to their weight."""
    pool = [(t, max(w, 1e-6)) for t, w in items]
    chosen: list[str] = []
    while pool and len(chosen) < count:
        total = sum(w for _, w in pool)
        pick = rng.random() * total
        for index, (term, weight) in enumerate(pool):
            pick -= weight
            if pick <= 0 or index == len(pool) - 1:
                chosen.append(term)
                pool.pop(index)
                break
    return chosen


def simulate(graph: KnowledgeGraph, count: int, seed: int = 7) -> list[Case]:
    """`count` simulated patients (fewer if fewer diseases qualify), in a seeded order."""
    rng = random.Random(seed)
    phenotypes = _Phenotypes(graph)
    eligible = sorted(d for d, terms in phenotypes.shown.items() if len(terms) >= MIN_ANNOTATIONS)
    diseases = rng.sample(eligible, min(count, len(eligible)))
    cases = []
    for disease in diseases:
        drawn = _weighted_sample(phenotypes.shown[disease], rng.randint(3, 8), rng)
        present = []
        for term in drawn:
            parents = phenotypes.parents.get(term, ())
            if parents and rng.random() < PARENT_PROBABILITY:
                term = rng.choice(parents)
            if term not in present:
                present.append(term)
        noise = phenotypes.unrelated(disease, phenotypes.annotated, rng, rng.randint(1, 2))
        present += [t for t in noise if t not in present]
        wanted = rng.randint(1, 3)
        own = phenotypes.excluded[disease][:wanted]  # what the sources say it lacks, first
        drawn_absent = phenotypes.unrelated(disease, phenotypes.annotated, rng, wanted - len(own))
        absent = [t for t in dict.fromkeys(own + drawn_absent) if t not in present]
        cases.append(Case(disease, tuple(present), tuple(absent)))
    return cases


@dataclass(slots=True)
class Ranks:
    """Where each case's disease was ranked (None: not in the top ten), and the time taken."""

    ranks: list[int | None]
    seconds: list[float]
    # The engine's probability on its rank-1 candidate, and whether that was the disease.
    confidence: list[tuple[float, bool]] = field(default_factory=list)
    # Multi-class Brier score of each case, over the listed candidates and `other`.
    brier: list[float] = field(default_factory=list)

    def extend(self, other: Ranks) -> None:
        """Add another run's cases (one fold's) to these."""
        self.ranks += other.ranks
        self.seconds += other.seconds
        self.confidence += other.confidence
        self.brier += other.brier

    def top(self, k: int) -> float:
        """The share of cases whose disease was ranked k-th or better."""
        return sum(1 for r in self.ranks if r is not None and r <= k) / max(len(self.ranks), 1)

    @staticmethod
    def rank_of(disease: str, ranked: Iterable[str]) -> int | None:
        for position, candidate in enumerate(ranked, start=1):
            if candidate == disease:
                return position
            if position >= 10:
                break
        return None
