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
    result = diagnoser().diagnose(
        DiagnoseQuery.of(["symptom:numbness", "symptom:visible-twitching"])
    )
    assert result.triage.level is TriageLevel.SEEK_CARE
    assert result.triage.triggers == {"red-flag:signs-of-serious-problem": ("symptom:numbness",)}
    top = result.candidates[0]
    assert [c.cause for c in result.candidates[:2]] == [
        "cause:nerve-irritation-or-injury",
        "cause:nerve-compression",
    ]
    numbness_chain = top.explanation["symptom:numbness"]
    assert [e.key for e in numbness_chain.edges] == [
        "cause:nerve-irritation-or-injury|causes|symptom:numbness"
    ]
    assert numbness_chain.edges[0].inferred
    assert "diagnostic:electromyography" in {r.node for r in top.recommended}


def test_twitching_on_diuretics_points_to_electrolytes_and_hydration() -> None:
    result = diagnoser().diagnose(
        DiagnoseQuery.of(["symptom:visible-twitching"], exposures=["cause:diuretics"])
    )
    assert result.triage.level is TriageLevel.SELF_CARE
    ranked = [c.cause for c in result.candidates]
    assert ranked[:3] == [
        "cause:diuretics",
        "cause:medications-and-supplements",
        "cause:electrolyte-imbalance",
    ]
    imbalance = result.candidates[2]
    assert [e.key for e in imbalance.exposures["cause:diuretics"].edges] == [
        "cause:diuretics|contributes_to|cause:electrolyte-imbalance"
    ]
    assert "treatment:hydration-and-electrolytes" in {r.node for r in imbalance.recommended}
    assert "prevention:hydration" in {r.node for r in imbalance.recommended}


def test_a_multi_hop_chain_explains_twitching_from_diuretics() -> None:
    result = diagnoser().diagnose(DiagnoseQuery.of(["symptom:visible-twitching"]))
    diuretics = next(c for c in result.candidates if c.cause == "cause:diuretics")
    chain = diuretics.explanation["symptom:visible-twitching"]
    assert [e.key for e in chain.edges] == [
        "cause:diuretics|contributes_to|cause:electrolyte-imbalance",
        "cause:electrolyte-imbalance|causes|symptom:visible-twitching",
    ]
    # 0.7 * 0.7, attenuated once for the second hop
    assert chain.strength == 0.7 * 0.7 * 0.8


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
    assert {r.category for r in pathway.recommendations} == {"treatment", "prevention"}
    assert "cause:electrolyte-imbalance" in {n.edge.object for n in pathway.related}
