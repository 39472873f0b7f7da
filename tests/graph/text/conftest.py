"""The knee pack's reader, built once for the text tests that read the knee pack's lexicon."""

from __future__ import annotations

import pytest

from graph.knowledge import KnowledgeGraph
from graph.text.parse import Parser
from tests.paths import KNEE_PACK


@pytest.fixture(scope="session")
def parser() -> Parser:
    return Parser(KnowledgeGraph.from_packs([KNEE_PACK]))
