"""Issue 22's fifteenth round: the classes of misses its sentences showed. Each was read with
the wrong status, or as a finding where there is none, before; the guards must stay as they
are."""

from __future__ import annotations

import pytest

from graph.text.parse import Parser
from tests.graph.text.test_round_nine import mentions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A question put to the writer is no statement of theirs: left out unless answered.
        ("Assistant: Are you taking any medications or supplements? User: why?", []),
        ("Do you take any supplements?", []),
        # A bare answer settles it, as a yes, a no or a reply that opens by saying yes.
        (
            "Assistant: Are you taking any medications, such as diuretics? User: no, nothing",
            ["cause:medications-and-supplements absent", "cause:diuretics absent"],
        ),
        ("Have you noticed any swelling? Yes.", ["symptom:swelling present"]),
        ("Have you noticed any swelling? - a little in the evenings", ["symptom:swelling present"]),
        # An answer naming its own finding stands for itself.
        (
            "Are you on any medication? Me: prednisolone for my asthma.",
            ["cause:corticosteroids present"],
        ),
        # A chat assistant's sentence is none of the writer's findings; the writer's answer is.
        ("Assistant: Swelling with redness can point to an infection. User: ok", []),
        (
            "Assistant: Any swelling or redness? User: no",
            ["symptom:swelling absent", "symptom:redness absent"],
        ),
        # A relative's finding stays theirs, though asked about.
        ("Do you have any family history of MS? No.", ["cause:multiple-sclerosis absent/family"]),
        # A statement of where a kind of finding comes from names none of the writer's.
        ("Twitching like this can come from dehydration or tired muscles.", []),
        ("Cramps are often caused by low magnesium.", []),
        # Nobody at all is no one the writer speaks for: someone else's, and denied.
        ("Good match, nobody hurt.", ["symptom:pain-or-discomfort absent/family"]),
        ("No one in my family has MS.", ["cause:multiple-sclerosis absent/family"]),
        # Symptom words in another sense.
        ("I need a stiff drink after that.", []),
        ("We were in a cramped room all day.", []),
        ("I have a tight deadline.", []),
        ("She drives a red car.", []),
        ("I saw a twitch of the curtain.", []),
        ("He took an arrow from his quiver.", []),
    ],
)
def test_round_fifteen_fixes(parser: Parser, text: str, expected: list[str]) -> None:
    assert mentions(parser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Advice names no finding, and a sentence after it that only opens like a reply does
        # not take it up.
        ("See a doctor if you notice weakness. Just wondering what to do.", []),
        ("Do you take any supplements? Sometimes I forget things.", []),
        # The writer's own words end a question's scope.
        ("Do you have any idea why my knee twitches?", ["symptom:visible-twitching present"]),
        # The writer's own finding before a statement of causes keeps its reading.
        ("My twitching can come from stress.", ["symptom:visible-twitching present"]),
        ("No one believes my knee hurts.", ["symptom:pain-or-discomfort present"]),
        # The same words of the body, or of a feeling of it, are the symptom.
        ("I have a stiff knee.", ["symptom:stiffness present"]),
        ("I have a tight IT band.", ["symptom:stiffness present"]),
        ("A numb tingling down my shin.", ["symptom:numbness present", "symptom:numbness present"]),
        ("There is a red rash around my knee.", ["symptom:redness present"]),
        ("I get a twitch of my left quad.", ["symptom:visible-twitching present"]),
        ("My calf cramped up last night.", ["symptom:severe-painful-cramps present"]),
        ("The quiver in my knee is back.", ["symptom:visible-twitching present"]),
    ],
)
def test_round_fifteen_guards(parser: Parser, text: str, expected: list[str]) -> None:
    assert mentions(parser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Swallowing is a struggle these days.", ["symptom:difficulty-swallowing present"]),
        ("Legs go into a knot in bed at night.", ["symptom:severe-painful-cramps present"]),
        ("Her knee has been giving little jolts.", ["symptom:jerking present"]),
        ("She couldn't keep her balance.", ["symptom:trouble-balancing present"]),
        ("My words get tangled.", ["symptom:difficulty-speaking present"]),
        ("ROM within normal limits.", ["symptom:limited-range-of-motion absent"]),
        ("I am not drinking water these days.", ["cause:dehydration present"]),
        ("My leg has no strength.", ["symptom:weakness present"]),
        ("My quads start to tremble.", ["symptom:visible-twitching present"]),
        ("My knee feels fizzy.", ["symptom:numbness present"]),
        ("Hitting serves for hours every day.", ["cause:overuse present"]),
        (
            "Twitchy knee after an hour on the stepper.",
            ["symptom:visible-twitching present", "cause:overuse present"],
        ),
    ],
)
def test_round_fifteen_lexicon(parser: Parser, text: str, expected: list[str]) -> None:
    assert mentions(parser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "Without fail" says always; "as a possibility" hedges what it follows.
        (
            "Without fail, cramp every night.",
            ["symptom:severe-painful-cramps present"],
        ),
        ("The neurologist mentioned MS as a possibility.", ["cause:multiple-sclerosis uncertain"]),
        # A plain "without" still denies; knots and fizz without a limb near are not read.
        ("Without pain I can walk.", ["symptom:pain-or-discomfort absent"]),
        ("My stomach is in knots before exams.", []),
        ("I had a fizzy drink.", []),
        ("I got a jolt of caffeine.", []),
        # Texting's "ny" is "any", which names nothing: a place so written reads the same.
        ("Back in NY I never had cramps.", ["symptom:severe-painful-cramps absent"]),
        ("Moved to ny last year and no twitching since.", ["symptom:visible-twitching absent"]),
        ("Flying back to NY on Sunday.", []),
        (
            "Knee position meat jump, not red.",
            ["symptom:visible-twitching present", "symptom:redness absent"],
        ),
    ],
)
def test_round_fifteen_context_words(parser: Parser, text: str, expected: list[str]) -> None:
    assert mentions(parser, text) == expected
