"""Everyday words for a pack's symptoms and exposures (a pack's `lexicon.yaml`), each mapping
backed by a verbatim excerpt, and the words the pack deliberately leaves unmapped.

A person writes "after my run", "my vitamin D is low" or "prednisone" where the sources say
"overexertion during exercise", "low levels of vitamins D" or "corticosteroids". A record maps
such words to a node only with evidence that the sources support reading them that way; a
record without a node lists words no source lets the reader map, and says why, so the reader
knows them and maps them to nothing instead of guessing.

Words come as whole phrases (`terms`), or as `heads` that name the node only with one of the
record's `qualifiers` a few words away in the same sentence: "vitamin d" with "low" ("my
vitamin D levels are really low"), "squats" with "lots of", "run" with "after". A head alone
("my magnesium", "I run twice a week") names nothing. A record `qualifier_first` reads a
qualifier only before its head, as in a compound noun ("blood pressure tablets"). A record's `normal` words say the
head is as it should be: beside one, the head names the node as absent ("my calcium is
fine", "swallowing is normal"). A record `absent_when_negated` reads its heads negated on
their own as the node absent: "I haven't exercised in weeks" says no overuse, where "I
exercise" says nothing.

A record may instead carry one synonym an ontology gives for a code the node carries (HPO's
"Muscle twitch" for HP:0002380): its `ontology` field says which ontology, code, scope, type
and release it came from, in place of an excerpt. Such records are generated, not written by
hand (`symptom-graph import hpo-synonyms`).

A record may also name drug classes of a drug vocabulary (`medicine_classes`: the WHO ATC
groups H02A, C03...): where the excerpt names the class ("diuretics and corticosteroids may
cause muscle spasms"), the medicines the vocabulary puts in those groups name the node too
("prednisone", "furosemide"). The reader draws them from the installed vocabulary
(graph/text/medicines.py), so no drug list is written here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, StringConstraints, model_validator

from graph.schema.records import Code, Evidence, NodeId, ShortText, SourceId, Text, _Record

__all__ = ["LexiconRecord", "MedicineClasses", "OntologySynonym", "SynonymScope"]


class SynonymScope(StrEnum):
    """How closely an OBO synonym matches its term's meaning."""

    EXACT = "EXACT"
    BROAD = "BROAD"
    NARROW = "NARROW"
    RELATED = "RELATED"


class OntologySynonym(_Record):
    """Where a synonym taken from an ontology comes from (an OBO `synonym:` line)."""

    source: SourceId  # the ontology, a source of kind `database`
    code: Code  # the term whose synonym it is; the record's node must carry it
    scope: SynonymScope
    # The OBO synonym type, when the line names one: layperson, plural_form, abbreviation...
    synonym_type: ShortText | None = None
    release: ShortText  # the ontology's `data-version`, e.g. hp/releases/2025-01-16


class MedicineClasses(_Record):
    """Groups of a drug vocabulary whose medicines name the record's node, and which release."""

    vocabulary: ShortText  # e.g. "WHO ATC", as the reader knows it (graph/text/medicines.py)
    release: ShortText  # the vocabulary's version the groups were chosen from
    # Group codes: every medicine the vocabulary files under one of them names the node.
    groups: list[Annotated[str, StringConstraints(pattern=r"^[A-Z][0-9A-Z]{0,6}$")]] = Field(
        min_length=1, max_length=40
    )


class LexiconRecord(_Record):
    """Words that name `node` in everyday language, or, without a node, words left unmapped."""

    node: NodeId | None = None
    terms: list[ShortText] = Field(default_factory=list, max_length=100)
    # Words that name the node only near one of the qualifiers (see the module's docstring).
    heads: list[ShortText] = Field(default_factory=list, max_length=100)
    qualifiers: list[ShortText] = Field(default_factory=list, max_length=100)
    # Words that, near a head, say it is as it should be: the node named as absent.
    normal: list[ShortText] = Field(default_factory=list, max_length=100)
    evidence: list[Evidence] = Field(default_factory=list, max_length=20)
    # Why the excerpts support the mapping, or why no mapping is made.
    reason: Text
    # In place of `evidence`: the ontology that gives `terms` as a synonym of the node's code.
    ontology: OntologySynonym | None = None
    # Drug classes whose medicines, as a drug vocabulary lists them, name the node too.
    medicine_classes: MedicineClasses | None = None
    # A head negated on its own names the node as absent ("I haven't exercised in weeks",
    # "I don't run"): for records whose heads are what the node needs, such as activities.
    absent_when_negated: bool = False
    # The qualifier names the node only before the head, as in a compound noun ("blood
    # pressure tablets"); after it, it may belong to another mention ("diuretic tablets for
    # my heart").
    qualifier_first: bool = False

    @property
    def label(self) -> str:
        """How a problem names the record: its node (or "not mapped") and its first words."""
        groups = self.medicine_classes.groups if self.medicine_classes else []
        first = (self.terms or self.heads or groups or ["-"])[0]
        return f"lexicon {self.node or 'not mapped'}: {first!r}"

    @model_validator(mode="after")
    def _mapping_is_backed(self) -> Self:
        if not self.terms and not self.heads and self.medicine_classes is None:
            raise ValueError("a lexicon record needs `terms`, `heads` or `medicine_classes`")
        if bool(self.heads) != bool(self.qualifiers or self.normal):
            raise ValueError("`heads` go with `qualifiers` or `normal` words, and they with heads")
        if self.node is not None and not self.evidence and self.ontology is None:
            raise ValueError("a mapping needs evidence: an excerpt that supports it")
        if self.medicine_classes is not None and (self.node is None or not self.evidence):
            raise ValueError("`medicine_classes` map to a node, with an excerpt naming the class")
        if self.absent_when_negated and not self.heads:
            raise ValueError("`absent_when_negated` reads a record's `heads`: it has none")
        if self.qualifier_first and not self.qualifiers:
            raise ValueError("`qualifier_first` places a record's `qualifiers`: it has none")
        if self.node is None and (self.evidence or self.heads or self.ontology):
            raise ValueError("an unmapped record lists `terms` and a `reason` only")
        if self.ontology is not None and (len(self.terms) != 1 or self.heads):
            raise ValueError("an ontology's synonym is one record with one term and no heads")
        return self
