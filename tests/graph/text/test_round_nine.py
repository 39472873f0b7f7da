"""Issue 22's ninth round: the general mechanisms its misses showed. Each case was read
otherwise before (a bare "warm" was warmth, a colleague's MS the writer's, "a run of four
nights" running, "mine was fine" nothing)."""

from __future__ import annotations

import pytest

from graph.text.parse import Experiencer, Parser


def mentions(parser: Parser, text: str) -> list[str]:
    """Each mention in order as `node status`, with `/family` for someone else's."""
    _, found = parser.parse(text, "knee")
    return [
        f"{m.node_id} {m.polarity.value}"
        + ("/family" if m.experiencer is Experiencer.FAMILY else "")
        for m in found
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A bare "warm" is warmth only said of the knee, or negated on its own.
        ("Lovely warm afternoon, sat in the garden.", []),
        ("I always warm up before running.", []),
        ("Gaz pulled his hamstring in the warm-up.", []),
        ("Warming up before the game.", []),
        ("I warm up my knee before running.", []),
        ("a warm bath helps my knee", []),
        ("the knee is warm", ["symptom:warmth present"]),
        ("It feels warm.", ["symptom:warmth present"]),
        ("Is it warm? Yes.", ["symptom:warmth present"]),
        ("Not hot.", ["symptom:warmth absent"]),
        (
            "Twitching knee. Not red. Not warm.",
            [
                "symptom:visible-twitching present",
                "symptom:redness absent",
                "symptom:warmth absent",
            ],
        ),
        # Fixed phrases whose words name nothing.
        ("The red team won on Saturday.", []),
        ("Surviving on Red Bull.", []),
        ("Any red flags I should know about?", []),
        (
            "After a run of night shifts my knee twitches.",
            ["symptom:visible-twitching present"],
        ),
    ],
)
def test_warmth_and_fixed_phrases(parser: Parser, text: str, expected: list[str]) -> None:
    assert mentions(parser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # People named by what they are to the writer are others; the writer's self-
        # description is not, and a possessive tied to the other by a preposition is theirs.
        ("A colleague on my shift has MS.", ["cause:multiple-sclerosis present/family"]),
        ("Saw on the news that a footballer has ALS.", ["cause:als present/family"]),
        ("I'm a teacher and my knee is swollen.", ["symptom:swelling present"]),
        ("Meine Mutter hat MS.", ["cause:multiple-sclerosis present/family"]),
        # A search names a worry.
        ("Dr Google says ALS.", ["cause:als uncertain"]),
        # A denied end, a correction's alternative, answers.
        (
            "The twitching hasn't gone, it's just less noticeable.",
            ["symptom:visible-twitching present"],
        ),
        (
            "It's not numbness, more of a dull ache.",
            ["symptom:numbness absent", "symptom:pain-or-discomfort present"],
        ),
        (
            "Any trouble with swallowing or speech? Neither.",
            ["symptom:difficulty-swallowing absent", "symptom:difficulty-speaking absent"],
        ),
        (
            "Are you on anything? - No, nothing at all.",
            ["cause:medications-and-supplements absent"],
        ),
    ],
)
def test_context(parser: Parser, text: str, expected: list[str]) -> None:
    assert mentions(parser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A lone activity is denied only in its own clause.
        ("Didn't stretch, went straight into sprints.", []),
        ("I don't run.", ["cause:overuse absent"]),
        # A denial until a time still to come stands; until a time past, it is lifted.
        ("Not training till the physio has a look.", ["cause:overuse absent"]),
        (
            "I've never had a cramp in my life until this week.",
            ["symptom:severe-painful-cramps present"],
        ),
        # An "-ing" activity is met by its verb forms, not by a noun of the same lemma.
        ("There was no lift.", []),
        ("Warming up in the sauna after a cold swim.", []),
        ("Haven't trained since March.", ["cause:overuse absent"]),
        # Words of how often are read through inside a phrase; the knee as what jumps.
        ("Knee sometimes jumps at night.", ["symptom:jerking present"]),
        ("By 5am my knee is jumping.", ["symptom:jerking present"]),
        ("I jump and my knee is sore.", ["symptom:pain-or-discomfort present"]),
        ("Can't quite get the leg straight.", ["symptom:limited-range-of-motion present"]),
        (
            "GP said my magnesium's a touch under where it should be.",
            ["cause:magnesium-deficiency present"],
        ),
        (
            "Since upping to 40 miles a week my knee aches.",
            ["cause:overuse present", "symptom:pain-or-discomfort present"],
        ),
        ("I forget to drink water on nights.", ["cause:dehydration present"]),
        ("GP has given me a loading dose.", ["cause:medications-and-supplements present"]),
        ("I've been doing loads of yoga.", ["cause:overuse present"]),
    ],
)
def test_pairs_and_phrases(parser: Parser, text: str, expected: list[str]) -> None:
    assert mentions(parser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "My mom has ALS and I'm scared I have it too.",
            ["cause:als present/family", "cause:als uncertain"],
        ),
        (
            "It's my brother who has the low vitamin D, mine was fine.",
            ["cause:vitamin-d-deficiency present/family", "cause:vitamin-d-deficiency absent"],
        ),
        (
            "My sister has low B12 and mine is low too.",
            ["cause:vitamin-b12-deficiency present/family", "cause:vitamin-b12-deficiency present"],
        ),
        # "It" without "too" may be the writer's knee; a friend of the writer's is another.
        (
            "My dad has cramps and I have it every night.",
            ["symptom:severe-painful-cramps present/family"],
        ),
        ("A friend of mine has MS.", ["cause:multiple-sclerosis present/family"]),
    ],
)
def test_the_writer_takes_up_a_relatives_finding(
    parser: Parser, text: str, expected: list[str]
) -> None:
    assert mentions(parser, text) == expected
