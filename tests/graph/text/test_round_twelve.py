"""Issue 22's twelfth round: the general mechanisms its misses showed. Each fix was read
otherwise before (texting's "nt swolen" as swelling present, "Pre-season" as prednisolone);
the guards must stay."""

from __future__ import annotations

import pytest

from graph.text.parse import Parser
from tests.graph.text.test_round_nine import mentions

TWITCHING = "symptom:visible-twitching present"
SWELLING_ABSENT = "symptom:swelling absent"
PAIN = "symptom:pain-or-discomfort present"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Texting's spellings of the small words.
        ("knee twtchn agn 2nite, nt swolen tho", [TWITCHING, SWELLING_ABSENT]),
        ("hvnt drunk ny water 2day", ["cause:dehydration present"]),
        # A list's cross mark says no; a tick leaves the finding present.
        ("swelling ❌", [SWELLING_ABSENT]),
        ("• pain ✅\n• swelling❌", [PAIN, SWELLING_ABSENT]),
        # A denial pointing at a list reaches the whole list.
        (
            "No to all of them: swelling, redness, numbness.",
            [SWELLING_ABSENT, "symptom:redness absent", "symptom:numbness absent"],
        ),
        # A time something ended, or coming off a medicine, puts it in the past.
        ("Was on indapamide for blood pressure till last year.", ["cause:diuretics uncertain"]),
        ("I came off the steroids in March.", ["cause:corticosteroids uncertain"]),
        # A relative taken up by a pronoun, past a "still".
        (
            "Dad's on Lasix and his knee is still puffy.",
            ["cause:diuretics present/family", "symptom:swelling present/family"],
        ),
        # Texting's "ur" is the friend the message is to.
        ("ur on pred innit", ["cause:corticosteroids present/family"]),
        # A lone past form ("pred", to the dictionary "pre" + d) is not met by its bare stem.
        ("Pre-season starts on Monday.", []),
        # Everyday words under the lexicon's excerpts.
        ("Bit of a niggle still.", [PAIN]),
        ("Physio says I've got full range back.", ["symptom:limited-range-of-motion absent"]),
        ("She was steady on her feet today.", ["symptom:trouble-balancing absent"]),
        ("Eating and drinking well.", ["cause:dehydration absent"]),
        ("I get next to no calcium.", ["cause:calcium-deficiency present"]),
        ("quads jumping like popcorn", ["symptom:jerking present"]),
        ("My legs feel like lead.", ["cause:muscle-fatigue present"]),
        ("I did 100 star jumps.", ["cause:overuse present"]),
        ("Up and down the ladder all weekend.", ["cause:overuse present"]),
        ("running loads", ["cause:overuse present"]),
        ("Twitchy after the double session.", [TWITCHING, "cause:overuse present"]),
        ("No problem bending it.", ["symptom:limited-range-of-motion absent"]),
    ],
)
def test_round_twelve_fixes(parser: Parser, text: str, expected: list[str]) -> None:
    assert mentions(parser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "pred" as written still names the medicine.
        ("On pred for my chest.", ["cause:corticosteroids present"]),
        # After a denial, a time says when the thing began.
        ("No pain until last year.", [PAIN]),
        # A form's or a doctor's "you" is the patient.
        ("Are you on anything? No.", ["cause:medications-and-supplements absent"]),
        # "just" still ends a scope about others.
        (
            "None of the numbness people describe with MS, just the twitch.",
            ["symptom:numbness absent", "cause:multiple-sclerosis present/family", TWITCHING],
        ),
        # A tick is no denial; "steady" alone names nothing; "unsteady" is the trouble.
        ("twitching ✅", [TWITCHING]),
        ("Unsteady on my feet.", ["symptom:trouble-balancing present"]),
        # Small counts and an activity alone stay unread.
        ("I did 10 star jumps.", []),
        ("I decorate cakes for a living.", []),
        # A problem in another clause is not the bending's.
        ("I had a problem at work, bending down to lift boxes.", []),
    ],
)
def test_round_twelve_guards(parser: Parser, text: str, expected: list[str]) -> None:
    assert mentions(parser, text) == expected
