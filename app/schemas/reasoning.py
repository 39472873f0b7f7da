"""Schemas of the reasoning endpoints: diagnose, paths, care pathways."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StringConstraints, model_validator

from app.schemas.common import (
    SLUG,
    DisclaimerOut,
    EdgeOut,
    EvidenceOut,
    NeighbourOut,
    NodeSummary,
)
from graph.reasoning import TriageLevel

__all__ = [
    "MAX_IDS",
    "CandidateOut",
    "CarePathwayOut",
    "ChainOut",
    "DiagnoseRequest",
    "DiagnoseResponse",
    "NextQuestionOut",
    "PathOut",
    "PathStepOut",
    "PathsResponse",
    "RecommendationOut",
    "RecommendedOut",
    "RedFlagOut",
    "TriageOut",
]

MAX_IDS = 50
SymptomId = Annotated[str, StringConstraints(pattern=rf"^symptom:{SLUG}$", max_length=120)]
CauseId = Annotated[str, StringConstraints(pattern=rf"^cause:{SLUG}$", max_length=120)]

DIAGNOSE_EXAMPLE: dict[str, JsonValue] = {
    "present": ["symptom:visible-twitching", "symptom:numbness", "symptom:weakness"],
    "absent": ["symptom:swelling"],
    "exposures": ["cause:diuretics"],
    "limit": 5,
}


class DiagnoseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [DIAGNOSE_EXAMPLE]})

    present: list[SymptomId] = Field(
        default_factory=list, max_length=MAX_IDS, description="Symptom ids the person reports."
    )
    absent: list[SymptomId] = Field(
        default_factory=list,
        max_length=MAX_IDS,
        description="Symptom ids the person does not have.",
    )
    exposures: list[CauseId] = Field(
        default_factory=list,
        max_length=MAX_IDS,
        description="Cause ids known to apply, e.g. `cause:diuretics` when taking diuretics.",
    )
    limit: int = Field(default=10, ge=1, le=50, description="How many candidates to return.")

    @model_validator(mode="after")
    def _something_reported(self) -> Self:
        if not self.present and not self.exposures:
            raise ValueError("report at least one present symptom or one exposure")
        return self


class RedFlagOut(BaseModel):
    id: str
    name: str
    advice: str
    triggered_by: list[NodeSummary]
    evidence: list[EvidenceOut]


class TriageOut(BaseModel):
    level: TriageLevel = Field(description="`seek_care` when any red flag fired.")
    red_flags: list[RedFlagOut]


class ChainOut(BaseModel):
    """A chain of evidenced edges and its strength under the scoring model."""

    end: NodeSummary = Field(description="The matched symptom, or the exposure.")
    strength: float
    edges: list[EdgeOut]


class RecommendationOut(BaseModel):
    node: NodeSummary
    via: NodeSummary | None = Field(
        description="The broader node the edge is about, when it is not the cause itself."
    )
    edge: EdgeOut


class RecommendedOut(BaseModel):
    diagnostics: list[RecommendationOut]
    treatments: list[RecommendationOut]
    prevention: list[RecommendationOut]


class CandidateOut(BaseModel):
    cause: NodeSummary
    score: float = Field(ge=0, le=1)
    matched: list[NodeSummary]
    contradicted: list[NodeSummary]
    explanation: list[ChainOut] = Field(description="From the cause to each matched symptom.")
    exposures: list[ChainOut] = Field(description="From each reported exposure to the cause.")
    recommended: RecommendedOut


class NextQuestionOut(BaseModel):
    symptom: NodeSummary
    question: str
    information_gain: float = Field(description="Expected information gain, in bits.")
    reason: str


class DiagnoseResponse(BaseModel):
    triage: TriageOut
    candidates: list[CandidateOut]
    next_question: NextQuestionOut | None
    disclaimer: DisclaimerOut
    graph_version: str


class PathStepOut(BaseModel):
    source: str = Field(description="The node this step leaves.")
    target: str = Field(description="The node this step reaches.")
    edges: list[NeighbourOut] = Field(description="Every edge joining the two nodes, either way.")


class PathOut(BaseModel):
    nodes: list[NodeSummary]
    hops: int
    steps: list[PathStepOut]


class PathsResponse(BaseModel):
    source: NodeSummary
    target: NodeSummary
    max_hops: int
    paths: list[PathOut]


class CarePathwayOut(BaseModel):
    node: NodeSummary
    symptoms: list[EdgeOut] = Field(description="What it produces (causes / has_symptom).")
    causes: list[EdgeOut] = Field(description="What leads to it (causes / contributes_to).")
    diagnostics: list[RecommendationOut]
    treatments: list[RecommendationOut]
    prevention: list[RecommendationOut]
    related: list[NeighbourOut] = Field(description="Subtypes, supertypes and causes it leads to.")
    disclaimer: DisclaimerOut
