"""The model's arrays a built pack stores, so that serving it skips computing them.

Each cause's sensitivity to every symptom up the HPO hierarchy took about a fifth of the HPO
pack's start. `symptom-graph build` stores the sparse matrix as arrays that the server maps
from the file. They are named after a fingerprint of the model's parameters and of the code
that computes them: a server whose parameters or code differ computes them again, as it
would from the pack folders, instead of trusting arrays made another way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from graph.packs.artifact import code_fingerprint
from graph.reasoning import explain, likelihoods, parameters
from graph.reasoning.diagnose import Diagnoser
from graph.reasoning.likelihoods import Sensitivities
from graph.reasoning.parameters import ModelParameters

__all__ = ["fingerprint", "sensitivity_arrays", "stored_sensitivities"]

Arrays = Mapping[str, npt.NDArray[Any]]
_PARTS = ("data", "indices", "indptr", "shape", "excluded")


def fingerprint(params: ModelParameters) -> str:
    """A hash of the parameters and of the modules that turn content into sensitivities."""
    return code_fingerprint(likelihoods, explain, parameters, salt=_spelled(params))


def _spelled(params: ModelParameters) -> str:
    """The parameters as text that every process spells alike: a set's repr follows the
    per-process string hash seed, so with `repr(params)` half of the starts missed the stored
    arrays and computed them again (1.3 s of the HPO pack's start)."""
    values = {f.name: getattr(params, f.name) for f in fields(params)}
    return repr({n: sorted(v) if isinstance(v, frozenset | set) else v for n, v in values.items()})


def sensitivity_arrays(diagnoser: Diagnoser) -> dict[str, npt.NDArray[Any]]:
    """Every pack model's sensitivities as named arrays, for `write_artifact`."""
    prefix = f"sensitivities/{fingerprint(diagnoser.params)}"
    arrays: dict[str, npt.NDArray[Any]] = {}
    for pack, model in diagnoser.models.items():
        matrix, excluded = model.sensitivities
        parts = (
            matrix.data,
            matrix.indices,
            matrix.indptr,
            np.array(matrix.shape, dtype=np.int64),
            np.array(sorted(excluded), dtype=np.int64).reshape(-1, 2),
        )
        arrays.update({f"{prefix}/{pack}/{n}": a for n, a in zip(_PARTS, parts, strict=True)})
    return arrays


def stored_sensitivities(arrays: Arrays, params: ModelParameters) -> dict[str, Sensitivities]:
    """The sensitivities stored for these parameters and this code, by pack (none if the
    pack was built with others)."""
    prefix = f"sensitivities/{fingerprint(params)}/"
    packs = {name[len(prefix) :].rpartition("/")[0] for name in arrays if name.startswith(prefix)}
    found: dict[str, Sensitivities] = {}
    for pack in packs:
        data, indices, indptr, shape, excluded = (arrays[f"{prefix}{pack}/{n}"] for n in _PARTS)
        rows, columns = (int(n) for n in shape)
        matrix = sparse.csr_array((data, indices, indptr), shape=(rows, columns))
        found[pack] = matrix, {(int(i), int(j)) for i, j in excluded.tolist()}
    return found
