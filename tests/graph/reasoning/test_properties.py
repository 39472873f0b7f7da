"""Properties of the scoring model, over random small graphs and over the real knee pack."""

from __future__ import annotations

import functools
import itertools
import math

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from graph.knowledge import KnowledgeGraph
from graph.reasoning import DiagnoseQuery, Diagnoser
from graph.schema.content import Content, Located
from graph.schema.records import EdgeRecord, Evidence, NodeRecord
from graph.schema.vocabulary import NodeKind, Predicate
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


def probabilities(diagnoser: Diagnoser, query: DiagnoseQuery) -> dict[str, float]:
    result = diagnoser.diagnose(query)
    return {c.cause: c.probability for c in result.candidates} | {"other": result.other_probability}


def explains(diagnoser: Diagnoser, cause: str, symptom: str) -> bool:
    chain = diagnoser.symptom_chains(cause).get(symptom)
    return chain is not None and not chain.excluded and chain.sensitivity > 0.0


def _findings(query: DiagnoseQuery) -> int:
    return len(query.present) + len(query.absent) + len(query.exposures)


both_worlds = st.booleans().flatmap(lambda real: diagnosers_and_queries(real))


@PROPERTY_SETTINGS
@given(case=both_worlds, data=st.data())
def test_a_present_symptom_never_lowers_the_causes_it_explains(
    case: tuple[Diagnoser, DiagnoseQuery], data: st.DataObject
) -> None:
    """Relative to any cause that does not explain it (and to `other`), a cause that explains
    a newly reported symptom never loses ground, while the report is read in full. Past
    `independent_findings` every log-ratio is weighted down as findings are added (section 8
    of docs/scoring.md), so a weak new finding can dilute a lead built by stronger ones."""
    diagnoser, query = case
    assume(_findings(query) + 1 <= diagnoser.params.independent_findings)
    free = [n.id for n in diagnoser.graph.nodes(NodeKind.SYMPTOM) if n.id not in query.absent]
    assume(free)
    symptom = data.draw(st.sampled_from(free))
    before = probabilities(diagnoser, query)
    after = probabilities(
        diagnoser, DiagnoseQuery.of(query.present | {symptom}, query.absent, query.exposures, 50)
    )
    for x in before:
        if x == "other" or not explains(diagnoser, x, symptom):
            continue
        for y in before:
            unexplained = y == "other" or not explains(diagnoser, y, symptom)
            if unexplained and before[y] > 0.0 and after[y] > 0.0:
                assert after[x] / after[y] >= before[x] / before[y] * (1 - 1e-9)


@PROPERTY_SETTINGS
@given(case=both_worlds, data=st.data())
def test_an_absent_symptom_never_raises_the_causes_it_explains(
    case: tuple[Diagnoser, DiagnoseQuery], data: st.DataObject
) -> None:
    diagnoser, query = case
    # Read in full: past `independent_findings`, adding any finding weights the earlier ones
    # down, which can also narrow a gap the absence widens (see the test above).
    assume(_findings(query) + 1 <= diagnoser.params.independent_findings)
    free = [n.id for n in diagnoser.graph.nodes(NodeKind.SYMPTOM) if n.id not in query.present]
    assume(free)
    symptom = data.draw(st.sampled_from(free))
    before = probabilities(diagnoser, query)
    after = probabilities(
        diagnoser, DiagnoseQuery.of(query.present, query.absent | {symptom}, query.exposures, 50)
    )
    # In a database pack (no condition profile) an absence is a feature someone checked, worth
    # up to `checked_ratio` for a cause that shows it (docs/scoring.md, section 8): a cause
    # may gain that much at most, never more; the knee pack's causes never gain.
    [model] = diagnoser.models.values()
    bound = 1.0 if model.profiled else diagnoser.params.checked_ratio
    for x in before:
        if x != "other" and explains(diagnoser, x, symptom) and before["other"] > 0.0:
            assert after[x] / after["other"] <= before[x] / before["other"] * bound * (1 + 1e-9)


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
def test_probabilities_sum_to_one_and_ties_share_a_rank(
    case: tuple[Diagnoser, DiagnoseQuery],
) -> None:
    diagnoser, query = case
    result = diagnoser.diagnose(query)
    listed = [c.probability for c in result.candidates]
    assert sum(listed) + result.other_probability + result.unlisted_probability == (
        pytest.approx(1.0)
    )
    for higher, lower in itertools.pairwise(listed):
        assert lower <= higher * (1 + 1e-9)
    order = diagnoser.graph.content_order
    for a, b in itertools.pairwise(result.candidates):
        if a.rank == b.rank:
            assert math.isclose(a.probability, b.probability, rel_tol=1e-8)
            assert b.cause in a.tied_with
            # Within a tie: the higher prior first, then the content's own order.
            assert (-a.prior, order[a.cause]) < (-b.prior, order[b.cause])
        else:
            assert b.rank > a.rank
            assert b.probability < a.probability
    question = result.next_question
    assert result.should_stop is (question is None)
    if question is not None:
        asked = query.present | query.absent | query.exposures | query.absent_exposures
        assert question.node not in asked
        assert question.information_gain > 0.0
