"""Integrity of the knee content pack against its sources and the verified code list."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graph.knowledge import KnowledgeGraph
from graph.packs.excerpts import check_excerpts
from graph.packs.loader import load_content
from graph.packs.validate import normalise_term
from graph.schema.content import Content
from graph.schema.vocabulary import NodeKind
from tests.paths import KNEE_PACK


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content([KNEE_PACK])


@pytest.fixture(scope="module")
def knee(content: Content) -> KnowledgeGraph:
    return KnowledgeGraph(content)


def test_shared_source_texts_are_beside_the_checkout(source_texts: Path) -> None:
    assert sorted(p.name for p in source_texts.glob("*.txt")) == [
        "000_32768faca93cf475.txt",
        "003_6ecee6b53e98c999.txt",
    ]


def test_every_excerpt_is_verbatim_in_its_source(content: Content, source_texts: Path) -> None:
    assert check_excerpts(content, source_texts) == []


def test_the_lexicon_cites_the_articles_and_lists_what_it_leaves_unmapped(
    content: Content,
) -> None:
    """Everyday words map to a node only with an excerpt (checked verbatim above), or as one of
    HPO's synonyms for the node's code (lexicon-hpo.yaml). Neither article names a medicine:
    generics come from the ATC groups two records name (graph/text/medicines.py), brands and
    national spellings (the US "chlorthalidone", once listed as unmapped) from the FDA list
    there; a word left unmapped says why."""
    mapped = [e.record for e in content.lexicon if e.record.node is not None]
    written = [e for e in mapped if e.ontology is None]
    assert len(written) >= 15
    assert all(e.evidence and e.reason for e in written)
    assert all(e.ontology and e.reason and not e.evidence for e in mapped if e not in written)
    unmapped = [e.record for e in content.lexicon if e.record.node is None]
    for record in unmapped:
        assert not {"prednisone", "furosemide", "lasix", "chlorthalidone"} & set(record.terms)
        assert record.reason.startswith("Not mapped:")
    classes = {e.node: e.medicine_classes for e in written if e.medicine_classes}
    assert set(classes) == {"cause:corticosteroids", "cause:diuretics"}


def test_every_edge_has_evidence_and_inferences_say_why(knee: KnowledgeGraph) -> None:
    for edge in knee.edges():
        assert edge.evidence, edge.key
        assert all(0 < len(ev.excerpt) <= 300 for ev in edge.evidence), edge.key
        if edge.inferred:
            assert edge.reasoning, edge.key


REQUIRED = {
    NodeKind.CONDITION: ["knee-twitching"],
    NodeKind.CAUSE: [
        "muscle-fatigue", "overuse", "dehydration", "electrolyte-imbalance",
        "nerve-irritation-or-injury", "nerve-compression", "structural-abnormality",
        "medications-and-supplements", "diuretics", "corticosteroids", "nutrient-deficiency",
        "vitamin-d-deficiency", "vitamin-b6-deficiency", "vitamin-b12-deficiency",
        "magnesium-deficiency", "calcium-deficiency", "neurological-condition",
        "multiple-sclerosis", "als",
    ],
    NodeKind.SYMPTOM: [
        "involuntary-contractions", "visible-twitching", "jerking", "severe-painful-cramps",
        "pain-or-discomfort", "limited-range-of-motion", "stiffness", "swelling", "redness",
        "warmth", "numbness", "weakness", "trouble-balancing", "difficulty-swallowing",
        "difficulty-speaking", "persistent-or-worsening",
    ],
    NodeKind.DIAGNOSTIC: [
        "physical-examination", "medical-history-review", "x-ray", "mri", "ct-scan",
        "nutrient-blood-tests", "electromyography", "reflex-and-joint-assessment",
    ],
    NodeKind.TREATMENT: [
        "hydration-and-electrolytes", "balanced-nutrition", "lifestyle-changes",
        "stretching-and-targeted-exercise", "massage", "heat-therapy", "physical-therapy",
        "muscle-relaxants", "anti-inflammatory-medication", "botulinum-toxin-injections",
        "surgery", "treat-underlying-condition",
    ],
    NodeKind.PREVENTION: [
        "stretching-and-warm-up", "cool-down", "regular-stretching", "hydration",
        "balanced-diet", "avoid-overuse", "proper-form", "appropriate-footwear-and-equipment",
    ],
}  # fmt: skip


@pytest.mark.parametrize("kind", list(NodeKind))
def test_every_concept_from_the_articles_is_a_node(knee: KnowledgeGraph, kind: NodeKind) -> None:
    ids = {n.id for n in knee.nodes(kind)}
    assert {f"{kind.value}:{slug}" for slug in REQUIRED[kind]} <= ids


@pytest.mark.parametrize(
    ("typed", "node_id"),
    [
        ("knee spasm", "condition:knee-twitching"),
        ("knee jerk", "condition:knee-twitching"),
        ("cramp around the knee", "condition:knee-twitching"),
        ("overexertion", "cause:overuse"),
        ("nerve damage", "cause:nerve-irritation-or-injury"),
        ("EMG", "diagnostic:electromyography"),
        ("ALS", "cause:als"),
        ("knee pads", "prevention:appropriate-footwear-and-equipment"),
    ],
)
def test_people_s_words_reach_the_node(knee: KnowledgeGraph, typed: str, node_id: str) -> None:
    terms = {normalise_term(t) for t in (knee.node(node_id).name, *knee.node(node_id).synonyms)}
    assert normalise_term(typed) in terms


def _verified_codes(reference: Path) -> set[str]:
    text = reference.read_text(encoding="utf-8")
    codes: set[str] = set()
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells and not set(cells[0]) <= set("-"):
            first = cells[0]
            codes |= set(re.findall(r"[A-Z][0-9][0-9A-Z]\.[0-9A-Z]+|HP:\d{7}", first))
            codes |= {m.split()[-1] for m in re.findall(r"(?:LOINC|CPT) [0-9-]+", first)}
    # Marked unverified as a mapping in the reference file.
    codes.discard("R53.83")
    return codes


def test_codes_are_from_the_verified_reference(knee: KnowledgeGraph, codes_reference: Path) -> None:
    verified = _verified_codes(codes_reference)
    assert {"R25.3", "HP:0002380", "19123-9", "95860"} <= verified
    used = {(n.id, c.code) for n in knee.nodes() for c in n.codes}
    assert used
    assert {(i, c) for i, c in used if c not in verified} == set()


def test_headline_codes_are_attached(knee: KnowledgeGraph) -> None:
    codes = {c.code for c in knee.node("condition:knee-twitching").codes}
    assert {"R25.2", "R25.3", "HP:0003394", "HP:0002380"} <= codes


def test_the_disclaimer_is_data(knee: KnowledgeGraph) -> None:
    (disclaimer,) = knee.disclaimers
    assert disclaimer.source == "source:fivali-knee-twitching"
    assert "not intended to diagnose, treat, cure, or prevent any disease" in disclaimer.text


def test_red_flags_cover_the_articles_advice(knee: KnowledgeGraph) -> None:
    flagged = {s for flag in knee.red_flags for s in flag.any_present}
    assert {
        "symptom:persistent-or-worsening",
        "symptom:numbness",
        "symptom:weakness",
        "symptom:difficulty-swallowing",
        "symptom:difficulty-speaking",
        "symptom:trouble-balancing",
    } <= flagged


def test_sources_name_the_cited_works(knee: KnowledgeGraph) -> None:
    kinds = {s.id: s.kind.value for s in knee.sources()}
    assert len(kinds) == 7
    assert sorted(kinds.values()).count("peer_reviewed_study") == 2
    assert kinds["source:hpo-synonyms"] == "database"  # lexicon-hpo.yaml's synonyms
