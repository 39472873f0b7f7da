"""A built pack's edges as columns, each record decoded from its own row when first read.

Making all 160,000 of the HPO pack's edge records took 0.8 s of its start, and parsing their
JSON 0.35 s more, while a server reads few of them: the graph's indexes need only each edge's
ends and predicate, which are stored as arrays mapped from the file. Each edge's row (the
fields after them, in graph/packs/records_codec.py's form) is a JSON slice of one block.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, overload

import numpy as np
import numpy.typing as npt
import orjson

from graph.schema.content import Located
from graph.schema.records import EdgeRecord
from graph.schema.vocabulary import Predicate

__all__ = ["StoredEdges", "edge_columns"]

Indexes = npt.NDArray[np.int64]


def edge_columns(
    edges: Sequence[Located[EdgeRecord]],
    files: dict[str, int],
    row: Callable[[EdgeRecord], list[Any]],
) -> tuple[list[str], dict[str, npt.NDArray[Any]]]:
    """The ids the edges' ends name, and the arrays `StoredEdges` reads back: ends (indexes
    into those ids), predicates, files (adding theirs to `files`), each row's JSON and where
    it starts, and the edges' order by key."""
    ends: dict[str, int] = {}
    predicates = list(Predicate)
    columns: dict[str, list[int]] = {"subject": [], "object": [], "predicate": [], "file": []}
    blocks: list[bytes] = []
    for item in edges:
        edge = item.record
        columns["subject"].append(ends.setdefault(edge.subject, len(ends)))
        columns["object"].append(ends.setdefault(edge.object, len(ends)))
        columns["predicate"].append(predicates.index(edge.predicate))
        columns["file"].append(files.setdefault(item.file, len(files)))
        blocks.append(orjson.dumps(row(edge)))
    starts = np.cumsum([0, *map(len, blocks)], dtype=np.int64)
    keys = [edge.record.key for edge in edges]
    arrays: dict[str, npt.NDArray[Any]] = {
        name: np.array(values, dtype=np.int32) for name, values in columns.items()
    }
    arrays["rows"] = np.frombuffer(b"".join(blocks), dtype=np.uint8)
    arrays["starts"] = starts
    arrays["by_key"] = np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.int64)
    return list(ends), arrays


class StoredEdges(Sequence[Located[EdgeRecord]]):
    """The edges in the order they were stored; `columns` hold their subjects and objects
    (indexes into `ends`) and predicates (into `Predicate`) in that order, `by_key` the
    order of their keys. An edge's record is decoded when it is first read, then kept (at
    most one per edge)."""

    def __init__(
        self,
        ends: Sequence[str],
        files: Sequence[str],
        arrays: dict[str, npt.NDArray[Any]],
        decode: Callable[[list[Any]], EdgeRecord],
    ) -> None:
        self.ends = ends
        # Subjects, objects (indexes into `ends`) and predicates (into `Predicate`).
        subjects, objects, predicates = (
            arrays[name].astype(np.int64) for name in ("subject", "object", "predicate")
        )
        self.columns = (subjects, objects, predicates)
        self.by_key = arrays["by_key"]
        self._files = files
        self._file_of = arrays["file"]
        self._rows = arrays["rows"].data  # a memoryview: slices are not copied
        self._starts: Indexes = arrays["starts"]
        self._decode = decode
        self._records: list[EdgeRecord | None] = [None] * len(self.by_key)
        if not len(self._starts) == len(self.columns[0]) + 1 == len(self.by_key) + 1:
            raise ValueError("the edge columns differ in length")

    def record(self, index: int) -> EdgeRecord:
        """The edge stored at `index`."""
        record = self._records[index]
        if record is None:  # two threads may both decode it: equal records, either is kept
            start, end = int(self._starts[index]), int(self._starts[index + 1])
            record = self._records[index] = self._decode(orjson.loads(self._rows[start:end]))
        return record

    def __len__(self) -> int:
        return len(self._records)

    @overload
    def __getitem__(self, index: int) -> Located[EdgeRecord]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Located[EdgeRecord]]: ...
    def __getitem__(
        self, index: int | slice
    ) -> Located[EdgeRecord] | Sequence[Located[EdgeRecord]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        position = range(len(self))[index]  # negative indexes too; IndexError past the end
        return Located(self._files[int(self._file_of[position])], self.record(position))

    def __iter__(self) -> Iterator[Located[EdgeRecord]]:
        return (self[i] for i in range(len(self)))
