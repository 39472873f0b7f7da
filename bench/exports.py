"""What whole-graph exports cost the server: CPU per request, resident memory, and the latency
of diagnose while clients download exports (issue 24 item 3).

Starts the real server on 127.0.0.1 with the given packs (the full HPO pack by default) and
a fresh export folder, then, one request at a time: HEAD, GET, GET again, a matching
If-None-Match (304) for each format, reading the server's CPU time before and after each.
Then `--clients` clients download exports in a loop for `--seconds` while one client sends a
diagnose request every 50 ms; diagnose's p50/p99 are reported against the same client
alone. Reported, never asserted. `--checkout` serves another checkout's code (for a before
and after: `git archive <commit> | tar -x -C /tmp/before`).

`--stalled N` measures instead N clients that request the JSON export through the shipped
nginx (this checkout's deploy/nginx) and never read: the app's RSS and CPU over 25 s, and
how many answers nginx spooled to temp files (its error log says so for each).

    .venv/bin/python -m bench.exports --pack build/hpo --seconds 15
    .venv/bin/python -m bench.exports --pack build/hpo --stalled 8
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx

from bench.servers import (
    REPO,
    cpu_seconds,
    free_port,
    nginx_binary,
    project_command,
    running,
    running_nginx,
)

FORMATS = ("json", "graphml", "jsonld", "kgx")


def measured(
    pid: int, client: httpx.Client, method: str, path: str, **kwargs: object
) -> tuple[str, str]:
    """A request's line of the report, and the ETag it was answered with."""
    before, started = cpu_seconds(pid), time.perf_counter()
    size = 0
    with client.stream(method, path, **kwargs) as response:  # type: ignore[arg-type]
        for chunk in response.iter_raw():
            size += len(chunk)
        status, etag = response.status_code, response.headers.get("etag", "")
    wall = time.perf_counter() - started
    cpu = settled(pid) - before
    line = (
        f"{method:4} {path:28} {status} {size / 1e6:7.1f} MB  wall {wall:5.2f} s  cpu {cpu:5.2f} s"
    )
    return line, etag


def settled(pid: int) -> float:
    """The process's CPU time once it is idle again: work may go on after the answer (a
    HEAD used to write the whole export and throw it away)."""
    while True:
        before = cpu_seconds(pid)
        time.sleep(0.5)
        after = cpu_seconds(pid)
        if after - before < 0.02:
            return after


def diagnose_latencies(url: str, seconds: float) -> list[float]:
    body = {"present": ["symptom:visible-twitching"], "limit": 5}
    latencies = []
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=url, timeout=60) as client:
        symptom = client.get("/v1/search", params={"q": "seizure", "limit": 1}).json()
        if symptom.get("results"):
            body["present"] = [symptom["results"][0]["id"]]
        while time.monotonic() < deadline:
            started = time.perf_counter()
            client.post("/v1/diagnose", json=body)
            latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(0.05)
    return latencies


def exporter(url: str, stop: threading.Event, index: int, done: list[int]) -> None:
    with httpx.Client(base_url=url, timeout=120) as client:
        while not stop.is_set():
            fmt = FORMATS[(index + done[0]) % len(FORMATS)]
            with client.stream("GET", "/v1/graph", params={"format": fmt}) as response:
                for _ in response.iter_raw():
                    if stop.is_set():
                        break
            done[0] += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack", type=Path, action="append", default=None)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--checkout", type=Path, default=REPO)
    parser.add_argument("--stalled", type=int, default=0, help="clients through nginx")
    args = parser.parse_args()
    packs = [p.resolve() for p in (args.pack or [REPO / "build" / "hpo"])]
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="bench-exports-"))
    folder.chmod(0o755)  # nginx's workers may run as another user
    env = {"SYMPTOM_GRAPH_PACKS": json.dumps([str(p) for p in packs])}
    env["SYMPTOM_GRAPH_EXPORT_FOLDER"] = str(folder / "exports")
    print(f"checkout {args.checkout}; load average {os.getloadavg()[0]:.2f}")
    try:
        if args.stalled:
            stalled(args, port, env, folder / "nginx")
        else:
            measure(args, port, env)
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # the HPO pack's exports: about 220 MB


def measure(args: argparse.Namespace, port: int, env: dict[str, str]) -> None:
    with running(project_command(port), port, timeout=180, env=env, cwd=args.checkout) as server:
        pid = server.process.pid
        rss_start = server.rss_kib() / 1024
        print(f"ready in {server.startup_seconds:.1f} s, RSS {rss_start:.0f} MiB")
        with httpx.Client(base_url=server.url, timeout=120) as client:
            for fmt in FORMATS:
                path = f"/v1/graph?format={fmt}"
                print(measured(pid, client, "HEAD", path)[0])
                line, etag = measured(pid, client, "GET", path)
                print(line)
                print(measured(pid, client, "GET", path)[0])
                print(measured(pid, client, "HEAD", path)[0])
                print(measured(pid, client, "GET", path, headers={"If-None-Match": etag})[0])
                print(f"  RSS {server.rss_kib() / 1024:.0f} MiB")
        time.sleep(5)
        print(f"RSS after every export, 5 s idle: {server.rss_kib() / 1024:.0f} MiB")

        alone = diagnose_latencies(server.url, args.seconds / 3)
        stop, done = threading.Event(), [0]
        threads = [
            threading.Thread(target=exporter, args=(server.url, stop, i, done))
            for i in range(args.clients)
        ]
        before = cpu_seconds(pid)
        for thread in threads:
            thread.start()
        loaded = diagnose_latencies(server.url, args.seconds)
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        cpu = cpu_seconds(pid) - before
        for name, values in (("alone", alone), (f"{args.clients} export clients", loaded)):
            cuts = statistics.quantiles(values, n=100)
            print(f"diagnose {name}: p50 {cuts[49]:.1f} ms, p99 {cuts[98]:.1f} ms")
        print(f"{done[0]} exports downloaded in {args.seconds:.0f} s, server CPU {cpu:.1f} s")
        time.sleep(5)
        print(f"RSS at the end, 5 s idle: {server.rss_kib() / 1024:.0f} MiB")


def stalled(args: argparse.Namespace, port: int, env: dict[str, str], prefix: Path) -> None:
    binary = nginx_binary()
    if binary is None:
        raise SystemExit("nginx is not installed")
    prefix.mkdir()
    front = free_port()
    with (
        running(project_command(port), port, timeout=180, env=env, cwd=args.checkout) as app,
        running_nginx(binary, prefix, front, port),
    ):
        rss, cpu = app.rss_kib() / 1024, cpu_seconds(app.process.pid)
        clients = []
        for _ in range(args.stalled):
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # reads nothing
            sock.connect(("127.0.0.1", front))
            sock.sendall(b"GET /v1/graph HTTP/1.1\r\nHost: x\r\n\r\n")
            clients.append(sock)
        time.sleep(25)
        log = (prefix / "error.log").read_text(errors="replace")
        print(
            f"{args.stalled} stalled clients through nginx, 25 s: app RSS {rss:.0f} -> "
            f"{app.rss_kib() / 1024:.0f} MiB, app CPU {cpu_seconds(app.process.pid) - cpu:.1f} s, "
            f"answers spooled by nginx {log.count('buffered to a temporary file')}"
        )
        for sock in clients:
            sock.close()


if __name__ == "__main__":
    main()
