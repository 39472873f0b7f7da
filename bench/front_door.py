"""The shipped nginx front door under slow-header and huge-header clients, full size.

Starts the real server and Debian's nginx with deploy/nginx's configuration on 127.0.0.1,
measures normal requests through nginx unloaded, then again while 500 slow-header
connections (one header byte per client per second, reopened when nginx cuts them) and 40
clients sending 20 MB headers (over and over) run. Reports p50/p99 of the normal requests
and the app's resident memory, idle and loaded. Reported, never asserted (the test with
smaller numbers is tests/load/test_nginx.py).

    .venv/bin/python -m bench.front_door --seconds 20
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import socket
import statistics
import tempfile
import threading
import time
from multiprocessing.synchronize import Event as EventType
from pathlib import Path

import httpx

from bench.servers import free_port, nginx_binary, project_command, running, running_nginx

HEAD = b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
APP_CPU, NGINX_CPU = 0, 1


def normal_requests(url: str, seconds: float) -> list[float]:
    """GET /v1/nodes/cause:dehydration at 15/s (under the 20/s per-client limit), in ms."""
    latencies = []
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=url, timeout=30) as client:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            status = client.get("/v1/nodes/cause:dehydration").status_code
            latencies.append((time.perf_counter() - started) * 1000)
            assert status == 200, status
            time.sleep(max(0.0, 1 / 15 - (time.perf_counter() - started)))
    return latencies


def slow_clients(port: int, count: int, stop: threading.Event, cut: list[int]) -> None:
    sockets: list[socket.socket | None] = [None] * count
    while not stop.is_set():
        for index, sock in enumerate(sockets):
            try:
                if sock is None:
                    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
                    sock.sendall(HEAD)
                    sockets[index] = sock
                sock.sendall(b"X")
            except OSError:
                cut[0] += 1
                if sock is not None:
                    sock.close()
                sockets[index] = None
        stop.wait(1.0)
    for sock in sockets:
        if sock is not None:
            sock.close()


def huge_header_client(port: int, size: int, stop: threading.Event, sent: list[int]) -> None:
    chunk = b"a" * 65536
    while not stop.is_set():
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", port), timeout=10) as sock,
        ):
            sock.sendall(HEAD + b"X-Big: ")
            for _ in range(size // len(chunk)):
                sock.sendall(chunk)
                sent[0] += len(chunk)
        time.sleep(0.05)


def attack(
    port: int,
    slow: int,
    huge: int,
    header_bytes: int,
    stop: EventType,
    counts: multiprocessing.Queue[tuple[int, int]],
) -> None:
    """The slow-header and huge-header clients, as threads, until `stop`; then reports how
    many slow connections were cut and how many header bytes were sent."""
    # The attackers' own sending happens on their machines in production; here it would take
    # the server's cores, so it runs at the lowest priority (what nginx does to cut it off
    # still costs nginx, as it would).
    os.nice(19)
    done = threading.Event()
    cut, sent = [0], [0]
    threads = [threading.Thread(target=slow_clients, args=(port, slow, done, cut))]
    threads += [
        threading.Thread(target=huge_header_client, args=(port, header_bytes, done, sent))
        for _ in range(huge)
    ]
    for thread in threads:
        thread.start()
    stop.wait()
    done.set()
    for thread in threads:
        thread.join(timeout=60)
    counts.put((cut[0], sent[0]))


def _summary(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return f"p50 {statistics.median(ordered):.2f} ms, p99 {p99:.2f} ms ({len(ordered)} requests)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--slow", type=int, default=500)
    parser.add_argument("--huge", type=int, default=40)
    parser.add_argument("--header-mb", type=int, default=20)
    args = parser.parse_args()
    binary = nginx_binary()
    if binary is None:
        raise SystemExit("nginx is not installed: apt-get install nginx")
    app_port, port = free_port(), free_port()
    with (
        tempfile.TemporaryDirectory() as prefix,
        running(project_command(app_port), app_port, cpu=APP_CPU) as app,
        running_nginx(binary, Path(prefix), port, app_port, cpu=NGINX_CPU),
    ):
        url = f"http://127.0.0.1:{port}"
        normal_requests(url, 2.0)  # warm up
        rss_idle = app.rss_kib()
        unloaded = normal_requests(url, args.seconds)
        # The attackers run in a process of their own: as threads of this one, their GIL
        # contention delayed the measuring client itself (p99 4x, with the app idle).
        stop = multiprocessing.Event()
        counts: multiprocessing.Queue[tuple[int, int]] = multiprocessing.Queue()
        attackers = multiprocessing.Process(
            target=attack, args=(port, args.slow, args.huge, args.header_mb << 20, stop, counts)
        )
        attackers.start()
        time.sleep(2.0)
        loaded = normal_requests(url, args.seconds)
        rss_loaded = app.rss_kib()
        stop.set()
        cut, sent = counts.get(timeout=120)
        attackers.join(timeout=60)
    print(f"normal requests through nginx, unloaded: {_summary(unloaded)}")
    print(
        f"with {args.slow} slow-header connections and {args.huge} clients sending "
        f"{args.header_mb} MB headers: {_summary(loaded)}"
    )
    print(
        f"slow connections cut by nginx and reopened: {cut}; header bytes the huge-header "
        f"clients got to send: {sent / (1 << 20):.1f} MiB"
    )
    print(
        f"app RSS idle {rss_idle / 1024:.1f} MiB, under load {rss_loaded / 1024:.1f} MiB "
        f"({(rss_loaded / rss_idle - 1) * 100:+.1f} %)"
    )


if __name__ == "__main__":
    main()
