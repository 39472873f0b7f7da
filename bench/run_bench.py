"""`make bench`: the project's hot endpoints against the framework floor, on one machine, in one run.

Starts the real server (one uvicorn worker, access log off) and bench/reference_app.py on
127.0.0.1, pins each server to core 0 and wrk to core 1, and alternates the targets round by
round so machine noise hits both alike. Reports medians over the rounds; timing is reported,
never asserted (exit code 0 unless a tool is missing or a server fails).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import timeit
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.servers import REPO, free_port, project_command, reference_command, running

DIAGNOSE_BODY = {
    "present": ["symptom:visible-twitching", "symptom:numbness", "symptom:weakness"],
}
RESULTS = REPO / "bench" / "results"
TARGETS = {
    "diagnose": ("project", "POST", "/v1/diagnose"),
    # The same request on a server whose answer cache is off: every call runs the engine.
    "diagnose-uncached": ("uncached", "POST", "/v1/diagnose"),
    "reference": ("reference", "POST", "/diagnose"),
    "search": ("project", "GET", "/v1/search?q=twiching"),
    "node": ("project", "GET", "/v1/nodes/cause:dehydration"),
}


@dataclass
class Run:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: installing Debian's package", file=sys.stderr)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return shutil.which("wrk") or sys.exit("wrk could not be installed")


def wrk(binary: str, url: str, method: str, seconds: int, connections: int) -> Run:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        if method == "POST":
            script.write(
                'wrk.method = "POST"\n'
                f"wrk.body = {json.dumps(json.dumps(DIAGNOSE_BODY))}\n"
                'wrk.headers["Content-Type"] = "application/json"\n'
            )
    command = [
        binary,
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        script.name,
        url,
    ]
    if shutil.which("taskset"):
        command = ["taskset", "-c", "1", *command]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    Path(script.name).unlink()
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return Run(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        p50_ms=_latency(out, "50%"),
        p99_ms=_latency(out, "99%"),
        errors=(int(errors.group(1)) if errors else 0) + (1 if socket_errors else 0),
    )


def _latency(out: str, percentile: str) -> float:
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def engine_microseconds() -> float:
    """Median time of one in-process diagnose call on the knee pack (no HTTP)."""
    from graph.knowledge import KnowledgeGraph
    from graph.loader import DEFAULT_PACKS_DIR
    from graph.reasoning import DiagnoseQuery, Diagnoser

    diagnoser = Diagnoser(KnowledgeGraph.from_packs([DEFAULT_PACKS_DIR / "knee"]))
    query = DiagnoseQuery.of(DIAGNOSE_BODY["present"])
    number = 2000
    runs = timeit.repeat(lambda: diagnoser.diagnose(query), number=number, repeat=7)
    return statistics.median(runs) / number * 1e6


def startup_seconds(starts: int) -> float:
    times = []
    for _ in range(starts):
        port = free_port()
        with running(project_command(port), port, cpu=0) as server:
            times.append(server.startup_seconds)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--starts", type=int, default=5)
    args = parser.parse_args()
    binary = ensure_wrk()

    runs: dict[str, list[Run]] = {name: [] for name in TARGETS}
    project_port, uncached_port, reference_port = free_port(), free_port(), free_port()
    no_cache = {"SYMPTOM_GRAPH_DIAGNOSE_CACHE_SIZE": "0"}
    with (
        running(project_command(project_port), project_port, cpu=0) as project,
        running(project_command(uncached_port), uncached_port, cpu=0, env=no_cache) as uncached,
        running(reference_command(reference_port), reference_port, "/docs", cpu=0) as reference,
    ):
        servers = {"project": project, "uncached": uncached, "reference": reference}
        rss_before = project.rss_kib()
        for round_number in range(args.rounds):
            for name, (which, method, path) in TARGETS.items():
                run = wrk(binary, servers[which].url + path, method, args.seconds, args.connections)
                runs[name].append(run)
                print(
                    f"round {round_number + 1} {name:9} {run.requests_per_second:8.0f} req/s",
                    file=sys.stderr,
                )
        rss_after = project.rss_kib()

    summary = {
        name: {
            "requests_per_second": statistics.median(r.requests_per_second for r in rs),
            "p50_ms": statistics.median(r.p50_ms for r in rs),
            "p99_ms": statistics.median(r.p99_ms for r in rs),
            "errors": sum(r.errors for r in rs),
        }
        for name, rs in runs.items()
    }
    reference_rps = summary["reference"]["requests_per_second"]
    for name in ("diagnose", "diagnose-uncached", "search", "node"):
        summary[name]["ratio_to_reference"] = summary[name]["requests_per_second"] / reference_rps
    report = {
        "machine": {
            "cpus": len(__import__("os").sched_getaffinity(0)),
            "python": sys.version.split()[0],
        },
        "method": f"wrk -t1 -c{args.connections} -d{args.seconds}s, {args.rounds} alternating rounds, median",
        "endpoints": summary,
        "startup_seconds": startup_seconds(args.starts),
        "rss_mib_before_load": rss_before / 1024,
        "rss_mib_after_load": rss_after / 1024,
        "engine_us_per_diagnose": engine_microseconds(),
        "rounds": {name: [asdict(r) for r in rs] for name, rs in runs.items()},
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "latest.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print_table(report)
    print(f"\nJSON: {path}")


def print_table(report: dict[str, object]) -> None:
    endpoints: dict[str, dict[str, float]] = report["endpoints"]  # type: ignore[assignment]
    print("\n| endpoint | req/s | p50 ms | p99 ms | errors | x reference |")
    print("|---|---|---|---|---|---|")
    for name, row in endpoints.items():
        ratio = row.get("ratio_to_reference")
        shown = f"{ratio:.2f}" if ratio is not None else "1.00"
        print(
            f"| {name} | {row['requests_per_second']:.0f} | {row['p50_ms']:.2f} | "
            f"{row['p99_ms']:.2f} | {row['errors']:.0f} | {shown} |"
        )
    diagnose = endpoints["diagnose"]
    checks = [
        ("diagnose >= 0.9x reference throughput", diagnose["ratio_to_reference"] >= 0.9),
        ("diagnose p99 <= 20 ms", diagnose["p99_ms"] <= 20),
        ("startup <= 1.5 s", report["startup_seconds"] <= 1.5),  # type: ignore[operator]
        ("RSS <= 150 MiB", report["rss_mib_after_load"] <= 150),  # type: ignore[operator]
    ]
    print(f"\nstartup {report['startup_seconds']:.3f} s (median)")
    print(
        f"RSS {report['rss_mib_before_load']:.1f} MiB before load, {report['rss_mib_after_load']:.1f} MiB after"
    )
    print(f"engine {report['engine_us_per_diagnose']:.1f} us per diagnose call (median)")
    for label, ok in checks:
        print(f"{'PASS' if ok else 'MISS'}  {label}")


if __name__ == "__main__":
    main()
