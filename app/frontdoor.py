"""The front door: every concern that spans requests, applied in one pure-ASGI layer.

In order: the request id, the trusted hosts, CORS preflights, HEAD as GET, the body's size
and encoding, load shedding and turns on the CPU, then the app; and on the way out, in one
pass over the answer's start: entity tags and 304s, CORS, security headers, the request id,
and the metrics and access log once it is sent. An error the app lets escape becomes a
generic 500 problem that gets all of these too; a client that leaves before its request is
read is a 499 in the metrics and the access log, not an error. When a 200's body will not be
sent (a HEAD, or a 304), the app's scope says so (`BODY_NOT_SENT`), so that a route whose
body is costly (the whole-graph export) answers from what it knows instead.

These used to be eight middleware layers, each wrapping `send` and adding its frames to every
request. As one layer they cost about 25 us less a request in process (a cached diagnose
answer: 166 against 190 us; /healthz: 167 against 193 us; the app called directly, medians
of three runs side by side with the eight layers).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.hardening import (
    BODY_NOT_SENT,
    BodyLimit,
    ConditionalGet,
    LoadShed,
    ProblemCORS,
    TrustedHosts,
    security_headers,
)
from app.observability import REQUEST_ID, RequestLog
from app.problems import internal_error

__all__ = ["CLIENT_CLOSED", "FrontDoor"]

logger = logging.getLogger("symptom_graph")
# nginx's status for a request whose client closed the connection before it was answered.
CLIENT_CLOSED = 499


class FrontDoor:
    """The app behind the hardening policies; a policy left out (None) is not applied."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        log: RequestLog | None = None,
        hosts: TrustedHosts | None = None,
        cors: ProblemCORS | None = None,
        body: BodyLimit | None = None,
        shed: LoadShed | None = None,
        conditional: ConditionalGet | None = None,
    ) -> None:
        self.app = app
        self.log = log
        self.hosts = hosts
        self.cors = cors
        self.body = body
        self.shed = shed
        self.conditional = conditional

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        method = scope["method"]
        root_path = scope.get("root_path", "")
        request_id = RequestLog.request_id(scope)
        token = REQUEST_ID.set(request_id)
        extra_headers = (*security_headers(scope["path"]), (b"x-request-id", request_id.encode()))
        # The scope the app sees: a HEAD is answered as the GET of the same URL, without its
        # body (RFC 9110 9.3.2); FastAPI routes declare GET only.
        inner = {**scope, "method": "GET"} if method == "HEAD" else scope
        cors = self.cors  # None once an answer must not get the CORS response headers
        etag: bytes | None = None
        turn: asyncio.Semaphore | None = None
        status = 500
        answering = False
        bodiless = method == "HEAD"
        admitted = False  # holding one of the load shedder's in-flight slots

        async def reply(message: Message) -> None:
            nonlocal status, answering, bodiless, turn, admitted
            if message["type"] == "http.response.start":
                answering = True
                if turn is not None:  # the answer is computed: a slow reader holds no turn
                    turn.release()
                    turn = None
                status = message["status"]
                headers = list(message.get("headers", ()))
                if etag is not None and status == 200 and self.conditional is not None:
                    not_modified, headers = self.conditional.validate(inner, etag, headers)
                    if not_modified:
                        status = 304
                        bodiless = True
                headers += extra_headers
                message = {**message, "status": status, "headers": headers}
                if cors is not None:
                    await cors.send(message, send, Headers(scope=scope))
                    return
            elif message["type"] == "http.response.body" and bodiless:
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b""}
            await send(message)
            if (
                admitted
                and message["type"] == "http.response.body"
                and not message.get("more_body", False)
            ):
                # Answered: the slot is free once the whole body is handed over. The server
                # may start the connection's next request before this app returns, and with
                # as many connections as slots, that request would find none left.
                admitted = False
                if self.shed is not None:
                    self.shed.done()

        try:
            refusal: Response | None = None
            if self.hosts is not None:
                refusal = self.hosts.refusal(scope)
            if refusal is None and cors is not None:
                refusal = cors.preflight(scope)
            if refusal is not None:
                cors = None  # a preflight answer has its own; a bad host gets none
                await refusal(inner, receive, reply)
                return
            if self.body is not None:
                refusal, receive = await self.body.read(inner, receive)
                if refusal is not None:
                    await refusal(inner, receive, reply)
                    return
            if self.shed is not None and scope["path"] not in self.shed.exempt:
                if not await self.shed.acquire():
                    # Labelled by its route in the metrics, as if it had been routed.
                    inner = {**inner, **_route_match(inner)}
                    await self.shed.refusal(scope["path"])(inner, receive, reply)
                    return
                admitted = True
                if scope["path"] not in self.shed.unturned:
                    turn = await self.shed.take_turn()
            if self.conditional is not None:
                etag = self.conditional.etag(inner)
            if bodiless or (
                etag is not None
                and self.conditional is not None
                and self.conditional.matches(inner, etag)
            ):
                # A route may then answer from what it knows without making the body.
                inner = {**inner, BODY_NOT_SENT: True}
            try:
                await self.app(inner, receive, reply)
            except ClientDisconnect:
                raise  # not an error of the app's: answered below
            except Exception:
                if answering:
                    raise  # too late for a problem document; the server closes the connection
                logger.exception("unhandled error on %s %s", method, scope["path"])
                await internal_error(scope["path"])(inner, receive, reply)
        except ClientDisconnect:
            # The client left before its request was read (a partial body, then the
            # connection closed): nobody to answer and nothing wrong here. Counted and logged
            # as its own outcome, 499 as nginx calls it, at info and without a traceback.
            status = CLIENT_CLOSED
            if "route" not in inner:  # left before routing: label it by its route anyway
                inner = {**inner, **_route_match(inner)}
            logger.info("client closed the connection during %s %s", method, scope["path"])
        finally:
            if turn is not None:
                turn.release()
            if admitted and self.shed is not None:
                self.shed.done()
            if self.log is not None:
                self.log.record(method, inner, root_path, status, time.perf_counter() - started)
            REQUEST_ID.reset(token)


def _route_match(scope: Scope) -> Scope:
    """What routing adds to the scope (the matched route, for the metrics label), for a
    request refused before it reached the router; empty when no route matches it whole."""
    app = scope.get("app")
    return _first_match(getattr(getattr(app, "router", None), "routes", ()), scope)


def _first_match(routes: Iterable[object], scope: Scope) -> Scope:
    for route in routes:
        # FastAPI keeps an included router whole (its match names no route): look inside.
        included = getattr(route, "original_router", None)
        if included is not None:
            found = _first_match(included.routes, scope)
            if found:
                return found
        elif isinstance(route, BaseRoute):
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                return {"route": route, **child_scope}
    return {}
