"""The cheapest requests that cost the server the most, and /healthz latency under them.

Starts the real server (one worker, pinned to core 0 when taskset exists) and, for each
hostile body, reports the server's CPU time per request (from /proc, over sequential
requests on one connection). Then 32 keep-alive connections send the worst body as fast as
they can for `--seconds` while a separate process probes /healthz every 10 ms; reports the
probe's p50/p99 and how the load was answered. Reported, never asserted.

    .venv/bin/python -m bench.worst_case --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import socket
import time
from collections import Counter

from bench.servers import cpu_seconds, free_port, project_command, running

CLIENT_CPU = 1
BODIES: dict[str, bytes] = {
    # Well-formed ids as long as the pattern allows (about 18 KB, as in issue 11).
    "150 unknown ids": json.dumps(
        {
            "present": [f"symptom:unknown-{'x' * 100}-{i}" for i in range(50)],
            "absent": [f"symptom:missing-{'x' * 100}-{i}" for i in range(50)],
            "exposures": [f"cause:nothing-{'x' * 100}-{i}" for i in range(50)],
        }
    ).encode(),
    "7,000 unknown keys": json.dumps(
        {f"{i:x}": 0 for i in range(7000)} | {"present": ["symptom:numbness"]},
        separators=(",", ":"),
    ).encode(),
    "10,000 numbers": json.dumps({"present": [1] * 10_000}).encode(),
    "a valid three-symptom query": json.dumps(
        {"present": ["symptom:visible-twitching", "symptom:numbness", "symptom:weakness"]}
    ).encode(),
}


def _request(body: bytes) -> bytes:
    head = (
        "POST /v1/diagnose HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def _read_reply(sock: socket.socket, buffer: bytes) -> tuple[int, bytes]:
    """Status of one Content-Length response, and what was read past it."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = next(
        int(v) for k, _, v in (x.partition(":") for x in lines[1:]) if k.lower() == "content-length"
    )
    while len(rest) < length:
        rest += sock.recv(65536)
    return int(lines[0].split()[1]), rest[length:]


def cpu_per_request(port: int, pid: int, body: bytes, count: int) -> tuple[float, int, int]:
    request = _request(body)
    with socket.create_connection(("127.0.0.1", port)) as sock:
        rest, status = b"", 0
        for _ in range(20):  # warm up
            sock.sendall(request)
            status, rest = _read_reply(sock, rest)
        before = cpu_seconds(pid)
        for _ in range(count):
            sock.sendall(request)
            status, rest = _read_reply(sock, rest)
        used = cpu_seconds(pid) - before
    return used / count * 1000, status, len(body)


async def _load(port: int, body: bytes, connections: int, seconds: float) -> Counter[int]:
    request = _request(body)
    statuses: Counter[int] = Counter()
    deadline = time.monotonic() + seconds

    async def one() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.monotonic() < deadline:
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                length = next(
                    int(v)
                    for k, _, v in (x.partition(":") for x in lines[1:])
                    if k.lower() == "content-length"
                )
                await reader.readexactly(length)
                statuses[int(lines[0].split()[1])] += 1
                if b"connection: close" in head.lower():
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
        finally:
            writer.close()

    await asyncio.gather(*(one() for _ in range(connections)))
    return statuses


def _load_process(
    port: int, body: bytes, connections: int, seconds: float, out: multiprocessing.Queue
) -> None:  # type: ignore[type-arg]
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {CLIENT_CPU})
    out.put(dict(asyncio.run(_load(port, body, connections, seconds))))


def probe_health(port: int, seconds: float) -> list[float]:
    """Latency of GET /healthz on a fresh connection every 10 ms, in ms."""
    latencies = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            status, _ = _read_reply(sock, b"")
        latencies.append((time.perf_counter() - started) * 1000)
        assert status == 200, status
        time.sleep(0.01)
    return latencies


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--count", type=int, default=300, help="sequential requests per body")
    args = parser.parse_args()
    port = free_port()
    with running(project_command(port), port, cpu=0) as server:
        pid = server.process.pid
        print("server CPU per request (ms), sequential, one connection:")
        worst, worst_ms = "", 0.0
        for name, body in BODIES.items():
            ms, status, size = cpu_per_request(port, pid, body, args.count)
            print(f"  {name:30s} {size:7d} B -> {status}  {ms:6.2f} ms")
            if ms > worst_ms and status != 200:
                worst, worst_ms = name, ms
        quiet = probe_health(port, 2.0)
        print(
            f"/healthz unloaded: p50 {_percentile(quiet, 0.5):.2f} ms, p99 {_percentile(quiet, 0.99):.2f} ms"
        )
        results: multiprocessing.Queue[dict[int, int]] = multiprocessing.Queue()
        loader = multiprocessing.Process(
            target=_load_process,
            args=(port, BODIES[worst], args.connections, args.seconds, results),
        )
        loader.start()
        time.sleep(0.5)
        loaded = probe_health(port, args.seconds - 1.0)
        statuses = results.get(timeout=args.seconds + 60)
        loader.join()
        total = sum(statuses.values())
        print(
            f"/healthz under {args.connections} connections of '{worst}': "
            f"p50 {_percentile(loaded, 0.5):.2f} ms, p99 {_percentile(loaded, 0.99):.2f} ms, "
            f"max {max(loaded):.2f} ms over {len(loaded)} probes; load answered "
            f"{total} requests ({total / args.seconds:.0f}/s): {dict(sorted(statuses.items()))}"
        )
        # The same probe under ordinary traffic: how much of it is shed.
        loader = multiprocessing.Process(
            target=_load_process,
            args=(
                port,
                BODIES["a valid three-symptom query"],
                args.connections,
                args.seconds,
                results,
            ),
        )
        loader.start()
        time.sleep(0.5)
        ordinary = probe_health(port, args.seconds - 1.0)
        statuses = results.get(timeout=args.seconds + 60)
        loader.join()
        total = sum(statuses.values())
        print(
            f"/healthz under {args.connections} connections of valid queries: "
            f"p50 {_percentile(ordinary, 0.5):.2f} ms, p99 {_percentile(ordinary, 0.99):.2f} ms; "
            f"load answered {total} requests ({total / args.seconds:.0f}/s): "
            f"{dict(sorted(statuses.items()))}"
        )


if __name__ == "__main__":
    main()
