"""Median time of the free-text parser on a 200-character message (knee pack), in process.

`.venv/bin/python -m bench.parse_bench` prints the median and p99 over repeated runs; reported
in the README, never asserted in a test (the machine is shared and noisy).
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from graph.knowledge import KnowledgeGraph
from graph.text.parse import Parser

MESSAGE = (
    "My knee keeps twiching after a long run, no swelling or redness but some stiffness in "
    "the morning. I haven't been drinking much and I take water pills. Not painful, but the "
    "muscle spasms are annoying."
)


def main() -> None:
    root = Path(__file__).resolve().parent.parent
    parser = Parser(KnowledgeGraph.from_packs([root / "seeds" / "knee"]))
    text = MESSAGE[:200].ljust(200)
    for _ in range(200):
        parser.parse(text, "knee")
    runs = []
    for _ in range(7):
        samples = []
        for _ in range(2000):
            started = time.perf_counter()
            parser.parse(text, "knee")
            samples.append(time.perf_counter() - started)
        samples.sort()
        runs.append((statistics.median(samples), samples[int(len(samples) * 0.99)]))
    medians = sorted(r[0] for r in runs)
    p99s = sorted(r[1] for r in runs)
    mentions = len(parser.parse(text, "knee")[1])
    print(f"parse, {len(text)} chars, {mentions} mentions, 7 x 2000 runs")
    print(
        f"  median {medians[3] * 1e3:.3f} ms (runs {medians[0] * 1e3:.3f}-{medians[-1] * 1e3:.3f})"
    )
    print(f"  p99    {p99s[3] * 1e3:.3f} ms")


if __name__ == "__main__":
    main()
