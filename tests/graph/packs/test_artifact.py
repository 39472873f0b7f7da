"""Built packs: the same records back, and every damaged file refused before it is decoded."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import orjson
import pytest

from graph.knowledge import KnowledgeGraph
from graph.packs.artifact import (
    FORMAT_VERSION,
    MAGIC,
    ArtifactError,
    Documents,
    check_artifact,
    read_artifact,
    write_artifact,
)
from graph.packs.loader import load_content
from graph.packs.records_codec import RecordCodec
from graph.schema.content import Content
from graph.schema.records import EdgeRecord
from tests.paths import KNEE_PACK

HPO_SAMPLE = KNEE_PACK.parent / "hpo-sample"
SECTIONS = ("packs", "sources", "nodes", "edges", "red_flags")
_HEADER = len(MAGIC) + 32 + 8  # magic, digest, header length


def _built(tmp_path: Path, packs: list[Path]) -> tuple[Content, Path]:
    content = load_content(packs)
    path = tmp_path / "pack.sgpack"
    write_artifact(path, content, content.content_hash())
    return content, path


@pytest.mark.parametrize("packs", [[KNEE_PACK], [HPO_SAMPLE], [KNEE_PACK, HPO_SAMPLE]])
def test_records_come_back_equal_with_their_files_and_set_fields(
    tmp_path: Path, packs: list[Path]
) -> None:
    content, path = _built(tmp_path, packs)
    artifact = read_artifact(path)
    assert artifact.version == content.content_hash() == artifact.content.content_hash()
    for name in SECTIONS:
        ours, theirs = getattr(content, name), getattr(artifact.content, name)
        assert [(r.file, r.record) for r in ours] == [(r.file, r.record) for r in theirs]
        # exclude_unset dumps and the KGX writer's exclude_defaults read these.
        assert [r.record.model_fields_set for r in ours] == [
            r.record.model_fields_set for r in theirs
        ]
        assert [type(r.record) for r in ours] == [type(r.record) for r in theirs]
    # Ids are one object per value, as validation leaves them (memory: 160,000 HPO edges).
    ends = [e.record.subject for e in artifact.content.edges]
    ends += [e.record.object for e in artifact.content.edges]
    assert len({id(end) for end in ends}) == len(set(ends))
    edge = artifact.content.edges[0].record
    assert type(edge.predicate) is type(content.edges[0].record.predicate)  # an enum, not a str
    assert KnowledgeGraph(artifact.content, artifact.version).version == artifact.version


def test_arrays_are_mapped_from_the_file_not_copied(tmp_path: Path) -> None:
    content = load_content([KNEE_PACK])
    path = tmp_path / "pack.sgpack"
    grid = np.arange(12, dtype=np.float64).reshape(3, 4)
    write_artifact(path, content, "v", {"grid": grid, "ids": np.array([3, 1], dtype=np.int32)})
    arrays = read_artifact(path).arrays
    assert np.array_equal(arrays["grid"], grid)
    assert arrays["ids"].tolist() == [3, 1]
    assert not arrays["grid"].flags.owndata
    assert not arrays["grid"].flags.writeable
    assert arrays["grid"].ctypes.data % 64 == 0


def _rewritten(path: Path, header_change: dict[str, object]) -> None:
    """The file with its header changed and a digest that matches again."""
    data = path.read_bytes()
    length = int.from_bytes(data[len(MAGIC) + 32 : _HEADER], "little")
    header = orjson.loads(data[_HEADER : _HEADER + length]) | header_change
    new_header = orjson.dumps(header).ljust(length)
    body = length.to_bytes(8, "little") + new_header + data[_HEADER + length :]
    path.write_bytes(MAGIC + hashlib.sha256(body).digest() + body)


def _damage(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "corrupt":
        data[-10] ^= 0xFF
        path.write_bytes(data)
    elif how == "tampered":  # another graph version written into the header, digest kept
        at = data.index(b'"graph_version":"') + len(b'"graph_version":"')
        data[at] = ord("0") if data[at] != ord("0") else ord("1")
        path.write_bytes(data)
    elif how == "wrong version":
        _rewritten(path, {"format": FORMAT_VERSION + 1})
    elif how == "not a built pack":
        path.write_bytes(b"id\tname\n" * 20)
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "only the magic":
        path.write_bytes(MAGIC)


@pytest.mark.parametrize(
    ("how", "says"),
    [
        ("truncated", "truncated, corrupt or altered"),
        ("corrupt", "truncated, corrupt or altered"),
        ("tampered", "truncated, corrupt or altered"),
        ("only the magic", "truncated, corrupt or altered"),
        (
            "wrong version",
            f"format {FORMAT_VERSION + 1}, this version reads format {FORMAT_VERSION}",
        ),
        ("not a built pack", "not a symptom-graph built pack"),
        ("empty", "cannot read the built pack (the file is empty)"),
    ],
)
def test_a_damaged_file_is_refused_in_one_line(tmp_path: Path, how: str, says: str) -> None:
    _, path = _built(tmp_path, [KNEE_PACK])
    check_artifact(path)  # intact before
    _damage(path, how)
    for read in (check_artifact, read_artifact):
        with pytest.raises(ArtifactError) as caught:
            read(path)
        message = str(caught.value)
        assert says in message
        assert str(path) in message
        assert "\n" not in message


def test_a_malformed_payload_with_a_matching_digest_is_refused(tmp_path: Path) -> None:
    _, path = _built(tmp_path, [KNEE_PACK])
    _rewritten(path, {"sections": {"records": {"offset": 0, "length": 5}}})
    with pytest.raises(ArtifactError, match="malformed built pack"):
        read_artifact(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="cannot read the built pack"):
        read_artifact(tmp_path / "absent.sgpack")


def test_documents_come_back_and_are_decoded_when_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = load_content([KNEE_PACK])
    path = tmp_path / "pack.sgpack"
    stored = {"search/x": {"words": [["ache", 3]]}, "parse/y": {"knee": [1, 2]}}
    write_artifact(path, content, content.content_hash(), documents=stored)
    decoded: list[object] = []
    real_loads = orjson.loads

    def counted(data: bytes | bytearray | memoryview | str) -> object:
        decoded.append(data)
        return real_loads(data)

    monkeypatch.setattr(orjson, "loads", counted)
    documents = read_artifact(path).documents
    reading = len(decoded)  # the header and the records
    assert set(documents) == set(stored)
    assert len(decoded) == reading
    assert documents["parse/y"] == stored["parse/y"]
    assert dict(documents) == stored
    assert len(decoded) == reading + 3


def test_a_document_that_is_not_json_is_refused_when_read(tmp_path: Path) -> None:
    path = tmp_path / "pack.sgpack"
    documents = Documents(path, {"search/x": b"{not json"})
    assert list(documents) == ["search/x"]
    with pytest.raises(ArtifactError, match="malformed document 'search/x'") as caught:
        documents["search/x"]
    assert str(path) in str(caught.value)


def test_a_file_whose_records_have_other_fields_is_refused_as_build_it_again(
    tmp_path: Path,
) -> None:
    _, path = _built(tmp_path, [KNEE_PACK])
    # As a file built before a record type gained a field: same format number, other rows.
    _rewritten(path, {"schema": "0123456789abcdef"})
    for read in (check_artifact, read_artifact):
        with pytest.raises(ArtifactError, match="build it again") as caught:
            read(path)
        assert "fields changed" in str(caught.value)


def test_the_schema_follows_the_records_fields() -> None:
    class Wider(EdgeRecord):
        note: str = ""

    assert RecordCodec((EdgeRecord,)).schema() == RecordCodec((EdgeRecord,)).schema()
    assert RecordCodec((Wider,)).schema() != RecordCodec((EdgeRecord,)).schema()


@pytest.mark.parametrize("packs", [[KNEE_PACK], [KNEE_PACK, HPO_SAMPLE]])
def test_a_built_packs_graph_decodes_edges_only_when_read_and_answers_alike(
    tmp_path: Path, packs: list[Path]
) -> None:
    content, path = _built(tmp_path, packs)
    artifact = read_artifact(path)
    graph = KnowledgeGraph(artifact.records, artifact.version, artifact.edges)
    decoded = artifact.edges._records  # the records decoded so far
    assert graph.counts_by_predicate == KnowledgeGraph(content).counts_by_predicate
    assert decoded.count(None) == len(content.edges)  # none made by the start
    graph.edge_ends()
    assert decoded.count(None) == len(content.edges)
    expected = KnowledgeGraph(content)
    some = expected.edges()[len(content.edges) // 2]
    assert graph.edges(subject=some.subject, predicate=some.predicate) == expected.edges(
        subject=some.subject, predicate=some.predicate
    )
    assert 0 < len(content.edges) - decoded.count(None) < len(content.edges)
    assert list(graph.edge_keys) == list(expected.edge_keys)
    assert graph.edges() == expected.edges()
    for node_id in expected.node_ids:
        assert graph.neighbours(node_id) == expected.neighbours(node_id)
        assert graph.edges(object=node_id) == expected.edges(object=node_id)
    for source in expected.sources():
        assert graph.edges_citing(source.id) == expected.edges_citing(source.id)
    assert list(graph.edge_ends()) == [(e.subject, e.object) for e in expected.edges()]
