"""Abbreviations a text defines for itself: "intellectual disability (ID)" makes a later "ID"
in the same text the same finding. A definition counts where the parenthesised letters are
the phrase's in order, the first on its first letter (after Schwartz and Hearst, 2003), and
at least two of them are capitals, so that "(see)" or "(n)" define nothing."""

from __future__ import annotations

import re
from collections.abc import Container

__all__ = ["defined_after", "written_as"]

_DEFINITION = re.compile(r"\s*\(\s*([A-Za-z][A-Za-z0-9-]{1,9})\s*\)")


def defined_after(text: str, start: int, end: int) -> str | None:
    """The abbreviation written in parentheses right after the phrase [start, end) of `text`
    and standing for it, in the singular ("BCC" from "basal cell carcinomas (BCCs)")."""
    match = _DEFINITION.match(text, end)
    if match is None:
        return None
    abbreviation = match.group(1)
    if abbreviation.endswith("s") and abbreviation[-2].isupper():
        abbreviation = abbreviation[:-1]
    if sum(c.isupper() for c in abbreviation) < 2:
        return None
    phrase = text[start:end].casefold()
    letters = [c for c in abbreviation.casefold() if c.isalnum()]
    if not letters or letters[0] != phrase[0]:
        return None
    at = 0
    for letter in letters:
        at = phrase.find(letter, at) + 1
        if at == 0:
            return None
    return abbreviation


def written_as(word: str, abbreviations: Container[str]) -> str | None:
    """Which of `abbreviations` (as written) the word as written is, its plural included."""
    if word in abbreviations:
        return word
    if word.endswith("s") and word[:-1] in abbreviations:
        return word[:-1]
    return None
