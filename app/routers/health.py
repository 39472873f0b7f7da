"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict

from app.deps import get_runtime
from app.observability import CONTENT_TYPE_LATEST
from app.problems import problem_responses

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})

    status: str


@router.get(
    "/healthz",
    operation_id="healthz",
    summary="Liveness",
    responses=problem_responses(500),
)
async def healthz() -> Health:
    """200 while the process is up."""
    return Health(status="ok")


@router.get(
    "/readyz",
    operation_id="readyz",
    summary="Readiness",
    responses=problem_responses(500, 503),
    # The same check every /v1 route makes before it reads the graph.
    dependencies=[Depends(get_runtime)],
)
async def readyz() -> Health:
    """200 once the graph is loaded and every route can answer, 503 before. The search, parse
    and paths indexes may still be building for about a second after (on the HPO pack):
    requests that arrive meanwhile wait for them, the health checks do not."""
    return Health(status="ready")


@router.get(
    "/metrics",
    operation_id="metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={
        200: {
            "description": "Prometheus text format.",
            "content": {
                CONTENT_TYPE_LATEST: {
                    "schema": {"type": "string"},
                    "example": 'http_requests_total{method="GET",route="/v1/nodes/{node_id}",status="200"} 42.0\n',
                }
            },
        },
        **problem_responses(500),
    },
)
async def metrics(request: Request) -> Response:
    """Request counts and latency histograms by route template."""
    return Response(request.app.state.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
