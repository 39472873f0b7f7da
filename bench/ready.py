"""Start to `/readyz` 200, alone: the HPO pack from its built form (`make build-hpo`), and the
knee pack, each the median of `--starts` starts pinned to one core, with resident memory once
ready and the machine's steal share over each target's starts. Timing is reported, never
asserted.

    python -m bench.ready --starts 3            # add --folders for the HPO pack folders too
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from typing import Any

from bench.run_bench import HPO_ARTIFACT, HPO_PACK, SERVER_CPU, cpu_times, steal_share
from bench.servers import free_port, project_command, running

# What each target serves, as the environment names it.
TARGETS: dict[str, dict[str, str]] = {
    "knee": {},
    "hpo built pack": {"SYMPTOM_GRAPH_ARTIFACT": str(HPO_ARTIFACT)},
    "hpo pack folders": {"SYMPTOM_GRAPH_PACKS": json.dumps([str(HPO_PACK)])},
}


def time_starts(env: dict[str, str], starts: int) -> dict[str, Any]:
    """`starts` starts of the server with `env`: each time to ready, the median, the RSS
    once ready (MiB) and the steal share over them."""
    seconds: list[float] = []
    rss: list[float] = []
    before = cpu_times()
    for _ in range(starts):
        port = free_port()
        with running(project_command(port), port, cpu=SERVER_CPU, timeout=300, env=env) as server:
            seconds.append(server.startup_seconds)
            rss.append(server.rss_kib() / 1024)
    return {
        "ready_s": statistics.median(seconds),
        "ready_s_each": seconds,
        "rss_mib_ready": statistics.median(rss),
        "steal": steal_share(before, cpu_times()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--folders", action="store_true", help="the HPO pack folders too")
    args = parser.parse_args()
    if not HPO_ARTIFACT.is_file():
        sys.exit(f"{HPO_ARTIFACT} is missing: make build-hpo")
    report: dict[str, Any] = {}
    for name, env in TARGETS.items():
        if name == "hpo pack folders" and not args.folders:
            continue
        report[name] = row = time_starts(env, args.starts)
        each = ", ".join(f"{s:.2f}" for s in row["ready_s_each"])
        print(
            f"{name:17} ready {row['ready_s']:5.2f} s (median of {each}), "
            f"RSS {row['rss_mib_ready']:.0f} MiB, steal {row['steal']:.1%}",
            file=sys.stderr,
        )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
