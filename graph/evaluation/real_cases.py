"""Published patients (phenopacket-store) as diagnose queries, and how their ranks are reported.

A case is what a paper reports of one patient: the OMIM disease, the HPO terms observed and
those explicitly excluded, the sex, and the paper itself. HPO's annotations are partly curated
from the same papers, so a fair measure ranks each case against annotations without its own
publication. `publication_folds` splits the dev publications into K folds so that each case is
ranked against a pack built without its fold's publications (`import hpo --exclude-references`)
and a disease with several dev publications loses, where it can, only the case's own paper;
`make eval-hpo` reports that leak-free setting beside the pack as shipped.

A case is usable against a pack when the pack knows its disease and at least one of its
observed terms; codes are resolved as the API resolves them (current, merged and obsolete HP
ids), and terms the pack does not know are counted, not guessed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from graph.evaluation.hpo_cases import Case
from graph.knowledge import KnowledgeGraph
from graph.schema.errors import NotFoundError
from graph.schema.vocabulary import NodeKind

__all__ = [
    "TERM_BANDS",
    "Coverage",
    "PublishedCase",
    "band_of",
    "fold_of",
    "load_cases",
    "publication_folds",
    "usable_cases",
]

# Bands of the number of observed terms a case reports, for the table by length.
TERM_BANDS = ((1, 3), (4, 7), (8, 15), (16, 10_000))


@dataclass(frozen=True, slots=True)
class PublishedCase:
    id: str
    disease: str  # OMIM CURIE
    present: tuple[str, ...]  # HP CURIEs
    excluded: tuple[str, ...]
    sex: str
    references: tuple[str, ...]


def load_cases(path: Path) -> list[PublishedCase]:
    """The cases of a phenopacket export as `../shared/data/phenopackets/dev.json` holds them."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        PublishedCase(
            id=str(raw["id"]),
            disease=str(raw["disease"]),
            present=tuple(raw.get("present", ())),
            excluded=tuple(raw.get("excluded", ())),
            sex=str(raw.get("sex", "")),
            references=tuple(raw.get("references", ())),
        )
        for raw in data["cases"]
    ]


def publication_folds(cases: Sequence[PublishedCase], folds: int) -> list[frozenset[str]]:
    """The cases' publications split into `folds` sets, each disease's publications spread over
    different folds where it can be (so leaving a fold out costs a case's disease only the
    case's own paper), and the folds' case counts kept even. The publications one case cites
    stay in one fold (else its pack would keep one of them). Deterministic: bundles of papers
    with the most cases go first (then those of diseases with the most papers), each into the
    fold holding the fewest papers of its diseases, then the fewest cases."""
    if folds < 1:
        raise ValueError("need at least one fold")
    diseases: dict[str, set[str]] = {}
    papers: dict[str, set[str]] = {}
    weight: Counter[str] = Counter()
    for case in cases:
        for reference in case.references:
            diseases.setdefault(reference, set()).add(case.disease)
            papers.setdefault(case.disease, set()).add(reference)
            weight[reference] += 1
    bundles = _cited_together(cases)
    bundle_diseases = {b: set().union(*(diseases[r] for r in b)) for b in bundles}
    order = sorted(
        bundles,
        key=lambda b: (
            -sum(weight[r] for r in b),
            -max(len(papers[d]) for d in bundle_diseases[b]),
            min(b),
        ),
    )
    members: list[set[str]] = [set() for _ in range(folds)]
    sizes = [0] * folds
    # How many papers of each disease every fold already holds.
    held: list[Counter[str]] = [Counter() for _ in range(folds)]
    for bundle in order:
        best = min(
            range(folds),
            key=lambda f: (sum(held[f][d] for d in bundle_diseases[bundle]), sizes[f], f),
        )
        members[best].update(bundle)
        sizes[best] += sum(weight[r] for r in bundle)
        for reference in bundle:
            held[best].update(diseases[reference])
    return [frozenset(m) for m in members]


def _cited_together(cases: Iterable[PublishedCase]) -> list[frozenset[str]]:
    """The publications grouped so that the papers any one case cites share a group (the
    connected groups of the 'cited by the same case' relation)."""
    parent: dict[str, str] = {}

    def root(reference: str) -> str:
        while parent[reference] != reference:
            parent[reference] = parent[parent[reference]]
            reference = parent[reference]
        return reference

    for case in cases:
        for reference in case.references:
            parent.setdefault(reference, reference)
        for reference in case.references[1:]:
            parent[root(reference)] = root(case.references[0])
    groups: dict[str, set[str]] = {}
    for reference in parent:
        groups.setdefault(root(reference), set()).add(reference)
    return [frozenset(g) for g in groups.values()]


def fold_of(case: PublishedCase, folds: Sequence[frozenset[str]]) -> int:
    """The fold holding the case's publications (`publication_folds` keeps them together)."""
    return next(i for i, fold in enumerate(folds) if any(r in fold for r in case.references))


@dataclass(slots=True)
class Coverage:
    """What a pack could do with the cases: how many it can rank, and why the rest not."""

    total: int = 0
    usable: int = 0
    unknown_disease: int = 0
    no_known_term: int = 0
    # HP ids the pack does not know, and ids it knew under a newer id (merged or obsolete).
    unknown_terms: Counter[str] = field(default_factory=Counter)
    replaced_terms: Counter[str] = field(default_factory=Counter)

    def add(self, other: Coverage) -> None:
        """Count another pack's cases (one fold's) with these."""
        self.total += other.total
        self.usable += other.usable
        self.unknown_disease += other.unknown_disease
        self.no_known_term += other.no_known_term
        self.unknown_terms.update(other.unknown_terms)
        self.replaced_terms.update(other.replaced_terms)

    def summary(self) -> str:
        return (
            f"{self.usable}/{self.total} usable; {self.unknown_disease} with a disease the pack"
            f" lacks, {self.no_known_term} with no observed term it knows;"
            f" {len(self.unknown_terms)} distinct HP ids unknown,"
            f" {len(self.replaced_terms)} resolved through a merged or obsolete id"
        )


def usable_cases(
    graph: KnowledgeGraph, cases: Sequence[PublishedCase]
) -> tuple[list[tuple[PublishedCase, Case]], Coverage]:
    """Each case the pack can rank, as symptom and cause ids, with the coverage counts."""
    coverage = Coverage(total=len(cases))
    usable: list[tuple[PublishedCase, Case]] = []
    for case in cases:
        disease = _node(graph, case.disease, NodeKind.CAUSE, coverage)
        present = _symptoms(graph, case.present, coverage)
        excluded = [s for s in _symptoms(graph, case.excluded, coverage) if s not in present]
        if disease is None:
            coverage.unknown_disease += 1
        elif not present:
            coverage.no_known_term += 1
        else:
            coverage.usable += 1
            sex = _SEXES.get(case.sex, "unknown")
            usable.append((case, Case(disease, tuple(present), tuple(excluded), sex)))
    return usable, coverage


# Phenopackets' sexes as a diagnose query takes them.
_SEXES = {"FEMALE": "female", "MALE": "male"}


def band_of(count: int) -> str:
    low, high = next((lo, hi) for lo, hi in TERM_BANDS if count <= hi)
    return f"{low}+" if high >= 10_000 else f"{low}-{high}"


def _symptoms(graph: KnowledgeGraph, codes: Iterable[str], coverage: Coverage) -> list[str]:
    found = (_node(graph, code, NodeKind.SYMPTOM, coverage) for code in codes)
    return list(dict.fromkeys(s for s in found if s is not None))


def _node(graph: KnowledgeGraph, code: str, kind: NodeKind, coverage: Coverage) -> str | None:
    try:
        node_id = graph.resolve(code)
    except NotFoundError:
        if kind is NodeKind.SYMPTOM:
            coverage.unknown_terms[code] += 1
        return None
    if graph.kind(node_id) is not kind:
        return None
    if graph.node(node_id).codes[0].curie != code:
        coverage.replaced_terms[code] += 1
    return node_id
