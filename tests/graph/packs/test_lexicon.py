"""A pack's lexicon: everyday words mapped to nodes with evidence, checked at load time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from graph.knowledge import KnowledgeGraph
from graph.packs.excerpts import check_excerpts
from graph.packs.loader import load_content, read_packs
from graph.schema.errors import ContentError
from graph.schema.lexicon import LexiconRecord
from graph.text.parse import Parser
from tests.graph.conftest import EV, PackWriter


def with_lexicon(*records: dict[str, Any]) -> Any:
    def change(files: dict[str, Any]) -> None:
        files["lexicon.yaml"] = {"lexicon": list(records)}

    return change


JOLTS = {"node": "symptom:jolts", "terms": ["knee kicks"], "evidence": [EV], "reason": "Kicks."}


def reasons(pack: Path) -> set[str]:
    with pytest.raises(ContentError) as info:
        load_content([pack])
    return {p.reason for p in info.value.problems}


def test_a_lexicon_term_reaches_the_reader_and_its_excerpt_is_checked(
    write_pack: PackWriter,
) -> None:
    pack = write_pack(with_lexicon(JOLTS))
    graph = KnowledgeGraph.from_packs([pack])
    assert graph.everyday_terms("symptom:jolts") == ("knee kicks",)
    (mention,) = Parser(graph).parse("My knee kicks at night.")[1]
    assert (mention.node_id, mention.matched) == ("symptom:jolts", "knee kicks")
    content, _ = read_packs([pack])
    assert check_excerpts(content, pack.parent / "texts") == []

    made_up = {**JOLTS, "evidence": [{"source": "source:a", "excerpt": "Alpha kicks."}]}
    content, _ = read_packs([write_pack(with_lexicon(made_up), name="other")])
    (problem,) = check_excerpts(content, pack.parent / "texts")
    assert problem.record == "lexicon symptom:jolts: 'knee kicks'"
    assert "excerpt not found verbatim" in problem.reason


def test_bad_mappings_fail_loudly_at_load(write_pack: PackWriter) -> None:
    pack = write_pack(
        with_lexicon(
            {**JOLTS, "node": "symptom:nowhere"},
            {**JOLTS, "node": "treatment:water", "terms": ["a glass"]},
            {**JOLTS, "node": "symptom:ache", "terms": ["jolts"]},  # symptom:jolts's name
            {"terms": ["knee jolts"], "reason": "No source."},  # a synonym, and unmapped here
        )
    )
    assert reasons(pack) == {
        "maps to unknown node 'symptom:nowhere'",
        "'treatment:water' is neither a symptom nor a cause: the reader skips it",
        "'jolts' is already a name, synonym or lexicon phrase of symptom:jolts",
        "'knee jolts' is already a name, synonym or lexicon phrase of condition:jolty-knee",
    }


@pytest.mark.parametrize(
    "record",
    [
        {"node": "symptom:jolts", "terms": ["kicks"], "reason": "No evidence."},
        {"terms": ["kicks"], "evidence": [EV], "reason": "Unmapped, with evidence."},
        {"node": "symptom:jolts", "heads": ["kick"], "evidence": [EV], "reason": "No qualifier."},
        {"node": "symptom:jolts", "evidence": [EV], "reason": "No words."},
        {
            "node": "symptom:jolts",
            "terms": ["kicks"],
            "normal": ["fine"],
            "evidence": [EV],
            "reason": "Normal words without a head.",
        },
    ],
)
def test_a_mapping_needs_evidence_and_words(record: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        LexiconRecord.model_validate(record)


def test_a_head_may_come_with_normal_words_only() -> None:
    record = {
        "node": "symptom:jolts",
        "heads": ["kick"],
        "normal": ["fine"],
        "evidence": [EV],
        "reason": "A kick stated as fine: the jolts absent.",
    }
    assert LexiconRecord.model_validate(record).normal == ["fine"]


def test_a_head_names_its_node_only_beside_a_qualifier(write_pack: PackWriter) -> None:
    low = {
        "node": "cause:beta",
        "heads": ["water"],
        "qualifiers": ["low", "hardly"],
        "evidence": [{"source": "source:a", "excerpt": "Drink water to stop beta."}],
        "reason": "Too little water.",
    }
    parser = Parser(KnowledgeGraph.from_packs([write_pack(with_lexicon(low))]))

    def read(text: str) -> list[tuple[str, str, str]]:
        return [(m.node_id, m.polarity.value, m.text) for m in parser.parse(text)[1]]

    assert read("My water intake is really low.") == [
        ("cause:beta", "present", "water intake is really low")
    ]
    assert read("I hardly drink water") == [("cause:beta", "present", "hardly drink water")]
    assert read("My water is not low.") == [("cause:beta", "absent", "water is not low")]
    assert read("Water might be low.") == [("cause:beta", "uncertain", "Water might be low")]
    assert read("I drink water every day.") == []
    assert read("Water, but my mood is low.") == []  # a pair never crosses a comma or "but"
    assert read("Water is fine and it was a long day, low energy.") == []
