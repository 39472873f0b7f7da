"""Issue 23's workers row: the HPO pack served by one worker and by two, ready time and memory.

With `serve --workers 2` the supervisor loads the pack once and forks both workers from it
(app/supervisor.py), so the second worker should cost little time and little memory. Memory is
PSS summed over the process tree (a page shared by the forked workers counts once, split
between them), read when `/readyz` first answers and again after the server has answered the
diagnose `queries` (answering touches pages, which copy-on-write then copies), and once more
when the work after ready is over (`SETTLE_SECONDS` later). Starts
alternate 1, 2, 1, 2 ... so machine noise hits both alike; medians are reported with the steal
share of each start.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from bench.servers import free_port, project_command, running

__all__ = ["workers_row"]

SETTLE_SECONDS = 4.0


def _one_start(
    pack: Path, workers: int, queries: Sequence[dict[str, list[str]]], artifact: Path | None
) -> dict[str, float]:
    from bench.run_bench import cpu_times, steal_share

    env = (
        {"SYMPTOM_GRAPH_ARTIFACT": str(artifact)}
        if artifact is not None
        else {"SYMPTOM_GRAPH_PACKS": json.dumps([str(pack)])}
    )
    port = free_port()
    before = cpu_times()
    with running(project_command(port, workers), port, timeout=300, env=env) as server:
        start = {"ready_s": server.startup_seconds, "pss_mib_ready": server.pss_kib() / 1024}
        with httpx.Client(base_url=server.url, timeout=30) as client:
            for body in queries:
                client.post("/v1/diagnose", json=body).raise_for_status()
        start["pss_mib_after_queries"] = server.pss_kib() / 1024
        # Once the work after ready is surely over (one worker's warm-up thread, the
        # supervisor's warm-up and the swap of its cold workers for warm ones: 1-2 s).
        time.sleep(SETTLE_SECONDS)
        start["pss_mib_settled"] = server.pss_kib() / 1024
    start["steal"] = steal_share(before, cpu_times())
    return start


def workers_row(
    pack: Path,
    queries: Sequence[dict[str, list[str]]],
    starts: int = 2,
    artifact: Path | None = None,
) -> dict[str, Any]:
    """Ready time and PSS for 1 and 2 workers (medians of `starts` each) and their ratios,
    served from `artifact` (the built pack, as replicas are shipped) when given, else from
    the pack folder. From the built pack the supervisor's warm-up before the fork reads the
    stored indexes instead of building them (one worker does that after `/readyz`)."""
    runs: dict[int, list[dict[str, float]]] = {1: [], 2: []}
    for _ in range(starts):
        for workers in (1, 2):
            runs[workers].append(_one_start(pack, workers, queries, artifact))
    medians = {
        workers: {key: statistics.median(run[key] for run in rs) for key in rs[0]}
        for workers, rs in runs.items()
    }
    return {
        "one_worker": medians[1],
        "two_workers": medians[2],
        "ready_ratio": medians[2]["ready_s"] / medians[1]["ready_s"],
        "pss_ratio": medians[2]["pss_mib_ready"] / medians[1]["pss_mib_ready"],
        "pss_ratio_after_queries": (
            medians[2]["pss_mib_after_queries"] / medians[1]["pss_mib_after_queries"]
        ),
        "pss_ratio_settled": medians[2]["pss_mib_settled"] / medians[1]["pss_mib_settled"],
        "source": "built pack" if artifact is not None else "pack folder",
        "starts": {str(workers): rs for workers, rs in runs.items()},
    }
