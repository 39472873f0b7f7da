"""Time of the free-text parser on 20,000-character notes, in process.

`.venv/bin/python -m bench.long_note_bench [--pack PATH ...]` prints, for each pack (the knee
pack, the HPO sample, and build/hpo when it exists), the median and worst of 15 runs on:

- made-up words: a fresh note each run (random lower-case words of 3-11 letters), so that no
  cache has seen them, the costly case (every word unknown, a typo candidate);
- a real note: the longest JAX case report in ../shared/data/hpo-text, cut to 20,000 characters
  (skipped without the data).

Reported in the README, never asserted in a test (the machine is shared and noisy).
"""

from __future__ import annotations

import argparse
import random
import statistics
import string
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from graph.knowledge import KnowledgeGraph
from graph.text.parse import MAX_TEXT, Parser

ROOT = Path(__file__).resolve().parent.parent
PACKS = [ROOT / "seeds" / "knee", ROOT / "seeds" / "hpo-sample", ROOT / "build" / "hpo"]
JAX = ROOT.parent / "shared" / "data" / "hpo-text" / "jax"
RUNS = 15


def made_up(rng: random.Random, size: int = MAX_TEXT) -> str:
    words: list[str] = []
    length = 0
    while length < size:
        word = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 11)))
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:size]


def real_note() -> str | None:
    if not JAX.is_dir():
        return None
    texts = [p.read_text(encoding="utf-8") for p in sorted(JAX.rglob("*.txt"))]
    return max(texts, key=len)[:MAX_TEXT] if texts else None


def timed(parser: Parser, pack: str, texts: Callable[[], str]) -> tuple[float, float]:
    """Median and worst milliseconds of RUNS parses, each of a text `texts` gives."""
    samples = []
    for _ in range(RUNS):
        text = texts()
        started = time.perf_counter()
        parser.parse(text, pack)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1e3, max(samples) * 1e3


def main(argv: Sequence[str] | None = None) -> None:
    cli = argparse.ArgumentParser(description=__doc__)
    cli.add_argument("--pack", type=Path, action="append", help="pack folders (default: all)")
    args = cli.parse_args(argv)
    note = real_note()
    rng = random.Random(7)  # one stream for every pack: no pack reads words another has seen
    for path in args.pack or [p for p in PACKS if p.is_dir()]:
        parser = Parser(KnowledgeGraph.from_packs([path]))
        pack = next(iter(parser.packs))
        parser.parse("warm up the dictionaries", pack)
        median, worst = timed(parser, pack, partial(made_up, rng))
        print(f"{pack}: {MAX_TEXT:,} characters of made-up words: median {median:.1f} ms, "
              f"worst {worst:.1f} ms")  # fmt: skip
        if note is not None:
            median, worst = timed(parser, pack, partial(str, note))
            print(f"{pack}: a {len(note):,}-character JAX case report: median {median:.1f} ms, "
                  f"worst {worst:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
