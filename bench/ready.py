"""Start to `/readyz` 200, alone: the HPO pack from its built form (`make build-hpo`), and the
knee pack, each the median of `--starts` starts pinned to one core, with resident memory once
ready and the machine's steal share over each target's starts. Timing is reported, never
asserted.

    python -m bench.ready --starts 3            # add --folders for the HPO pack folders too
    python -m bench.ready --before ../old       # and another checkout's code, start for start

With `--before DIR`, each start of this checkout alternates with one of DIR's code serving
DIR's own build/hpo.sgpack (built by that code), so machine noise falls on both alike and
the ratio is taken in one run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

from bench.run_bench import HPO_ARTIFACT, HPO_PACK, SERVER_CPU, cpu_times, steal_share
from bench.servers import REPO, free_port, project_command, running

# What each target serves, as the environment names it.
TARGETS: dict[str, dict[str, str]] = {
    "knee": {},
    "hpo built pack": {"SYMPTOM_GRAPH_ARTIFACT": str(HPO_ARTIFACT)},
    "hpo pack folders": {"SYMPTOM_GRAPH_PACKS": json.dumps([str(HPO_PACK)])},
}


def time_starts(env: dict[str, str], starts: int, checkouts: list[Path]) -> dict[str, Any]:
    """`starts` starts of each checkout's server with `env` (in turn, a start each): each
    time to ready, the medians, the RSS once ready (MiB) and the steal share over them."""
    seconds: dict[Path, list[float]] = {checkout: [] for checkout in checkouts}
    rss: dict[Path, list[float]] = {checkout: [] for checkout in checkouts}
    before = cpu_times()
    for _ in range(starts):
        for checkout in checkouts:
            port = free_port()
            own = {name: value.replace(str(REPO), str(checkout)) for name, value in env.items()}
            with running(
                project_command(port), port, cpu=SERVER_CPU, timeout=300, env=own, cwd=checkout
            ) as server:
                seconds[checkout].append(server.startup_seconds)
                rss[checkout].append(server.rss_kib() / 1024)
    return {
        str(checkout): {
            "ready_s": statistics.median(seconds[checkout]),
            "ready_s_each": seconds[checkout],
            "rss_mib_ready": statistics.median(rss[checkout]),
        }
        for checkout in checkouts
    } | {"steal": steal_share(before, cpu_times())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--folders", action="store_true", help="the HPO pack folders too")
    parser.add_argument("--before", type=Path, help="another checkout, started in turn")
    args = parser.parse_args()
    checkouts = [REPO] if args.before is None else [args.before.resolve(), REPO]
    for checkout in checkouts:
        if not (checkout / "build" / "hpo.sgpack").is_file():
            sys.exit(f"{checkout}/build/hpo.sgpack is missing: make build-hpo there")
    report: dict[str, Any] = {}
    for name, env in TARGETS.items():
        if name == "hpo pack folders" and not args.folders:
            continue
        report[name] = row = time_starts(env, args.starts, checkouts)
        for checkout in checkouts:
            found = row[str(checkout)]
            each = ", ".join(f"{s:.2f}" for s in found["ready_s_each"])
            print(
                f"{name:17} {checkout.name:14} ready {found['ready_s']:5.2f} s (median of "
                f"{each}), RSS {found['rss_mib_ready']:.0f} MiB",
                file=sys.stderr,
            )
        if args.before is not None:
            ratio = row[str(REPO)]["ready_s"] / row[str(checkouts[0])]["ready_s"]
            row["ratio"] = ratio
            print(f"{name:17} this / before {ratio:.2f}x", file=sys.stderr)
        print(f"{name:17} steal {row['steal']:.1%}", file=sys.stderr)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
