"""Goodput past the load-shedding limit (issue 24 item 1), by hand: `python -m bench.overload`.

Starts the real server (one worker, default `max_in_flight`) on 127.0.0.1 pinned to core 0,
then drives diagnose on the knee pack with wrk (core 1, 696 distinct queries, so every call
runs the engine) at 1x, 2x and 4x the limit in connections, each for a bounded time, while
a probe thread asks /healthz every 20 ms. Reports, per load, the successful answers a second
(goodput), its share of the goodput at the limit, the 503s, the /healthz p99 and the share of
CPU time stolen by the hypervisor (/proc/stat). Timing is reported, never asserted; the exit
code is 0 unless a tool or the server fails, or with --check when goodput at 2x or 4x is under
80 % of the goodput at 1x or the /healthz p99 is 100 ms or more.

`--nginx` sends the same loads through the shipped nginx (deploy/nginx) on the load's core:
its per-client limits (20 requests/s, bursts of 40, 64 connections) shed first, with 429,
so one client's overload never reaches the app's own shedding, and /healthz, which those
limits leave alone, is asked through nginx too.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import httpx

from bench.run_bench import (
    LOAD_CPU,
    SERVER_CPU,
    cpu_times,
    ensure_wrk,
    knee_queries,
    parse_wrk,
    pinned,
    rotating_bodies,
    steal_share,
)
from bench.servers import free_port, nginx_binary, project_command, running, running_nginx

LIMIT = 64  # the default max_in_flight
GOODPUT_SHARE, HEALTH_P99_MS = 0.8, 100.0


def _script(folder: Path) -> Path:
    script = folder / "diagnose.lua"
    lines = [
        'wrk.method = "POST"',
        'wrk.headers["Content-Type"] = "application/json"',
        *rotating_bodies(knee_queries()),
    ]
    script.write_text("\n".join(lines) + "\n")
    return script


def _probe(url: str, stop: threading.Event, latencies: list[float]) -> None:
    """GET /healthz every 20 ms until `stop`; a failure counts as 10 s."""
    with httpx.Client(timeout=10.0) as client:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                ok = client.get(url + "/healthz").status_code == 200
            except httpx.TransportError:
                ok = False
            latencies.append(time.perf_counter() - started if ok else 10.0)
            stop.wait(0.02)


def one_load(
    binary: str, script: Path, url: str, connections: int, seconds: int
) -> dict[str, float]:
    latencies: list[float] = []
    stop = threading.Event()
    probe = threading.Thread(target=_probe, args=(url, stop, latencies))
    command = [
        binary, "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
        url + "/v1/diagnose",
    ]  # fmt: skip
    before = cpu_times()
    probe.start()
    try:
        out = subprocess.run(
            pinned(command, LOAD_CPU), capture_output=True, text=True, check=True
        ).stdout
    finally:
        stop.set()
        probe.join()
    stolen = steal_share(before, cpu_times())
    run = parse_wrk(out)
    # Over wrk's own count and duration: the 2xx share of what was answered.
    total = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", out)
    if total is None:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    elapsed = float(total[2]) * {"ms": 0.001, "s": 1.0, "m": 60.0}[total[3]]
    return {
        "connections": connections,
        "requests_per_second": round(run.requests_per_second, 1),
        "goodput_per_second": round((int(total[1]) - run.non_2xx) / elapsed, 1),
        "non_2xx": run.non_2xx,
        "socket_errors": run.socket_errors,
        "health_p99_ms": round(1000 * statistics.quantiles(latencies, n=100)[98], 1),
        "health_probes": len(latencies),
        "steal": round(stolen, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="per load (default 5)")
    parser.add_argument("--check", action="store_true", help="exit 1 past the targets")
    parser.add_argument("--nginx", action="store_true", help="through the shipped nginx")
    args = parser.parse_args()
    binary = ensure_wrk()
    front = nginx_binary() if args.nginx else None
    if args.nginx and front is None:
        raise SystemExit("--nginx needs nginx: sudo apt-get install nginx")
    port = free_port()
    results = []
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        server = stack.enter_context(running(project_command(port), port, cpu=SERVER_CPU))
        url = server.url
        if front is not None:
            front_port = free_port()
            (tmp / "nginx").mkdir()
            stack.enter_context(running_nginx(front, tmp / "nginx", front_port, port, LOAD_CPU))
            url = f"http://127.0.0.1:{front_port}"
        if hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, {LOAD_CPU})  # the probe keeps off the server's core
        script = _script(tmp)
        for factor in (1, 2, 4):
            result = one_load(binary, script, url, factor * LIMIT, args.seconds)
            results.append({"factor": factor, **result})
            time.sleep(1)  # let the lag monitor settle between loads
    base = results[0]["goodput_per_second"] or 1.0
    for result in results:
        result["goodput_share"] = round(result["goodput_per_second"] / base, 3)
    report = {"limit": LIMIT, "seconds": args.seconds, "through_nginx": args.nginx}
    print(json.dumps({**report, "loads": results}, indent=2))
    if args.check:
        failed = [
            r["factor"]
            for r in results
            if r["goodput_share"] < GOODPUT_SHARE or r["health_p99_ms"] >= HEALTH_P99_MS
        ]
        if failed:
            raise SystemExit(f"past the targets at {failed}x the limit")


if __name__ == "__main__":
    main()
