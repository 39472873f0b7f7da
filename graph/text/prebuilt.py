"""The search index a built pack stores, so that serving it skips building it.

Normalising 100,000 names, synonyms and codes and sorting their suffixes took a fifth of the
HPO pack's start. The index is stored under a fingerprint of the code that builds it: a server
running other code builds its own, as it would from the pack folders.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph.knowledge import KnowledgeGraph
from graph.packs import validate
from graph.packs.artifact import code_fingerprint
from graph.text import search, tokens
from graph.text.search import SearchIndex

__all__ = ["search_documents", "stored_search"]


def _name() -> str:
    return f"search/{code_fingerprint(search, tokens, validate)}"


def search_documents(index: SearchIndex) -> dict[str, Any]:
    """The index as a built pack's document."""
    return {_name(): index.stored()}


def stored_search(graph: KnowledgeGraph, documents: Mapping[str, Any]) -> SearchIndex | None:
    """The index stored for this code, over `graph`; None if it was built by other code."""
    stored = documents.get(_name())
    return None if stored is None else SearchIndex(graph, stored)
