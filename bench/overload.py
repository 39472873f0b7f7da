"""Goodput past the load-shedding limit (issue 24 item 1), by hand: `python -m bench.overload`.

Starts the real server (one worker, default `max_in_flight`) on 127.0.0.1 pinned to core 0,
then drives diagnose on the knee pack with wrk (core 1, 696 distinct queries, so every call
runs the engine) at 1x, 2x and 4x the limit in connections, each for a bounded time, while
a probe thread asks /healthz every 20 ms. The loads are interleaved in `--rounds` rounds, each
in another order (1-2-4, 2-4-1, 4-1-2), after a short warm-up: on this shared machine one
load's rate moves by half from one run to the next (1,555 to 3,166 answers/s at 1x, steal
0.0 %), so a share taken from one run of each sits in that noise, while each round's loads
see the same machine. Reports, per load and round, the successful answers a second
(goodput), its share of the same round's goodput at the limit, the 503s, the server's share
of a core and its answers per CPU second (which tell a server that got less CPU from one
that spent more on each answer), and the share of CPU time stolen by the hypervisor
(/proc/stat); per load, the median share over the rounds and the /healthz p99 over all its
probes. Timing is reported, never asserted; the exit code is 0
unless a tool or the server fails, or with --check when the median share at 2x or 4x is under
80 % or a load's /healthz p99 is 100 ms or more.

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
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
from bench.servers import (
    cpu_seconds,
    free_port,
    nginx_binary,
    project_command,
    running,
    running_nginx,
)

LIMIT = 64  # the default max_in_flight
FACTORS = (1, 2, 4)  # loads, in connections per LIMIT
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


def _p99_ms(latencies: list[float]) -> float:
    return round(1000 * statistics.quantiles(latencies, n=100)[98], 1)


def one_load(
    binary: str, script: Path, url: str, connections: int, seconds: int, server_pid: int
) -> tuple[dict[str, float], list[float]]:
    """One load; its figures and its /healthz latencies in seconds."""
    latencies: list[float] = []
    stop = threading.Event()
    probe = threading.Thread(target=_probe, args=(url, stop, latencies))
    command = [
        binary, "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
        url + "/v1/diagnose",
    ]  # fmt: skip
    before, server_before = cpu_times(), cpu_seconds(server_pid)
    probe.start()
    try:
        out = subprocess.run(
            pinned(command, LOAD_CPU), capture_output=True, text=True, check=True
        ).stdout
    finally:
        stop.set()
        probe.join()
    stolen = steal_share(before, cpu_times())
    server_cpu = cpu_seconds(server_pid) - server_before
    run = parse_wrk(out)
    # Over wrk's own count and duration: the 2xx share of what was answered.
    total = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", out)
    if total is None:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    elapsed = float(total[2]) * {"ms": 0.001, "s": 1.0, "m": 60.0}[total[3]]
    answered = int(total[1]) - run.non_2xx
    return {
        "connections": connections,
        "requests_per_second": round(run.requests_per_second, 1),
        "goodput_per_second": round(answered / elapsed, 1),
        # The server's own CPU: a load whose goodput fell because other processes took its core
        # keeps its answers per CPU second; one whose waiting requests cost work loses them.
        "server_cpu_share": round(server_cpu / elapsed, 3),
        "answers_per_cpu_second": round(answered / server_cpu, 1) if server_cpu else 0.0,
        "non_2xx": run.non_2xx,
        "socket_errors": run.socket_errors,
        "health_p99_ms": _p99_ms(latencies),
        "health_probes": len(latencies),
        "steal": round(stolen, 4),
    }, latencies


def interleaved(
    run: Callable[[int], tuple[dict[str, float], list[float]]], rounds: int
) -> list[dict[str, Any]]:
    """Every factor once a round, each round in another order; per factor, the rounds' figures
    with each round's goodput share against that round's 1x, the median share, and the
    /healthz p99 over all its probes."""
    per_round: list[dict[int, dict[str, float]]] = []
    probes: dict[int, list[float]] = {factor: [] for factor in FACTORS}
    for index in range(rounds):
        shift = index % len(FACTORS)
        figures: dict[int, dict[str, float]] = {}
        for factor in FACTORS[shift:] + FACTORS[:shift]:
            figures[factor], latencies = run(factor)
            probes[factor] += latencies
            time.sleep(1)  # let the lag monitor settle between loads
        base = figures[1]["goodput_per_second"] or 1.0
        for result in figures.values():
            result["goodput_share"] = round(result["goodput_per_second"] / base, 3)
        per_round.append(figures)
    return [
        {
            "factor": factor,
            "connections": factor * LIMIT,
            "goodput_share": round(
                statistics.median(r[factor]["goodput_share"] for r in per_round), 3
            ),
            "health_p99_ms": _p99_ms(probes[factor]),
            "rounds": [r[factor] for r in per_round],
        }
        for factor in FACTORS
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="per load and round (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--check", action="store_true", help="exit 1 past the targets")
    parser.add_argument("--nginx", action="store_true", help="through the shipped nginx")
    args = parser.parse_args()
    binary = ensure_wrk()
    front = nginx_binary() if args.nginx else None
    if args.nginx and front is None:
        raise SystemExit("--nginx needs nginx: sudo apt-get install nginx")
    port = free_port()
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
        pid = server.process.pid
        one_load(binary, script, url, LIMIT, 2, pid)  # warm-up: the caches, the lazy imports
        time.sleep(1)
        results = interleaved(
            lambda factor: one_load(binary, script, url, factor * LIMIT, args.seconds, pid),
            args.rounds,
        )
    report = {"limit": LIMIT, "seconds": args.seconds, "rounds": args.rounds}
    print(json.dumps({**report, "through_nginx": args.nginx, "loads": results}, indent=2))
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
