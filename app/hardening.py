"""Body size and encoding, load shedding, HEAD, security headers and conditional GETs, as pure
ASGI middleware."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.problems import FieldError, problem_response

__all__ = [
    "BodyLimitMiddleware",
    "ConditionalGetMiddleware",
    "HeadMiddleware",
    "LoadShedMiddleware",
    "ProblemCORSMiddleware",
    "SecurityHeadersMiddleware",
    "TrustedHostMiddleware",
]

DOCS_PREFIXES = ("/docs", "/redoc", "/static-offline-docs")
API_CSP = b"default-src 'none'; frame-ancestors 'none'"
# Swagger UI and ReDoc run an inline bootstrap script and ReDoc a blob worker, all same-origin.
DOCS_CSP = (
    b"default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'"
)
# The web pages (app/web): their own scripts, styles and API calls, nothing inline or remote.
WEB_PAGES = ("/", "/explorer")
WEB_CSP = (
    b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    b"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def content_security_policy(path: str) -> bytes:
    if path.startswith(DOCS_PREFIXES):
        return DOCS_CSP
    if path in WEB_PAGES or path.startswith("/web/"):
        return WEB_CSP
    return API_CSP


class BodyLimitMiddleware:
    """413 problem+json for bodies over the limit, whether declared by Content-Length or streamed;
    400 for a JSON body that is not UTF-8 (Python's parser would silently accept UTF-16, UTF-32
    and a byte order mark, which RFC 8259 8.1 forbids on the wire).

    Starlette's own limiter answers in text/plain, so the body is buffered here instead (it is
    small by definition) and replayed to the app.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._reject(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._reject(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        content = b"".join(chunks)
        if _is_json(scope):
            rejection = _json_rejection(content, scope["path"])
            if rejection is not None:
                await rejection(scope, receive, send)
                return
        body = {"type": "http.request", "body": content, "more_body": False}
        await self.app(scope, _replay([body], receive), send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"The request body is larger than {self.max_bytes} bytes; send a smaller body."
        response = problem_response(413, detail, scope["path"], headers={"Connection": "close"})
        await response(scope, receive, send)


def _is_json(scope: Scope) -> bool:
    """Whether FastAPI parses the body as JSON (a JSON media type; without one it does not)."""
    media = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


# No body of this API holds more than a few hundred JSON values; parsing 7,000 costs ~3.5 ms.
MAX_JSON_VALUES = 1000


def _json_rejection(content: bytes, path: str) -> Response | None:
    """400 for a body that is not UTF-8, 422 for one with more values than any valid body has
    (counted by their separators, far cheaper than parsing them)."""
    if not _is_utf8_json(content):
        detail = (
            "The body is not UTF-8 encoded JSON (UTF-16, UTF-32 and a byte order mark are "
            "refused): send UTF-8 without a BOM."
        )
        return problem_response(400, detail, path)
    if content.count(b",") >= MAX_JSON_VALUES:
        message = f"The JSON body holds more than {MAX_JSON_VALUES} values; no valid body does."
        return problem_response(
            422,
            f"The request is invalid: {message} Send at most 50 ids per list.",
            path,
            errors=[FieldError(location="body", message=message)],
        )
    return None


def _is_utf8_json(content: bytes) -> bool:
    if not content:
        return True
    if content.startswith(b"\xef\xbb\xbf") or json.detect_encoding(content) != "utf-8":
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class LoadShedMiddleware:
    """503 problem+json with Retry-After instead of an unbounded queue, so that the health
    checks (exempt) keep answering whatever clients send.

    Two triggers: `limit` requests already being answered, or a lagging event loop. One worker
    answers everything on one loop, so a loop that runs late delays /healthz too. A callback
    every 10 ms measures the lag; when it is past `max_lag` twice in a row while the process
    was busy (`min_busy` of the time on the CPU, else other processes had it), the gap required
    between two admitted requests doubles (up to 100 ms), and each punctual tick shrinks it by
    5 % until admission is unbounded again. Requests arriving inside the gap get the 503,
    which costs a fraction of a hostile request. Placed inside the body buffering, so a slow
    upload holds no slot.

    Admitted requests then take one of `lanes` turns on the CPU, first come first served, and
    give it back when their response starts. Without the turns, a request whose body has
    arrived runs to its end without yielding, and the loop runs every such request it read
    in one pass before it reads its sockets again: 32 connections of 3 ms requests kept
    /healthz waiting 200-300 ms. With them, each turn starts in a pass of its own, so
    /healthz (which takes no turn) waits behind about `lanes` requests.
    """

    def __init__(
        self,
        app: ASGIApp,
        limit: int,
        exempt: tuple[str, ...],
        max_lag: float = 0.05,
        min_busy: float = 0.5,
        lanes: int = 1,
    ) -> None:
        self.app = app
        self.limit = limit
        self.lanes = lanes
        self._turns = asyncio.Semaphore(lanes)
        self.exempt = frozenset(exempt)
        self.max_lag = max_lag
        self.min_busy = min_busy
        self.in_flight = 0
        self.admit_every = 0.0
        self.last_admitted = 0.0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._was_late = False
        self._ticked = (0.0, 0.0)  # loop time and process CPU time at the last tick

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop = loop
            self._turns = asyncio.Semaphore(self.lanes)  # a semaphore belongs to one loop
            self._tick(loop, loop.time())
        now = loop.time()
        if self.in_flight >= self.limit or now - self.last_admitted < self.admit_every:
            detail = "The server is at capacity; retry after the delay in Retry-After."
            response = problem_response(503, detail, scope["path"], headers={"Retry-After": "1"})
            await response(scope, receive, send)
            return
        self.last_admitted = now
        self.in_flight += 1
        try:
            await self._take_turn(scope, receive, send)
        finally:
            self.in_flight -= 1

    async def _take_turn(self, scope: Scope, receive: Receive, send: Send) -> None:
        turns = self._turns
        await turns.acquire()
        holding = True
        # Start in the loop's next pass: the loop reads its sockets between two passes, so a
        # health check that arrived meanwhile waits behind one request, not a pass of them.
        await asyncio.sleep(0)

        async def send_then_release(message: Message) -> None:
            nonlocal holding
            # The answer is computed once it starts; a slow reader must not hold the turn.
            if holding and message["type"] == "http.response.start":
                holding = False
                turns.release()
            await send(message)

        try:
            await self.app(scope, receive, send_then_release)
        finally:
            if holding:
                turns.release()

    def _tick(self, loop: asyncio.AbstractEventLoop, due: float) -> None:
        if loop is not self._loop:
            return  # a newer loop took over (tests start several)
        now, cpu = loop.time(), time.process_time()
        # Late because this process was busy, not because other processes had the CPU:
        # refusing requests helps only with the first.
        busy = (cpu - self._ticked[1]) / max(now - self._ticked[0], 1e-9) >= self.min_busy
        self._ticked = (now, cpu)
        late = now - due > self.max_lag and busy
        if late and self._was_late:  # twice in a row: overload, not one pause of the process
            self.admit_every = min(max(2 * self.admit_every, _TICK / 2), _MAX_GAP)
        elif not late:
            self.admit_every = 0.0 if self.admit_every < 0.001 else 0.95 * self.admit_every
        self._was_late = late
        loop.call_at(now + _TICK, self._tick, loop, now + _TICK)


_TICK = 0.01
_MAX_GAP = 0.1


class HeadMiddleware:
    """HEAD answered as the GET of the same URL without its body (RFC 9110 9.3.2); FastAPI
    routes declare GET only, which made HEAD a 405 even on the health checks."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_without_body)


class TrustedHostMiddleware:
    """Serve only the configured Host names (`*.example.org` allowed); else 400 problem+json.

    Starlette's middleware of the same name answers in text/plain, so this one stands in.
    """

    def __init__(self, app: ASGIApp, allowed_hosts: list[str]) -> None:
        self.app = app
        self.exact = {h.lower() for h in allowed_hosts if not h.startswith("*.")}
        self.suffixes = tuple(h[1:].lower() for h in allowed_hosts if h.startswith("*."))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = (_header(scope, b"host") or "").split(":")[0].lower()
        if host in self.exact or (self.suffixes and host.endswith(self.suffixes)):
            await self.app(scope, receive, send)
            return
        detail = "The Host header names a host this service does not serve."
        await problem_response(400, detail, scope["path"])(scope, receive, send)


class ProblemCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, except that a refused preflight is a 400 problem like any other
    (Starlette answers it in text/plain)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "OPTIONS":
            headers = Headers(scope=scope)
            if "origin" in headers and "access-control-request-method" in headers:
                await self._preflight(headers, scope["path"])(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    def _preflight(self, headers: Headers, path: str) -> Response:
        response = self.preflight_response(request_headers=headers)
        if response.status_code == 200:
            return response
        refused = bytes(response.body).decode().removeprefix("Disallowed CORS ")
        detail = (
            f"This cross-origin request is not allowed (refused: {refused}). Allowed methods: "
            f"{', '.join(self.allow_methods)}; allowed request headers: "
            f"{', '.join(self.allow_headers)}."
        )
        return problem_response(400, detail, path)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = content_security_policy(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"content-security-policy", csp),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ConditionalGetMiddleware:
    """Strong ETags and Cache-Control on successful GET /v1/* responses; a matching
    If-None-Match turns the 200 into a 304 without a body.

    The graph is immutable, so the validator is a hash of the graph version and the request.
    The app still answers first: only a 200 has a current representation for `*` or a tag to
    match (RFC 9110 13.1.2), and the route template then reaches the metrics as for any request.
    """

    def __init__(self, app: ASGIApp, version: Callable[[], str | None], max_age: int) -> None:
        self.app = app
        self.version = version
        self.cache_control = f"public, max-age={max_age}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        version = self.version()
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not scope["path"].startswith("/v1/")
            or version is None
        ):
            await self.app(scope, receive, send)
            return
        # Parameter order is irrelevant but the order of a repeated parameter is not
        # (`q=knee&q=numb` is another query than `q=numb&q=knee`): a stable sort by name.
        parameters: list[bytes] = sorted(scope["query_string"].split(b"&"), key=_parameter_name)
        query = b"&".join(parameters)
        digest = hashlib.blake2b(
            b"\0".join([version.encode(), scope["path"].encode(), query]), digest_size=12
        ).hexdigest()
        etag = f'"{digest}"'.encode()
        validators = [(b"etag", etag), (b"cache-control", self.cache_control)]
        if_none_match = _header(scope, b"if-none-match")
        not_modified = False

        async def send_with_etag(message: Message) -> None:
            nonlocal not_modified
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = [*message.get("headers", []), *validators]
                if _matches(if_none_match, etag):
                    not_modified = True
                    # A 304 carries the 200's metadata but describes no body of its own.
                    headers = [(k, v) for k, v in headers if k not in _BODY_HEADERS]
                    message = {**message, "status": 304}
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body" and not_modified:
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        await self.app(scope, receive, send_with_etag)


def _parameter_name(part: bytes) -> bytes:
    return part.split(b"=", 1)[0]


_BODY_HEADERS = frozenset({b"content-length", b"content-type"})


def _matches(if_none_match: str | None, etag: bytes) -> bool:
    """RFC 9110 If-None-Match: `*`, or any listed tag equal under weak comparison."""
    if if_none_match is None:
        return False
    wanted = etag.decode()
    for candidate in if_none_match[:8192].split(","):
        tag = candidate.strip()
        if tag == "*" or tag.removeprefix("W/") == wanted:
            return True
    return False


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _replay(messages: list[Message], then: Receive) -> Receive:
    """Hand the buffered messages to the app, then the real channel (for disconnects)."""
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        return await then()

    return receive
