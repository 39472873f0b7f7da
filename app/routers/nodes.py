"""Nodes: list by kind, and one node with its neighbours and their evidence."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from app.deps import RuntimeDep, resolve_node_ref, unknown_node
from app.problems import problem_responses
from app.runtime import NEIGHBOURS_SHOWN, Runtime
from app.schemas.catalog import NodeDetail, NodePage
from app.schemas.common import NODE_REF_PATTERN, NeighbourOut
from graph.knowledge import Direction
from graph.schema.vocabulary import NodeKind

router = APIRouter(prefix="/v1/nodes", tags=["nodes"])

NodeRef = Annotated[
    str,
    Path(
        pattern=NODE_REF_PATTERN,
        max_length=120,
        description="A node id (`kind:slug`) or a standard code the node carries: "
        "`HP:0001250`, `OMIM:147791`, `ICD10CM:R25.1` (or bare, `R25.1`).",
        examples=["symptom:numbness"],
    ),
]


async def resolve_node(runtime: RuntimeDep, node_id: NodeRef) -> str:
    """The node id a path names by id or by code; 404 (with suggestions) when none or several."""
    return resolve_node_ref(runtime, node_id)


# A path parameter `node_id` that arrives in the handler as the resolved node id.
NodePath = Annotated[str, Depends(resolve_node)]
Limit = Annotated[int, Query(ge=1, le=200, description="Page size (at most 200).", examples=[20])]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.", examples=[0])]


@router.get(
    "",
    operation_id="listNodes",
    summary="List nodes",
    responses=problem_responses(304, 422, 500),
)
async def list_nodes(
    runtime: RuntimeDep,
    kind: Annotated[
        NodeKind | None, Query(description="Only nodes of this kind.", examples=["symptom"])
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> NodePage:
    """Nodes ordered by id, optionally of one kind, paginated with `limit` and `offset`."""
    nodes = runtime.graph.nodes(kind)
    page = [runtime.nodes[n.id] for n in nodes[offset : offset + limit]]
    return NodePage(items=page, total=len(nodes), limit=limit, offset=offset)


@router.get(
    "/{node_id}",
    operation_id="getNode",
    summary="Get a node and its neighbours",
    response_model=NodeDetail,
    responses=problem_responses(304, 404, 422, 500),
)
async def get_node(
    runtime: RuntimeDep,
    node_id: NodePath,
    limit: Annotated[
        int,
        Query(
            ge=1,
            le=200,
            description="Neighbours listed per group (at most 200); each group gives its "
            "total and, when some are left out, a `next` link to page through them.",
            examples=[NEIGHBOURS_SHOWN],
        ),
    ] = NEIGHBOURS_SHOWN,
) -> Response:
    """One node with synonyms, codes and evidence, and its neighbours grouped by predicate and
    direction; every neighbour's edge carries its evidence. Groups list their first `limit`
    neighbours (a broad phenotype has thousands) with a count and a link to the rest."""
    detail = runtime.node_detail(node_id, limit)
    if detail is None:  # pragma: no cover - resolve_node has answered 404 already
        raise unknown_node(runtime, node_id)
    # Serialised through NodeDetail on first request (app/runtime.py); tests validate them.
    return Response(detail, media_type="application/json")


def neighbour_out(runtime: Runtime, direction: Direction, edge_key: str) -> NeighbourOut:
    return NeighbourOut.of(direction, runtime.edges[edge_key], runtime.summaries)
