"""Score the diagnose engine on the vignettes (graph/evaluation/vignettes.py), and measure
how often it ties.

A vignette is what a person might say about their knee, coded as present and absent symptoms
and known (or ruled-out) exposures, with the causes and the triage level its source article
supports (`gold`). Gold answers are written from the articles, never from the engine.

Metrics, overall and per split:

- top-1: a hit only when every candidate sharing rank 1 is a gold cause (or a kind of one:
  a subtype of a gold cause is a more specific right answer);
- top-3: some gold cause (or a kind of one) is ranked 3rd or better;
- triage accuracy, with over-triage (seek_care for a self_care case) and under-triage
  (self_care for a seek_care case) counted separately;
- Brier score over the pack's causes plus `other`, gold spreading 1 evenly over its causes;
- expected calibration error (10 equal-width bins) of the probability on the rank-1 candidates
  (together) against top-1 hits.

Over the pack itself (every single symptom and every symptom pair): the tie rate, the share of
queries where more than 2 causes share rank 1, and how often a rank-1 or top-3 candidate has
nothing to recommend.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from graph.evaluation.vignettes import (
    Vignette,
    VignetteError,
    accepted_answers,
    check_against_graph,
    pack_causes,
    pack_symptoms,
    query_for,
)
from graph.knowledge import KnowledgeGraph
from graph.reasoning import DiagnoseQuery, Diagnoser, Diagnosis

__all__ = [
    "CALIBRATION_BINS",
    "TIE_LIMIT",
    "Metrics",
    "Outcome",
    "Report",
    "TieReport",
    "calibration_error",
    "evaluate",
    "metrics",
    "run_vignette",
    "tie_report",
]

# A query is "tied" when more than this many causes share rank 1.
TIE_LIMIT = 2
CALIBRATION_BINS = 10


@dataclass(frozen=True, slots=True)
class Outcome:
    """How the engine answered one vignette."""

    vignette: Vignette
    diagnosis: Diagnosis
    top1_hit: bool
    top3_hit: bool
    triage: str
    brier: float

    @property
    def top1_probability(self) -> float:
        """The engine's probability that the cause is among its rank-1 candidates."""
        return sum(c.probability for c in self.diagnosis.candidates if c.rank == 1)

    @property
    def gold_probability(self) -> float:
        """The engine's total probability on the gold causes."""
        gold = set(self.vignette.gold)
        return sum(c.probability for c in self.diagnosis.candidates if c.cause in gold)

    @property
    def triage_ok(self) -> bool:
        return self.triage == self.vignette.gold_triage

    @property
    def over_triaged(self) -> bool:
        return self.vignette.gold_triage == "self_care" and self.triage == "seek_care"

    @property
    def under_triaged(self) -> bool:
        return self.vignette.gold_triage == "seek_care" and self.triage == "self_care"


def run_vignette(diagnoser: Diagnoser, vignette: Vignette, causes: Sequence[str]) -> Outcome:
    diagnosis = diagnoser.diagnose(query_for(vignette, len(causes)))
    gold = accepted_answers(diagnoser.graph, vignette.gold)
    leaders = [c.cause for c in diagnosis.candidates if c.rank == 1]
    top1 = bool(leaders) and all(c in gold for c in leaders)
    top3 = any(c.cause in gold and c.rank <= 3 for c in diagnosis.candidates)
    return Outcome(
        vignette=vignette,
        diagnosis=diagnosis,
        top1_hit=top1,
        top3_hit=top3,
        triage=diagnosis.triage.level.value,
        brier=_brier(diagnosis, set(vignette.gold), causes),
    )


def _brier(diagnosis: Diagnosis, gold: set[str], causes: Sequence[str]) -> float:
    """Multi-class Brier score over the causes plus `other`; y spreads 1 evenly over gold."""
    probability = {c.cause: c.probability for c in diagnosis.candidates}
    share = 1.0 / len(gold)
    total = diagnosis.other_probability**2  # `other` is never gold
    for cause in causes:
        y = share if cause in gold else 0.0
        total += (probability.get(cause, 0.0) - y) ** 2
    return total


@dataclass(frozen=True, slots=True)
class Metrics:
    count: int
    top1: float
    top3: float
    triage: float
    over_triage: int
    under_triage: int
    brier: float
    ece: float


def metrics(outcomes: Sequence[Outcome]) -> Metrics:
    n = len(outcomes)
    if n == 0:
        return Metrics(0, math.nan, math.nan, math.nan, 0, 0, math.nan, math.nan)
    return Metrics(
        count=n,
        top1=sum(o.top1_hit for o in outcomes) / n,
        top3=sum(o.top3_hit for o in outcomes) / n,
        triage=sum(o.triage_ok for o in outcomes) / n,
        over_triage=sum(o.over_triaged for o in outcomes),
        under_triage=sum(o.under_triaged for o in outcomes),
        brier=sum(o.brier for o in outcomes) / n,
        ece=calibration_error([(o.top1_probability, o.top1_hit) for o in outcomes]),
    )


def calibration_error(
    predictions: Sequence[tuple[float, bool]], bins: int = CALIBRATION_BINS
) -> float:
    """Expected calibration error: the count-weighted gap between confidence and accuracy
    in equal-width probability bins (a probability of exactly 1 falls in the last bin)."""
    grouped: dict[int, list[tuple[float, bool]]] = {}
    for p, hit in predictions:
        grouped.setdefault(min(int(p * bins), bins - 1), []).append((p, hit))
    n = len(predictions)
    error = 0.0
    for members in grouped.values():
        confidence = sum(p for p, _ in members) / len(members)
        accuracy = sum(hit for _, hit in members) / len(members)
        error += len(members) / n * abs(confidence - accuracy)
    return error


# Ties and empty recommendations over the pack -------------------------------------------


@dataclass(frozen=True, slots=True)
class TieReport:
    queries: int
    tied: int  # queries where more than TIE_LIMIT causes share rank 1
    largest_tie: int
    shared: int  # queries where rank 1 is shared at all (2 or more causes)
    empty_leader: int  # queries where some rank-1 candidate recommends nothing
    empty_top3: int  # queries where some top-3 candidate recommends nothing
    empty_causes: tuple[str, ...]  # the causes that recommend nothing when in the top 3

    @property
    def tie_rate(self) -> float:
        return self.tied / self.queries if self.queries else math.nan

    @property
    def empty_leader_share(self) -> float:
        return self.empty_leader / self.queries if self.queries else math.nan


def symptom_queries(graph: KnowledgeGraph, pack: str) -> list[tuple[str, ...]]:
    """Every single symptom and every pair of symptoms of the pack."""
    symptoms = pack_symptoms(graph, pack)
    singles = [(s,) for s in symptoms]
    return singles + list(itertools.combinations(symptoms, 2))


def tie_report(diagnoser: Diagnoser, pack: str) -> TieReport:
    graph = diagnoser.graph
    limit = len(pack_causes(graph, pack))
    tied = shared = largest = empty_leader = empty_top3 = 0
    empty: set[str] = set()
    queries = symptom_queries(graph, pack)
    for present in queries:
        diagnosis = diagnoser.diagnose(DiagnoseQuery.of(present=present, limit=limit))
        leaders = [c.cause for c in diagnosis.candidates if c.rank == 1]
        largest = max(largest, len(leaders))
        tied += len(leaders) > TIE_LIMIT
        shared += len(leaders) > 1
        empty_leader += any(not diagnoser.recommendations(c) for c in leaders)
        missing = _empty_top3(diagnoser, diagnosis)
        empty_top3 += bool(missing)
        empty.update(missing)
    return TieReport(
        queries=len(queries),
        tied=tied,
        largest_tie=largest,
        shared=shared,
        empty_leader=empty_leader,
        empty_top3=empty_top3,
        empty_causes=tuple(sorted(empty, key=lambda c: graph.content_order[c])),
    )


def _empty_top3(diagnoser: Diagnoser, diagnosis: Diagnosis) -> list[str]:
    return [
        c.cause
        for c in diagnosis.candidates
        if c.rank <= 3 and not diagnoser.recommendations(c.cause)
    ]


# The whole evaluation ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Report:
    pack: str
    outcomes: tuple[Outcome, ...]
    ties: TieReport
    # Vignettes whose top-3 holds a candidate with nothing to recommend, with those causes.
    empty_in_vignettes: tuple[tuple[str, tuple[str, ...]], ...]

    def by_split(self, split: str) -> list[Outcome]:
        if split == "all":
            return list(self.outcomes)
        return [o for o in self.outcomes if o.vignette.split == split]


def evaluate(
    graph: KnowledgeGraph, vignettes: Sequence[Vignette], diagnoser: Diagnoser | None = None
) -> Report:
    problems = check_against_graph(vignettes, graph)
    if problems:
        raise VignetteError("vignettes do not fit the graph:\n  " + "\n  ".join(problems))
    if not vignettes:
        raise VignetteError("no vignettes to evaluate")
    diagnoser = diagnoser or Diagnoser(graph)
    packs = {diagnoser.check(query_for(v, 1)) for v in vignettes}
    if len(packs) != 1:
        raise VignetteError(f"the vignettes span packs {', '.join(sorted(packs))}; use one")
    pack = packs.pop()
    causes = pack_causes(graph, pack)
    outcomes = tuple(run_vignette(diagnoser, v, causes) for v in vignettes)
    empty = tuple(
        (o.vignette.id, tuple(missing))
        for o in outcomes
        if (missing := _empty_top3(diagnoser, o.diagnosis))
    )
    return Report(pack, outcomes, tie_report(diagnoser, pack), empty)
