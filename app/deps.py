"""Dependencies shared by the routers."""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Iterable
from typing import Annotated, TypeVar

from annotated_types import MaxLen
from fastapi import Depends, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from app.problems import MAX_LISTED_ERRORS, FieldError, ProblemError, Suggestion, invalid_fields
from app.runtime import Runtime
from graph.schema.errors import AmbiguousCodeError, NotFoundError
from graph.schema.vocabulary import NodeKind

__all__ = [
    "MAX_SUGGESTED_IDS",
    "RuntimeDep",
    "get_runtime",
    "invalid_ids",
    "loaded",
    "parse_body",
    "resolve_node_ref",
    "runtime_of",
    "unknown_node",
]

M = TypeVar("M", bound=BaseModel)
# Commas in a body validated without the checks for hostile bodies first: more than any
# valid body of this API has (four lists of at most 50 ids and a few keys: about 200).
FAST_PATH_SEPARATORS = 256
# Fuzzy suggestions cost about half a millisecond each: only this many unknown ids get them.
MAX_SUGGESTED_IDS = 3


def runtime_of(request: Request) -> Runtime:
    """The loaded content; a 503 problem while it is still loading."""
    return loaded(getattr(request.app.state, "runtime", None))


def loaded(runtime: Runtime | None) -> Runtime:
    """`runtime` once the content is loaded; a 503 problem while it is still loading."""
    if runtime is None:
        raise ProblemError(
            503, "The content is still loading; retry in a moment.", headers={"Retry-After": "1"}
        )
    return runtime


async def get_runtime(request: Request) -> Runtime:
    # async: a plain def would run in the thread pool, a thread hop on every request
    return runtime_of(request)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def unknown_node(runtime: Runtime, node_id: str, kind: NodeKind | None = None) -> ProblemError:
    """A 404 for an unknown node id, with the ids it most likely meant."""
    hits = runtime.search.suggest(node_id, kind=kind)
    suggestions = [Suggestion(id=h.node_id, name=h.name) for h in hits]
    hint = f" Did you mean {', '.join(repr(s.id) for s in suggestions)}?" if suggestions else ""
    return ProblemError(
        404,
        f"No node with id {node_id!r}.{hint} Search with /v1/search?q=...",
        suggestions=suggestions,
    )


def resolve_node_ref(runtime: Runtime, ref: str) -> str:
    """The node id that `ref` names, by id or by a standard code (`HP:0001250`, `R25.1`);
    a 404 problem with suggestions when it names no node, or several."""
    try:
        return runtime.graph.resolve(ref)
    except AmbiguousCodeError as exc:
        raise ProblemError(
            404,
            f"The code {ref!r} names {len(exc.candidates)} nodes: "
            f"{', '.join(exc.candidates)}. Ask for one of them by id.",
            suggestions=[Suggestion(id=c, name=runtime.graph.node(c).name) for c in exc.candidates],
        ) from None
    except NotFoundError:
        raise unknown_node(runtime, ref) from None


def invalid_ids(runtime: Runtime, issues: Iterable[tuple[str, str, str]]) -> ProblemError:
    """A 422 for ids a query cannot use, given as (field, id, reason).

    The work is bounded whatever the body holds: at most MAX_LISTED_ERRORS are described and
    only the first MAX_SUGGESTED_IDS unknown ids are fuzzy-matched for suggestions.
    """
    errors: list[FieldError] = []
    suggestions: dict[str, Suggestion] = {}
    total = suggested = 0
    for field, ident, reason in issues:
        total += 1
        if len(errors) == MAX_LISTED_ERRORS:
            continue
        hint = ""
        if suggested < MAX_SUGGESTED_IDS and not runtime.graph.has_node(ident):
            suggested += 1
            kind = NodeKind.CAUSE if "exposures" in field else NodeKind.SYMPTOM
            hits = runtime.search.suggest(ident, kind=kind, limit=3)
            suggestions.update((h.node_id, Suggestion(id=h.node_id, name=h.name)) for h in hits)
            hint = f"; did you mean {', '.join(h.node_id for h in hits)}?" if hits else ""
        errors.append(FieldError(location=f"body.{field}", message=f"{ident}: {reason}{hint}"))
    listed = "; ".join(e.message for e in errors[:5])
    more = f" (and {total - 5} more)" if total > 5 else ""
    detail = f"{total} id(s) cannot be used: {listed}{more}. Find ids with /v1/search?q=..."
    return ProblemError(
        422,
        detail,
        errors=errors,
        suggestions=list(suggestions.values()),
        more_errors=total - len(errors),
    )


def parse_body(raw: bytes, content_type: str, model: type[M]) -> M:
    """A JSON request body as a `model`, checked strictly and in bounded time.

    Routes read their bodies here rather than through FastAPI (which parsed, then validated
    a second time, and solved a dependency for it: 0.2 ms a request); the answers to bad
    bodies are FastAPI's own. A small body is validated at once (a valid one is parsed once).
    Pydantic reports every unknown key and every bad item of an over-long list (7,000 keys
    cost about 28 ms), so lists longer than their cap and unknown keys are counted first; the
    rest is validated in strict mode, where `"limit": "5"` or `true` is not an integer.
    """
    if not raw:
        raise RequestValidationError(
            [{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}]
        )
    media = content_type.split(";")[0].strip().lower()
    if not (
        media == "application/json"
        or (media.startswith("application/") and media.endswith("+json"))
    ):
        # FastAPI refuses it too (a 422), as "not a valid dictionary": say what to send.
        message = f"send the body as JSON, with Content-Type: application/json (not {media!r})"
        raise invalid_fields([FieldError(location="body", message=message)], 1)
    if raw.count(b",") <= FAST_PATH_SEPARATORS:
        # Few values: validated at once, in bounded time. A valid body passes every check
        # below, so they are run, to answer as they do, only when this one fails.
        try:
            return model.model_validate_json(raw, strict=True)
        except ValidationError:
            pass
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        error = {"type": "json_invalid", "loc": ("body", exc.pos), "msg": "JSON decode error"}
        raise RequestValidationError([{**error, "input": {}, "ctx": {"error": exc.msg}}]) from exc
    except (RecursionError, ValueError) as exc:  # too deep, too many digits (app/problems.py)
        raise HTTPException(400, "There was an error parsing the body") from exc
    if isinstance(data, dict):
        _check_shape(model, data)
    try:
        # Parsed again, from the text: strict Python-mode validation of `data` would also
        # refuse enum values, which JSON can only send as strings.
        return model.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        errors = [
            FieldError(location=".".join(map(str, ("body", *e["loc"]))), message=e["msg"])
            for e in exc.errors(include_url=False, include_input=False)[:MAX_LISTED_ERRORS]
        ]
        raise invalid_fields(errors, exc.error_count()) from None


@functools.cache
def _list_caps(model: type[BaseModel]) -> tuple[tuple[str, int], ...]:
    """(field, max_length) of each of the model's fields that has one."""
    return tuple(
        (name, cap)
        for name, info in model.model_fields.items()
        for cap in [next((m.max_length for m in info.metadata if isinstance(m, MaxLen)), None)]
        if cap is not None
    )


def _check_shape(model: type[BaseModel], data: dict[str, object]) -> None:
    fields = model.model_fields
    errors: list[FieldError] = []
    total = 0
    if model.model_config.get("extra") == "forbid" and not data.keys() <= fields.keys():
        total = len(data.keys() - fields.keys())
        unknown = itertools.islice((key for key in data if key not in fields), MAX_LISTED_ERRORS)
        errors += [
            FieldError(location=f"body.{key}", message="Extra inputs are not permitted")
            for key in unknown
        ]
    for name, cap in _list_caps(model):
        value = data.get(name)
        if isinstance(value, list) and len(value) > cap:
            total += 1
            errors.insert(
                0,
                FieldError(
                    location=f"body.{name}",
                    message=f"List should have at most {cap} items, not {len(value)}",
                ),
            )
    if errors:
        raise invalid_fields(errors[:MAX_LISTED_ERRORS], total)
