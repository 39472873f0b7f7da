"""Whole-graph exports written a piece at a time: the same documents the libraries would write
whole, in chunks of bounded size."""

from __future__ import annotations

import io
import json
from pathlib import Path

import networkx as nx
import pytest

from graph.formats import export as exports
from graph.formats.export import ExportFormat, edge_row, export, export_chunks, node_row
from graph.knowledge import KnowledgeGraph
from tests.paths import KNEE_PACK, REPO


@pytest.fixture(scope="module")
def knee() -> KnowledgeGraph:
    return KnowledgeGraph.from_packs([KNEE_PACK])


@pytest.mark.parametrize("pack", [KNEE_PACK, REPO / "seeds" / "hpo-sample"])
def test_node_link_json_is_what_networkx_and_json_write(pack: Path) -> None:
    graph = KnowledgeGraph.from_packs([pack])
    written = export(graph, ExportFormat.JSON)
    # Written from the records: the NetworkX form, kept once built, is not built for it.
    assert "graph" not in vars(graph)
    data = nx.node_link_data(graph.graph, edges="edges")
    data["links"] = data["edges"]
    expected = json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
    assert written == expected
    loaded = nx.node_link_graph(json.loads(expected), edges="edges")
    assert loaded.number_of_edges() == len(graph.edges())


def test_json_ld_is_the_whole_document_dumped_at_once(knee: KnowledgeGraph) -> None:
    document = exports._json_ld(knee)
    expected = json.dumps(document, ensure_ascii=False, sort_keys=True).encode()
    assert export(knee, ExportFormat.JSONLD) == expected


@pytest.mark.parametrize("pack", [KNEE_PACK, REPO / "seeds" / "hpo-sample"])
def test_graphml_reads_back_as_networkx_writes_it(pack: Path) -> None:
    graph = KnowledgeGraph.from_packs([pack])
    reference = nx.MultiDiGraph()
    for node in graph.nodes():
        reference.add_node(node.id, **node_row(node))
    for edge in graph.edges():
        reference.add_edge(edge.subject, edge.object, key=edge.key, **edge_row(edge))
    written = "\n".join(nx.generate_graphml(reference)).encode()
    ours = nx.read_graphml(io.BytesIO(export(graph, ExportFormat.GRAPHML)), force_multigraph=True)
    theirs = nx.read_graphml(io.BytesIO(written), force_multigraph=True)
    assert dict(ours.nodes(data=True)) == dict(theirs.nodes(data=True))
    assert sorted(ours.edges(keys=True, data=True), key=str) == sorted(
        theirs.edges(keys=True, data=True), key=str
    )
    assert ours.number_of_edges() == len(graph.edges())


@pytest.mark.parametrize("fmt", [ExportFormat.JSON, ExportFormat.GRAPHML, ExportFormat.JSONLD])
def test_documents_come_in_bounded_chunks(
    knee: KnowledgeGraph, fmt: ExportFormat, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = export(knee, fmt)
    monkeypatch.setattr(exports, "CHUNK_BYTES", 4096)
    chunks = list(export_chunks(knee, fmt))
    assert b"".join(chunks) == whole
    assert len(chunks) > len(whole) // 8192
    # A chunk ends at the first piece past the limit; no piece (one node or edge) is huge.
    assert max(len(c) for c in chunks) < 4096 + 16_384
