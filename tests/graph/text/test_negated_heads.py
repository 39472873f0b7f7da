"""A lexicon record's heads standing alone (`absent_when_negated`, graph/text/pairs.py): the
index returns them only for records that allow it, and only where no pair claims them."""

from __future__ import annotations

from typing import NamedTuple

import pytest
from pydantic import ValidationError

from graph.schema.lexicon import LexiconRecord
from graph.text.pairs import PairIndex, PairRule
from graph.text.tokens import TOKEN, lemma


def stems(text: str) -> list[str]:
    return [lemma(raw) for raw in TOKEN.findall(text.lower())]


class Node(NamedTuple):
    node_id: str


def pairs(text: str, alone: bool) -> list[tuple[str, bool]]:
    rule = PairRule(["run", "training", "triathlon"], ["after", "training for"], [], alone)
    index = PairIndex([(Node("overuse"), rule)])
    words = stems(text)
    written = TOKEN.findall(text.lower())
    return [
        (" ".join(words[p.start : p.end]), p.alone)
        for p in index.find(words, [False] * len(words), written)
    ]


def test_a_lone_head_is_returned_only_where_its_record_allows() -> None:
    assert pairs("I don't run", alone=True) == [("run", True)]
    assert pairs("I don't run", alone=False) == []


def test_a_pair_claims_its_head_before_a_lone_one_does() -> None:
    assert pairs("after my run", alone=True) == [("after my run", False)]
    # "training" is a head without a qualifier of its own, but inside the pair of
    # "triathlon" with "training for" (by lemmas, "train for"): one pair, no lone head.
    assert pairs("training for a triathlon", alone=True) == [("train for a triathlon", False)]


def test_absent_when_negated_needs_heads() -> None:
    with pytest.raises(ValidationError, match="absent_when_negated"):
        LexiconRecord.model_validate(
            {
                "node": "cause:overuse",
                "terms": ["lots of squats"],
                "absent_when_negated": True,
                "evidence": [{"source": "source:a", "excerpt": "overexertion"}],
                "reason": "heads missing",
            }
        )


def test_a_head_may_belong_to_several_records() -> None:
    """ "Jumping" is an activity after "lots of" and a movement of the knee: each record pairs
    the head with its own qualifiers (the first record used to keep the head to itself)."""
    index = PairIndex(
        [
            (Node("overuse"), PairRule(["jumping"], ["lots of"])),
            (Node("jerking"), PairRule(["jump"], ["knee", "thigh"])),
        ]
    )
    found = {}
    for text in ("lots of jumping", "little jumps in my thigh"):
        words = stems(text)
        written = TOKEN.findall(text)
        found[text] = [p.entry.node_id for p in index.find(words, [False] * len(words), written)]
    assert found == {"lots of jumping": ["overuse"], "little jumps in my thigh": ["jerking"]}


def nodes(index: PairIndex[Node], text: str) -> list[str]:
    words = stems(text)
    found = index.find(words, [False] * len(words), TOKEN.findall(text.lower()))
    return [p.entry.node_id for p in found]


def test_one_head_names_two_nodes_with_two_qualifiers_but_one_node_once() -> None:
    """A head shared by two pairs: each node once ("I take magnesium because I was
    deficient" is a supplement and a deficiency; the head was kept by the first pair)."""
    index = PairIndex(
        [
            (Node("deficiency"), PairRule(["magnesium"], ["deficient", "low"])),
            (Node("supplement"), PairRule(["magnesium"], ["take"])),
            (Node("deficiency"), PairRule(["magnesium"], ["take"])),
        ]
    )
    assert nodes(index, "I take magnesium, I'm deficient") == ["supplement"]
    assert sorted(nodes(index, "take magnesium as low")) == ["deficiency", "supplement"]


def test_a_qualifier_first_record_reads_only_a_qualifier_before_its_head() -> None:
    index = PairIndex([(Node("meds"), PairRule(["tablets"], ["heart"], qualifier_first=True))])
    assert nodes(index, "heart tablets") == ["meds"]
    assert nodes(index, "tablets for my heart") == []


def test_a_qualifier_whose_form_is_its_meaning_is_matched_as_written() -> None:
    index = PairIndex([(Node("overuse"), PairRule(["walk"], ["hours", "lots of"]))])
    assert nodes(index, "walked for hours") == ["overuse"]
    assert nodes(index, "lots of walks") == ["overuse"]
    assert nodes(index, "walked for an hour") == []
    assert nodes(index, "a lot of walks") == []


def test_qualifier_first_needs_qualifiers() -> None:
    with pytest.raises(ValidationError, match="qualifier_first"):
        LexiconRecord.model_validate(
            {
                "node": "cause:medications-and-supplements",
                "heads": ["tablets"],
                "normal": ["fine"],
                "qualifier_first": True,
                "evidence": [{"source": "source:a", "excerpt": "medications"}],
                "reason": "no qualifiers to place",
            }
        )
