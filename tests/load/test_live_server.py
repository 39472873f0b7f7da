"""The real server process on 127.0.0.1: bad input row by row, graceful shutdown, workers."""

from __future__ import annotations

import json
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bench.servers import Server, free_port, project_command, running

pytestmark = pytest.mark.slow
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    port = free_port()
    with running(project_command(port), port) as live:
        yield live


def post(server: Server, content: bytes) -> httpx.Response:
    return httpx.post(
        server.url + "/v1/diagnose",
        content=content,
        headers={"Content-Type": "application/json"},
        timeout=10,
    )


# Each row of the README's bad-input table: what is sent, and the status it must get.
BODY_ROWS = {
    "malformed JSON": (b'{"present": [', 422),
    "wrong types": (b'{"present": "symptom:numbness", "limit": "ten"}', 422),
    "empty lists": (b'{"present": [], "absent": [], "exposures": []}', 422),
    "10,000-element list": (json.dumps({"present": [1] * 10_000}).encode(), 422),
    "1 MiB body": (b'{"present": ["' + b"a" * (1 << 20) + b'"]}', 413),
    "NUL in an id": (b'{"present": ["symptom:numb\\u0000ness"]}', 422),
    "control characters in an id": (b'{"present": ["symptom:\\u001b[31mred"]}', 422),
    "odd unicode in an id": ('{"present": ["symptom:ñumbness\u202e"]}'.encode(), 422),
    "path-traversal id": (b'{"present": ["../../etc/passwd"]}', 422),
    "not UTF-8": (b'{"present": ["\xff\xfe"]}', 400),
}

QUERY_ROWS = {
    "NUL in a path id": ("/v1/nodes/symptom:numb%00ness", 422),
    "path-traversal path id": ("/v1/nodes/..%2F..%2Fetc%2Fpasswd", 404),  # no such route
    "huge limit": ("/v1/nodes?limit=100000000000000000000", 422),
    "negative limit": ("/v1/nodes?limit=-1", 422),
    "negative offset": ("/v1/edges?offset=-5", 422),
    "huge offset": ("/v1/edges?offset=99999999999", 422),
    "max_hops of 100": ("/v1/paths?source=cause:als&target=symptom:numbness&max_hops=100", 422),
    "unknown kind": ("/v1/nodes?kind=organ", 422),
    "unknown format": ("/v1/graph?format=pdf", 422),
    "unknown id": ("/v1/nodes/symptom:nope", 404),
}


@pytest.mark.parametrize(("content", "status"), BODY_ROWS.values(), ids=BODY_ROWS.keys())
def test_bad_bodies(server: Server, content: bytes, status: int) -> None:
    response = post(server, content)
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    assert httpx.get(server.url + "/healthz").status_code == 200


@pytest.mark.parametrize(("path", "status"), QUERY_ROWS.values(), ids=QUERY_ROWS.keys())
def test_bad_queries(server: Server, path: str, status: int) -> None:
    response = httpx.get(server.url + path)
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    assert httpx.get(server.url + "/healthz").status_code == 200


def test_if_none_match_flood(server: Server) -> None:
    tags = ", ".join(f'"{i:024x}"' for i in range(150))
    with httpx.Client(base_url=server.url) as client:
        etag = client.get("/v1/meta").headers["etag"]
        statuses = {
            client.get("/v1/meta", headers={"If-None-Match": tags}).status_code for _ in range(300)
        }
        assert statuses == {200}
        assert (
            client.get("/v1/meta", headers={"If-None-Match": f"{tags}, {etag}"}).status_code == 304
        )
        assert client.get("/healthz").status_code == 200


def test_sigterm_finishes_the_request_in_flight() -> None:
    port = free_port()
    body = json.dumps({"present": ["symptom:numbness"]}).encode()
    with running(project_command(port), port) as live:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            head = (
                f"POST /v1/diagnose HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode()
            sock.sendall(head + body[:10])  # the request is now in flight
            time.sleep(0.2)
            live.process.send_signal(signal.SIGTERM)
            time.sleep(0.2)
            sock.sendall(body[10:])
            reply = b""
            while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                reply += chunk
        assert reply.startswith(b"HTTP/1.1 200")
        assert live.process.wait(timeout=15) == 0


def test_two_workers_serve_one_graph_version() -> None:
    port = free_port()
    with running(project_command(port, workers=2), port) as live:
        workers = [
            int(p)
            for p in Path(f"/proc/{live.process.pid}/task/{live.process.pid}/children")
            .read_text()
            .split()
        ]
        versions = set()
        for _ in range(40):
            with httpx.Client() as fresh:  # a new connection each time, spread across workers
                versions.add(fresh.get(live.url + "/v1/meta").json()["graph_version"])
        diagnosis = httpx.post(live.url + "/v1/diagnose", json={"present": ["symptom:numbness"]})
    assert len(workers) >= 2
    assert len(versions) == 1
    assert diagnosis.json()["graph_version"] in versions
