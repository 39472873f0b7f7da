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
        # Swelling said as a size, of the knee.
        (
            "Day 3 after the half marathon, knee still the size of a grapefruit",
            ["cause:overuse present", "symptom:swelling present"],
        ),
        ("Right knee's like a balloon this morning.", ["symptom:swelling present"]),
        # A level judged bad in everyday words, and "D levels" for vitamin D's.
        (
            "I basically never go outside and my D levels are awful.",
            ["cause:vitamin-d-deficiency present"],
        ),
        ("my vitamin D level was terrible", ["cause:vitamin-d-deficiency present"]),
        (
            "My magnesium levels were terrible on the last bloods.",
            ["cause:magnesium-deficiency present"],
        ),
        ("My D level is fine.", ["cause:vitamin-d-deficiency absent"]),
        # Labour and machines of other trades and sports, and shifts worked back to back.
        (
            "Been laying blocks on site all week, and now my right knee's puffed up.",
            ["cause:overuse present", "symptom:swelling present"],
        ),
        (
            "I've been doing double shifts on the bike, legs are cramping every night.",
            ["cause:overuse present", "symptom:severe-painful-cramps present"],
        ),
        (
            "After the erg my quads cramped.",
            ["cause:overuse present", "symptom:severe-painful-cramps present"],
        ),
        # "Heat" denied on its own answers whether the knee is warm; heat coming off it is warmth.
        ("No heat.", ["symptom:warmth absent"]),
        (
            "No redness, no heat, nothing to see except the twitch.",
            [
                "symptom:redness absent",
                "symptom:warmth absent",
                "symptom:visible-twitching present",
            ],
        ),
        ("Heat coming off it like a radiator.", ["symptom:warmth present"]),
        # A lone head that modifies a remedy: its denial is the remedy's.
        ("Nothing helps the stiffness, not even the heat pad.", ["symptom:stiffness present"]),
        ("I haven't packed my gym bag in weeks.", []),
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
        # A size of something other than the knee, or "twice the size" of a brace, is no
        # swelling.
        ("A bruise the size of a golf ball on my shin.", []),
        ("The hailstones were the size of a golf ball.", []),
        ("My knee brace is twice the size of the old one.", []),
        ("I bought a ball twice the size of my knee.", []),
        ("My knee doesn't look double the size any more.", []),
        # A judgment of something other than the level: a feeling, a taste, a person, a grade.
        ("I felt awful after the vitamin D shot.", []),
        ("Magnesium is awful stuff to swallow.", []),
        ("My magnesium was terrible on the last bloods.", []),
        ("Vitamin D and calcium, the pharmacist was dreadful about it.", []),
        ("My A levels were awful.", []),
        # A trade, a machine or a plan named without hard, long or repeated use is no overuse.
        ("I'm a bricklayer.", []),
        ("We're tiling the bathroom next month.", []),
        ("The erg is broken at the club.", []),
        ("Laying bricks is my trade, no knee trouble.", []),
        ("Is the rowing machine bad for knees?", []),
        ("I don't do double shifts any more.", ["cause:overuse absent"]),
        # "Heat" unnegated is the weather or a treatment, wherever the knee is.
        ("Sweating buckets in this heat and only drinking coffee.", []),
        ("Pain in my knee in this heat.", ["symptom:pain-or-discomfort present"]),
        ("My knee aches in the heat.", ["symptom:pain-or-discomfort present"]),
        ("A heat pack on my knee helps.", []),
        ("The heating is broken and my knee is stiff.", ["symptom:stiffness present"]),
        ("I can't stand the heat, my knee swells.", ["symptom:swelling present"]),
        ("Ice or heat for a twitching knee?", ["symptom:visible-twitching present"]),
        ("No heat, no swelling.", ["symptom:warmth absent", "symptom:swelling absent"]),
        ("I don't run.", ["cause:overuse absent"]),
        ("Been lugging bags of cement all day.", ["cause:overuse present"]),
        ("Hauling packs of tiles all week.", ["cause:overuse present"]),
        ("Magnesium tablets taste awful.", ["cause:medications-and-supplements present"]),
        (
            "My calcium is fine but the cramps are terrible.",
            ["cause:calcium-deficiency absent", "symptom:severe-painful-cramps present"],
        ),
    ],
)
def test_round_seventeen_guards(parser: Parser, text: str, expected: list[str]) -> None:
    assert mentions(parser, text) == expected
