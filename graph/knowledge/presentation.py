"""The web checker's wording for each loaded pack: what its manifest says, the rest derived.

A pack whose manifest says nothing about the page still gets a title, an example that its own
parser reads, a typeahead hint, a noun for its sources and a node for the explorer to start
from, all taken from its content, so that no pack is shown in another pack's words.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from operator import itemgetter

from graph.knowledge.knowledge_graph import KnowledgeGraph
from graph.schema.presentation import Audience
from graph.schema.records import PackManifest, SourceKind
from graph.schema.vocabulary import NodeKind, Predicate

__all__ = ["Presentation", "presentation"]

# Edges by which a cause shows a symptom: what the example and the typeahead hint draw on.
_SHOWS = (Predicate.CAUSES, Predicate.HAS_SYMPTOM)
_SOURCE_NOUNS = {
    SourceKind.CONSUMER_ARTICLE: "articles",
    SourceKind.PEER_REVIEWED_STUDY: "studies",
    SourceKind.DATABASE: "databases",
}


@dataclass(frozen=True, slots=True)
class Presentation:
    pack: str
    audience: Audience
    title: str
    intro: str
    prompt: str
    example: str
    search_example: str
    sources: str
    causes: str
    finding: str
    start: str | None  # None only for a pack without nodes
    red_flags: int  # warning signs whose symptoms are the pack's: none, and no banner is due


def presentation(graph: KnowledgeGraph, pack: PackManifest) -> Presentation:
    """`pack`'s wording for the checker: each field from its manifest, or derived."""
    given = pack.checker
    shows, shown_by = _symptom_counts(graph, pack.id)
    # The cause (or condition) that shows the most symptoms gives the example; earlier content
    # wins a tie.
    richest = min(shows, key=lambda c: (-shows[c], graph.content_order[c]), default=None)
    example = [graph.node(s).name for s in _symptoms_of(graph, richest)[:3]] if richest else []
    # Only when the manifest leaves a field to them: finding them walks every edge's evidence.
    needed = given.sources is None or given.audience is None
    kinds = _source_kinds(graph, pack.id) if needed else set()
    sources = given.sources or _sources_noun(kinds)
    cause_noun = given.causes or "causes"
    finding = given.finding or "symptom"
    # Articles written for the public make a public page; databases and studies, a clinician's.
    audience = given.audience or (
        Audience.PUBLIC if not kinds or SourceKind.CONSUMER_ARTICLE in kinds else Audience.CLINICIAN
    )
    clinician = audience is Audience.CLINICIAN
    return Presentation(
        pack=pack.id,
        audience=audience,
        title=given.title or pack.title,
        intro=given.intro or _intro(clinician, cause_noun, finding, sources),
        prompt=given.prompt or ("Clinical note" if clinician else "What do you notice?"),
        example=given.example or _listing(example),
        search_example=given.search_example or _commonest_symptom(graph, shown_by),
        sources=sources,
        causes=cause_noun,
        finding=finding,
        start=given.start or _start(graph, pack.id, richest),
        red_flags=sum(
            1 for flag in graph.red_flags if graph.pack_of.get(flag.any_present[0]) == pack.id
        ),
    )


def _symptom_counts(graph: KnowledgeGraph, pack_id: str) -> tuple[Counter[str], Counter[str]]:
    """How many symptoms each of the pack's causes and conditions shows, and by how many of
    them each symptom is shown: one pass over the edges (a walk of the index per cause took
    0.5 s on the HPO pack)."""
    pack_of = graph.pack_of
    alone = len(graph.packs) == 1  # every edge is the pack's own: skip the lookup
    pairs = [pair for predicate in _SHOWS for pair in graph.edge_ends(predicate)]
    pairs = [
        (subject, symptom)
        for subject, symptom in pairs
        if symptom.startswith("symptom:") and (alone or pack_of.get(subject) == pack_id)
    ]
    return Counter(map(itemgetter(0), pairs)), Counter(map(itemgetter(1), pairs))


def _symptoms_of(graph: KnowledgeGraph, cause_id: str) -> list[str]:
    """Ids of the symptoms a cause's own edges name, in edge order."""
    return [
        e.object
        for e in graph.edges(subject=cause_id)
        if e.predicate in _SHOWS and e.object.startswith("symptom:")
    ]


def _listing(names: list[str]) -> str:
    """ "a, b and c", each name lower-cased unless it starts with an acronym."""
    words = [n if n[1:2].isupper() else n[:1].lower() + n[1:] for n in names]
    if len(words) < 2:
        return "".join(words) or "what you notice"
    return f"{', '.join(words[:-1])} and {words[-1]}"


def _commonest_symptom(graph: KnowledgeGraph, shown_by: Counter[str]) -> str:
    if not shown_by:
        return "a symptom"
    # Most causes first, then the id, so that the hint is the same every start.
    commonest = min(shown_by, key=lambda s: (-shown_by[s], s))
    return _listing([graph.node(commonest).name])


def _source_kinds(graph: KnowledgeGraph, pack_id: str) -> set[SourceKind]:
    """The kinds of the sources the pack's edges cite."""
    return {
        source.kind
        for source in graph.sources()
        if any(graph.pack_of.get(e.subject) == pack_id for e in graph.edges_citing(source.id))
    }


def _sources_noun(kinds: set[SourceKind]) -> str:
    """ "the cited articles" when every source cited is an article, and so on."""
    noun = _SOURCE_NOUNS[next(iter(kinds))] if len(kinds) == 1 else "sources"
    return f"the cited {noun}"


def _intro(clinician: bool, causes: str, finding: str, sources: str) -> str:
    if clinician:
        return (
            f"Paste a note. The checker finds each {finding} it mentions, present or absent, "
            f"ranks possible {causes} from {sources}, and names the {finding} that would best "
            "tell them apart."
        )
    return (
        "Describe what you notice in your own words. The checker reads it with the public API, "
        f"ranks possible {causes} from {sources}, and asks what would help most."
    )


def _start(graph: KnowledgeGraph, pack_id: str, richest: str | None) -> str | None:
    """The pack's first condition when it has one, else the cause with the most symptoms."""
    conditions = [n.id for n in graph.nodes(NodeKind.CONDITION) if graph.pack_of[n.id] == pack_id]
    if conditions:
        return min(conditions, key=graph.content_order.__getitem__)
    return richest or next((n for n, p in graph.pack_of.items() if p == pack_id), None)
