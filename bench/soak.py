"""`make soak`: a sustained mixed load on the real server, with leak and correctness checks.

Starts `symptom-graph serve` (one worker) on 127.0.0.1 pinned to core 0 and drives it with wrk
pinned to core 1: 64 connections for 60 s by default, cycling through every read endpoint
(nodes, a node, care pathways, edges, search, sources, meta, all three graph exports, paths,
health, metrics, a conditional GET answered 304) interleaved with POST /v1/diagnose over every
three-symptom combination of the loaded content (more distinct queries than the answer cache
holds, so it keeps evicting). Resident memory is sampled every second.

Fails (exit 1) on any status other than 200/304, any socket error or timeout, RSS growth of
10 % or more between the median of the first and of the last 10 s, /healthz not answering 200
afterwards, or any answer differing from the same request made before the load.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.run_bench import LOAD_CPU, RESULTS, SERVER_CPU, ensure_wrk, parse_wrk, pinned
from bench.servers import Server, free_port, project_command, running

# (method, path, headers, body)
Request = tuple[str, str, dict[str, str], str | None]

LUA = """
local requests = {}
local position = 0
local threads = {}
counts = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for _, r in ipairs(REQUESTS) do
    table.insert(requests, wrk.format(r[1], r[2], r[3], r[4]))
  end
end

function request()
  position = position % #requests + 1
  return requests[position]
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts")) do
      io.write(string.format("STATUS %d %d\\n", status, n))
    end
  end
end
"""


def read_requests(client: httpx.Client) -> list[Request]:
    """Every read endpoint, with ids taken from the loaded content."""

    def ids(kind: str) -> list[str]:
        page = client.get("/v1/nodes", params={"kind": kind, "limit": 200}).json()
        return [item["id"] for item in page["items"]]

    causes, symptoms = ids("cause"), ids("symptom")
    sources = client.get("/v1/sources").json()
    source_id = (sources["items"] if isinstance(sources, dict) else sources)[0]["id"]
    etag = client.get(f"/v1/nodes/{causes[0]}").headers["etag"]
    paths = [
        "/v1/nodes?kind=symptom&limit=20",
        "/v1/nodes?limit=50&offset=10",
        f"/v1/nodes/{causes[0]}",
        f"/v1/nodes/{symptoms[0]}",
        f"/v1/nodes/{causes[-1]}/care-pathway",
        "/v1/edges?predicate=causes&limit=50",
        f"/v1/edges?subject={causes[0]}",
        "/v1/search?q=twiching",
        "/v1/search?q=numb",
        "/v1/search?q=knee&kind=symptom",
        "/v1/sources",
        f"/v1/sources/{source_id}",
        "/v1/meta",
        "/v1/graph?format=json",
        "/v1/graph?format=graphml",
        "/v1/graph?format=jsonld",
        f"/v1/paths?source={causes[0]}&target={symptoms[0]}",
        "/healthz",
        "/readyz",
        "/metrics",
    ]
    requests: list[Request] = [("GET", path, {}, None) for path in paths]
    requests.append(("GET", f"/v1/nodes/{causes[0]}", {"If-None-Match": etag}, None))
    return requests


def diagnose_requests(client: httpx.Client) -> list[Request]:
    """Every three-symptom query, and every single symptom with each exposure."""
    page = client.get("/v1/nodes", params={"kind": "symptom", "limit": 200}).json()
    symptoms = [item["id"] for item in page["items"]]
    bodies: list[dict[str, Any]] = [
        {"present": list(combo)} for combo in itertools.combinations(symptoms, 3)
    ]
    bodies += [{"present": [symptom], "exposures": ["cause:diuretics"]} for symptom in symptoms[:8]]
    headers = {"Content-Type": "application/json"}
    return [("POST", "/v1/diagnose", headers, json.dumps(body)) for body in bodies]


def lua_script(requests: list[Request]) -> str:
    def string(value: str) -> str:
        if not value.isascii():
            raise ValueError(f"wrk's Lua strings here must be ASCII: {value!r}")
        return json.dumps(value)  # a double-quoted JSON string is a valid Lua string literal

    rows = []
    for method, path, headers, body in requests:
        header_table = ", ".join(f"[{string(k)}] = {string(v)}" for k, v in headers.items())
        body_value = "nil" if body is None else string(body)
        rows.append(f"  {{{string(method)}, {string(path)}, {{{header_table}}}, {body_value}}},")
    return "REQUESTS = {\n" + "\n".join(rows) + "\n}\n" + LUA


def fingerprints(client: httpx.Client, requests: list[Request]) -> dict[str, str]:
    """Status and body digest of each request, to compare before and after the load."""
    prints = {}
    for method, path, headers, body in requests:
        if path == "/metrics":
            continue  # its counters change by design
        response = client.request(method, path, headers=headers, content=body)
        digest = hashlib.sha256(response.content).hexdigest()[:16]
        prints[f"{method} {path} {headers} {body}"] = f"{response.status_code} {digest}"
    return prints


def soak(server: Server, wrk: str, requests: list[Request], args: argparse.Namespace) -> Any:
    samples: list[tuple[float, int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "soak.lua"
        script.write_text(lua_script(requests))
        command = [
            wrk, "-t1", f"-c{args.connections}", f"-d{args.seconds}s", "--timeout", "5s",
            "--latency", "-s", str(script), server.url,
        ]  # fmt: skip
        started = time.monotonic()
        with subprocess.Popen(pinned(command, LOAD_CPU), stdout=subprocess.PIPE, text=True) as wrk_:
            # Bounded: wrk stops itself after --seconds; the sampler gives up 30 s later.
            while wrk_.poll() is None and time.monotonic() - started < args.seconds + 30:
                samples.append((time.monotonic() - started, server.rss_kib()))
                time.sleep(1.0)
            if wrk_.poll() is None:
                wrk_.kill()
            out = wrk_.communicate()[0]
    return out, samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    wrk = ensure_wrk()
    port = free_port()
    with running(project_command(port), port, cpu=SERVER_CPU) as server:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            reads = read_requests(client)
            diagnoses = diagnose_requests(client)
            # Reads and diagnoses alternate; the reads cycle while every diagnose query is used.
            mixed = [r for pair in zip(itertools.cycle(reads), diagnoses) for r in pair]
            checked = reads + diagnoses[:: max(1, len(diagnoses) // 20)]
            before = fingerprints(client, checked)
        out, samples = soak(server, wrk, mixed, args)
        with httpx.Client(base_url=server.url, timeout=10) as client:
            healthy = client.get("/healthz").status_code == 200
            after = fingerprints(client, checked)

    run = parse_wrk(out)
    statuses = {m.group(1): int(m.group(2)) for m in re.finditer(r"STATUS (\d+) (\d+)", out)}
    window = min(10.0, args.seconds / 3)
    first = statistics.median(rss for t, rss in samples if t < window)
    last = statistics.median(rss for t, rss in samples if t >= samples[-1][0] - window)
    growth = (last - first) / first
    changed = sorted(key for key in before if before[key] != after.get(key))
    bad_statuses = {s: n for s, n in statuses.items() if s not in ("200", "304")}
    report = {
        "method": (
            f"wrk -t1 -c{args.connections} -d{args.seconds}s --timeout 5s, server on core "
            f"{SERVER_CPU}, wrk on core {LOAD_CPU}; {len(mixed)} distinct requests in rotation "
            f"({len(reads)} reads, {len(diagnoses)} diagnose queries); RSS sampled every second"
        ),
        "requests": sum(statuses.values()),
        "requests_per_second": run.requests_per_second,
        "p50_ms": run.p50_ms,
        "p99_ms": run.p99_ms,
        "statuses": statuses,
        "socket_errors": run.socket_errors,
        "rss_samples": len(samples),
        "rss_mib_first_window": first / 1024,
        "rss_mib_last_window": last / 1024,
        "rss_mib_max": max(rss for _, rss in samples) / 1024,
        "rss_growth": growth,
        "healthy_after": healthy,
        "answers_checked": len(before),
        "answers_changed": changed,
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "soak.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    checks = [
        ("only 200 and 304 answers", not bad_statuses and bool(statuses)),
        ("no socket errors or timeouts", run.socket_errors == 0),
        (f"RSS growth {growth:+.1%} < 10 % (first vs last {window:.0f} s)", growth < 0.10),
        ("/healthz 200 after the load", healthy),
        (f"{len(before)} answers identical before and after", not changed),
    ]
    for label, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    print(f"JSON: {path}")
    sys.exit(0 if all(ok for _, ok in checks) else 1)


if __name__ == "__main__":
    main()
