"""RFC 9457 problem details: the one place where errors become HTTP responses."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from graph.schema.errors import NotFoundError

__all__ = [
    "MAX_LISTED_ERRORS",
    "PROBLEM_MEDIA_TYPE",
    "FieldError",
    "Problem",
    "ProblemError",
    "Suggestion",
    "install_problem_handlers",
    "internal_error",
    "invalid_fields",
    "problem_for",
    "problem_response",
    "problem_responses",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"
# A body can hold thousands of bad fields; listing them all costs more than the request did.
MAX_LISTED_ERRORS = 20
logger = logging.getLogger("symptom_graph")


class FieldError(BaseModel):
    location: str = Field(
        description="Where the bad value is, e.g. `body.present.0` or `query.limit`."
    )
    message: str = Field(description="What is wrong with it and what is accepted instead.")


class Suggestion(BaseModel):
    id: str
    name: str


class Problem(BaseModel):
    """An RFC 9457 problem details document."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "about:blank",
                    "title": "Not Found",
                    "status": 404,
                    "detail": "No node with id 'symptom:numbnes'. Did you mean 'symptom:numbness'?",
                    "instance": "/v1/nodes/symptom:numbnes",
                    "suggestions": [{"id": "symptom:numbness", "name": "Numbness around the knee"}],
                }
            ]
        }
    )

    type: str = Field(default="about:blank", description="A URI reference naming the problem type.")
    title: str = Field(description="The HTTP status phrase.")
    status: int = Field(ge=400, le=599)
    detail: str = Field(description="What went wrong in this request and how to fix it.")
    instance: str = Field(description="The request path the problem occurred on.")
    errors: list[FieldError] | None = Field(
        default=None, description=f"Invalid inputs (422), at most {MAX_LISTED_ERRORS}."
    )
    more_errors: int | None = Field(
        default=None,
        ge=1,
        description=f"How many more invalid inputs were found than the {MAX_LISTED_ERRORS} listed.",
    )
    suggestions: list[Suggestion] | None = Field(
        default=None, description="Ids you may have meant, for unknown ids."
    )


class ProblemError(Exception):
    """Raise from a handler to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: list[FieldError] | None = None,
        suggestions: list[Suggestion] | None = None,
        headers: dict[str, str] | None = None,
        more_errors: int = 0,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors
        self.suggestions = suggestions
        self.headers = headers
        self.more_errors = more_errors


def problem_response(
    status: int,
    detail: str,
    instance: str,
    *,
    errors: list[FieldError] | None = None,
    suggestions: list[Suggestion] | None = None,
    headers: dict[str, str] | None = None,
    more_errors: int = 0,
) -> Response:
    """The problem document; `errors` beyond the first MAX_LISTED_ERRORS are only counted."""
    if errors is not None and len(errors) > MAX_LISTED_ERRORS:
        more_errors += len(errors) - MAX_LISTED_ERRORS
        errors = errors[:MAX_LISTED_ERRORS]
    problem = Problem(
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=instance,
        errors=errors,
        more_errors=more_errors or None,
        suggestions=suggestions,
    )
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


def _validation_problem(exc: RequestValidationError, path: str) -> Response:
    found = exc.errors()
    # Only the listed errors are converted: a body can carry thousands.
    errors = [
        FieldError(location=_location(tuple(e.get("loc", ()))), message=str(e.get("msg", "")))
        for e in found[:MAX_LISTED_ERRORS]
    ]
    return _problem(invalid_fields(errors, len(found)), path)


def invalid_fields(errors: list[FieldError], total: int) -> ProblemError:
    """A 422 listing `errors`, the first of `total` invalid inputs."""
    listed = "; ".join(f"{e.location}: {e.message}" for e in errors[:5])
    more = f" (and {total - 5} more)" if total > 5 else ""
    detail = f"The request is invalid: {listed}{more}. Fix these fields and retry."
    return ProblemError(422, detail, errors=errors, more_errors=total - len(errors))


def _http_problem(exc: StarletteHTTPException, method: str, path: str) -> Response:
    details = {
        404: f"Nothing is served at {path}. See /docs for the available paths.",
        405: f"{method} is not allowed on {path}; see the Allow header.",
    }
    if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
        details[400] = _unparsable_body(exc.__cause__)
    detail = details.get(exc.status_code, str(exc.detail))
    headers = dict(exc.headers) if exc.headers else None
    return problem_response(exc.status_code, detail, path, headers=headers)


def _unparsable_body(cause: BaseException | None) -> str:
    """Why the JSON parser gave up, in words a client can act on."""
    if isinstance(cause, RecursionError):
        return "The JSON body is nested too deeply to parse; send a flat diagnose object."
    if isinstance(cause, UnicodeDecodeError):
        return "The body is not valid UTF-8: send UTF-8 encoded JSON."
    if isinstance(cause, ValueError) and "digits" in str(cause):
        return "A number in the JSON body has too many digits to parse; send a small integer."
    return "The JSON body could not be parsed; send a UTF-8 encoded JSON object."


def _problem(exc: ProblemError, path: str) -> Response:
    return problem_response(
        exc.status,
        exc.detail,
        path,
        errors=exc.errors,
        suggestions=exc.suggestions,
        headers=exc.headers,
        more_errors=exc.more_errors,
    )


def _not_found_problem(exc: NotFoundError, path: str) -> Response:
    return problem_response(404, f"No {exc.what} with id {exc.ident!r}.", path)


def problem_for(exc: Exception, method: str, path: str) -> Response | None:
    """The problem document the app's exception handlers answer `exc` with; None for an
    unexpected error (the front door answers those). For endpoints served outside FastAPI's
    exception handling (app/hotpaths.py), so that their errors read exactly the same."""
    if isinstance(exc, ProblemError):
        return _problem(exc, path)
    if isinstance(exc, RequestValidationError):
        return _validation_problem(exc, path)
    if isinstance(exc, StarletteHTTPException):
        return _http_problem(exc, method, path)
    if isinstance(exc, NotFoundError):
        return _not_found_problem(exc, path)
    return None


_INTERNAL_DETAIL = (
    "The server failed to answer this request. It has been logged; please retry later."
)


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    # The front door (app/frontdoor.py) answers handlers' errors itself, so that the answer
    # still gets the request id, security headers and metrics; only its own errors reach here.
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return internal_error(request.url.path)


def internal_error(path: str) -> Response:
    """The generic 500 for an error a handler let escape: it says nothing about the error."""
    return problem_response(500, _INTERNAL_DETAIL, path)


async def _on_known(request: Request, exc: Exception) -> Response:
    response = problem_for(exc, request.method, request.url.path)
    assert response is not None, "registered only for the errors problem_for knows"
    return response


def install_problem_handlers(app: FastAPI) -> None:
    for known in (RequestValidationError, StarletteHTTPException, ProblemError, NotFoundError):
        app.add_exception_handler(known, _on_known)
    app.add_exception_handler(Exception, _on_unexpected)


_DESCRIPTIONS = {
    304: "Not modified: the representation matching `If-None-Match` is still current.",
    400: "Bad request: a body that cannot be decoded, or an untrusted Host header.",
    404: "Unknown id or path; unknown ids come with suggestions.",
    405: "Method not allowed on this path.",
    413: "The request body is larger than 128 KiB.",
    422: "Invalid input: each invalid field is listed under `errors`.",
    500: "Unexpected server error.",
    503: "The content is not loaded yet.",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries declaring problem+json errors (and 304) for an operation."""
    responses: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        if status == 304:
            responses[status] = {"description": _DESCRIPTIONS[304]}
        else:
            responses[status] = {"model": Problem, "description": _DESCRIPTIONS[status]}
    return responses
