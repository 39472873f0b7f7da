"""Validated content of one or more packs, before it becomes a graph."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from graph.schema.errors import Problem
from graph.schema.lexicon import LexiconRecord
from graph.schema.records import (
    EdgeEvidence,
    EdgeRecord,
    NodeRecord,
    PackManifest,
    RedFlagRecord,
    SourceRecord,
)

__all__ = ["Content", "Located", "edges_lost_at", "parse_record"]

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
    lexicon: list[Located[LexiconRecord]] = field(default_factory=list)

    def evidence(self) -> Iterator[tuple[str, str, Sequence[EdgeEvidence]]]:
        """(file, record label, evidence) for every record that carries evidence."""
        for node in self.nodes:
            yield node.file, node.record.id, node.record.evidence
            if node.record.prevalence is not None:
                yield node.file, f"{node.record.id} prevalence", node.record.prevalence.evidence
            if node.record.demographics is not None:
                label = f"{node.record.id} demographics"
                yield node.file, label, node.record.demographics.evidence
        for edge in self.edges:
            yield edge.file, edge.record.key, edge.record.evidence
        for flag in self.red_flags:
            yield flag.file, flag.record.id, flag.record.evidence
        for entry in self.lexicon:
            yield entry.file, entry.record.label, entry.record.evidence

    def content_hash(self) -> str:
        """A hash of the canonical content: equal content gives an equal version, in any order.

        Each record's JSON, sorted within its section, streams into the digest (one
        serialiser call per record and no combined document: 160,000 edges hash in ~1 s).
        """
        digest = hashlib.sha256()
        sections: dict[str, list[Any]] = {
            "packs": self.packs,
            "sources": self.sources,
            "nodes": self.nodes,
            "edges": self.edges,
            "red_flags": self.red_flags,
        }
        if self.lexicon:  # a pack without one keeps the version it had before lexicons
            sections["lexicon"] = self.lexicon
        for name, located in sections.items():
            digest.update(name.encode() + b"\n")
            records = sorted(r.record.__pydantic_serializer__.to_json(r.record) for r in located)
            for record in records:
                digest.update(record)
                digest.update(b"\n")  # JSON escapes newlines, so this cannot be ambiguous
        return digest.hexdigest()[:16]


M = TypeVar("M", bound=BaseModel)


def edges_lost_at(*ends: object) -> frozenset[str]:
    """What a dropped edge lost: an edge at each of its ends (`edges:<id>`), so that a node
    left with no edges by it is counted as a consequence, not reported as a cause."""
    return frozenset(f"edges:{end}" for end in ends if isinstance(end, str) and end)


def _lost_by(raw: object) -> frozenset[str]:
    """The ids a record that fails its schema takes with it: its own, or its edge's ends."""
    if not isinstance(raw, dict):
        return frozenset()
    ident = raw.get("id")
    if isinstance(ident, str):
        return frozenset({ident})
    return edges_lost_at(raw.get("subject"), raw.get("object"))


def parse_record(
    model: type[M], raw: object, where: str, label: str, problems: list[Problem]
) -> M | None:
    """`raw` as a `model` record; None, with each schema error added to `problems`, if not."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        # The record is dropped: references to its id follow from this problem.
        lost = _lost_by(raw)
        for error in exc.errors(include_url=False):
            field = ".".join(str(part) for part in error["loc"]) or "record"
            reason = f"{field}: {error['msg']}"
            problems.append(Problem(where, label, reason, root=True, lost=lost))
        return None
