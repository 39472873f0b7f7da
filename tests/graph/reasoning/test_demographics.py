"""A query's sex and age of onset as evidence (issue 21, item 5), in both model forms."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.knowledge import KnowledgeGraph
from graph.reasoning import DiagnoseQuery, Diagnoser, InvalidQueryError, ModelParameters
from tests.paths import KNEE_PACK

# Every disease of the fixture has these two, equally often: only demographics tell them apart.
BOTH = ("symptom:hp-0001250", "symptom:hp-0001263")
X_LINKED, TWO_MODES, LATE, ANTENATAL, OVARIAN = (
    "cause:omim-300001",  # male (X-linked recessive), congenital onset
    "cause:omim-300002",  # nothing known
    "cause:omim-100003",  # late onset
    "cause:omim-100004",  # antenatal onset
    "cause:omim-100005",  # female (the sex column)
)


@pytest.fixture(scope="module", params=["dense", "sparse"])
def diagnoser(request: pytest.FixtureRequest, demographics_pack: Path) -> Diagnoser:
    graph = KnowledgeGraph.from_packs([demographics_pack])
    cells = 250_000 if request.param == "dense" else 0
    return Diagnoser(graph, ModelParameters(dense_cells=cells))


def _probabilities(
    diagnoser: Diagnoser, sex: str | None = None, age: str | None = None
) -> dict[str, float]:
    result = diagnoser.diagnose(DiagnoseQuery.of(BOTH, limit=10, sex=sex, age=age))
    return {c.cause: c.probability for c in result.candidates}


def test_without_demographics_the_diseases_tie(diagnoser: Diagnoser) -> None:
    found = _probabilities(diagnoser)
    assert len({round(p, 12) for p in found.values()}) == 1


@pytest.mark.parametrize(
    ("sex", "cause", "ratio"),
    [
        ("male", X_LINKED, 1.9),  # 0.95 against 0.5
        ("female", X_LINKED, 0.1),  # 0.05 against 0.5
        ("female", OVARIAN, 1.9),
        ("male", OVARIAN, 0.1),
        ("unknown", X_LINKED, 1.0),
    ],
)
def test_sex_weighs_the_causes_described_in_one_sex(
    diagnoser: Diagnoser, sex: str, cause: str, ratio: float
) -> None:
    found = _probabilities(diagnoser, sex=sex)
    assert found[cause] / found[TWO_MODES] == pytest.approx(ratio)


@pytest.mark.parametrize(
    ("age", "against"),
    [
        # Late onset: congenital and antenatal are far; the late disease is not moved.
        ("late", {X_LINKED, ANTENATAL}),
        # Neonatal is next to congenital (one band), two from antenatal.
        ("neonatal", {ANTENATAL, LATE}),
        ("antenatal", {LATE}),
        ("adult", {X_LINKED, ANTENATAL}),
    ],
)
def test_an_age_counts_against_causes_whose_onset_classes_exclude_it(
    diagnoser: Diagnoser, age: str, against: set[str]
) -> None:
    found = _probabilities(diagnoser, age=age)
    ratios = {c: found[c] / found[TWO_MODES] for c in (X_LINKED, LATE, ANTENATAL)}
    assert {c for c, r in ratios.items() if r == pytest.approx(0.1)} == against
    assert all(r == pytest.approx(1.0) for c, r in ratios.items() if c not in against)


def test_the_answer_says_what_was_used_and_why(diagnoser: Diagnoser) -> None:
    result = diagnoser.diagnose(DiagnoseQuery.of(BOTH, sex="unknown", age="late"))
    sex, age = result.demographics
    assert (sex.field, sex.value, sex.used) == ("sex", "unknown", False)
    assert (age.field, age.value, age.used) == ("age", "late", True)
    assert "2 causes" in age.reason
    # Demographics are not findings a cause matches, and never the next question.
    assert all(c.matched == BOTH for c in result.candidates)
    question = result.next_question
    assert question is None or question.kind.value != "demographic"


def test_the_knee_pack_ignores_them_and_says_why() -> None:
    diagnoser = Diagnoser(KnowledgeGraph.from_packs([KNEE_PACK]))
    query = DiagnoseQuery.of(["symptom:visible-twitching"])
    plain = diagnoser.diagnose(query)
    told = diagnoser.diagnose(DiagnoseQuery.of(query.present, sex="female", age="late"))
    assert told.candidates == plain.candidates
    assert [(u.field, u.used) for u in told.demographics] == [("sex", False), ("age", False)]
    assert "gives no sex" in told.demographics[0].reason


def test_bad_values_are_refused(diagnoser: Diagnoser) -> None:
    with pytest.raises(InvalidQueryError) as info:
        diagnoser.diagnose(DiagnoseQuery.of(BOTH, sex="other", age="teenage"))
    assert [(field, value) for field, value, _ in info.value.issues] == [
        ("sex", "other"),
        ("age", "teenage"),
    ]
