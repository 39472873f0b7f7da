"""Whole-graph exports: node-link JSON, GraphML, schema.org JSON-LD and KGX, written as they are
sent."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from enum import StrEnum
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from graph.formats.kgx import zip_chunks
from graph.knowledge import KnowledgeGraph
from graph.schema.records import EdgeRecord, NodeRecord
from graph.schema.vocabulary import KIND_MAPPINGS, PREDICATE_MAPPINGS, NodeKind

__all__ = [
    "CHUNK_BYTES",
    "JSON_LD_CONTEXT",
    "MEDIA_TYPES",
    "ExportFormat",
    "export",
    "export_chunks",
]

# schema.org also states some relations from the condition's side, where publishers of a
# condition page look for them; the domain of those properties is a condition type.
_CONDITION_SIDE = {"usedToDiagnose": "typicalTest"}
_CONDITION_TYPES = frozenset({"MedicalCondition", "MedicalSignOrSymptom"})


# Inline, so the document expands offline; every prefix of an `@id` is declared.
JSON_LD_CONTEXT: dict[str, str] = {
    "@vocab": "https://schema.org/",
    "schema": "https://schema.org/",
    "source": "urn:symptom-graph:source:",
    "symptom-graph": "urn:symptom-graph:dataset:",
    **{kind.value: f"urn:symptom-graph:{kind.value}:" for kind in NodeKind},
}


# Exports are sent in pieces of about this size, so no single write holds the loop long.
CHUNK_BYTES = 1 << 20


class ExportFormat(StrEnum):
    JSON = "json"
    GRAPHML = "graphml"
    JSONLD = "jsonld"
    KGX = "kgx"  # a zip of a KGX pack folder (graph/formats/kgx.py), loadable as a pack


MEDIA_TYPES = {
    ExportFormat.JSON: "application/json",
    ExportFormat.GRAPHML: "application/graphml+xml",
    ExportFormat.JSONLD: "application/ld+json",
    ExportFormat.KGX: "application/zip",
}


def export(graph: KnowledgeGraph, fmt: ExportFormat) -> bytes:
    """The whole graph in `fmt`, UTF-8 encoded (the CLI's export; the API streams)."""
    return b"".join(export_chunks(graph, fmt))


def export_chunks(graph: KnowledgeGraph, fmt: ExportFormat) -> Iterator[bytes]:
    """The whole graph in `fmt`, in pieces of about `CHUNK_BYTES`, written as they are sent.

    No document's text is held whole (JSON-LD's entities are gathered first, as structures):
    the full HPO pack's node-link JSON is 130 MB and its GraphML 80 MB, and building them
    whole took the process from 670 MB to 2 GB.
    """
    if fmt is ExportFormat.KGX:
        yield from zip_chunks(graph)
        return
    writers = {
        ExportFormat.JSON: _node_link,
        ExportFormat.GRAPHML: _graphml,
        ExportFormat.JSONLD: _json_ld_text,
    }
    buffer: list[str] = []
    size = 0
    for piece in writers[fmt](graph):
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK_BYTES:
            yield "".join(buffer).encode()
            buffer.clear()
            size = 0
    yield "".join(buffer).encode()


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _node_link(graph: KnowledgeGraph) -> Iterator[str]:
    """`json.dumps(nx.node_link_data(G, edges="edges"), sort_keys=True)` plus a "links" key,
    written an element at a time (top-level keys in sorted order, as `sort_keys` puts them).

    networkx before 3.6 reads node-link edges from "links" by default, 3.6 and later from
    "edges": both keys, so `node_link_graph(data)` loads under either default.

    Written from the records, in the order networkx lists them, without `graph.graph`: that
    NetworkX form is kept once built, and on the HPO pack it held about 120 MB for good.
    """
    edges = _networkx_edge_order(graph)

    def edge_items() -> Iterator[str]:
        for i, edge in enumerate(edges):
            attributes = edge.model_dump(mode="json", exclude={"subject", "object", "predicate"})
            item = {
                **attributes,
                "predicate": edge.predicate.value,
                "source": edge.subject,
                "target": edge.object,
                "key": edge.key,
            }
            yield (", " if i else "") + _dumps(item)

    yield '{"directed": true, "edges": ['
    yield from edge_items()
    yield f'], "graph": {_dumps({"version": graph.version})}, "links": ['
    yield from edge_items()
    yield '], "multigraph": true, "nodes": ['
    for i, node in enumerate(graph.nodes()):
        item = {**node.model_dump(mode="json", exclude={"id"}), "kind": node.kind, "id": node.id}
        yield (", " if i else "") + _dumps(item)
    yield "]}"


def _networkx_edge_order(graph: KnowledgeGraph) -> list[EdgeRecord]:
    """The edges as a MultiDiGraph built from the records lists them: by subject in node
    order, then by object in the order first linked, then in the order added."""
    by_subject: dict[str, dict[str, list[EdgeRecord]]] = {}
    for edge in graph.edges():
        by_subject.setdefault(edge.subject, {}).setdefault(edge.object, []).append(edge)
    return [
        edge
        for node in graph.nodes()
        for parallel in by_subject.get(node.id, {}).values()
        for edge in parallel
    ]


def _json_ld_text(graph: KnowledgeGraph) -> Iterator[str]:
    document = _json_ld(graph)
    yield f'{{"@context": {_dumps(document["@context"])}, "@graph": ['
    for i, entity in enumerate(document["@graph"]):
        yield (", " if i else "") + _dumps(entity)
    yield "]}"


# GraphML attributes are scalars: lists are joined with '|', evidence is a JSON string.
NODE_ATTRIBUTES = {
    "kind": "string",
    "name": "string",
    "description": "string",
    "synonyms": "string",
    "codes": "string",
    "question": "string",
}
EDGE_ATTRIBUTES = {
    "predicate": "string",
    "strength": "double",
    "inferred": "boolean",
    "reasoning": "string",
    "sources": "string",
    "evidence": "string",
}


def node_row(node: NodeRecord) -> dict[str, str]:
    return {
        "kind": node.kind.value,
        "name": node.name,
        "description": node.description,
        "synonyms": "|".join(node.synonyms),
        "codes": "|".join(f"{c.system.value}:{c.code}" for c in node.codes),
        "question": node.question or "",
    }


def edge_row(edge: EdgeRecord) -> dict[str, str | float | bool]:
    return {
        "predicate": edge.predicate.value,
        "strength": edge.strength,
        "inferred": edge.inferred,
        "reasoning": edge.reasoning or "",
        "sources": "|".join(sorted({ev.source for ev in edge.evidence})),
        "evidence": json.dumps([ev.model_dump(mode="json") for ev in edge.evidence]),
    }


def _graphml(graph: KnowledgeGraph) -> Iterator[str]:
    """GraphML as networkx writes it, an element at a time (its writer builds the whole XML
    tree first); `nx.read_graphml` reads it back."""
    keys = {("node", name): f"n{i}" for i, name in enumerate(NODE_ATTRIBUTES)}
    keys |= {("edge", name): f"e{i}" for i, name in enumerate(EDGE_ATTRIBUTES)}
    yield (
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
        'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
    )
    for (domain, name), key in keys.items():
        kind = (NODE_ATTRIBUTES if domain == "node" else EDGE_ATTRIBUTES)[name]
        yield f'  <key id="{key}" for="{domain}" attr.name="{name}" attr.type="{kind}" />\n'
    yield '  <graph edgedefault="directed">\n'
    for node in graph.nodes():
        yield f"    <node id={quoteattr(node.id)}>"
        yield _graphml_data(keys, "node", node_row(node))
        yield "</node>\n"
    for edge in graph.edges():
        ends = f"source={quoteattr(edge.subject)} target={quoteattr(edge.object)}"
        yield f"    <edge {ends} id={quoteattr(edge.key)}>"
        yield _graphml_data(keys, "edge", edge_row(edge))
        yield "</edge>\n"
    yield "  </graph>\n</graphml>"


def _graphml_data(keys: dict[tuple[str, str], str], domain: str, row: Mapping[str, object]) -> str:
    return "".join(
        f'<data key="{keys[domain, name]}">'
        f"{str(value).lower() if isinstance(value, bool) else escape(str(value))}</data>"
        for name, value in row.items()
    )


def _json_ld(graph: KnowledgeGraph) -> dict[str, Any]:
    entities: dict[str, dict[str, Any]] = {}
    for node in graph.nodes():
        entity: dict[str, Any] = {
            "@id": node.id,
            "@type": KIND_MAPPINGS[node.kind].schema_org_type,
            "identifier": node.id,
            "name": node.name,
            "description": node.description,
        }
        if node.synonyms:
            entity["alternateName"] = list(node.synonyms)
        if node.codes:
            entity["code"] = [
                {"@type": "MedicalCode", "codeValue": c.code, "codingSystem": c.system.value}
                for c in node.codes
            ]
        entities[node.id] = entity
    for edge in graph.edges():
        mapping = PREDICATE_MAPPINGS[edge.predicate]
        if mapping.schema_org_property is None:
            continue
        holder, target = (
            (edge.object, edge.subject)
            if mapping.schema_org_inverse
            else (edge.subject, edge.object)
        )
        # `cause` is also the prefix of cause ids in the context: that property goes in full.
        prop = mapping.schema_org_property
        prop = f"schema:{prop}" if prop in JSON_LD_CONTEXT else prop
        entities[holder].setdefault(prop, []).append({"@id": target})
        reverse = _CONDITION_SIDE.get(mapping.schema_org_property)
        if reverse is not None and entities[target]["@type"] in _CONDITION_TYPES:
            entities[target].setdefault(reverse, []).append({"@id": holder})
    dataset = {
        "@id": f"symptom-graph:{graph.version}",
        "@type": "Dataset",
        "name": " + ".join(pack.title for pack in graph.packs),
        "version": graph.version,
        "creditText": " ".join(pack.attribution for pack in graph.packs),
        "usageInfo": " ".join(d.text for d in graph.disclaimers),
        "citation": [
            {"@id": s.id, "@type": "CreativeWork", "name": s.title, **_bibliography(s.id, graph)}
            for s in graph.sources()
        ],
    }
    return {"@context": JSON_LD_CONTEXT, "@graph": [dataset, *entities.values()]}


def _bibliography(source_id: str, graph: KnowledgeGraph) -> dict[str, Any]:
    source = graph.source(source_id)
    fields: dict[str, Any] = {}
    if source.publisher:
        fields["publisher"] = source.publisher
    if source.published:
        fields["datePublished"] = source.published.isoformat()
    elif source.year:
        fields["datePublished"] = str(source.year)
    if source.authors:
        fields["author"] = list(source.authors)
    if source.url:
        fields["url"] = source.url
    return fields
