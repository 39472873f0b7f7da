from __future__ import annotations

from collections.abc import Sequence

import pytest

from graph.knowledge import Direction, KnowledgeGraph, knowledge_graph
from graph.schema.errors import NotFoundError
from graph.schema.records import EdgeRecord
from graph.schema.vocabulary import NodeKind, Predicate
from tests.graph.conftest import PackWriter


def test_lookups(tiny: KnowledgeGraph) -> None:
    assert tiny.node("cause:alpha").name == "alpha"
    assert tiny.has_node("cause:alpha")
    assert not tiny.has_node("cause:zeta")
    assert [n.id for n in tiny.nodes(NodeKind.CAUSE)] == [
        "cause:alpha",
        "cause:beta",
        "cause:beta-minor",
        "cause:gamma",
    ]
    assert len(tiny.nodes()) == 11
    assert tiny.counts_by_kind["symptom"] == 3
    assert tiny.counts_by_predicate == {
        "causes": 3,
        "contributes_to": 1,
        "evaluates": 1,
        "has_symptom": 2,
        "prevents": 1,
        "subtype_of": 1,
        "treats": 1,
    }
    assert len(tiny.version) == 16


@pytest.mark.parametrize(
    ("call", "what"),
    [
        (lambda g: g.node("cause:zeta"), "node"),
        (lambda g: g.edge("a|b|c"), "edge"),
        (lambda g: g.source("source:zeta"), "source"),
        (lambda g: g.edges_citing("source:zeta"), "source"),
        (lambda g: g.neighbours("cause:zeta"), "node"),
        (lambda g: g.subgraph(["cause:zeta"]), "node"),
    ],
)
def test_unknown_ids_raise_not_found(tiny: KnowledgeGraph, call: object, what: str) -> None:
    with pytest.raises(NotFoundError) as info:
        call(tiny)  # type: ignore[operator]
    assert info.value.what == what


def test_edge_filters(tiny: KnowledgeGraph) -> None:
    assert [e.key for e in tiny.edges(predicate=Predicate.CAUSES)] == [
        "cause:alpha|causes|symptom:jolts",
        "cause:beta|causes|condition:jolty-knee",
        "cause:gamma|causes|symptom:tingle",
    ]
    assert [e.key for e in tiny.edges(subject="cause:gamma", predicate=Predicate.CAUSES)] == [
        "cause:gamma|causes|symptom:tingle"
    ]
    assert [e.key for e in tiny.edges(object="cause:beta")] == [
        "cause:beta-minor|subtype_of|cause:beta",
        "prevention:rest|prevents|cause:beta",
        "treatment:water|treats|cause:beta",
    ]
    assert tiny.edges(subject="cause:alpha", object="symptom:ache") == ()
    assert len(tiny.edges()) == 10
    assert tiny.edge("cause:alpha|causes|symptom:jolts").strength == 0.7


def test_neighbours_by_direction_and_predicate(tiny: KnowledgeGraph) -> None:
    both = tiny.neighbours("cause:alpha")
    assert [(n.direction, n.edge.key) for n in both] == [
        (Direction.OUT, "cause:alpha|causes|symptom:jolts"),
        (Direction.IN, "cause:gamma|contributes_to|cause:alpha"),
        (Direction.IN, "diagnostic:test-d|evaluates|cause:alpha"),
    ]
    assert [n.edge.key for n in tiny.neighbours("cause:alpha", direction=Direction.IN)] == [
        "cause:gamma|contributes_to|cause:alpha",
        "diagnostic:test-d|evaluates|cause:alpha",
    ]
    assert tiny.neighbours("cause:alpha", Predicate.EVALUATES, Direction.OUT) == []


def test_subgraph_is_an_independent_copy(tiny: KnowledgeGraph) -> None:
    sub = tiny.subgraph(["cause:alpha", "symptom:jolts", "cause:beta"])
    assert sorted(sub.nodes) == ["cause:alpha", "cause:beta", "symptom:jolts"]
    assert list(sub.edges(keys=True)) == [
        ("cause:alpha", "symptom:jolts", "cause:alpha|causes|symptom:jolts")
    ]
    sub.remove_node("cause:alpha")
    assert tiny.graph.has_node("cause:alpha")


def test_sources_and_citations(tiny: KnowledgeGraph) -> None:
    assert [s.id for s in tiny.sources()] == ["source:a"]
    assert len(tiny.edges_citing("source:a")) == 10
    assert tiny.disclaimers[0].text == "Not medical advice."
    assert tiny.red_flags[0].id == "red-flag:tingling"


def test_the_citations_index_is_built_by_the_first_lookup_once(
    write_pack: PackWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    credited: list[str] = []
    real = knowledge_graph._sources_credited

    def counted(edge: EdgeRecord) -> Sequence[str]:
        credited.append(edge.key)
        return real(edge)

    monkeypatch.setattr(knowledge_graph, "_sources_credited", counted)
    graph = KnowledgeGraph.from_packs([write_pack()])
    assert credited == []
    assert len(graph.edges_citing("source:a")) == 10
    assert graph.edges_citing("source:a") == graph.edges_citing("source:a")
    assert sorted(credited) == sorted(graph.edge_keys)
