"""Explanations through the symptom hierarchy (issue 21, item 6), on a hand-written branch of
HPO imported as the real pack is: a disease annotated with bilateral cryptorchidism accounts for
a reported cryptorchidism (the true-path rule), and its explanation says so, edge by edge."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.knowledge import KnowledgeGraph
from graph.reasoning import DiagnoseQuery, Diagnoser
from graph.reasoning.explain import broader_symptoms, symptom_chains
from graph.schema.vocabulary import Predicate

CRYPTORCHIDISM = "symptom:hp-0000028"
BILATERAL = "symptom:hp-0008689"
UNILATERAL = "symptom:hp-0012741"
GENITOURINARY = "symptom:hp-0000119"
PMDS = "cause:omim-261550"


@pytest.fixture(scope="module")
def graph(hierarchy_pack: Path) -> KnowledgeGraph:
    return KnowledgeGraph.from_packs([hierarchy_pack])


@pytest.fixture(scope="module")
def diagnoser(graph: KnowledgeGraph) -> Diagnoser:
    return Diagnoser(graph)


@pytest.mark.parametrize("reported", [CRYPTORCHIDISM, GENITOURINARY])
def test_every_matched_finding_has_a_chain_from_the_annotation(
    graph: KnowledgeGraph, diagnoser: Diagnoser, reported: str
) -> None:
    result = diagnoser.diagnose(DiagnoseQuery.of([reported], limit=50))
    matched = [c for c in result.candidates if c.matched]
    # Every disease of the branch, none of the seizure disorder.
    assert {c.cause for c in matched} == {
        PMDS,
        "cause:omim-100010",
        "cause:omim-100020",
        "cause:omim-100030",
    }
    for candidate in matched:
        assert candidate.matched == (reported,)
        chain = diagnoser.finding_chain(candidate.cause, reported)
        assert chain is not None, candidate.cause
        first, *climb = chain.edges
        # The annotation first, naming the term the disease is annotated with ...
        assert (first.subject, first.predicate) == (candidate.cause, Predicate.CAUSES)
        assert chain.named == (first.object if climb else None)
        # ... then subtype_of steps, each from where the last one ended, up to the reported term.
        assert all(e.predicate is Predicate.SUBTYPE_OF for e in climb)
        ends = [first.object] + [e.object for e in climb]
        assert [e.subject for e in climb] == ends[:-1]
        assert ends[-1] == reported
        assert all(e.evidence[0].source == "source:hpo-ontology" for e in climb)
        assert not chain.excluded
        assert chain.sensitivity > 0.0


def test_the_top_candidate_is_explained_through_bilateral_cryptorchidism(
    diagnoser: Diagnoser,
) -> None:
    result = diagnoser.diagnose(DiagnoseQuery.of([CRYPTORCHIDISM], limit=50))
    assert result.candidates[0].cause == PMDS
    chain = diagnoser.finding_chain(PMDS, CRYPTORCHIDISM)
    assert chain is not None
    assert [e.key for e in chain.edges] == [
        f"{PMDS}|causes|{BILATERAL}",
        f"{BILATERAL}|subtype_of|{CRYPTORCHIDISM}",
    ]
    assert chain.named == BILATERAL
    assert chain.sensitivity == pytest.approx(0.99)  # obligate, and a subtype step weighs 1


def test_the_strongest_narrower_term_is_named_and_an_own_annotation_comes_first(
    diagnoser: Diagnoser,
) -> None:
    # Frequent bilateral beats occasional unilateral.
    both = diagnoser.finding_chain("cause:omim-100020", CRYPTORCHIDISM)
    assert both is not None
    assert both.named == BILATERAL
    # The source's own word on the reported term is kept, though a narrower one is stronger.
    named = diagnoser.finding_chain("cause:omim-100010", CRYPTORCHIDISM)
    assert named is not None
    assert named.named is None
    assert [e.key for e in named.edges] == [f"cause:omim-100010|causes|{CRYPTORCHIDISM}"]
    # An exclusion of the broad term does not stand for the narrow one the disease shows.
    shown = diagnoser.finding_chain("cause:omim-100030", CRYPTORCHIDISM)
    assert shown is not None
    assert shown.named == BILATERAL
    assert not shown.excluded


def test_the_model_reads_the_cause_s_own_chains_only(graph: KnowledgeGraph) -> None:
    # The climb is for explanations: the model applies the hierarchy itself (ancestor matrix),
    # so what it reads per cause stops at the annotation.
    assert set(symptom_chains(graph, PMDS)) == {BILATERAL}
    paths = broader_symptoms(graph, BILATERAL)
    assert [len(paths[t]) for t in (CRYPTORCHIDISM, GENITOURINARY)] == [1, 3]
    assert BILATERAL not in paths
