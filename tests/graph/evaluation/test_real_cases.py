"""Published cases read, resolved against a pack, and counted where they cannot be ranked."""

from __future__ import annotations

import json
from pathlib import Path

from graph.evaluation.real_cases import band_of, load_cases, publications, usable_cases
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
    assert publications(cases) == ["PMID:1", "PMID:2"]
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
