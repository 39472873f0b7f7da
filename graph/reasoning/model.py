"""The posterior model as arrays over causes x findings, stored sparse.

A *finding* is something a person can report as present or absent: a symptom, or an exposure
(a cause known to apply, such as taking diuretics). Under the single-fault assumption (one of
the pack's causes, or something not in the graph, lies behind what is reported):

    log w(c) = log prior(c) + sum over present f of log P(f | c) + sum over absent f of log(1 - P(f | c))
    P(c | evidence) = w(c) / (sum over c' of w(c') + w(other))

`other` explains every finding at its background rate, so only the pairs (c, f) where a cause
differs from the background need storing: two sparse matrices of log-likelihood ratios, one for
findings reported present and one for findings reported absent. A query sums a few columns of
each. docs/scoring.md walks through the numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt
from scipy import sparse

from graph.knowledge import KnowledgeGraph
from graph.models import PrevalenceClass
from graph.reasoning.explain import (
    Chain,
    ancestors,
    edge_sensitivity,
    exposure_chains,
    symptom_chains,
)
from graph.vocabulary import Predicate

__all__ = ["Compressed", "FindingKind", "ModelParameters", "PosteriorModel"]

Vector = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ModelParameters:
    """The model's constants; docs/scoring.md says where each value comes from."""

    # How often a finding shows up for reasons outside the graph (noisy-OR leak).
    leak: float = 0.01
    # Prior weight of each prevalence class, relative to one another.
    class_weights: Mapping[PrevalenceClass, float] = field(
        default_factory=lambda: {
            PrevalenceClass.VERY_COMMON: 1.0,
            PrevalenceClass.COMMON: 0.5,
            PrevalenceClass.UNCOMMON: 0.2,
            PrevalenceClass.RARE: 0.04,
        }
    )
    # Weight of a cause the content gives no class (every cause of a database pack).
    default_weight: float = 1.0
    # Weight of "something not in this graph", relative to the class weights.
    other_weight: float = 0.05
    # A cause with named subtypes keeps this share of its weight for the kinds not named;
    # the named subtypes split the rest.
    unnamed_share: float = 0.5
    # P(an exposure applies | it, or a kind of it, is the cause).
    exposure_sensitivity: float = 0.95
    # P(an exposure applies | an unrelated cause): how common the exposure is in general.
    exposure_base_rate: float = 0.05
    max_hops: int = 4

    def __post_init__(self) -> None:
        if not 0.0 < self.leak < 1.0:
            raise ValueError("leak must be between 0 and 1")
        if not 0.0 < self.exposure_base_rate < self.exposure_sensitivity < 1.0:
            raise ValueError("need 0 < exposure_base_rate < exposure_sensitivity < 1")


class FindingKind(StrEnum):
    SYMPTOM = "symptom"
    EXPOSURE = "exposure"


@dataclass(frozen=True, slots=True)
class Compressed:
    """A sparse matrix's stored arrays (CSC: one column at a time; CSR: one row at a time)."""

    indptr: npt.NDArray[np.int64]
    indices: npt.NDArray[np.int32]
    data: Vector

    @classmethod
    def of(cls, matrix: sparse.csc_array | sparse.csr_array) -> Compressed:
        matrix.sum_duplicates()
        matrix.sort_indices()
        return cls(
            matrix.indptr.astype(np.int64),
            matrix.indices.astype(np.int32),
            matrix.data.astype(np.float64),
        )

    def slice(self, j: int) -> tuple[npt.NDArray[np.int32], Vector]:
        start, end = self.indptr[j], self.indptr[j + 1]
        return self.indices[start:end], self.data[start:end]

    def add_columns(self, into: Vector, columns: Sequence[int]) -> None:
        # Slicing the stored arrays beats scipy's fancy column indexing by 10x on small queries.
        for j in columns:
            rows, values = self.slice(j)
            into[rows] += values


class PosteriorModel:
    """Priors, likelihoods and their sparse log-ratios for one pack's causes and findings."""

    def __init__(
        self,
        graph: KnowledgeGraph,
        causes: Sequence[str],
        symptoms: Sequence[str],
        conditions: Sequence[str],
        params: ModelParameters,
    ) -> None:
        self.params = params
        self.causes = tuple(causes)
        self.cause_index = {c: i for i, c in enumerate(self.causes)}
        # Findings: every symptom, then every cause as an exposure.
        self.findings: tuple[tuple[FindingKind, str], ...] = tuple(
            [(FindingKind.SYMPTOM, s) for s in symptoms]
            + [(FindingKind.EXPOSURE, c) for c in self.causes]
        )
        self.finding_index = {f: j for j, f in enumerate(self.findings)}
        self.order = np.array([graph.content_order[c] for c in self.causes], dtype=np.int64)
        self.log_prior, self.prior_weight = self._priors(graph, params)
        self.log_other = math.log(params.other_weight)
        self.background = self._background(graph, symptoms, conditions, params)

        # Which exposures lead to each cause along `contributes_to` chains, and how often.
        self._led_to_by: dict[str, list[tuple[str, Chain]]] = {}
        for exposure in self.causes:
            if graph.edges(predicate=Predicate.CONTRIBUTES_TO, subject=exposure):
                for target, chain in exposure_chains(graph, exposure, params.max_hops).items():
                    self._led_to_by.setdefault(target, []).append((exposure, chain))

        rows: list[int] = []
        cols: list[int] = []
        probs: list[float] = []
        for i, cause in enumerate(self.causes):
            for j, p in self._likelihood_row(graph, cause, params):
                rows.append(i)
                cols.append(j)
                probs.append(p)
        likelihoods = np.array(probs, dtype=np.float64)
        bg = self.background[np.array(cols, dtype=np.int64)]
        shape = (len(self.causes), len(self.findings))

        def csc(values: Vector) -> sparse.csc_array:
            return sparse.csc_array((values, (rows, cols)), shape=shape)

        # Stored per pair: P(f|c), and log-ratios against the background for yes and for no.
        self.likelihood_rows = Compressed.of(
            sparse.csr_array((likelihoods, (rows, cols)), shape=shape)
        )
        self.present_ratio = Compressed.of(csc(np.log(likelihoods) - np.log(bg)))
        self.absent_ratio = Compressed.of(csc(np.log1p(-likelihoods) - np.log1p(-bg)))

    # Building -------------------------------------------------------------------------

    def _priors(self, graph: KnowledgeGraph, params: ModelParameters) -> tuple[Vector, Vector]:
        """Class weights, with a parent's weight shared with the subtypes the content names."""
        in_pack = set(self.causes)
        children: dict[str, list[str]] = {c: [] for c in self.causes}
        parent: dict[str, str] = {}
        for cause in self.causes:
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

        for cause in self.causes:
            if cause not in parent:
                assign(cause, own_weight(cause) or params.default_weight)
        weights = np.array([mass[c] for c in self.causes], dtype=np.float64)
        return np.log(weights), weights

    def _background(
        self,
        graph: KnowledgeGraph,
        symptoms: Sequence[str],
        conditions: Sequence[str],
        params: ModelParameters,
    ) -> Vector:
        """P(finding | other): the leak, plus for symptoms the condition's own profile."""
        background = np.empty(len(self.findings), dtype=np.float64)
        profile: dict[str, float] = {}
        for condition in conditions:
            for edge in graph.edges(predicate=Predicate.HAS_SYMPTOM, subject=condition):
                miss = profile.get(edge.object, 1.0) * (1.0 - edge_sensitivity(edge))
                profile[edge.object] = miss
        for j, (kind, ident) in enumerate(self.findings):
            if kind == FindingKind.SYMPTOM:
                background[j] = 1.0 - (1.0 - params.leak) * profile.get(ident, 1.0)
            else:
                background[j] = params.exposure_base_rate
        return background

    def _likelihood_row(
        self, graph: KnowledgeGraph, cause: str, params: ModelParameters
    ) -> list[tuple[int, float]]:
        """(finding, P(finding | cause)) wherever the cause differs from the background."""
        row: list[tuple[int, float]] = []
        for symptom, chain in symptom_chains(graph, cause, params.max_hops).items():
            j = self.finding_index.get((FindingKind.SYMPTOM, symptom))
            if j is None:
                continue
            bg = self.background[j]
            if chain.excluded:
                # The source rules the symptom out: only the leak is left to explain it.
                row.append((j, bg * params.leak))
            else:
                row.append((j, 1.0 - (1.0 - bg) * (1.0 - chain.sensitivity)))
        for exposure, p in self._exposure_row(graph, cause):
            row.append((self.finding_index[(FindingKind.EXPOSURE, exposure)], p))
        return row

    def _exposure_row(self, graph: KnowledgeGraph, cause: str) -> list[tuple[str, float]]:
        """(exposure, P(exposure applies | cause)) wherever it differs from the base rate."""
        params = self.params
        # The cause is itself, and is a kind of each of its ancestors: those exposures apply.
        found = dict.fromkeys(ancestors(graph, cause), params.exposure_sensitivity)
        # Likelihood ratio 1 + (LR - 1) * a for a cause an exposure leads to a share a of the time.
        full_ratio = params.exposure_sensitivity / params.exposure_base_rate
        for exposure, chain in self._led_to_by.get(cause, ()):
            ratio = 1.0 + (full_ratio - 1.0) * chain.sensitivity
            found.setdefault(exposure, params.exposure_base_rate * ratio)
        return [(e, p) for e, p in found.items() if (FindingKind.EXPOSURE, e) in self.finding_index]

    # Querying -------------------------------------------------------------------------

    def log_weights(self, present: Sequence[int], absent: Sequence[int]) -> Vector:
        """log w(c) - log P(evidence | other) for every cause; columns are finding indexes."""
        scores = self.log_prior.copy()
        self.present_ratio.add_columns(scores, present)
        self.absent_ratio.add_columns(scores, absent)
        return scores

    def likelihood_block(
        self, rows: npt.NDArray[np.int64], skip: set[int]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """The findings the given causes touch (less `skip`) and P(f | c) for each pair.

        Returns (finding indexes, a len(rows) x len(findings) array), the background filling
        the pairs that store nothing.
        """
        pieces = [self.likelihood_rows.slice(int(i)) for i in rows]
        touched = sorted({int(j) for cols, _ in pieces for j in cols} - skip)
        columns = np.array(touched, dtype=np.int64)
        block = np.tile(self.background[columns], (len(rows), 1))
        where = {j: k for k, j in enumerate(touched)}
        for r, (cols, values) in enumerate(pieces):
            for j, value in zip(cols.tolist(), values.tolist(), strict=True):
                k = where.get(j)
                if k is not None:
                    block[r, k] = value
        return columns, block
