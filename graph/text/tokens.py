"""Words as both the content and a person's text are cut into them: lower-cased, each with
its dictionary form (lemma), so that "twitches" meets "twitching", "nevi" meets "nevus" and
"aches" meets "ache". simplemma's English dictionary gives the lemma of the words it knows;
lemminflect's suffix rules for unknown nouns give the rest ("hamartomas", "keratocysts"), since
medical plurals are mostly missing from a general dictionary."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import lemminflect
import simplemma

__all__ = ["TOKEN", "Token", "is_word", "lemma", "lowered", "phrases", "tokenise"]

# Commas are tokens too: a phrase never spans one, and ", my ..." can end a negation.
TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|,")


@dataclass(frozen=True, slots=True)
class Token:
    raw: str
    lemma: str
    start: int
    end: int


# A request's words repeat across requests; the bound keeps a flood of made-up words cheap.
@lru_cache(maxsize=1 << 16)
def lemma(word: str) -> str:
    """The word's English lemma; a number or a contraction stays as written. Content and
    text both go through it, so what matters most is that a word always gets the same form."""
    if "'" in word or not word.isalpha():
        return word
    if is_word(word):
        return str(simplemma.lemmatize(word, lang="en"))
    # Only a plural ending goes to the noun rules: they cost ~20 us a word (a flood of
    # made-up words stays cheap), and on singulars they invent forms ("hematuria" ->
    # "hematurium").
    if word.endswith(("s", "i", "ae")):
        return str(lemminflect.getAllLemmasOOV(word, "NOUN")["NOUN"][0])
    return word


@lru_cache(maxsize=1 << 16)
def is_word(word: str) -> bool:
    """Whether simplemma's English dictionary knows `word`: a real word is not a typo."""
    return bool(simplemma.is_known(word, lang="en"))


def lowered(text: str) -> str:
    return text.casefold().replace("\u2019", "'").replace("\u2018", "'")


def tokenise(text: str) -> list[Token]:
    return [
        Token(m.group(), lemma(m.group()), m.start(), m.end())
        for m in TOKEN.finditer(lowered(text))
    ]


def phrases(items: Iterable[str]) -> dict[tuple[str, ...], str]:
    """Cue phrases by their words as written (NegEx's lists spell out each form: "denies",
    "denied"); a lemma would merge "dont" into "do" and make every "does" a trigger."""
    return {tuple(t.raw for t in tokenise(item)): item for item in items}
