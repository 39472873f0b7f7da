"""Evidence of two kinds: verbatim excerpts from articles, references from curated databases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from app.schemas.common import EvidenceOut
from graph.packs.excerpts import check_excerpts
from graph.packs.loader import read_packs
from graph.packs.validate import validate_content
from graph.schema.records import DatabaseEvidence, EdgeRecord, Evidence, EvidenceCode
from tests.graph.conftest import PackWriter

DB = {"source": "source:db", "reference": "PMID:31675180", "evidence_code": "PCS"}


def with_database(files: dict[str, Any]) -> None:
    files["sources.yaml"]["sources"].append(
        {"id": "source:db", "kind": "database", "title": "DB", "text_file": "db.tsv"}
    )
    files["edges/all.yaml"]["edges"][0]["evidence"] = [
        DB,
        {"source": "source:db", "reference": "OMIM:100001"},
    ]


def test_an_edge_takes_either_kind() -> None:
    edge = EdgeRecord.model_validate(
        {
            "subject": "cause:a",
            "predicate": "causes",
            "object": "symptom:b",
            "evidence": [{"source": "source:a", "excerpt": "A causes b."}, DB],
        }
    )
    assert isinstance(edge.evidence[0], Evidence)
    assert edge.evidence[1] == DatabaseEvidence(
        source="source:db", reference="PMID:31675180", evidence_code=EvidenceCode.PCS
    )


@pytest.mark.parametrize(
    "item",
    [
        {"source": "source:db", "reference": "PMID 1"},  # not a CURIE
        {"source": "source:db", "reference": "PMID:1", "evidence_code": "XYZ"},
        {"source": "source:db", "reference": "PMID:1", "excerpt": "both kinds at once"},
        {"source": "source:db"},  # neither
    ],
)
def test_malformed_database_evidence_is_refused(item: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        EdgeRecord.model_validate(
            {"subject": "cause:a", "predicate": "causes", "object": "symptom:b", "evidence": [item]}
        )


def test_a_database_is_cited_never_quoted(write_pack: PackWriter) -> None:
    def mixed_up(files: dict[str, Any]) -> None:
        with_database(files)
        edges = files["edges/all.yaml"]["edges"]
        edges[1]["evidence"] = [{"source": "source:db", "excerpt": "Quoted from a database."}]
        edges[2]["evidence"] = [{"source": "source:a", "reference": "PMID:1"}]

    content, problems = read_packs([write_pack(mixed_up)])
    assert problems == []
    reasons = {(p.record, p.reason) for p in validate_content(content)}
    assert reasons == {
        (
            "cause:beta|causes|condition:jolty-knee",
            "source:db is a database: cite it with `reference` and `evidence_code`",
        ),
        (
            "condition:jolty-knee|has_symptom|symptom:ache",
            "source:a is not a database: quote it with a verbatim `excerpt`",
        ),
    }


def test_references_are_checked_against_the_database_file(write_pack: PackWriter) -> None:
    pack = write_pack(with_database)
    texts = pack.parent / "texts"
    (texts / "db.tsv").write_text("OMIM:100001\tAlpha\tHP:1\tPMID:31675180;PMID:2\tPCS\n")
    content, problems = read_packs([pack])
    assert problems == []
    assert validate_content(content) == []
    assert check_excerpts(content, texts) == []

    (texts / "db.tsv").write_text("OMIM:100001\tAlpha\tHP:1\tPMID:3\tPCS\n")
    (problem,) = check_excerpts(content, texts)
    assert problem.reason == "reference PMID:31675180 does not appear in source:db"


def test_evidence_out_says_which_kind_it_is() -> None:
    quoted = EvidenceOut.one(Evidence(source="source:a", excerpt="A causes b."))
    assert (quoted.excerpt, quoted.reference, quoted.evidence_code) == ("A causes b.", None, None)
    cited = EvidenceOut.one(DatabaseEvidence.model_validate(DB))
    assert (cited.excerpt, cited.reference, cited.evidence_code) == (None, "PMID:31675180", "PCS")
    bare = EvidenceOut.one(DatabaseEvidence(source="source:db", reference="HP:0000001"))
    assert bare.evidence_code is None


def test_an_unverifiable_source_is_reported(write_pack: PackWriter, tmp_path: Path) -> None:
    def no_text(files: dict[str, Any]) -> None:
        with_database(files)
        del files["sources.yaml"]["sources"][1]["text_file"]

    content, _ = read_packs([write_pack(no_text)])
    problems = check_excerpts(content, tmp_path / "texts")
    assert any("source:db, which has no text_file" in p.reason for p in problems)
