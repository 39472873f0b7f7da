"""Everything the request path reads, built once when the service starts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from app.openapi import API_VERSION
from app.render import DiagnosisRenderer
from app.schemas.catalog import MetaOut, NeighbourGroup, NodeDetail, PackOut, SourceOut
from app.schemas.common import DisclaimerOut, EdgeOut, NeighbourOut, NodeOut, NodeSummary
from graph.export import ExportFormat, export
from graph.knowledge import KnowledgeGraph, Neighbour
from graph.reasoning import Diagnoser, PathFinder
from graph.search import SearchIndex

__all__ = ["NOTICE", "Runtime"]

NOTICE = (
    "symptom-graph returns educational reference material from the cited sources. "
    "It is not a diagnosis and not medical advice."
)


@dataclass(frozen=True, slots=True)
class Runtime:
    graph: KnowledgeGraph
    diagnoser: Diagnoser
    paths: PathFinder
    search: SearchIndex
    exports: dict[ExportFormat, bytes]
    summaries: dict[str, NodeSummary]
    nodes: dict[str, NodeOut]
    # The JSON of GET /v1/nodes/{id} for every node: the content is small and never changes.
    node_details: dict[str, bytes]
    edges: dict[str, EdgeOut]
    sources: dict[str, SourceOut]
    # Each source id's slug, which is what a mistyped id is compared with.
    source_slugs: dict[str, str]
    disclaimer: DisclaimerOut
    diagnoses: DiagnosisRenderer
    meta: MetaOut

    @classmethod
    def load(cls, packs: Sequence[Path], diagnose_cache_size: int = 256) -> Runtime:
        """Load, validate and index the packs; raises `ContentError` on invalid content."""
        graph = KnowledgeGraph.from_packs(packs)
        diagnoser = Diagnoser(graph)
        summaries = {n.id: NodeSummary.of(n) for n in graph.nodes()}
        edges = {e.key: EdgeOut.of(e) for e in graph.edges()}
        disclaimer = DisclaimerOut(
            text="\n\n".join(d.text for d in graph.disclaimers),
            source=", ".join(d.source for d in graph.disclaimers),
            notice=NOTICE,
        )
        nodes = {n.id: NodeOut.of(n) for n in graph.nodes()}
        details = {
            node_id: _node_detail(graph, node, summaries, edges, disclaimer).model_dump_json()
            for node_id, node in nodes.items()
        }
        meta = MetaOut(
            api_version=API_VERSION,
            graph_version=graph.version,
            packs=[PackOut.of(p) for p in graph.packs],
            counts_by_kind=dict(graph.counts_by_kind),
            counts_by_predicate=dict(graph.counts_by_predicate),
            built_at=dt.datetime.now(dt.UTC),
            disclaimer=disclaimer,
        )
        return cls(
            graph=graph,
            diagnoser=diagnoser,
            paths=PathFinder(graph),
            search=SearchIndex(graph),
            exports={fmt: export(graph, fmt) for fmt in ExportFormat},
            summaries=summaries,
            nodes=nodes,
            node_details={node_id: text.encode() for node_id, text in details.items()},
            edges=edges,
            sources={s.id: SourceOut.of(s) for s in graph.sources()},
            source_slugs={s.id: s.id.partition(":")[2] for s in graph.sources()},
            disclaimer=disclaimer,
            diagnoses=DiagnosisRenderer(
                diagnoser, summaries, edges, disclaimer, diagnose_cache_size
            ),
            meta=meta,
        )


def _node_detail(
    graph: KnowledgeGraph,
    node: NodeOut,
    summaries: dict[str, NodeSummary],
    edges: dict[str, EdgeOut],
    disclaimer: DisclaimerOut,
) -> NodeDetail:
    """A node with its neighbours grouped by predicate, then direction."""

    def group_key(item: Neighbour) -> tuple[str, str]:
        return (item.edge.predicate, item.direction)

    neighbours = sorted(graph.neighbours(node.id), key=group_key)
    groups = [
        NeighbourGroup(
            predicate=predicate,
            direction=direction,
            neighbours=[
                NeighbourOut.of(n.direction, edges[n.edge.key], summaries) for n in members
            ],
        )
        for (predicate, direction), members in groupby(neighbours, key=group_key)
    ]
    return NodeDetail(node=node, neighbours=groups, disclaimer=disclaimer)
