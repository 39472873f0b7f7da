"""Issue 22's thirteenth round: the lexicon words its misses showed. Each was read as nothing
(or, for a muscle's dance, as the knee's jerking) before; the guards must stay unread."""

from __future__ import annotations

import pytest

from graph.text.parse import Parser
from tests.graph.text.test_round_nine import mentions

DEHYDRATION = "cause:dehydration present"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # No drink for a stretch of time, or the water run out on a walk.
        ("Pupil had not had a drink all morning.", [DEHYDRATION]),
        ("Ran out of water on the ridge around midday.", [DEHYDRATION]),
        # Hydration judged, as a training diary does.
        ("Hydration poor today.", [DEHYDRATION]),
        # A trainer's or a diary's "post-" is "after".
        (
            "Reports knee flickering post-session.",
            ["symptom:visible-twitching present", "cause:overuse present"],
        ),
        ("Knees like rusty hinges the next morning.", ["symptom:stiffness present"]),
        # The "not" inside "not strong" denies the strength, not the weakness.
        ("My right leg is not strong.", ["symptom:weakness present"]),
        (
            "The muscle above my knee has a heartbeat of its own.",
            ["symptom:visible-twitching present"],
        ),
        # A night out kept up till late.
        ("We danced into the early hours.", ["cause:overuse present"]),
        ("Danced the whole night in heels.", ["cause:overuse present"]),
        # An animal walked is the writer's activity's object, not someone else's finding.
        (
            "I walked the dog for hours and my knee is twitching.",
            ["cause:overuse present", "symptom:visible-twitching present"],
        ),
        # The knee that dances jerks; a muscle that does moves under the skin.
        ("Now the knee is doing a jig.", ["symptom:jerking present"]),
        (
            "The muscle over my knee does a little dance every few minutes.",
            ["symptom:visible-twitching present"],
        ),
    ],
)
def test_round_thirteen_fixes(parser: Parser, text: str, expected: list[str]) -> None:
    assert mentions(parser, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Rust, a heartbeat and a dance without the knee or a muscle are something else.
        ("My French is rusty.", []),
        ("My heartbeat was fast after the stairs.", []),
        ("I was doing a dance class with my niece.", []),
        # An animal's own medicine stays the animal's.
        ("Our dog is on steroids.", ["cause:corticosteroids present/family"]),
        # A night without an activity in it is no overuse.
        ("I slept the whole night.", []),
        # Drinking enough is no dehydration.
        ("I had a drink of water at lunch.", []),
        # An activity the person could not do is none they did.
        ("My knee was too stiff to walk back from the pub.", ["symptom:stiffness present"]),
        ("Too sore to run all week.", ["symptom:pain-or-discomfort present"]),
        ("I couldn't walk for hours after.", []),
        ("Not able to cycle for hours any more.", []),
    ],
)
def test_round_thirteen_guards(parser: Parser, text: str, expected: list[str]) -> None:
    assert mentions(parser, text) == expected
