"""Issue 22's seventeenth round: the classes of misses its sentences showed. Each fix was missed,
or read with the wrong status, before; each guard reads the same before and after."""

from __future__ import annotations

import pytest

from graph.text.parse import Parser
from tests.graph.text.test_round_nine import mentions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "No wonder" says the thing is unsurprising, not that it is absent.
        (
            "No wonder my knee is swollen, I knelt on tiles all day.",
            ["symptom:swelling present", "cause:overuse present"],
        ),
        ("No wonder it hurts.", ["symptom:pain-or-discomfort present"]),
    ],
)
def test_round_seventeen_fixes(parser: Parser, text: str, expected: list[str]) -> None:
    assert mentions(parser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "no wonder": a negation before it, a question, a verb or another sense of "wonder"
        # keep their readings.
        ("Small wonder my legs cramp.", ["symptom:severe-painful-cramps present"]),
        ("No swelling, no wonder I'm confused.", ["symptom:swelling absent"]),
        ("It doesn't swell, no wonder the physio was puzzled.", ["symptom:swelling absent"]),
        ("I wonder if it's swollen.", ["symptom:swelling uncertain"]),
        ("No wondering about it, the knee isn't swollen.", ["symptom:swelling absent"]),
        ("The wonder drug didn't stop the cramps.", ["symptom:severe-painful-cramps present"]),
    ],
)
def test_round_seventeen_guards(parser: Parser, text: str, expected: list[str]) -> None:
    assert mentions(parser, text) == expected
