"""The policies the front door (app/frontdoor.py) applies to every request: body size and
encoding, load shedding and turns on the CPU, trusted hosts, CORS, security headers and
conditional GETs."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
import time
from collections import deque
from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from app.problems import FieldError, problem_response
from app.web import WEB_PAGES

__all__ = [
    "BODY_NOT_SENT",
    "BodyLimit",
    "ConditionalGet",
    "LoadShed",
    "ProblemCORS",
    "TrustedHosts",
    "security_headers",
]

DOCS_PREFIXES = ("/docs", "/redoc", "/static-offline-docs")
API_CSP = b"default-src 'none'; frame-ancestors 'none'"
# Swagger UI and ReDoc run an inline bootstrap script and ReDoc a blob worker, all same-origin.
DOCS_CSP = (
    b"default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'"
)
# The web pages (app/web): their own scripts, styles and API calls, nothing inline or remote.
WEB_CSP = (
    b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    b"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def _security_headers(csp: bytes) -> tuple[tuple[bytes, bytes], ...]:
    return (
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"content-security-policy", csp),
    )


_API_HEADERS = _security_headers(API_CSP)
_DOCS_HEADERS = _security_headers(DOCS_CSP)
_WEB_HEADERS = _security_headers(WEB_CSP)


def security_headers(path: str) -> tuple[tuple[bytes, bytes], ...]:
    """The headers every answer on `path` carries: no sniffing, no referrer, and a CSP."""
    if path.startswith(DOCS_PREFIXES):
        return _DOCS_HEADERS
    if path in WEB_PAGES or path.startswith("/web/"):
        return _WEB_HEADERS
    return _API_HEADERS


BODYLESS_METHODS = ("GET", "HEAD", "OPTIONS")


class BodyLimit:
    """413 problem+json for bodies over the limit, whether declared by Content-Length or
    streamed; 400 for a JSON body that is not UTF-8 (Python's parser would silently accept
    UTF-16, UTF-32 and a byte order mark, which RFC 8259 8.1 forbids on the wire); 422 for one
    with more values than any valid body has. A client that leaves before its body is whole
    raises ClientDisconnect, which the front door counts as a 499.

    Starlette's own limiter answers in text/plain, so the body is buffered here instead (it is
    small by definition) and replayed to the app.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes

    async def read(self, scope: Scope, receive: Receive) -> tuple[Response | None, Receive]:
        """The answer that refuses the body, or None and a channel replaying it to the app."""
        if scope["method"] in BODYLESS_METHODS:
            return None, receive
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            return self._too_large(scope), receive
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # http.disconnect: the client went away
                raise ClientDisconnect()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return self._too_large(scope), receive
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        content = b"".join(chunks)
        if _is_json(scope):
            rejection = _json_rejection(content, scope["path"])
            if rejection is not None:
                return rejection, receive
        body = {"type": "http.request", "body": content, "more_body": False}
        return None, _replay([body], receive)

    def _too_large(self, scope: Scope) -> Response:
        detail = f"The request body is larger than {self.max_bytes} bytes; send a smaller body."
        return problem_response(413, detail, scope["path"], headers={"Connection": "close"})


def _is_json(scope: Scope) -> bool:
    """Whether FastAPI parses the body as JSON (a JSON media type; without one it does not)."""
    media = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


# No body of this API holds more than a few hundred JSON values; parsing 7,000 costs ~3.5 ms.
MAX_JSON_VALUES = 1000
# A JSON string, escapes included. The closing quote is optional so that every match
# succeeds at its first try: an unterminated string then runs to the end of the body instead
# of failing and being retried from each quote inside it, which made the scan quadratic (a
# 48 KB body of escaped quotes: 6 s). One pass, at most about 2 ms for 64 KB. What an
# unterminated string swallows the JSON parser reads as one string, so the cost bound holds.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)


def _json_rejection(content: bytes, path: str) -> Response | None:
    """400 for a body that is not UTF-8, 422 for one with more values than any valid body has
    (counted by the commas between them, far cheaper than parsing them; a comma inside a
    string separates nothing, so strings are cut out first)."""
    if not _is_utf8_json(content):
        detail = (
            "The body is not UTF-8 encoded JSON (UTF-16, UTF-32 and a byte order mark are "
            "refused): send UTF-8 without a BOM."
        )
        return problem_response(400, detail, path)
    if content.count(b",") >= MAX_JSON_VALUES and _separators(content) >= MAX_JSON_VALUES:
        message = f"The JSON body holds more than {MAX_JSON_VALUES} values; no valid body does."
        return problem_response(
            422,
            f"The request is invalid: {message} Send at most 50 ids per list.",
            path,
            errors=[FieldError(location="body", message=message)],
        )
    return None


def _separators(content: bytes) -> int:
    """The commas between values: each separates two values of one array or object, so a
    body with n of them holds more than n values."""
    return _JSON_STRING.sub(b"", content).count(b",")


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


class LoadShed:
    """503 problem+json with Retry-After instead of an unbounded queue, so that the health
    checks (exempt) keep answering whatever clients send.

    Two triggers: `limit` requests already being answered, or a lagging event loop. Past the
    limit, a request waits up to `max_wait` for a slot, first come first served, behind at most
    `queue` others; the 503 comes when that wait ends or the queue is full. Refused at once,
    a client asks again at once: at 72 connections (limit 64) the 8 excess ones got 503s in a
    loop, each admitted turn started behind a pass of them, and 93.5 % of requests failed
    (issue 24 item 1). Waiting, they cost a timer and keep the loop's passes short. One worker
    answers everything on one loop, so a loop that runs late delays /healthz too. A callback
    every 10 ms measures the lag; when it is past `max_lag` twice in a row while the process
    was busy (`min_busy` of the time on the CPU, else other processes had it), the gap required
    between two admitted requests doubles (up to 100 ms), and each punctual tick shrinks it by
    5 % until admission is unbounded again. Requests arriving inside the gap get the 503,
    which costs a fraction of a hostile request. Asked after the body is buffered, so a slow
    upload holds no slot.

    The callback runs only while there is something to watch: the first admitted request
    starts it, and it stops at a punctual tick with nothing in flight and no gap left (at
    most about 1 s after the last request). Idle, it cost 12 ms of CPU a second a worker.

    Admitted requests then take one of `lanes` turns on the CPU, first come first served, and
    give it back when their response starts. Without the turns, a request whose body has
    arrived runs to its end without yielding, and the loop runs every such request it read
    in one pass before it reads its sockets again: 32 connections of 3 ms requests kept
    /healthz waiting 200-300 ms. With them, each turn starts in a pass of its own, so
    /healthz (which takes no turn) waits behind about `lanes` requests.
    """

    def __init__(
        self,
        limit: int,
        exempt: tuple[str, ...],
        max_lag: float = 0.05,
        min_busy: float = 0.5,
        lanes: int = 1,
        unturned: tuple[str, ...] = (),
        queue: int | None = None,
        max_wait: float = 0.5,
    ) -> None:
        self.limit = limit
        self.queue = 4 * limit if queue is None else queue
        self.max_wait = max_wait
        # Requests waiting for a slot, oldest first; `done` hands its slot to the first.
        self._waiting: deque[asyncio.Future[bool]] = deque()
        self.lanes = lanes
        self._turns = asyncio.Semaphore(lanes)
        self.exempt = frozenset(exempt)
        # Admitted but taking no turn: their work runs in worker threads (writing an export
        # takes seconds; holding a turn meanwhile would queue every other request behind it).
        self.unturned = frozenset(unturned)
        self.max_lag = max_lag
        self.min_busy = min_busy
        self.in_flight = 0
        self.admit_every = 0.0
        self.last_admitted = 0.0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ticking = False  # the lag callback is scheduled on `_loop`
        self._was_late = False
        self._ticked = (0.0, 0.0)  # loop time and process CPU time at the last tick

    def admit(self) -> bool:
        """Whether to answer a request now; each admitted request must call `done` after."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop = loop
            self._turns = asyncio.Semaphore(self.lanes)  # a semaphore belongs to one loop
            self._ticking = False
            self._waiting.clear()
        now = loop.time()
        if not self._ticking:
            # Measured from now: the time and CPU of an idle spell say nothing about lag.
            self._ticking, self._was_late = True, False
            self._ticked = (now, time.process_time())
            loop.call_at(now + _TICK, self._tick, loop, now + _TICK)
        # Waiting requests come first: a newcomer must not take the slot one of them is due.
        if (
            self.in_flight >= self.limit
            or self._waiting
            or now - self.last_admitted < self.admit_every
        ):
            return False
        self.last_admitted = now
        self.in_flight += 1
        return True

    async def acquire(self) -> bool:
        """`admit`, or else wait for a slot as above; True holds one (`done` gives it back)."""
        if self.admit():
            return True
        # Refused by the lag trigger alone (a slot is free and nobody waits): at once, as
        # waiting would not make the loop punctual.
        full = self.in_flight >= self.limit or bool(self._waiting)
        if not full or self.max_wait <= 0 or len(self._waiting) >= self.queue:
            return False
        loop = asyncio.get_running_loop()
        granted: asyncio.Future[bool] = loop.create_future()
        self._waiting.append(granted)
        timer = loop.call_later(self.max_wait, self._expire, granted)
        try:
            return await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled() and granted.result():
                self.done()  # handed a slot just before the cancellation: pass it on
            raise
        finally:
            timer.cancel()
            if not granted.done() or granted.cancelled():
                self._forget(granted)

    def done(self) -> None:
        # The slot goes to the oldest waiting request, if any, without being freed: counted
        # free for an instant, a newcomer's `admit` could take it first.
        while self._waiting:
            granted = self._waiting.popleft()
            if not granted.done():
                self.last_admitted = granted.get_loop().time()
                granted.set_result(True)
                return
        self.in_flight -= 1

    def _expire(self, granted: asyncio.Future[bool]) -> None:
        if not granted.done():
            self._forget(granted)
            granted.set_result(False)

    def _forget(self, granted: asyncio.Future[bool]) -> None:
        with contextlib.suppress(ValueError):  # already handed a slot, or expired
            self._waiting.remove(granted)

    @staticmethod
    def refusal(path: str) -> Response:
        detail = "The server is at capacity; retry after the delay in Retry-After."
        return problem_response(503, detail, path, headers={"Retry-After": "1"})

    async def take_turn(self) -> asyncio.Semaphore:
        """Wait for a turn on the CPU; give it back by releasing the semaphore returned."""
        turns = self._turns
        # Start in a later pass of the loop than the one that read the request: the loop reads
        # its sockets between two passes, so a health check that arrived meanwhile waits
        # behind one request, not a pass of them. A turn waited for is handed over by a
        # wake-up that the loop runs in a later pass already (under load, nearly every turn);
        # only a free turn needs the extra pass.
        if turns.locked():
            await turns.acquire()
        else:
            await turns.acquire()
            await asyncio.sleep(0)
        return turns

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
        if not late and self.in_flight == 0 and self.admit_every == 0.0:
            self._ticking = False  # idle: admit() starts it again
            return
        loop.call_at(now + _TICK, self._tick, loop, now + _TICK)


_TICK = 0.01
_MAX_GAP = 0.1


class TrustedHosts:
    """Serve only the configured Host names (`*.example.org` allowed); else 400 problem+json.

    Starlette's middleware for this answers in text/plain, so this one stands in.
    """

    def __init__(self, allowed_hosts: list[str]) -> None:
        self.exact = {h.lower() for h in allowed_hosts if not h.startswith("*.")}
        self.suffixes = tuple(h[1:].lower() for h in allowed_hosts if h.startswith("*."))

    def refusal(self, scope: Scope) -> Response | None:
        host = (_header(scope, b"host") or "").split(":")[0].lower()
        if host in self.exact or (self.suffixes and host.endswith(self.suffixes)):
            return None
        detail = "The Host header names a host this service does not serve."
        return problem_response(400, detail, scope["path"])


async def _never_called(scope: Scope, receive: Receive, send: Send) -> None:
    raise AssertionError("ProblemCORS answers preflights and adds headers; it wraps no app")


class ProblemCORS(CORSMiddleware):
    """Starlette's CORS policy, used by the front door rather than as a layer of its own: it
    answers preflights and adds the CORS headers to every other answer. A refused preflight
    is a 400 problem like any other (Starlette answers it in text/plain)."""

    def __init__(
        self,
        allow_origins: list[str],
        allow_methods: list[str],
        allow_headers: list[str],
        expose_headers: list[str],
    ) -> None:
        super().__init__(
            _never_called,
            allow_origins=allow_origins,
            allow_methods=allow_methods,
            allow_headers=allow_headers,
            expose_headers=expose_headers,
            allow_credentials=False,
        )

    async def send(self, message: Message, send: Send, request_headers: Headers) -> None:
        """Starlette's `send`, taking a short cut for an answer to a request without Origin
        (most of them), which only gains `Vary: Origin`: unless the answer already varies by
        something, the header is appended without re-reading every header as text."""
        if message["type"] == "http.response.start" and "origin" not in request_headers:
            headers = message.setdefault("headers", [])
            if all(name.lower() != b"vary" for name, _ in headers):
                headers.append((b"vary", b"Origin"))
                await send(message)
                return
        await super().send(message, send, request_headers)

    def preflight(self, scope: Scope) -> Response | None:
        """The answer to a preflight request; None for any other request."""
        if scope["method"] != "OPTIONS":
            return None
        headers = Headers(scope=scope)
        if "origin" not in headers or "access-control-request-method" not in headers:
            return None
        response = self.preflight_response(request_headers=headers)
        if response.status_code == 200:
            return response
        refused = bytes(response.body).decode().removeprefix("Disallowed CORS ")
        detail = (
            f"This cross-origin request is not allowed (refused: {refused}). Allowed methods: "
            f"{', '.join(self.allow_methods)}; allowed request headers: "
            f"{', '.join(self.allow_headers)}."
        )
        return problem_response(400, detail, scope["path"])


# Set in the app's scope when a 200 would be sent without its body (a HEAD, or a GET whose
# If-None-Match matches its ETag: a 304), so a route whose body is costly can skip making it.
BODY_NOT_SENT = "symptom_graph.body_not_sent"


class ConditionalGet:
    """Strong ETags and Cache-Control for successful GET /v1/* responses; a matching
    If-None-Match turns the 200 into a 304 without a body.

    The graph is immutable, so the validator is a hash of the graph version and the request.
    The app still answers first: only a 200 has a current representation for `*` or a tag to
    match (RFC 9110 13.1.2), and the route template then reaches the metrics as for any request.
    """

    def __init__(self, version: Callable[[], str | None], max_age: int) -> None:
        self.version = version
        self.cache_control = f"public, max-age={max_age}".encode()

    def etag(self, scope: Scope) -> bytes | None:
        """The request's entity tag; None where the app's answers carry no validators."""
        if scope["method"] not in ("GET", "HEAD") or not scope["path"].startswith("/v1/"):
            return None
        version = self.version()
        if version is None:
            return None
        # Parameter order is irrelevant but the order of a repeated parameter is not
        # (`q=knee&q=numb` is another query than `q=numb&q=knee`): a stable sort by name.
        parameters: list[bytes] = sorted(scope["query_string"].split(b"&"), key=_parameter_name)
        query = b"&".join(parameters)
        digest = hashlib.blake2b(
            b"\0".join([version.encode(), scope["path"].encode(), query]), digest_size=12
        ).hexdigest()
        return f'"{digest}"'.encode()

    @staticmethod
    def matches(scope: Scope, etag: bytes) -> bool:
        """Whether the request's If-None-Match matches `etag`: a 200 would become a 304."""
        return _matches(_header(scope, b"if-none-match"), etag)

    def validate(
        self, scope: Scope, etag: bytes, headers: list[tuple[bytes, bytes]]
    ) -> tuple[bool, list[tuple[bytes, bytes]]]:
        """Whether a 200 with these headers becomes a 304, and the headers to send with it."""
        headers = [*headers, (b"etag", etag), (b"cache-control", self.cache_control)]
        if not self.matches(scope, etag):
            return False, headers
        # A 304 carries the 200's metadata but describes no body of its own.
        return True, [(k, v) for k, v in headers if k not in _BODY_HEADERS]


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
