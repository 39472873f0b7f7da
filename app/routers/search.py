"""Search over names, synonyms and codes, typo tolerant and as you type."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.deps import RuntimeDep
from app.problems import problem_responses
from app.schemas.catalog import SearchHitOut, SearchResults
from graph.schema.vocabulary import NodeKind

router = APIRouter(prefix="/v1/search", tags=["search"])


@router.get(
    "",
    operation_id="search",
    summary="Search nodes",
    responses=problem_responses(304, 422, 500),
)
async def search(
    runtime: RuntimeDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            description="What the person typed: a name, synonym, code or id.",
            examples=["twiching"],
        ),
    ],
    kind: Annotated[
        NodeKind | None, Query(description="Only nodes of this kind.", examples=["symptom"])
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=50, description="At most this many hits.", examples=[5])
    ] = 10,
) -> SearchResults:
    """Ranked hits: exact names and codes (`R25.3`, `HP:0002380`) first, then prefixes, then
    typo-tolerant matches. Each hit reports the text it matched."""
    hits = runtime.search.search(q, kind=kind, limit=limit)
    return SearchResults(
        query=q,
        items=[
            SearchHitOut(
                node=runtime.summaries[h.node_id],
                matched=h.matched,
                field=h.field,
                match=h.match,
                score=round(h.score, 2),
            )
            for h in hits
        ],
    )
