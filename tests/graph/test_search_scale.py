"""Search indexing at scale: codes as CURIEs, and the length window of typo matching."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from graph.knowledge import KnowledgeGraph
from graph.search import MatchType, SearchIndex, _LengthIndex
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
