"""The hot POST endpoints (diagnose, parse) served ahead of FastAPI's per-request dispatch.

Behind the front door, FastAPI passes each request through its exception and exit-stack
layers, matches the routes in turn, builds a Request and a Response and wraps `send` twice:
about as much CPU as the diagnose engine itself spends on a knee query. An endpoint that
reads only its JSON body and answers JSON needs none of it, so this layer, just inside the
front door, answers those requests itself: it reads the body the front door buffered, calls
the same function the FastAPI route calls (which validates it with pydantic-core straight
from the bytes and renders the answer), and sends the bytes. Its errors are the problem
documents the app's exception handlers give (`problem_for`); an unexpected one goes on to
the front door's 500. The APIRoutes stay declared: they generate the OpenAPI operations, and
serve the same answers if reached (a request under another root path).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import anyio.to_thread
from fastapi.routing import APIRoute, APIRouter
from starlette._utils import get_route_path
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.deps import loaded
from app.problems import problem_for
from app.runtime import Runtime

__all__ = ["Answer", "HotPath", "HotPaths", "hot_path"]

# The endpoint's work: the loaded runtime, the raw body and its Content-Type, to JSON bytes.
Answer = Callable[[Runtime, bytes, str], bytes]


@dataclass(frozen=True)
class HotPath:
    """A POST operation answered by `answer`; `route` is its APIRoute, whose template labels
    the request in the metrics as routing would."""

    route: APIRoute
    answer: Answer


def hot_path(router: APIRouter, operation_id: str, answer: Answer) -> HotPath:
    """The router's POST operation `operation_id`, answered by `answer`."""
    route = next(
        r for r in router.routes if isinstance(r, APIRoute) and r.operation_id == operation_id
    )
    if route.methods != {"POST"}:
        raise ValueError(f"{operation_id}: only POST operations are served as hot paths")
    return HotPath(route, answer)


class HotPaths:
    """Answers POST requests to the hot paths' templates; passes every other request on."""

    def __init__(self, app: ASGIApp, paths: Iterable[HotPath]) -> None:
        self.app = app
        self.paths = {hot.route.path: hot for hot in paths}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        hot = None
        if scope["type"] == "http" and scope["method"] == "POST":
            hot = self.paths.get(get_route_path(scope))
        if hot is None:
            await self.app(scope, receive, send)
            return
        scope["route"] = hot.route
        content_type = ""
        for name, value in scope["headers"]:
            if name == b"content-type":
                content_type = value.decode("latin-1")
                break
        body = await _body(receive)
        try:
            runtime = loaded(scope["app"].state.runtime)  # a 503 problem while loading
            if runtime.on_demand and not runtime.suggests_at_once:
                # A cold worker (app/warmgate.py): an unknown id's suggestions would build the
                # search index on the event loop, holding every connection meanwhile.
                payload = await anyio.to_thread.run_sync(hot.answer, runtime, body, content_type)
            else:
                payload = hot.answer(runtime, body, content_type)
        except Exception as exc:
            problem = problem_for(exc, "POST", scope["path"])
            if problem is None:
                raise
            await problem(scope, receive, send)
            return
        headers = [(b"content-length", b"%d" % len(payload)), (b"content-type", _JSON)]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


_JSON = b"application/json"


async def _body(receive: Receive) -> bytes:
    """The whole request body (the front door has buffered it: one message)."""
    chunks: list[bytes] = []
    while True:
        message: Message = await receive()
        if message["type"] != "http.request":  # http.disconnect: Starlette raises the same
            raise ClientDisconnect()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)
