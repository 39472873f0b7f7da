"""Cross-record checks over parsed content: references, domains and ranges, uniqueness, cycles."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from graph.packs.lexicon import check_lexicon
from graph.schema.content import Content
from graph.schema.errors import Problem
from graph.schema.records import EdgeEvidence, Evidence, SourceKind, kind_of
from graph.schema.vocabulary import NodeKind, Predicate, allowed_objects

__all__ = ["normalise_term", "validate_content"]


def normalise_term(text: str) -> str:
    """The form in which names and synonyms must be unique: case- and space-insensitive."""
    return " ".join(text.casefold().split())


def validate_content(content: Content) -> list[Problem]:
    """Every cross-record problem in `content`, in one list (empty when the content is sound)."""
    problems: list[Problem] = []
    problems += _duplicate_ids(content)
    source_ids = {s.record.id for s in content.sources}
    node_ids = {n.record.id for n in content.nodes}
    problems += _source_references(content, source_ids)
    problems += _checker_start(content)
    problems += _evidence_kinds(content)
    problems += _edge_checks(content, node_ids)
    problems += _synonym_clashes(content)
    problems += check_lexicon(content, normalise_term)
    problems += _red_flag_checks(content, node_ids)
    problems += _orphans(content)
    problems += _kind_specific_fields(content)
    problems += _subtype_cycles(content)
    return problems


def _duplicate_ids(content: Content) -> list[Problem]:
    problems = []
    packs = Counter(p.record.id for p in content.packs)
    problems += [
        Problem(p.file, p.record.id, "pack id is used twice", root=True)
        for p in content.packs
        if packs[p.record.id] > 1
    ]
    groups: list[list[tuple[str, str]]] = [
        [(s.file, s.record.id) for s in content.sources],
        [(n.file, n.record.id) for n in content.nodes],
        [(r.file, r.record.id) for r in content.red_flags],
    ]
    for group in groups:
        seen: dict[str, str] = {}
        for file, ident in group:
            if ident in seen:
                reason = f"duplicate id (first defined in {seen[ident]})"
                problems.append(Problem(file, ident, reason, root=True))
            else:
                seen[ident] = file
    return problems


def _source_references(content: Content, source_ids: set[str]) -> list[Problem]:
    problems = []

    def check(where: str, label: str, evidence: Iterable[EdgeEvidence]) -> None:
        for item in evidence:
            cites = item.cites if isinstance(item, Evidence) else None
            for ref in (item.source, cites):
                if ref is not None and ref not in source_ids:
                    reason = f"evidence cites unknown source {ref!r}"
                    problems.append(Problem(where, label, reason, refers_to=ref))

    for where, label, evidence in content.evidence():
        check(where, label, evidence)
    for source in content.sources:
        for ref in source.record.cited_by:
            if ref not in source_ids:
                reason = f"cited_by unknown {ref!r}"
                problems.append(Problem(source.file, source.record.id, reason, refers_to=ref))
    for pack in content.packs:
        ref = pack.record.disclaimer.source
        if ref not in source_ids:
            reason = f"disclaimer names unknown source {ref!r}"
            problems.append(Problem(pack.file, "disclaimer", reason, refers_to=ref))
    return problems


def _checker_start(content: Content) -> list[Problem]:
    """The explorer's start node must be one of the pack's own nodes."""
    folders = {n.record.id: n.file.split("/", 1)[0] for n in content.nodes}
    problems = []
    for pack in content.packs:
        ref = pack.record.checker.start
        if ref is not None and folders.get(ref) != pack.file.split("/", 1)[0]:
            reason = f"checker.start names {ref!r}, which is not a node of this pack"
            problems.append(Problem(pack.file, "checker.start", reason, refers_to=ref))
    return problems


def _evidence_kinds(content: Content) -> list[Problem]:
    """Databases are cited by reference, never quoted; everything else is quoted verbatim."""
    databases = {s.record.id for s in content.sources if s.record.kind is SourceKind.DATABASE}
    others = {s.record.id for s in content.sources} - databases
    problems = []
    for where, label, evidence in content.evidence():
        for item in evidence:
            quoted = isinstance(item, Evidence)
            if quoted and item.source in databases:
                reason = (
                    f"{item.source} is a database: cite it with `reference` and `evidence_code`"
                )
                problems.append(Problem(where, label, reason))
            elif not quoted and item.source in others:
                reason = f"{item.source} is not a database: quote it with a verbatim `excerpt`"
                problems.append(Problem(where, label, reason))
    return problems


def _edge_checks(content: Content, node_ids: set[str]) -> list[Problem]:
    problems = []
    seen: dict[str, str] = {}
    kinds: dict[str, NodeKind] = {n.record.id: n.record.kind for n in content.nodes}
    for edge in content.edges:
        record = edge.record
        key = record.key
        if key in seen:
            problems.append(Problem(edge.file, key, f"duplicate edge (first in {seen[key]})"))
        else:
            seen[key] = edge.file
        dangling = [ref for ref in (record.subject, record.object) if ref not in node_ids]
        for ref in dangling:
            reason = f"refers to unknown node {ref!r}"
            problems.append(Problem(edge.file, key, reason, refers_to=ref))
        if dangling:
            continue
        subject_kind, object_kind = kinds[record.subject], kinds[record.object]
        allowed = allowed_objects(subject_kind, record.predicate)
        if object_kind not in allowed:
            expected = ", ".join(sorted(allowed)) or "nothing"
            reason = (
                f"a {subject_kind} may not {record.predicate} a {object_kind}"
                f" (allowed objects: {expected})"
            )
            problems.append(Problem(edge.file, key, reason))
    return problems


def _synonym_clashes(content: Content) -> list[Problem]:
    """Names and synonyms must be unique within a pack; packs served together may share
    everyday words ("twitching" in the knee pack and in HPO)."""
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    where: dict[str, str] = {}
    for node in content.nodes:
        where[node.record.id] = node.file
        pack = node.file.split("/", 1)[0]
        for term in (node.record.name, *node.record.synonyms):
            owners[pack, normalise_term(term)].add(node.record.id)
    problems = []
    for (_, term), ids in sorted(owners.items()):
        if len(ids) > 1:
            for ident in sorted(ids):
                others = ", ".join(sorted(ids - {ident}))
                reason = f"name or synonym {term!r} is also used by {others}"
                problems.append(Problem(where[ident], ident, reason))
    return problems


def _red_flag_checks(content: Content, node_ids: set[str]) -> list[Problem]:
    problems = []
    for flag in content.red_flags:
        for ref in flag.record.any_present:
            if ref not in node_ids:
                reason = f"refers to unknown node {ref!r}"
                problems.append(Problem(flag.file, flag.record.id, reason, refers_to=ref))
            elif kind_of(ref) is not NodeKind.SYMPTOM:
                problems.append(Problem(flag.file, flag.record.id, f"{ref!r} is not a symptom"))
    return problems


# Predicates whose edges say how often the subject shows the object.
_FREQUENCY_PREDICATES = frozenset(
    {Predicate.CAUSES, Predicate.HAS_SYMPTOM, Predicate.CONTRIBUTES_TO}
)


def _kind_specific_fields(content: Content) -> list[Problem]:
    """Fields that only mean something on some kinds of record."""
    problems = []
    for node in content.nodes:
        record = node.record
        if record.kind is not NodeKind.CAUSE:
            for name in ("prevalence", "exposure_question", "demographics"):
                if getattr(record, name) is not None:
                    problems.append(Problem(node.file, record.id, f"only causes have `{name}`"))
    for edge in content.edges:
        claim = edge.record
        has_frequency = claim.frequency is not None or claim.sensitivity is not None
        if has_frequency and claim.predicate not in _FREQUENCY_PREDICATES:
            allowed = ", ".join(sorted(_FREQUENCY_PREDICATES))
            reason = f"`frequency` and `sensitivity` belong on {allowed} edges only"
            problems.append(Problem(edge.file, claim.key, reason))
    return problems


def _orphans(content: Content) -> list[Problem]:
    linked = {ref for e in content.edges for ref in (e.record.subject, e.record.object)}
    return [
        Problem(n.file, n.record.id, "node has no edges", refers_to=f"edges:{n.record.id}")
        for n in content.nodes
        if n.record.id not in linked
    ]


def _subtype_cycles(content: Content) -> list[Problem]:
    import networkx as nx  # only validation needs it, not a server from a built pack

    subtype = nx.DiGraph()
    files: dict[str, str] = {}
    for edge in content.edges:
        if edge.record.predicate is Predicate.SUBTYPE_OF:
            subtype.add_edge(edge.record.subject, edge.record.object)
            files.setdefault(edge.record.subject, edge.file)
    problems = []
    for cycle in nx.simple_cycles(subtype):
        start = cycle.index(min(cycle))  # rotate so the report is the same every run
        cycle = cycle[start:] + cycle[:start]
        first = cycle[0]
        path = " -> ".join([*cycle, first])
        problems.append(Problem(files[first], first, f"subtype_of cycle: {path}"))
    return problems
