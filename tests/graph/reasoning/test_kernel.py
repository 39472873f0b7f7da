"""The compiled loops of large packs (graph/reasoning/kernel.py) against plain references."""

from __future__ import annotations

import dataclasses
import itertools
from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from graph.knowledge import KnowledgeGraph
from graph.packs.loader import DEFAULT_PACKS_DIR
from graph.reasoning import DiagnoseQuery, Diagnoser, Diagnosis, ModelParameters, kernel
from graph.reasoning import model as model_module
from graph.reasoning.model import log_total
from graph.reasoning.ranking import competition_ranks, tied_with
from graph.reasoning.table import binary_entropy, column_maxima, divergence
from graph.schema.vocabulary import NodeKind
from tests.paths import REPO

SAMPLE = REPO / "seeds" / "hpo-sample"


@cache
def sample() -> KnowledgeGraph:
    return KnowledgeGraph.from_packs([SAMPLE])


def _queries(graph: KnowledgeGraph) -> list[DiagnoseQuery]:
    symptoms = sorted(n.id for n in graph.nodes(NodeKind.SYMPTOM))
    rng = np.random.default_rng(3)
    queries = []
    for size in (1, 2, 4, 8):
        for _ in range(15):
            picked = [str(s) for s in rng.choice(symptoms, size + 1, replace=False)]
            queries.append(DiagnoseQuery.of(picked[:size], picked[size:], limit=10))
    return queries


def test_the_compiled_kernels_answer_as_their_python_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compiled = Diagnoser(sample(), ModelParameters(dense_cells=0))
    plain = Diagnoser(sample(), ModelParameters(dense_cells=0))
    # The Python sources call each other through the module's names (compiled ones call
    # the compiled ones they were built with).
    for name in ("scores_and_leaders", "best_question", "numpy_sum"):
        monkeypatch.setattr(kernel, name, getattr(kernel, f"{name}_py"))
    for model in plain.models.values():
        model._head_kernel = kernel.answer_head_py
        model._next_kernel = kernel.next_question_py
    for query in _queries(sample()):
        assert _rounded(compiled.diagnose(query)) == _rounded(plain.diagnose(query))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.floats(0.0, 1.0) | st.floats(1e-300, 1e300), min_size=1, max_size=128),
)
def test_the_leaders_weights_sum_as_numpy_sums_them(values: list[float]) -> None:
    """The compiled question loop normalises the leaders' weights by their sum taken as
    numpy takes it (pairwise), so the shares are the bits the numpy reference gives."""
    weights = np.array(values)
    assert kernel.numpy_sum(weights) == weights.sum()
    assert kernel.numpy_sum_py(weights) == weights.sum()


def _rounded(diagnosis: Diagnosis) -> Diagnosis:
    """The answer with its probabilities to 12 decimals: the compiled normaliser's exp is
    libm's, the Python source's numpy's, and the two may differ in the last bit."""
    return dataclasses.replace(
        diagnosis,
        candidates=tuple(
            dataclasses.replace(c, probability=round(c.probability, 12))
            for c in diagnosis.candidates
        ),
        other_probability=round(diagnosis.other_probability, 12),
        unlisted_probability=round(diagnosis.unlisted_probability, 12),
    )


def test_compiled_scores_are_the_log_weights_bit_for_bit() -> None:
    diagnoser = Diagnoser(sample(), ModelParameters(dense_cells=0))
    (model,) = diagnoser.models.values()
    for query in _queries(sample()):
        present = sorted(model.finding_index[("symptom", s)] for s in query.present)
        absent = sorted(model.finding_index[("symptom", s)] for s in query.absent)
        at = np.array(present, dtype=np.int64), np.array(absent, dtype=np.int64)
        scores, _, normaliser, *_ = model.answer_head(at[0], *at, 5, 1.0, 5, 5, 5)
        assert np.array_equal(scores, model.log_weights(present, absent))
        everything = np.append(scores, model.log_other)
        assert normaliser == pytest.approx(np.logaddexp.reduce(everything), rel=1e-13, abs=1e-13)


@pytest.mark.parametrize("numpy_exps_from", [0, model_module.NUMPY_EXPS_FROM])
def test_large_pack_loops_rank_and_question_as_the_dense_tables(
    numpy_exps_from: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both ways of taking the normaliser's exps (the sample touches fewer than 64 causes, so
    numpy takes them only when told to from 0 on)."""
    monkeypatch.setattr(model_module, "NUMPY_EXPS_FROM", numpy_exps_from)
    dense = Diagnoser(sample(), ModelParameters(dense_cells=10**9))
    sparse = Diagnoser(sample())
    assert all(m.dense for m in dense.models.values())
    assert not any(m.dense for m in sparse.models.values())
    asked = 0
    for query in _queries(sample()):
        a, b = dense.diagnose(query), sparse.diagnose(query)
        assert [
            (c.cause, c.rank, c.tied_with, c.matched, c.contradicted) for c in a.candidates
        ] == [(c.cause, c.rank, c.tied_with, c.matched, c.contradicted) for c in b.candidates]
        assert a.next_question == b.next_question
        # The leaders' probabilities, the same bits (the same exps of the same exponents).
        assert [c.probability for c in a.candidates] == [c.probability for c in b.candidates]
        asked += a.next_question is not None
    assert asked > 30  # the question path is exercised, not only `should_stop`


def _changes_by_sorting(
    scores: np.ndarray, tiebreak: np.ndarray, depth: int, rows: np.ndarray, ratios: np.ndarray
) -> bool:
    """The reference: rank every cause before and after the answer, compare the heads."""

    def head(values: np.ndarray) -> tuple[list[int], list[bool]]:
        rounded = np.round(values, 9)
        order = np.lexsort((tiebreak, -rounded))[:depth]
        return order.tolist(), [bool(x) for x in rounded[order][1:] == rounded[order][:-1]]

    updated = scores.copy()
    updated[rows] += ratios
    return head(scores) != head(updated)


def _answer_case(
    seed: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Scores, tiebreaks, the ranked head, its competition ranks, and an answer's rows and
    ratios: few distinct values, so ties are common, and ratios that move causes across the
    head (sometimes every ranked cause: the full-scan branch)."""
    rng = np.random.default_rng(seed)
    size = int(rng.integers(5, 60))
    scores = rng.integers(-4, 4, size) / 2.0
    tiebreak = rng.permutation(size).astype(np.int64)
    order = np.lexsort((tiebreak, -np.round(scores, 9)))
    ranked = order[: int(rng.integers(3, size + 1))].astype(np.int64)
    rounded = np.round(scores[ranked[:3]], 9)
    leading_ranks = [1]
    for position in range(1, 3):
        tied = rounded[position] == rounded[position - 1]
        leading_ranks.append(leading_ranks[-1] if tied else position + 1)
    moved = ranked if seed % 4 == 0 else rng.choice(size, int(rng.integers(1, size)), replace=False)
    rows = np.sort(moved).astype(np.int64)
    ratios = rng.integers(-3, 4, len(rows)) / 2.0
    return scores, tiebreak, ranked, np.array(leading_ranks, dtype=np.int64), rows, ratios


@pytest.mark.parametrize("power", [1.0, 0.375])
@pytest.mark.parametrize("seed", range(40))
def test_an_answer_changes_the_leaders_exactly_when_a_full_sort_says_so(
    seed: int, power: float
) -> None:
    scores, tiebreak, ranked, leading, rows, ratios = _answer_case(seed)
    expected = _changes_by_sorting(scores, tiebreak, 3, rows, power * ratios)
    # With the largest ratio, the quick check may decide; with no bound, it never can.
    for most in (float(ratios.max()), np.inf):
        changed = kernel._leaders_change(
            scores, tiebreak, ranked, leading, rows, ratios, power, most
        )
        assert changed is expected


def test_the_quick_check_decides_where_no_other_cause_can_join_the_leaders() -> None:
    """Distinct scores a unit apart, and answers that move the three leaders by at most half
    a unit (so they may swap or tie, but no other cause can reach them): the quick check
    decides most of these, as a full sort does."""
    decided = 0
    for seed in range(40):
        rng = np.random.default_rng(seed)
        size = int(rng.integers(5, 40))
        scores = rng.permutation(size).astype(np.float64)
        tiebreak = rng.permutation(size).astype(np.int64)
        ranked = np.argsort(-scores)[:10].astype(np.int64)
        leading = np.array([1, 2, 3], dtype=np.int64)
        rows = np.sort(ranked[:3])
        ratios = rng.integers(-2, 3, 3) / 4.0
        for power in (1.0, 2.0):
            verdict = kernel._leaders_kept(
                scores, tiebreak, ranked, leading, rows, ratios, power, float(ratios.max())
            )
            expected = _changes_by_sorting(scores, tiebreak, 3, rows, power * ratios)
            if verdict >= 0:
                decided += 1
                assert (verdict == 0) is expected
    assert decided >= 30


@pytest.mark.parametrize("numpy_exps_from", [0, 10**9])
def test_scores_and_leaders_rank_like_a_full_sort(numpy_exps_from: int) -> None:
    """With the normaliser's exps taken by numpy (from 0 touched causes on) or by libm."""
    rng = np.random.default_rng(11)
    for size, count in itertools.product((5, 40, 300), (1, 3, 40)):
        prior = rng.integers(-6, 0, size) / 4.0
        tiebreak = rng.permutation(size).astype(np.int64)
        # One stored column touching half the causes.
        rows = np.sort(rng.choice(size, size // 2, replace=False)).astype(np.int64)
        ratios = rng.integers(-2, 3, len(rows)) / 4.0
        col_ptr = np.array([0, len(rows)], dtype=np.int64)
        present = np.array([0], dtype=np.int64)
        none = np.array([], dtype=np.int64)
        scores, ranked, normaliser, shifted, highest, untouched = kernel.scores_and_leaders(
            prior,
            np.exp(prior),
            *kernel.prior_summary(prior, np.exp(prior)),
            -3.0,
            col_ptr,
            rows,
            ratios,
            ratios,
            present,
            none,
            tiebreak,
            np.lexsort((tiebreak, -np.round(prior, 9))).astype(np.int64),
            count,
            1.0,
            numpy_exps_from,
        )
        assert np.isnan(normaliser) == (len(rows) >= numpy_exps_from)
        if np.isnan(normaliser):
            normaliser = log_total(shifted, highest, untouched, -3.0)
        assert normaliser == pytest.approx(np.logaddexp.reduce(np.append(scores, -3.0)), rel=1e-13)
        expected = prior.copy()
        expected[rows] += ratios
        assert np.array_equal(scores, expected)
        full = np.lexsort((tiebreak, -np.round(expected, 9)))
        assert ranked.tolist() == full[: min(count, size)].tolist()


def test_the_tiebreak_order_is_the_order_of_the_rounded_priors() -> None:
    """The scores kernel reads `by_tiebreak` as the order in which untouched causes rank (the
    knee pack's priors differ by prevalence class; the sample's are mostly equal)."""
    knee = KnowledgeGraph.from_packs([DEFAULT_PACKS_DIR / "knee"])
    for graph in (sample(), knee):
        for model in Diagnoser(graph, ModelParameters(dense_cells=0)).models.values():
            by_prior = np.lexsort((model.tiebreak, -np.round(model.log_prior, 9)))
            assert model.by_tiebreak.tolist() == by_prior.tolist()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.floats(-60.0, 5.0),
            # On and next to the halfway points of the 9th decimal, where rounding can differ.
            st.integers(-(10**10), 10**9).map(lambda n: (n + 0.5) / 1e9),
            st.integers(-(10**10), 10**9).map(lambda n: np.nextafter((n + 0.5) / 1e9, 0.0)),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_competition_ranks_tie_as_numpy_rounds(values: list[float]) -> None:
    """Ties are scores equal once rounded to 9 decimals as numpy (and the kernels) round."""
    scores = np.sort(np.array(values))[::-1]
    rounded = np.round(scores, 9).tolist()
    expected = [
        next(k for k in range(i + 1) if rounded[k] == rounded[i]) + 1 for i in range(len(rounded))
    ]
    assert competition_ranks(scores) == expected


@given(st.lists(st.integers(0, 3), min_size=1, max_size=30), st.integers(0, 30))
def test_tied_with_names_the_others_of_each_rank(steps: list[int], count: int) -> None:
    """The causes sharing a shown cause's rank, in order, as grouping every rank gives them."""
    scores = -np.cumsum(np.array(steps, dtype=np.float64))  # a step of 0 is a tie
    ranks = competition_ranks(scores)
    causes = [f"cause:{i}" for i in range(len(ranks))]
    shown = min(count, len(ranks))
    expected = [
        tuple(c for c, r in zip(causes, ranks, strict=True) if r == ranks[i] and c != causes[i])
        for i in range(shown)
    ]
    assert tied_with(causes, ranks, shown) == expected


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 12), st.integers(0, 5), st.integers(0, 2**32 - 1))
def test_distinct_rows_keep_each_row_once_and_say_which_each_is(
    rows: int, columns: int, seed: int
) -> None:
    """The compiled head shares the roles of causes with equal flags: every row is found
    again at its kind, kinds are numbered in order of first appearance, none repeats."""
    rng = np.random.default_rng(seed)
    flags = rng.integers(0, 2, (2, rows, columns)).astype(bool)
    original = flags.copy()
    distinct, kinds = kernel._distinct_rows(flags)
    assert np.array_equal(distinct[:, kinds, :], original)
    firsts = [int(k) for i, k in enumerate(kinds) if k not in kinds[:i]]
    assert firsts == list(range(distinct.shape[1]))
    keys = {distinct[:, k, :].tobytes() for k in range(distinct.shape[1])}
    assert len(keys) == distinct.shape[1]


def _question_tables(seed: int) -> tuple[tuple[np.ndarray, ...], dict[str, object]]:
    """Random stored pairs of 60 causes and 200 findings, as `best_question` reads them, and
    the rest of its arguments for a ranking of those causes."""
    rng = np.random.default_rng(seed)
    causes, findings = 60, 200
    background = rng.uniform(0.005, 0.05, findings)
    rows = [np.sort(rng.choice(findings, 30, replace=False)) for _ in range(causes)]
    likelihood = [rng.uniform(0.01, 0.99, 30) for _ in range(causes)]
    row_ptr = np.arange(0, 30 * causes + 1, 30, dtype=np.int64)
    columns = np.concatenate(rows).astype(np.int64)
    stored = np.concatenate(likelihood)
    by_column = sparse.csc_array((stored, (np.repeat(np.arange(causes), 30), columns)))
    col_ptr = by_column.indptr.astype(np.int64)
    ratio_rows = by_column.indices.astype(np.int64)
    yes = np.log(by_column.data / background[np.repeat(np.arange(findings), np.diff(col_ptr))])
    no = np.log(
        (1 - by_column.data) / (1 - background[np.repeat(np.arange(findings), np.diff(col_ptr))])
    )
    scores = rng.normal(0.0, 2.0, causes)
    tiebreak = rng.permutation(causes).astype(np.int64)
    ranked = np.lexsort((tiebreak, -np.round(scores, 9)))[:23].astype(np.int64)
    weights = np.exp(scores[ranked[:20]] - scores[ranked[0]])
    total = weights.sum() + 0.3
    tables = (
        row_ptr,
        columns,
        stored,
        binary_entropy(stored),
        divergence(stored, background[columns]),
        background,
        binary_entropy(background),
        col_ptr,
        ratio_rows,
        yes,
        no,
        column_maxima(col_ptr, yes),
        column_maxima(col_ptr, no),
    )
    rest: dict[str, object] = {
        "scores": scores,
        "tiebreak": tiebreak,
        "ranked": ranked,
        "leading_ranks": np.array(competition_ranks(scores[ranked[:3]]), dtype=np.int64),
        "leaders": ranked[:20],
        "weights": weights / total,
        "other": 0.3 / total,
        "unaskable": rng.random(findings) < 0.05,
        "scored": np.array([int(columns[0])], dtype=np.int64),
        "absent": np.array([int(columns[31])], dtype=np.int64),
    }
    return tables, rest


@pytest.mark.parametrize("seed", range(12))
def test_the_question_skips_only_findings_whose_bound_cannot_reach_the_kept(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A finding's gain is at most the leaders' shares times their stored pairs' divergence
    from the background: taking only the findings whose bound reaches the last kept picks the
    question that taking every gain picks, and takes far fewer."""
    tables, rest = _question_tables(seed)
    unbounded = (*tables[:4], np.full_like(tables[4], np.inf), *tables[5:])
    weighed = []

    def counting(k: int, *args: object) -> None:
        weighed.append(k)
        compiled_weigh(k, *args)

    compiled_weigh = kernel._weigh
    monkeypatch.setattr(kernel, "_weigh", counting)
    picked = []
    for stored in (tables, unbounded):
        weighed.clear()
        j, gain, likelihoods = kernel.best_question_py(
            *rest.values(), *stored, checked=8, power=1.0
        )
        picked.append((j, gain, likelihoods.tolist(), len(weighed)))
    (j, gain, likelihoods, bounded_count), (j_all, gain_all, likelihoods_all, every) = picked
    assert (j, gain, likelihoods) == (j_all, gain_all, likelihoods_all)
    assert j >= 0
    assert bounded_count < every / 2


def test_a_gain_never_exceeds_its_divergence_bound() -> None:
    rng = np.random.default_rng(5)
    for _ in range(200):
        shares = rng.dirichlet(np.ones(6))
        likelihood = rng.uniform(0.0, 1.0, 6)
        q = float(rng.uniform(0.001, 0.999))
        p_yes = float(shares @ likelihood)
        gain = float(binary_entropy(np.array([p_yes]))[0] - shares @ binary_entropy(likelihood))
        assert gain <= float(shares @ divergence(likelihood, np.full(6, q))) + 1e-12
