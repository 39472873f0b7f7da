"""Edges: typed claims with their evidence, filtered and paginated."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.deps import RuntimeDep
from app.problems import problem_responses
from app.routers.nodes import Limit, Offset
from app.schemas.catalog import EdgePage
from app.schemas.common import ID_PATTERN
from graph.schema.vocabulary import Predicate

router = APIRouter(prefix="/v1/edges", tags=["edges"])

SubjectFilter = Annotated[
    str | None,
    Query(
        pattern=ID_PATTERN, max_length=120, description="A node id.", examples=["cause:diuretics"]
    ),
]
ObjectFilter = Annotated[
    str | None,
    Query(
        pattern=ID_PATTERN,
        max_length=120,
        description="A node id.",
        examples=["cause:electrolyte-imbalance"],
    ),
]


@router.get(
    "",
    operation_id="listEdges",
    summary="List edges",
    responses=problem_responses(304, 422, 500),
)
async def list_edges(
    runtime: RuntimeDep,
    predicate: Annotated[
        Predicate | None, Query(description="Only this predicate.", examples=["contributes_to"])
    ] = None,
    subject: SubjectFilter = None,
    object: ObjectFilter = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> EdgePage:
    """Edges ordered by id, filtered by predicate, subject and object, each with its evidence."""
    edges = runtime.graph.edges(predicate=predicate, subject=subject, object=object)
    page = [runtime.edges[e.key] for e in edges[offset : offset + limit]]
    return EdgePage(items=page, total=len(edges), limit=limit, offset=offset)
