from __future__ import annotations

from graph.knowledge import KnowledgeGraph
from graph.schema.vocabulary import NodeKind
from graph.text.search import MatchType, SearchIndex


def hits(index: SearchIndex, query: str, **kw: object) -> list[tuple[str, str, MatchType]]:
    return [(h.node_id, h.matched, h.match) for h in index.search(query, **kw)]  # type: ignore[arg-type]


def test_exact_code_name_and_id(tiny: KnowledgeGraph) -> None:
    index = SearchIndex(tiny)
    assert hits(index, "r25.3") == [("cause:alpha", "R25.3", MatchType.EXACT)]
    assert hits(index, "  Knee   JOLTS ")[0] == (
        "condition:jolty-knee",
        "knee jolts",
        MatchType.EXACT,
    )
    assert hits(index, "cause:gamma")[0] == ("cause:gamma", "cause:gamma", MatchType.EXACT)


def test_prefixes_of_any_word(tiny: KnowledgeGraph) -> None:
    index = SearchIndex(tiny)
    assert [(node, match) for node, _, match in hits(index, "jol")] == [
        ("symptom:jolts", MatchType.PREFIX),
        ("condition:jolty-knee", MatchType.PREFIX),
    ]
    assert ("condition:jolty-knee", "jolty knee", MatchType.PREFIX) in hits(index, "kne")


def test_typos_kind_filter_and_limits(tiny: KnowledgeGraph) -> None:
    index = SearchIndex(tiny)
    assert hits(index, "tigle") == [("symptom:tingle", "tingle", MatchType.FUZZY)]
    assert hits(index, "jolts", kind=NodeKind.CONDITION) == [
        ("condition:jolty-knee", "knee jolts", MatchType.PREFIX)
    ]
    assert index.search("") == []
    assert hits(index, "zzzzzz") == []
    assert len(index.search("a", limit=2)) == 2


def test_suggestions_for_unknown_ids(tiny: KnowledgeGraph) -> None:
    index = SearchIndex(tiny)
    assert [h.node_id for h in index.suggest("symptom:jolt")] == ["symptom:jolts"]
    assert [h.node_id for h in index.suggest("cause:gama")] == ["cause:gamma"]
    assert index.suggest("water treatment please")[0].node_id == "treatment:water"
    assert index.suggest("q") == []


def test_a_name_beats_a_synonym_of_another_node(tiny: KnowledgeGraph) -> None:
    index = SearchIndex(tiny)
    # "jolty knee" is a name, "knee jolts" only a synonym: the name's word ranks first.
    assert hits(index, "knee")[0][:2] == ("condition:jolty-knee", "jolty knee")
