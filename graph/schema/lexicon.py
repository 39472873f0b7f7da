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
("I take magnesium", "I run twice a week") names nothing.
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from graph.schema.records import Evidence, NodeId, ShortText, Text, _Record

__all__ = ["LexiconRecord"]


class LexiconRecord(_Record):
    """Words that name `node` in everyday language, or, without a node, words left unmapped."""

    node: NodeId | None = None
    terms: list[ShortText] = Field(default_factory=list, max_length=100)
    # Words that name the node only near one of the qualifiers (see the module's docstring).
    heads: list[ShortText] = Field(default_factory=list, max_length=100)
    qualifiers: list[ShortText] = Field(default_factory=list, max_length=100)
    evidence: list[Evidence] = Field(default_factory=list, max_length=20)
    # Why the excerpts support the mapping, or why no mapping is made.
    reason: Text

    @property
    def label(self) -> str:
        """How a problem names the record: its node (or "not mapped") and its first words."""
        first = (self.terms or self.heads or ["-"])[0]
        return f"lexicon {self.node or 'not mapped'}: {first!r}"

    @model_validator(mode="after")
    def _mapping_is_backed(self) -> Self:
        if not self.terms and not self.heads:
            raise ValueError("a lexicon record needs `terms` or `heads`")
        if bool(self.heads) != bool(self.qualifiers):
            raise ValueError("`heads` and `qualifiers` go together")
        if self.node is not None and not self.evidence:
            raise ValueError("a mapping needs evidence: an excerpt that supports it")
        if self.node is None and (self.evidence or self.heads):
            raise ValueError("an unmapped record lists `terms` and a `reason` only")
        return self
