"""The graph's edges in key order: their ends and predicates as columns, records on demand.

A built pack's edges are decoded when first read (graph/packs/stored_edges.py), so the start
makes none of its 160,000 records; the indexes here hold positions, and the record tuples a
lookup returns are made per node or per predicate on first use, then kept (at most one tuple
per node and direction, and one per predicate: bounded by the graph).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from typing import overload

import numpy as np
import numpy.typing as npt

from graph.knowledge.once import Once
from graph.packs.stored_edges import StoredEdges
from graph.schema.records import EdgeRecord
from graph.schema.vocabulary import Predicate

__all__ = ["EdgeList", "EdgeTable"]

Records = tuple[EdgeRecord, ...]
Codes = npt.NDArray[np.int64]
_PREDICATES = list(Predicate)


class EdgeTable:
    """Edges ordered by key: their ends and predicates as columns, the out, in and predicate
    indexes as position arrays (a node's positions are a slice), records made on demand."""

    def __init__(
        self,
        ends: Sequence[str],
        columns: tuple[Codes, Codes, Codes],
        record: Callable[[int], EdgeRecord],
        order: Codes,
    ) -> None:
        """`columns`: subjects and objects (indexes into `ends`) and predicates (indexes into
        `Predicate`) in stored order; `record(i)` the i-th stored edge; `order` the stored
        indexes sorted by key, one per key."""
        subjects, objects, predicates = (column[order] for column in columns)
        self.subjects = list(map(ends.__getitem__, subjects.tolist()))
        self.objects = list(map(ends.__getitem__, objects.tolist()))
        self.predicates = list(map(_PREDICATES.__getitem__, predicates.tolist()))
        self._record = record
        self._kept: list[int] = order.tolist()
        self._end = {end: at for at, end in enumerate(ends)}
        self._out = _Grouped(subjects, len(ends))
        self._in = _Grouped(objects, len(ends))
        self._by_predicate = _Grouped(predicates, len(_PREDICATES))
        # key -> position: built by the warm-up or the first lookup by key, not the start.
        self._keys = Once(self._key_positions)
        self._out_records: dict[str, Records] = {}
        self._in_records: dict[str, Records] = {}
        self._predicate_records: dict[Predicate, Records] = {}
        self._every = EdgeList(self, range(len(self._kept)))

    @classmethod
    def of_records(cls, edges: Sequence[EdgeRecord]) -> EdgeTable:
        """Edges validated in this process; of several with one key, the last is kept."""
        by_key = dict(sorted((e.key, i) for i, e in enumerate(edges)))
        ends: dict[str, int] = {}
        columns = (
            [ends.setdefault(e.subject, len(ends)) for e in edges],
            [ends.setdefault(e.object, len(ends)) for e in edges],
            [_PREDICATES.index(e.predicate) for e in edges],
        )
        arrays = tuple(np.array(c, dtype=np.int64) for c in columns)
        order = np.array(list(by_key.values()), dtype=np.int64)
        return cls(list(ends), (arrays[0], arrays[1], arrays[2]), edges.__getitem__, order)

    @classmethod
    def of_stored(cls, edges: StoredEdges) -> EdgeTable:
        """A built pack's edges (its keys are unique: validation refuses duplicates)."""
        return cls(edges.ends, edges.columns, edges.record, edges.by_key)

    @property
    def keys(self) -> Collection[str]:
        """Every key, in order (a live view)."""
        return self._keys.get().keys()

    @property
    def keys_indexed(self) -> bool:
        return self._keys.built

    def index_keys(self) -> None:
        self._keys.get()

    def __len__(self) -> int:
        return len(self._kept)

    def edge(self, key: str) -> EdgeRecord:
        """The edge with this key; raises `KeyError`."""
        return self._record(self._kept[self._keys.get()[key]])

    def every(self) -> EdgeList:
        return self._every

    def out_of(self, node_id: str) -> Records:
        found = self._out_records.get(node_id)
        if found is None:
            found = self._out_records[node_id] = self._at(self._out.of(self._end.get(node_id)))
        return found

    def into(self, node_id: str) -> Records:
        found = self._in_records.get(node_id)
        if found is None:
            found = self._in_records[node_id] = self._at(self._in.of(self._end.get(node_id)))
        return found

    def matching(
        self, subject: str | None, predicate: Predicate | None, object_: str | None
    ) -> Records:
        """Edges with these ends and predicate (given ones; `subject` or `object_` at least),
        filtered on the columns, so that only those found are made records."""
        positions = (
            self._out.of(self._end.get(subject))
            if subject is not None
            else self._in.of(self._end.get(object_ or ""))
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
            found = self._at(self._by_predicate.of(_PREDICATES.index(predicate)))
            self._predicate_records[predicate] = found
        return found

    def counts(self) -> dict[Predicate, int]:
        """How many edges each predicate has, for those with any."""
        return {p: n for p, n in zip(_PREDICATES, self._by_predicate.sizes(), strict=True) if n}

    def ends(self, predicate: Predicate | None = None) -> Iterator[tuple[str, str]]:
        """(subject, object) of each edge (of `predicate`), in key order, making no record."""
        positions: Sequence[int] = (
            range(len(self._kept))
            if predicate is None
            else self._by_predicate.of(_PREDICATES.index(predicate))
        )
        subjects, objects = self.subjects, self.objects
        return ((subjects[at], objects[at]) for at in positions)

    def _key_positions(self) -> dict[str, int]:
        return {
            "|".join(triple): at
            for at, triple in enumerate(
                zip(self.subjects, self.predicates, self.objects, strict=True)
            )
        }

    def listed(self, positions: Sequence[int]) -> EdgeList:
        """The edges at these positions, made records as they are read."""
        return EdgeList(self, positions)

    def _at(self, positions: Sequence[int]) -> Records:
        record, kept = self._record, self._kept
        return tuple(record(kept[at]) for at in positions)


class _Grouped:
    """Positions grouped by a column's value (positions ascending within a group): a CSR
    index made by one stable sort instead of 160,000 list appends. A group's list is kept
    once read (diagnose asks for the same nodes' edges in every query)."""

    __slots__ = ("_lists", "_positions", "_starts")

    def __init__(self, column: Codes, values: int) -> None:
        self._positions = np.argsort(column, kind="stable")
        self._starts = np.concatenate(([0], np.cumsum(np.bincount(column, minlength=values))))
        self._lists: dict[int, list[int]] = {}

    def of(self, value: int | None) -> list[int]:
        """The positions whose column holds `value` (none for None)."""
        if value is None:
            return []
        found = self._lists.get(value)
        if found is None:
            start, end = self._starts[value], self._starts[value + 1]
            found = self._lists[value] = self._positions[start:end].tolist()
        return found

    def sizes(self) -> list[int]:
        return np.diff(self._starts).tolist()  # type: ignore[no-any-return]


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
