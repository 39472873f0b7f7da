"""Validated content of one or more packs, before it becomes a graph."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from graph.models import (
    EdgeEvidence,
    EdgeRecord,
    NodeRecord,
    PackManifest,
    RedFlagRecord,
    SourceRecord,
)

__all__ = ["Content", "Located"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Located(Generic[T]):
    """A record with the file it came from, so that every problem can name its place."""

    file: str
    record: T


@dataclass(slots=True)
class Content:
    packs: list[Located[PackManifest]] = field(default_factory=list)
    sources: list[Located[SourceRecord]] = field(default_factory=list)
    nodes: list[Located[NodeRecord]] = field(default_factory=list)
    edges: list[Located[EdgeRecord]] = field(default_factory=list)
    red_flags: list[Located[RedFlagRecord]] = field(default_factory=list)

    def evidence(self) -> Iterator[tuple[str, str, Sequence[EdgeEvidence]]]:
        """(file, record label, evidence) for every record that carries evidence."""
        for node in self.nodes:
            yield node.file, node.record.id, node.record.evidence
            if node.record.prevalence is not None:
                yield node.file, f"{node.record.id} prevalence", node.record.prevalence.evidence
        for edge in self.edges:
            yield edge.file, edge.record.key, edge.record.evidence
        for flag in self.red_flags:
            yield flag.file, flag.record.id, flag.record.evidence

    def content_hash(self) -> str:
        """A hash of the canonical content: equal content gives an equal version, in any order."""
        canonical = {
            "packs": sorted(p.record.model_dump_json() for p in self.packs),
            "sources": sorted(s.record.model_dump_json() for s in self.sources),
            "nodes": sorted(n.record.model_dump_json() for n in self.nodes),
            "edges": sorted(e.record.model_dump_json() for e in self.edges),
            "red_flags": sorted(r.record.model_dump_json() for r in self.red_flags),
        }
        digest = hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()
        return digest[:16]
