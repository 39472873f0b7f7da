"""Realistic questions against the knee pack, with exact expectations."""

from __future__ import annotations

from functools import cache

from graph.knowledge import KnowledgeGraph
from graph.reasoning import DiagnoseQuery, Diagnoser, PathFinder, TriageLevel
from graph.reasoning.pathways import care_pathway
from tests.paths import KNEE_PACK


@cache
def diagnoser() -> Diagnoser:
    return Diagnoser(KnowledgeGraph.from_packs([KNEE_PACK]))


def test_numbness_with_twitching_points_to_nerves_and_emg() -> None:
    d = diagnoser()
    result = d.diagnose(DiagnoseQuery.of(["symptom:numbness", "symptom:visible-twitching"]))
    assert result.triage.level is TriageLevel.SEEK_CARE
    assert result.triage.triggers == {"red-flag:signs-of-serious-problem": ("symptom:numbness",)}
    top = result.candidates[0]
    assert top.cause == "cause:nerve-irritation-or-injury"
    # Nerve compression is a kind of nerve irritation: it shares its rows, with half its weight.
    assert result.candidates[1].cause != "cause:nerve-compression" or top.rank == 1
    numbness_chain = d.symptom_chains(top.cause)["symptom:numbness"]
    assert [e.key for e in numbness_chain.edges] == [
        "cause:nerve-irritation-or-injury|causes|symptom:numbness"
    ]
    assert numbness_chain.edges[0].inferred
    assert "diagnostic:electromyography" in {r.node for r in d.recommendations(top.cause)}


def test_twitching_on_diuretics_points_along_their_own_chain() -> None:
    d = diagnoser()
    result = d.diagnose(
        DiagnoseQuery.of(["symptom:visible-twitching"], exposures=["cause:diuretics"])
    )
    assert result.triage.level is TriageLevel.SELF_CARE
    top3 = [c.cause for c in result.candidates[:3]]
    # Article 1: diuretics "can cause an electrolyte imbalance that can trigger muscle twitching".
    assert top3[0] == "cause:electrolyte-imbalance"
    assert "cause:diuretics" in [c.cause for c in result.candidates[:4]]
    chain = d.exposure_chain("cause:diuretics", "cause:electrolyte-imbalance")
    assert chain is not None
    assert [e.key for e in chain.edges] == [
        "cause:diuretics|contributes_to|cause:electrolyte-imbalance"
    ]
    # Corticosteroids are medications too, but are never said to upset electrolytes: the
    # diuretics exposure does not raise them, and they do not work through an imbalance.
    steroids = next(c for c in result.candidates if c.cause == "cause:corticosteroids")
    assert steroids.probability < next(
        c.probability for c in result.candidates if c.cause == "cause:diuretics"
    )
    assert d.exposure_chain("cause:diuretics", "cause:corticosteroids") is None
    steroid_items = {(r.node, r.via) for r in d.recommendations("cause:corticosteroids")}
    assert ("treatment:hydration-and-electrolytes", "cause:electrolyte-imbalance") not in (
        steroid_items
    )
    # Diuretics recommend what treats the imbalance they work through, marked `via`.
    items = {(r.node, r.via) for r in d.recommendations("cause:diuretics")}
    assert ("treatment:hydration-and-electrolytes", "cause:electrolyte-imbalance") in items


def test_warning_signs_point_to_neurological_causes() -> None:
    result = diagnoser().diagnose(
        DiagnoseQuery.of(
            ["symptom:involuntary-contractions", "symptom:weakness", "symptom:trouble-balancing"]
        )
    )
    leaders = [c.cause for c in result.candidates if c.rank <= 2]
    assert leaders == ["cause:neurological-condition", "cause:multiple-sclerosis", "cause:als"]
    assert result.triage.level is TriageLevel.SEEK_CARE


def test_a_cause_that_explains_little_is_not_favoured_by_absences() -> None:
    symptoms = [n.id for n in diagnoser().graph.nodes() if n.id.startswith("symptom:")]
    absent = [s for s in symptoms if s != "symptom:visible-twitching"]
    result = diagnoser().diagnose(DiagnoseQuery.of(["symptom:visible-twitching"], absent, limit=50))
    assert result.candidates[0].cause == "cause:muscle-fatigue"
    structural = next(c for c in result.candidates if c.cause == "cause:structural-abnormality")
    assert structural.rank > 5


def test_a_multi_hop_chain_explains_twitching_from_diuretics() -> None:
    chain = diagnoser().symptom_chains("cause:diuretics")["symptom:visible-twitching"]
    assert [e.key for e in chain.edges] == [
        "cause:diuretics|contributes_to|cause:electrolyte-imbalance",
        "cause:electrolyte-imbalance|causes|symptom:visible-twitching",
    ]
    # Diuretics lead to an imbalance "frequently", which shows twitching "frequently".
    assert chain.sensitivity == 0.55 * 0.55


def test_a_prevention_measure_reaches_a_symptom_through_a_cause() -> None:
    paths = PathFinder(diagnoser().graph).paths(
        "prevention:hydration", "symptom:involuntary-contractions", max_hops=2
    )
    assert [p.nodes[1] for p in paths] == [
        "cause:dehydration",
        "cause:electrolyte-imbalance",
        "condition:knee-twitching",
    ]
    assert all(len(p.nodes) == 3 for p in paths)


def test_care_pathway_of_dehydration() -> None:
    pathway = care_pathway(diagnoser().graph, "cause:dehydration")
    # Its own, then the condition's general ones (physical examination, stretching, ...).
    assert {r.category for r in pathway.recommendations} == {
        "diagnostic",
        "treatment",
        "prevention",
    }
    general = {r.node for r in pathway.recommendations if r.via == "condition:knee-twitching"}
    assert {"diagnostic:physical-examination", "treatment:heat-therapy"} <= general
    assert "cause:electrolyte-imbalance" in {n.edge.object for n in pathway.related}


def test_every_cause_recommends_a_test_or_treatment_and_prevention_where_named() -> None:
    d = diagnoser()
    for cause in d.models["knee"].causes:
        categories = {r.category for r in d.recommendations(cause)}
        assert categories & {"diagnostic", "treatment"}, cause
    # The articles name prevention for the everyday causes, medicines' mechanism and diet.
    for cause in (
        "cause:muscle-fatigue",
        "cause:overuse",
        "cause:dehydration",
        "cause:electrolyte-imbalance",
        "cause:medications-and-supplements",
        "cause:diuretics",
        "cause:nutrient-deficiency",
        "cause:vitamin-d-deficiency",
    ):
        assert "prevention" in {r.category for r in d.recommendations(cause)}, cause
