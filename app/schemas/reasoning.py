"""Schemas of the reasoning endpoints: diagnose, paths, care pathways."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StringConstraints, model_validator

from app.schemas.common import (
    SLUG,
    CodeOut,
    DisclaimerOut,
    EdgeOut,
    EvidenceOut,
    NeighbourOut,
    NodeSummary,
    PrevalenceOut,
)
from graph.reasoning import FindingKind, TriageLevel
from graph.schema.onsets import onset_key

__all__ = [
    "MAX_IDS",
    "CandidateOut",
    "CarePathwayOut",
    "CauseOut",
    "ChainOut",
    "DiagnoseRequest",
    "DiagnoseResponse",
    "ExplanationOut",
    "GeneralRecommendationsOut",
    "NextQuestionOut",
    "PathOut",
    "PathStepOut",
    "PathsResponse",
    "RecommendationOut",
    "RecommendedItemOut",
    "RecommendedItemsOut",
    "RecommendedOut",
    "RedFlagOut",
    "TriageOut",
]

MAX_IDS = 50
# A node id, or a standard code as a CURIE the node carries (HP:0001250, OMIM:147791).
_CODE = r"[A-Z][A-Za-z0-9]{0,15}:[A-Za-z0-9][A-Za-z0-9.-]{0,40}"
SymptomId = Annotated[
    str, StringConstraints(pattern=rf"^(?:symptom:{SLUG}|{_CODE})$", max_length=120)
]
CauseId = Annotated[str, StringConstraints(pattern=rf"^(?:cause:{SLUG}|{_CODE})$", max_length=120)]

DIAGNOSE_EXAMPLE: dict[str, JsonValue] = {
    "present": ["symptom:visible-twitching", "symptom:persistent-or-worsening"],
    "absent": ["symptom:swelling"],
    "exposures": ["cause:diuretics"],
    "limit": 5,
}


class DiagnoseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [DIAGNOSE_EXAMPLE]})

    present: list[SymptomId] = Field(
        default_factory=list,
        max_length=MAX_IDS,
        description="Symptom ids (or their standard codes, e.g. `HP:0001250`) the person reports.",
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
    absent_exposures: list[CauseId] = Field(
        default_factory=list,
        max_length=MAX_IDS,
        description="Cause ids known not to apply (a 'no' to an exposure question).",
    )
    limit: int = Field(default=10, ge=1, le=50, description="How many candidates to return.")
    pack: Annotated[str, StringConstraints(pattern=rf"^{SLUG}$", max_length=60)] | None = Field(
        default=None,
        description="The pack whose causes compete. By default, the one pack every id belongs to.",
    )
    sex: Literal["female", "male", "unknown"] | None = Field(
        default=None,
        description="The person's sex. Read as evidence where the pack's sources describe "
        "causes in one sex only (the HPO pack); `demographics` in the answer says whether it "
        "was. `unknown` is accepted and read as nothing.",
    )
    age: float | Annotated[str, StringConstraints(max_length=20)] | None = Field(
        default=None,
        description="The age the findings began at: years (0 is at birth, 0.5 six months), "
        "or an HPO onset class by name or code (`antenatal`, `congenital`, `neonatal`, "
        "`infantile`, `childhood`, `juvenile`, `pediatric`, `young_adult`, `middle_age`, "
        "`late`, `adult`; `HP:0011463`). Counts against causes whose onset classes exclude it.",
        examples=[12, "childhood"],
    )
    explain: bool = Field(
        default=False,
        description="Add each candidate's evidence: the chain of edges, with verbatim excerpts, "
        "behind every matched finding, its prior class and quote, and the edge behind each "
        "recommendation. Off by default to keep answers small.",
    )

    @model_validator(mode="after")
    def _something_reported(self) -> Self:
        if not self.present and not self.exposures:
            raise ValueError("report at least one present symptom or one exposure")
        if self.age is not None:
            onset_key(self.age)  # raises ValueError, a 422, for an age it cannot read
        return self

    def onset(self) -> str | None:
        """`age` as an onset class key (graph/schema/onsets.py)."""
        return None if self.age is None else onset_key(self.age)


# Compact answers leave out empty lists (as protobuf's JSON mapping does): a missing list
# field means an empty one, and generated clients read it as its default, [].
EMPTY_LISTS_NOTE = "Left out of the answer when empty."


class RedFlagOut(BaseModel):
    id: str
    name: str
    advice: str
    triggered_by: list[str] = Field(description="Ids of the reported symptoms that fired it.")
    sources: list[str] = Field(description="Ids of the sources whose words the advice follows.")
    evidence: list[EvidenceOut] | None = Field(
        default=None, description="With `explain`: the verbatim excerpts behind the red flag."
    )


class TriageOut(BaseModel):
    level: TriageLevel = Field(description="`seek_care` when any red flag fired.")
    red_flags: list[RedFlagOut] = Field(default_factory=list, description=EMPTY_LISTS_NOTE)


class CauseOut(BaseModel):
    id: str = Field(examples=["cause:dehydration"])
    name: str = Field(examples=["Dehydration"])
    codes: list[CodeOut] = Field(default_factory=list, description=EMPTY_LISTS_NOTE)


class RecommendedItemOut(BaseModel):
    id: str = Field(examples=["treatment:hydration-and-electrolytes"])
    name: str
    via: str | None = Field(
        default=None,
        description="The node the recommendation is about when it is not the cause itself: "
        "what the cause is a kind of, the cause it works through, or the condition.",
    )
    edge: EdgeOut | None = Field(
        default=None, description="With `explain`: the edge that recommends it, with evidence."
    )


class RecommendedItemsOut(BaseModel):
    """Recommended nodes grouped by what the recommending edge says: evaluates, treats or
    prevents (lifestyle changes, a treatment, can appear under prevention)."""

    diagnostics: list[RecommendedItemOut] = Field(
        default_factory=list, description=EMPTY_LISTS_NOTE
    )
    treatments: list[RecommendedItemOut] = Field(default_factory=list, description=EMPTY_LISTS_NOTE)
    prevention: list[RecommendedItemOut] = Field(default_factory=list, description=EMPTY_LISTS_NOTE)


class GeneralRecommendationsOut(RecommendedItemsOut):
    """What the sources recommend for a condition whatever its cause. The lists are the same in
    every answer, so compact answers point to them (`care_pathway`, a cacheable GET) and
    `explain` writes them out."""

    condition: str = Field(description="The condition the recommendations are given for.")
    care_pathway: str = Field(
        description="Where the full lists live.",
        examples=["/v1/nodes/condition:knee-twitching/care-pathway"],
    )


class ChainOut(BaseModel):
    """A chain of evidenced edges and how often it carries the cause to its end."""

    end: str = Field(description="The matched finding's id (a symptom, or a cause as exposure).")
    via: str | None = Field(
        default=None,
        description="The symptom the cause's edge names when it is a kind of `end`, not `end` "
        "itself (a disease annotated with bilateral cryptorchidism explains cryptorchidism): "
        "the chain then climbs from it to `end` by `subtype_of` edges, each with weight 1.",
        examples=["symptom:hp-0008689"],
    )
    sensitivity: float = Field(description="Product of the edges' sensitivities along the chain.")
    edges: list[EdgeOut]


class ExplanationOut(BaseModel):
    prevalence: PrevalenceOut | None = Field(description="The class behind the prior, and why.")
    prior: float = Field(description="The cause's probability before any evidence.")
    findings: list[ChainOut] = Field(description="From the cause to each matched symptom.")
    exposures: list[ChainOut] = Field(description="How each reported exposure bears on the cause.")


class CandidateOut(BaseModel):
    cause: CauseOut
    probability: float = Field(ge=0, le=1, description="Posterior probability.", examples=[0.3525])
    rank: int = Field(
        ge=1, description="Candidates with equal probability share a rank.", examples=[1]
    )
    tied_with: list[str] = Field(
        default_factory=list,
        description="Other causes with the same rank (at most 20). " + EMPTY_LISTS_NOTE,
    )
    matched: list[str] = Field(
        default_factory=list,
        description="Reported symptoms and exposures the cause accounts for. " + EMPTY_LISTS_NOTE,
    )
    contradicted: list[str] = Field(
        default_factory=list,
        description="Symptoms reported absent (or exposures denied) that the cause would show, "
        "and present ones that count against it: its sources exclude them, or they are "
        "warning signs it does not list while being an everyday cause. " + EMPTY_LISTS_NOTE,
    )
    recommended: RecommendedItemsOut = Field(
        description="Tests, treatments and prevention for this cause, what it is a kind of, and "
        "the causes it works through (see `via`)."
    )
    explanation: ExplanationOut | None = Field(default=None, description="With `explain` only.")


class NextQuestionOut(BaseModel):
    # Sex and age (FindingKind.DEMOGRAPHIC) are never asked about.
    kind: Literal[FindingKind.SYMPTOM, FindingKind.EXPOSURE] = Field(
        description="`symptom`, or `exposure` (whether a cause applies).", examples=["symptom"]
    )
    id: str = Field(
        description="The symptom id, or the cause id asked about as an exposure.",
        examples=["symptom:weakness"],
    )
    name: str = Field(examples=["Weakness"])
    question: str
    information_gain: float = Field(description="Expected information gain, in bits.")
    reason: str | None = Field(default=None, description="With `explain`: why this question.")


class DemographicOut(BaseModel):
    field: Literal["sex", "age"]
    value: str = Field(
        description="As read: the sex, or the onset class the age falls in.",
        examples=["juvenile"],
    )
    used: bool = Field(description="Whether it was read as evidence.")
    reason: str = Field(description="How it was read, or why not.")


class ReplacedCodeOut(BaseModel):
    given: str = Field(description="The code as the request gave it.", examples=["HP:0001387"])
    id: str = Field(description="The node it was read as.", examples=["symptom:hp-0002829"])
    current: str = Field(
        description="The node's current code: the vocabulary has merged the given code into "
        "it or retired the given code in its favour.",
        examples=["HP:0002829"],
    )


class DiagnoseResponse(BaseModel):
    pack: str = Field(description="The pack whose causes were ranked.")
    triage: TriageOut
    candidates: list[CandidateOut]
    other_probability: float = Field(
        ge=0, le=1, description="P(something not in this graph). Listed + other + unlisted = 1."
    )
    unlisted_probability: float = Field(
        ge=0, le=1, description="Probability left to the pack's causes beyond `limit`."
    )
    general_recommendations: list[GeneralRecommendationsOut] = Field(
        description="What the sources recommend for the condition whatever its cause; "
        "they apply to every candidate."
    )
    next_question: NextQuestionOut | None = Field(
        default=None, description="The most informative question; absent when `should_stop`."
    )
    should_stop: bool = Field(
        description="True when no answer to any remaining question would change the leading "
        "three candidates, their order or their ties."
    )
    disclaimer: DisclaimerOut
    graph_version: str
    demographics: list[DemographicOut] = Field(
        default_factory=list,
        description="The request's `sex` and `age`, each as read and whether the ranking used "
        "it, and why (present only when the request gives either).",
    )
    replaced_codes: list[ReplacedCodeOut] = Field(
        default_factory=list,
        description="Codes in the request that an ontology has since replaced, and what they "
        "were read as (present only when there are some).",
    )


class RecommendationOut(BaseModel):
    node: NodeSummary
    via: NodeSummary | None = Field(
        description="The node the edge is about when it is not the node asked for: what it is "
        "a kind of, a cause it works through, or the condition it causes."
    )
    edge: EdgeOut


class RecommendedOut(BaseModel):
    diagnostics: list[RecommendationOut]
    treatments: list[RecommendationOut]
    prevention: list[RecommendationOut]


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
