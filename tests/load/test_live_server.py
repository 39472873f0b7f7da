"""The real server process on 127.0.0.1: bad input row by row, graceful shutdown, workers.

Each test starts `symptom-graph serve` as a subprocess (bench/servers.py). Nothing here asserts
a duration: waits are bounded only so that a broken server fails the test instead of hanging it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import signal
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bench.run_bench import DIAGNOSE_BODY
from bench.servers import Server, free_port, project_command, running
from tests.load import rawhttp

pytestmark = pytest.mark.slow
PROBLEM = "application/problem+json"
# The benchmark's realistic three-symptom query, then two more symptoms for varied queries.
SYMPTOMS = [*DIAGNOSE_BODY["present"], "symptom:stiffness", "symptom:swelling"]


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    port = free_port()
    with running(project_command(port), port) as live:
        yield live


def assert_problem_then_healthy(server: Server, response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == status
    assert problem["title"]
    assert httpx.get(server.url + "/healthz").status_code == 200


def _body(value: object) -> bytes:
    return json.dumps(value).encode()


def _streamed_mebibyte() -> Iterator[bytes]:
    """A 1 MiB body sent chunked, with no Content-Length to refuse it by."""
    yield b'{"present": ["'
    for _ in range(16):
        yield b"a" * 65536
    yield b'"]}'


FIELDS = [("present", "symptom"), ("absent", "symptom"), ("exposures", "cause")]
# Each row of the README's bad-input table: what is sent to POST /v1/diagnose, the status due.
BODY_ROWS: dict[str, tuple[bytes, int]] = {
    "malformed JSON": (b'{"present": [', 422),
    "empty body": (b"", 422),
    "JSON that is not an object": (b'["symptom:numbness"]', 422),
    "wrong types": (b'{"present": "symptom:numbness", "limit": "ten"}', 422),
    "a number for an id": (b'{"present": [42]}', 422),
    "unknown field": (b'{"present": ["symptom:numbness"], "weight": 70}', 422),
    "empty lists": (b'{"present": [], "absent": [], "exposures": []}', 422),
    "10,000-element list": (_body({"present": ["symptom:numbness"] * 10_000}), 413),
    "10,000 numbers (under the size cap)": (_body({"present": [1] * 10_000}), 422),
    "51 ids (over the list cap)": (_body({"present": [f"symptom:s{i}" for i in range(51)]}), 422),
    "1 MiB body": (b'{"present": ["' + b"a" * (1 << 20) + b'"]}', 413),
    "deeply nested arrays": (b'{"present": ' + b"[" * 5000 + b"]" * 5000 + b"}", 400),
    "NUL in an id": (b'{"present": ["symptom:numb\\u0000ness"]}', 422),
    "control characters in an id": (b'{"present": ["symptom:\\u001b[31mred"]}', 422),
    "odd unicode in an id": ('{"present": ["symptom:ñumbness\u202e"]}'.encode(), 422),
    "lone surrogate in an id": (b'{"present": ["symptom:\\ud800"]}', 422),
    "path-traversal id": (b'{"present": ["../../etc/passwd"]}', 422),
    "not UTF-8": (b'{"present": ["\xff\xfe"]}', 400),
    "huge limit": (b'{"present": ["symptom:numbness"], "limit": 1e300}', 422),
    "huge integer limit": (_body({"present": ["symptom:numbness"], "limit": 10**30}), 422),
    "negative limit": (b'{"present": ["symptom:numbness"], "limit": -1}', 422),
    "a symptom both present and absent": (
        _body({"present": ["symptom:numbness"], "absent": ["symptom:numbness"]}),
        422,
    ),
    "a cause given as a symptom": (_body({"present": ["cause:diuretics"]}), 422),
    "unknown but well-formed id": (_body({"present": ["symptom:knee-itch"]}), 422),
    "limit as a boolean": (b'{"present": ["symptom:numbness"], "limit": true}', 422),
    "limit as a string": (b'{"present": ["symptom:numbness"], "limit": "5"}', 422),
    "UTF-16 body": (json.dumps({"present": ["symptom:numbness"]}).encode("utf-16"), 400),
    "UTF-8 with a byte order mark": (
        b"\xef\xbb\xbf" + _body({"present": ["symptom:numbness"]}),
        400,
    ),
    "5,000-digit number": (
        b'{"present": ["symptom:numbness"], "limit": 1' + b"0" * 5000 + b"}",
        400,
    ),
    "150 unknown well-formed ids": (
        _body({f: [f"{k}:unknown-{'x' * 100}-{i}" for i in range(50)] for f, k in FIELDS}),
        422,
    ),
    "7,000 unknown keys": (
        json.dumps({f"{i:x}": 0 for i in range(7000)}, separators=(",", ":")).encode(),
        422,
    ),
}

QUERY_ROWS: dict[str, tuple[str, int]] = {
    "NUL in a path id": ("/v1/nodes/symptom:numb%00ness", 422),
    "control characters in a path id": ("/v1/nodes/symptom:%1b%5b31m", 422),
    "odd unicode in a path id": ("/v1/nodes/symptom:%E2%80%AE", 422),
    "invalid UTF-8 in a path id": ("/v1/nodes/%ff%fe", 422),
    "10,000-character path id": ("/v1/nodes/symptom:" + "a" * 10_000, 422),
    "path-traversal path id": ("/v1/nodes/..%2F..%2Fetc%2Fpasswd", 404),  # no such route
    "path-traversal source id": ("/v1/sources/..%2Fsecret", 404),
    "path-traversal query id": ("/v1/paths?source=../../etc/passwd&target=symptom:numbness", 422),
    "NUL in a query id": ("/v1/edges?subject=cause:%00", 422),
    "unknown id": ("/v1/nodes/symptom:nope", 404),
    "huge limit": ("/v1/nodes?limit=100000000000000000000", 422),
    "non-numeric limit": ("/v1/nodes?limit=ten", 422),
    "negative limit": ("/v1/nodes?limit=-1", 422),
    "zero limit": ("/v1/edges?limit=0", 422),
    "huge search limit": ("/v1/search?q=knee&limit=99999999999", 422),
    "negative offset": ("/v1/edges?offset=-5", 422),
    "huge offset": ("/v1/edges?offset=99999999999", 422),
    "max_hops of 100": ("/v1/paths?source=cause:als&target=symptom:numbness&max_hops=100", 422),
    "negative max_hops": ("/v1/paths?source=cause:als&target=symptom:numbness&max_hops=-1", 422),
    "k of 100,000": ("/v1/paths?source=cause:als&target=symptom:numbness&k=100000", 422),
    "unknown kind": ("/v1/nodes?kind=organ", 422),
    "unknown kind in search": ("/v1/search?q=knee&kind=organ", 422),
    "unknown predicate": ("/v1/edges?predicate=cures", 422),
    "unknown format": ("/v1/graph?format=pdf", 422),
    "empty format": ("/v1/graph?format=", 422),
    "empty search": ("/v1/search?q=", 422),
    "5,000-character search": ("/v1/search?q=" + "a" * 5000, 422),
    "trailing slash": ("/v1/nodes/", 404),  # not a redirect built from the Host header
}


@pytest.mark.parametrize(("content", "status"), BODY_ROWS.values(), ids=BODY_ROWS.keys())
def test_bad_bodies(server: Server, content: bytes, status: int) -> None:
    response = httpx.post(
        server.url + "/v1/diagnose",
        content=content,
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert_problem_then_healthy(server, response, status)


@pytest.mark.parametrize("path", ["/v1/diagnose", "/v1/parse"])
def test_a_body_without_a_json_media_type(server: Server, path: str) -> None:
    response = httpx.post(
        server.url + path, content=b'{"text": "numb knee"}', headers={"Content-Type": "text/plain"}
    )
    assert_problem_then_healthy(server, response, 422)
    assert "Content-Type: application/json" in response.json()["detail"]


def test_streamed_mebibyte_body(server: Server) -> None:
    response = httpx.post(
        server.url + "/v1/diagnose",
        content=_streamed_mebibyte(),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert "content-length" not in response.request.headers
    assert_problem_then_healthy(server, response, 413)


@pytest.mark.parametrize(("path", "status"), QUERY_ROWS.values(), ids=QUERY_ROWS.keys())
def test_bad_queries(server: Server, path: str, status: int) -> None:
    assert_problem_then_healthy(server, httpx.get(server.url + path, timeout=10), status)


def test_bounded_error_lists(server: Server) -> None:
    content, _ = BODY_ROWS["150 unknown well-formed ids"]
    response = httpx.post(
        server.url + "/v1/diagnose",
        content=content,
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    problem = response.json()
    assert len(problem["errors"]) == 20
    assert problem["more_errors"] >= 130  # counted, not listed
    assert len(response.content) < 8_000


def test_head_other_methods_and_repeated_parameters(server: Server) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        for path in ("/healthz", "/readyz", "/v1/meta"):
            head = client.head(path)
            assert head.status_code == 200
            assert head.content == b""
        for method in ("PROPFIND", "MKCOL"):
            assert_problem_then_healthy(server, client.request(method, "/v1/meta"), 405)
        assert method not in client.get("/metrics").text
        first = client.get("/v1/search?q=knee&q=numb")
        second = client.get(
            "/v1/search?q=numb&q=knee", headers={"If-None-Match": first.headers["etag"]}
        )
        assert second.status_code == 200
        assert second.headers["etag"] != first.headers["etag"]


def test_clients_that_leave_mid_body_are_499s_not_errors(tmp_path: Path) -> None:
    """Issue 24 item 2: each was an ERROR with a 3 KB traceback and a 500 in /metrics and
    the access log (200 of them: 585 KiB of log). Now: a 499, one info line."""
    port = free_port()
    env = {"SYMPTOM_GRAPH_ACCESS_LOG": "true", "SYMPTOM_GRAPH_LOG_LEVEL": "info"}
    leaving = 20
    with (
        (tmp_path / "server.log").open("wb") as log,
        running(project_command(port), port, env=env, log=log) as live,
    ):
        socks = [rawhttp.connect(port) for _ in range(leaving)]
        for sock in socks:
            sock.sendall(rawhttp.request_head("POST", "/v1/diagnose", 200) + b'{"pres')
        rawhttp.wait_until_read(port, socks)
        for sock in socks:
            sock.close()
        counted = 'method="POST",route="/v1/diagnose",status="499"} ' + f"{leaving}.0"
        deadline = time.monotonic() + 10
        while counted not in (text := httpx.get(live.url + "/metrics").text):
            assert time.monotonic() < deadline, text
            time.sleep(0.05)
        assert 'status="500"' not in text
        assert httpx.get(live.url + "/healthz").status_code == 200
    lines = [json.loads(line) for line in (tmp_path / "server.log").read_bytes().splitlines()
             if line.startswith(b"{")]  # fmt: skip
    assert "Traceback" not in (tmp_path / "server.log").read_text()
    assert not [line for line in lines if line["level"] not in ("info", "debug")]
    closed = [line for line in lines if line["message"].startswith("client closed")]
    assert len(closed) == leaving
    access = [line for line in lines if line.get("path") == "/v1/diagnose"]
    assert [line["status"] for line in access] == [499] * leaving


def test_if_none_match_flood(server: Server) -> None:
    tags = ", ".join(f'"{i:024x}"' for i in range(150))
    with httpx.Client(base_url=server.url, timeout=10) as client:
        etag = client.get("/v1/meta").headers["etag"]
        statuses = {
            client.get("/v1/meta", headers={"If-None-Match": tags}).status_code for _ in range(300)
        }
        assert statuses == {200}
        matching = client.get("/v1/meta", headers={"If-None-Match": f"{tags}, {etag}"})
        assert matching.status_code == 304
        assert matching.content == b""
        assert client.get("/healthz").status_code == 200


def test_sigterm_finishes_requests_in_flight_under_load() -> None:
    """SIGTERM while eight diagnose requests are held mid-body and four clients keep loading
    the server: every held request still gets its whole 200 answer, no client ever sees a
    5xx, and the process exits 0."""
    port = free_port()
    bodies = [_body({"present": list(combo)}) for combo in itertools.combinations(SYMPTOMS, 2)][:8]
    with running(project_command(port), port) as live:
        stop = threading.Event()
        statuses: list[int] = []

        def load() -> None:
            with httpx.Client(base_url=live.url, timeout=10) as client:
                for i in range(2000):  # bounded; ends sooner when the server goes away
                    if stop.is_set():
                        return
                    try:
                        if i % 2:
                            response = client.get("/v1/nodes/cause:dehydration")
                        else:
                            response = client.post("/v1/diagnose", json={"present": SYMPTOMS[:3]})
                    except httpx.TransportError:
                        return  # refused or closed: the server has stopped accepting
                    statuses.append(response.status_code)

        loaders = [threading.Thread(target=load) for _ in range(4)]
        for thread in loaders:
            thread.start()
        # The load must be under way before the signal: starting four clients can take longer
        # than the rest of the set-up, and then no request was made before the server left.
        deadline = time.monotonic() + 10
        while not statuses and time.monotonic() < deadline:
            time.sleep(0.01)
        held = [rawhttp.connect(port) for _ in bodies]
        try:
            for sock, body in zip(held, bodies, strict=True):
                sock.sendall(rawhttp.request_head("POST", "/v1/diagnose", len(body)) + body[:10])
            rawhttp.wait_until_read(port, held)  # all eight are now in flight in the server
            live.process.send_signal(signal.SIGTERM)
            time.sleep(0.3)  # let the server begin its shutdown before the bodies complete
            for sock, body in zip(held, bodies, strict=True):
                sock.sendall(body[10:])
            replies = [rawhttp.read_reply(sock) for sock in held]
        finally:
            for sock in held:
                sock.close()
            stop.set()
            for thread in loaders:
                thread.join(timeout=30)
        exit_code = live.process.wait(timeout=30)

    assert [reply.status for reply in replies] == [200] * len(bodies)
    for reply in replies:
        assert reply.json()["candidates"]
    assert statuses, "the background load made no request"
    assert set(statuses) == {200}
    assert exit_code == 0


def test_two_workers_serve_one_graph_version() -> None:
    """Fresh connections until both workers have answered (the kernel says which process holds
    each connection); every worker reports the same graph version."""
    port = free_port()
    versions_by_worker: dict[int, set[str]] = {}
    with running(project_command(port, workers=2), port) as live:
        deadline = time.monotonic() + 20
        for _ in range(400):
            workers = rawhttp.descendants(live.process.pid)
            if len(versions_by_worker) >= 2 or time.monotonic() > deadline:
                break
            with rawhttp.connect(port) as sock:
                reply = rawhttp.get(sock, "/v1/meta")
                side = rawhttp.server_side(port, sock.getsockname()[1])
                assert side is not None
                worker = rawhttp.owner_pid(side.inode, workers)
            assert reply.status == 200
            assert worker is not None
            versions_by_worker.setdefault(worker, set()).add(reply.json()["graph_version"])
        diagnosis = httpx.post(live.url + "/v1/diagnose", json={"present": SYMPTOMS[:3]})

    assert len(workers) >= 2
    assert len(versions_by_worker) == 2, versions_by_worker
    all_versions = set().union(*versions_by_worker.values())
    assert len(all_versions) == 1
    assert diagnosis.status_code == 200
    assert diagnosis.json()["graph_version"] in all_versions


def test_health_checks_overtake_a_flood_of_costly_requests(server: Server) -> None:
    """32 connections send the costliest bad body (150 unknown ids) back to back while /healthz
    is probed on a connection of its own: the probe is answered after a few of the flood's
    requests, not after a whole round of them. Counted in requests answered meanwhile, not
    timed. Before each request took a turn of its own, the loop answered every request it had
    read in one pass before it read the probe: 32 to 64 of them per probe."""
    content, status = BODY_ROWS["150 unknown well-formed ids"]
    port = int(server.url.rsplit(":", 1)[1])
    request = (
        "POST /v1/diagnose HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(content)}\r\n\r\n"
    ).encode() + content
    answered = 0
    overtaken: list[int] = []

    async def read_reply(reader: asyncio.StreamReader) -> int:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        length = next(
            int(v) for k, _, v in (x.partition(":") for x in lines) if k.lower() == "content-length"
        )
        await reader.readexactly(length)
        return int(lines[0].split()[1])

    async def flood(stop: asyncio.Event) -> None:
        nonlocal answered
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while not stop.is_set():
            writer.write(request)
            assert await read_reply(reader) == status
            answered += 1
        writer.close()

    async def probe() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(20):
            before = answered
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert await read_reply(reader) == 200
            overtaken.append(answered - before)
            await asyncio.sleep(0.02)
        writer.close()

    async def run() -> None:
        stop = asyncio.Event()
        floods = [asyncio.create_task(flood(stop)) for _ in range(32)]
        while answered < 64:  # every connection is sending
            await asyncio.sleep(0.01)
        await asyncio.wait_for(probe(), timeout=60)
        stop.set()
        await asyncio.wait_for(asyncio.gather(*floods), timeout=60)

    asyncio.run(run())
    assert statistics.median(overtaken) <= 8, overtaken


def _cpu_seconds(pid: int) -> float:
    """CPU time of every thread of `pid`, to the nanosecond (/proc/PID/task/*/schedstat)."""
    tasks = Path(f"/proc/{pid}/task").iterdir()
    return sum(int((task / "schedstat").read_text().split()[0]) for task in tasks) / 1e9


def test_an_idle_server_does_no_periodic_work(server: Server) -> None:
    """Issue 24 item 9: the load shedder's 10 ms lag callback ran for ever after the first
    request: 5.3 ms of CPU a second on an idle server here (12 ms on the issue's machine).
    Now it stops once nothing is in flight, leaving uvicorn's own 100 ms loop, about 1 ms a
    second."""
    assert httpx.post(server.url + "/v1/diagnose", json=DIAGNOSE_BODY).status_code == 200
    time.sleep(1.5)  # a gap left by overload takes at most about 1 s to shrink away
    before = _cpu_seconds(server.process.pid)
    time.sleep(2)
    per_second = (_cpu_seconds(server.process.pid) - before) / 2
    assert per_second < 0.003, f"{per_second * 1000:.1f} ms of CPU a second while idle"
