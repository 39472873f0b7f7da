"""What the content says, as numbers: each cause's prior weight, and its sensitivity to each
symptom up the symptom hierarchy (docs/scoring.md gives the rules and their sources)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from scipy import sparse

from graph.knowledge import KnowledgeGraph
from graph.reasoning.explain import symptom_chains
from graph.reasoning.parameters import ModelParameters
from graph.reasoning.table import Vector
from graph.schema.vocabulary import Predicate

__all__ = [
    "Sensitivities",
    "ancestor_matrix",
    "cause_priors",
    "subtype_parents",
    "symptom_sensitivities",
]


# Causes x symptoms sensitivities, and the (cause, symptom) pairs the sources exclude.
Sensitivities = tuple[sparse.csr_array, set[tuple[int, int]]]


def cause_priors(
    graph: KnowledgeGraph, causes: Sequence[str], params: ModelParameters
) -> tuple[Vector, Vector]:
    """Class weights, with a parent's weight shared with the subtypes the content names."""
    in_pack = set(causes)
    children: dict[str, list[str]] = {c: [] for c in causes}
    parent: dict[str, str] = {}
    for cause in causes:
        for edge in graph.edges(predicate=Predicate.SUBTYPE_OF, subject=cause):
            if edge.object in in_pack and cause not in parent:
                parent[cause] = edge.object
                children[edge.object].append(cause)

    def own_weight(cause: str) -> float | None:
        prevalence = graph.node(cause).prevalence
        return None if prevalence is None else params.class_weights[prevalence.level]

    mass: dict[str, float] = {}

    def assign(cause: str, weight: float) -> None:
        kids = children[cause]
        if not kids:
            mass[cause] = weight
            return
        mass[cause] = weight * params.unnamed_share
        for kid in kids:
            kid_weight = own_weight(kid)
            share = weight * (1.0 - params.unnamed_share) / len(kids)
            assign(kid, share if kid_weight is None else kid_weight)

    for cause in causes:
        if cause not in parent:
            assign(cause, own_weight(cause) or params.default_weight)
    weights = np.array([mass[c] for c in causes], dtype=np.float64)
    return np.log(weights), weights


def symptom_sensitivities(
    graph: KnowledgeGraph,
    causes: Sequence[str],
    symptoms: Sequence[str],
    params: ModelParameters,
) -> Sensitivities:
    """Causes x symptoms sensitivities, and the (cause, symptom) pairs sources exclude.

    A symptom implies every broader symptom it is a kind of (HPO's true-path rule): a
    cause shows "seizure" whenever it shows "focal seizure", so each broader term gets the
    noisy-OR of the sensitivities of the terms below it. As arrays: the log-miss matrix
    of the cause's own symptoms times the symptoms' ancestor matrix.
    """
    index = {s: j for j, s in enumerate(symptoms)}
    rows: list[int] = []
    cols: list[int] = []
    log_miss: list[float] = []
    excluded: set[tuple[int, int]] = set()
    for i, cause in enumerate(causes):
        for symptom, chain in symptom_chains(graph, cause, params.max_hops).items():
            j = index.get(symptom)
            if j is None:
                continue
            if chain.excluded:
                excluded.add((i, j))
            elif chain.sensitivity > 0.0:
                rows.append(i)
                cols.append(j)
                log_miss.append(math.log1p(-min(chain.sensitivity, 1.0 - 1e-9)))
    if params.reported_findings > 0.0:
        sensitivity = -np.expm1(np.array(log_miss))
        row_index = np.array(rows, dtype=np.int64)
        # How many findings the cause shows on average: the sum of its sensitivities.
        shown = np.bincount(row_index, weights=sensitivity, minlength=len(causes))
        share = np.minimum(1.0, params.reported_findings / np.maximum(shown, 1e-9))
        share **= params.reporting_exponent
        scale = share[row_index]
        log_miss = np.log1p(-np.minimum(sensitivity * scale, 1.0 - 1e-9)).tolist()
    own = sparse.csr_array((log_miss, (rows, cols)), shape=(len(causes), len(symptoms)))
    parents = subtype_parents(graph, index)
    closure = own @ ancestor_matrix(parents, len(symptoms))
    closure.data = -np.expm1(closure.data)  # 1 - prod(1 - s) over the terms below
    closure.eliminate_zeros()
    closure = closure.tocsr()
    return closure, {p for p in excluded if closure[p] == 0.0}


def subtype_parents(graph: KnowledgeGraph, index: Mapping[str, int]) -> dict[int, list[int]]:
    """Symptom index -> the indexes of the symptoms it is a kind of."""
    parents: dict[int, list[int]] = {}
    for edge in graph.edges(predicate=Predicate.SUBTYPE_OF):
        child, parent = index.get(edge.subject), index.get(edge.object)
        if child is not None and parent is not None:
            parents.setdefault(child, []).append(parent)
    return parents


def ancestor_matrix(parents: Mapping[int, list[int]], size: int) -> sparse.csr_array:
    """Symptoms x symptoms, 1 where the column is the row or something the row is a kind of."""
    closure: dict[int, frozenset[int]] = {}

    def broader(j: int) -> frozenset[int]:
        # Iterative depth-first closure (subtype edges are acyclic: the loader checks).
        stack = [j]
        while stack:
            current = stack[-1]
            pending = [p for p in parents.get(current, ()) if p not in closure]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            found = {current}
            for p in parents.get(current, ()):
                found |= closure[p]
            closure[current] = frozenset(found)
        return closure[j]

    rows: list[int] = []
    cols: list[int] = []
    for j in range(size):
        for k in broader(j):
            rows.append(j)
            cols.append(k)
    ones = np.ones(len(rows), dtype=np.float64)
    return sparse.csr_array((ones, (rows, cols)), shape=(size, size))
