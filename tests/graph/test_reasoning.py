from __future__ import annotations

import pytest

from graph.knowledge import KnowledgeGraph
from graph.reasoning import DiagnoseQuery, Diagnoser, PathFinder, TriageLevel
from graph.reasoning.diagnose import InvalidQueryError
from graph.reasoning.pathways import WrongKindError, care_pathway, recommendations_for


def test_chain_strengths_follow_the_model(tiny: KnowledgeGraph) -> None:
    diagnoser = Diagnoser(tiny)
    assert diagnoser.strength("cause:alpha", "symptom:jolts") == pytest.approx(0.7)
    # beta -> condition (0.5) -> ache (0.8), one attenuated hop (0.8)
    assert diagnoser.strength("cause:beta", "symptom:ache") == pytest.approx(0.32)
    # a subtype inherits at weight 1, one more attenuated hop
    assert diagnoser.strength("cause:beta-minor", "symptom:ache") == pytest.approx(0.256)
    # gamma contributes to alpha (0.5), which causes jolts (0.7)
    assert diagnoser.strength("cause:gamma", "symptom:jolts") == pytest.approx(0.28)
    assert diagnoser.strength("cause:alpha", "symptom:ache") == 0.0


def test_diagnose_ranks_and_explains(tiny: KnowledgeGraph) -> None:
    result = Diagnoser(tiny).diagnose(DiagnoseQuery.of(["symptom:jolts"]))
    assert [(c.cause, round(c.score, 4)) for c in result.candidates] == [
        ("cause:alpha", 0.6137),
        ("cause:gamma", 0.4125),
        ("cause:beta", 0.3478),
        ("cause:beta-minor", 0.3098),
    ]
    gamma = result.candidates[1]
    assert gamma.matched == ("symptom:jolts",)
    assert [e.key for e in gamma.explanation["symptom:jolts"].edges] == [
        "cause:gamma|contributes_to|cause:alpha",
        "cause:alpha|causes|symptom:jolts",
    ]
    assert result.triage.level is TriageLevel.SELF_CARE
    alpha = result.candidates[0]
    assert [(r.category, r.node, r.via) for r in alpha.recommended] == [
        ("diagnostic", "diagnostic:test-d", None)
    ]


def test_absent_symptoms_contradict(tiny: KnowledgeGraph) -> None:
    result = Diagnoser(tiny).diagnose(DiagnoseQuery.of(["symptom:jolts"], ["symptom:ache"]))
    beta = next(c for c in result.candidates if c.cause == "cause:beta")
    assert beta.contradicted == ("symptom:ache",)
    # 4.8 * (1 - 0.354) / 0.95 = 3.264 times the prior odds of 1/9
    assert beta.score == pytest.approx(0.36267 / 1.36267, rel=1e-4)


def test_red_flags_fire_on_any_listed_symptom(tiny: KnowledgeGraph) -> None:
    result = Diagnoser(tiny).diagnose(DiagnoseQuery.of(["symptom:tingle", "symptom:jolts"]))
    assert result.triage.level is TriageLevel.SEEK_CARE
    assert result.triage.triggers == {"red-flag:tingling": ("symptom:tingle",)}


def test_exposure_raises_what_it_leads_to(tiny: KnowledgeGraph) -> None:
    result = Diagnoser(tiny).diagnose(DiagnoseQuery.of([], exposures=["cause:gamma"]))
    assert [c.cause for c in result.candidates] == ["cause:gamma", "cause:alpha"]
    alpha = result.candidates[1]
    assert alpha.exposures["cause:gamma"].strength == pytest.approx(0.5)
    # prior 1 - 0.9 * (1 - 0.9 * 0.5) = 0.505
    assert alpha.score == pytest.approx(0.505)


def test_next_question_separates_candidates(tiny: KnowledgeGraph) -> None:
    result = Diagnoser(tiny).diagnose(DiagnoseQuery.of(["symptom:jolts"]))
    assert result.next_question is not None
    # Only gamma explains tingling (0.62 against the 0.05 leak): the sharpest split.
    assert result.next_question.symptom == "symptom:tingle"
    assert result.next_question.question == "Do you have tingle?"  # no curated question
    assert result.next_question.information_gain == pytest.approx(0.2324, abs=1e-4)
    assert "'tingle'" in result.next_question.reason
    assert "gamma (0.62)" in result.next_question.reason


def test_no_next_question_for_a_single_candidate(tiny: KnowledgeGraph) -> None:
    result = Diagnoser(tiny).diagnose(DiagnoseQuery.of(["symptom:tingle"]))
    assert [c.cause for c in result.candidates] == ["cause:gamma"]
    assert result.next_question is None


def test_invalid_queries_list_every_issue(tiny: KnowledgeGraph) -> None:
    query = DiagnoseQuery.of(
        ["symptom:jolts", "symptom:nope", "cause:alpha"],
        ["symptom:jolts"],
        ["symptom:ache"],
    )
    with pytest.raises(InvalidQueryError) as info:
        Diagnoser(tiny).diagnose(query)
    assert info.value.issues == [
        ("present", "cause:alpha", "not a symptom id"),
        ("present", "symptom:nope", "unknown symptom id"),
        ("exposures", "symptom:ache", "not a cause id"),
        ("absent", "symptom:jolts", "reported both present and absent"),
    ]


def test_recommendations_inherit_through_subtypes(tiny: KnowledgeGraph) -> None:
    assert [(r.category, r.node, r.via) for r in recommendations_for(tiny, "cause:beta-minor")] == [
        ("treatment", "treatment:water", "cause:beta"),
        ("prevention", "prevention:rest", "cause:beta"),
    ]


def test_care_pathway_groups(tiny: KnowledgeGraph) -> None:
    pathway = care_pathway(tiny, "condition:jolty-knee")
    assert [e.object for e in pathway.symptoms] == ["symptom:ache", "symptom:jolts"]
    assert [e.subject for e in pathway.causes] == ["cause:beta"]
    beta = care_pathway(tiny, "cause:beta")
    assert [r.node for r in beta.recommendations] == ["treatment:water", "prevention:rest"]
    assert [n.edge.key for n in beta.related] == ["cause:beta-minor|subtype_of|cause:beta"]
    with pytest.raises(WrongKindError):
        care_pathway(tiny, "symptom:ache")


def test_paths_are_bounded_and_typed(tiny: KnowledgeGraph) -> None:
    finder = PathFinder(tiny)
    paths = finder.paths("prevention:rest", "symptom:ache", max_hops=3)
    assert [p.nodes for p in paths] == [
        ("prevention:rest", "cause:beta", "condition:jolty-knee", "symptom:ache")
    ]
    assert [[n.edge.predicate.value for n in step] for step in paths[0].steps] == [
        ["prevents"],
        ["causes"],
        ["has_symptom"],
    ]
    assert finder.paths("prevention:rest", "symptom:ache", max_hops=2) == ()
    assert finder.paths("cause:alpha", "cause:alpha") == ()
    with pytest.raises(ValueError, match="max_hops"):
        finder.paths("cause:alpha", "symptom:ache", max_hops=5)
    with pytest.raises(ValueError, match="k must"):
        finder.paths("cause:alpha", "symptom:ache", k=11)
