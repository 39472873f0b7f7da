"""The whole graph as a download, and what is loaded."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response, StreamingResponse

from app.deps import RuntimeDep
from app.problems import problem_responses
from app.schemas.catalog import MetaOut
from graph.formats.export import MEDIA_TYPES, ExportFormat

router = APIRouter(prefix="/v1", tags=["graph"])


@router.get(
    "/graph",
    operation_id="exportGraph",
    summary="Export the whole graph",
    response_class=Response,
    responses={
        200: {
            "description": "The graph in the requested format.",
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "application/graphml+xml": {"schema": {"type": "string"}},
                "application/ld+json": {"schema": {"type": "object"}},
                "application/zip": {"schema": {"type": "string", "format": "binary"}},
            },
        },
        **problem_responses(304, 422, 500),
    },
)
async def export_graph(
    runtime: RuntimeDep,
    format: Annotated[
        ExportFormat,
        Query(
            description="`json` (networkx node-link), `graphml`, `jsonld` (schema.org) or "
            "`kgx` (a zip of a KGX TSV pack folder, which `--pack` loads back).",
            examples=["graphml"],
        ),
    ] = ExportFormat.JSON,
) -> Response:
    """The whole graph, streamed: node-link JSON for networkx, GraphML for Gephi and Cytoscape,
    schema.org JSON-LD for web publishers, or KGX TSV (zipped) for Biolink tools and bulk
    packs."""
    headers = {}
    if format is ExportFormat.KGX:
        headers["Content-Disposition"] = 'attachment; filename="symptom-graph-kgx.zip"'
    return StreamingResponse(
        runtime.export_chunks(format), media_type=MEDIA_TYPES[format], headers=headers
    )


@router.get(
    "/meta",
    operation_id="getMeta",
    summary="Versions, packs and counts",
    responses=problem_responses(304, 500),
)
async def get_meta(runtime: RuntimeDep) -> MetaOut:
    """API and graph versions, loaded packs, counts by kind and predicate, and build time."""
    return runtime.meta
