"""Reasoning: ranked causes for symptoms, typed paths, and care pathways."""

from __future__ import annotations

import itertools
from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request, Response

from app.deps import (
    RuntimeDep,
    invalid_ids,
    parse_body,
    resolve_node_ref,
    runtime_of,
    unknown_node,
)
from app.openapi import json_request_body
from app.problems import ProblemError, problem_responses
from app.render import recommended_out
from app.routers.nodes import NodePath, neighbour_out
from app.runtime import Runtime
from app.schemas.common import NODE_REF_PATTERN
from app.schemas.reasoning import (
    CarePathwayOut,
    DiagnoseRequest,
    DiagnoseResponse,
    PathOut,
    PathsResponse,
    PathStepOut,
)
from graph.reasoning import DiagnoseQuery, InvalidQueryError
from graph.reasoning.pathways import MAX_HOPS, MAX_PATHS, care_pathway
from graph.schema.vocabulary import NodeKind

router = APIRouter(prefix="/v1", tags=["reasoning"])


@router.post(
    "/diagnose",
    openapi_extra=json_request_body(DiagnoseRequest),
    operation_id="diagnose",
    summary="Rank candidate causes for reported symptoms",
    response_model=DiagnoseResponse,
    responses=problem_responses(400, 413, 422, 500),
)
async def diagnose(request: Request) -> Response:
    """A posterior over the pack's causes (plus something not in the graph) for the reported
    symptoms and exposures: ranked candidates with ties shown as ties, the tests, treatments
    and prevention recommended for each, triage from the content's red flags, and the most
    informative next question (a symptom or an exposure) until `should_stop`. Compact by
    default; `explain: true` adds the evidence chains with their verbatim excerpts. Not a
    diagnosis: see docs/scoring.md for the model."""
    content_type = request.headers.get("content-type", "")
    answer = answer_diagnose(runtime_of(request), await request.body(), content_type)
    return Response(answer, media_type="application/json")


def answer_diagnose(runtime: Runtime, raw: bytes, content_type: str) -> bytes:
    """The diagnose answer to a raw request body, as JSON (app/hotpaths.py serves it)."""
    body = parse_body(raw, content_type, DiagnoseRequest)
    ids, replaced = _by_id(runtime, body)
    query = DiagnoseQuery.of(
        ids[0],
        ids[1],
        ids[2],
        body.limit,
        absent_exposures=ids[3],
        pack=body.pack,
        sex=body.sex,
        age=body.onset(),
    )
    try:
        payload = runtime.diagnoses.render(query, body.explain)
    except InvalidQueryError as exc:
        raise _invalid_query(runtime, exc) from None
    # Serialised once through DiagnoseResponse (app/render.py) and cached by query; the rare
    # answer to older codes says which it replaced (that part is the request's, not cached).
    if replaced:
        answer = orjson.loads(payload)
        answer["replaced_codes"] = replaced
        payload = orjson.dumps(answer)
    return payload


@router.get(
    "/paths",
    operation_id="findPaths",
    summary="Shortest typed paths between two nodes",
    responses=problem_responses(304, 404, 422, 500),
)
async def find_paths(
    runtime: RuntimeDep,
    source: Annotated[
        str,
        Query(
            pattern=NODE_REF_PATTERN,
            max_length=120,
            description="A node id, or a standard code the node carries.",
            examples=["prevention:hydration"],
        ),
    ],
    target: Annotated[
        str,
        Query(
            pattern=NODE_REF_PATTERN,
            max_length=120,
            description="A node id, or a standard code the node carries.",
            examples=["symptom:visible-twitching"],
        ),
    ],
    max_hops: Annotated[int, Query(ge=1, le=MAX_HOPS, description="At most 4.", examples=[2])] = 3,
    k: Annotated[int, Query(ge=1, le=MAX_PATHS, description="At most 10 paths.", examples=[5])] = 5,
) -> PathsResponse:
    """Up to `k` shortest paths of at most `max_hops` edges, read in either direction, each step
    with every edge joining its two nodes and their evidence. Explains, for example, how a
    prevention measure relates to a symptom."""
    source, target = resolve_node_ref(runtime, source), resolve_node_ref(runtime, target)
    paths = runtime.paths.paths(source, target, max_hops=max_hops, k=k)
    return PathsResponse(
        source=runtime.summaries[source],
        target=runtime.summaries[target],
        max_hops=max_hops,
        paths=[
            PathOut(
                nodes=[runtime.summaries[n] for n in path.nodes],
                hops=len(path.steps),
                steps=[
                    PathStepOut(
                        source=here,
                        target=there,
                        edges=[neighbour_out(runtime, n.direction, n.edge.key) for n in step],
                    )
                    for (here, there), step in zip(
                        itertools.pairwise(path.nodes), path.steps, strict=True
                    )
                ],
            )
            for path in paths
        ],
    )


@router.get(
    "/nodes/{node_id}/care-pathway",
    operation_id="getCarePathway",
    summary="Care pathway of a cause or condition",
    responses=problem_responses(304, 404, 422, 500),
)
async def get_care_pathway(runtime: RuntimeDep, node_id: NodePath) -> CarePathwayOut:
    """Everything a health page needs in one call: what the cause or condition produces, what
    leads to it, and its diagnostics, treatments and prevention, each with evidence. Other
    kinds of node have no care pathway (404)."""
    if not runtime.graph.has_node(node_id):
        raise unknown_node(runtime, node_id)
    kind = runtime.graph.node(node_id).kind
    if kind not in (NodeKind.CAUSE, NodeKind.CONDITION):
        raise ProblemError(
            404,
            f"Care pathways exist for causes and conditions; {node_id!r} is a {kind.value}. "
            f"See /v1/nodes/{node_id} for its neighbours.",
        )
    pathway = care_pathway(runtime.graph, node_id)
    grouped = recommended_out(runtime.summaries, runtime.edges, pathway.recommendations)
    return CarePathwayOut(
        node=runtime.summaries[node_id],
        symptoms=[runtime.edges[e.key] for e in pathway.symptoms],
        causes=[runtime.edges[e.key] for e in pathway.causes],
        diagnostics=grouped.diagnostics,
        treatments=grouped.treatments,
        prevention=grouped.prevention,
        related=[neighbour_out(runtime, n.direction, n.edge.key) for n in pathway.related],
        disclaimer=runtime.disclaimer,
    )


def _by_id(runtime: Runtime, body: DiagnoseRequest) -> tuple[list[list[str]], list[dict[str, str]]]:
    """The node ids of the present, absent, exposures and absent_exposures refs (ids or
    standard codes), and each code given that a newer one replaced, once, in order. A code
    that names no node, or several, is passed on as it is and reported by the engine's check."""
    reference = runtime.reference
    replaced: list[dict[str, str]] = []
    seen: set[str] = set()
    fields = []
    for refs in (body.present, body.absent, body.exposures, body.absent_exposures):
        resolved = []
        for ref in refs:
            node, current = reference(ref)
            resolved.append(node)
            if current is not None and ref not in seen:
                seen.add(ref)
                replaced.append({"given": ref, "id": node, "current": current})
        fields.append(resolved)
    return fields, replaced


def _invalid_query(runtime: Runtime, exc: InvalidQueryError) -> ProblemError:
    return invalid_ids(runtime, exc.issues)
