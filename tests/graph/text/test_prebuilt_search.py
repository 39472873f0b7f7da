"""The search and parse indexes a built pack stores: rebuilt without normalising or lemmatising,
the same answers."""

from __future__ import annotations

import orjson
import pytest

from graph.knowledge import KnowledgeGraph
from graph.schema.vocabulary import NodeKind
from graph.text.parse import Parser
from graph.text.prebuilt import stored_parser, stored_search, text_documents
from graph.text.search import SearchIndex
from tests.paths import KNEE_PACK


@pytest.mark.parametrize("pack", ["knee", "hpo-sample"])
def test_a_stored_index_answers_as_a_built_one(pack: str, monkeypatch: pytest.MonkeyPatch) -> None:
    graph = KnowledgeGraph.from_packs([KNEE_PACK.parent / pack])
    built, built_parser = SearchIndex(graph), Parser(graph)
    # Through JSON, as the built pack stores it (tuples become lists, kinds strings).
    documents = orjson.loads(orjson.dumps(text_documents(built, built_parser)))

    def not_again(text: str) -> str:
        raise AssertionError("normalised again")

    with monkeypatch.context() as patched:
        patched.setattr("graph.text.search.normalise_term", not_again)
        patched.setattr("graph.text.parse.lemma", not_again)
        stored = stored_search(graph, documents)
        parser = stored_parser(graph, documents)
    assert stored is not None
    assert parser is not None
    names = [n.name for n in graph.nodes()[:15]]
    queries = [*names, *(n[:4] for n in names), *(n[:-1] + "x" for n in names)]
    for query in queries:
        for kind in (None, NodeKind.SYMPTOM):
            assert stored.search(query, kind, 20) == built.search(query, kind, 20), query
    assert stored.suggest("symptom:twiching") == built.suggest("symptom:twiching")
    for name in names:
        text = f"No {name.lower()}, but {names[0].lower()} and {name[:-1]}e since May."
        assert parser.parse(text) == built_parser.parse(text), text


def test_an_index_stored_by_other_code_is_not_used() -> None:
    graph = KnowledgeGraph.from_packs([KNEE_PACK])
    stored_index, stored_phrases = text_documents(SearchIndex(graph), Parser(graph)).values()
    assert stored_search(graph, {"search/0000000000000000": stored_index}) is None
    assert stored_parser(graph, {"parse/0000000000000000": stored_phrases}) is None
