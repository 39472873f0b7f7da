"""What one `serve` replica needs, for deploy/kubernetes' requests, limits and probes.

For the knee pack and, when built (`make hpo`), the HPO pack: seconds and CPU seconds from
start to /readyz, resident memory when ready, then after distinct diagnose queries (the
per-cause answer parts are made on first use), and its peak; CPU seconds per diagnose under
one client; the hypervisor's steal share over each run. One worker, unpinned.

    .venv/bin/python -m bench.replica_budget [--queries 600]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence

import httpx

from bench.run_bench import HPO_PACK, cpu_times, hpo_queries, knee_queries, steal_share
from bench.servers import cpu_seconds, free_port, project_command, running


def measure(
    name: str, queries: Sequence[dict[str, list[str]]], env: dict[str, str]
) -> dict[str, object]:
    port = free_port()
    before = cpu_times()
    with running(project_command(port), port, timeout=300, env=env) as server:
        ready_cpu = cpu_seconds(server.process.pid)
        rss_ready = server.rss_kib() / 1024
        with httpx.Client(base_url=server.url, timeout=30) as client:
            started, cpu_started = time.perf_counter(), cpu_seconds(server.process.pid)
            for body in queries:
                client.post("/v1/diagnose", json=body).raise_for_status()
            elapsed = time.perf_counter() - started
            cpu_used = cpu_seconds(server.process.pid) - cpu_started
        row = {
            "pack": name,
            "ready_seconds": round(server.startup_seconds, 2),
            "ready_cpu_seconds": round(ready_cpu, 2),
            "rss_mib_ready": round(rss_ready),
            "rss_mib_after_queries": round(server.rss_kib() / 1024),
            "peak_rss_mib": round(server.peak_rss_kib() / 1024),
            "queries": len(queries),
            "cpu_ms_per_diagnose": round(1000 * cpu_used / len(queries), 2),
            "server_cpu_share_one_client": round(cpu_used / elapsed, 2),
            "steal": round(steal_share(before, cpu_times()), 3),
        }
    print(json.dumps(row), file=sys.stderr)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=600)
    args = parser.parse_args()
    knee = knee_queries()
    rows = [measure("knee", (knee * (args.queries // len(knee) + 1))[: args.queries], {})]
    if (HPO_PACK / "edges.tsv").exists():
        hpo_env = {"SYMPTOM_GRAPH_PACKS": json.dumps([str(HPO_PACK)])}
        rows.append(measure("hpo", hpo_queries(HPO_PACK, args.queries), hpo_env))
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
