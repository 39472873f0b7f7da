"""The search and parse indexes a built pack stores, so that serving it skips building them.

Normalising 100,000 names, synonyms and codes and sorting their suffixes took a fifth of the
HPO pack's start, and splitting them into lemmas for the parser a sixth. Each index is stored
under a fingerprint of the code that builds it: a server running other code builds its own,
as it would from the pack folders.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import version
from typing import Any

from graph.knowledge import KnowledgeGraph
from graph.packs import validate
from graph.packs.artifact import code_fingerprint
from graph.text import parse, search, tokens, variants
from graph.text.parse import Parser
from graph.text.search import SearchIndex

__all__ = ["stored_parser", "stored_search", "text_documents"]


# The word resources the parser's lemmas and variant roots come from: another release of one
# gives other stored phrases.
_WORD_RESOURCES = ("simplemma", "lemminflect", "FastHPOCR")


def _names() -> tuple[str, str]:
    resources = ",".join(f"{name}=={version(name)}" for name in _WORD_RESOURCES)
    return (
        f"search/{code_fingerprint(search, tokens, validate)}",
        f"parse/{code_fingerprint(parse, tokens, variants, salt=resources)}",
    )


def text_documents(index: SearchIndex, parser: Parser) -> dict[str, Any]:
    """Both indexes as a built pack's documents."""
    search_name, parse_name = _names()
    return {search_name: index.stored(), parse_name: parser.stored()}


def stored_search(graph: KnowledgeGraph, documents: Mapping[str, Any]) -> SearchIndex | None:
    """The search index stored for this code, over `graph`; None if other code built it."""
    stored = documents.get(_names()[0])
    return None if stored is None else SearchIndex(graph, stored)


def stored_parser(graph: KnowledgeGraph, documents: Mapping[str, Any]) -> Parser | None:
    """The parser stored for this code, over `graph`; None if other code built it."""
    stored = documents.get(_names()[1])
    return None if stored is None else Parser(graph, stored)
