"""Ranked candidate causes for reported symptoms, with triage and the most useful next question.

Each cause is scored on its own against a background that explains symptoms only through a
leak term (a Bayes factor per cause), so one cause's score never depends on which other
causes happen to be in the graph. docs/scoring.md walks through a worked example.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from graph.errors import GraphError
from graph.knowledge import KnowledgeGraph
from graph.models import RedFlagRecord
from graph.reasoning.explain import Chain, ScoringModel, explanation_index, exposure_index
from graph.reasoning.pathways import Recommendation, recommendations_for
from graph.vocabulary import NodeKind

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


class InvalidQueryError(GraphError, ValueError):
    """A query naming unknown ids, ids of the wrong kind, or a symptom both present and absent."""

    def __init__(self, issues: list[tuple[str, str, str]]) -> None:
        self.issues = issues  # (field, id, reason)
        super().__init__("; ".join(f"{f}: {i}: {r}" for f, i, r in issues))


@dataclass(frozen=True, slots=True)
class DiagnoseQuery:
    present: frozenset[str]
    absent: frozenset[str] = frozenset()
    exposures: frozenset[str] = frozenset()
    limit: int = 10

    @classmethod
    def of(
        cls,
        present: Iterable[str],
        absent: Iterable[str] = (),
        exposures: Iterable[str] = (),
        limit: int = 10,
    ) -> DiagnoseQuery:
        return cls(frozenset(present), frozenset(absent), frozenset(exposures), limit)


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
    score: float
    matched: tuple[str, ...]
    contradicted: tuple[str, ...]
    explanation: Mapping[str, Chain]  # matched symptom -> chain from the cause to it
    exposures: Mapping[str, Chain]  # reported exposure -> chain from it to the cause
    recommended: tuple[Recommendation, ...]


@dataclass(frozen=True, slots=True)
class NextQuestion:
    symptom: str
    question: str
    information_gain: float
    reason: str


@dataclass(frozen=True, slots=True)
class Diagnosis:
    triage: Triage
    candidates: tuple[Candidate, ...]
    next_question: NextQuestion | None


class Diagnoser:
    """Answers diagnose queries from indexes built once per graph."""

    def __init__(self, graph: KnowledgeGraph, model: ScoringModel | None = None) -> None:
        self.graph = graph
        self.model = model or ScoringModel()
        self._explains = explanation_index(graph, self.model)
        self._exposes = exposure_index(graph, self.model)
        self.recommendations: dict[str, tuple[Recommendation, ...]] = {
            c.id: recommendations_for(graph, c.id) for c in graph.nodes(NodeKind.CAUSE)
        }
        self._questions = {
            s.id: s.question or f"Do you have {s.name.lower()}?"
            for s in graph.nodes(NodeKind.SYMPTOM)
        }
        self._causes = tuple(c.id for c in graph.nodes(NodeKind.CAUSE))
        leak = self.model.leak
        # P(symptom | cause) for every pair, as a noisy-OR of the best chain and the leak,
        # aligned with `_causes` so a request only multiplies precomputed numbers.
        self._likelihoods = {
            s.id: tuple(_noisy_or(self.strength(c, s.id), leak) for c in self._causes)
            for s in graph.nodes(NodeKind.SYMPTOM)
        }
        # Uncertainty of the yes/no answer if each cause were the one: H(answer | cause).
        self._answer_entropies = {
            s: tuple(_binary_entropy(lk) for lk in table) for s, table in self._likelihoods.items()
        }

    def check(self, query: DiagnoseQuery) -> None:
        """Raise `InvalidQueryError` listing every unknown, mistyped or conflicting id."""
        issues: list[tuple[str, str, str]] = []
        for field, ids, kind in (
            ("present", query.present, NodeKind.SYMPTOM),
            ("absent", query.absent, NodeKind.SYMPTOM),
            ("exposures", query.exposures, NodeKind.CAUSE),
        ):
            for ident in sorted(ids):
                if not self.graph.has_node(ident):
                    issues.append((field, ident, f"unknown {kind.value} id"))
                elif self.graph.node(ident).kind is not kind:
                    issues.append((field, ident, f"not a {kind.value} id"))
        for ident in sorted(query.present & query.absent):
            issues.append(("absent", ident, "reported both present and absent"))
        if issues:
            raise InvalidQueryError(issues)

    def diagnose(self, query: DiagnoseQuery) -> Diagnosis:
        self.check(query)
        odds = self._odds(query)
        scored = sorted(
            ((self._probability(o), cause) for cause, o in odds.items()),
            key=lambda pair: (-pair[0], pair[1]),
        )
        present, absent = tuple(sorted(query.present)), tuple(sorted(query.absent))
        exposures = tuple(sorted(query.exposures))
        candidates = tuple(
            self._candidate(c, s, present, absent, exposures) for s, c in scored[: query.limit]
        )
        return Diagnosis(self._triage(query), candidates, self._next_question(query, odds))

    def strength(self, cause: str, symptom: str) -> float:
        """How strongly `cause` explains `symptom` (0 when no chain links them)."""
        chain = self._explains[cause].get(symptom)
        return 0.0 if chain is None else chain.strength

    def _odds(self, query: DiagnoseQuery) -> dict[str, float]:
        """Posterior odds of each candidate: causes that explain a present symptom or are exposed."""
        leak, model = self.model.leak, self.model
        present = [self._likelihoods[s] for s in sorted(query.present)]
        absent = [self._likelihoods[s] for s in sorted(query.absent)]
        odds: dict[str, float] = {}
        for i, cause in enumerate(self._causes):
            exposure = max((self._exposure(e, cause) for e in query.exposures), default=0.0)
            if exposure == 0.0 and not any(lk[i] > leak for lk in present):
                continue
            prior = 1.0 - (1.0 - model.prior) * (1.0 - model.exposure_weight * exposure)
            ratio = prior / (1.0 - prior)
            for lk in present:
                ratio *= lk[i] / leak
            for lk in absent:
                ratio *= (1.0 - lk[i]) / (1.0 - leak)
            odds[cause] = ratio
        return odds

    @staticmethod
    def _probability(odds: float) -> float:
        return 1.0 if math.isinf(odds) else odds / (1.0 + odds)

    def _exposure(self, exposure: str, cause: str) -> float:
        chain = self._exposes[exposure].get(cause)
        return 0.0 if chain is None else chain.strength

    def _candidate(
        self,
        cause: str,
        score: float,
        present: tuple[str, ...],
        absent: tuple[str, ...],
        exposures: tuple[str, ...],
    ) -> Candidate:
        chains = self._explains[cause]
        matched = tuple(s for s in present if s in chains)
        return Candidate(
            cause=cause,
            score=score,
            matched=matched,
            contradicted=tuple(s for s in absent if s in chains),
            explanation={s: chains[s] for s in matched},
            exposures={e: self._exposes[e][cause] for e in exposures if cause in self._exposes[e]},
            recommended=self.recommendations[cause],
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

    def _next_question(
        self, query: DiagnoseQuery, odds: Mapping[str, float]
    ) -> NextQuestion | None:
        """The unanswered symptom with the largest expected information gain over the candidates.

        Only symptoms whose answer (yes or no) would reorder the candidates are considered;
        `None` when no answer would change the ranking.
        """
        if len(odds) < 2:
            return None
        causes = sorted(odds, key=lambda c: (-odds[c], c))
        index = {c: i for i, c in enumerate(self._causes)}
        positions = [index[c] for c in causes]
        # Which cause is it, given that one of them is: weights proportional to the odds.
        weights = [min(odds[c], 1e300) for c in causes]
        total = sum(weights)
        if total <= 0.0:
            return None
        prior = [w / total for w in weights]
        best: tuple[float, str, list[float]] | None = None
        answered = query.present | query.absent
        for symptom, table in self._likelihoods.items():
            if symptom in answered:
                continue
            likelihoods = [table[i] for i in positions]
            entropies = [self._answer_entropies[symptom][i] for i in positions]
            gain = _information_gain(prior, likelihoods, entropies)
            if gain <= (0.0 if best is None else best[0]):
                continue
            if _reorders(causes, odds, likelihoods, self.model.leak):
                best = (gain, symptom, likelihoods)
        if best is None:
            return None
        gain, symptom, likelihoods = best
        more = max(range(len(causes)), key=lambda i: (likelihoods[i], -i))
        less = min(range(len(causes)), key=lambda i: (likelihoods[i], i))
        name = self.graph.node(symptom).name
        reason = (
            f"Of the unanswered symptoms, '{name}' best separates the {len(causes)} candidates "
            f"(expected information gain {gain:.3f} bits): it is likely with "
            f"{self.graph.node(causes[more]).name} ({likelihoods[more]:.2f}) and unlikely with "
            f"{self.graph.node(causes[less]).name} ({likelihoods[less]:.2f})."
        )
        return NextQuestion(symptom, self._questions[symptom], round(gain, 6), reason)


def _noisy_or(strength: float, leak: float) -> float:
    # Exactly the leak when no chain explains the symptom, so "explains" is `> leak`.
    return leak if strength == 0.0 else 1.0 - (1.0 - leak) * (1.0 - strength)


def _binary_entropy(p: float) -> float:
    if p <= 0.0 or p >= 1.0:
        return 0.0
    return -p * math.log2(p) - (1.0 - p) * math.log2(1.0 - p)


def _information_gain(
    prior: list[float], likelihoods: list[float], entropies: list[float]
) -> float:
    """Mutual information (bits) between the candidate and a yes/no answer to one symptom.

    I(C; A) = H(A) - H(A | C), with each H(A | C = c) precomputed per (symptom, cause).
    """
    p_yes: float = sum(map(operator.mul, prior, likelihoods))
    conditional: float = sum(map(operator.mul, prior, entropies))
    return max(_binary_entropy(p_yes) - conditional, 0.0)


def _reorders(
    ranked: list[str], odds: Mapping[str, float], likelihoods: list[float], leak: float
) -> bool:
    """Whether answering yes or no would change the order of the ranked candidates.

    `ranked` is ordered by (-odds, id); an order survives an update exactly when every
    adjacent pair still does, so no re-sort is needed.
    """
    for factors in (
        [lk / leak for lk in likelihoods],
        [(1.0 - lk) / (1.0 - leak) for lk in likelihoods],
    ):
        updated = [odds[c] * f for c, f in zip(ranked, factors, strict=True)]
        for i in range(len(ranked) - 1):
            before, after = updated[i], updated[i + 1]
            if before < after or (before == after and ranked[i] > ranked[i + 1]):
                return True
    return False
