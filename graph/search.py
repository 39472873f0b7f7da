"""A search index over names, synonyms, codes and ids, built once per graph.

Exact and prefix matches rank first (codes such as `R25.3` or `HP:0002380` match exactly),
then typo-tolerant matches scored by rapidfuzz. Every hit reports the text it matched.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz, process

from graph.knowledge import KnowledgeGraph
from graph.validate import normalise_term
from graph.vocabulary import NodeKind

__all__ = ["MatchType", "SearchHit", "SearchIndex", "closest"]

# Below this rapidfuzz score a fuzzy match is noise rather than a typo.
FUZZY_CUTOFF = 85.0
# Prefix matches examined per query, so a one-letter query stays cheap on a large graph.
MAX_PREFIX_MATCHES = 500


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
    def __init__(self, graph: KnowledgeGraph) -> None:
        terms: list[_Term] = []
        for node in graph.nodes():
            entries = [(node.name, "name"), (node.id, "id")]
            entries += [(s, "synonym") for s in node.synonyms]
            entries += [(c.code, "code") for c in node.codes]
            for text, field in entries:
                terms.append(
                    _Term(normalise_term(text), text, field, node.id, node.kind, node.name)
                )
        self._terms = tuple(terms)
        self._longest = max((len(t.normalised) for t in terms), default=0)
        # Single words of multi-word terms, so "twiching" still finds "knee twitching".
        self._words: list[tuple[str, int]] = [
            (word, position)
            for position, term in enumerate(terms)
            if " " in term.normalised
            for word in term.normalised.split()
            if len(word) >= 4
        ]
        # Fuzzy matching compares with every choice: by kind too, as suggestions for an unknown
        # symptom id need only the symptoms.
        self._term_choices = _by_kind(
            ((position, term.normalised, term.kind) for position, term in enumerate(terms))
        )
        self._word_choices = _by_kind(
            (index, word, terms[position].kind)
            for index, (word, position) in enumerate(self._words)
        )
        self._exact: dict[str, list[_Term]] = {}
        for term in terms:
            self._exact.setdefault(term.normalised, []).append(term)
        # Every word-start suffix of every term, sorted: a prefix query is a bisect plus a
        # bounded scan, however large the graph.
        suffixes = sorted(
            (term.normalised[start:], position, start == 0)
            for position, term in enumerate(terms)
            for start in _word_starts(term.normalised)
        )
        self._suffixes = [text for text, _, _ in suffixes]
        self._suffix_terms = [(position, whole) for _, position, whole in suffixes]

    def search(self, query: str, kind: NodeKind | None = None, limit: int = 10) -> list[SearchHit]:
        """Hits for `query`, best first (score, then exact before prefix before fuzzy, then id)."""
        needle = normalise_term(query)
        if not needle:
            return []
        best: dict[str, SearchHit] = {}

        def offer(term: _Term, match: MatchType, score: float) -> None:
            if kind is not None and term.kind is not kind:
                return
            current = best.get(term.node_id)
            if current is None or score > current.score:
                best[term.node_id] = SearchHit(
                    term.node_id, term.kind, term.name, term.text, term.field, match, score
                )

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
        if len(needle) >= 3:
            terms, words = self._term_choices[kind], self._word_choices[kind]
            for _, score, position in process.extract(
                needle, terms, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=50
            ):
                offer(self._terms[position], MatchType.FUZZY, min(float(score), 89.0))
            for _, score, index in process.extract(
                needle, words, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=50
            ):
                # A typo of one word of a longer term ranks just below a whole-term typo.
                term = self._terms[self._words[index][1]]
                offer(term, MatchType.FUZZY, min(float(score), 89.0) - 5.0)
        order = {MatchType.EXACT: 0, MatchType.PREFIX: 1, MatchType.FUZZY: 2}
        hits = sorted(best.values(), key=lambda h: (-h.score, order[h.match], h.node_id))
        return hits[:limit]

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
        if hits or len(normalise_term(query)) < 3:
            return hits
        # Fall back to the best partial matches for longer, messier input.
        scored = process.extract(
            normalise_term(query),
            self._term_choices[kind],
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


def _by_kind(
    entries: Iterable[tuple[int, str, NodeKind]],
) -> dict[NodeKind | None, dict[int, str]]:
    """Choices keyed by their index, for all kinds (None) and for each kind."""
    choices: dict[NodeKind | None, dict[int, str]] = {None: {}, **{k: {} for k in NodeKind}}
    for index, text, kind in entries:
        choices[None][index] = text
        choices[kind][index] = text
    return choices


def _word_starts(text: str) -> list[int]:
    """Where each word of a normalised term starts (search as you type matches any word)."""
    return [0] + [i + 1 for i, char in enumerate(text) if char == " "]
