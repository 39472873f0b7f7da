"""The shipped front door: Debian's nginx with deploy/nginx's configuration, in front of the
real server, both on 127.0.0.1.

Shows what uvicorn alone does not do: slow-header and idle connections are cut off, huge
headers and malformed requests are refused as problem+json, while normal requests keep their
latency and the app's memory stays flat. Bounded: a few hundred connections for about 10 s;
bench/front_door.py runs the full-size version (500 slow clients, 40 x 20 MB headers).
Skips when nginx is not installed, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import contextlib
import socket
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bench.servers import Server, free_port, project_command, running, running_nginx
from tests.paths import nginx_or_skip

pytestmark = pytest.mark.slow
PROBLEM = "application/problem+json"
HEADER_TIMEOUT = 5.0  # client_header_timeout in deploy/nginx/symptom-graph.conf.template


class Front:
    def __init__(self, app: Server, port: int) -> None:
        self.app = app
        self.port = port
        self.url = f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def front(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Front]:
    binary = nginx_or_skip()
    app_port, port = free_port(), free_port()
    prefix: Path = tmp_path_factory.mktemp("nginx")
    with (
        running(project_command(app_port), app_port) as app,
        running_nginx(binary, prefix, port, app_port),
    ):
        yield Front(app, port)


def _raw(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        with contextlib.suppress(OSError):  # nginx may close before a huge request is sent
            sock.sendall(data)
        reply = b""
        try:
            while chunk := sock.recv(65536):
                reply += chunk
        except OSError:
            pass
        return reply


def _latencies(url: str, count: int) -> list[float]:
    """Paced under the per-client rate limit (20 requests/s), so none is refused for rate."""
    latencies = []
    with httpx.Client(base_url=url, timeout=10) as client:
        for _ in range(count):
            started = time.perf_counter()
            response = client.get("/v1/nodes/cause:dehydration")
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 200
            time.sleep(0.06)
    return latencies


def test_requests_pass_with_their_request_id_and_gzip(front: Front) -> None:
    response = httpx.get(
        front.url + "/v1/graph",
        headers={"X-Request-ID": "front-door-1", "Accept-Encoding": "gzip"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["x-request-id"] == "front-door-1"
    assert len(response.json()["nodes"]) == 65
    # Without one, nginx makes an id and the app echoes it.
    assert len(httpx.get(front.url + "/healthz").headers["x-request-id"]) == 32
    # The app's own problems pass through untouched.
    missing = httpx.get(front.url + "/v1/nodes/symptom:nope")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (8 << 20) + b"\r\n\r\n", 400),
        (b"GET /healthz HTTP/1.1\r\n" + b"X-A: b\r\n" * 5000 + b"\r\n", 400),
        (b"POST /v1/diagnose HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n", 413),
        # Issue 24 item 6: these were nginx's HTML pages.
        (b"GET /" + b"a" * (1 << 20) + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        (b"TRACE / HTTP/1.1\r\nHost: x\r\n\r\n", 405),
        (b"GET /.problem/400 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 404),
        (b"POST /v1/diagnose HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        (b"GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n", 505),
    ],
    ids=[
        "malformed request line",
        "8 MB header",
        "5,000 headers",
        "1 MB declared body",
        "1 MB URL",
        "TRACE",
        "nginx's internal location",
        "unknown Transfer-Encoding",
        "HTTP/2.0 request line",
    ],
)
def test_bad_requests_are_refused_as_problems(
    front: Front, request_bytes: bytes, status: int
) -> None:
    rss_before = front.app.rss_kib()
    reply = _raw(front.port, request_bytes)
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status} ".encode()), head
    assert b"content-type: application/problem+json" in head.lower()
    assert f'"status":{status}'.encode() in body
    if status == 405:  # RFC 9110 15.5.6: a 405 lists the methods that are served
        assert b"allow: get, head, post, options" in head.lower()
    assert front.app.rss_kib() <= rss_before * 1.1
    assert httpx.get(front.url + "/healthz").status_code == 200


def test_slow_idle_and_huge_header_clients_are_cut_off_while_others_are_served(
    front: Front,
) -> None:
    unloaded = _latencies(front.url, 25)
    rss_idle = front.app.rss_kib()

    slow = [socket.create_connection(("127.0.0.1", front.port)) for _ in range(150)]
    idle = [socket.create_connection(("127.0.0.1", front.port)) for _ in range(50)]
    for sock in slow:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    stop = threading.Event()

    def trickle() -> None:
        """A header byte per client every half second: never a whole header."""
        while not stop.is_set():
            for sock in slow:
                with contextlib.suppress(OSError):
                    sock.sendall(b"X")
            stop.wait(0.5)

    def huge_headers() -> None:
        for _ in range(3):
            _raw(front.port, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (8 << 20))

    threads = [threading.Thread(target=trickle)] + [
        threading.Thread(target=huge_headers) for _ in range(8)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    try:
        loaded = _latencies(front.url, 25)
        rss_loaded = front.app.rss_kib()
        # Every slow and idle connection is closed by nginx once the header timeout passes.
        closed = set()
        deadline = started + HEADER_TIMEOUT + 10
        while len(closed) < len(slow) + len(idle) and time.monotonic() < deadline:
            for index, sock in enumerate(slow + idle):
                if index in closed:
                    continue
                sock.setblocking(False)
                try:
                    data = sock.recv(4096)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if data == b"" or data.startswith(b"HTTP/1.1 408"):
                    closed.add(index)
            time.sleep(0.2)
        cut_after = time.monotonic() - started
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        for sock in slow + idle:
            sock.close()

    assert len(closed) == len(slow) + len(idle)
    assert cut_after < HEADER_TIMEOUT + 10
    assert rss_loaded <= rss_idle * 1.1, (rss_idle, rss_loaded)
    # Generous for a shared machine: the median stays within twice unloaded (plus 10 ms).
    assert statistics.median(loaded) <= 2 * statistics.median(unloaded) + 0.010, (
        statistics.median(unloaded),
        statistics.median(loaded),
    )
    assert httpx.get(front.url + "/healthz").status_code == 200


def test_an_app_that_is_down_is_a_502_problem(tmp_path: Path) -> None:
    """nothing listening upstream: a 502 problem+json with Retry-After. It was a 502 whose
    body said `"status":503` (error_page keeps the original status)."""
    binary = nginx_or_skip()
    port = free_port()
    with running_nginx(binary, tmp_path, port, free_port()):  # no app on that port
        response = httpx.get(f"http://127.0.0.1:{port}/v1/meta", timeout=10)
    assert response.status_code == 502
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["retry-after"] == "1"
    assert response.json()["status"] == 502


def test_a_client_past_its_rate_is_refused_but_health_checks_still_pass(tmp_path: Path) -> None:
    """Issue 24 item 1 through nginx: its per-client limits shed first (429 problem+json,
    quickly), while /healthz and /readyz from the same address are never limited (they were
    refused 429 with everything else)."""
    binary = nginx_or_skip()
    app_port, port = free_port(), free_port()
    with (
        running(project_command(app_port), app_port),
        running_nginx(binary, tmp_path, port, app_port),
        httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client,
    ):
        # 20 requests/s with a burst of 40: the first 41 pass, then 429s begin.
        answers = [client.get("/v1/nodes/cause:dehydration") for _ in range(80)]
        statuses = [a.status_code for a in answers]
        assert statuses.count(429) >= 20
        assert set(statuses) == {200, 429}
        refused = next(a for a in answers if a.status_code == 429)
        assert refused.headers["content-type"] == PROBLEM
        for path in ("/healthz", "/readyz"):
            answers = [client.get(path).status_code for _ in range(30)]
            assert answers == [200] * 30, (path, answers)
