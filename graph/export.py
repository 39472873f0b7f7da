"""Whole-graph exports: node-link JSON, GraphML and schema.org JSON-LD (built once, served as bytes)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

import networkx as nx

from graph.kgx import zip_chunks
from graph.knowledge import KnowledgeGraph
from graph.vocabulary import KIND_MAPPINGS, PREDICATE_MAPPINGS, NodeKind

__all__ = ["JSON_LD_CONTEXT", "MEDIA_TYPES", "ExportFormat", "export"]

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


class ExportFormat(StrEnum):
    JSON = "json"
    GRAPHML = "graphml"
    JSONLD = "jsonld"
    KGX = "kgx"  # a zip of a KGX pack folder (graph/kgx.py), loadable as a pack


MEDIA_TYPES = {
    ExportFormat.JSON: "application/json",
    ExportFormat.GRAPHML: "application/graphml+xml",
    ExportFormat.JSONLD: "application/ld+json",
    ExportFormat.KGX: "application/zip",
}


def export(graph: KnowledgeGraph, fmt: ExportFormat) -> bytes:
    """The whole graph in `fmt`, UTF-8 encoded."""
    if fmt is ExportFormat.JSON:
        data = nx.node_link_data(graph.graph, edges="edges")
        # networkx before 3.6 reads node-link edges from "links" by default, 3.6 and later
        # from "edges": both keys, so `node_link_graph(data)` loads under either default.
        data["links"] = data["edges"]
        return json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
    if fmt is ExportFormat.GRAPHML:
        return "\n".join(nx.generate_graphml(_flattened(graph))).encode()
    if fmt is ExportFormat.KGX:
        return b"".join(zip_chunks(graph))
    return json.dumps(_json_ld(graph), ensure_ascii=False, sort_keys=True).encode()


def _flattened(graph: KnowledgeGraph) -> nx.MultiDiGraph:
    """A copy whose attributes are all scalars, as GraphML requires (lists joined with '|')."""
    flat = nx.MultiDiGraph()
    for node in graph.nodes():
        flat.add_node(
            node.id,
            kind=node.kind.value,
            name=node.name,
            description=node.description,
            synonyms="|".join(node.synonyms),
            codes="|".join(f"{c.system.value}:{c.code}" for c in node.codes),
            question=node.question or "",
        )
    for edge in graph.edges():
        flat.add_edge(
            edge.subject,
            edge.object,
            key=edge.key,
            predicate=edge.predicate.value,
            strength=edge.strength,
            inferred=edge.inferred,
            reasoning=edge.reasoning or "",
            sources="|".join(sorted({ev.source for ev in edge.evidence})),
            evidence=json.dumps([ev.model_dump(mode="json") for ev in edge.evidence]),
        )
    return flat


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
