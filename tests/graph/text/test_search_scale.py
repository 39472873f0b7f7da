"""Search indexing at scale: codes as CURIEs, and the length window of typo matching."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from graph.knowledge import KnowledgeGraph
from graph.text import search
from graph.text.search import MatchType, SearchIndex, _LengthIndex
from tests.paths import KNEE_PACK, REPO


def test_codes_are_found_as_curies_and_bare() -> None:
    index = SearchIndex(KnowledgeGraph.from_packs([KNEE_PACK]))
    (hit, *_) = index.search("ICD10CM:R20.0")
    assert (hit.node_id, hit.match, hit.matched) == (
        "symptom:numbness",
        MatchType.EXACT,
        "ICD10CM:R20.0",
    )
    assert index.search("R20.0")[0].node_id == "symptom:numbness"


def test_hpo_terms_by_code_name_synonym_and_typo() -> None:
    index = SearchIndex(KnowledgeGraph.from_packs([REPO / "seeds" / "hpo-sample"]))
    assert index.search("HP:0000118")[0].node_id == "symptom:hp-0000118"
    assert index.search("phenotypic abnormality")[0].node_id == "symptom:hp-0000118"
    assert index.search("phenotypic abnormalty")[0].match is MatchType.FUZZY


WORDS = st.text(alphabet="abcde ", min_size=0, max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(WORDS, min_size=1, max_size=40), st.text(alphabet="abcde ", min_size=1, max_size=12)
)
def test_the_length_window_loses_no_match(texts: list[str], needle: str) -> None:
    index = _LengthIndex((t, i) for i, t in enumerate(texts))
    found = {p for _, p in index.extract(needle, 85.0, limit=1000)}
    expected = {
        i
        for _, _, i in process.extract(
            needle, texts, scorer=fuzz.ratio, score_cutoff=85.0, limit=None
        )
    }
    assert found == expected


@settings(max_examples=60, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=40), st.sampled_from([0, 1, 2]))
def test_an_index_split_by_key_matches_one_built_per_key(texts: list[str], keys: int) -> None:
    def key(position: int) -> int:
        return position % (keys + 1)

    split = _LengthIndex((t, i) for i, t in enumerate(texts)).split(key)
    for k, part in split.items():
        alone = _LengthIndex((t, i) for i, t in enumerate(texts) if key(i) == k)
        for needle in ("abc", "a b", "ddd e"):
            assert part.extract(needle, 85.0, 1000) == alone.extract(needle, 85.0, 1000)


def test_the_fuzzy_stage_is_skipped_only_when_it_cannot_change_the_page() -> None:
    """Fuzzy hits score at most 89, every exact and prefix hit 90 or more: with a page full of
    those, searching with and without the fuzzy stage gives the same page."""
    index = SearchIndex(KnowledgeGraph.from_packs([REPO / "seeds" / "hpo-sample"]))
    for query in ("abnormality", "abnormal", "phenotypic", "hp:00", "seizure", "morphology"):
        for limit in (1, 3, 10):
            fast = index.search(query, limit=limit)
            full = index.search(query, limit=1000)[:limit]
            assert fast == full, query


def test_partial_matching_only_scans_small_sets(monkeypatch: pytest.MonkeyPatch) -> None:
    graph = KnowledgeGraph.from_packs([KNEE_PACK])
    messy = "symptom:my-knee-keeps-twitching-a-lot"
    assert SearchIndex(graph).suggest(messy)  # the knee pack is small: partial matches
    monkeypatch.setattr(search, "MAX_PARTIAL_CHOICES", 10)
    # On a large pack (here: a limit below the knee pack's size) it is skipped: it would
    # scan every term for one 404 (100 ms on the full HPO pack).
    assert SearchIndex(graph).suggest(messy) == []
