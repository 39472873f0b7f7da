"""Issue 22's tenth round: the general mechanisms its misses showed. Each case marked as a
fix was read otherwise before (advice and a leaflet's statements as the writer's findings, a
captain's MS the writer's, "no car, walking for hours" as no overuse); the guards must stay."""

from __future__ import annotations

import pytest

from graph.text.parse import Parser
from tests.graph.text.test_round_nine import mentions

CRAMPS = "symptom:severe-painful-cramps present"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Advice and a leaflet's conditions name no finding.
        ("Ring back if the knee gets red or swollen.", []),
        ("See your GP if you notice any numbness.", []),
        ("Contact your doctor if you experience muscle cramps.", []),
        # Statements of what can cause what, to the sentence's end.
        ("Side effects include dizziness and muscle cramps.", []),
        ("Common causes of knee swelling include arthritis and gout.", []),
        # ... but the writer's own clause after one is theirs.
        (
            "Furosemide can cause cramps, and I get cramps every night.",
            ["cause:diuretics present", CRAMPS],
        ),
        # A captain is someone else.
        ("Our captain has MS.", ["cause:multiple-sclerosis present/family"]),
        # An activity pair is denied only in its own clause.
        ("No car this week, walking for hours every day.", ["cause:overuse present"]),
        # A shorter qualifier inside another record's longer one counts for its own.
        ("My knees are killing me.", ["symptom:pain-or-discomfort present"]),
        # A negation that has reached its finding stops at the writer's "my".
        (
            "I have no trouble swallowing my tablets.",
            [
                "symptom:difficulty-swallowing absent",
                "cause:medications-and-supplements present",
            ],
        ),
        # Lexicon words, each under an excerpt.
        ("Fluid intake has been poor.", ["cause:dehydration present"]),
        ("My electrolytes are all over the place.", ["cause:electrolyte-imbalance present"]),
        ("Calcium at the bottom of the range.", ["cause:calcium-deficiency present"]),
        ("My quads are toast.", ["cause:muscle-fatigue present"]),
        ("Been lugging bags of cement all day.", ["cause:overuse present"]),
        ("Hours of rehearsal every day this month.", ["cause:overuse present"]),
        ("Training load says overreaching.", ["cause:overuse present"]),
        ("No erythema.", ["symptom:redness absent"]),
        (
            "Denies speech or swallowing difficulty.",
            ["symptom:difficulty-speaking absent", "symptom:difficulty-swallowing absent"],
        ),
        ("My balance has gone to pot.", ["symptom:trouble-balancing present"]),
        ("cant feel my knee", ["symptom:numbness present"]),
        ("She's not eating or drinking.", ["cause:dehydration present"]),
        ("I went two days without a glass of water.", ["cause:dehydration present"]),
        ("The muscle keeps flicking.", ["symptom:visible-twitching present"]),
    ],
)
def test_round_ten_fixes(parser: Parser, text: str, expected: list[str]) -> None:
    assert mentions(parser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A bare "if" is no condition cue: the writer's own cramps.
        (
            "I get cramps if I don't drink enough.",
            [CRAMPS, "cause:dehydration present"],
        ),
        # A denial in the activity's own clause still stands.
        ("I haven't been walking for hours, just a bit.", ["cause:overuse absent"]),
        # A negation before any finding still reaches the writer's tablets.
        ("I'm not taking my tablets.", ["cause:medications-and-supplements absent"]),
        ("My knee is jumping.", ["symptom:jerking present"]),
        # "Screaming" names pain only with a leg or knee before it.
        ("The kids were screaming all afternoon.", []),
        # An intake alone is no fluid intake.
        ("My calcium intake is poor.", ["cause:calcium-deficiency present"]),
        # A coach's athlete or player is the patient, not someone else.
        ("Player says his knee is swollen.", ["symptom:swelling present"]),
    ],
)
def test_round_ten_guards(parser: Parser, text: str, expected: list[str]) -> None:
    assert mentions(parser, text) == expected
