"""Storage for the model's causes x findings tables: dense for small packs, sparse for large."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy import sparse, special

__all__ = ["Table", "Vector", "binary_entropy", "column_maxima", "divergence"]

Vector = npt.NDArray[np.float64]


class Table:
    """A causes x findings matrix that is zero wherever a cause is at the background.

    Every pack keeps only the stored pairs, in compressed-column and compressed-row form, for
    the compiled loops (graph/reasoning/kernel.py); a model built with `dense_cells` keeps it
    dense instead, for the numpy reference the tests compare those loops with.
    """

    def __init__(
        self,
        rows: npt.NDArray[np.int64],
        cols: npt.NDArray[np.int64],
        values: Vector,
        shape: tuple[int, int],
        dense: bool,
    ) -> None:
        self.shape = shape
        self.dense: Vector | None = None
        if dense:
            self.dense = np.zeros(shape, dtype=np.float64)
            self.dense[rows, cols] = values
            return
        by_column = sparse.csc_array((values, (rows, cols)), shape=shape)
        by_row = sparse.csr_array((values, (rows, cols)), shape=shape)
        for matrix in (by_column, by_row):
            matrix.sum_duplicates()
            matrix.sort_indices()
        self._col_ptr, self._col_idx, self._col_val = _arrays(by_column)
        self._row_ptr, self._row_idx, self._row_val = _arrays(by_row)

    def add_columns(self, into: Vector, columns: Sequence[int], power: float = 1.0) -> None:
        """into += power times the sum of the given columns."""
        if not columns:
            return
        if self.dense is not None:
            # Column by column, as the compiled scores loop adds them: the same sums, bit for bit.
            for j in columns:
                into += power * self.dense[:, j]
            return
        # Slicing the stored arrays beats scipy's fancy column indexing by 10x on small queries.
        for j in columns:
            start, end = self._col_ptr[j], self._col_ptr[j + 1]
            into[self._col_idx[start:end]] += power * self._col_val[start:end]

    def block(self, rows: npt.NDArray[np.int64], columns: npt.NDArray[np.int64]) -> Vector:
        """(dense form) The len(rows) x len(columns) sub-matrix: the numpy reference reads the
        roles of reported findings with it; the compiled loops read the stored pairs."""
        if self.dense is None:
            raise ValueError("Table.block reads dense tables; a sparse one's pairs are by_column()")
        return self.dense[rows][:, columns]

    def stored_by_row(self) -> tuple[npt.NDArray[np.int64], Vector]:
        """(column, value) of every stored pair (sparse form), row by row."""
        return self._row_idx, self._row_val

    def by_column(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], Vector]:
        """(column pointers, rows, values) of the stored pairs (sparse form), column by column."""
        return self._col_ptr, self._col_idx, self._col_val

    def row_pointers(self) -> npt.NDArray[np.int64]:
        """Where each row's pairs start in `stored_by_row` (sparse form), and where the last ends."""
        return self._row_ptr


def _arrays(
    matrix: sparse.csc_array | sparse.csr_array,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], Vector]:
    return (
        matrix.indptr.astype(np.int64),
        matrix.indices.astype(np.int64),
        matrix.data.astype(np.float64),
    )


def binary_entropy(p: Vector) -> Vector:
    """Binary entropy in bits, elementwise (0 at 0 and 1)."""
    q = np.clip(p, 1e-300, 1.0 - 1e-16)
    result: Vector = -(q * np.log2(q) + (1.0 - q) * np.log2(1.0 - q))
    return result


def divergence(p: Vector, q: Vector) -> Vector:
    """KL divergence in bits of a yes/no answer with P(yes) `p` from one with `q`,
    elementwise."""
    nats = special.rel_entr(p, q) + special.rel_entr(1.0 - p, 1.0 - q)
    result: Vector = nats / np.log(2.0)
    return result


def column_maxima(col_ptr: npt.NDArray[np.int64], values: Vector) -> Vector:
    """The largest of each column's stored `values` (columns as `col_ptr` delimits them), 0.0
    for a column that stores none."""
    maxima: Vector = np.zeros(len(col_ptr) - 1)
    stored = np.flatnonzero(np.diff(col_ptr) > 0)
    if len(stored):
        maxima[stored] = np.maximum.reduceat(values, col_ptr[stored])
    return maxima
