"""Readings round fifteen's rules had changed for the worse (found in review): each guard
failed on the code before its fix."""

from __future__ import annotations

import pytest

from graph.text.parse import Parser
from tests.graph.text.test_round_nine import mentions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A short reply takes up a question, not advice or a sentence with another sense.
        ("Call your doctor if you get a fever or the swelling spreads. Yes will do.", []),
        ("Call your doctor if you get a fever or the swelling spreads. Just the usual.", []),
        ("Had a stiff drink after the match. Yes it helped.", []),
        # Advice reaches past the writer's own "my"; only a question to the writer stops there.
        ("The physio said to come back if my knee swells again.", []),
        # "No one" denies, as far as the writer's own words.
        ("No one in my family has MS.", ["cause:multiple-sclerosis absent/family"]),
        ("No one believes my knee hurts.", ["symptom:pain-or-discomfort present"]),
        # An assistant reported, not pasted: the writer's sentence.
        ("AI says it's probably tendinitis but my knee is swollen.", ["symptom:swelling present"]),
        ("ChatGPT reckons my knee swelling is from running.", ["symptom:swelling present"]),
        # An assistant speaks from its label ("Bot:") to the writer's ("User:"), over several
        # sentences; its name at the start of the writer's own sentence is no label.
        ("AI is useless, my knee hurts.", ["symptom:pain-or-discomfort present"]),
        ("Gemini was no help and my knee is swollen.", ["symptom:swelling present"]),
        (
            "Assistant: I'm sorry to hear that. Twitching is often harmless. User: it twitches",
            ["symptom:visible-twitching present"],
        ),
        (
            "Bot: Hello. Swelling can come from many things. Any redness? User: no",
            ["symptom:redness absent"],
        ),
        # The writer again after an assistant's turn: a new line, or their own "my" or "I".
        ("Bot: Do you have swelling?\nyes my knee is swollen", ["symptom:swelling present"]),
        (
            "ChatGPT: It may be bursitis.\nMy knee is red and swollen",
            ["symptom:redness present", "symptom:swelling present"],
        ),
        ("Assistant: sorry. My knee is swollen", ["symptom:swelling present"]),
        (
            "Assistant: Swelling can be serious.\nEdit: my knee is now hot",
            ["symptom:warmth present"],
        ),
        # A relative as a question's subject only where it opens the question and nothing in
        # it is the writer's.
        ("can dad feel the warmth in my knee?", ["symptom:warmth present"]),
        ("it was dad who noticed the swelling on my knee", ["symptom:swelling present"]),
        ("did mum say if her knee was red?", ["symptom:redness present/family"]),
        # "she said" alone most often reports a clinician on the writer's knee.
        ("Saw the physio today. Just a bit swollen she said", ["symptom:swelling present"]),
        ("your knee is swollen, she said", ["symptom:swelling present"]),
        # "Only" before when answers yes.
        ("Are you having any swelling? Only at night.", ["symptom:swelling present"]),
        # The writer's own explanation of a cause is theirs.
        (
            "My cramps are usually caused by dehydration.",
            ["symptom:severe-painful-cramps present", "cause:dehydration present"],
        ),
        # A symptom adjective before other adjectives still describes the body.
        ("The red swollen knee is hot.", ["symptom:redness present", "symptom:swelling present"]),
        ("The sore medial side of my knee.", ["symptom:pain-or-discomfort present"]),
        ("The swollen medial knee.", ["symptom:swelling present"]),
    ],
)
def test_context_guards(parser: Parser, text: str, expected: list[str]) -> None:
    assert mentions(parser, text) == expected
