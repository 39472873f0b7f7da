"""The whole graph as a download, and what is loaded."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.deps import RuntimeDep
from app.exports import ExportResponse, ExportStore
from app.hardening import BODY_NOT_SENT
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
    request: Request,
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
    """The whole graph: node-link JSON for networkx, GraphML for Gephi and Cytoscape,
    schema.org JSON-LD for web publishers, or KGX TSV (zipped) for Biolink tools and bulk
    packs.

    Each format is written once per graph version and then sent from a file, with its
    `Content-Length` and a strong `ETag`; the first request for it waits while it is written
    (a few seconds on a pack of 27,000 nodes). HEAD and a matching `If-None-Match` (304) are
    answered without writing it; a HEAD before it was first written carries no
    `Content-Length`."""
    headers = {}
    if format is ExportFormat.KGX:
        headers["Content-Disposition"] = 'attachment; filename="symptom-graph-kgx.zip"'
    exports: ExportStore = request.app.state.exports
    if request.scope.get(BODY_NOT_SENT):
        # Answered from the file's metadata: the front door sends no body (HEAD) or a 304.
        size = exports.size(runtime.graph, format)
        if size is not None:
            headers["Content-Length"] = str(size)
        response = Response(media_type=MEDIA_TYPES[format], headers=headers)
        if size is None:
            # Starlette states the empty body's length (0); the export's is not known yet.
            response.raw_headers = [h for h in response.raw_headers if h[0] != b"content-length"]
        return response
    export = await exports.open(runtime.graph, format)
    return ExportResponse(export, format, headers)


@router.get(
    "/meta",
    operation_id="getMeta",
    summary="Versions, packs and counts",
    responses=problem_responses(304, 500),
)
async def get_meta(runtime: RuntimeDep) -> MetaOut:
    """API and graph versions, loaded packs, counts by kind and predicate, and build time."""
    return runtime.meta
