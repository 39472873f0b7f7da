"""Issue 21, item 4: a red flag's sign that only serious causes explain counts against the
everyday causes that do not list it, so "spasms and difficulty swallowing" ranks a
neurological cause first, while long-term steroids with weak legs still ranks the steroids."""

from __future__ import annotations

import math

import pytest

from graph.knowledge import KnowledgeGraph
from graph.reasoning import DiagnoseQuery, Diagnoser, ModelParameters
from graph.reasoning.parameters import FindingKind
from tests.paths import KNEE_PACK

SWALLOWING = ("symptom:involuntary-contractions", "symptom:difficulty-swallowing")
NEUROLOGICAL = {"cause:neurological-condition", "cause:multiple-sclerosis", "cause:als"}


@pytest.fixture(scope="module")
def graph() -> KnowledgeGraph:
    return KnowledgeGraph.from_packs([KNEE_PACK])


@pytest.mark.parametrize("cells", [250_000, 0])  # the dense and the compiled sparse path
def test_difficulty_swallowing_ranks_a_neurological_cause_first(
    graph: KnowledgeGraph, cells: int
) -> None:
    diagnoser = Diagnoser(graph, ModelParameters(dense_cells=cells))
    result = diagnoser.diagnose(DiagnoseQuery.of(SWALLOWING))
    first = [c.cause for c in result.candidates if c.rank == 1]
    assert set(first) <= NEUROLOGICAL
    fatigue = next(c for c in result.candidates if c.cause == "cause:muscle-fatigue")
    assert "symptom:difficulty-swallowing" in fatigue.contradicted


def test_without_the_rule_the_everyday_causes_win(graph: KnowledgeGraph) -> None:
    """The issue as filed: the benign causes' prior outweighed the one finding they lack."""
    diagnoser = Diagnoser(graph, ModelParameters(everyday_classes=frozenset()))
    result = diagnoser.diagnose(DiagnoseQuery.of(SWALLOWING))
    assert {c.cause for c in result.candidates if c.rank == 1} == {
        "cause:muscle-fatigue",
        "cause:dehydration",
    }


def test_steroids_with_weak_legs_still_ranks_the_steroids(graph: KnowledgeGraph) -> None:
    """The vignette an earlier sign-attribution rule broke: corticosteroids are uncommon,
    not everyday, so their silence on weakness is not held against them."""
    query = DiagnoseQuery.of(
        ["symptom:involuntary-contractions", "symptom:weakness"],
        exposures=["cause:corticosteroids"],
    )
    result = Diagnoser(graph).diagnose(query)
    assert {c.cause for c in result.candidates if c.rank == 1} <= {
        "cause:corticosteroids",
        "cause:medications-and-supplements",
    }


def test_an_everyday_cause_shows_an_unlisted_warning_sign_at_the_leak(
    graph: KnowledgeGraph,
) -> None:
    # The dense form, whose table can be read cell by cell.
    model = Diagnoser(graph, ModelParameters(dense_cells=250_000)).models["knee"]
    j = model.finding_index[(FindingKind.SYMPTOM, "symptom:numbness")]
    ratios = model.present_ratio.dense
    assert ratios is not None
    leak_ratio = math.log(model.params.leak / model.background[j])
    fatigue = model.cause_index["cause:muscle-fatigue"]
    assert ratios[fatigue, j] == pytest.approx(leak_ratio)
    # An uncommon cause that does not list it keeps the background.
    steroids = model.cause_index["cause:corticosteroids"]
    assert ratios[steroids, j] == 0.0
    # The condition's own features (twitching) are never held against anyone.
    twitching = model.finding_index[(FindingKind.SYMPTOM, "symptom:visible-twitching")]
    assert (ratios[:, twitching] >= 0.0).all()
