"""Sources: bibliographic data and the edges that cite each one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from app.deps import RuntimeDep
from app.problems import ProblemError, Suggestion, problem_responses
from app.schemas.catalog import SourceDetail, SourceList, SourceOut
from app.schemas.common import ID_PATTERN
from graph.models import SourceRecord

router = APIRouter(prefix="/v1/sources", tags=["sources"])


def source_out(source: SourceRecord) -> SourceOut:
    return SourceOut(**source.model_dump(exclude={"text_file"}, mode="python"))


@router.get(
    "",
    operation_id="listSources",
    summary="List sources",
    responses=problem_responses(304, 500),
)
async def list_sources(runtime: RuntimeDep) -> SourceList:
    """Every work the content quotes or cites, with its kind and bibliographic fields."""
    items = [source_out(s) for s in runtime.graph.sources()]
    return SourceList(items=items, total=len(items))


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
) -> SourceDetail:
    """One source, and every edge whose evidence quotes it or credits it."""
    ids = [s.id for s in runtime.graph.sources()]
    if source_id not in ids:
        raise ProblemError(
            404,
            f"No source with id {source_id!r}. List them with /v1/sources.",
            suggestions=[Suggestion(id=s.id, name=s.title) for s in runtime.graph.sources()],
        )
    edges = [runtime.edges[e.key] for e in runtime.graph.edges_citing(source_id)]
    return SourceDetail(source=source_out(runtime.graph.source(source_id)), citing_edges=edges)
