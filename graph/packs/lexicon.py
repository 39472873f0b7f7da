"""Checks on a pack's lexicon (graph/schema/lexicon.py) beyond its schema: each mapping names a
symptom or cause of its own pack, no phrase names two nodes, or a node and nothing, and an
ontology's synonym names a node that carries its code and a database source. Its excerpts are
checked against their sources with every other excerpt (graph/packs/excerpts.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from graph.schema.content import Content
from graph.schema.errors import Problem
from graph.schema.lexicon import OntologySynonym
from graph.schema.records import Code, SourceKind, kind_of
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
    codes_of = {n.record.id: n.record.codes for n in content.nodes}
    source_kinds = {s.record.id: s.record.kind for s in content.sources}
    # Who already names each phrase in each pack: the nodes' names and synonyms first.
    owners: dict[tuple[str, str], str] = {}
    for node in content.nodes:
        for term in (node.record.name, *node.record.synonyms):
            owners.setdefault((_pack(node.file), normalise(term)), node.record.id)
    for located in content.lexicon:
        entry, pack = located.record, _pack(located.file)
        reasons: list[tuple[str, str | None]] = []  # (reason, the unknown id it refers to)
        if entry.node is not None:
            if entry.node not in pack_of:
                reasons.append((f"maps to unknown node {entry.node!r}", entry.node))
            elif kind_of(entry.node) not in _READ:
                reason = f"{entry.node!r} is neither a symptom nor a cause: the reader skips it"
                reasons.append((reason, None))
            elif pack_of[entry.node] != pack:
                reasons.append((f"{entry.node!r} belongs to another pack", None))
            elif entry.ontology is not None:
                reasons += _origin_problems(entry.ontology, codes_of[entry.node], source_kinds)
        if not reasons:
            owner = entry.node or _UNMAPPED
            for phrase in entry.terms:
                # The node's own synonym again is harmless ("low calcium" is both); another's
                # is not.
                held = owners.setdefault((pack, normalise(phrase)), owner)
                if held != owner:
                    reason = f"{phrase!r} is already a name, synonym or lexicon phrase of {held}"
                    reasons.append((reason, None))
        problems += [
            Problem(located.file, entry.label, reason, refers_to=ref) for reason, ref in reasons
        ]
    return problems


def _origin_problems(
    origin: OntologySynonym, codes: list[Code], source_kinds: Mapping[str, SourceKind]
) -> list[tuple[str, str | None]]:
    """An ontology's synonym belongs to a code its node carries, from a database source."""
    problems: list[tuple[str, str | None]] = []
    if origin.code not in codes:
        problems.append((f"the node does not carry {origin.code.code}, the synonym's term", None))
    kind = source_kinds.get(origin.source)
    if kind is None:
        problems.append((f"cites unknown source {origin.source!r}", origin.source))
    elif kind is not SourceKind.DATABASE:
        problems.append((f"{origin.source!r} is not a database: an ontology is one", None))
    return problems
