"""What a diagnose query asks and what its answer holds: plain records, no arithmetic."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from graph.reasoning.demographics import DemographicUse
from graph.reasoning.parameters import FindingKind
from graph.schema.errors import GraphError
from graph.schema.records import RedFlagRecord

__all__ = [
    "Candidate",
    "DiagnoseQuery",
    "Diagnosis",
    "InvalidQueryError",
    "NextQuestion",
    "Triage",
    "TriageLevel",
]


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
    # female, male or unknown; and the age the findings began at, as an onset class key
    # (graph/schema/onsets.py: "childhood"). Read where the pack's causes say who they affect.
    sex: str | None = None
    age: str | None = None

    @classmethod
    def of(
        cls,
        present: Iterable[str],
        absent: Iterable[str] = (),
        exposures: Iterable[str] = (),
        limit: int = 10,
        absent_exposures: Iterable[str] = (),
        pack: str | None = None,
        sex: str | None = None,
        age: str | None = None,
    ) -> DiagnoseQuery:
        return cls(
            frozenset(present),
            frozenset(absent),
            frozenset(exposures),
            frozenset(absent_exposures),
            limit,
            pack,
            sex,
            age,
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
    # The query's sex and age, each as read or ignored, and why.
    demographics: tuple[DemographicUse, ...] = ()
