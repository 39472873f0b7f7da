"""`make soak`: 60 s at 64 connections across the read endpoints and diagnose, against the real
server on 127.0.0.1. Fails (exit 1) on any error or 5xx, or when resident memory grows by 10 %
or more between the first and the last 10 seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics
import sys
import time
from collections import Counter

import httpx

from bench.servers import free_port, project_command, running

REQUESTS = [
    ("GET", "/v1/nodes?kind=symptom&limit=20", None),
    ("GET", "/v1/nodes/cause:dehydration", None),
    ("GET", "/v1/nodes/symptom:numbness", None),
    ("GET", "/v1/edges?predicate=causes&limit=50", None),
    ("GET", "/v1/search?q=twiching", None),
    ("GET", "/v1/search?q=R25.3", None),
    ("GET", "/v1/sources", None),
    ("GET", "/v1/sources/source:knee-spasms-2024", None),
    ("GET", "/v1/meta", None),
    ("GET", "/v1/graph?format=json", None),
    ("GET", "/v1/paths?source=prevention:hydration&target=symptom:visible-twitching", None),
    ("GET", "/v1/nodes/cause:electrolyte-imbalance/care-pathway", None),
    ("POST", "/v1/diagnose", {"present": ["symptom:visible-twitching", "symptom:numbness"]}),
    ("POST", "/v1/diagnose", {"present": ["symptom:stiffness"], "exposures": ["cause:diuretics"]}),
]


async def soak(url: str, seconds: float, connections: int, statuses: Counter[str]) -> None:
    deadline = time.monotonic() + seconds
    requests = itertools.cycle(REQUESTS)
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=10.0) as client:

        async def worker() -> None:
            while time.monotonic() < deadline:
                method, path, body = next(requests)
                try:
                    response = await client.request(method, path, json=body)
                    statuses[str(response.status_code)] += 1
                except httpx.HTTPError as exc:
                    statuses[f"error:{type(exc).__name__}"] += 1

        await asyncio.gather(*(worker() for _ in range(connections)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    port = free_port()
    statuses: Counter[str] = Counter()
    samples: list[tuple[float, int]] = []
    with running(project_command(port), port, cpu=0) as server:

        async def sample_rss() -> None:
            started = time.monotonic()
            while time.monotonic() - started < args.seconds:
                samples.append((time.monotonic() - started, server.rss_kib()))
                await asyncio.sleep(1.0)

        async def run() -> None:
            await asyncio.gather(
                soak(server.url, args.seconds, args.connections, statuses), sample_rss()
            )

        asyncio.run(run())
        healthy = httpx.get(server.url + "/healthz").status_code == 200

    window = min(10.0, args.seconds / 3)
    first = statistics.median(r for t, r in samples if t < window)
    last = statistics.median(r for t, r in samples if t >= args.seconds - window)
    growth = (last - first) / first
    total = sum(statuses.values())
    failures = sum(n for s, n in statuses.items() if not s.startswith("2"))
    report = {
        "seconds": args.seconds,
        "connections": args.connections,
        "requests": total,
        "requests_per_second": total / args.seconds,
        "statuses": dict(statuses),
        "rss_mib_first_window": first / 1024,
        "rss_mib_last_window": last / 1024,
        "rss_growth": growth,
        "healthy_after": healthy,
    }
    print(json.dumps(report, indent=2))
    ok = failures == 0 and growth < 0.10 and healthy
    print("PASS" if ok else "FAIL", "soak")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
