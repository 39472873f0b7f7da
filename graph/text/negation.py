"""NegEx (Chapman et al., 2001) over one sentence's tokens: pre- and post-negation triggers,
pseudo-triggers that look like negation but are not ("not only"), and a scope that ends at a
conjunction such as "but", at the end of the sentence, or after a few words."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from graph.text.tokens import phrases

__all__ = [
    "NEGATION_WINDOW",
    "POST_NEGATION",
    "PRE_NEGATION",
    "PSEUDO_TRIGGERS",
    "TERMINATORS",
    "negated_mentions",
]

NEGATION_WINDOW = 6  # NegEx scope, in words (a matched phrase counts as one word)

# NegEx's trigger lists, trimmed to how people describe their own symptoms.
PRE_NEGATION = (
    "no",
    "not",
    "without",
    "denies",
    "deny",
    "denied",
    "never",
    "nor",
    "none",
    "neither",
    "free of",
    "absence of",
    "no sign of",
    "no signs of",
    "negative for",
    "don't",
    "dont",
    "do not",
    "doesn't",
    "doesnt",
    "does not",
    "didn't",
    "didnt",
    "did not",
    "haven't",
    "havent",
    "have not",
    "hasn't",
    "hasnt",
    "has not",
    "isn't",
    "isnt",
    "is not",
    "aren't",
    "arent",
    "are not",
    "wasn't",
    "wasnt",
    "was not",
    "can't say",
    "cannot say",
)
POST_NEGATION = ("absent", "ruled out", "not present", "gone", "went away")
# Look like negation triggers, negate nothing.
PSEUDO_TRIGGERS = (
    "not only",
    "not just",
    "no doubt",
    "not necessarily",
    "no change",
    "no increase",
    "not sure",
    "no idea",
    "not getting better",
    "not going away",
    "won't go away",
    "doesn't go away",
    "not improving",
)
# A negation's scope ends here (NegEx's conjunctions and termination terms).
TERMINATORS = (
    "but",
    "however",
    "although",
    "though",
    "yet",
    "except",
    "apart from",
    "aside from",
    "still",
    "which",
    "and it",
    "and my",
    "and i",
    "and i'm",
    "and the",
    "it's just",
    ", my",
    ", it",
    ", it's",
    ", i",
    ", i'm",
    ", and",
)

_PRE = phrases(PRE_NEGATION)
_POST = phrases(POST_NEGATION)
_PSEUDO = phrases(PSEUDO_TRIGGERS)
_TERM = phrases(TERMINATORS)
_MAX_CUE = max(len(k) for k in (*_PRE, *_POST, *_PSEUDO, *_TERM))


def _cue_at(words: Sequence[str], i: int, cues: Mapping[tuple[str, ...], str]) -> int:
    """The length of the longest cue in `cues` starting at token `i`, or 0."""
    for size in range(min(_MAX_CUE, len(words) - i), 0, -1):
        if tuple(words[i : i + size]) in cues:
            return size
    return 0


def negated_mentions(
    words: Sequence[str], taken: Sequence[bool], found: Sequence[tuple[int, int, object]]
) -> list[bool]:
    """NegEx over one sentence: which of the `found` mentions fall in a negation's scope."""
    n = len(words)
    starts = {i: idx for idx, (i, _, _) in enumerate(found)}
    ends = {j - 1: idx for idx, (_, j, _) in enumerate(found)}
    negated = [False] * len(found)
    i = 0
    while i < n:
        if taken[i]:
            i += 1
            continue
        pseudo = _cue_at(words, i, _PSEUDO)
        if pseudo:
            i += pseudo
            continue
        size = _cue_at(words, i, _PRE)
        if size and not any(taken[i : i + size]):
            # Forward scope: words until a terminator or the window runs out.
            k, counted = i + size, 0
            while k < n and counted < NEGATION_WINDOW:
                if not taken[k] and (_cue_at(words, k, _TERM) or _cue_at(words, k, _PSEUDO)):
                    break
                if k in starts:
                    idx = starts[k]
                    negated[idx] = True
                    k = found[idx][1]
                else:
                    k += 1
                counted += 1
            i += size
            continue
        size = _cue_at(words, i, _POST)
        if size and not any(taken[i : i + size]):
            # Backward scope: the closest mention within the window, nothing in between.
            k, counted = i - 1, 0
            while k >= 0 and counted < NEGATION_WINDOW:
                if not taken[k] and _cue_at(words, k, _TERM):
                    break
                if k in ends:
                    negated[ends[k]] = True
                    break
                k -= 1
                counted += 1
            i += size
            continue
        i += 1
    return negated
