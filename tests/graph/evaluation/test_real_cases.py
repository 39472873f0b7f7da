"""Published cases read, resolved against a pack, and counted where they cannot be ranked."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from graph.evaluation.real_cases import (
    PublishedCase,
    band_of,
    fold_of,
    load_cases,
    publication_folds,
    usable_cases,
)
from graph.knowledge import KnowledgeGraph
from tests.paths import REPO

CASES = {
    "cases": [
        {
            "id": "PMID_1_a",
            "disease": "OMIM:100100",
            "present": ["HP:0001562", "HP:0001374", "HP:9999999"],
            "excluded": ["HP:0002023", "HP:0001562"],
            "sex": "FEMALE",
            "references": ["PMID:1"],
        },
        # A disease the pack lacks, and one whose every observed term it lacks.
        {"id": "b", "disease": "OMIM:999999", "present": ["HP:0001562"], "references": ["PMID:2"]},
        {"id": "c", "disease": "OMIM:100100", "present": ["HP:9999998"], "references": ["PMID:1"]},
    ]
}


def test_cases_resolve_and_the_rest_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(CASES), encoding="utf-8")
    cases = load_cases(path)
    assert sorted({r for case in cases for r in case.references}) == ["PMID:1", "PMID:2"]
    graph = KnowledgeGraph.from_packs([REPO / "seeds" / "hpo-sample"])
    usable, coverage = usable_cases(graph, cases)
    [(case, query)] = usable
    assert (case.id, case.sex) == ("PMID_1_a", "FEMALE")
    assert query.disease == "cause:omim-100100"
    assert query.present == ("symptom:hp-0001562", "symptom:hp-0001374")
    # An excluded term also reported present is left out of the absent side.
    assert query.absent == ("symptom:hp-0002023",)
    assert (coverage.usable, coverage.unknown_disease, coverage.no_known_term) == (1, 1, 1)
    assert dict(coverage.unknown_terms) == {"HP:9999999": 1, "HP:9999998": 1}
    assert "1/3 usable" in coverage.summary()


def test_term_bands() -> None:
    assert [band_of(n) for n in (1, 3, 4, 15, 16, 200)] == [
        "1-3", "1-3", "4-7", "8-15", "16+", "16+"
    ]  # fmt: skip


def _case(ident: str, disease: str, reference: str) -> PublishedCase:
    return PublishedCase(ident, disease, ("HP:0001562",), (), "MALE", (reference,))


def test_folds_spread_a_diseases_papers_and_balance_the_cases() -> None:
    # Disease A has three papers, B two (one shared with A), C one paper with four cases.
    cases = [
        _case("1", "OMIM:1", "PMID:1"),
        _case("2", "OMIM:1", "PMID:2"),
        _case("3", "OMIM:1", "PMID:3"),
        _case("4", "OMIM:2", "PMID:3"),
        _case("5", "OMIM:2", "PMID:4"),
        *(_case(f"c{n}", "OMIM:3", "PMID:5") for n in range(4)),
    ]
    folds = publication_folds(cases, 3)
    assert sorted(r for fold in folds for r in fold) == [f"PMID:{n}" for n in range(1, 6)]
    for disease in ("OMIM:1", "OMIM:2"):
        papers = {c.references for c in cases if c.disease == disease}
        # Each of the disease's papers sits in a fold of its own.
        assert len({fold_of(c, folds) for c in cases if c.disease == disease}) == len(papers)
    assert publication_folds(cases, 3) == folds  # deterministic
    sizes = Counter(fold_of(c, folds) for c in cases)
    # Every fold takes one of A's papers, so the best split of the 9 cases is 5 / 2 / 2.
    assert sorted(sizes.values()) == [2, 2, 5]


def test_a_single_fold_holds_every_paper() -> None:
    cases = [_case("1", "OMIM:1", "PMID:1"), _case("2", "OMIM:1", "PMID:2")]
    assert publication_folds(cases, 1) == [frozenset({"PMID:1", "PMID:2"})]
    with pytest.raises(ValueError, match="fold"):
        publication_folds(cases, 0)


def test_the_papers_one_case_cites_share_its_fold() -> None:
    # Case 2 cites PMID:2 and PMID:3; case 3 cites PMID:3 only. Spreading OMIM:1's papers
    # would otherwise put PMID:2 and PMID:3 in different folds, and case 2's pack would keep one.
    cases = [
        _case("1", "OMIM:1", "PMID:1"),
        PublishedCase("2", "OMIM:1", ("HP:0001562",), (), "MALE", ("PMID:2", "PMID:3")),
        _case("3", "OMIM:1", "PMID:3"),
    ]
    folds = publication_folds(cases, 3)
    together = [fold for fold in folds if "PMID:2" in fold]
    assert len(together) == 1
    assert "PMID:3" in together[0]
    assert sorted(r for fold in folds for r in fold) == ["PMID:1", "PMID:2", "PMID:3"]
    assert fold_of(cases[1], folds) == fold_of(cases[2], folds) != fold_of(cases[0], folds)
