"""The HPO importer's handling of older ids and of excluded references (leak-free imports)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from graph.knowledge import KnowledgeGraph
from graph.packs import hpo
from graph.packs.loader import load_content
from tests.paths import REPO

FIXTURES = REPO / "tests" / "fixtures" / "hpo"

# Seizure absorbed HP:0009901; HP:0009902 is obsolete, replaced by a term that is itself
# obsolete and replaced by Global developmental delay; HP:0009904 is obsolete with no heir.
OLD_IDS = """
[Term]
id: HP:0009902
name: obsolete Delay
is_obsolete: true
replaced_by: HP:0009903

[Term]
id: HP:0009903
name: obsolete Developmental delay
is_obsolete: true
replaced_by: HP:0001263

[Term]
id: HP:0009904
name: obsolete Something
is_obsolete: true
"""
# A row coded with the obsolete id, citing a paper that a leak-free import leaves out.
OLD_ROW = "OMIM:100003\tSeizure\t\tHP:0009902\tPMID:77\tPCS\t\t\t\t\tP\tx\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    obo = (FIXTURES / "hp.obo").read_text(encoding="utf-8")
    obo = obo.replace("id: HP:0001250\n", "id: HP:0001250\nalt_id: HP:0009901\n") + OLD_IDS
    (tmp_path / "hp.obo").write_text(obo, encoding="utf-8")
    hpoa = (FIXTURES / "phenotype.hpoa").read_text(encoding="utf-8") + OLD_ROW
    (tmp_path / "phenotype.hpoa").write_text(hpoa, encoding="utf-8")
    return tmp_path


def test_merged_and_obsolete_ids_lead_to_the_current_term(folder: Path) -> None:
    ontology = hpo.parse_obo(folder / "hp.obo")
    assert ontology.current("HP:0001250") == "HP:0001250"
    assert ontology.current("HP:0009901") == "HP:0001250"
    assert ontology.current("HP:0009902") == "HP:0001263"  # followed through two steps
    assert ontology.current("HP:0009904") is None
    assert ontology.current("HP:0000000") is None


def test_the_pack_knows_older_ids_and_maps_their_annotations(folder: Path) -> None:
    content = hpo.build_content(
        hpo.parse_obo(folder / "hp.obo"), hpo.read_annotations(folder / "phenotype.hpoa")
    )
    graph = KnowledgeGraph(content)
    seizure = graph.node("symptom:hp-0001250")
    assert [c.curie for c in seizure.codes] == ["HP:0001250", "HP:0009901"]
    assert graph.resolve("HP:0009901") == "symptom:hp-0001250"
    assert graph.resolve("hp:0009902") == "symptom:hp-0001263"
    assert not graph.has_node("symptom:hp-0009902")
    # The row coded HP:0009902 became an annotation of Global developmental delay.
    [edge] = graph.edges(subject="cause:omim-100003", object="symptom:hp-0001263")
    assert {ev.reference for ev in edge.evidence} == {"OMIM:100003", "PMID:77"}  # type: ignore[union-attr]


def test_kept_references() -> None:
    assert hpo.kept_references("PMID:1;OMIM:2", {"PMID:1"}) == ["OMIM:2"]
    assert hpo.kept_references("PMID:1", {"PMID:1"}) is None  # nothing left to rest on
    assert hpo.kept_references("PMID:1; PMID:3", frozenset()) == ["PMID:1", "PMID:3"]
    assert hpo.kept_references("", {"PMID:1"}) == []  # had none: not the exclusion's doing


def test_a_reference_list_is_read_and_checked(tmp_path: Path) -> None:
    good = tmp_path / "refs.txt"
    good.write_text("# dev publications\nPMID:1\n\nPMID:2  # second\n", encoding="utf-8")
    assert hpo.read_reference_list(good) == {"PMID:1", "PMID:2"}
    bad = tmp_path / "bad.txt"
    bad.write_text("PMID:1\n12345\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.txt:2: '12345' is not a reference"):
        hpo.read_reference_list(bad)


def test_excluded_references_leave_annotations_and_the_filtered_file(folder: Path) -> None:
    excluded = {"PMID:1", "PMID:2", "PMID:77"}
    rows = hpo.read_annotations(folder / "phenotype.hpoa", exclude_references=excluded).rows
    refs = {(r.disease, r.term): r.references for r in rows}
    assert refs["OMIM:100001", "HP:0001250"] == ["OMIM:100001"]  # PMID:1 dropped, PMID:2 row gone
    assert ("OMIM:100003", "HP:0009902") not in refs
    assert len(rows) == 7  # 9 aspect-P OMIM rows, less the PMID:2 and PMID:77 rows
    # The copy for another tool follows the same rule, row for row.
    copy = folder / "filtered.hpoa"
    hpo.write_without_references(folder / "phenotype.hpoa", copy, excluded)
    again = hpo.read_annotations(copy).rows
    assert [(r.disease, r.term, r.references) for r in again] == [
        (r.disease, r.term, r.references) for r in rows
    ]
    assert copy.read_text(encoding="utf-8").startswith("#description")


def test_import_cli_excludes_references(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    refs = tmp_path / "refs.txt"
    refs.write_text("PMID:77\n", encoding="utf-8")
    out = tmp_path / "pack"
    assert main(["import", "hpo", "--hpo-dir", str(folder), "--output", str(out),
                 "--exclude-references", str(refs)]) == 0  # fmt: skip
    graph = KnowledgeGraph(load_content([out]))
    assert (
        graph.edges(subject="cause:omim-100003", object="symptom:hp-0001263")[0]
        .evidence[0]
        .reference
        == "OMIM:100003"
    )  # type: ignore[union-attr]
    refs.write_text("not a reference\n", encoding="utf-8")
    assert main(["import", "hpo", "--hpo-dir", str(folder), "--output", str(out),
                 "--exclude-references", str(refs)]) == 1  # fmt: skip
    assert "cannot read the references to exclude" in capsys.readouterr().err
