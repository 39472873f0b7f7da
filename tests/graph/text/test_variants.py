"""Variants the reader finds beyond a phrase as written: lemmas (with medical plurals), words
in another order, and real words that are not typos; negation cues read as written."""

from __future__ import annotations

import random
import string
from collections.abc import Sequence

import pytest
import simplemma

from graph.knowledge import KnowledgeGraph
from graph.schema.vocabulary import NodeKind
from graph.text.parse import PackParser, Parser
from graph.text.tokens import is_word, lemma, phrases
from tests.paths import KNEE_PACK


def pack(*nodes: tuple[str, str, Sequence[str]]) -> PackParser:
    return PackParser("t", [(i, name, NodeKind.SYMPTOM, syns) for i, name, syns in nodes])


def found(parser: PackParser, text: str) -> list[tuple[str, str]]:
    return [(m.node_id, m.text) for m in parser.parse(text)]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("twitches", "twitch"),
        ("twitching", "twitch"),
        ("nevi", "nevus"),  # irregular, from simplemma's dictionary
        ("aches", "ache"),
        ("feet", "foot"),
        ("hamartomas", "hamartoma"),  # unknown to the dictionary: lemminflect's noun rules
        ("keratocysts", "keratocyst"),
        ("don't", "don't"),
        ("b12", "b12"),
    ],
)
def test_lemmas(word: str, expected: str) -> None:
    assert lemma(word) == expected


def test_inflected_and_irregular_forms_meet_the_phrase() -> None:
    parser = pack(
        ("symptom:nevus", "Nevus", []),
        ("symptom:hamartoma", "Retinal hamartoma", []),
        ("symptom:ache", "Knee ache", []),
        ("symptom:foot", "Swollen foot", []),
    )
    text = "Multiple nevi, retinal hamartomas, my knee aches and both feet are swollen."
    assert found(parser, text) == [
        ("symptom:nevus", "nevi"),
        ("symptom:hamartoma", "retinal hamartomas"),
        ("symptom:ache", "knee aches"),
    ]
    assert found(parser, "swollen feet") == [("symptom:foot", "swollen feet")]


def test_words_in_another_order_and_with_of_the() -> None:
    parser = pack(
        ("symptom:falx", "Calcification of falx cerebri", []),
        ("symptom:hair", "Hair loss", []),
    )
    assert found(parser, "calcification of the falx cerebri") == [
        ("symptom:falx", "calcification of the falx cerebri")
    ]
    assert found(parser, "falx cerebri calcification") == [
        ("symptom:falx", "falx cerebri calcification")
    ]
    assert found(parser, "loss of hair") == [("symptom:hair", "loss of hair")]
    # Never across a comma or another word, never starting or ending at a filler word.
    assert found(parser, "loss, hair") == []
    assert found(parser, "loss of scalp hair") == []
    assert found(parser, "the loss of the hair of") == [("symptom:hair", "loss of the hair")]


def test_words_two_nodes_share_in_different_orders_name_neither() -> None:
    parser = pack(("symptom:a", "Eye red", []), ("symptom:b", "Red eye", []))
    assert found(parser, "eye red") == [("symptom:a", "eye red")]
    assert found(parser, "red eye") == [("symptom:b", "red eye")]
    assert found(parser, "red of the eye") == []


def test_real_words_are_not_typos() -> None:
    parser = pack(("symptom:confusion", "Confusion", []), ("symptom:clonus", "Clonus", []))
    assert is_word("conclusion")
    assert not is_word("confusoin")
    assert found(parser, "In conclusion, the clones grew.") == []
    [mention] = parser.parse("Some confusoin today.")
    assert (mention.node_id, mention.typo) == ("symptom:confusion", True)


def test_negation_cues_are_read_as_written() -> None:
    # A lemma would fold "dont" into "do" and make every "does" a pre-negation trigger.
    assert ("do",) not in phrases(["dont", "does not"])
    knee = Parser(KnowledgeGraph.from_packs([KNEE_PACK]))
    _, mentions = knee.parse("Not stiff, however it does cramp.", "knee")
    assert {m.node_id: m.polarity.value for m in mentions} == {
        "symptom:stiffness": "absent",
        "symptom:severe-painful-cramps": "present",
    }
    _, mentions = knee.parse("Not only does it twitch, it also cramps.", "knee")
    assert {m.polarity.value for m in mentions} == {"present"}


def test_a_hyphenated_pair_is_one_word_where_the_pack_knows_it() -> None:
    parser = pack(("symptom:pit", "Preauricular pit", []), ("symptom:jerk", "Knee jerk", []))
    assert found(parser, "Bilateral pre-auricular pits.") == [("symptom:pit", "pre-auricular pits")]
    assert found(parser, "A brisk knee-jerk.") == [("symptom:jerk", "knee-jerk")]


def test_a_word_joined_by_and_or_shares_the_phrase() -> None:
    parser = pack(("symptom:palmar", "Palmar pits", []), ("symptom:plantar", "Plantar pits", []))
    mentions = parser.parse("Palmar and plantar pits were seen.")
    assert [(m.node_id, m.text, m.polarity.value) for m in mentions] == [
        ("symptom:palmar", "Palmar and plantar pits", "present"),
        ("symptom:plantar", "plantar pits", "present"),
    ]
    assert {m.polarity.value for m in parser.parse("No palmar or plantar pits.")} == {"absent"}
    # Only a word that makes another phrase of the pack with the rest.
    assert found(parser, "Deep and plantar pits.") == [("symptom:plantar", "plantar pits")]


def test_is_word_asks_the_dictionary_as_simplemma_does() -> None:
    rng = random.Random(0)
    words = [
        "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(2, 9)))
        for _ in range(3000)
    ] + ["twitching", "paris", "london", "nevi", "hamartomas", "conclusion", "x"]
    for word in words:
        assert is_word(word) == simplemma.is_known(word, lang="en"), word
