"""The graph's edges in key order: their ends and predicates as columns, records on demand.

A built pack's edges are decoded when first read (graph/packs/stored_edges.py), so the start
makes none of its 160,000 records; the indexes here hold positions, and the record tuples a
lookup returns are made per node or per predicate on first use, then kept (at most one tuple
per node and direction, and one per predicate: bounded by the graph).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Sequence
from typing import overload

from graph.packs.stored_edges import StoredEdges
from graph.schema.records import EdgeRecord
from graph.schema.vocabulary import Predicate

__all__ = ["EdgeList", "EdgeTable"]

Records = tuple[EdgeRecord, ...]


class EdgeTable:
    """Edges ordered by key, one per key (the last given wins, as in a dict)."""

    def __init__(
        self,
        subjects: Sequence[str],
        predicates: Sequence[Predicate],
        objects: Sequence[str],
        record: Callable[[int], EdgeRecord],
        order: Sequence[int],
    ) -> None:
        """Columns in stored order, `record(i)` the i-th stored edge, `order` the stored
        indexes sorted by key."""
        position: dict[str, int] = {}
        for index in order:
            position["|".join((subjects[index], predicates[index], objects[index]))] = index
        # key -> stored index, in key order (duplicates keep their first place, last record).
        self._stored = position
        self._record = record
        kept = list(position.values())
        self.subjects = [subjects[i] for i in kept]
        self.predicates = [predicates[i] for i in kept]
        self.objects = [objects[i] for i in kept]
        out_index: dict[str, list[int]] = defaultdict(list)
        in_index: dict[str, list[int]] = defaultdict(list)
        by_predicate: dict[Predicate, list[int]] = defaultdict(list)
        for at, (subject, predicate, object_) in enumerate(
            zip(self.subjects, self.predicates, self.objects, strict=True)
        ):
            out_index[subject].append(at)
            in_index[object_].append(at)
            by_predicate[predicate].append(at)
        self._kept = kept
        self._out = dict(out_index)
        self._in = dict(in_index)
        self._by_predicate = dict(by_predicate)
        self._out_records: dict[str, Records] = {}
        self._in_records: dict[str, Records] = {}
        self._predicate_records: dict[Predicate, Records] = {}
        self._every = EdgeList(self, range(len(kept)))

    @classmethod
    def of_records(cls, edges: Sequence[EdgeRecord]) -> EdgeTable:
        keys = [edge.key for edge in edges]
        return cls(
            [e.subject for e in edges],
            [e.predicate for e in edges],
            [e.object for e in edges],
            edges.__getitem__,
            sorted(range(len(edges)), key=keys.__getitem__),
        )

    @classmethod
    def of_stored(cls, edges: StoredEdges) -> EdgeTable:
        return cls(edges.subjects, edges.predicates, edges.objects, edges.record, edges.by_key)

    @property
    def keys(self) -> Collection[str]:
        """Every key, in order (a live view)."""
        return self._stored.keys()

    def __len__(self) -> int:
        return len(self._kept)

    def edge(self, key: str) -> EdgeRecord:
        """The edge with this key; raises `KeyError`."""
        return self._record(self._stored[key])

    def every(self) -> EdgeList:
        return self._every

    def out_of(self, node_id: str) -> Records:
        found = self._out_records.get(node_id)
        if found is None:
            found = self._out_records[node_id] = self._at(self._out.get(node_id, ()))
        return found

    def into(self, node_id: str) -> Records:
        found = self._in_records.get(node_id)
        if found is None:
            found = self._in_records[node_id] = self._at(self._in.get(node_id, ()))
        return found

    def matching(
        self, subject: str | None, predicate: Predicate | None, object_: str | None
    ) -> Records:
        """Edges with these ends and predicate (given ones; `subject` or `object_` at least),
        filtered on the columns, so that only those found are made records."""
        positions = (
            self._out.get(subject, ()) if subject is not None else self._in.get(object_ or "", ())
        )
        subjects, predicates, objects = self.subjects, self.predicates, self.objects
        return self._at(
            [
                at
                for at in positions
                if (predicate is None or predicates[at] is predicate)
                and (subject is None or subjects[at] == subject)
                and (object_ is None or objects[at] == object_)
            ]
        )

    def of_predicate(self, predicate: Predicate) -> Records:
        found = self._predicate_records.get(predicate)
        if found is None:
            found = self._at(self._by_predicate.get(predicate, ()))
            self._predicate_records[predicate] = found
        return found

    def count(self, predicate: Predicate) -> int:
        return len(self._by_predicate.get(predicate, ()))

    def predicates_present(self) -> list[Predicate]:
        return sorted(self._by_predicate)

    def ends(self, predicate: Predicate | None = None) -> Iterator[tuple[str, str]]:
        """(subject, object) of each edge (of `predicate`), in key order, making no record."""
        positions: Sequence[int] = (
            range(len(self._kept)) if predicate is None else self._by_predicate.get(predicate, ())
        )
        subjects, objects = self.subjects, self.objects
        return ((subjects[at], objects[at]) for at in positions)

    def listed(self, positions: Sequence[int]) -> EdgeList:
        """The edges at these positions, made records as they are read."""
        return EdgeList(self, positions)

    def _at(self, positions: Sequence[int]) -> Records:
        record, kept = self._record, self._kept
        return tuple(record(kept[at]) for at in positions)


class EdgeList(Sequence[EdgeRecord]):
    """Edges at given positions of a table, each made a record when read: a database source
    credits over 100,000 edges, of which a page of its citations reads 50."""

    __slots__ = ("_positions", "_table")

    def __init__(self, table: EdgeTable, positions: Sequence[int]) -> None:
        self._table = table
        self._positions = positions

    @property
    def positions(self) -> Sequence[int]:
        return self._positions

    def __len__(self) -> int:
        return len(self._positions)

    @overload
    def __getitem__(self, index: int) -> EdgeRecord: ...
    @overload
    def __getitem__(self, index: slice) -> Records: ...
    def __getitem__(self, index: int | slice) -> EdgeRecord | Records:
        if isinstance(index, slice):
            return self._table._at(self._positions[index])
        return self._table._at((self._positions[index],))[0]

    def __iter__(self) -> Iterator[EdgeRecord]:
        record, kept = self._table._record, self._table._kept
        return (record(kept[at]) for at in self._positions)

    def ends(self) -> Iterator[tuple[str, str]]:
        """(subject, object) of each edge, from the table's columns (no record is made)."""
        subjects, objects = self._table.subjects, self._table.objects
        return ((subjects[at], objects[at]) for at in self._positions)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    __hash__ = None  # type: ignore[assignment]
