"""Everything the request path reads, built once when the service starts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.render import DiagnosisRenderer
from app.schemas.common import DisclaimerOut, EdgeOut, NodeOut, NodeSummary
from graph.export import ExportFormat, export
from graph.knowledge import KnowledgeGraph
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
    edges: dict[str, EdgeOut]
    disclaimer: DisclaimerOut
    diagnoses: DiagnosisRenderer
    built_at: dt.datetime

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
        return cls(
            graph=graph,
            diagnoser=diagnoser,
            paths=PathFinder(graph),
            search=SearchIndex(graph),
            exports={fmt: export(graph, fmt) for fmt in ExportFormat},
            summaries=summaries,
            nodes={n.id: NodeOut.of(n) for n in graph.nodes()},
            edges=edges,
            disclaimer=disclaimer,
            diagnoses=DiagnosisRenderer(
                diagnoser, summaries, edges, disclaimer, diagnose_cache_size
            ),
            built_at=dt.datetime.now(dt.UTC),
        )
