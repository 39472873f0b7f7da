"""Issue 22's eighth round: pairs across listed findings and a judgement after a comma, heads
written with "'s", a head "as well" after a pair, a "normal" pair opening its own clause, and
phrases read through a stress word inside them."""

from __future__ import annotations

import pytest

from graph.text.parse import Parser


def found(parser: Parser, text: str) -> dict[str, str]:
    _, mentions = parser.parse(text, "knee")
    return {m.node_id: m.polarity.value for m in mentions}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The qualifier before other findings listed with the head.
        (
            "My knee is swollen, red and hot.",
            {
                "symptom:swelling": "present",
                "symptom:redness": "present",
                "symptom:warmth": "present",
            },
        ),
        # A listed finding with a word of its own between is no list: "hot" stays unread.
        ("The knee is swollen and the bath was hot.", {"symptom:swelling": "present"}),
        # A judgement after a comma: right after it, or in a clause on "which".
        ("B12 was 140, low apparently.", {"cause:vitamin-b12-deficiency": "present"}),
        (
            "My calcium came back at 2.0, which the GP called low.",
            {"cause:calcium-deficiency": "present"},
        ),
        # Any other clause after the comma keeps them apart.
        ("My calcium is checked yearly, my iron is low.", {}),
        # A head written with "'s".
        ("Calcium's low again.", {"cause:calcium-deficiency": "present"}),
        # A head "as well" or "too" after a pair shares its qualifier.
        (
            "My vitamin D is low and my calcium too.",
            {"cause:vitamin-d-deficiency": "present", "cause:calcium-deficiency": "present"},
        ),
        (
            "My B6 is fine and my B12 as well.",
            {"cause:vitamin-b6-deficiency": "absent", "cause:vitamin-b12-deficiency": "absent"},
        ),
        # A "normal" pair that opens a clause after a denial of another finding.
        (
            "No pain, balance is fine.",
            {"symptom:pain-or-discomfort": "absent", "symptom:trouble-balancing": "absent"},
        ),
        ("Balance is not fine.", {"symptom:trouble-balancing": "present"}),
        # A stress word inside a phrase is read through.
        ("I'm not really drinking enough water.", {"cause:dehydration": "present"}),
        ("Really stiff knee.", {"symptom:stiffness": "present"}),
    ],
)
def test_pairs_and_phrases(parser: Parser, text: str, expected: dict[str, str]) -> None:
    assert found(parser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I overdid it at the gym.", {"cause:overuse": "present"}),
        ("My calf went rock hard.", {"symptom:severe-painful-cramps": "present"}),
        ("My foot went dead.", {"symptom:numbness": "present"}),
        ("He gave me a dead leg.", {}),  # a bruise, not numbness
        ("The left knee is bigger than the right.", {"symptom:swelling": "present"}),
        ("I gag on food.", {"symptom:difficulty-swallowing": "present"}),
        (
            "The cramps come more and more often.",
            {
                "symptom:severe-painful-cramps": "present",
                "symptom:persistent-or-worsening": "present",
            },
        ),
        ("My diet is pretty poor.", {"cause:nutrient-deficiency": "present"}),
        ("my vitamin b six is low", {"cause:vitamin-b6-deficiency": "present"}),
        ("I've started vitamin D.", {"cause:medications-and-supplements": "present"}),
        ("They put me on tablets.", {"cause:medications-and-supplements": "present"}),
        ("Three hours on my feet the whole time.", {"cause:overuse": "present"}),
        ("I'm on pred.", {"cause:corticosteroids": "present"}),
    ],
)
def test_round_eight_lexicon(parser: Parser, text: str, expected: dict[str, str]) -> None:
    assert found(parser, text) == expected
