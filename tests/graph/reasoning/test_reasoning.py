from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from graph.knowledge import KnowledgeGraph
from graph.reasoning import (
    DiagnoseQuery,
    Diagnoser,
    FindingKind,
    InvalidQueryError,
    PathFinder,
    TriageLevel,
)
from graph.reasoning.explain import SENSITIVITY, symptom_chains
from graph.reasoning.pathways import WrongKindError, care_pathway, recommendations_for
from graph.schema.records import EdgeRecord

# The tiny pack's edges carry no frequency, so every sensitivity is the default ("frequent").
FREQUENT = SENSITIVITY["frequent"]  # type: ignore[index]
LEAK = 0.01


def test_chains_follow_contributes_to_but_not_sideways_through_subtypes(
    tiny: KnowledgeGraph,
) -> None:
    assert symptom_chains(tiny, "cause:alpha")["symptom:jolts"].sensitivity == FREQUENT
    gamma = symptom_chains(tiny, "cause:gamma")
    # gamma leads to alpha in a share of cases, and alpha shows jolts in a share of those.
    assert gamma["symptom:jolts"].sensitivity == pytest.approx(FREQUENT * FREQUENT)
    assert [e.key for e in gamma["symptom:jolts"].edges] == [
        "cause:gamma|contributes_to|cause:alpha",
        "cause:alpha|causes|symptom:jolts",
    ]
    # beta only causes the condition: its symptoms are the condition's profile (background).
    assert symptom_chains(tiny, "cause:beta") == {}
    assert symptom_chains(tiny, "cause:beta-minor") == {}


def _background(condition_sensitivity: float) -> float:
    return 1 - (1 - LEAK) * (1 - condition_sensitivity)


def test_the_posterior_is_normalised_bayes(tiny: KnowledgeGraph) -> None:
    result = Diagnoser(tiny).diagnose(DiagnoseQuery.of(["symptom:jolts"]))
    bg = _background(FREQUENT)  # the condition shows jolts "frequently"
    ratio = {
        "cause:alpha": (1 - (1 - bg) * (1 - FREQUENT)) / bg,
        "cause:gamma": (1 - (1 - bg) * (1 - FREQUENT * FREQUENT)) / bg,
        "cause:beta": 1.0,
        "cause:beta-minor": 1.0,
    }
    # No prevalence classes: weight 1 each, and beta shares its weight with its named subtype.
    prior = {"cause:alpha": 1.0, "cause:gamma": 1.0, "cause:beta": 0.5, "cause:beta-minor": 0.5}
    weights = {c: prior[c] * ratio[c] for c in prior}
    total = sum(weights.values()) + 0.05  # `other` at the background rate
    assert [(c.cause, c.rank) for c in result.candidates] == [
        ("cause:alpha", 1),
        ("cause:gamma", 2),
        ("cause:beta", 3),
        ("cause:beta-minor", 3),
    ]
    for candidate in result.candidates:
        assert candidate.probability == pytest.approx(weights[candidate.cause] / total)
    assert result.other_probability == pytest.approx(0.05 / total)
    assert result.unlisted_probability == pytest.approx(0.0, abs=1e-12)
    beta, minor = result.candidates[2:]
    assert beta.tied_with == ("cause:beta-minor",)
    assert minor.tied_with == ("cause:beta",)
    assert result.candidates[1].matched == ("symptom:jolts",)
    assert result.triage.level is TriageLevel.SELF_CARE


def test_absent_symptoms_contradict_the_causes_that_would_show_them(
    tiny: KnowledgeGraph,
) -> None:
    result = Diagnoser(tiny).diagnose(DiagnoseQuery.of(["symptom:jolts"], ["symptom:tingle"]))
    gamma = next(c for c in result.candidates if c.cause == "cause:gamma")
    assert gamma.contradicted == ("symptom:tingle",)
    before = Diagnoser(tiny).diagnose(DiagnoseQuery.of(["symptom:jolts"]))
    assert gamma.probability < next(
        c.probability for c in before.candidates if c.cause == "cause:gamma"
    )


def test_red_flags_fire_on_any_listed_symptom(tiny: KnowledgeGraph) -> None:
    result = Diagnoser(tiny).diagnose(DiagnoseQuery.of(["symptom:tingle", "symptom:jolts"]))
    assert result.triage.level is TriageLevel.SEEK_CARE
    assert result.triage.triggers == {"red-flag:tingling": ("symptom:tingle",)}


def test_exposures_are_likelihood_ratios_along_their_own_links(tiny: KnowledgeGraph) -> None:
    diagnoser = Diagnoser(tiny)
    result = diagnoser.diagnose(DiagnoseQuery.of([], exposures=["cause:gamma"]))
    probability = {c.cause: c.probability for c in result.candidates}
    # P(exposure | it is the cause) / P(exposure | anything else); the base rate is 0.2 times
    # the cause's prior weight (1 here: no prevalence class).
    full = 0.95 / 0.2
    assert probability["cause:gamma"] / probability["cause:beta"] == pytest.approx(full / 0.5)
    # alpha is reached along gamma's own contributes_to link, in a share FREQUENT of cases.
    assert probability["cause:alpha"] / probability["cause:beta"] == pytest.approx(
        (1 + (full - 1) * FREQUENT) / 0.5
    )
    assert diagnoser.exposure_chain("cause:gamma", "cause:alpha") is not None
    # Knowing a parent applies raises its subtype; a subtype never raises its parent's
    # other members sideways.
    minor = diagnoser.diagnose(DiagnoseQuery.of([], exposures=["cause:beta"]))
    top = {c.cause for c in minor.candidates if c.rank == 1}
    assert top == {"cause:beta", "cause:beta-minor"}
    only_minor = diagnoser.diagnose(DiagnoseQuery.of([], exposures=["cause:beta-minor"]))
    assert only_minor.candidates[0].cause == "cause:beta-minor"
    beta = next(c for c in only_minor.candidates if c.cause == "cause:beta")
    alpha = next(c for c in only_minor.candidates if c.cause == "cause:alpha")
    assert beta.probability / alpha.probability == pytest.approx(0.5)


def test_next_question_separates_candidates_and_says_when_to_stop(tiny: KnowledgeGraph) -> None:
    diagnoser = Diagnoser(tiny)
    result = diagnoser.diagnose(DiagnoseQuery.of(["symptom:jolts"]))
    question = result.next_question
    assert question is not None
    assert result.should_stop is False
    assert question.kind is FindingKind.SYMPTOM
    # Only gamma explains tingling: the sharpest split of alpha and gamma.
    assert question.node == "symptom:tingle"
    assert question.question == "Do you have tingle?"  # no curated question
    assert question.information_gain > 0.0
    assert "'tingle'" in question.reason
    # Everything answered: nothing left to ask.
    everything = diagnoser.diagnose(
        DiagnoseQuery.of(["symptom:jolts", "symptom:tingle"], ["symptom:ache"])
    )
    assert everything.next_question is None
    assert everything.should_stop is True


def test_same_evidence_in_any_order_gives_the_same_answer(tiny: KnowledgeGraph) -> None:
    diagnoser = Diagnoser(tiny)
    one = diagnoser.diagnose(
        DiagnoseQuery.of(["symptom:jolts", "symptom:ache"], ["symptom:tingle"])
    )
    two = diagnoser.diagnose(
        DiagnoseQuery.of(["symptom:ache", "symptom:jolts"], ["symptom:tingle"])
    )
    assert one == two
    assert math.isclose(
        sum(c.probability for c in one.candidates) + one.other_probability, 1.0, rel_tol=1e-12
    )


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


def test_the_path_graph_is_built_by_the_first_paths_call_once(
    tiny: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[object] = []
    every_edge = tiny.edges

    def counted() -> Sequence[EdgeRecord]:
        calls.append(None)
        return every_edge()

    monkeypatch.setattr(tiny, "edges", counted)
    finder = PathFinder(tiny)
    assert calls == []
    with ThreadPoolExecutor(4) as pool:
        found = list(pool.map(lambda _: finder.paths("prevention:rest", "symptom:ache"), range(8)))
    assert len(calls) == 1
    assert found[0]
    assert all(paths == found[0] for paths in found)


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
