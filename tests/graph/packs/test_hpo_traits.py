"""The HPO importer reads onset classes, inheritance and the sex column into the diseases'
`demographics` (issue 21, item 5), never into symptoms."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from graph.knowledge import KnowledgeGraph
from graph.packs import hpo
from graph.packs.hpo.traits import check_definitions
from graph.schema.onsets import Sex
from tests.paths import HPO_DEMOGRAPHICS


@pytest.fixture(scope="module")
def graph(demographics_pack: Path) -> KnowledgeGraph:
    return KnowledgeGraph.from_packs([demographics_pack])


def test_each_rule_gives_its_disease_its_demographics(graph: KnowledgeGraph) -> None:
    found = {
        n.id: (d.sex, d.onsets) if (d := n.demographics) else None
        for n in graph.nodes()
        if n.id.startswith("cause:")
    }
    assert found == {
        # X-linked recessive and nothing else: male; its congenital onset class.
        "cause:omim-300001": (Sex.MALE, ["HP:0003577"]),
        # X-linked recessive beside autosomal dominant: said nothing of.
        "cause:omim-300002": None,
        "cause:omim-100003": (None, ["HP:0003584"]),
        # A second-trimester onset is antenatal; a puerperal one has no age, left out.
        "cause:omim-100004": (None, ["HP:0030674"]),
        # Every phenotype row for one sex.
        "cause:omim-100005": (Sex.FEMALE, []),
        # One male row (cryptorchidism) beside two for both sexes says nothing of the disease.
        "cause:omim-100006": None,
    }


def test_demographics_cite_the_rows_they_rest_on(graph: KnowledgeGraph) -> None:
    demographics = graph.node("cause:omim-300001").demographics
    assert demographics is not None
    assert {getattr(e, "reference", None) for e in demographics.evidence} == {"OMIM:300001"}


def test_onset_and_inheritance_terms_never_become_symptoms(graph: KnowledgeGraph) -> None:
    codes = {c.code for n in graph.nodes() for c in n.codes}
    for term in ("HP:0003674", "HP:0003577", "HP:0034198", "HP:0001419", "HP:0000006"):
        assert term not in codes


def test_a_changed_onset_definition_fails_the_import() -> None:
    ontology = hpo.parse_obo(HPO_DEMOGRAPHICS / "hp.obo")
    check_definitions(ontology)
    late = ontology.terms["HP:0003584"]
    ontology.terms["HP:0003584"] = dataclasses.replace(late, definition="Onset after 50.")
    with pytest.raises(ValueError, match="HP:0003584"):
        check_definitions(ontology)


def test_trait_rows_are_read_apart_from_the_phenotypes() -> None:
    annotations = hpo.read_annotations(HPO_DEMOGRAPHICS / "phenotype.hpoa")
    assert {r.aspect for r in annotations.rows} == {"P"}
    assert {r.aspect for r in annotations.traits} == {"C", "I"}
