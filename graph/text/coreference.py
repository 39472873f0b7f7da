"""A finding named as someone else's and then taken up by the writer with a pronoun: "My mom
has ALS and I'm scared I have it too", "it's my brother who has the low vitamin D, mine was
fine". ConText leaves the writer's "it" or "mine" unread; here it names the same node for the
writer, with what its own clause says (a hedge, a denial, or a word saying it is fine).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from graph.text.context import affirms, answer
from graph.text.tokens import TOKEN

__all__ = ["Referent", "coreferents", "list_taken_up"]

# The writer answering a list the sentence before gave as a condition or a leaflet's warning:
# "... if you experience difficulty swallowing or slurred speech. I have neither of these."
_LIST = re.compile(r"\b(neither|none|both|all) of (?:these|those|them|the above)\b")

# The writer taking up another's finding: "I have it too", "I've got the same".
_WRITER_HAS = frozenset(
    {("i", "have"), ("i", "get"), ("i", "got"), ("i've", "got"), ("i", "had"), ("ive", "got")}
)
# A hedge between the writer and the verb: "I might have it too" (the hedge is read by
# graph/text/context.py).
_MODALS = frozenset({"might", "may", "could", "probably", "must"})
_PRONOUNS = (("the", "same"), ("it",), ("them",), ("that",))
_TOO = frozenset({"too", "also", "as"})  # "as well"; without one, "it" may be the knee
# Words that say the writer's own is as it should be: "mine was fine".
_FINE = frozenset({"fine", "normal", "ok", "okay", "good"})
_MINE_REACH = 3  # words from "mine" to a word saying it is fine ("mine was fine")


class Referent(NamedTuple):
    """One pronoun of the writer's that takes up another's mention."""

    start: int  # its token span, [start, end)
    end: int
    referred: int  # the index, in the spans given, of the mention it takes up
    fine: bool  # said to be as it should be: the node absent ("mine was fine")


def _pronoun_at(words: Sequence[str], k: int) -> int:
    """The length of the pronoun after the writer's "I have" at token `k`, else 0."""
    for pronoun in _PRONOUNS:
        size = len(pronoun)
        said = tuple(words[k : k + size]) == pronoun
        if said and k + size < len(words) and words[k + size] in _TOO:
            return size
    return 0


def coreferents(
    words: Sequence[str], taken: Sequence[bool], others: Sequence[tuple[int, int]]
) -> list[Referent]:
    """The writer's pronouns that take up a mention in `others` (token spans of mentions
    marked as someone else's, in order, indexed as given): the nearest one before each."""
    if not others:
        return []
    out: list[Referent] = []
    for k, word in enumerate(words):
        if taken[k]:
            continue
        before = [idx for idx, (_, end) in enumerate(others) if end <= k]
        if not before:
            continue
        referred = before[-1]
        if word == "mine":
            fine = any(w in _FINE for w in words[k + 1 : k + 1 + _MINE_REACH])
            out.append(Referent(k, k + 1, referred, fine))
        elif (k >= 2 and (words[k - 2], words[k - 1]) in _WRITER_HAS) or (
            k >= 3 and words[k - 2] in _MODALS and (words[k - 3], words[k - 1]) in _WRITER_HAS
        ):
            size = _pronoun_at(words, k)
            if size and not any(taken[k : k + size]):
                out.append(Referent(k, k + size, referred, False))
    return out


def list_taken_up(segment: str, asked: bool = False) -> tuple[int, int, bool] | None:
    """Where `segment` (lower-cased) takes up the list of the sentence before, and whether it
    says the writer has them: "neither of these", "none of those" (no), "both of these", "all
    of the above" (yes); or, when the sentence before `asked` a question (it ended in "?"), a
    sentence that only answers it ("User: nope neither", "Yes.": an unsure answer settles
    nothing) or opens by saying yes ("a tiny bit in the evenings"); else None."""
    found = _LIST.search(segment)
    if found is not None:
        return found.start(), found.end(), found.group(1) in ("both", "all")
    if not asked:
        return None
    words = TOKEN.findall(segment)
    said = answer(words)
    if said is None and not affirms(words):
        return None
    if said is not None and said.uncertain:
        return None
    stripped = segment.strip()
    start = segment.index(stripped[:1]) if stripped else 0
    return start, start + len(stripped), said is None or not said.negated
