"""Issue 11: bounded work per request, HEAD, ETags over repeated parameters, no host-derived
redirects, bounded metrics labels, strict JSON numbers and encodings, load shedding."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import json
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from prometheus_client import generate_latest
from pydantic import BaseModel, ConfigDict
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.types import Message, Receive, Scope, Send

from app import deps
from app.deps import MAX_SUGGESTED_IDS, parse_body
from app.frontdoor import FrontDoor
from app.hardening import _MAX_GAP, BodyLimit, LoadShed, ProblemCORS, _json_rejection
from app.observability import Metrics, RequestLog
from app.openapi import json_request_body
from app.problems import MAX_LISTED_ERRORS, install_problem_handlers
from app.runtime import Runtime
from graph.schema.vocabulary import NodeKind
from tests.app.test_platform import assert_problem


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/v1/meta", "/v1/nodes/cause:als"])
def test_head_is_get_without_a_body(client: TestClient, path: str) -> None:
    get = client.get(path)
    head = client.head(path)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers.get("etag") == get.headers.get("etag")


def test_head_on_a_post_route_is_405(client: TestClient) -> None:
    response = client.head("/v1/diagnose")
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert response.content == b""


def test_etag_covers_the_order_of_a_repeated_parameter(client: TestClient) -> None:
    first = client.get("/v1/search?q=knee&q=numb")
    second = client.get("/v1/search?q=numb&q=knee")
    assert first.json() != second.json()
    assert first.headers["etag"] != second.headers["etag"]
    crossed = client.get(
        "/v1/search?q=numb&q=knee", headers={"If-None-Match": first.headers["etag"]}
    )
    assert crossed.status_code == 200
    # Distinct parameters may still come in any order.
    assert (
        client.get("/v1/search?limit=2&q=knee").headers["etag"]
        == (client.get("/v1/search?q=knee&limit=2").headers["etag"])
    )


def test_trailing_slash_is_a_404_not_a_redirect_to_the_host_header(client: TestClient) -> None:
    response = client.get("/v1/nodes/", headers={"Host": "evil.example"}, follow_redirects=False)
    assert_problem(response, 404)
    assert "location" not in response.headers


def test_metrics_collapse_unknown_methods(client: TestClient) -> None:
    for method in ("PROPFIND", "MKCOL", "BREW"):
        client.request(method, "/v1/meta")
    text = client.get("/metrics").text
    assert "PROPFIND" not in text
    assert "BREW" not in text
    assert 'method="other",route="/v1/meta",status="405"' in text


@pytest.mark.parametrize("limit", [True, "5", 5.0, [5]])
def test_limit_must_be_a_json_integer(client: TestClient, limit: object) -> None:
    body = assert_problem(
        client.post("/v1/diagnose", json={"present": ["symptom:numbness"], "limit": limit}), 422
    )
    assert body["errors"][0]["location"] == "body.limit"  # type: ignore[index]


def test_strict_body_keeps_valid_requests_and_fastapi_answers(client: TestClient) -> None:
    ok = client.post("/v1/diagnose", json={"present": ["symptom:numbness"], "limit": 5})
    assert ok.status_code == 200
    assert len(ok.json()["candidates"]) <= 5
    # No body, and a body that is not JSON, keep FastAPI's own 422s.
    assert_problem(client.post("/v1/diagnose"), 422)
    assert_problem(
        client.post("/v1/diagnose", content=b"x", headers={"Content-Type": "text/plain"}), 422
    )


@pytest.mark.parametrize(
    "content",
    [
        json.dumps({"present": ["symptom:numbness"]}).encode("utf-16"),
        json.dumps({"present": ["symptom:numbness"]}).encode("utf-16-le"),
        json.dumps({"present": ["symptom:numbness"]}).encode("utf-32"),
        b"\xef\xbb\xbf" + json.dumps({"present": ["symptom:numbness"]}).encode(),
        b'{"present": ["\xff\xfe"]}',
    ],
    ids=["utf-16 with BOM", "utf-16-le", "utf-32", "utf-8 with BOM", "invalid utf-8"],
)
def test_json_bodies_must_be_utf8_without_bom(client: TestClient, content: bytes) -> None:
    response = client.post(
        "/v1/diagnose", content=content, headers={"Content-Type": "application/json"}
    )
    assert "UTF-8" in str(assert_problem(response, 400)["detail"])


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b'{"present": ' + b"[" * 5000 + b"]" * 5000 + b"}", "nested too deeply"),
        (b'{"present": ["symptom:numbness"], "limit": 1' + b"0" * 5000 + b"}", "too many digits"),
    ],
    ids=["deep nesting", "huge number"],
)
def test_unparsable_json_says_why(client: TestClient, content: bytes, says: str) -> None:
    response = client.post(
        "/v1/diagnose", content=content, headers={"Content-Type": "application/json"}
    )
    detail = str(assert_problem(response, 400)["detail"])
    assert says in detail
    assert "UTF-8" not in detail


def test_a_name_match_ranks_above_synonyms(client: TestClient) -> None:
    items = client.get("/v1/search", params={"q": "knee", "limit": 50}).json()["items"]
    order = [item["node"]["id"] for item in items]
    twitching = order.index("condition:knee-twitching")
    for other in ("diagnostic:mri", "symptom:redness", "symptom:warmth"):
        assert twitching < order.index(other), order


def _unknown_ids(count: int) -> dict[str, list[str]]:
    return {
        "present": [f"symptom:unknown-{i}" for i in range(count)],
        "absent": [f"symptom:missing-{i}" for i in range(count)],
        "exposures": [f"cause:nothing-{i}" for i in range(count)],
    }


def test_unknown_ids_get_bounded_suggestions_and_errors(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
    calls: list[str] = []
    suggest = runtime.search.suggest

    def counting(text: str, **kw: object) -> object:
        calls.append(text)
        return suggest(text, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(runtime.search, "suggest", counting)
    response = client.post("/v1/diagnose", json=_unknown_ids(50))
    body = assert_problem(response, 422)
    assert len(calls) == MAX_SUGGESTED_IDS
    assert len(body["errors"]) == MAX_LISTED_ERRORS  # type: ignore[arg-type]
    assert body["more_errors"] == 150 - MAX_LISTED_ERRORS
    assert "(and 145 more)" in str(body["detail"])
    assert len(response.content) < 8_000


def test_hundreds_of_unknown_keys_give_a_small_answer(client: TestClient) -> None:
    content = json.dumps({f"k{i}": 0 for i in range(900)} | {"present": ["symptom:numbness"]})
    response = client.post(
        "/v1/diagnose", content=content, headers={"Content-Type": "application/json"}
    )
    body = assert_problem(response, 422)
    assert len(body["errors"]) == MAX_LISTED_ERRORS  # type: ignore[arg-type]
    assert body["more_errors"] == 900 - MAX_LISTED_ERRORS
    assert body["errors"][0] == {  # type: ignore[index]
        "location": "body.k0",
        "message": "Extra inputs are not permitted",
    }
    assert len(response.content) < 8_000


@pytest.mark.parametrize(
    "value",
    [{f"{i:x}": 0 for i in range(7000)}, {"present": [1] * 10_000}],
    ids=["7,000 keys", "10,000 numbers"],
)
def test_thousands_of_values_are_refused_before_parsing(
    client: TestClient, value: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_parsing(*args: object) -> object:
        raise AssertionError("parsed")

    monkeypatch.setattr("starlette.requests.Request.json", no_parsing)
    content = json.dumps(value, separators=(",", ":"))
    assert len(content) < 64 * 1024
    response = client.post(
        "/v1/diagnose", content=content, headers={"Content-Type": "application/json"}
    )
    body = assert_problem(response, 422)
    assert body["errors"] == [  # type: ignore[comparison-overlap]
        {
            "location": "body",
            "message": "The JSON body holds more than 1000 values; no valid body does.",
        }
    ]


def test_commas_inside_strings_are_not_values(client: TestClient) -> None:
    # Issue 24 item 4: a valid 1,010-character text holding 1,000 commas was refused as
    # "more than 1000 values"; only the separators between values count.
    text = "sore knees" + "," * 1000
    assert len(text) == 1010
    response = client.post("/v1/parse", json={"text": text})
    assert response.status_code == 200, response.text
    # Escaped quotes do not end a string early, so their commas stay inside it too.
    escaped = '\\"' + "," * 999 + '\\"'
    assert client.post("/v1/parse", json={"text": escaped}).status_code == 200


def test_counting_values_stays_cheap_on_hostile_strings() -> None:
    # 64 KB bodies built to make a string scanner work hard: escapes, unterminated strings,
    # quotes and commas interleaved. Each takes about 2 ms at most; a scan that retries an
    # unterminated string from every quote inside it took seconds.
    bodies = [
        b'{"text": "' + b"\\\\" * 16_000 + b'"}',
        b'{"text": "' + b'\\",' * 16_000,
        b'"' + b'\\"' * 32_000 + b"\\",
        b'",' * 32_000,
        b"[" + b'"a",' * 16_000,
    ]
    for body in bodies:
        started = time.perf_counter()
        for _ in range(5):
            _json_rejection(body, "/v1/parse")
        assert (time.perf_counter() - started) / 5 < 0.02


async def _call(door: FrontDoor, path: str = "/v1/x", method: str = "GET") -> list[Message]:
    """Every message the front door sends for one bodiless request."""
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "headers": [], "query_string": b""}
    await door(scope, receive, send)
    return sent


def test_load_shedding_answers_503_and_spares_health_checks() -> None:
    release = asyncio.Event()
    entered = asyncio.Event()

    async def slow_app(scope: Scope, receive: Receive, send: Send) -> None:
        entered.set()
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    shed = LoadShed(limit=1, exempt=("/healthz",))
    door = FrontDoor(slow_app, shed=shed)

    def call(path: str) -> Coroutine[None, None, list[Message]]:
        return _call(door, path)

    async def scenario() -> tuple[list[Message], ...]:
        held = asyncio.create_task(call("/v1/meta"))
        await entered.wait()
        refused = await call("/v1/meta")
        health = asyncio.create_task(call("/healthz"))
        await asyncio.sleep(0)
        release.set()
        return await held, refused, await health

    held, refused, health = asyncio.run(scenario())
    assert held[0]["status"] == 200
    assert health[0]["status"] == 200
    assert refused[0]["status"] == 503
    headers = dict(refused[0]["headers"])
    assert headers[b"retry-after"] == b"1"
    assert headers[b"content-type"] == b"application/problem+json"
    assert shed.in_flight == 0


def test_an_over_long_list_is_one_error_not_one_per_item(client: TestClient) -> None:
    body = assert_problem(client.post("/v1/diagnose", json={"present": [1] * 900}), 422)
    assert body["errors"] == [
        {"location": "body.present", "message": "List should have at most 50 items, not 900"}
    ]
    assert "more_errors" not in body


def test_a_lagging_loop_admits_requests_at_a_reduced_rate() -> None:
    async def ok_app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    # min_busy=0: the late ticks below are simulated, the CPU was not actually busy.
    shed = LoadShed(limit=64, exempt=("/healthz",), max_lag=0.05, min_busy=0)
    door = FrontDoor(ok_app, shed=shed)

    async def status(path: str) -> object:
        return (await _call(door, path))[0]["status"]

    async def scenario() -> list[object]:
        loop = asyncio.get_running_loop()
        answers = [await status("/v1/meta")]  # starts the lag monitor on this loop
        shed._tick(loop, loop.time() - 0.2)
        assert shed.admit_every == 0  # one late tick is a pause, not overload
        shed._tick(loop, loop.time() - 0.2)
        assert shed.admit_every > 0
        answers += [await status("/v1/meta"), await status("/v1/meta"), await status("/healthz")]
        for _ in range(200):  # punctual ticks shrink the gap back to nothing
            shed._tick(loop, loop.time())
        answers.append(await status("/v1/meta"))
        return answers

    # Within the gap after the last admitted request: 503, except for the health check.
    assert asyncio.run(scenario()) == [200, 503, 503, 200, 200]
    assert shed.admit_every == 0


class _DatedKind(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: NodeKind
    day: dt.date
    count: int = 1


def test_strict_bodies_still_take_enums_and_dates_as_json_strings() -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/echo", openapi_extra=json_request_body(_DatedKind))
    async def echo(request: Request) -> _DatedKind:
        return parse_body(await request.body(), request.headers["content-type"], _DatedKind)

    with TestClient(app) as client:
        good = {"kind": "symptom", "day": "2024-05-01", "count": 2}
        assert client.post("/echo", json=good).status_code == 200
        assert client.post("/echo", json={**good, "count": "2"}).status_code == 422


def test_lag_while_the_process_was_idle_is_not_overload() -> None:
    """Late ticks with no CPU used in between: other processes had the CPU, and refusing
    requests would not help."""

    shed = LoadShed(limit=64, exempt=(), max_lag=0.05, min_busy=0.5)

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        shed._loop = loop
        for _ in range(5):
            await asyncio.sleep(0.06)  # the loop idles; the process uses no CPU
            shed._tick(loop, loop.time() - 0.1)
        assert shed.admit_every == 0

    asyncio.run(scenario())


@pytest.mark.parametrize("headers", [{"Content-Type": "text/plain"}, {}])
def test_a_body_without_a_json_media_type_says_what_to_send(
    client: TestClient, headers: dict[str, str]
) -> None:
    response = client.post(
        "/v1/diagnose", content=b'{"present": ["symptom:numbness"]}', headers=headers
    )
    assert response.status_code == 422
    assert "Content-Type: application/json" in response.json()["errors"][0]["message"]


def test_a_turn_is_given_back_whatever_the_app_does() -> None:
    """An app that fails mid-answer, or ends without answering, must not keep the CPU turn:
    with one lane, the next request would wait for ever."""

    async def fails_mid_answer(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise RuntimeError("mid-answer")

    async def never_answers(scope: Scope, receive: Receive, send: Send) -> None:
        return

    shed = LoadShed(limit=4, exempt=())

    async def scenario() -> None:  # one loop: the turns belong to it
        with pytest.raises(RuntimeError, match="mid-answer"):
            await _call(FrontDoor(fails_mid_answer, shed=shed))
        assert await _call(FrontDoor(never_answers, shed=shed)) == []
        await asyncio.wait_for(shed.take_turn(), timeout=1)  # free, else a timeout

    asyncio.run(scenario())
    assert shed.in_flight == 0


def test_every_turn_starts_in_a_later_pass_of_the_loop() -> None:
    """A turn starts after the loop has had a pass in which to read its sockets (a health
    check waits behind one request, not a pass of them): a free turn by yielding once, a
    waited-for one because its wake-up runs in a later pass. Each `call_soon` below is a
    callback of the pass the turn was asked for or handed over in: it must have run when the
    turn starts. (Dropping the free turn's yield fails this.)"""
    shed = LoadShed(limit=4, exempt=())

    async def scenario() -> list[str]:
        loop = asyncio.get_running_loop()
        order: list[str] = []
        loop.call_soon(order.append, "pass before the free turn")
        first = await shed.take_turn()
        order.append("free turn")

        async def waits() -> None:
            turn = await shed.take_turn()
            order.append("waited turn")
            turn.release()

        waiting = asyncio.create_task(waits())
        await asyncio.sleep(0)  # it waits for the turn now
        loop.call_soon(order.append, "pass the turn was released in")
        first.release()
        await waiting
        return order

    assert asyncio.run(scenario()) == [
        "pass before the free turn",
        "free turn",
        "pass the turn was released in",
        "waited turn",
    ]


def test_head_drops_a_streamed_body() -> None:
    async def streams(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"part", "more_body": True})
        await send({"type": "http.response.body", "body": b"rest"})

    sent = asyncio.run(_call(FrontDoor(streams), method="HEAD"))
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[1]["body"] == b""


def test_an_answered_request_frees_its_slot_before_its_app_returns() -> None:
    """The server starts a connection's next request as soon as the previous answer is sent,
    maybe before that app returns: with as many connections as slots, it must find one."""
    answered, finish = asyncio.Event(), asyncio.Event()

    async def lingers(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        if scope["path"] == "/v1/first":
            answered.set()
            await finish.wait()  # cleanup after the answer, say

    shed = LoadShed(limit=1, exempt=())
    door = FrontDoor(lingers, shed=shed)

    def call(path: str) -> Coroutine[None, None, list[Message]]:
        return _call(door, path)

    async def scenario() -> tuple[list[Message], list[Message]]:
        first = asyncio.create_task(call("/v1/first"))
        await answered.wait()
        second = await call("/v1/second")
        finish.set()
        return await first, second

    first, second = asyncio.run(scenario())
    assert first[0]["status"] == 200
    assert second[0]["status"] == 200
    assert shed.in_flight == 0


async def _leaves_mid_body(door: FrontDoor, path: str = "/v1/diagnose") -> list[Message]:
    """A POST whose client sends part of its body, then closes the connection."""
    sent: list[Message] = []
    incoming: list[Message] = [
        {"type": "http.request", "body": b'{"present": ["symp', "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> Message:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    headers = [(b"content-type", b"application/json"), (b"content-length", b"200")]
    scope = {"type": "http", "method": "POST", "path": path, "headers": headers}
    await door(scope | {"query_string": b""}, receive, send)
    return sent


async def _reads_its_body(scope: Scope, receive: Receive, send: Send) -> None:
    await Request(scope, receive).body()  # raises ClientDisconnect when the client left
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.mark.parametrize("body_limit", [True, False], ids=["front door reads", "app reads"])
def test_a_client_that_leaves_mid_body_is_a_499_not_an_error(
    caplog: pytest.LogCaptureFixture, body_limit: bool
) -> None:
    """Issue 24 item 2: a partial body then a disconnect was logged at ERROR with a 3 KB
    traceback and counted as a 500, in /metrics and in the access log."""
    metrics = Metrics()
    shed = LoadShed(limit=4, exempt=())
    door = FrontDoor(
        _reads_its_body,
        log=RequestLog(metrics, access_log=True),
        body=BodyLimit(64 * 1024) if body_limit else None,
        shed=shed,
    )
    with caplog.at_level(logging.INFO):
        sent = asyncio.run(_leaves_mid_body(door))
    assert sent == []  # nobody to answer
    text = generate_latest(metrics.registry).decode()
    assert 'method="POST",route="unmatched",status="499"' in text
    assert 'status="500"' not in text
    (access,) = [r for r in caplog.records if r.name == "symptom_graph.access"]
    assert access.fields["status"] == 499  # type: ignore[attr-defined]
    assert all(r.levelno < logging.WARNING and not r.exc_info for r in caplog.records)
    assert any("client closed the connection" in r.getMessage() for r in caplog.records)
    assert shed.in_flight == 0


def test_an_idle_shedder_does_no_periodic_work() -> None:
    """Issue 24 item 9: the lag callback ran every 10 ms for ever once the first request was
    admitted (12 ms of CPU a second a worker). Now it runs while requests are in flight or
    a gap is left to shrink, and the next request starts it again."""
    shed = LoadShed(limit=4, exempt=())
    ticks = 0
    tick = shed._tick

    def counted(loop: asyncio.AbstractEventLoop, due: float) -> None:
        nonlocal ticks
        ticks += 1
        tick(loop, due)

    shed._tick = counted  # type: ignore[method-assign]

    async def scenario() -> None:
        assert shed.admit()
        await asyncio.sleep(0.05)
        assert ticks >= 2  # watching while a request is in flight
        shed.done()
        await asyncio.sleep(0.05)  # the next punctual tick sees nothing in flight
        settled = ticks
        await asyncio.sleep(0.3)
        assert ticks == settled  # idle: no tick at all
        assert shed.admit()  # the next request starts it again
        await asyncio.sleep(0.05)
        assert ticks > settled
        shed.done()

    asyncio.run(scenario())


def test_the_gap_left_by_overload_still_shrinks_to_nothing_with_nothing_in_flight() -> None:
    """The callback keeps running while a gap is left, so a quiet spell after overload ends
    with admission unbounded again, not a gap frozen when the last request finished."""
    shed = LoadShed(limit=4, exempt=(), min_busy=0)

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        assert shed.admit()
        shed.done()
        shed.admit_every = _MAX_GAP  # as overload leaves it
        deadline = loop.time() + 5
        while shed.admit_every > 0:
            assert loop.time() < deadline, shed.admit_every
            await asyncio.sleep(0.05)

    asyncio.run(scenario())


def _held_app(order: list[str], release: asyncio.Event) -> Callable[..., Awaitable[None]]:
    """An app that records the paths it starts, in order, and answers once `release` is set."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        order.append(scope["path"])
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    return app


def test_past_the_limit_requests_wait_for_a_slot_first_come_first_served() -> None:
    """Issue 24 item 1: refused at once, excess clients asked again at once and their 503s
    starved the admitted work (93.5 % 503s at 72 connections for a limit of 64). Now they wait
    for a slot, in order, and a newcomer does not take the slot a waiting request is due."""
    order: list[str] = []
    release = asyncio.Event()
    shed = LoadShed(limit=1, exempt=(), max_wait=60)
    door = FrontDoor(_held_app(order, release), shed=shed)

    async def scenario() -> list[list[Message]]:
        calls = []
        for path in ("/v1/first", "/v1/second", "/v1/third"):
            calls.append(asyncio.create_task(_call(door, path)))
            for _ in range(5):  # each reaches the shedder before the next starts
                await asyncio.sleep(0)
        assert order == ["/v1/first"]  # the others wait for its slot
        assert shed.in_flight == 1
        assert not shed.admit()  # two are waiting: a newcomer queues behind them
        release.set()
        return list(await asyncio.gather(*calls))

    answers = asyncio.run(scenario())
    assert [sent[0]["status"] for sent in answers] == [200, 200, 200]
    assert order == ["/v1/first", "/v1/second", "/v1/third"]
    assert shed.in_flight == 0


def test_the_wait_for_a_slot_is_bounded_in_time_and_in_length() -> None:
    """A request waits at most `max_wait`, behind at most `queue` others; then it gets the 503
    with Retry-After, and the slot it never had is not given back."""
    order: list[str] = []
    release = asyncio.Event()
    shed = LoadShed(limit=1, exempt=(), queue=1, max_wait=0.05)
    door = FrontDoor(_held_app(order, release), shed=shed)
    finished: list[str] = []

    async def call(path: str) -> list[Message]:
        sent = await _call(door, path)
        finished.append(path)
        return sent

    async def scenario() -> tuple[list[Message], ...]:
        held = asyncio.create_task(call("/v1/held"))
        await asyncio.sleep(0)
        waits = asyncio.create_task(call("/v1/waits"))
        await asyncio.sleep(0)
        overflow = await call("/v1/overflow")  # the queue is full: refused without waiting
        waited = await waits  # its wait ran out while the first still held the slot
        release.set()
        return await held, waited, overflow

    held, waited, overflow = asyncio.run(scenario())
    assert finished == ["/v1/overflow", "/v1/waits", "/v1/held"]
    assert [held[0]["status"], waited[0]["status"], overflow[0]["status"]] == [200, 503, 503]
    assert dict(waited[0]["headers"])[b"retry-after"] == b"1"
    assert order == ["/v1/held"]
    assert shed.in_flight == 0


def test_a_request_cancelled_while_waiting_leaves_the_queue() -> None:
    """A waiting request that is cancelled gives up its place, and the slot goes to the next."""
    shed = LoadShed(limit=1, exempt=(), max_wait=60)

    async def scenario() -> None:
        assert await shed.acquire()
        gone = asyncio.create_task(shed.acquire())
        stays = asyncio.create_task(shed.acquire())
        await asyncio.sleep(0)
        gone.cancel()
        await asyncio.sleep(0)
        shed.done()  # the slot skips the cancelled request
        assert await stays
        assert shed.in_flight == 1
        shed.done()

    asyncio.run(scenario())
    assert shed.in_flight == 0


def test_shed_requests_are_labelled_by_their_route() -> None:
    """The 503s of the load shedder were counted as route="unmatched"."""
    metrics = Metrics()
    app = FastAPI()

    @app.get("/v1/items/{item_id}")
    def item(item_id: str) -> dict[str, str]:
        return {"id": item_id}

    # No slot at all, and no waiting: every request is shed.
    app.add_middleware(
        FrontDoor,
        log=RequestLog(metrics, access_log=False),
        shed=LoadShed(limit=0, exempt=(), queue=0),
    )
    assert TestClient(app).get("/v1/items/7").status_code == 503
    text = generate_latest(metrics.registry).decode()
    assert 'route="/v1/items/{item_id}",status="503"' in text
    assert 'route="unmatched"' not in text


def test_a_valid_small_body_is_parsed_once(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Validated at once: the parse and shape checks for hostile bodies are not run for it
    (they are what an invalid body still gets, answered as before)."""

    def refuse(*_: object) -> None:
        raise AssertionError("checked as a hostile body")

    body = {"present": ["symptom:visible-twitching", "symptom:numbness"], "limit": 3}
    expected = client.post("/v1/diagnose", json=body).json()
    monkeypatch.setattr(deps, "_check_shape", refuse)
    answer = client.post("/v1/diagnose", json=body)
    assert answer.status_code == 200
    assert answer.json() == expected
    monkeypatch.undo()
    refused = client.post("/v1/diagnose", json={**body, "present": ["symptom:x"] * 51})
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"location": "body.present", "message": "List should have at most 50 items, not 51"}
    ]


Raw = list[tuple[bytes, bytes]]


async def _cors_headers(
    via: Callable[[Message, Send, Headers], Awaitable[None]], request: Raw, answer: Raw
) -> Raw:
    """The headers `via` (a CORS `send`) gives an answer with `answer`'s to a request with
    `request`'s."""
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    message = {"type": "http.response.start", "status": 200, "headers": list(answer)}
    await via(message, send, Headers(raw=request))
    return list(sent[0]["headers"])


@pytest.mark.parametrize("origin", [[], [(b"origin", b"https://partner.example")]])
@pytest.mark.parametrize(
    "answer",
    [[(b"content-type", b"application/json")], [(b"vary", b"Accept-Encoding"), (b"etag", b'"x"')]],
)
def test_cors_headers_are_starlettes_with_or_without_an_origin(origin: Raw, answer: Raw) -> None:
    cors = ProblemCORS(["*"], ["GET", "POST"], ["Content-Type"], ["ETag"])
    ours = asyncio.run(_cors_headers(cors.send, origin, answer))
    starlettes = asyncio.run(
        _cors_headers(functools.partial(CORSMiddleware.send, cors), origin, answer)
    )
    assert ours == starlettes
    assert (b"vary", b"Origin") in ours or (b"vary", b"Accept-Encoding, Origin") in ours
