"""Ranked candidate causes for reported findings, with triage and the most useful next question.

The posterior comes from `PosteriorModel` (graph/reasoning/model.py): priors from the content's
prevalence classes, sensitivities from its edge frequencies, and an explicit remainder for
something not in the graph. docs/scoring.md walks through a worked example.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from graph.errors import GraphError
from graph.knowledge import KnowledgeGraph
from graph.models import EdgeRecord, NodeRecord, RedFlagRecord
from graph.reasoning.explain import Chain, exposure_chains, symptom_chains
from graph.reasoning.model import FindingKind, ModelParameters, PosteriorModel, binary_entropy
from graph.reasoning.pathways import Recommendation, recommendations_for
from graph.vocabulary import NodeKind, Predicate

__all__ = [
    "PER_CAUSE_CACHE",
    "Candidate",
    "DiagnoseQuery",
    "Diagnoser",
    "Diagnosis",
    "InvalidQueryError",
    "NextQuestion",
    "Triage",
    "TriageLevel",
]

# Entries in each per-cause cache (explanation chains, recommendations, and the answer parts
# app/render.py keeps): more than the largest pack has causes (HPO/OMIM: 8,352), so a server
# whose traffic has met every cause builds no part twice. At 4,096, traffic over the whole
# HPO pack kept evicting and rebuilding them; every cause's parts take 24 MiB (tracemalloc).
PER_CAUSE_CACHE = 16_384

# The next question is chosen among the findings the leading candidates touch.
_QUESTION_CANDIDATES = 20
# A question is worth asking only if some answer changes the order of this many leaders.
_RANKING_DEPTH = 3
# At most this many other candidates are named in a `tied_with` list.
_MAX_TIED = 20
# How many of the most informative questions are checked for whether they change the ranking.
_QUESTIONS_CHECKED = 8
# Up to this many keys, one sort is cheaper than partitioning first (numpy's per-call cost).
_SORT_WHOLE = 256


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
            causes = [n.id for n in ordered if graph.kind(n.id) is NodeKind.CAUSE]
            if not causes:
                continue
            self.models[pack] = PosteriorModel(
                graph,
                causes=causes,
                symptoms=[n.id for n in ordered if graph.kind(n.id) is NodeKind.SYMPTOM],
                conditions=[n.id for n in ordered if graph.kind(n.id) is NodeKind.CONDITION],
                params=self.params,
            )
        self._unaskable_masks: dict[int, npt.NDArray[np.bool_]] = {}
        self._kinds = {n.id: n.kind for n in graph.nodes()}
        self.symptom_chains = lru_cache(maxsize=PER_CAUSE_CACHE)(self._symptom_chains)
        self.exposure_chain = lru_cache(maxsize=PER_CAUSE_CACHE)(self._exposure_chain)
        self.recommendations = lru_cache(maxsize=PER_CAUSE_CACHE)(self._recommendations)
        self.general_recommendations = lru_cache(maxsize=64)(self._general_recommendations)

    # Validation -----------------------------------------------------------------------

    def check(self, query: DiagnoseQuery) -> str:
        """The pack the query is about; raises `InvalidQueryError` listing every problem."""
        kinds = self._kinds
        # The usual query, every id known and of its kind, is checked without listing.
        if not (
            all(kinds.get(i) is NodeKind.SYMPTOM for i in query.present | query.absent)
            and all(kinds.get(i) is NodeKind.CAUSE for i in query.exposures)
            and all(kinds.get(i) is NodeKind.CAUSE for i in query.absent_exposures)
            and query.present.isdisjoint(query.absent)
            and query.exposures.isdisjoint(query.absent_exposures)
            and (query.pack is None or query.pack in self.models)
        ):
            raise InvalidQueryError(self._issues(query))
        return self._pack_of(query)

    def _issues(self, query: DiagnoseQuery) -> list[tuple[str, str, str]]:
        """Every problem of a query `check` refused, field by field, ids sorted."""
        issues: list[tuple[str, str, str]] = []
        kinds = self._kinds
        for field, ids, kind in (
            ("present", query.present, NodeKind.SYMPTOM),
            ("absent", query.absent, NodeKind.SYMPTOM),
            ("exposures", query.exposures, NodeKind.CAUSE),
            ("absent_exposures", query.absent_exposures, NodeKind.CAUSE),
        ):
            for ident in sorted(ids):
                found = kinds.get(ident)
                if found is None:
                    issues.append((field, ident, f"unknown {kind.value} id"))
                elif found is not kind:
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
        return issues

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
        # Summing in one order makes equal evidence give bit-identical scores.
        present.sort()
        absent.sort()
        # Only the leaders are ever read: those shown, named as tied, or asked about.
        count = max(query.limit + _MAX_TIED, _QUESTION_CANDIDATES)
        if model.dense:
            scores = model.log_weights(present, absent)
            ranked = _rank(model, scores, count)
            # log(sum(exp)) about the largest term, in one vectorised exp.
            top = max(float(scores.max()), model.log_other)
            shifted = scores - top
            total = float(np.exp(shifted, out=shifted).sum()) + math.exp(model.log_other - top)
            normaliser = top + math.log(total)
        else:  # compiled loops over the stored pairs (graph/reasoning/kernel.py)
            scores, ranked, normaliser = model.scores_and_leaders(present, absent, count)
        shown = ranked[: query.limit]
        head = ranked[: query.limit + _MAX_TIED]
        ranks = _ranks(scores[head])
        probabilities = np.exp(scores[shown] - normaliser).tolist()
        priors = model.prior_probability[shown].tolist()
        leading = [model.causes[i] for i in head.tolist()]
        groups: dict[int, list[str]] = {}
        for cause, rank in zip(leading, ranks, strict=True):
            groups.setdefault(rank, []).append(cause)
        roles = _roles(model, shown, present, absent)
        candidates = [
            Candidate(
                cause,
                probability,
                rank,
                tuple(c for c in groups[rank] if c != cause),
                prior,
                matched,
                contradicted,
            )
            for cause, rank, probability, prior, (matched, contradicted) in zip(
                leading[: len(shown)],
                ranks[: len(shown)],
                probabilities,
                priors,
                roles,
                strict=True,
            )
        ]
        other = math.exp(model.log_other - normaliser)
        question = self._next_question(model, scores, ranked, ranks, present + absent)
        return Diagnosis(
            pack=pack,
            triage=self._triage(query),
            candidates=tuple(candidates),
            other_probability=other,
            unlisted_probability=max(0.0, 1.0 - sum(probabilities) - other),
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
        answered: list[int],
    ) -> NextQuestion | None:
        """The unanswered finding with the largest expected information gain among those
        whose answer (yes or no) would change the leading candidates; None when none would.

        Gains are computed over the leading candidates plus `other`, on the findings their
        rows touch: everything else answers at the background rate for all of them.
        """
        leaders = ranked[:_QUESTION_CANDIDATES]
        skip = self._unaskable(model).copy()
        skip[answered] = True
        depth = min(_RANKING_DEPTH, len(ranked))
        # The leaders' and `other`'s shares of their combined posterior.
        top = scores[leaders].max()
        weights = np.exp(scores[leaders] - top)
        other = math.exp(model.log_other - top)
        total = weights.sum() + other
        weights, other = weights / total, other / total
        if not model.dense:  # compiled loops over the stored pairs (graph/reasoning/kernel.py)
            found = model.best_question(
                scores, ranked, ranks[:depth], leaders, weights, other, skip, _QUESTIONS_CHECKED
            )
            if found is None:
                return None
            return self._question(model, *found, leaders)
        columns, likelihood, entropy = model.leader_block(leaders, skip)
        if len(columns) == 0:
            return None
        p_yes = weights @ likelihood + other * model.background[columns]
        conditional = weights @ entropy + other * model.entropy_background[columns]
        gains = np.maximum(binary_entropy(p_yes) - conditional, 0.0)
        best = _first(-np.round(gains, 12), columns, _QUESTIONS_CHECKED)
        best = best[gains[best] > 0.0]
        if len(best) == 0:
            return None
        # Every candidate question checked at once, on the dense tables.
        changes = _changes_leaders(model, scores, ranked, ranks[:depth], columns[best])
        for k, changed in zip(best.tolist(), changes.tolist(), strict=True):
            if changed:
                return self._question(
                    model, int(columns[k]), float(gains[k]), likelihood[:, k], leaders
                )
        return None

    def _unaskable(self, model: PosteriorModel) -> npt.NDArray[np.bool_]:
        """Findings never asked about: exposures the content gives no question for."""
        mask = self._unaskable_masks.get(id(model))
        if mask is None:
            mask = np.array(
                [
                    kind is FindingKind.EXPOSURE
                    and self.graph.node(ident).exposure_question is None
                    for kind, ident in model.findings
                ],
                dtype=bool,
            )
            self._unaskable_masks[id(model)] = mask
        return mask

    def _question(
        self,
        model: PosteriorModel,
        j: int,
        gain: float,
        p_yes: npt.NDArray[np.float64],
        leaders: npt.NDArray[np.int64],
    ) -> NextQuestion:
        kind, ident = model.findings[j]
        node = self.graph.node(ident)
        if kind is FindingKind.EXPOSURE:
            text = node.exposure_question or ""
        else:
            text = node.question or f"Do you have {node.name.lower()}?"
        likelihoods = p_yes.tolist()
        # The first leader with the highest, and the lowest.
        more, less = likelihoods.index(max(likelihoods)), likelihoods.index(min(likelihoods))
        name = self.graph.node(model.causes[int(leaders[more])]).name
        other_name = self.graph.node(model.causes[int(leaders[less])]).name
        asked = "whether it applies" if kind is FindingKind.EXPOSURE else "it"
        reason = (
            f"Of the unanswered questions, asking about '{node.name}' best separates the "
            f"leading causes (expected information gain {gain:.3f} bits): {asked} is likely "
            f"with {name} ({likelihoods[more]:.2f}) and unlikely with {other_name} "
            f"({likelihoods[less]:.2f})."
        )
        return NextQuestion(kind, ident, text, round(gain, 6), reason)

    # Explanations and recommendations (on demand, cached) ------------------------------

    def _symptom_chains(self, cause: str) -> Mapping[str, Chain]:
        return symptom_chains(self.graph, cause, self.params.max_hops)

    def _exposure_chain(self, exposure: str, cause: str) -> Chain | None:
        """How an exposure bears on a cause: being it or a kind of it, or leading to it."""
        # Being a kind of the exposure, at any depth (the model reads it from `ancestors`).
        paths: dict[str, tuple[EdgeRecord, ...]] = {cause: ()}
        frontier = [cause]
        while frontier:
            current = frontier.pop(0)
            if current == exposure:
                return Chain(paths[current], 1.0)
            for edge in self.graph.edges(predicate=Predicate.SUBTYPE_OF, subject=current):
                if edge.object not in paths:
                    paths[edge.object] = (*paths[current], edge)
                    frontier.append(edge.object)
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


def _rank(
    model: PosteriorModel, scores: npt.NDArray[np.float64], count: int
) -> npt.NDArray[np.int64]:
    """The first `count` causes by posterior (log-weights to 9 decimals), then prior, then
    content order."""
    pool = np.arange(len(scores), dtype=np.int64)
    if count < len(scores):
        # Rounding moves a score by under 1e-9 (scores are far below 1e6), so the first
        # `count` by rounded score all lie within 1e-6 of the count-th best raw score.
        # (Partitioning for the smallest keys: most scores are equal, and np.partition is
        # many times slower on those when asked for the largest.)
        keys = -scores
        cut = np.partition(keys, count - 1)[count - 1]
        pool = np.flatnonzero(keys <= cut + 1e-6)
    return pool[_first(-np.round(scores[pool], 9), model.tiebreak[pool], count)]


def _first(
    keys: npt.NDArray[np.float64], tiebreak: npt.NDArray[np.int64], count: int
) -> npt.NDArray[np.int64]:
    """Positions of the `count` smallest keys, equal keys by the (unique) tiebreak: the head
    of np.lexsort((tiebreak, keys)), sorting only that head."""
    if count >= len(keys) or len(keys) <= _SORT_WHOLE:
        return np.lexsort((tiebreak, keys))[:count]
    cut = np.partition(keys, count - 1)[count - 1]
    better = np.flatnonzero(keys < cut)
    # Thousands of causes may tie at the cut (all those no finding touches): of those, only
    # the ones with the smallest tiebreaks make the head.
    tied = np.flatnonzero(keys == cut)
    wanted = count - len(better)
    if wanted < len(tied):
        tied = tied[np.argpartition(tiebreak[tied], wanted - 1)[:wanted]]
    head = np.concatenate([better, tied])
    ordered: npt.NDArray[np.int64] = head[np.lexsort((tiebreak[head], keys[head]))]
    return ordered


def _ranks(scores: npt.NDArray[np.float64]) -> list[int]:
    """Competition ranks (1, 1, 3, ...) of log-weights already in descending order: equal to
    9 decimals is a tie (the same number reached by another summation order)."""
    ranks: list[int] = []
    previous = None
    for position, value in enumerate(np.round(scores, 9).tolist(), start=1):
        ranks.append(ranks[-1] if value == previous else position)
        previous = value
    return ranks


def _changes_leaders(
    model: PosteriorModel,
    scores: npt.NDArray[np.float64],
    ranked: npt.NDArray[np.int64],
    leading_ranks: list[int],
    columns: npt.NDArray[np.int64],
) -> npt.NDArray[np.bool_]:
    """For each finding, whether a yes or a no changes who leads, their order or their ties
    (a small pack's dense tables: every cause is ranked for every answer at once)."""
    depth = len(leading_ranks)
    leading = ranked[:depth]
    pool = model.by_tiebreak  # few causes: rank them all at once, for every answer
    assert model.answer_ratios is not None
    answers = np.concatenate([columns, columns + len(model.findings)])
    updated = scores[pool] + model.answer_ratios[answers]
    rounded = np.round(updated, 9)
    perm = np.argsort(-rounded, axis=1, kind="stable")[:, :depth]
    # The same leaders in the same order, and the same ties among them.
    same = (pool[perm] == leading).all(axis=1)
    if depth > 1:
        top = rounded[np.arange(len(rounded))[:, None], perm]
        ties = [r == q for r, q in itertools.pairwise(leading_ranks)]
        same &= ((top[:, 1:] == top[:, :-1]) == ties).all(axis=1)
    half = len(columns)
    changed: npt.NDArray[np.bool_] = ~(same[:half] & same[half:])
    return changed


def _roles(
    model: PosteriorModel,
    rows: npt.NDArray[np.int64],
    present: list[int],
    absent: list[int],
) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """For each cause: the reported findings it accounts for (present, more likely than the
    background) and those that count against it (absent ones it would show, present ones its
    sources exclude), by id, in finding order."""
    ratios = model.present_ratio.block(rows, np.array(present + absent, dtype=np.int64))
    # Which findings each cause shows more (and less) often than the background, as flags that
    # pick ids out of the reported ones.
    shows_more = (ratios > 0.0).tolist()
    shows_less = (ratios[:, : len(present)] < 0.0).tolist()
    present_ids = [model.findings[j][1] for j in present]
    absent_ids = [model.findings[j][1] for j in absent]
    return [
        (
            tuple(itertools.compress(present_ids, more)),
            (
                *itertools.compress(absent_ids, more[len(present) :]),
                *itertools.compress(present_ids, less),
            ),
        )
        for more, less in zip(shows_more, shows_less, strict=True)
    ]
