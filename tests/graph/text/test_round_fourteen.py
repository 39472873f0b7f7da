"""Issue 22's fourteenth round: the classes of misses its sentences showed. Each was read as
nothing, or with the wrong status, before; the guards must stay as they are."""

from __future__ import annotations

import pytest

from graph.text.parse import Parser
from tests.graph.text.test_round_nine import mentions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A verb's denial and a "without" in one clause say always: the finding is present.
        ("I can't run for long without cramping.", ["symptom:severe-painful-cramps present"]),
        (
            "I can't walk far without the calf cramping up.",
            ["symptom:severe-painful-cramps present"],
        ),
        ("I cannot kneel without pain.", ["symptom:pain-or-discomfort present"]),
        ("Never go a night without my knee twitching.", ["symptom:visible-twitching present"]),
        (
            "I rarely finish a set without my knee twitching.",
            ["symptom:visible-twitching present"],
        ),
        # A chat pasted whole: the speaker's name before an answer, one-word answers run together.
        (
            "Assistant: Do you have any swelling or redness? User: nope neither",
            ["symptom:swelling absent", "symptom:redness absent"],
        ),
        ("Any swelling? Patient: no", ["symptom:swelling absent"]),
        # Denials run together without commas, as a text in capitals writes them.
        (
            "NOT SWOLLEN NOT HOT JUST TWITCHY",
            [
                "symptom:swelling absent",
                "symptom:warmth absent",
                "symptom:visible-twitching present",
            ],
        ),
    ],
)
def test_round_fourteen_fixes(parser: Parser, text: str, expected: list[str]) -> None:
    assert mentions(parser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A "without" with no denial before it in its clause still denies.
        ("I walked to work without pain.", ["symptom:pain-or-discomfort absent"]),
        ("No cramps, without any stretching.", ["symptom:severe-painful-cramps absent"]),
        ("I can't complain, I walk without any pain.", ["symptom:pain-or-discomfort absent"]),
        # A denial before a comma or a "without" read as such stays its own.
        (
            "Family history of multiple sclerosis, no swelling.",
            ["cause:multiple-sclerosis present/family", "symptom:swelling absent"],
        ),
        # Answers that disagree settle nothing.
        ("Any swelling? yes no", ["symptom:swelling present"]),
        ("Not swollen and hot.", ["symptom:swelling absent"]),
    ],
)
def test_round_fourteen_guards(parser: Parser, text: str, expected: list[str]) -> None:
    assert mentions(parser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The twitching verbs' other forms.
        ("My kneecap has started to quiver.", ["symptom:visible-twitching present"]),
        ("The muscle quivered all evening.", ["symptom:visible-twitching present"]),
        # Drinking too little, said as not remembering or in a translator's words.
        ("I can never remember to drink enough.", ["cause:dehydration present"]),
        ("I am drinking small water.", ["cause:dehydration present"]),
        ("I drink very little water.", ["cause:dehydration present"]),
        # Many classes of an activity in one day.
        ("I teach six yoga classes a day.", ["cause:overuse present"]),
        # Something ticking under the skin, small movements by themselves.
        ("Knee's been ticking away under the skin since.", ["symptom:visible-twitching present"]),
        (
            "My knee is making small movement by itself.",
            ["symptom:visible-twitching present"],
        ),
        # Kicks in sleep, as a bed partner tells it.
        ("My wife says I kick in my sleep.", ["symptom:jerking present"]),
    ],
)
def test_round_fourteen_lexicon(parser: Parser, text: str, expected: list[str]) -> None:
    assert mentions(parser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Some water drunk, a routine activity and a kick while awake stay unread.
        ("I drank a little water at lunch.", []),
        ("I do yoga twice a week.", []),
        ("I kicked the ball over the fence.", []),
        ("The clock is ticking.", []),
        ("I made small movements with the ankle.", []),
        ("My mum kicks in her sleep.", ["symptom:jerking present/family"]),
    ],
)
def test_round_fourteen_lexicon_guards(parser: Parser, text: str, expected: list[str]) -> None:
    assert mentions(parser, text) == expected
