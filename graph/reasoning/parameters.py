"""The posterior model's constants, and the two kinds of finding it scores."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from graph.schema.records import PrevalenceClass

__all__ = ["FindingKind", "ModelParameters"]


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
    # P(an exposure applies | an unrelated cause): how common the exposure is in general, taken
    # as this fraction of the cause's prior weight (a cause rare as a reason for spasms is rare
    # to have at all), so that knowing any cause applies weighs the same against its prior.
    exposure_base_rate: float = 0.2
    max_hops: int = 4
    # About how many of a cause's symptoms a report carries: a cause expected to show many
    # more (the sum of its sensitivities) shows each in a smaller share of the reports, so a
    # disease annotated with 80 features does not win on breadth alone (0 turns it off).
    # Both chosen on simulated HPO patients of another seed (11) than `make eval-hpo` reports.
    reported_findings: float = 3.0
    # How steeply that share falls with the number expected: (reported / expected) ** this.
    reporting_exponent: float = 0.75
    # P(f | c) where a source rules f out for c (a NOT or 0/n annotation), as a share of the
    # background: low, but a finding the source never saw in c is not impossible in it.
    excluded_share: float = 0.1
    # The prevalence classes of the everyday causes: for them, a red flag's sign that other
    # causes explain and they do not list is only the leak (docs/scoring.md, section 1).
    # Empty turns the rule off.
    everyday_classes: frozenset[PrevalenceClass] = frozenset(
        {PrevalenceClass.VERY_COMMON, PrevalenceClass.COMMON}
    )
    # How much a reported absence counts, as a share of its log-likelihood ratio: absences in
    # a report are the features someone thought to check, so they are not independent of
    # the cause the way the model's product assumes (1 counts them in full).
    absent_weight: float = 0.5
    # In a database pack (no condition profile), how much likelier a reported absence is for a
    # cause whose picture holds the symptom (it shows it at all, or its source ruled it out): a
    # report's absences are features someone checked, chosen because they fit the suspected
    # cause. Chosen on the published dev cases (5 against 3: as good in rank, better in Brier
    # and ECE; docs/scoring.md, section 8); 1 turns it off. The knee pack, whose absences
    # answer its own questions, never reads it.
    checked_ratio: float = 5.0
    # A report's findings are not independent given the cause (terms of one organ system, a
    # term and its parent), so past this many, their evidence grows as n ** (1 - exponent):
    # every log-ratio is weighted (independent_findings / n) ** overlap_exponent. Chosen on
    # the published dev cases' Brier score (docs/scoring.md, section 8; 0.75 since the checked
    # absences made long reports surer); the knee pack's reports carry fewer findings and are
    # read in full.
    independent_findings: int = 8
    overlap_exponent: float = 0.75
    # A query's age of onset counts against a cause whose onset classes all lie more than
    # this many age bands away (graph/schema/onsets.py): classes are loosely applied, and a
    # feature present at birth is often first noticed in infancy.
    onset_reach: int = 1
    # Packs with at most this many cause x finding cells keep dense tables and numpy code, the
    # reference the tests hold the compiled loops to; every pack takes the loops by default,
    # since they are faster on the knee pack's 19 x 35 cells too (94 against 271 us a query).
    dense_cells: int = 0

    def __post_init__(self) -> None:
        if not 0.0 < self.leak < 1.0:
            raise ValueError("leak must be between 0 and 1")
        if not 0.0 < self.exposure_base_rate < 1.0 or not 0.5 < self.exposure_sensitivity < 1.0:
            raise ValueError("need 0 < exposure_base_rate < 1 and 0.5 < exposure_sensitivity < 1")
        if self.independent_findings < 1 or not 0.0 <= self.overlap_exponent <= 1.0:
            raise ValueError("need independent_findings >= 1 and 0 <= overlap_exponent <= 1")
        if not 0.0 < self.excluded_share <= 1.0 or not 0.0 <= self.absent_weight <= 1.0:
            raise ValueError("need 0 < excluded_share <= 1 and 0 <= absent_weight <= 1")
        if self.checked_ratio < 1.0:
            raise ValueError("checked_ratio must be at least 1")

    def evidence_power(self, findings: int) -> float:
        """The weight of each log-ratio in a report of this many findings (1 up to
        `independent_findings`)."""
        if findings <= self.independent_findings:
            return 1.0
        return float((self.independent_findings / findings) ** self.overlap_exponent)


class FindingKind(StrEnum):
    SYMPTOM = "symptom"
    EXPOSURE = "exposure"
    # The query's sex or age of onset (graph/reasoning/demographics.py): never asked about.
    DEMOGRAPHIC = "demographic"
