"""Words as both the content and a person's text are cut into them: lower-cased, with a light,
consistent suffix strip so that "twitches" meets "twitching"."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["TOKEN", "Token", "lowered", "phrases", "stem", "tokenise"]

# Commas are tokens too: a phrase never spans one, and ", my ..." can end a negation.
TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|,")


@dataclass(frozen=True, slots=True)
class Token:
    raw: str
    stem: str
    start: int
    end: int


def stem(word: str) -> str:
    """A crude, consistent suffix strip: both the content and the text go through it."""
    if len(word) <= 4 or "'" in word:
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("ing") and len(word) > 5:
        word = word[:-3]
        # "running" -> "run", "swelling" keeps its double l ("swell").
        if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "ls":
            word = word[:-1]
        return word
    if word.endswith("ed") and len(word) > 5:
        return word[:-2]
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def lowered(text: str) -> str:
    return text.casefold().replace("\u2019", "'").replace("\u2018", "'")


def tokenise(text: str) -> list[Token]:
    return [
        Token(m.group(), stem(m.group()), m.start(), m.end()) for m in TOKEN.finditer(lowered(text))
    ]


def phrases(items: Iterable[str]) -> dict[tuple[str, ...], str]:
    return {tuple(t.stem for t in tokenise(item)): item for item in items}
