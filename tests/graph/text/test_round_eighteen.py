"""Issue 22's eighteenth round: the classes of misses its sentences showed. Each fix was missed,
or read with the wrong status, before; each guard reads the same before and after."""

from __future__ import annotations

import pytest

from graph.text.parse import Parser
from tests.graph.text.test_round_nine import mentions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A plus or an ampersand between words is a note's "and": what the knee is said to be
        # before it holds after it too.
        (
            "Caller reports L knee swollen + warm since yesterday, no fall, no fever.",
            ["symptom:swelling present", "symptom:warmth present"],
        ),
        ("Knee swollen & warm.", ["symptom:swelling present", "symptom:warmth present"]),
        # A relative named without "my" as a question's subject: the finding is theirs.
        ("sis did mum say if her knee was red?? x", ["symptom:redness present/family"]),
        ("Has dad had the swelling looked at?", ["symptom:swelling present/family"]),
        # Food that sticks again and again is difficulty swallowing (the node's excerpt).
        ("Food keeps getting stuck on the way down.", ["symptom:difficulty-swallowing present"]),
        ("Food kept getting stuck last week.", ["symptom:difficulty-swallowing present"]),
        # Speech reported last of someone the sentence names, with nothing in it the writer's.
        (
            "nope her knee's not red, just bit swollen she said x",
            ["symptom:redness absent/family", "symptom:swelling present/family"],
        ),
    ],
)
def test_round_eighteen_fixes(parser: Parser, text: str, expected: list[str]) -> None:
    assert mentions(parser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A sign written against a word, or joining things that name nothing, joins nothing.
        ("2 + 2 is 4.", []),
        ("Cup of tea & a biscuit.", []),
        ("Hot & sunny today, went for a swim.", []),
        ("Mum + dad both have MS.", ["cause:multiple-sclerosis present/family"]),
        ("My knee is fine + no swelling.", ["symptom:swelling absent"]),
        ("No swelling + no redness.", ["symptom:swelling absent", "symptom:redness absent"]),
        (
            "Twitching + cramps in the calf.",
            ["symptom:visible-twitching present", "symptom:severe-painful-cramps present"],
        ),
        ("red & hot knee", ["symptom:redness present", "symptom:warmth present"]),
        ("CD4+ counts were normal & stable.", []),
        # The writer's own "my" after the relative, or a relative who is no subject.
        ("What did Dad say about my swelling?", ["symptom:swelling present"]),
        ("Did mum say I should ice my swollen knee?", ["symptom:swelling present"]),
        ("How is mum? My knee is swollen.", ["symptom:swelling present"]),
        ("Is mum right that my knee looks red?", ["symptom:redness present"]),
        ("Did the twitching stop?", ["symptom:visible-twitching present"]),
        ("Does it hurt when mum hugs you?", ["symptom:pain-or-discomfort present"]),
        ("Is Dad OK? Asking because my knee is red.", ["symptom:redness present"]),
        # Reported speech about the writer's own knee, or not said last.
        ("It's a bit swollen, she said, so I should rest it.", ["symptom:swelling present"]),
        ("She said my knee looks red.", ["symptom:redness present"]),
        ("My knee is swollen, he said it's nothing.", ["symptom:swelling present"]),
        ("My knee is red, she said.", ["symptom:redness present"]),
        ("Twitching again, he says, and worse at night.", ["symptom:visible-twitching present"]),
        ("I asked the physio and it's not swollen she said.", ["symptom:swelling absent"]),
        ("Not swollen, the doctor said.", ["symptom:swelling absent"]),
        # Other things that get stuck.
        ("I got stuck on the way down the mountain.", []),
        ("The lift keeps getting stuck.", []),
        ("I keep getting stuck in traffic and my knee stiffens.", ["symptom:stiffness present"]),
        ("The words stuck in my throat when I tried to thank her.", []),
        ("My car kept getting stuck in the mud.", []),
    ],
)
def test_round_eighteen_guards(parser: Parser, text: str, expected: list[str]) -> None:
    assert mentions(parser, text) == expected
