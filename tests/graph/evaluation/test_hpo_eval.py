"""Simulated HPO patients: seeded, drawn by the standard recipe, and scorable by the engine."""

from __future__ import annotations

import warnings

import pytest

from bench.eval_hpo import HpoSource, report, run_engine, without_references
from graph.evaluation.hpo_cases import Ranks, _Phenotypes, simulate
from graph.knowledge import KnowledgeGraph
from graph.packs import hpo
from tests.paths import REPO


@pytest.fixture(scope="module")
def graph() -> KnowledgeGraph:
    return KnowledgeGraph.from_packs([REPO / "seeds" / "hpo-sample"])


def test_cases_follow_the_recipe(graph: KnowledgeGraph) -> None:
    cases = simulate(graph, 30, seed=3)
    assert cases == simulate(graph, 30, seed=3)
    assert cases != simulate(graph, 30, seed=4)
    assert len({c.disease for c in cases}) == 30
    phenotypes = _Phenotypes(graph)
    for case in cases:
        annotated = {t for t, _ in phenotypes.shown[case.disease]}
        assert len(annotated) >= 5
        assert len(case.present) <= 10  # 3-8 drawn (a parent may merge two), 1-2 noise
        assert 1 <= len(case.absent) <= 3
        above = set().union(*(phenotypes.ancestors(t) for t in annotated))
        # Every present term is an annotation, its parent, or unrelated noise.
        related = [t for t in case.present if t in above]
        assert 1 <= len(case.present) - len(related) <= 2
        assert len(related) >= 2
        for term in case.absent:
            assert term not in above
            assert not phenotypes.ancestors(term) & annotated


def test_ranks_count_the_top_ten() -> None:
    assert Ranks.rank_of("b", ["a", "b"]) == 2
    assert Ranks.rank_of("z", [str(i) for i in range(20)]) is None
    ranks = Ranks([1, 3, None, 10], [0.001] * 4)
    assert (ranks.top(1), ranks.top(3), ranks.top(10)) == (0.25, 0.5, 0.75)


def test_the_engine_ranks_simulated_patients(graph: KnowledgeGraph) -> None:
    cases = simulate(graph, 10, seed=7)
    with warnings.catch_warnings():  # the engine on HPO's exact 1/1 fractions (lead's issue)
        warnings.filterwarnings("ignore", "divide by zero encountered", RuntimeWarning)
        ranks = run_engine(graph, cases, with_absent=True)
    assert len(ranks.ranks) == len(ranks.seconds) == 10
    assert ranks.top(10) > 0.5
    table = report([("engine", ranks)])
    assert "top-1" in table
    assert "engine" in table.splitlines()[1]


def test_a_folds_annotations_are_those_the_importer_keeps() -> None:
    """The leak-free folds filter annotations read once as the importer's
    `--exclude-references` filters the file (bench/eval_hpo.py `without_references`)."""
    folder = REPO / "tests" / "fixtures" / "hpo"
    files = hpo.HpoFiles(folder / "hp.obo", folder / "phenotype.hpoa")
    source = HpoSource.read(files)
    excluded = frozenset({"PMID:1", "PMID:9"})
    filtered = without_references(source.annotations, excluded)
    expected = hpo.read_annotations(files.annotations, exclude_references=excluded)
    assert filtered.rows == expected.rows
    assert filtered.traits == expected.traits
    assert len(filtered.rows) < len(source.annotations.rows)
    assert not any(r in excluded for row in filtered.rows for r in row.references)
