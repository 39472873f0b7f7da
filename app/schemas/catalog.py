"""Schemas of the entity, search, source and meta endpoints."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from app.schemas.common import (
    DisclaimerOut,
    EdgeOut,
    EvidenceOut,
    NeighbourOut,
    NodeOut,
    NodeSummary,
)
from graph.knowledge import Direction
from graph.knowledge.presentation import Presentation
from graph.schema.lexicon import LexiconRecord
from graph.schema.presentation import Audience
from graph.schema.records import PackManifest, SourceRecord
from graph.schema.vocabulary import Predicate
from graph.text.search import MatchType

__all__ = [
    "CheckerOut",
    "EdgePage",
    "MetaOut",
    "NeighbourGroup",
    "NodeDetail",
    "NodePage",
    "PackOut",
    "SearchHitOut",
    "SearchResults",
    "SourceDetail",
    "SourceList",
    "SourceOut",
]


class NodePage(BaseModel):
    items: list[NodeOut]
    total: int
    limit: int
    offset: int


class EdgePage(BaseModel):
    items: list[EdgeOut]
    total: int
    limit: int
    offset: int


class NeighbourGroup(BaseModel):
    predicate: Predicate
    direction: Direction
    neighbours: list[NeighbourOut] = Field(
        description="The first `limit` neighbours of the group, ordered by edge id."
    )
    total: int = Field(ge=0, description="Neighbours in the group, shown or not.", examples=[3])
    next: str | None = Field(
        description="Where the rest of the group is listed, `/v1/edges` paged from the first "
        "neighbour not shown; null when all are shown.",
        examples=["/v1/edges?object=symptom:hp-0001250&predicate=causes&limit=50&offset=50"],
    )


class OntologySynonymOut(BaseModel):
    source: str = Field(description="The ontology, a database source.")
    system: str = Field(examples=["HPO"])
    code: str = Field(description="The term whose synonym it is.", examples=["HP:0002015"])
    scope: str = Field(description="EXACT, BROAD, NARROW or RELATED.", examples=["EXACT"])
    synonym_type: str | None = Field(examples=["layperson"])
    release: str = Field(examples=["hp/releases/2025-01-16"])


class MedicineClassesOut(BaseModel):
    vocabulary: str = Field(description="The drug vocabulary.", examples=["WHO ATC"])
    release: str = Field(examples=["2009-01"])
    groups: list[str] = Field(
        description="Its groups: every single medicine it files under one names the node.",
        examples=[["C03"]],
    )


class EverydayTermsOut(BaseModel):
    """Words the pack's lexicon maps to the node, and what backs the mapping."""

    terms: list[str]
    reason: str
    evidence: list[EvidenceOut] = Field(description="Excerpts that support the mapping.")
    ontology: OntologySynonymOut | None = Field(
        description="For an ontology's synonym: its term, scope, type and release."
    )
    medicine_classes: MedicineClassesOut | None = Field(
        description=(
            "For medicines named instead of the class an excerpt names (prednisone for "
            "corticosteroids): the drug vocabulary's groups whose medicines name the node."
        ),
    )

    @classmethod
    def of(cls, record: LexiconRecord) -> EverydayTermsOut:
        origin, classes = record.ontology, record.medicine_classes
        return cls(
            terms=list(record.terms),
            reason=record.reason,
            evidence=EvidenceOut.all_of(record.evidence),
            ontology=None
            if origin is None
            else OntologySynonymOut(
                source=origin.source,
                system=origin.code.system.value,
                code=origin.code.code,
                scope=origin.scope.value,
                synonym_type=origin.synonym_type,
                release=origin.release,
            ),
            medicine_classes=None
            if classes is None
            else MedicineClassesOut(
                vocabulary=classes.vocabulary, release=classes.release, groups=classes.groups
            ),
        )


class NodeDetail(BaseModel):
    node: NodeOut
    neighbours: list[NeighbourGroup] = Field(description="Grouped by predicate and direction.")
    everyday_terms: list[EverydayTermsOut] = Field(
        default_factory=list,
        description="Lexicon records mapping everyday words to the node (POST /v1/parse "
        "`matched` names one of their terms), each with its excerpt or ontology synonym.",
    )
    disclaimer: DisclaimerOut


class SearchHitOut(BaseModel):
    node: NodeSummary
    matched: str = Field(description="The name, synonym, code or id that matched.")
    field: str = Field(examples=["synonym"])
    match: MatchType
    score: float = Field(ge=0, le=100)


class SearchResults(BaseModel):
    query: str
    items: list[SearchHitOut]


class SourceOut(BaseModel):
    id: str
    kind: str = Field(examples=["consumer_article"])
    title: str
    title_note: str | None = None
    authors: list[str]
    publisher: str | None = None
    published: dt.date | None = None
    year: int | None = None
    url: str | None = None
    cited_by: list[str]
    notes: str | None = None

    @classmethod
    def of(cls, source: SourceRecord) -> SourceOut:
        # Only the fields declared here: the verification text's file stays internal.
        return cls.model_validate(source, from_attributes=True)


_SOURCE_EXAMPLE: dict[str, JsonValue] = {
    "id": "source:knee-spasms-2024",
    "kind": "consumer_article",
    "title": "Knee Spasms: Causes, Symptoms, and Effective Treatment Options",
    "title_note": None,
    "authors": [],
    "publisher": None,
    "published": "2024-09-08",
    "year": 2024,
    "url": None,
    "cited_by": [],
    "notes": None,
}


class SourceList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [_SOURCE_EXAMPLE], "total": 1}]}
    )

    items: list[SourceOut]
    total: int


class SourceDetail(BaseModel):
    source: SourceOut
    citing_edges: list[EdgeOut] = Field(
        description="Edges whose evidence quotes or credits it: one page, ordered by edge id."
    )
    citing_total: int = Field(description="How many edges cite the source in all.")
    limit: int
    offset: int


class CheckerOut(BaseModel):
    """How the web checker words the pack: from its manifest, or derived from its content."""

    audience: Audience = Field(
        description="`public` (questions about oneself) or `clinician` (findings in a note)."
    )
    title: str = Field(examples=["Knee symptom checker"])
    intro: str = Field(description="A sentence or two under the title.")
    prompt: str = Field(description="The free-text box's label.", examples=["What do you notice?"])
    example: str = Field(
        description="Text the pack's parser reads, for the free-text box's placeholder.",
        examples=["my knee keeps twitching after running, no swelling"],
    )
    search_example: str = Field(description="A term to suggest to the typeahead.")
    sources: str = Field(description="What the content comes from.", examples=["the articles"])
    causes: str = Field(description="The pack's word for its causes, plural.", examples=["causes"])
    finding: str = Field(
        description="The pack's word for a symptom, singular.", examples=["symptom"]
    )
    start: str | None = Field(
        description="The node the explorer starts from; null only for a pack without nodes.",
        examples=["condition:knee-twitching"],
    )
    red_flags: int = Field(
        ge=0,
        description="How many warning signs the pack defines; with none, a page has no triage "
        "to report until one fires.",
        examples=[3],
    )

    @classmethod
    def of(cls, wording: Presentation) -> CheckerOut:
        return cls.model_validate(wording, from_attributes=True)


class PackOut(BaseModel):
    id: str
    title: str
    version: str
    attribution: str
    licence: str
    checker: CheckerOut

    @classmethod
    def of(cls, pack: PackManifest, wording: Presentation) -> PackOut:
        # The manifest's own fields as they are; its checker block as filled in from content.
        plain = pack.model_dump(include=set(cls.model_fields) - {"checker"})
        return cls(**plain, checker=CheckerOut.of(wording))


class MetaOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "api_version": "1.0.0",
                    "graph_version": "50f99a4f0027a7c3",
                    "packs": [
                        {
                            "id": "knee",
                            "title": "Knee twitching and knee spasms",
                            "version": "1.0.0",
                            "attribution": "Curated from two consumer articles.",
                            "licence": "MIT for the curated data; excerpts stay with their publishers.",
                            "checker": {
                                "audience": "public",
                                "title": "Knee symptom checker",
                                "intro": "Describe what you notice in your own words.",
                                "prompt": "What do you notice?",
                                "example": "my knee keeps twitching after running, no swelling",
                                "search_example": "cramps",
                                "sources": "the articles",
                                "causes": "causes",
                                "finding": "symptom",
                                "start": "condition:knee-twitching",
                                "red_flags": 3,
                            },
                        }
                    ],
                    "counts_by_kind": {"cause": 19, "symptom": 16},
                    "counts_by_predicate": {"causes": 26, "treats": 19},
                    "built_at": "2026-11-24T16:00:00Z",
                    "disclaimer": {
                        "text": "The information provided ... is intended for educational and reference purposes only.",
                        "source": "source:fivali-knee-twitching",
                        "notice": "It is not a diagnosis and not medical advice.",
                    },
                }
            ]
        }
    )

    api_version: str
    graph_version: str = Field(description="Content hash of the loaded packs.")
    packs: list[PackOut]
    counts_by_kind: dict[str, int]
    counts_by_predicate: dict[str, int]
    built_at: dt.datetime = Field(description="When this process loaded and indexed the graph.")
    disclaimer: DisclaimerOut
