"""Diagnose before and after a change, in one run: this checkout's server, another checkout's
(`--before DIR`) and the reference app, all pinned to core 0, wrk on core 1, in rounds that
alternate their order (before, after, reference; then the reverse). Each round prints req/s,
p99, the server's CPU time a request and the steal share; the summary gives the medians and,
for each of the two servers, the median over rounds of its ratio to the reference's same-round
figure, by req/s, by CPU a request, and by p99. The CPU a request moves least with what else
the machine runs, so it is the figure to compare on a shared machine.

    .venv/bin/python -m bench.diagnose_ab --before /tmp/main-checkout --pack knee --rounds 5
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

from bench import run_bench
from bench.servers import REPO, Server, free_port, project_command, reference_command, running

__all__ = ["main"]


@contextmanager
def _servers(before: Path, env: dict[str, str] | None) -> Iterator[dict[str, Server]]:
    with ExitStack() as stack:
        servers = {}
        for name, checkout in (("before", before), ("after", REPO)):
            port = free_port()
            servers[name] = stack.enter_context(
                running(project_command(port), port, cpu=0, cwd=checkout, env=env, timeout=300)
            )
        port = free_port()
        servers["reference"] = stack.enter_context(
            running(reference_command(port), port, "/docs", cpu=0)
        )
        yield servers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", type=Path, required=True, help="the checkout to compare")
    parser.add_argument("--pack", choices=("knee", "hpo"), default="knee")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    env = None
    if args.pack == "hpo":
        run_bench.DISTINCT_BODIES[:] = run_bench.hpo_queries(
            run_bench.HPO_PACK, run_bench.ALL_CASES
        )
        env = {"SYMPTOM_GRAPH_PACKS": json.dumps([str(run_bench.HPO_PACK)])}
        if run_bench.HPO_ARTIFACT.is_file():
            env["SYMPTOM_GRAPH_ARTIFACT"] = str(run_bench.HPO_ARTIFACT)
    else:
        run_bench.DISTINCT_BODIES[:] = run_bench.knee_queries()
    binary = run_bench.ensure_wrk()
    runs: dict[str, list[run_bench.Run]] = {"before": [], "after": [], "reference": []}
    with _servers(args.before, env) as servers:
        # Each query once first, as a server up for a while has seen them (per-cause parts).
        for name in ("before", "after"):
            with httpx.Client(base_url=servers[name].url, timeout=30) as client:
                for body in run_bench.DISTINCT_BODIES:
                    client.post("/v1/diagnose", json=body).raise_for_status()
        order = list(runs)
        for round_number in range(args.rounds):
            for name in order if round_number % 2 == 0 else order[::-1]:
                server = servers[name]
                path = "/diagnose" if name == "reference" else "/v1/diagnose"
                run = run_bench.wrk(
                    binary,
                    server.url + path,
                    "POST",
                    args.seconds,
                    args.connections,
                    distinct=name != "reference",
                    server_pid=server.process.pid,
                )
                runs[name].append(run)
                run_bench.print_round(f"round {round_number + 1}/{args.rounds} {name:9}", run)
    for name, rounds in runs.items():
        print(
            f"{name}: medians {statistics.median(r.requests_per_second for r in rounds):.0f}"
            f" req/s, {statistics.median(r.server_cpu_us for r in rounds):.0f} us of CPU a"
            f" request, p99 {statistics.median(r.p99_ms for r in rounds):.1f} ms"
        )
    for name in ("before", "after"):
        pairs = list(zip(runs[name], runs["reference"], strict=True))
        by_rate = statistics.median(d.requests_per_second / r.requests_per_second for d, r in pairs)
        by_cpu = statistics.median(r.server_cpu_us / d.server_cpu_us for d, r in pairs)
        p99 = statistics.median(d.p99_ms / r.p99_ms for d, r in pairs)
        print(
            f"{name} against the reference: {by_rate:.2f}x by req/s, {by_cpu:.2f}x by CPU a"
            f" request, p99 {p99:.2f}x"
        )


if __name__ == "__main__":
    main()
