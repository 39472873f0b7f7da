"""KGX TSV packs: the knee pack round-trips, the HPO sample loads, every problem is reported."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from graph.formats.kgx import write_pack, zip_chunks
from graph.knowledge import KnowledgeGraph
from graph.packs.kgx import EDGE_COLUMNS, NODE_COLUMNS
from graph.packs.loader import load_content, read_packs
from graph.packs.validate import validate_content
from graph.schema.errors import ContentError
from graph.schema.records import DatabaseEvidence, SourceKind
from graph.schema.vocabulary import NodeKind
from tests.paths import KNEE_PACK, REPO

SAMPLE = REPO / "seeds" / "hpo-sample"


@pytest.fixture(scope="module")
def knee() -> KnowledgeGraph:
    return KnowledgeGraph.from_packs([KNEE_PACK])


def test_the_knee_pack_round_trips_through_kgx(knee: KnowledgeGraph, tmp_path: Path) -> None:
    write_pack(knee, tmp_path / "knee")
    assert sorted(p.name for p in (tmp_path / "knee").iterdir()) == [
        "edges.tsv",
        "lexicon.yaml",
        "nodes.tsv",
        "pack.yaml",
        "red_flags.yaml",
        "sources.yaml",
    ]
    again = KnowledgeGraph.from_packs([tmp_path / "knee"])
    assert again.version == knee.version
    assert list(again.content_order) == list(knee.content_order)
    assert again.edges() == knee.edges()
    header = (tmp_path / "knee" / "edges.tsv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split("\t") == list(EDGE_COLUMNS)
    assert "\tbiolink:causes\t" in (tmp_path / "knee" / "edges.tsv").read_text(encoding="utf-8")


def test_the_zip_export_loads_back_and_is_byte_stable(knee: KnowledgeGraph, tmp_path: Path) -> None:
    data = b"".join(zip_chunks(knee))
    assert data == b"".join(zip_chunks(knee))  # strong ETags need stable bytes
    zipfile.ZipFile(io.BytesIO(data)).extractall(tmp_path)
    assert KnowledgeGraph.from_packs([tmp_path / "pack"]).version == knee.version


def test_two_packs_export_as_one(knee: KnowledgeGraph, tmp_path: Path) -> None:
    both = KnowledgeGraph.from_packs([KNEE_PACK, SAMPLE])
    write_pack(both, tmp_path / "both")
    content, problems = read_packs([tmp_path / "both"])
    assert problems == []
    assert content.packs[0].record.id == "knee-hpo-sample"
    assert [e.record for e in content.edges] == list(both.edges())
    # Merged into one pack, the two packs' shared everyday words ("twitching") now clash, and
    # so do the knee pack's HPO synonyms (lexicon-hpo.yaml) with the HPO terms' own.
    lexicon = "is already a name, synonym or lexicon phrase of"
    kinds = {lexicon if lexicon in p.reason else p.reason for p in validate_content(content)}
    assert {k.split(" '")[0] for k in kinds} == {"name or synonym", lexicon}


def test_the_hpo_sample_loads() -> None:
    graph = KnowledgeGraph.from_packs([SAMPLE])
    causes = graph.nodes(NodeKind.CAUSE)
    assert 45 <= len(causes) <= 50
    assert all(c.codes[0].curie.startswith("OMIM:") for c in causes)
    assert {s.kind for s in graph.sources()} == {SourceKind.DATABASE}
    for edge in graph.edges(subject=causes[0].id):
        assert all(isinstance(ev, DatabaseEvidence) for ev in edge.evidence)
    assert graph.resolve("HP:0000118") == "symptom:hp-0000118"


def _write(folder: Path, nodes: list[str], edges: list[str]) -> Path:
    (folder / "nodes.tsv").write_text("\n".join(nodes) + "\n", encoding="utf-8")
    (folder / "edges.tsv").write_text("\n".join(edges) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def bulk(tmp_path: Path) -> Path:
    """A copy of the HPO sample's manifest and sources, with nodes and edges written by a test."""
    folder = tmp_path / "bulk"
    folder.mkdir()
    for name in ("pack.yaml", "sources.yaml"):
        (folder / name).write_bytes((SAMPLE / name).read_bytes())
    return folder


NODE_HEADER = "\t".join(NODE_COLUMNS)
EDGE_HEADER = "\t".join(EDGE_COLUMNS)
A = "symptom:hp-0000001\tbiolink:PhenotypicFeature\tA\tx\t\tHP:0000001\t\t\t\t\t\t"
B = "symptom:hp-0000002\tbiolink:PhenotypicFeature\tB\tx\t\t\t\t\t\t\t\t"
GOOD_EDGE = (
    "k\tsymptom:hp-0000002\tbiolink:subclass_of\tsymptom:hp-0000001\tsource:hpo-ontology"
    "\tHP:0000002\t\t0.7\t\t\t\tfalse\t\t"
)


def test_a_minimal_bulk_pack_loads(bulk: Path) -> None:
    content = load_content([_write(bulk, [NODE_HEADER, A, B], [EDGE_HEADER, GOOD_EDGE])])
    assert [e.record.key for e in content.edges] == [
        "symptom:hp-0000002|subtype_of|symptom:hp-0000001"
    ]
    assert content.nodes[0].file == "bulk/nodes.tsv"


def test_columns_in_another_order_or_missing_are_read(bulk: Path) -> None:
    nodes = ["name\tid", "A\tsymptom:hp-0000001", "B\tsymptom:hp-0000002"]
    edges = [
        "object\tsubject\tpredicate\tprimary_knowledge_source\tpublications\tevidence_codes",
        "symptom:hp-0000001\tsymptom:hp-0000002\tsubtype_of\tsource:hpo-ontology\tHP:0000002\t",
    ]
    content, problems = read_packs([_write(bulk, nodes, edges)])
    # The schema still wants a description: reported, not guessed.
    assert {p.reason for p in problems} == {"description: String should have at least 1 character"}
    assert len(content.edges) == 1


def test_every_problem_in_a_bulk_pack_is_reported_at_once(bulk: Path) -> None:
    nodes = [
        NODE_HEADER,
        A,
        B,
        A,  # duplicate id
        "symptom:hp-0000003\tbiolink:Procedure\tC\tx\t\t\t\t\t\t\t\t",  # wrong category
        "symptom:hp-0000004\tbiolink:PhenotypicFeature\tD\tx\t\tXX:1\t\t\t\t\t\t",  # unknown xref
        "symptom:hp-0000005\tbiolink:PhenotypicFeature\tE\tx\t\t\t\t\t\t\t{oops\t",  # bad JSON
        "organ:knee\tbiolink:PhenotypicFeature\tF\tx\t\t\t\t\t\t\t\t",  # unknown kind
        "too\tfew",
    ]
    bad_edge = GOOD_EDGE.replace("\t0.7\t", "\tstrong\t")
    edges = [
        EDGE_HEADER,
        GOOD_EDGE,
        GOOD_EDGE,  # duplicate
        GOOD_EDGE.replace("biolink:subclass_of", "biolink:cures"),
        bad_edge,
        GOOD_EDGE.replace("\tHP:0000002\t\t", "\tHP:0000002\tXYZ\t"),  # unknown evidence code
        GOOD_EDGE.replace("\tHP:0000002\t\t", "\tHP:0000002|PMID:1\t\t"),  # codes misaligned
        GOOD_EDGE.replace("source:hpo-ontology", ""),  # no source
        GOOD_EDGE.replace("symptom:hp-0000001", "symptom:missing"),  # dangling
    ]
    with pytest.raises(ContentError) as info:
        load_content([_write(bulk, nodes, edges)])
    found = {(p.file, p.record.split(":")[0], p.reason.split(" (")[0]) for p in info.value.problems}
    reasons = " | ".join(str(p) for p in info.value.problems)
    assert ("bulk/nodes.tsv", "symptom", "duplicate id") in found
    assert "category 'biolink:Procedure' does not match" in reasons
    assert "xref 'XX:1' has an unknown prefix" in reasons
    assert "evidence: not valid JSON" in reasons
    assert "unknown node kind 'organ'" in reasons
    assert "bulk/nodes.tsv: line 9: has 2 cells; the header has 12" in reasons
    assert "duplicate edge" in reasons
    assert "unknown predicate; expected one of biolink:causes" in reasons
    assert "strength: 'strong' is not a number" in reasons
    assert "evidence 'HP:0000002': Input should be 'PCS', 'TAS' or 'IEA'" in reasons
    assert "evidence_codes must give one code (or nothing) per publication" in reasons
    assert "an edge needs one primary_knowledge_source" in reasons
    assert "refers to unknown node 'symptom:missing'" in reasons


@pytest.mark.parametrize(
    ("nodes", "edges", "reason"),
    [
        (None, None, "bulk/edges.tsv: -: required file is missing"),
        ("", "", "bulk/nodes.tsv: -: empty file: expected a header row"),
        ("id\tdescription", "", "bulk/nodes.tsv: -: missing column(s) name"),
        ("id\tname\n\xff", "", "bulk/nodes.tsv: -: not valid UTF-8"),
    ],
)
def test_unreadable_bulk_files_are_reported(
    bulk: Path, nodes: str | None, edges: str | None, reason: str
) -> None:
    (bulk / "nodes.tsv").write_bytes(
        (nodes if nodes is not None else NODE_HEADER).encode("latin-1")
    )
    if edges is not None:
        (bulk / "edges.tsv").write_text(edges, encoding="utf-8")
    _, problems = read_packs([bulk])
    assert any(str(p).startswith(reason) for p in problems), problems
