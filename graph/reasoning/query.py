"""What a diagnose query asks and what its answer holds: plain records, no arithmetic."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

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
    "QuestionGrounds",
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


# Not frozen, unlike the other records: a frozen dataclass's constructor sets each field through
# object.__setattr__ (2.1 us for these seven, 0.5 us unfrozen), and every query makes ten. Read it
# as read-only all the same.
@dataclass(slots=True)
class Candidate:
    cause: str
    probability: float
    # Candidates with the same probability share a rank (1 = most probable).
    rank: int
    tied_with: tuple[str, ...]
    prior: float  # the cause's prior probability before any evidence
    matched: tuple[str, ...]  # present symptoms and exposures the cause accounts for
    contradicted: tuple[str, ...]  # absent symptoms and exposures it would have shown


class QuestionGrounds(NamedTuple):
    """Why a question is asked: the finding's name, its expected information gain in bits, and
    the leading causes it is most and least likely with, with those likelihoods."""

    finding: str
    gain: float
    likely: str
    likely_p: float
    unlikely: str
    unlikely_p: float


@dataclass(frozen=True, slots=True)
class NextQuestion:
    kind: FindingKind
    node: str  # the symptom, or the cause asked about as an exposure
    question: str
    information_gain: float
    # What makes the parts of `reason`: only an explained answer shows it, so the leaders'
    # likelihoods are compared and named when it is read, not for every query.
    found_grounds: Callable[[], QuestionGrounds] = field(repr=False, compare=False)

    @property
    def grounds(self) -> QuestionGrounds:
        return self.found_grounds()

    @property
    def reason(self) -> str:
        finding, gain, likely, likely_p, unlikely, unlikely_p = self.grounds
        asked = "whether it applies" if self.kind is FindingKind.EXPOSURE else "it"
        return (
            f"Of the unanswered questions, asking about '{finding}' best separates the "
            f"leading causes (expected information gain {gain:.3f} bits): {asked} is likely "
            f"with {likely} ({likely_p:.2f}) and unlikely with {unlikely} ({unlikely_p:.2f})."
        )


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
