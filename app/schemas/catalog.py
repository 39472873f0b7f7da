"""Schemas of the entity, search, source and meta endpoints."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from app.schemas.common import DisclaimerOut, EdgeOut, NeighbourOut, NodeOut, NodeSummary
from graph.knowledge import Direction
from graph.search import MatchType
from graph.vocabulary import Predicate

__all__ = [
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
    neighbours: list[NeighbourOut]


class NodeDetail(BaseModel):
    node: NodeOut
    neighbours: list[NeighbourGroup] = Field(description="Grouped by predicate and direction.")
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
    title_note: str | None
    authors: list[str]
    publisher: str | None
    published: dt.date | None
    year: int | None
    url: str | None
    cited_by: list[str]
    notes: str | None


class SourceList(BaseModel):
    items: list[SourceOut]
    total: int


class SourceDetail(BaseModel):
    source: SourceOut
    citing_edges: list[EdgeOut] = Field(description="Edges whose evidence quotes or credits it.")


class PackOut(BaseModel):
    id: str
    title: str
    version: str
    attribution: str
    licence: str


class MetaOut(BaseModel):
    api_version: str
    graph_version: str = Field(description="Content hash of the loaded packs.")
    packs: list[PackOut]
    counts_by_kind: dict[str, int]
    counts_by_predicate: dict[str, int]
    built_at: dt.datetime = Field(description="When this process loaded and indexed the graph.")
    disclaimer: DisclaimerOut
