"""Everything the request path reads: indexes built once at startup, and views of nodes and
edges built on demand behind bounded caches (whole-graph exports are written to files:
app/exports.py).

Nothing proportional to the graph is serialised at startup: on a pack of 27,000 nodes and
160,000 edges, pre-rendering every node's JSON and three whole-graph exports cost 340 MB and
minutes. A request renders what it needs; the caches keep the popular answers.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import threading
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from functools import lru_cache
from itertools import groupby
from pathlib import Path
from typing import Any, TypeVar

from app.openapi import API_VERSION
from app.render import DiagnosisRenderer
from app.schemas.catalog import (
    EverydayTermsOut,
    MetaOut,
    NeighbourGroup,
    NodeDetail,
    PackOut,
    SourceOut,
)
from app.schemas.common import DisclaimerOut, EdgeOut, NeighbourOut, NodeOut, NodeSummary
from app.settings import Settings
from graph.knowledge import Direction, KnowledgeGraph, Neighbour
from graph.knowledge.knowledge_graph import citations_document
from graph.knowledge.once import Once
from graph.knowledge.presentation import presentation
from graph.packs.artifact import ArtifactError, read_artifact
from graph.packs.loader import paused_gc
from graph.reasoning import Diagnoser, ModelParameters, PathFinder
from graph.reasoning.prebuilt import stored_sensitivities
from graph.schema.errors import NotFoundError
from graph.text.parse import Parser
from graph.text.prebuilt import stored_parser, stored_search
from graph.text.search import SearchIndex

__all__ = [
    "NEIGHBOURS_SHOWN",
    "NOTICE",
    "LazyViews",
    "Runtime",
    "load_runtime",
    "warm_and_freeze",
    "warm_in_background",
]

NOTICE = (
    "symptom-graph returns educational reference material from the cited sources. "
    "It is not a diagnosis and not medical advice."
)
# Neighbours listed per group of a node's detail unless the client asks for more (up to 200).
NEIGHBOURS_SHOWN = 50

V = TypeVar("V")


class LazyViews(Mapping[str, V]):
    """A read-only mapping whose values are built from their key on first use and kept in a
    bounded LRU cache; its keys are those of the graph (never materialised as values)."""

    def __init__(self, keys: Collection[str], build: Callable[[str], V], size: int) -> None:
        self._keys = keys
        self._build = lru_cache(maxsize=size)(build)

    def __getitem__(self, key: str) -> V:
        if key not in self._keys:
            raise KeyError(key)
        return self._build(key)

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


class Runtime:
    """The loaded graph and what the routers read from it; immutable once built."""

    def __init__(
        self,
        graph: KnowledgeGraph,
        diagnoser: Diagnoser,
        diagnose_cache_size: int,
        cache_size: int,
        search: Callable[[], SearchIndex] | None = None,
        parser: Callable[[], Parser] | None = None,
    ) -> None:
        """`search` and `parser` build the graph's indexes (from a built pack's, or afresh);
        by default, afresh."""
        self.graph = graph
        self.diagnoser = diagnoser
        # Built by `warm_up` or the first request that reads them, not before ready: on the HPO
        # pack they took 0.8 s of the start from a built pack, 2 s from folders.
        self._search = Once(search or (lambda: SearchIndex(graph)))
        self._parser = Once(parser or (lambda: Parser(graph)))
        # Its graph is built by `warm_up` or the first paths request (0.4 s on the HPO pack).
        self.paths = PathFinder(graph)
        # Set in a supervisor that forks cold workers: each builds what a request reads on
        # first use, itself, without holding every request for the whole warm-up.
        self.on_demand = False
        self.summaries: Mapping[str, NodeSummary] = LazyViews(
            graph.node_ids, lambda node_id: NodeSummary.of(graph.node(node_id)), cache_size * 4
        )
        self.nodes: Mapping[str, NodeOut] = LazyViews(
            graph.node_ids, lambda node_id: NodeOut.of(graph.node(node_id)), cache_size
        )
        self.edges: Mapping[str, EdgeOut] = LazyViews(
            graph.edge_keys, lambda key: EdgeOut.of(graph.edge(key)), cache_size * 4
        )
        self.sources = {s.id: SourceOut.of(s) for s in graph.sources()}
        # Each source id's slug, which is what a mistyped id is compared with.
        self.source_slugs = {s.id: s.id.partition(":")[2] for s in graph.sources()}
        self.disclaimer = DisclaimerOut(
            text="\n\n".join(d.text for d in graph.disclaimers),
            source=", ".join(d.source for d in graph.disclaimers),
            notice=NOTICE,
        )
        self.meta = MetaOut(
            api_version=API_VERSION,
            graph_version=graph.version,
            packs=[PackOut.of(p, presentation(graph, p)) for p in graph.packs],
            counts_by_kind=dict(graph.counts_by_kind),
            counts_by_predicate=dict(graph.counts_by_predicate),
            built_at=dt.datetime.now(dt.UTC),
            disclaimer=self.disclaimer,
        )
        self.diagnoses = DiagnosisRenderer(
            diagnoser, self.summaries, self.edges, self.disclaimer, diagnose_cache_size
        )
        self._node_detail = lru_cache(maxsize=cache_size)(self._render_node_detail)
        # Diagnose resolves every ref of every query, and clients send the same codes again
        # and again: each is resolved once (3 us a ref on the HPO pack, 11 refs a query).
        self.reference = lru_cache(maxsize=cache_size * 16)(self._reference)

    def _reference(self, ref: str) -> tuple[str, str | None]:
        """The node id `ref` names (a node id or a standard code), or `ref` itself when it
        names none or several (the engine's check reports it); and the node's own code when
        `ref` is an older code of the same vocabulary, else None."""
        graph = self.graph
        if graph.has_node(ref):
            return ref, None
        try:
            node = graph.resolve(ref)
        except NotFoundError:  # includes an ambiguous code
            return ref, None
        return node, graph.replaced_code(ref)

    @property
    def search(self) -> SearchIndex:
        return self._search.get()

    @property
    def parser(self) -> Parser:
        return self._parser.get()

    @property
    def warm(self) -> bool:
        """Whether a request can go straight on: every index it may read is built, or this
        process builds each on first use (`on_demand`)."""
        return self.on_demand or (
            self._search.built
            and self._parser.built
            and self.paths.built
            and self.graph.citations_indexed
        )

    def warm_up(self) -> None:
        """Build the indexes requests read on first use (before forking workers, or in the
        background once the server is ready; app/warmgate.py holds requests off the event
        loop until then)."""
        self._search.get()
        self._parser.get()
        self.paths.build()
        self.graph.index_citations()

    def build_for(self, path: str) -> Callable[[], object] | None:
        """What a request to `path` may read that is not built yet, as the call that builds
        it (for `on_demand` workers: app/warmgate.py runs it off the event loop); None when
        there is nothing to build. A name not found reads the search index (suggestions)."""
        if path.startswith(("/v1/search", "/v1/nodes/")):
            return None if self._search.built else self._search.get
        if path.startswith("/v1/parse"):
            return None if self._parser.built else self._parser.get
        if path.startswith("/v1/paths"):
            # A reference that names no node is answered with suggestions, from the search index.
            return None if self.paths.built and self._search.built else self._build_paths
        if path.startswith("/v1/sources"):
            return None if self.graph.citations_indexed else self.graph.index_citations
        return None

    def _build_paths(self) -> None:
        self.paths.build()
        self._search.get()

    @property
    def suggests_at_once(self) -> bool:
        """Whether an id that names no node is answered without building the search index,
        which suggests the ids meant (0.6 s on the HPO pack)."""
        return self._search.built

    @classmethod
    def load(
        cls, packs: Sequence[Path], diagnose_cache_size: int = 256, cache_size: int = 1024
    ) -> Runtime:
        """Load, validate and index the packs; raises `ContentError` on invalid content."""
        # The indexes, like the records, hold no cycles: collecting while they grow cost 5 s
        # of the HPO pack's start (the server collects once, then freezes what was built).
        with paused_gc():
            graph = KnowledgeGraph.from_packs(packs)
            return cls(graph, Diagnoser(graph), diagnose_cache_size, cache_size)

    @classmethod
    def from_artifact(
        cls, path: Path, diagnose_cache_size: int = 256, cache_size: int = 1024
    ) -> Runtime:
        """Load a built pack (`symptom-graph build`), whose records were validated when it was
        built; raises `ArtifactError` for a file that is not an intact built pack."""
        with paused_gc():
            artifact = read_artifact(path)
            documents = artifact.documents
            graph = KnowledgeGraph(
                artifact.records,
                artifact.version,
                artifact.edges,
                lambda: _stored(_citations, graph, documents),
            )
            params = ModelParameters()
            sensitivities = stored_sensitivities(artifact.arrays, params)
            diagnoser = Diagnoser(graph, params, sensitivities)

            def search() -> SearchIndex:
                return _stored(stored_search, graph, documents) or SearchIndex(graph)

            def parser() -> Parser:
                return _stored(stored_parser, graph, documents) or Parser(graph)

            runtime = cls(graph, diagnoser, diagnose_cache_size, cache_size, search, parser)
            # Never changes: frozen before the collector is back, whose first pass would
            # otherwise scan all of it (a second of the HPO pack's start).
            gc.freeze()
            return runtime

    def node_detail(self, node_id: str, limit: int = NEIGHBOURS_SHOWN) -> bytes | None:
        """The JSON of GET /v1/nodes/{id} with at most `limit` neighbours per group, or None
        for an unknown id."""
        if not self.graph.has_node(node_id):
            return None
        return self._node_detail(node_id, limit)

    def _render_node_detail(self, node_id: str, limit: int) -> bytes:
        """A node with its neighbours grouped by predicate, then direction, `limit` a group:
        the HPO pack's Seizure term has 1,423 diseases (708 KB and 99 ms to render whole)."""

        def group_key(item: Neighbour) -> tuple[str, str]:
            return (item.edge.predicate, item.direction)

        # Stable: each group keeps the graph's edge-key order, which /v1/edges pages in.
        neighbours = sorted(self.graph.neighbours(node_id), key=group_key)
        groups = []
        for (predicate, direction), grouped in groupby(neighbours, key=group_key):
            members = list(grouped)
            end = "subject" if direction == Direction.OUT else "object"
            rest = f"/v1/edges?{end}={node_id}&predicate={predicate}&limit={limit}&offset={limit}"
            groups.append(
                NeighbourGroup(
                    predicate=predicate,
                    direction=direction,
                    neighbours=[
                        NeighbourOut.of(n.direction, self.edges[n.edge.key], self.summaries)
                        for n in members[:limit]
                    ],
                    total=len(members),
                    next=rest if len(members) > limit else None,
                )
            )
        detail = NodeDetail(
            node=self.nodes[node_id],
            neighbours=groups,
            everyday_terms=[EverydayTermsOut.of(r) for r in self.graph.lexicon_of(node_id)],
            disclaimer=self.disclaimer,
        )
        return detail.model_dump_json().encode()


Index = TypeVar("Index")


def _stored(
    read: Callable[[KnowledgeGraph, Mapping[str, Any]], Index | None],
    graph: KnowledgeGraph,
    documents: Mapping[str, Any],
) -> Index | None:
    """The index a built pack stores, or None when it stores none for this code or an
    unreadable one (then built afresh, as from the pack folders; the file passed its digest,
    so only a file written by something else gets there)."""
    try:
        return read(graph, documents)
    except ArtifactError as exc:
        logging.getLogger("symptom_graph").warning("%s; building the index afresh", exc)
        return None


def _citations(_: KnowledgeGraph, documents: Mapping[str, Any]) -> Any:
    return documents.get(citations_document())


def warm_in_background(runtime: Runtime, *also: Callable[[], object]) -> threading.Thread:
    """Build the runtime's lazy indexes, then each of `also`, in a daemon thread, and freeze
    what they built out of the collector's sight as the start froze the graph. A request
    that needs one first waits for it (`Once`); a build that fails is tried again by it."""

    def warm() -> None:
        try:
            warm_and_freeze(runtime, *also)
        except Exception:  # a request that needs it builds it again and reports the error
            logging.getLogger("symptom_graph").exception("warming up after the start failed")
            gc.freeze()

    thread = threading.Thread(target=warm, name="warm-up", daemon=True)
    thread.start()
    return thread


def warm_and_freeze(runtime: Runtime, *also: Callable[[], object]) -> None:
    """Build the runtime's lazy indexes, then each of `also`, and freeze what they built out of
    the collector's sight, as the start froze the graph; raises what a build raises."""
    # Like the load, they hold no cycles: the collector's passes over them doubled the time.
    # Cyclic garbage that requests make meanwhile (about a second) is frozen below with the
    # indexes and never collected: bounded, and accepted.
    with paused_gc():
        runtime.warm_up()
        for build in also:
            build()
    gc.freeze()


def load_runtime(settings: Settings) -> Runtime:
    """The content the settings name: the built pack when `artifact` is set, else the pack
    folders. Raises `ContentError` or `ArtifactError` when it cannot be served."""
    if settings.artifact is not None:
        return Runtime.from_artifact(settings.artifact, settings.diagnose_cache_size)
    return Runtime.load(settings.packs, settings.diagnose_cache_size)
