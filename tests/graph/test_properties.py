"""Properties of the scoring model, over random small graphs and over the real knee pack."""

from __future__ import annotations

import functools

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from graph.content import Content, Located
from graph.knowledge import KnowledgeGraph
from graph.models import EdgeRecord, Evidence, NodeRecord
from graph.reasoning import DiagnoseQuery, Diagnoser
from graph.vocabulary import NodeKind, Predicate
from tests.paths import KNEE_PACK

EVIDENCE = [Evidence(source="source:s", excerpt="e")]
PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def small_graphs(draw: st.DrawFn) -> Diagnoser:
    n_causes = draw(st.integers(1, 5))
    n_symptoms = draw(st.integers(1, 5))
    causes = [f"cause:c{i}" for i in range(n_causes)]
    symptoms = [f"symptom:s{i}" for i in range(n_symptoms)]
    strength = st.floats(0.05, 1.0)
    edges: dict[str, EdgeRecord] = {}
    for cause in causes:
        for symptom in draw(st.lists(st.sampled_from(symptoms), unique=True)):
            edge = EdgeRecord(
                subject=cause,
                predicate=Predicate.CAUSES,
                object=symptom,
                strength=draw(strength),
                evidence=EVIDENCE,
            )
            edges[edge.key] = edge
    for a, b in draw(st.lists(st.tuples(st.sampled_from(causes), st.sampled_from(causes)))):
        if a != b:
            edge = EdgeRecord(
                subject=a,
                predicate=Predicate.CONTRIBUTES_TO,
                object=b,
                strength=draw(strength),
                evidence=EVIDENCE,
            )
            edges[edge.key] = edge
    content = Content(
        nodes=[
            Located("x.yaml", NodeRecord(id=i, name=i, description="d")) for i in causes + symptoms
        ],
        edges=[Located("x.yaml", e) for e in edges.values()],
    )
    return Diagnoser(KnowledgeGraph(content))


@functools.cache
def knee() -> Diagnoser:
    return Diagnoser(KnowledgeGraph.from_packs([KNEE_PACK]))


@st.composite
def diagnosers_and_queries(draw: st.DrawFn, real: bool) -> tuple[Diagnoser, DiagnoseQuery]:
    diagnoser = knee() if real else draw(small_graphs())
    symptoms = [n.id for n in diagnoser.graph.nodes(NodeKind.SYMPTOM)]
    causes = [n.id for n in diagnoser.graph.nodes(NodeKind.CAUSE)]
    present = draw(st.lists(st.sampled_from(symptoms), max_size=4))
    absent = draw(st.lists(st.sampled_from(symptoms), max_size=3))
    absent = [s for s in absent if s not in present]
    exposures = draw(st.lists(st.sampled_from(causes), max_size=2))
    return diagnoser, DiagnoseQuery.of(present, absent, exposures, limit=50)


def scores(diagnoser: Diagnoser, query: DiagnoseQuery) -> dict[str, float]:
    return {c.cause: c.score for c in diagnoser.diagnose(query).candidates}


both_worlds = st.booleans().flatmap(lambda real: diagnosers_and_queries(real))


@PROPERTY_SETTINGS
@given(case=both_worlds, data=st.data())
def test_a_present_symptom_never_lowers_the_causes_it_explains(
    case: tuple[Diagnoser, DiagnoseQuery], data: st.DataObject
) -> None:
    diagnoser, query = case
    free = [n.id for n in diagnoser.graph.nodes(NodeKind.SYMPTOM) if n.id not in query.absent]
    assume(free)
    symptom = data.draw(st.sampled_from(free))
    before = scores(diagnoser, query)
    after = scores(
        diagnoser, DiagnoseQuery.of(query.present | {symptom}, query.absent, query.exposures, 50)
    )
    for x in before:
        if diagnoser.strength(x, symptom) == 0.0:
            continue
        assert after[x] >= before[x] - 1e-12
        for y in before:
            if diagnoser.strength(y, symptom) == 0.0 and 0.0 < before[y] < 1.0 and after[x] < 1.0:
                assert after[x] / after[y] >= before[x] / before[y] * (1 - 1e-9)


@PROPERTY_SETTINGS
@given(case=both_worlds, data=st.data())
def test_an_absent_symptom_never_raises_the_causes_it_explains(
    case: tuple[Diagnoser, DiagnoseQuery], data: st.DataObject
) -> None:
    diagnoser, query = case
    free = [n.id for n in diagnoser.graph.nodes(NodeKind.SYMPTOM) if n.id not in query.present]
    assume(free)
    symptom = data.draw(st.sampled_from(free))
    before = scores(diagnoser, query)
    after = scores(
        diagnoser, DiagnoseQuery.of(query.present, query.absent | {symptom}, query.exposures, 50)
    )
    for x, score in after.items():
        if diagnoser.strength(x, symptom) > 0.0 and x in before:
            assert score <= before[x] + 1e-12


@PROPERTY_SETTINGS
@given(case=both_worlds, seed=st.randoms(use_true_random=False))
def test_order_and_duplicates_never_matter(
    case: tuple[Diagnoser, DiagnoseQuery], seed: object
) -> None:
    diagnoser, query = case
    shuffled = []
    for ids in (query.present, query.absent, query.exposures):
        listed = sorted(ids) * 2
        seed.shuffle(listed)  # type: ignore[attr-defined]
        shuffled.append(listed)
    again = DiagnoseQuery.of(*shuffled, limit=query.limit)
    assert diagnoser.diagnose(again) == diagnoser.diagnose(query)


@PROPERTY_SETTINGS
@given(case=both_worlds)
def test_scores_are_probabilities_and_ranked(case: tuple[Diagnoser, DiagnoseQuery]) -> None:
    diagnoser, query = case
    result = diagnoser.diagnose(query)
    ranked = [(-c.score, c.cause) for c in result.candidates]
    assert ranked == sorted(ranked)
    assert all(0.0 <= c.score <= 1.0 for c in result.candidates)
    if result.next_question is not None:
        assert result.next_question.symptom not in query.present | query.absent
        assert result.next_question.information_gain > 0.0
