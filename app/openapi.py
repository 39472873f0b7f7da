"""The OpenAPI document: FastAPI's, with errors declared as application/problem+json."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

__all__ = ["API_VERSION", "DESCRIPTION", "TAGS", "build_openapi", "json_request_body"]

API_VERSION = "1.0.0"

DESCRIPTION = """\
A knowledge graph of health content. The first content pack covers **knee twitching and knee
spasms**: causes, symptoms, diagnostic tests, treatments and prevention, linked by typed edges.
Every edge cites its source with a verbatim excerpt.

The headline operation, `POST /v1/diagnose`, takes reported symptoms and returns ranked candidate
causes with the tests, treatments and prevention recommended for each, and the evidence behind
every step.

**Not a diagnosis.** Responses are educational reference material drawn from the cited sources;
they do not diagnose, treat, cure or prevent any disease, and they carry the sources' disclaimer.
Always consult a qualified healthcare professional.

Errors are RFC 9457 `application/problem+json`. GET responses carry strong ETags.
"""

TAGS = [
    {"name": "reasoning", "description": "Ranked causes, typed paths and care pathways."},
    {"name": "nodes", "description": "Causes, symptoms, tests, treatments and prevention."},
    {"name": "edges", "description": "Typed claims between nodes, each with its evidence."},
    {"name": "search", "description": "Find node ids from what people type."},
    {"name": "sources", "description": "The works the content quotes and cites."},
    {"name": "graph", "description": "Whole-graph exports and what is loaded."},
    {"name": "operations", "description": "Health, readiness and metrics."},
]

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_SCHEMA_REF = "#/components/schemas/{model}"
# Models of bodies that their routes read themselves (app/deps.py `parse_body`).
_BODY_MODELS: dict[str, type[BaseModel]] = {}


def json_request_body(model: type[BaseModel]) -> dict[str, Any]:
    """A route's `openapi_extra` declaring a required JSON body of `model`, for a route that
    reads its body itself (FastAPI's own body handling cost 0.2 ms a request)."""
    _BODY_MODELS[model.__name__] = model
    schema = {"$ref": _SCHEMA_REF.format(model=model.__name__)}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def _declared_bodies(spec: dict[str, Any]) -> set[str]:
    """The names of the registered body models that the spec's request bodies refer to."""
    names = set()
    for path_item in spec.get("paths", {}).values():
        for operation in path_item.values():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                ref = media.get("schema", {}).get("$ref", "")
                name = ref.rpartition("/")[2]
                if name in _BODY_MODELS:
                    names.add(name)
    return names


_SHED = "At capacity, or the content is not loaded yet: retry after `Retry-After` seconds."


def build_openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is not None:
        return app.openapi_schema
    spec = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=TAGS,
        # Relative: "Try it out" and generated clients call whichever origin served the spec
        # (any port, a container mapping, a proxy), which the docs' CSP allows as 'self'.
        servers=[{"url": "/", "description": "The server that serves this document"}],
        contact={"name": "symptom-graph maintainers"},
        license_info={"name": "MIT", "url": "https://opensource.org/license/mit"},
    )
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    # Only the bodies this app's routes declare: the registry is shared by every app built in
    # the process (the tests build many), and another app's models are not this one's.
    for name in sorted(_declared_bodies(spec)):
        schema = _BODY_MODELS[name].model_json_schema(ref_template=_SCHEMA_REF)
        schemas.update(schema.pop("$defs", {}))
        schemas[name] = schema
    for path, path_item in spec["paths"].items():
        for operation in path_item.values():
            if path not in ("/healthz", "/readyz"):
                # Any other operation may be shed under load (app/hardening.py).
                operation["responses"].setdefault("503", {"description": _SHED})
            for status, response in operation.get("responses", {}).items():
                if status.isdigit() and int(status) >= 400:
                    response["content"] = {
                        "application/problem+json": {
                            "schema": _PROBLEM_REF,
                            # Problem's own example is a 404; each status shows its own.
                            "example": _problem_example(int(status), path),
                        }
                    }
            media = [
                *operation.get("requestBody", {}).get("content", {}).values(),
                *operation.get("responses", {}).get("200", {}).get("content", {}).values(),
            ]
            for item in media:
                _inline_example(item, schemas)
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    app.openapi_schema = spec
    return spec


_PROBLEM_DETAILS = {
    400: "The body is not UTF-8 encoded JSON (UTF-16, UTF-32 and a byte order mark are "
    "refused): send UTF-8 without a BOM.",
    404: "No node with id 'symptom:numbnes'. Did you mean 'symptom:numbness'?",
    405: "PUT is not allowed on this path; see the Allow header.",
    413: "The request body is larger than 131072 bytes; send a smaller body.",
    422: "The request is invalid: query.limit: Input should be less than or equal to 200. "
    "Fix these fields and retry.",
    500: "The server failed to answer this request. It has been logged; please retry later.",
    503: "The server is at capacity; retry after the delay in Retry-After.",
}


def _problem_example(status: int, path: str) -> dict[str, Any]:
    example: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": _PROBLEM_DETAILS.get(status, HTTPStatus(status).description),
        "instance": path,
    }
    if status == 422:
        example["errors"] = [
            {"location": "query.limit", "message": "Input should be less than or equal to 200"}
        ]
    return example


def _inline_example(media: dict[str, Any], schemas: dict[str, Any]) -> None:
    """Show a schema's first example on the operation itself, where clients and docs look."""
    ref = media.get("schema", {}).get("$ref", "")
    examples = schemas.get(ref.rsplit("/", 1)[-1], {}).get("examples")
    if examples and "example" not in media:
        media["example"] = examples[0]
