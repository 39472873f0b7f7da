"""Search over names, synonyms and codes, typo tolerant and as you type."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.deps import RuntimeDep
from app.problems import FieldError, ProblemError, problem_responses
from app.schemas.catalog import SearchHitOut, SearchResults
from app.schemas.common import SLUG
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
    pack: Annotated[
        str | None,
        Query(
            pattern=rf"^{SLUG}$",
            max_length=60,
            description="Only this pack's nodes (a checker serving several packs searches the "
            "one the person is using). By default every pack's.",
            examples=["knee"],
        ),
    ] = None,
) -> SearchResults:
    """Ranked hits: exact names and codes (`R25.3`, `HP:0002380`) first, then prefixes, then
    typo-tolerant matches. Each hit reports the text it matched."""
    known = [p.id for p in runtime.graph.packs]
    if pack is not None and pack not in known:
        listed = ", ".join(sorted(known))
        raise ProblemError(
            422,
            f"No pack {pack!r} is served; use one of: {listed}.",
            errors=[FieldError(location="query.pack", message=f"use one of: {listed}")],
        )
    hits = runtime.search.search(q, kind=kind, limit=limit, pack=pack)
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
