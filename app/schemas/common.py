"""Shapes shared by many endpoints: nodes, edges, evidence, pages, the disclaimer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from graph.knowledge import Direction
from graph.models import EdgeRecord, Evidence, NodeRecord
from graph.vocabulary import NodeKind, Predicate

__all__ = [
    "ID_PATTERN",
    "SLUG",
    "CodeOut",
    "DisclaimerOut",
    "EdgeOut",
    "EvidenceOut",
    "NeighbourOut",
    "NodeId",
    "NodeOut",
    "NodeSummary",
]

SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
ID_PATTERN = rf"^[a-z][a-z-]{{0,30}}:{SLUG}$"
NodeId = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=120)]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class NodeSummary(_Out):
    id: str = Field(examples=["symptom:numbness"])
    # Without its own example, docs would show the enum's first value (condition) beside
    # a symptom id.
    kind: NodeKind = Field(examples=["symptom"])
    name: str = Field(examples=["Numbness around the knee"])

    @classmethod
    def of(cls, node: NodeRecord) -> NodeSummary:
        return cls(id=node.id, kind=node.kind, name=node.name)


class CodeOut(_Out):
    system: str = Field(examples=["ICD-10-CM"])
    code: str = Field(examples=["R25.3"])


class EvidenceOut(_Out):
    source: str = Field(description="The source quoted.", examples=["source:fivali-knee-twitching"])
    excerpt: str = Field(description="A verbatim excerpt (at most 300 characters).")
    cites: str | None = Field(default=None, description="A work the excerpt itself credits.")

    @classmethod
    def all_of(cls, evidence: Sequence[Evidence]) -> list[EvidenceOut]:
        return [cls(source=e.source, excerpt=e.excerpt, cites=e.cites) for e in evidence]


class NodeOut(NodeSummary):
    synonyms: list[str]
    description: str
    codes: list[CodeOut]
    question: str | None = Field(description="A yes/no question a symptom checker can ask.")
    evidence: list[EvidenceOut]

    @classmethod
    def of(cls, node: NodeRecord) -> NodeOut:
        return cls(
            id=node.id,
            kind=node.kind,
            name=node.name,
            synonyms=list(node.synonyms),
            description=node.description,
            codes=[CodeOut(system=c.system.value, code=c.code) for c in node.codes],
            question=node.question,
            evidence=EvidenceOut.all_of(node.evidence),
        )


class EdgeOut(_Out):
    id: str = Field(
        description="`subject|predicate|object`.",
        examples=["cause:dehydration|causes|symptom:involuntary-contractions"],
    )
    subject: str
    predicate: Predicate
    object: str
    strength: float = Field(description="The scoring model's weight for this edge (0-1].")
    inferred: bool = Field(description="True when the sources only imply this edge.")
    reasoning: str | None = Field(description="Why an inferred edge holds.")
    evidence: list[EvidenceOut] = Field(min_length=1)

    @classmethod
    def of(cls, edge: EdgeRecord) -> EdgeOut:
        return cls(
            id=edge.key,
            subject=edge.subject,
            predicate=edge.predicate,
            object=edge.object,
            strength=edge.strength,
            inferred=edge.inferred,
            reasoning=edge.reasoning,
            evidence=EvidenceOut.all_of(edge.evidence),
        )


class NeighbourOut(_Out):
    direction: Direction = Field(description="`out` when the node asked for is the subject.")
    node: NodeSummary = Field(description="The node at the other end of the edge.")
    edge: EdgeOut

    @classmethod
    def of(
        cls, direction: Direction, edge: EdgeOut, summaries: Mapping[str, NodeSummary]
    ) -> NeighbourOut:
        other = edge.object if direction is Direction.OUT else edge.subject
        return cls(direction=direction, node=summaries[other], edge=edge)


class DisclaimerOut(_Out):
    text: str
    source: str
    notice: str = Field(
        description="symptom-graph's own notice: the response is reference material, not a diagnosis."
    )
