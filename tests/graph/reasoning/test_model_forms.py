"""The posterior model's two storage forms, its parameters, and the content fields it reads."""

from __future__ import annotations

import itertools
import json
import re
from functools import cache
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from graph.evaluation.vignettes import load_vignettes, query_for
from graph.knowledge import KnowledgeGraph
from graph.reasoning import DiagnoseQuery, Diagnoser, InvalidQueryError, ModelParameters
from graph.reasoning.ranking import head_by_key
from graph.reasoning.table import Table
from graph.schema.errors import ContentError
from graph.schema.vocabulary import NodeKind
from tests.graph.conftest import PackWriter
from tests.paths import KNEE_PACK


@cache
def knee() -> KnowledgeGraph:
    return KnowledgeGraph.from_packs([KNEE_PACK])


def _queries(graph: KnowledgeGraph) -> list[DiagnoseQuery]:
    symptoms = [n.id for n in graph.nodes(NodeKind.SYMPTOM)]
    queries = [DiagnoseQuery.of([s], limit=50) for s in symptoms]
    queries += [DiagnoseQuery.of(pair, limit=50) for pair in itertools.combinations(symptoms, 2)]
    queries += [
        DiagnoseQuery.of(["symptom:visible-twitching"], ["symptom:numbness"], ["cause:diuretics"]),
        DiagnoseQuery.of(
            ["symptom:stiffness"], absent_exposures=["cause:dehydration", "cause:overuse"]
        ),
        DiagnoseQuery.of([], exposures=["cause:multiple-sclerosis"], limit=3),
    ]
    return queries


# Enough cells for any test pack's tables to be kept dense: the numpy reference form.
DENSE = ModelParameters(dense_cells=10**9)


def test_sparse_and_dense_tables_give_the_same_answers() -> None:
    """Every pack takes the compiled loops over the stored pairs; the dense tables and numpy
    code are the reference. Both forms must rank, tie, explain and question identically, and
    give the same probabilities to the last bit (scores and normaliser summed alike)."""
    dense = Diagnoser(knee(), DENSE)
    sparse = Diagnoser(knee())
    assert dense.models["knee"].present_ratio.dense is not None
    assert sparse.models["knee"].present_ratio.dense is None
    for query in _queries(knee()):
        assert dense.diagnose(query) == sparse.diagnose(query)


@cache
def knee_forms() -> tuple[Diagnoser, Diagnoser]:
    return Diagnoser(knee(), DENSE), Diagnoser(knee())


def test_every_vignette_is_answered_alike_by_both_forms() -> None:
    """The 58 vignettes of `make eval`, with a long limit and the default one."""
    dense, compiled = knee_forms()
    vignettes = load_vignettes()
    assert len(vignettes) >= 58
    for vignette, limit in itertools.product(vignettes, (10, 50)):
        query = query_for(vignette, limit)
        assert dense.diagnose(query) == compiled.diagnose(query), vignette.id


def _knee_ids(kind: NodeKind) -> list[str]:
    return sorted(n.id for n in knee().nodes(kind))


@st.composite
def knee_queries(draw: st.DrawFn) -> DiagnoseQuery:
    symptoms = draw(st.lists(st.sampled_from(_knee_ids(NodeKind.SYMPTOM)), unique=True))
    causes = draw(st.lists(st.sampled_from(_knee_ids(NodeKind.CAUSE)), unique=True, max_size=6))
    cut = draw(st.integers(0, len(symptoms)))
    exposed = draw(st.integers(0, len(causes)))
    assume(cut > 0 or exposed > 0)
    return DiagnoseQuery.of(
        symptoms[:cut],
        symptoms[cut:],
        causes[:exposed],
        draw(st.integers(1, 50)),
        causes[exposed:],
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(knee_queries())
def test_any_knee_query_is_answered_alike_by_both_forms(query: DiagnoseQuery) -> None:
    """Present and absent symptoms and exposures of any number (past 8 findings the evidence
    is tempered), red flags, any limit."""
    dense, compiled = knee_forms()
    assert dense.diagnose(query) == compiled.diagnose(query)


@pytest.mark.parametrize(
    "params",
    [
        {"leak": 0.0},
        {"leak": 1.0},
        {"exposure_base_rate": 0.0},
        {"exposure_sensitivity": 0.4},
    ],
)
def test_parameters_out_of_range_are_refused(params: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=r"need|leak"):
        ModelParameters(**params)  # type: ignore[arg-type]


def test_a_query_names_its_pack(tiny: KnowledgeGraph) -> None:
    diagnoser = Diagnoser(tiny)
    assert diagnoser.diagnose(DiagnoseQuery.of(["symptom:jolts"], pack="tiny")).pack == "tiny"
    with pytest.raises(InvalidQueryError) as info:
        diagnoser.diagnose(DiagnoseQuery.of(["symptom:jolts"], pack="nope"))
    assert info.value.issues == [("pack", "nope", "no pack with causes has this id (packs: tiny)")]


def test_ids_from_another_pack_are_named(write_pack: PackWriter) -> None:
    def other(files: dict[str, Any]) -> None:
        """The same pack again under other ids and names."""
        text = json.dumps(files)
        text = re.sub(
            r'"(cause|symptom|condition|diagnostic|treatment|prevention|red-flag|source):',
            r'"\1:o-',
            text,
        )
        text = text.replace('"name": "', '"name": "o ').replace('"knee jolts"', '"other jolts"')
        text = text.replace('"id": "tiny"', '"id": "other"')
        files.update(json.loads(text))

    graph = KnowledgeGraph.from_packs([write_pack(), write_pack(other, name="other")])
    diagnoser = Diagnoser(graph)
    assert set(diagnoser.models) == {"tiny", "other"}
    mixed = DiagnoseQuery.of(["symptom:jolts", "symptom:o-jolts"])
    with pytest.raises(InvalidQueryError, match="name one with `pack`"):
        diagnoser.diagnose(mixed)
    with pytest.raises(InvalidQueryError) as info:
        diagnoser.diagnose(DiagnoseQuery.of(["symptom:jolts", "symptom:o-jolts"], pack="tiny"))
    assert info.value.issues == [("pack", "symptom:o-jolts", "belongs to pack 'other'")]
    # Each pack's causes compete only among themselves.
    result = diagnoser.diagnose(DiagnoseQuery.of(["symptom:o-jolts"]))
    assert result.pack == "other"
    assert all(c.cause.startswith("cause:o-") for c in result.candidates)


def test_prevalence_and_frequency_only_where_they_mean_something(write_pack: PackWriter) -> None:
    evidence = [{"source": "source:a", "excerpt": "Alpha causes jolts."}]

    def misplace(files: dict[str, object]) -> None:
        nodes = files["nodes/all.yaml"]["nodes"]  # type: ignore[index]
        nodes[5]["prevalence"] = {"level": "common", "evidence": evidence}  # a symptom
        nodes[5]["exposure_question"] = "Jolts?"
        edges = files["edges/all.yaml"]["edges"]  # type: ignore[index]
        edges[7]["frequency"] = "frequent"  # an `evaluates` edge

    with pytest.raises(ContentError) as info:
        KnowledgeGraph.from_packs([write_pack(misplace)])
    reasons = [p.reason for p in info.value.problems]
    assert "only causes have `prevalence`" in reasons
    assert "only causes have `exposure_question`" in reasons
    assert any("belong on causes, contributes_to, has_symptom edges only" in r for r in reasons)


def test_an_inferred_prevalence_needs_its_reasoning(write_pack: PackWriter) -> None:
    def unexplained(files: dict[str, object]) -> None:
        alpha = files["nodes/all.yaml"]["nodes"][1]  # type: ignore[index]
        alpha["prevalence"] = {
            "level": "rare",
            "inferred": True,
            "evidence": [{"source": "source:a", "excerpt": "Alpha causes jolts."}],
        }

    with pytest.raises(ContentError, match="inferred prevalence needs `reasoning`"):
        KnowledgeGraph.from_packs([write_pack(unexplained)])


def test_an_exposure_explains_a_kind_of_it_at_any_depth(write_pack: PackWriter) -> None:
    def deeper(files: dict[str, Any]) -> None:
        files["nodes/all.yaml"]["nodes"].append(
            {"id": "cause:beta-tiny", "name": "beta tiny", "description": "x"}
        )
        files["edges/all.yaml"]["edges"].append(
            {
                "subject": "cause:beta-tiny",
                "predicate": "subtype_of",
                "object": "cause:beta-minor",
                "evidence": [{"source": "source:a", "excerpt": "Alpha causes jolts."}],
            }
        )

    diagnoser = Diagnoser(KnowledgeGraph.from_packs([write_pack(deeper)]))
    result = diagnoser.diagnose(DiagnoseQuery.of([], exposures=["cause:beta"], limit=10))
    tiny = next(c for c in result.candidates if c.cause == "cause:beta-tiny")
    assert "cause:beta" in tiny.matched
    chain = diagnoser.exposure_chain("cause:beta", "cause:beta-tiny")
    assert chain is not None
    assert [e.key for e in chain.edges] == [
        "cause:beta-tiny|subtype_of|cause:beta-minor",
        "cause:beta-minor|subtype_of|cause:beta",
    ]


@pytest.mark.parametrize("size", [100, 3000])
@pytest.mark.parametrize("count", [1, 3, 20, 29, 30, 31, 200])
def test_the_ranked_head_is_the_head_of_the_full_sort(size: int, count: int) -> None:
    """Ranking only the leaders gives exactly the first leaders of a full sort, even when
    thousands of keys tie at the cut (the causes no finding touches)."""
    rng = np.random.default_rng(count)
    keys = np.zeros(size)
    keys[rng.choice(size, 40, replace=False)] = rng.integers(-5, 5, 40) / 2.0
    tiebreak = rng.permutation(size).astype(np.int64)
    expected = np.lexsort((tiebreak, keys))[:count]
    assert head_by_key(keys, tiebreak, count).tolist() == expected.tolist()


def test_sparse_tables_read_the_same_cells_as_dense_ones() -> None:
    rng = np.random.default_rng(7)
    shape = (30, 50)
    cells = rng.choice(shape[0] * shape[1], 300, replace=False)
    rows, cols = np.divmod(cells, shape[1])
    values = rng.normal(size=300)
    dense = Table(rows, cols, values, shape, dense=True)
    sparse = Table(rows, cols, values, shape, dense=False)
    assert dense.dense is not None
    some_rows = np.array([4, 0, 29, 4], dtype=np.int64)
    some_columns = np.array([49, 3, 3, 0, 17], dtype=np.int64)
    assert np.array_equal(
        dense.block(some_rows, some_columns), dense.dense[some_rows][:, some_columns]
    )
    with pytest.raises(ValueError, match="dense tables"):
        sparse.block(some_rows, some_columns)
    col_ptr, col_rows, col_values = sparse.by_column()
    row_ptr = sparse.row_pointers()
    stored_columns, stored_values = sparse.stored_by_row()
    by_columns = np.zeros(shape)
    by_rows = np.zeros(shape)
    for j in range(shape[1]):
        by_columns[col_rows[col_ptr[j] : col_ptr[j + 1]], j] = col_values[
            col_ptr[j] : col_ptr[j + 1]
        ]
    for i in range(shape[0]):
        entries = slice(row_ptr[i], row_ptr[i + 1])
        by_rows[i, stored_columns[entries]] = stored_values[entries]
    assert np.array_equal(by_columns, dense.dense)
    assert np.array_equal(by_rows, dense.dense)


def test_evidence_power_reads_long_reports_with_overlap() -> None:
    params = ModelParameters()
    assert [params.evidence_power(n) for n in (0, 1, 8)] == [1.0, 1.0, 1.0]
    assert params.evidence_power(32) == pytest.approx(0.25**0.75)  # (8 / 32) ** 0.75
    assert params.evidence_power(9) < 1.0
    with pytest.raises(ValueError, match="independent_findings"):
        ModelParameters(independent_findings=0)


@pytest.mark.parametrize("dense_cells", [0, 250_000])
def test_a_long_report_is_tempered_not_reordered(dense_cells: int) -> None:
    graph = KnowledgeGraph.from_packs([KNEE_PACK.parent / "hpo-sample"])
    symptoms = sorted(n.id for n in graph.nodes(NodeKind.SYMPTOM))
    rng = np.random.default_rng(5)
    tempered = Diagnoser(graph, ModelParameters(dense_cells=dense_cells))
    independent = Diagnoser(
        graph, ModelParameters(dense_cells=dense_cells, independent_findings=1000)
    )
    lowered = 0
    for _ in range(10):
        query = DiagnoseQuery.of([str(s) for s in rng.choice(symptoms, 16, replace=False)])
        a, b = tempered.diagnose(query), independent.diagnose(query)
        # Every cause's prior is the same here, so the power changes no order, only how sure.
        assert [c.cause for c in a.candidates] == [c.cause for c in b.candidates]
        assert a.candidates[0].probability <= b.candidates[0].probability
        lowered += a.candidates[0].probability < b.candidates[0].probability
    assert lowered >= 5
