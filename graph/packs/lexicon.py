"""Checks on a pack's lexicon (graph/schema/lexicon.py) beyond its schema: each mapping names a
symptom or cause of its own pack, and no phrase names two nodes, or a node and nothing. Its excerpts are checked against their sources with every other excerpt
(graph/packs/excerpts.py)."""

from __future__ import annotations

from collections.abc import Callable

from graph.schema.content import Content
from graph.schema.errors import Problem
from graph.schema.records import kind_of
from graph.schema.vocabulary import NodeKind

__all__ = ["check_lexicon"]

_READ = (NodeKind.SYMPTOM, NodeKind.CAUSE)  # the kinds the free-text reader finds
_UNMAPPED = "nothing (not mapped)"


def _pack(file: str) -> str:
    return file.split("/", 1)[0]


def check_lexicon(content: Content, normalise: Callable[[str], str]) -> list[Problem]:
    """Problems with the lexicon records of `content`, phrases compared in `normalise`d form."""
    problems: list[Problem] = []
    pack_of = {n.record.id: _pack(n.file) for n in content.nodes}
    # Who already names each phrase in each pack: the nodes' names and synonyms first.
    owners: dict[tuple[str, str], str] = {}
    for node in content.nodes:
        for term in (node.record.name, *node.record.synonyms):
            owners.setdefault((_pack(node.file), normalise(term)), node.record.id)
    for located in content.lexicon:
        entry, pack = located.record, _pack(located.file)

        def problem(reason: str, refers_to: str | None = None) -> None:
            problems.append(Problem(located.file, entry.label, reason, refers_to=refers_to))

        if entry.node is not None:
            if entry.node not in pack_of:
                problem(f"maps to unknown node {entry.node!r}", refers_to=entry.node)
                continue
            if kind_of(entry.node) not in _READ:
                problem(f"{entry.node!r} is neither a symptom nor a cause: the reader skips it")
            if pack_of[entry.node] != pack:
                problem(f"{entry.node!r} belongs to another pack")
        for phrase in entry.phrases:
            key = (pack, normalise(phrase))
            owner = entry.node or _UNMAPPED
            # The node's own synonym again is harmless ("low calcium" is both); another's is not.
            held = owners.setdefault(key, owner)
            if held != owner:
                problem(f"{phrase!r} is already a name, synonym or lexicon phrase of {held}")
    return problems
