"""Words as both the content and a person's text are cut into them: lower-cased, each with
its dictionary form (lemma), so that "twitches" meets "twitching", "nevi" meets "nevus" and
"aches" meets "ache". simplemma's English dictionary gives the lemma of the words it knows;
lemminflect's suffix rules for unknown nouns give the rest ("hamartomas", "keratocysts"), since
medical plurals are mostly missing from a general dictionary."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import NamedTuple

# simplemma and lemminflect are imported by the first word looked up, not by every start
# (0.15-0.3 s; a server from a built pack needs them for its first note, not before).

__all__ = [
    "TEXTSPEAK",
    "TOKEN",
    "Token",
    "dictionary_lemma",
    "is_word",
    "kept_prefix",
    "lemma",
    "lowered",
    "noun_lemma",
    "phrases",
    "text_lemma",
    "tokenise",
]

# Commas are tokens too: a phrase never spans one, and ", my ..." can end a negation. A cross
# mark is a token as well: in a list it answers no ("swelling ❌", graph/text/context.py).
# A plus or an ampersand standing alone between words is a note's "and" ("knee swollen + warm",
# "red & hot"): TEXTSPEAK reads it as the word, so what joins two findings joins them here too.
# Written against a word ("CD4+", "+/-", "R&D") it is no join and stays out.
TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[,\u274c\u2716\u2717\u2718]|(?<=\s)[+&](?=\s)")

# Texting's spellings of the small words cues and phrases are made of ("nt swolen", "hvnt drunk
# ny water"), read as those words. Only forms that are no English word and that a lay message
# uses for nothing else (the apostrophe-less "didnt", "isnt" are read as written); after a number a form is left as written ("a 15 nt deletion" is
# nucleotides).
TEXTSPEAK = {
    "nt": "not",
    "hvnt": "haven't",
    "havnt": "haven't",
    "dnt": "don't",
    "cnt": "can't",
    "nvr": "never",
    "ny": "any",
    "rly": "really",
    "agn": "again",
    "tho": "though",
    "thru": "through",
    "wiv": "with",
    "2day": "today",
    "2nite": "tonight",
    "b4": "before",
    "nothin": "nothing",
    "+": "and",
    "&": "and",
}


class Token(NamedTuple):
    """A word as written (lower-cased), its lemma, and its span in the text. A named tuple:
    a long note makes tens of thousands, and a tuple is built at a third of a frozen
    dataclass's cost."""

    raw: str
    lemma: str
    start: int
    end: int


# A request's words repeat across requests; the bound keeps a flood of made-up words cheap.
@lru_cache(maxsize=1 << 16)
def dictionary_lemma(word: str) -> str | None:
    """The word's lemma short of the noun rules: None for an unknown word with a plural ending,
    which only they can give (`noun_lemma`)."""
    if "'" in word or not word.isalpha():
        return word
    if is_word(word):
        import simplemma

        return str(simplemma.lemmatize(word, lang="en"))
    # Only a plural ending goes to the noun rules: they cost ~30 us a word, and on singulars
    # they invent forms ("hematuria" -> "hematurium").
    if word.endswith(("s", "i", "ae")):
        return None
    return word


@lru_cache(maxsize=1 << 16)
def noun_lemma(word: str) -> str:
    """lemminflect's noun rules for a word the dictionary lacks ("hamartomas")."""
    import lemminflect

    return str(lemminflect.getAllLemmasOOV(word, "NOUN")["NOUN"][0])


def lemma(word: str) -> str:
    """The word's English lemma; a number or a contraction stays as written. Content and
    text both go through it, so what matters most is that a word always gets the same form."""
    found = dictionary_lemma(word)
    return noun_lemma(word) if found is None else found


def kept_prefix(word: str) -> str:
    """The start of `word` that its noun-rule lemma keeps: the rules rewrite at most its last
    four letters ("vertices" -> "vertex"), and at most four letters of it are looked at."""
    return word[: min(4, max(len(word) - 4, 0))]


@lru_cache(maxsize=1 << 16)
def is_word(word: str) -> bool:
    """Whether simplemma's English dictionary knows `word`: a real word is not a typo."""
    if word.isascii() and word.islower() and word.isalpha():
        # What simplemma.is_known does for such a word (its NFC form and English spelling
        # are the word itself): the word, then its capitalised form, in the dictionary. Asked
        # directly, a third of the cost, paid once for every word of a long note.
        raw = _english_bytes()
        if raw is not None:
            key = word.encode()
            return key in raw or key.capitalize() in raw
        english = _english()
        return english.get(word) is not None or english.get(word.capitalize()) is not None
    import simplemma

    return bool(simplemma.is_known(word, lang="en"))


@lru_cache(maxsize=1)
def _english() -> Mapping[str, str]:
    """simplemma's English dictionary, loaded on first use (as simplemma itself does)."""
    from simplemma.strategies import DEFAULT_DICTIONARY_FACTORY

    return DEFAULT_DICTIONARY_FACTORY.get_dictionary("en")


@lru_cache(maxsize=1)
def _english_bytes() -> Mapping[bytes, bytes] | None:
    """The bytes -> bytes dict inside simplemma's English dictionary, where it keeps one (2.x):
    a look-up there skips two Python calls and a decode a word, which a 20 KB note of
    unknown words pays 2,700 times. None where it does not: the public mapping then serves."""
    found = getattr(_english(), "_dict", None)
    return found if isinstance(found, dict) else None


def _unaccented() -> dict[int, str]:
    """Each accented Latin letter -> its base letter ("é" -> "e"), one character for one, so
    that offsets into the lowered text stay those of the text."""
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):
        base = unicodedata.normalize("NFKD", chr(code))[0]
        if base != chr(code) and base.isascii() and base.isalpha():
            table[code] = base.lower()
    table[ord("\u2019")] = table[ord("\u2018")] = "'"
    return table


_UNACCENTED = _unaccented()


def lowered(text: str) -> str:
    """`text` lower-cased, its accents dropped ("café-au-lait" is "cafe-au-lait") and its
    curly apostrophes made straight, one character for one: every offset into it is the
    text's. A letter whose case-folded form is longer ("ß" is "ss") stays as written."""
    folded = text.casefold()
    if len(folded) != len(text):
        folded = "".join(f if len(f := c.casefold()) == 1 else c for c in text)
    return folded.translate(_UNACCENTED)


def tokenise(text: str, prefixes: frozenset[str] | None = None) -> list[Token]:
    """`text`'s tokens with their lemmas. With `prefixes` (the `kept_prefix` of every lemma
    a pack knows), a word whose noun-rule lemma could not be one of them keeps its own form
    instead: the same match, without the rules' cost on a flood of made-up words."""
    return [
        Token(m.group(), text_lemma(m.group(), prefixes), m.start(), m.end())
        for m in TOKEN.finditer(lowered(text))
    ]


def text_lemma(word: str, prefixes: frozenset[str] | None = None) -> str:
    """A text word's lemma as `tokenise` gives it (see there for `prefixes`)."""
    stem = dictionary_lemma(word)
    if stem is None:
        wanted = prefixes is None or kept_prefix(word) in prefixes
        stem = noun_lemma(word) if wanted else word
    return stem


def phrases(items: Iterable[str]) -> dict[tuple[str, ...], str]:
    """Cue phrases by their words as written (NegEx's lists spell out each form: "denies",
    "denied"); a lemma would merge "dont" into "do" and make every "does" a trigger. Cut
    without lemmas: at import, looking them up loaded simplemma's dictionary (0.3 s of the
    start) before anything needed it."""
    return {tuple(TOKEN.findall(lowered(item))): item for item in items}
