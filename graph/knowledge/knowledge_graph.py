"""`KnowledgeGraph`: the loaded, immutable graph and the indexes every lookup uses."""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from graph.knowledge import edge_table
from graph.knowledge.edge_table import EdgeList, EdgeTable
from graph.knowledge.once import Once
from graph.packs.artifact import code_fingerprint
from graph.packs.loader import load_content
from graph.packs.stored_edges import StoredEdges
from graph.schema.content import Content
from graph.schema.errors import AmbiguousCodeError, NotFoundError
from graph.schema.lexicon import LexiconRecord
from graph.schema.records import (
    Disclaimer,
    EdgeRecord,
    Evidence,
    NodeRecord,
    PackManifest,
    RedFlagRecord,
    SourceRecord,
)
from graph.schema.vocabulary import NodeKind, Predicate

if TYPE_CHECKING:
    # networkx is imported where a graph is built: importing it cost every start 0.2-0.3 s.
    import networkx as nx

__all__ = ["Direction", "KnowledgeGraph", "Neighbour", "citations_document"]


def citations_document() -> str:
    """The name a built pack stores the citations index under: made by this code, so a
    server running other code builds it afresh instead (graph/packs/artifact.py)."""
    return "citations/" + code_fingerprint(sys.modules[__name__], edge_table)


class Direction(StrEnum):
    OUT = "out"
    IN = "in"
    BOTH = "both"


class Neighbour(tuple[Direction, EdgeRecord]):
    """An edge seen from one of its ends: `OUT` when that end is the subject."""

    __slots__ = ()

    def __new__(cls, direction: Direction, edge: EdgeRecord) -> Neighbour:
        return super().__new__(cls, (direction, edge))

    @property
    def direction(self) -> Direction:
        return self[0]

    @property
    def edge(self) -> EdgeRecord:
        return self[1]


class KnowledgeGraph:
    """Nodes, edges, sources and red flags of validated content, with precomputed indexes.

    The graph never changes after construction, so indexes are built once and lookups
    never walk NetworkX views in the request path.
    """

    def __init__(
        self,
        content: Content,
        version: str | None = None,
        stored_edges: StoredEdges | None = None,
        stored_citations: Callable[[], Mapping[str, list[int]] | None] | None = None,
    ) -> None:
        """`version` is the content's hash when already known (a built pack carries it);
        `stored_edges`, a built pack's edges, stand for `content.edges` when given, and
        `stored_citations` reads the citations index it stores (`citations`), if any."""
        self._stored_citations = stored_citations
        self.packs: tuple[PackManifest, ...] = tuple(p.record for p in content.packs)
        self.version = content.content_hash() if version is None else version
        self._nodes = {
            n.record.id: n.record for n in sorted(content.nodes, key=lambda n: n.record.id)
        }
        # Where each node stands in its pack's files: editors list causes in the order the
        # sources give them, and reasoning breaks ties in that order, never alphabetically.
        self.content_order: Mapping[str, int] = MappingProxyType(
            {n.record.id: i for i, n in enumerate(content.nodes)}
        )
        # Which pack each node comes from (a pack's files all sit in its own folder).
        pack_by_folder = {p.file.split("/", 1)[0]: p.record.id for p in content.packs}
        self.pack_of: Mapping[str, str] = MappingProxyType(
            {n.record.id: pack_by_folder.get(n.file.split("/", 1)[0], "") for n in content.nodes}
        )
        self._sources = {
            s.record.id: s.record for s in sorted(content.sources, key=lambda s: s.record.id)
        }
        self.red_flags: tuple[RedFlagRecord, ...] = tuple(
            sorted((r.record for r in content.red_flags), key=lambda r: r.id)
        )
        # Everyday words for nodes, with their evidence (graph/schema/lexicon.py).
        self.lexicon: tuple[LexiconRecord, ...] = tuple(e.record for e in content.lexicon)
        records_of: dict[str, list[LexiconRecord]] = defaultdict(list)
        for entry in self.lexicon:
            if entry.node is not None:
                records_of[entry.node].append(entry)
        self._lexicon_of = {k: tuple(v) for k, v in records_of.items()}
        # A built pack's edges are decoded when read (graph/knowledge/edge_table.py).
        self._edges = (
            EdgeTable.of_records([e.record for e in content.edges])
            if stored_edges is None
            else EdgeTable.of_stored(stored_edges)
        )

        self._kinds = {node_id: node.kind for node_id, node in self._nodes.items()}
        by_kind: dict[NodeKind, list[NodeRecord]] = {kind: [] for kind in NodeKind}
        for node in self._nodes.values():
            by_kind[self._kinds[node.id]].append(node)
        self._by_kind = {kind: tuple(nodes) for kind, nodes in by_kind.items()}
        # Which edges credit each source: built by the first lookup (a source's page), not
        # by the start (0.3 s of the HPO pack's).
        self._citing = Once(self._edges_by_source)
        self.counts_by_kind = MappingProxyType(
            {kind.value: len(self._by_kind[kind]) for kind in NodeKind}
        )
        self.counts_by_predicate = MappingProxyType(
            {p.value: n for p, n in sorted(self._edges.counts().items())}
        )
        # Codes to node ids: built by the warm-up or the first lookup by code (0.1 s on HPO).
        self._codes = Once(lambda: _code_index(self._nodes.values()))
        # replaced_code's answers by code, found on first use: at most one per code.
        self._replaced: dict[str, str | None] = {}

    @classmethod
    def from_packs(cls, pack_dirs: Sequence[Path]) -> KnowledgeGraph:
        """Load, validate and index packs; raises `ContentError` when any content is invalid."""
        return cls(load_content(pack_dirs))

    # Nodes -----------------------------------------------------------------------------

    def has_node(self, node_id: str) -> bool:
        return node_id in self._nodes

    def kind(self, node_id: str) -> NodeKind:
        """A node's kind, from a table built once (parsing the id each time adds up at scale)."""
        try:
            return self._kinds[node_id]
        except KeyError:
            raise NotFoundError("node", node_id) from None

    @property
    def node_ids(self) -> Collection[str]:
        """Every node id, ordered by id (a live view, not a copy)."""
        return self._nodes.keys()

    @property
    def edge_keys(self) -> Collection[str]:
        """Every edge key, ordered by key (a live view, not a copy)."""
        return self._edges.keys

    def node(self, node_id: str) -> NodeRecord:
        try:
            return self._nodes[node_id]
        except KeyError:
            raise NotFoundError("node", node_id) from None

    def everyday_terms(self, node_id: str) -> tuple[str, ...]:
        """The lexicon's phrases for the node: words a person uses for it, each mapping
        backed by an excerpt (empty for a node the lexicon does not name). Its heads and
        qualifiers are read from `lexicon` itself."""
        return tuple(term for record in self.lexicon_of(node_id) for term in record.terms)

    def lexicon_of(self, node_id: str) -> tuple[LexiconRecord, ...]:
        """The lexicon records that map words to the node, each with its provenance: an
        excerpt, or the ontology synonym it was taken from (empty when none does)."""
        return self._lexicon_of.get(node_id, ())

    def resolve(self, ref: str) -> str:
        """The node id for `ref`: a node id, or a standard code one node carries, as a CURIE
        (`HP:0001250`, `OMIM:147791`, `ICD10CM:R25.1`) or bare (`R25.1`), any case.

        Raises `NotFoundError` when nothing matches, and its subclass `AmbiguousCodeError`
        (with `.candidates`) when several nodes carry the code.
        """
        if ref in self._nodes:
            return ref
        found = self._codes.get().get(ref.strip().upper(), ())
        if len(found) == 1:
            return found[0]
        if found:
            raise AmbiguousCodeError(ref, found)
        raise NotFoundError("node", ref)

    def replaced_code(self, ref: str) -> str | None:
        """The node's own code when `ref` names it by an older code of the same vocabulary
        (an id since merged into it, or a retired one it replaces); None otherwise."""
        key = ref.strip().upper()
        try:
            return self._replaced[key]  # diagnose asks for every code in every query
        except KeyError:
            pass
        found = self._codes.get().get(key, ())
        if len(found) != 1:
            return None  # not kept: any text gets here
        own, *others = self._nodes[found[0]].codes
        replaced = next(
            (
                own.curie
                for code in others
                if code.system is own.system and key in (code.curie.upper(), code.code.upper())
            ),
            None,
        )
        self._replaced[key] = replaced
        return replaced

    def nodes(self, kind: NodeKind | None = None) -> Sequence[NodeRecord]:
        """All nodes (or those of one kind), ordered by id."""
        if kind is None:
            return tuple(self._nodes.values())
        return self._by_kind[kind]

    # Edges -----------------------------------------------------------------------------

    def edge(self, key: str) -> EdgeRecord:
        try:
            return self._edges.edge(key)
        except KeyError:
            raise NotFoundError("edge", key) from None

    def edges(
        self,
        predicate: Predicate | None = None,
        subject: str | None = None,
        object: str | None = None,
    ) -> Sequence[EdgeRecord]:
        """Edges matching every given filter, ordered by key; starts from the narrowest index."""
        if subject is None and object is None:
            return self._edges.every() if predicate is None else self._edges.of_predicate(predicate)
        if predicate is None:  # a node's page and its neighbours: kept per node once made
            if object is None and subject is not None:
                return self._edges.out_of(subject)
            if subject is None and object is not None:
                return self._edges.into(object)
        return self._edges.matching(subject, predicate, object)

    def neighbours(
        self,
        node_id: str,
        predicate: Predicate | None = None,
        direction: Direction = Direction.BOTH,
    ) -> list[Neighbour]:
        """Edges touching `node_id`, outgoing first, each tagged with its direction."""
        self.node(node_id)
        found: list[Neighbour] = []
        if direction in (Direction.OUT, Direction.BOTH):
            found += [Neighbour(Direction.OUT, e) for e in self._edges.out_of(node_id)]
        if direction in (Direction.IN, Direction.BOTH):
            found += [Neighbour(Direction.IN, e) for e in self._edges.into(node_id)]
        return [n for n in found if predicate is None or n.edge.predicate is predicate]

    def subgraph(self, node_ids: Sequence[str]) -> nx.MultiDiGraph:
        """An independent copy of the graph induced by `node_ids` (unknown ids raise)."""
        for node_id in node_ids:
            self.node(node_id)
        return self.graph.subgraph(node_ids).copy()

    # Sources ---------------------------------------------------------------------------

    def sources(self) -> Sequence[SourceRecord]:
        return tuple(self._sources.values())

    def source(self, source_id: str) -> SourceRecord:
        try:
            return self._sources[source_id]
        except KeyError:
            raise NotFoundError("source", source_id) from None

    def edge_ends(self, predicate: Predicate | None = None) -> Iterator[tuple[str, str]]:
        """(subject, object) of every edge (of `predicate`), ordered by key: what `edges` gives,
        read from columns without making records (a built pack decodes those when read)."""
        return self._edges.ends(predicate)

    def edges_citing(self, source_id: str) -> Sequence[EdgeRecord]:
        """Edges whose evidence quotes this source or credits it through `cites`."""
        self.source(source_id)
        return self._citing.get().get(source_id, ())

    @property
    def citations_indexed(self) -> bool:
        """Whether the indexes built after the start (citations, edges by key, codes) are."""
        return self._citing.built and self._edges.keys_indexed and self._codes.built

    def index_citations(self) -> None:
        """Build the indexes `edges_citing` and the lookups by edge key and by code read now
        (a server's warm-up), not on first use."""
        self._edges.index_keys()
        self._codes.get()
        self._citing.get()

    def citations(self) -> dict[str, list[int]]:
        """The citations index as plain data (each source's edges by position in key order),
        for a built pack to store (`stored_citations`)."""
        return {source: list(edges.positions) for source, edges in self._citing.get().items()}

    def _edges_by_source(self) -> dict[str, EdgeList]:
        stored = None if self._stored_citations is None else self._stored_citations()
        if stored is not None and all(
            min(found, default=0) >= 0 and max(found, default=0) < len(self._edges)
            for found in stored.values()
        ):
            return {source: self._edges.listed(found) for source, found in stored.items()}
        citing: dict[str, list[int]] = defaultdict(list)
        for at, edge in enumerate(self._edges.every()):
            for source in _sources_credited(edge):
                citing[source].append(at)
        return {source: self._edges.listed(found) for source, found in citing.items()}

    @property
    def disclaimers(self) -> tuple[Disclaimer, ...]:
        return tuple(pack.disclaimer for pack in self.packs)

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The graph as a NetworkX MultiDiGraph with every record's fields as attributes.

        Built on first use (path finding, the node-link export): on a pack of 160,000 edges it
        takes seconds and hundreds of MB that a server answering lookups never needs.
        """
        return self._build_networkx()

    def _build_networkx(self) -> nx.MultiDiGraph:
        import networkx as nx

        graph = nx.MultiDiGraph(version=self.version)
        for node in self._nodes.values():
            graph.add_node(node.id, **node.model_dump(mode="json", exclude={"id"}), kind=node.kind)
        for edge in self._edges.every():
            attrs = edge.model_dump(mode="json", exclude={"subject", "object", "predicate"})
            graph.add_edge(
                edge.subject, edge.object, key=edge.key, predicate=edge.predicate.value, **attrs
            )
        return graph


def _code_index(nodes: Iterable[NodeRecord]) -> dict[str, tuple[str, ...]]:
    """Upper-cased code (CURIE and bare form) -> the ids of the nodes carrying it."""
    index: dict[str, list[str]] = defaultdict(list)
    for node in nodes:
        for code in node.codes:
            for form in dict.fromkeys((code.curie.upper(), code.code.upper())):
                if node.id not in index[form]:
                    index[form].append(node.id)
    return {form: tuple(ids) for form, ids in index.items()}


def _sources_credited(edge: EdgeRecord) -> Sequence[str]:
    """The sources an edge's evidence quotes or credits through `cites`, sorted."""
    evidence = edge.evidence
    if len(evidence) == 1:  # most edges: no set to build and sort
        (only,) = evidence
        cites = only.cites if isinstance(only, Evidence) else None
        return (
            (only.source,)
            if cites is None or cites == only.source
            else sorted({only.source, cites})
        )
    found = {ev.source for ev in evidence}
    found |= {ev.cites for ev in evidence if isinstance(ev, Evidence) and ev.cites is not None}
    return sorted(found)
