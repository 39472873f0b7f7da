"""The hot endpoint served by Starlette directly, ahead of FastAPI's per-request dispatch.

For each request, FastAPI matches an included router's routes in several passes, solves the
endpoint's dependencies and checks its telemetry settings: about 0.09 ms of the 0.3 ms that a
diagnose answered from its cache costs in process. An endpoint that takes only the `Request`
and returns a finished `Response` needs none of that, so it is also mounted as a plain
Starlette route, first in the app's routes. Its APIRoute stays where it is, unreached for
that method: it documents the operation in the OpenAPI spec.
"""

from __future__ import annotations

import inspect

from fastapi import Request
from fastapi.routing import APIRoute, APIRouter
from starlette.routing import Match, Route
from starlette.types import Scope

__all__ = ["LeanRoute", "lean_route"]


class LeanRoute(Route):
    """A Starlette route that records itself in the scope, as FastAPI's routes do: the
    metrics label requests by the matched route's template (app/observability.py)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match is not Match.NONE:
            child_scope["route"] = self
        return match, child_scope


def lean_route(router: APIRouter, operation_id: str) -> LeanRoute:
    """A LeanRoute serving the router's operation `operation_id` with the same endpoint."""
    route = next(
        r for r in router.routes if isinstance(r, APIRoute) and r.operation_id == operation_id
    )
    parameters = list(inspect.signature(route.endpoint).parameters.values())
    if [p.annotation for p in parameters] not in ([Request], ["Request"]):
        raise TypeError(f"{operation_id}: a lean route's endpoint takes only the Request")
    return LeanRoute(
        route.path, route.endpoint, methods=sorted(route.methods or ()), include_in_schema=False
    )
