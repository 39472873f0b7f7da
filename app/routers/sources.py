"""Sources: bibliographic data and the edges that cite each one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.deps import RuntimeDep
from app.problems import ProblemError, Suggestion, problem_responses
from app.schemas.catalog import SourceDetail, SourceList
from app.schemas.common import ID_PATTERN
from graph.text.search import closest

router = APIRouter(prefix="/v1/sources", tags=["sources"])


@router.get(
    "",
    operation_id="listSources",
    summary="List sources",
    responses=problem_responses(304, 500),
)
async def list_sources(runtime: RuntimeDep) -> SourceList:
    """Every work the content quotes or cites, with its kind and bibliographic fields."""
    return SourceList(items=list(runtime.sources.values()), total=len(runtime.sources))


@router.get(
    "/{source_id}",
    operation_id="getSource",
    summary="Get a source and the edges citing it",
    responses=problem_responses(304, 404, 422, 500),
)
async def get_source(
    runtime: RuntimeDep,
    source_id: Annotated[
        str,
        Path(
            pattern=ID_PATTERN,
            max_length=120,
            description="A source id.",
            examples=["source:knee-spasms-2024"],
        ),
    ],
    limit: Annotated[
        int, Query(ge=1, le=500, description="Citing edges per page (at most 500).", examples=[100])
    ] = 100,
    offset: Annotated[
        int, Query(ge=0, le=1_000_000, description="Citing edges to skip.", examples=[0])
    ] = 0,
) -> SourceDetail:
    """One source, and the edges whose evidence quotes it or credits it, a page at a time (a
    database such as the HPO annotations backs over 100,000 edges)."""
    source = runtime.sources.get(source_id)
    if source is None:
        likely = closest(source_id.partition(":")[2], runtime.source_slugs)
        hint = f" Did you mean {', '.join(map(repr, likely))}?" if likely else ""
        raise ProblemError(
            404,
            f"No source with id {source_id!r}.{hint} List them all with /v1/sources.",
            suggestions=[Suggestion(id=i, name=runtime.sources[i].title) for i in likely],
        )
    citing = runtime.graph.edges_citing(source_id)
    edges = [runtime.edges[e.key] for e in citing[offset : offset + limit]]
    return SourceDetail(
        source=source, citing_edges=edges, citing_total=len(citing), limit=limit, offset=offset
    )
