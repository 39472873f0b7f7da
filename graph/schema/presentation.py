"""How the web checker presents a pack: optional wording in the pack's manifest (`checker:`).

Every field may be left out; graph/knowledge/presentation.py fills the gaps from the pack's
content, so a pack written without a thought for the page still reads correctly on it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

__all__ = ["Audience", "CheckerWording"]

Words = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Sentence = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=600)]
NODE_ID = r"^[a-z][a-z-]*:[a-z0-9]+(?:-[a-z0-9]+)*$"
Noun = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z][a-z -]*$", max_length=40)
]


class Audience(StrEnum):
    """Who types into the checker: the public answers questions about themselves; a clinician
    records findings (present / absent) about a patient."""

    PUBLIC = "public"
    CLINICIAN = "clinician"


class CheckerWording(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    audience: Audience | None = None  # absent: public if it quotes articles, else clinician
    title: Words | None = None  # the page's heading, e.g. "Knee symptom checker"
    intro: Sentence | None = None  # one or two sentences under it
    prompt: Words | None = None  # the free-text box's label, e.g. "What do you notice?"
    example: Words | None = None  # the free-text box's placeholder, after "e.g."
    search_example: Words | None = None  # the typeahead's placeholder, after "e.g."
    sources: Words | None = None  # what the content comes from, e.g. "the articles"
    causes: Noun | None = None  # plural, e.g. "causes", "diseases"
    finding: Noun | None = None  # singular, e.g. "symptom", "phenotype"
    # The explorer's first node: a node of this pack (checked with the other references).
    start: Annotated[str, StringConstraints(pattern=NODE_ID, max_length=120)] | None = None
