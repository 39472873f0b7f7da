"""A search index over names, synonyms, codes and ids, built once per graph.

Exact and prefix matches rank first (codes such as `R25.3` or `HP:0002380` match exactly),
then typo-tolerant matches scored by rapidfuzz. Every hit reports the text it matched.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from rapidfuzz import fuzz, process

from graph.knowledge import KnowledgeGraph
from graph.packs.validate import normalise_term
from graph.schema.vocabulary import NodeKind

K = TypeVar("K")

__all__ = ["MatchType", "SearchHit", "SearchIndex", "closest"]

# Below this rapidfuzz score a fuzzy match is noise rather than a typo.
FUZZY_CUTOFF = 85.0
# Prefix matches examined per query, so a one-letter query stays cheap on a large graph.
MAX_PREFIX_MATCHES = 500
# Terms a "did you mean" may scan with partial matching (a pack of hand-curated size).
MAX_PARTIAL_CHOICES = 5_000


class MatchType(StrEnum):
    EXACT = "exact"
    PREFIX = "prefix"
    FUZZY = "fuzzy"


@dataclass(frozen=True, slots=True)
class SearchHit:
    node_id: str
    kind: NodeKind
    name: str
    matched: str  # the name, synonym, code or id that matched, as written in the content
    field: str  # "name", "synonym", "code" or "id"
    match: MatchType
    score: float  # 0-100, higher is better


@dataclass(frozen=True, slots=True)
class _Term:
    normalised: str
    text: str
    field: str
    node_id: str
    kind: NodeKind
    name: str


class SearchIndex:
    _fuzzy_terms: dict[NodeKind | None, _LengthIndex]
    _fuzzy_words: dict[NodeKind | None, _LengthIndex]
    _words: list[tuple[str, int]]
    _suffixes: list[str]
    _suffix_terms: list[tuple[int, bool]]

    def __init__(self, graph: KnowledgeGraph, stored: Mapping[str, Any] | None = None) -> None:
        """`stored` is what `stored()` gave for the same graph (a built pack keeps it): the
        normalised terms and the sorted indexes, a fifth of the HPO pack's start to make."""
        normalised = iter(stored["normalised"]) if stored is not None else None
        terms: list[_Term] = []
        for node in graph.nodes():
            entries = [(node.name, "name"), (node.id, "id")]
            entries += [(s, "synonym") for s in node.synonyms]
            entries += [(c.code, "code") for c in node.codes]
            # The CURIE form too (ICD10CM:R25.1); HPO and OMIM codes are CURIEs already.
            entries += [(c.curie, "code") for c in node.codes if c.curie != c.code]
            for text, field in entries:
                normal = normalise_term(text) if normalised is None else next(normalised)
                terms.append(_Term(normal, text, field, node.id, node.kind, node.name))
        self._terms = tuple(terms)
        self._pack_of = graph.pack_of
        self._longest = max((len(t.normalised) for t in terms), default=0)
        if stored is None:
            self._index(terms)
        else:
            self._words = [(word, position) for word, position in stored["words"]]
            self._fuzzy_terms = _LengthIndex.restored(stored["fuzzy_terms"])
            self._fuzzy_words = _LengthIndex.restored(stored["fuzzy_words"])
            self._suffixes = stored["suffixes"]
            self._suffix_terms = [(position, whole) for position, whole in stored["suffix_terms"]]
        # Partial matching scans every term it is given, so only small sets get it.
        of_kind: dict[NodeKind | None, list[int]] = {None: list(range(len(terms)))}
        for position, term in enumerate(terms):
            of_kind.setdefault(term.kind, []).append(position)
        self._partial_choices = {
            kind: {i: terms[i].normalised for i in positions}
            for kind, positions in of_kind.items()
            if len(positions) <= MAX_PARTIAL_CHOICES
        }
        self._exact: dict[str, list[_Term]] = {}
        for term in terms:
            self._exact.setdefault(term.normalised, []).append(term)

    def _index(self, terms: list[_Term]) -> None:
        # Single words of multi-word terms, so "twiching" still finds "knee twitching".
        self._words = [
            (word, position)
            for position, term in enumerate(terms)
            if " " in term.normalised
            for word in term.normalised.split()
            if len(word) >= 4
        ]
        # Fuzzy matching scores only strings of a length that could pass the cutoff, and only
        # names and synonyms: a code or id one character off names another concept. One index
        # for all kinds and one per kind (suggestions for an unknown symptom id need only the
        # symptoms), all built now from one grouping pass: built on first use, the symptoms'
        # index cost the first request that asked 150 ms on the full HPO pack.
        all_terms = _LengthIndex(
            (t.normalised, i) for i, t in enumerate(terms) if t.field in ("name", "synonym")
        )
        all_words = _LengthIndex((w, i) for i, (w, _) in enumerate(self._words))
        self._fuzzy_terms = {None: all_terms, **all_terms.split(lambda i: terms[i].kind)}
        self._fuzzy_words = {
            None: all_words,
            **all_words.split(lambda i: terms[self._words[i][1]].kind),
        }
        # Every word-start suffix of every term, sorted: a prefix query is a bisect plus a
        # bounded scan, however large the graph.
        suffixes = sorted(
            (term.normalised[start:], position, start == 0)
            for position, term in enumerate(terms)
            for start in _word_starts(term.normalised)
        )
        self._suffixes = [text for text, _, _ in suffixes]
        self._suffix_terms = [(position, whole) for _, position, whole in suffixes]

    def stored(self) -> dict[str, Any]:
        """The index as plain data, for `SearchIndex(graph, stored)` over the same graph."""
        return {
            "normalised": [t.normalised for t in self._terms],
            "words": self._words,
            "fuzzy_terms": _LengthIndex.stored(self._fuzzy_terms),
            "fuzzy_words": _LengthIndex.stored(self._fuzzy_words),
            "suffixes": self._suffixes,
            "suffix_terms": self._suffix_terms,
        }

    def search(
        self, query: str, kind: NodeKind | None = None, limit: int = 10, pack: str | None = None
    ) -> list[SearchHit]:
        """Hits for `query`, best first (score, then exact before prefix before fuzzy, then id);
        with `pack`, only that pack's nodes. The prefix and typo stages look at a bounded number
        of terms across every pack, so with several packs served a pack's prefix or typo hit
        can be crowded out by another pack's terms; exact hits never are."""
        needle = normalise_term(query)
        if not needle:
            return []
        # Each node's best (score, match, term); hits are made only for the page (a broad
        # prefix such as "seizure" offers 500 terms on the HPO pack).
        best: dict[str, tuple[float, MatchType, _Term]] = {}
        pack_of = self._pack_of

        def offer(term: _Term, match: MatchType, score: float) -> None:
            if kind is not None and term.kind is not kind:
                return
            if pack is not None and pack_of[term.node_id] != pack:
                return
            current = best.get(term.node_id)
            if current is None or score > current[0]:
                best[term.node_id] = (score, match, term)

        for term in self._exact.get(needle, ()):
            offer(term, MatchType.EXACT, 100.0)
        start = bisect.bisect_left(self._suffixes, needle)
        for index in range(start, min(start + MAX_PREFIX_MATCHES, len(self._suffixes))):
            if not self._suffixes[index].startswith(needle):
                break
            position, whole = self._suffix_terms[index]
            term = self._terms[position]
            if term.normalised != needle:
                offer(term, MatchType.PREFIX, _prefix_score(needle, term, whole))
        # Fuzzy hits score at most 89, below every exact (100) and prefix (90+) hit: once
        # those fill the page, no fuzzy hit could make it, and the costliest stage is skipped.
        if len(needle) >= 3 and len(best) < limit:
            for score, position in self._fuzzy_terms.get(kind, _NOTHING).extract(
                needle, FUZZY_CUTOFF, limit=50
            ):
                offer(self._terms[position], MatchType.FUZZY, min(float(score), 89.0))
            for score, index in self._fuzzy_words.get(kind, _NOTHING).extract(
                needle, FUZZY_CUTOFF, limit=50
            ):
                # A typo of one word of a longer term ranks just below a whole-term typo.
                term = self._terms[self._words[index][1]]
                offer(term, MatchType.FUZZY, min(float(score), 89.0) - 5.0)
        order = {MatchType.EXACT: 0, MatchType.PREFIX: 1, MatchType.FUZZY: 2}
        page = heapq.nsmallest(
            limit, best.items(), key=lambda item: (-item[1][0], order[item[1][1]], item[0])
        )
        return [
            SearchHit(node_id, term.kind, term.name, term.text, term.field, match, score)
            for node_id, (score, match, term) in page
        ]

    def suggest(
        self, text: str, kind: NodeKind | None = None, limit: int = 5
    ) -> Sequence[SearchHit]:
        """Nodes that an unknown id or misspelt term most likely meant ("did you mean")."""
        prefix, sep, slug = text.partition(":")
        if sep and prefix in NodeKind.__members__.values():
            kind = kind or NodeKind(prefix)
            text = slug
        # Fuzzy matching costs grow with the text; a tail longer than any term adds nothing.
        text = text[: self._longest + 8]
        query = text.replace("-", " ").replace("_", " ")
        hits = self.search(query, kind=kind, limit=limit)
        choices = self._partial_choices.get(kind)
        if hits or len(normalise_term(query)) < 3 or choices is None:
            # Partial matching would scan every term: 100 ms on the full HPO pack, for a 404.
            return hits
        # Fall back to the best partial matches for longer, messier input.
        scored = process.extract(
            normalise_term(query),
            choices,
            scorer=fuzz.partial_ratio,
            limit=limit * 4,
        )
        seen: dict[str, SearchHit] = {}
        for _, score, position in scored:
            term = self._terms[position]
            if (kind is None or term.kind is kind) and term.node_id not in seen and score >= 60:
                seen[term.node_id] = SearchHit(
                    term.node_id, term.kind, term.name, term.text, term.field,
                    MatchType.FUZZY, float(score),
                )  # fmt: skip
        return list(seen.values())[:limit]


def closest(
    text: str, choices: Mapping[str, str], limit: int = 5, cutoff: float = 70.0
) -> list[str]:
    """Keys of `choices` whose text is most like `text`, best first ("did you mean" for small
    sets of records outside the index, such as sources).

    >>> closest("knee-spasm", {"source:a": "knee-spasms-2024", "source:b": "zhang-2014"})
    ['source:a']
    """
    hits = process.extract(
        text,
        choices,
        scorer=fuzz.WRatio,
        processor=normalise_term,
        score_cutoff=cutoff,
        limit=limit,
    )
    return [key for _, _, key in hits]


class _LengthIndex:
    """Distinct strings sorted by length, each with the positions it stands for.

    fuzz.ratio is 200 * LCS / (n + m), so a cutoff c bounds a match's length m to
    [n * c / (200 - c), n * (200 - c) / c]: a query scores only that window (and each distinct
    string once), which keeps typo matching within milliseconds over 100,000 terms.
    """

    def __init__(self, items: Iterable[tuple[str, int]]) -> None:
        groups: dict[str, list[int]] = {}
        for text, position in items:
            groups.setdefault(text, []).append(position)
        texts = sorted(groups, key=len)
        self._fill(texts, [groups[t] for t in texts])

    def _fill(self, texts: list[str], positions: list[list[int]]) -> None:
        self._texts = texts
        self._positions = positions
        self._lengths = [len(t) for t in texts]

    @staticmethod
    def stored(indexes: Mapping[NodeKind | None, _LengthIndex]) -> dict[str, Any]:
        """Indexes by kind as plain data (all kinds under "")."""
        return {kind.value if kind else "": [i._texts, i._positions] for kind, i in indexes.items()}

    @staticmethod
    def restored(stored: Mapping[str, Any]) -> dict[NodeKind | None, _LengthIndex]:
        indexes: dict[NodeKind | None, _LengthIndex] = {}
        for kind, (texts, positions) in stored.items():
            index = indexes[NodeKind(kind) if kind else None] = _LengthIndex(())
            index._fill(texts, positions)
        return indexes

    def split(self, key: Callable[[int], K]) -> dict[K, _LengthIndex]:
        """One index per key of the positions, in one pass (each stays sorted by length)."""
        parts: dict[K, tuple[list[str], list[list[int]]]] = {}
        for text, positions in zip(self._texts, self._positions, strict=True):
            if len(positions) == 1:  # most strings: no grouping needed
                grouped = {key(positions[0]): positions}
            else:
                grouped = {}
                for position in positions:
                    grouped.setdefault(key(position), []).append(position)
            for k, members in grouped.items():
                texts, lists = parts.setdefault(k, ([], []))
                texts.append(text)
                lists.append(members)
        split: dict[K, _LengthIndex] = {}
        for k, (texts, lists) in parts.items():
            index = split[k] = _LengthIndex(())
            index._fill(texts, lists)
        return split

    def extract(self, needle: str, cutoff: float, limit: int) -> list[tuple[float, int]]:
        """(score, position) of the best matches scoring at least `cutoff`."""
        n = len(needle)
        lo = bisect.bisect_left(self._lengths, math.ceil(n * cutoff / (200 - cutoff) - 1e-9))
        hi = bisect.bisect_right(self._lengths, math.floor(n * (200 - cutoff) / cutoff + 1e-9))
        found = process.extract(
            needle, self._texts[lo:hi], scorer=fuzz.ratio, score_cutoff=cutoff, limit=limit
        )
        return [(score, p) for _, score, i in found for p in self._positions[lo + i]]


_NOTHING = _LengthIndex(())


def _prefix_score(needle: str, term: _Term, whole: bool) -> float:
    """90-99: a node's own name beats its synonyms ("knee" finds "Knee twitching" before the
    MRI's synonym "knee MRI"), the start of a term beats a later word, and among equals a
    shorter completion ranks higher."""
    score = 90.0 + 2.0 * len(needle) / len(term.normalised)
    if term.field in ("name", "id"):
        score += 4.0
    if whole:
        score += 3.0
    return score


def _word_starts(text: str) -> list[int]:
    """Where each word of a normalised term starts (search as you type matches any word)."""
    return [0] + [i + 1 for i, char in enumerate(text) if char == " "]
