"""Everyday words for a pack's symptoms and exposures (a pack's `lexicon.yaml`), each mapping
backed by a verbatim excerpt, and the words the pack deliberately leaves unmapped.

A person writes "after my run", "my vitamin D is low" or "prednisone" where the sources say
"overexertion during exercise", "low levels of vitamins D" or "corticosteroids". A record maps
such words to a node only with evidence that the sources support reading them that way; a
record without a node lists words no source lets the reader map, and says why, so the reader
knows them and maps them to nothing instead of guessing.
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from graph.schema.records import Evidence, NodeId, ShortText, Text, _Record

__all__ = ["LOW_LEVEL_FORMS", "LexiconRecord"]

# How people say that a level or an intake is low, `{}` standing for what is low ("vitamin d",
# "b12"). English, not medicine: a record names the nutrients and carries the evidence. Verb
# forms need no spelling out ("was low" and "are low" share the lemma of "is low").
LOW_LEVEL_FORMS = (
    "low {}",
    "low level of {}",
    "low {} level",
    "{} is low",
    "{} level is low",
    "{} is a bit low",
    "{} level is a bit low",
    "{} came back low",
    "{} level came back low",
    "{} level came back a bit low",
    "{} is on the low side",
    "{} deficiency",
    "{} deficient",
    "deficient in {}",
    "low in {}",
    "low on {}",
    "lack of {}",
    "lacking in {}",
    "not enough {}",
    "not getting enough {}",
    "don't get enough {}",
    "do not get enough {}",
    "rarely get any {}",
    "rarely get {}",
    "hardly get any {}",
    "barely get any {}",
    "never get enough {}",
)


class LexiconRecord(_Record):
    """Words that name `node` in everyday language, or, without a node, words left unmapped."""

    node: NodeId | None = None
    terms: list[ShortText] = Field(default_factory=list, max_length=100)
    # What can be low ("vitamin d"): each is read in every LOW_LEVEL_FORMS phrasing.
    levels: list[ShortText] = Field(default_factory=list, max_length=20)
    evidence: list[Evidence] = Field(default_factory=list, max_length=20)
    # Why the excerpts support the mapping, or why no mapping is made.
    reason: Text

    @property
    def label(self) -> str:
        """How a problem names the record: its node (or "not mapped") and its first words."""
        first = (self.terms or self.levels)[0]
        return f"lexicon {self.node or 'not mapped'}: {first!r}"

    @property
    def phrases(self) -> list[str]:
        """Every phrase the record names: its terms, then each level in each low-level form."""
        return [*self.terms, *(form.format(x) for x in self.levels for form in LOW_LEVEL_FORMS)]

    @model_validator(mode="after")
    def _mapping_is_backed(self) -> Self:
        if not self.terms and not self.levels:
            raise ValueError("a lexicon record needs `terms` or `levels`")
        if self.node is not None and not self.evidence:
            raise ValueError("a mapping needs evidence: an excerpt that supports it")
        if self.node is None and (self.evidence or self.levels):
            raise ValueError("an unmapped record lists `terms` and a `reason` only")
        return self
