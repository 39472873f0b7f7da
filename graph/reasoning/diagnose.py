"""Ranked candidate causes for reported findings, with triage and the most useful next question.

The posterior comes from `PosteriorModel` (graph/reasoning/model.py): priors from the content's
prevalence classes, sensitivities from its edge frequencies, and an explicit remainder for
something not in the graph. docs/scoring.md walks through a worked example.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from graph.errors import GraphError
from graph.knowledge import KnowledgeGraph
from graph.models import NodeRecord, RedFlagRecord
from graph.reasoning.explain import Chain, exposure_chains, symptom_chains
from graph.reasoning.model import FindingKind, ModelParameters, PosteriorModel
from graph.reasoning.pathways import Recommendation, recommendations_for
from graph.vocabulary import NodeKind, Predicate

__all__ = [
    "Candidate",
    "DiagnoseQuery",
    "Diagnoser",
    "Diagnosis",
    "InvalidQueryError",
    "NextQuestion",
    "Triage",
    "TriageLevel",
]

# Probabilities this close (relative) are the same number reached by another summation order.
_TIE_TOLERANCE = 1e-9
# The next question is chosen among the findings the leading candidates touch.
_QUESTION_CANDIDATES = 20
# A question is worth asking only if some answer changes the order of this many leaders.
_RANKING_DEPTH = 3
# At most this many other candidates are named in a `tied_with` list.
_MAX_TIED = 20
# How many of the most informative questions are checked for whether they change the ranking.
_QUESTIONS_CHECKED = 8


class InvalidQueryError(GraphError, ValueError):
    """A query naming unknown ids, ids of the wrong kind or pack, or a finding both ways."""

    def __init__(self, issues: list[tuple[str, str, str]]) -> None:
        self.issues = issues  # (field, id, reason)
        super().__init__("; ".join(f"{f}: {i}: {r}" for f, i, r in issues))


@dataclass(frozen=True, slots=True)
class DiagnoseQuery:
    present: frozenset[str]
    absent: frozenset[str] = frozenset()
    exposures: frozenset[str] = frozenset()
    absent_exposures: frozenset[str] = frozenset()
    limit: int = 10
    # The pack whose causes compete; None picks the one pack every id belongs to.
    pack: str | None = None

    @classmethod
    def of(
        cls,
        present: Iterable[str],
        absent: Iterable[str] = (),
        exposures: Iterable[str] = (),
        limit: int = 10,
        absent_exposures: Iterable[str] = (),
        pack: str | None = None,
    ) -> DiagnoseQuery:
        return cls(
            frozenset(present),
            frozenset(absent),
            frozenset(exposures),
            frozenset(absent_exposures),
            limit,
            pack,
        )


class TriageLevel(StrEnum):
    SEEK_CARE = "seek_care"
    SELF_CARE = "self_care"


@dataclass(frozen=True, slots=True)
class Triage:
    level: TriageLevel
    red_flags: tuple[RedFlagRecord, ...]
    # The reported symptoms that fired each red flag, by red flag id.
    triggers: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Candidate:
    cause: str
    probability: float
    # Candidates with the same probability share a rank (1 = most probable).
    rank: int
    tied_with: tuple[str, ...]
    prior: float  # the cause's prior probability before any evidence
    matched: tuple[str, ...]  # present symptoms and exposures the cause accounts for
    contradicted: tuple[str, ...]  # absent symptoms and exposures it would have shown


@dataclass(frozen=True, slots=True)
class NextQuestion:
    kind: FindingKind
    node: str  # the symptom, or the cause asked about as an exposure
    question: str
    information_gain: float
    reason: str


@dataclass(frozen=True, slots=True)
class Diagnosis:
    pack: str
    triage: Triage
    candidates: tuple[Candidate, ...]
    # P(something not in this graph), and the probability left to causes beyond `limit`.
    other_probability: float
    unlisted_probability: float
    next_question: NextQuestion | None
    # True when no answer to any remaining question would change the leading candidates.
    should_stop: bool


class Diagnoser:
    """Answers diagnose queries from one posterior model per pack, built once per graph."""

    def __init__(self, graph: KnowledgeGraph, params: ModelParameters | None = None) -> None:
        self.graph = graph
        self.params = params or ModelParameters()
        self.models: dict[str, PosteriorModel] = {}
        packs: dict[str, list[NodeRecord]] = {}
        for node in sorted(graph.nodes(), key=lambda n: graph.content_order[n.id]):
            packs.setdefault(graph.pack_of[node.id], []).append(node)
        for pack, ordered in packs.items():
            causes = [n.id for n in ordered if n.kind is NodeKind.CAUSE]
            if not causes:
                continue
            self.models[pack] = PosteriorModel(
                graph,
                causes=causes,
                symptoms=[n.id for n in ordered if n.kind is NodeKind.SYMPTOM],
                conditions=[n.id for n in ordered if n.kind is NodeKind.CONDITION],
                params=self.params,
            )
        self.symptom_chains = lru_cache(maxsize=4096)(self._symptom_chains)
        self.exposure_chain = lru_cache(maxsize=4096)(self._exposure_chain)
        self.recommendations = lru_cache(maxsize=4096)(self._recommendations)
        self.general_recommendations = lru_cache(maxsize=64)(self._general_recommendations)

    # Validation -----------------------------------------------------------------------

    def check(self, query: DiagnoseQuery) -> str:
        """The pack the query is about; raises `InvalidQueryError` listing every problem."""
        issues: list[tuple[str, str, str]] = []
        for field, ids, kind in (
            ("present", query.present, NodeKind.SYMPTOM),
            ("absent", query.absent, NodeKind.SYMPTOM),
            ("exposures", query.exposures, NodeKind.CAUSE),
            ("absent_exposures", query.absent_exposures, NodeKind.CAUSE),
        ):
            for ident in sorted(ids):
                if not self.graph.has_node(ident):
                    issues.append((field, ident, f"unknown {kind.value} id"))
                elif self.graph.node(ident).kind is not kind:
                    issues.append((field, ident, f"not a {kind.value} id"))
        for field, both in (
            ("absent", query.present & query.absent),
            ("absent_exposures", query.exposures & query.absent_exposures),
        ):
            issues += [(field, ident, "reported both present and absent") for ident in sorted(both)]
        pack = query.pack
        if pack is not None and pack not in self.models:
            known = ", ".join(sorted(self.models))
            issues.append(("pack", pack, f"no pack with causes has this id (packs: {known})"))
        if issues:
            raise InvalidQueryError(issues)
        return self._pack_of(query)

    def _pack_of(self, query: DiagnoseQuery) -> str:
        ids = query.present | query.absent | query.exposures | query.absent_exposures
        packs = sorted({self.graph.pack_of[i] for i in ids} & set(self.models))
        if query.pack is not None:
            outside = sorted(i for i in ids if self.graph.pack_of[i] != query.pack)
            if outside:
                raise InvalidQueryError(
                    [("pack", i, f"belongs to pack {self.graph.pack_of[i]!r}") for i in outside]
                )
            return query.pack
        if len(packs) == 1:
            return packs[0]
        if not packs and len(self.models) == 1:
            return next(iter(self.models))
        raise InvalidQueryError(
            [("pack", "-", f"the ids come from packs {', '.join(packs)}; name one with `pack`")]
        )

    # Diagnosis ------------------------------------------------------------------------

    def diagnose(self, query: DiagnoseQuery) -> Diagnosis:
        pack = self.check(query)
        model = self.models[pack]
        present = _columns(model, FindingKind.SYMPTOM, query.present)
        present += _columns(model, FindingKind.EXPOSURE, query.exposures)
        absent = _columns(model, FindingKind.SYMPTOM, query.absent)
        absent += _columns(model, FindingKind.EXPOSURE, query.absent_exposures)
        present.sort()
        absent.sort()
        scores = model.log_weights(present, absent)
        ranked = _rank(model, scores)
        normaliser = np.logaddexp(np.logaddexp.reduce(scores), model.log_other)
        probabilities = np.exp(scores - normaliser)
        other = float(math.exp(model.log_other - normaliser))
        priors = model.prior_weight / (model.prior_weight.sum() + model.params.other_weight)
        shown = ranked[: query.limit]
        ranks = _dense_ranks(probabilities[ranked[: query.limit + _MAX_TIED]])
        groups: dict[int, list[str]] = {}
        for position, rank in enumerate(ranks):
            groups.setdefault(rank, []).append(model.causes[ranked[position]])
        candidates = []
        answered = set(present) | set(absent)
        for position, i in enumerate(shown):
            cause = model.causes[i]
            group = groups[ranks[position]]
            matched, against = _touching(model, i, present)
            also_against, _ = _touching(model, i, absent)
            candidates.append(
                Candidate(
                    cause=cause,
                    probability=float(probabilities[i]),
                    rank=ranks[position],
                    tied_with=tuple(c for c in group if c != cause),
                    prior=float(priors[i]),
                    matched=matched,
                    contradicted=also_against + against,
                )
            )
        listed = float(probabilities[shown].sum())
        question = self._next_question(model, scores, ranked, ranks, answered)
        return Diagnosis(
            pack=pack,
            triage=self._triage(query),
            candidates=tuple(candidates),
            other_probability=other,
            unlisted_probability=max(0.0, 1.0 - listed - other),
            next_question=question,
            should_stop=question is None,
        )

    def _triage(self, query: DiagnoseQuery) -> Triage:
        fired = [
            (flag, tuple(s for s in flag.any_present if s in query.present))
            for flag in self.graph.red_flags
        ]
        fired = [(flag, hits) for flag, hits in fired if hits]
        return Triage(
            level=TriageLevel.SEEK_CARE if fired else TriageLevel.SELF_CARE,
            red_flags=tuple(flag for flag, _ in fired),
            triggers={flag.id: hits for flag, hits in fired},
        )

    # Next question --------------------------------------------------------------------

    def _next_question(
        self,
        model: PosteriorModel,
        scores: npt.NDArray[np.float64],
        ranked: npt.NDArray[np.int64],
        ranks: list[int],
        answered: set[int],
    ) -> NextQuestion | None:
        """The unanswered finding with the largest expected information gain among those
        whose answer (yes or no) would change the leading candidates; None when none would.

        Gains are computed over the leading candidates plus `other`, on the findings their
        rows touch: everything else answers at the background rate for all of them.
        """
        leaders = ranked[:_QUESTION_CANDIDATES]
        askable = answered | self._unaskable(model)
        columns, block = model.likelihood_block(leaders, askable)
        if len(columns) == 0:
            return None
        weights = np.exp(scores[leaders] - scores[leaders].max())
        other = math.exp(model.log_other - scores[leaders].max())
        total = weights.sum() + other
        weights, other = weights / total, other / total
        background = model.background[columns]
        p_yes = weights @ block + other * background
        conditional = weights @ _entropy(block) + other * _entropy(background)
        gains = np.maximum(_entropy(p_yes) - conditional, 0.0)
        leading = [(int(i), r) for i, r in zip(ranked[:_RANKING_DEPTH], ranks, strict=False)]
        order = np.lexsort((columns, -np.round(gains, 12)))
        for k in order[:_QUESTIONS_CHECKED]:
            if gains[k] <= 0.0:
                break
            j = int(columns[k])
            if self._changes_leaders(model, scores, ranked, leading, j):
                return self._question(model, j, float(gains[k]), leaders, block[:, k])
        return None

    def _unaskable(self, model: PosteriorModel) -> set[int]:
        """Exposures the content gives no question for (a symptom always has one)."""
        return {
            j
            for j, (kind, ident) in enumerate(model.findings)
            if kind is FindingKind.EXPOSURE and self.graph.node(ident).exposure_question is None
        }

    def _changes_leaders(
        self,
        model: PosteriorModel,
        scores: npt.NDArray[np.float64],
        ranked: npt.NDArray[np.int64],
        leading: list[tuple[int, int]],
        j: int,
    ) -> bool:
        """Whether answering finding j yes, or no, changes who leads, in what order or ties."""
        rows, _ = model.present_ratio.slice(j)
        # Only the rows j touches move; the new leaders are among them and the first
        # unchanged ones in today's order.
        pool = np.union1d(rows, ranked[: _RANKING_DEPTH + len(rows)])
        for ratios in (model.present_ratio, model.absent_ratio):
            updated = scores.copy()
            ratios.add_columns(updated, [j])
            order = pool[_order(model, updated[pool], pool)]
            ranks = _dense_ranks(np.exp(updated[order] - updated[order].max()))
            if [(int(i), r) for i, r in zip(order, ranks, strict=False)][: len(leading)] != leading:
                return True
        return False

    def _question(
        self,
        model: PosteriorModel,
        j: int,
        gain: float,
        leaders: npt.NDArray[np.int64],
        p_yes: npt.NDArray[np.float64],
    ) -> NextQuestion:
        kind, ident = model.findings[j]
        node = self.graph.node(ident)
        if kind is FindingKind.EXPOSURE:
            text = node.exposure_question or ""
        else:
            text = node.question or f"Do you have {node.name.lower()}?"
        more = int(np.lexsort((np.arange(len(leaders)), -p_yes))[0])
        less = int(np.lexsort((np.arange(len(leaders)), p_yes))[0])
        name = self.graph.node(model.causes[int(leaders[more])]).name
        other_name = self.graph.node(model.causes[int(leaders[less])]).name
        asked = "whether it applies" if kind is FindingKind.EXPOSURE else "it"
        reason = (
            f"Of the unanswered questions, asking about '{node.name}' best separates the "
            f"leading causes (expected information gain {gain:.3f} bits): {asked} is likely "
            f"with {name} ({p_yes[more]:.2f}) and unlikely with {other_name} ({p_yes[less]:.2f})."
        )
        return NextQuestion(kind, ident, text, round(gain, 6), reason)

    # Explanations and recommendations (on demand, cached) ------------------------------

    def _symptom_chains(self, cause: str) -> Mapping[str, Chain]:
        return symptom_chains(self.graph, cause, self.params.max_hops)

    def _exposure_chain(self, exposure: str, cause: str) -> Chain | None:
        """How an exposure bears on a cause: being it or a kind of it, or leading to it."""
        if exposure == cause:
            return Chain((), 1.0)
        for edge in self.graph.edges(predicate=Predicate.SUBTYPE_OF, subject=cause):
            if edge.object == exposure:
                return Chain((edge,), 1.0)
        return exposure_chains(self.graph, exposure, self.params.max_hops).get(cause)

    def _recommendations(self, cause: str) -> tuple[Recommendation, ...]:
        return recommendations_for(self.graph, cause, general=False)

    def _general_recommendations(
        self, pack: str
    ) -> tuple[tuple[str, tuple[Recommendation, ...]], ...]:
        """What the sources recommend for each of the pack's conditions, whatever the cause."""
        return tuple(
            (node.id, recommendations_for(self.graph, node.id))
            for node in self.graph.nodes(NodeKind.CONDITION)
            if self.graph.pack_of[node.id] == pack
        )


def _columns(model: PosteriorModel, kind: FindingKind, ids: Iterable[str]) -> list[int]:
    index = model.finding_index
    return [index[(kind, i)] for i in ids if (kind, i) in index]


def _order(
    model: PosteriorModel, scores: npt.NDArray[np.float64], rows: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Positions of `rows` by posterior, then prior, then the content's own order."""
    keys = (model.order[rows], -model.prior_weight[rows], -np.round(scores, 9))
    return np.lexsort(keys).astype(np.int64)


def _rank(model: PosteriorModel, scores: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    rows = np.arange(len(scores), dtype=np.int64)
    return rows[_order(model, scores, rows)]


def _dense_ranks(probabilities: Sequence[float] | npt.NDArray[np.float64]) -> list[int]:
    """Competition ranks (1, 1, 3, ...) of probabilities already in descending order."""
    ranks: list[int] = []
    for k, p in enumerate(probabilities):
        if k and math.isclose(p, probabilities[k - 1], rel_tol=_TIE_TOLERANCE, abs_tol=1e-300):
            ranks.append(ranks[-1])
        else:
            ranks.append(k + 1)
    return ranks


def _touching(
    model: PosteriorModel, row: int, columns: Sequence[int]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The reported findings (by id) the cause makes more likely, and those it makes less likely
    than the background (ones its source excludes)."""
    more: list[str] = []
    less: list[str] = []
    for j in columns:
        rows, ratios = model.present_ratio.slice(j)
        position = int(np.searchsorted(rows, row))
        if position < len(rows) and rows[position] == row and ratios[position] != 0.0:
            (more if ratios[position] > 0.0 else less).append(model.findings[j][1])
    return tuple(more), tuple(less)


def _entropy(p: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Binary entropy in bits, elementwise (0 at 0 and 1)."""
    q = np.clip(p, 1e-300, 1.0 - 1e-16)
    result: npt.NDArray[np.float64] = -(q * np.log2(q) + (1.0 - q) * np.log2(1.0 - q))
    return result
