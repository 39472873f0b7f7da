"""Shapes shared by many endpoints: nodes, edges, evidence, pages, the disclaimer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from graph.knowledge import Direction
from graph.reasoning.explain import edge_sensitivity
from graph.schema.records import (
    EdgeEvidence,
    EdgeRecord,
    Evidence,
    Frequency,
    NodeRecord,
    Prevalence,
    PrevalenceClass,
)
from graph.schema.vocabulary import NodeKind, Predicate

__all__ = [
    "ID_PATTERN",
    "NODE_REF_PATTERN",
    "SLUG",
    "CodeOut",
    "DisclaimerOut",
    "EdgeOut",
    "EvidenceOut",
    "NeighbourOut",
    "NodeId",
    "NodeOut",
    "NodeSummary",
    "PrevalenceOut",
]

SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
ID_PATTERN = rf"^[a-z][a-z-]{{0,30}}:{SLUG}$"
# A node id, or a standard code as a CURIE (HP:0001250, OMIM:147791, ICD10CM:R25.1) or bare
# (R25.1, 2132-9); the graph resolves it (KnowledgeGraph.resolve).
NODE_REF_PATTERN = (
    rf"^(?:[a-z][a-z-]{{0,30}}:{SLUG}"
    r"|[A-Za-z][A-Za-z0-9]{0,15}:[A-Za-z0-9][A-Za-z0-9.-]{0,40}"
    r"|[A-Za-z0-9][A-Za-z0-9.-]{0,40})$"
)
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
    """Either a verbatim `excerpt` from an article, or, for a curated database, the `reference`
    its curators cite and their `evidence_code`."""

    source: str = Field(
        description="The source quoted or the database cited.",
        examples=["source:fivali-knee-twitching"],
    )
    excerpt: str | None = Field(
        default=None, description="A verbatim excerpt (at most 300 characters); null for databases."
    )
    cites: str | None = Field(default=None, description="A work the excerpt itself credits.")
    reference: str | None = Field(
        default=None,
        description="Database evidence: the publication or record cited.",
        examples=["PMID:31675180"],
    )
    evidence_code: str | None = Field(
        default=None,
        description="Database evidence: PCS (published clinical study), TAS (traceable author "
        "statement) or IEA (inferred from electronic annotation).",
        examples=["PCS"],
    )

    @classmethod
    def all_of(cls, evidence: Sequence[EdgeEvidence]) -> list[EvidenceOut]:
        return [cls.one(e) for e in evidence]

    @classmethod
    def one(cls, item: EdgeEvidence) -> EvidenceOut:
        if isinstance(item, Evidence):
            return cls(source=item.source, excerpt=item.excerpt, cites=item.cites)
        code = None if item.evidence_code is None else item.evidence_code.value
        return cls(source=item.source, reference=item.reference, evidence_code=code)


class PrevalenceOut(_Out):
    level: PrevalenceClass = Field(description="The prevalence class that sets the cause's prior.")
    inferred: bool = Field(description="True when the class is read from how the sources frame it.")
    reasoning: str | None
    evidence: list[EvidenceOut]

    @classmethod
    def of(cls, prevalence: Prevalence) -> PrevalenceOut:
        return cls(
            level=prevalence.level,
            inferred=prevalence.inferred,
            reasoning=prevalence.reasoning,
            evidence=EvidenceOut.all_of(prevalence.evidence),
        )


class NodeOut(NodeSummary):
    synonyms: list[str]
    description: str
    codes: list[CodeOut]
    question: str | None = Field(description="A yes/no question a symptom checker can ask.")
    exposure_question: str | None = Field(
        default=None, description="Causes: a yes/no question asking whether the cause applies."
    )
    prevalence: PrevalenceOut | None = Field(
        default=None, description="Causes: how often the sources say it lies behind the condition."
    )
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
            exposure_question=node.exposure_question,
            prevalence=PrevalenceOut.of(node.prevalence) if node.prevalence else None,
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
    strength: float = Field(
        description="Curation confidence that the claim holds (0-1]: 0.7 stated, 0.5 hedged, 0.3 inferred."
    )
    frequency: Frequency | None = Field(
        default=None,
        description="How often the subject shows the object, on HPO's frequency scale "
        "(causes, has_symptom and contributes_to edges).",
    )
    sensitivity: float | None = Field(
        default=None,
        description="The probability the scoring model reads from `frequency` (or an exact "
        "fraction the source gives); docs/scoring.md.",
    )
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
            frequency=edge.frequency,
            sensitivity=None
            if edge.frequency is None and edge.sensitivity is None
            else edge_sensitivity(edge),
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
