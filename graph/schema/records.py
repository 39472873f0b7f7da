"""Pydantic models for the records of a content pack (what editors write in `seeds/<pack>/`)."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)

from graph.schema.onsets import ONSET_CLASSES, Sex
from graph.schema.presentation import CheckerWording
from graph.schema.vocabulary import NodeKind, Predicate

__all__ = [
    "CURIE_PREFIXES",
    "EXCERPT_MAX_CHARS",
    "ID_PATTERN",
    "Code",
    "CodeSystem",
    "DatabaseEvidence",
    "Demographics",
    "Disclaimer",
    "EdgeEvidence",
    "EdgeRecord",
    "Evidence",
    "EvidenceCode",
    "Frequency",
    "NodeRecord",
    "PackManifest",
    "Prevalence",
    "PrevalenceClass",
    "RedFlagRecord",
    "SourceKind",
    "SourceRecord",
    "kind_of",
]

EXCERPT_MAX_CHARS = 300
SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
ID_PATTERN = rf"^[a-z][a-z-]*:{SLUG}$"


@lru_cache(maxsize=1 << 16)
def _check_node_id(value: str) -> str:
    # Cached: a bulk pack names each node in thousands of edges.
    prefix, sep, slug = value.partition(":")
    if not sep or not re.fullmatch(SLUG, slug):
        raise ValueError(f"node id {value!r} must look like 'kind:slug' (lowercase, hyphens)")
    if prefix not in _KINDS:
        raise ValueError(f"unknown node kind {prefix!r}; expected one of {', '.join(_KINDS)}")
    return value


_KINDS = tuple(k.value for k in NodeKind)
NodeId = Annotated[str, StringConstraints(max_length=120), AfterValidator(_check_node_id)]
SourceId = Annotated[str, StringConstraints(pattern=rf"^source:{SLUG}$", max_length=120)]
RedFlagId = Annotated[str, StringConstraints(pattern=rf"^red-flag:{SLUG}$", max_length=120)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def kind_of(node_id: str) -> NodeKind:
    """The kind encoded in a node id's prefix (`cause:dehydration` -> CAUSE)."""
    prefix = node_id.split(":", 1)[0]
    try:
        return _KIND_OF_PREFIX[prefix]
    except KeyError:
        return NodeKind(prefix)  # raises the enum's own ValueError


# A dict lookup: calling the enum costs ten times as much, and starts ask 200,000 times.
_KIND_OF_PREFIX = {kind.value: kind for kind in NodeKind}


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CodeSystem(StrEnum):
    ICD10CM = "ICD-10-CM"
    HPO = "HPO"
    LOINC = "LOINC"
    CPT = "CPT"
    OMIM = "OMIM"


_CODE_PATTERNS: dict[CodeSystem, re.Pattern[str]] = {
    CodeSystem.ICD10CM: re.compile(r"^[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?$"),
    CodeSystem.HPO: re.compile(r"^HP:[0-9]{7}$"),
    CodeSystem.LOINC: re.compile(r"^[0-9]{1,7}-[0-9]$"),
    CodeSystem.CPT: re.compile(r"^[0-9]{5}$"),
    CodeSystem.OMIM: re.compile(r"^OMIM:[0-9]{6}$"),
}

# The prefix a code takes as a CURIE (`ICD10CM:R25.1`); HPO and OMIM codes already carry theirs.
CURIE_PREFIXES: dict[CodeSystem, str] = {
    CodeSystem.ICD10CM: "ICD10CM",
    CodeSystem.HPO: "",
    CodeSystem.LOINC: "LOINC",
    CodeSystem.CPT: "CPT",
    CodeSystem.OMIM: "",
}


class Code(_Record):
    """A cross-reference to a standard vocabulary (only verified codes belong here)."""

    system: CodeSystem
    code: str = Field(max_length=20)

    @model_validator(mode="after")
    def _code_matches_system(self) -> Self:
        if not _CODE_PATTERNS[self.system].match(self.code):
            raise ValueError(f"{self.code!r} is not a well-formed {self.system.value} code")
        return self

    @property
    def curie(self) -> str:
        """The code as a CURIE: `ICD10CM:R25.1`, `HP:0001250`, `OMIM:147791`."""
        prefix = CURIE_PREFIXES[self.system]
        return f"{prefix}:{self.code}" if prefix else self.code


class Evidence(_Record):
    """A verbatim excerpt from a source that supports a claim."""

    source: SourceId
    excerpt: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=EXCERPT_MAX_CHARS)
    ]
    # The work the excerpt itself credits ("According to Healthline, ..."), when it names one.
    cites: SourceId | None = None


class EvidenceCode(StrEnum):
    """How a curated database supports an annotation (HPO's evidence codes)."""

    PCS = "PCS"  # published clinical study
    TAS = "TAS"  # traceable author statement, typically the OMIM clinical synopsis
    IEA = "IEA"  # inferred from electronic annotation


# A citable record: PMID:31675180, OMIM:619340, ORPHA:558, ISBN-13:978..., or a URL.
REFERENCE_PATTERN = r"^(?:[A-Za-z][A-Za-z0-9-]*:[^\s|;]+|https?://[^\s|;]+)$"


class DatabaseEvidence(_Record):
    """A claim taken from a curated database: no excerpt, but the record it cites.

    `source` is the database (a source of kind `database`); `reference` is the publication or
    database record the curators cite for this claim; `evidence_code` says how they support it
    (absent for the ontology's own structure, such as an `is_a` link).
    """

    source: SourceId
    reference: Annotated[str, StringConstraints(pattern=REFERENCE_PATTERN, max_length=300)]
    evidence_code: EvidenceCode | None = None


def _evidence_kind(value: object) -> str:
    """Tell the two kinds of evidence apart: a `reference` makes it database evidence."""
    if isinstance(value, dict):
        return "database" if "reference" in value else "excerpt"
    return "database" if isinstance(value, DatabaseEvidence) else "excerpt"


# What an edge's evidence may be: a verbatim excerpt, or a database reference.
EdgeEvidence = Annotated[
    Annotated[Evidence, Tag("excerpt")] | Annotated[DatabaseEvidence, Tag("database")],
    Discriminator(_evidence_kind),
]


class PrevalenceClass(StrEnum):
    """How often a cause lies behind the condition, as the sources rank it (an ordinal class)."""

    VERY_COMMON = "very_common"
    COMMON = "common"
    UNCOMMON = "uncommon"
    RARE = "rare"


class Prevalence(_Record):
    """A cause's frequency class and the sentences that justify it."""

    level: PrevalenceClass
    evidence: list[Evidence] = Field(min_length=1, max_length=20)
    # True when the class is read from how the sources order or frame causes, not stated.
    inferred: bool = False
    reasoning: Text | None = None

    @model_validator(mode="after")
    def _inference_is_explained(self) -> Self:
        if self.inferred and not self.reasoning:
            raise ValueError("an inferred prevalence needs `reasoning` that says why it holds")
        return self


class Frequency(StrEnum):
    """How often the subject shows the object, on HPO's frequency scale (HP:0040280-HP:0040285)."""

    OBLIGATE = "obligate"  # HP:0040280, 100 %
    VERY_FREQUENT = "very_frequent"  # HP:0040281, 80-99 %
    FREQUENT = "frequent"  # HP:0040282, 30-79 %
    OCCASIONAL = "occasional"  # HP:0040283, 5-29 %
    VERY_RARE = "very_rare"  # HP:0040284, 1-4 %
    EXCLUDED = "excluded"  # HP:0040285, 0 %: the source says the subject does not show it


def _known_onset(code: str) -> str:
    if code not in _ONSET_CODES:
        raise ValueError(
            f"{code} is not an onset class this model reads ({', '.join(_ONSET_CODES)})"
        )
    return code


_ONSET_CODES = tuple(c.code for c in ONSET_CLASSES)


class Demographics(_Record):
    """Causes only: who the sources say a cause affects, read against a query's `sex` and
    `age` (docs/scoring.md). Each part is what the cited records say."""

    # The cause is described in this sex only.
    sex: Sex | None = None
    # The ages the cause's manifestations begin at, as HPO onset classes (HP:0003674 subtree).
    onsets: list[Annotated[str, AfterValidator(_known_onset)]] = Field(
        default_factory=list, max_length=20
    )
    evidence: list[EdgeEvidence] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _says_something(self) -> Self:
        if self.sex is None and not self.onsets:
            raise ValueError("demographics need a `sex` or at least one onset class")
        return self


class NodeRecord(_Record):
    id: NodeId
    name: ShortText
    synonyms: list[ShortText] = Field(default_factory=list, max_length=50)
    description: Text
    codes: list[Code] = Field(default_factory=list, max_length=20)
    # A plain yes/no question a symptom checker can ask (symptoms only).
    question: ShortText | None = None
    evidence: list[Evidence] = Field(default_factory=list, max_length=20)
    # Causes only: how often the sources say it lies behind the condition (sets its prior).
    prevalence: Prevalence | None = None
    # Causes only: a yes/no question asking whether the cause applies ("Do you take diuretics?"),
    # so that the interview can ask about exposures as well as symptoms.
    exposure_question: ShortText | None = None
    # Causes only: the sex and ages of onset the sources give (see `Demographics`).
    demographics: Demographics | None = None

    @property
    def kind(self) -> NodeKind:
        return kind_of(self.id)


class EdgeRecord(_Record):
    subject: NodeId
    predicate: Predicate
    object: NodeId
    # Curation confidence that the claim holds: 0.7 stated, 0.5 hedged ("may"), 0.3 inferred.
    strength: float = Field(default=0.5, gt=0.0, le=1.0)
    # How often the subject shows the object when it holds (`causes`, `has_symptom`,
    # `contributes_to`); the scoring model turns the class into a sensitivity (docs/scoring.md).
    frequency: Frequency | None = None
    # An exact fraction (n/m) when the source gives one; it overrides the class's sensitivity.
    sensitivity: float | None = Field(default=None, ge=0.0, le=1.0)
    # When the subject starts to show the object, as an HPO onset term (HP:0003577 congenital).
    onset: Annotated[str, StringConstraints(pattern=r"^HP:[0-9]{7}$")] | None = None
    evidence: list[EdgeEvidence] = Field(min_length=1, max_length=20)
    # True when the sources only imply the edge; `reasoning` must then say why it holds.
    inferred: bool = False
    reasoning: Text | None = None

    @property
    def key(self) -> str:
        # join reads the StrEnum's own string, skipping the slow enum `.value` descriptor.
        return "|".join((self.subject, self.predicate, self.object))

    @model_validator(mode="after")
    def _inference_is_explained(self) -> Self:
        if self.inferred and not self.reasoning:
            raise ValueError("an inferred edge needs `reasoning` that says why it holds")
        if self.subject == self.object:
            raise ValueError("an edge may not point from a node to itself")
        return self


class RedFlagRecord(_Record):
    """A circumstance in which the sources say to seek medical attention.

    It fires when at least one symptom of `any_present` is reported present.
    """

    id: RedFlagId
    name: ShortText
    advice: Text
    any_present: list[NodeId] = Field(min_length=1, max_length=50)
    evidence: list[Evidence] = Field(min_length=1, max_length=20)


class SourceKind(StrEnum):
    CONSUMER_ARTICLE = "consumer_article"
    PEER_REVIEWED_STUDY = "peer_reviewed_study"
    # A curated database (HPO annotations): cited by reference and evidence code, not quoted.
    DATABASE = "database"


class SourceRecord(_Record):
    id: SourceId
    kind: SourceKind
    title: ShortText
    # Set when the title is an editor's label because the source text gives none.
    title_note: Text | None = None
    authors: list[ShortText] = Field(default_factory=list, max_length=50)
    publisher: ShortText | None = None
    published: dt.date | None = None
    year: int | None = Field(default=None, ge=1900, le=2100)
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=500)] | None = None
    # The file in the shared source-text folder whose text the excerpts are checked against.
    text_file: Annotated[str, StringConstraints(pattern=r"^[\w.-]+$", max_length=200)] | None = None
    cited_by: list[SourceId] = Field(default_factory=list, max_length=50)
    notes: Text | None = None


class Disclaimer(_Record):
    source: SourceId
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


class PackManifest(_Record):
    id: Annotated[str, StringConstraints(pattern=rf"^{SLUG}$", max_length=60)]
    title: ShortText
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]
    description: Text
    attribution: Text
    licence: Text
    disclaimer: Disclaimer
    # How the web checker words this pack; gaps are filled from the content.
    checker: CheckerWording = Field(default_factory=CheckerWording)
