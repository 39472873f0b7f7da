"""The clinical-text harness: reading GSC+ and JAX, cutting long texts, scoring, skipping."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.clinical_text import _prepare_clusters_in_one_pass
from graph.evaluation.clinical_text import (
    Document,
    GoldMention,
    chunks,
    evaluate,
    hpo_codes,
    load_gscplus,
    load_jax,
    main,
    project_recogniser,
    score_documents,
    score_mentions,
)
from graph.knowledge import KnowledgeGraph
from graph.text.parse import MAX_TEXT, Parser, Polarity
from tests.paths import REPO, SHARED

HPO = REPO / "seeds" / "hpo-sample"


@pytest.fixture(scope="module")
def graph() -> KnowledgeGraph:
    return KnowledgeGraph.from_packs([HPO])


def test_gscplus_blocks_keep_spans_and_drop_what_does_not_hold(tmp_path: Path) -> None:
    abstract = "Seizures and cataract were seen."
    lines = [
        "123",
        abstract,
        "0\t8\tSeizures\tHP:0001250",
        "13\t21\tcataract\tHP:0000518",
        "13\t21\tcataract\tHP_0000518",  # malformed id
        "0\t5\tcataract\tHP:0000518",  # the span does not hold the text
        "",
        "456",
        "No findings.",
        "",
    ]
    path = tmp_path / "gsc.tsv"
    path.write_bytes("\r\n".join(lines).encode())
    first, second = load_gscplus(path)
    assert first.id == "123"
    assert first.text == abstract
    assert first.mentions == (
        GoldMention(0, 8, "Seizures", "HP:0001250"),
        GoldMention(13, 21, "cataract", "HP:0000518"),
    )
    assert first.terms == {"HP:0001250", "HP:0000518"}
    assert (second.id, second.terms, second.mentions) == ("456", frozenset(), ())


def test_jax_reads_the_reports_that_have_a_gold_set(tmp_path: Path) -> None:
    (tmp_path / "txt").mkdir()
    (tmp_path / "txt" / "1.txt").write_text("Seizures.", encoding="utf-8")
    (tmp_path / "txt" / "2.txt").write_text("No gold for this one.", encoding="utf-8")
    gold = {"1": {"HP:0001250": "Seizure"}, "3": {"HP:0000518": "Cataract"}}
    (tmp_path / "gold.json").write_text(json.dumps(gold), encoding="utf-8")
    assert load_jax(tmp_path) == [Document("1", "Seizures.", frozenset({"HP:0001250"}))]


def test_long_texts_are_cut_after_sentence_ends_and_stay_whole() -> None:
    sentence = "The boy had seizures since birth. "
    text = sentence * 2000  # 68,000 characters
    pieces = list(chunks(text))
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= MAX_TEXT for _, p in pieces)
    assert all(p.endswith(". ") or o + len(p) == len(text) for o, p in pieces)
    assert [o for o, _ in pieces] == [
        sum(len(p) for _, p in pieces[:i]) for i in range(len(pieces))
    ]
    # Without a sentence end in reach, at white space; without that, hard.
    assert [p for _, p in chunks("aaa bbb ccc", limit=5)] == ["aaa ", "bbb ", "ccc"]
    assert [p for _, p in chunks("abcdefgh", limit=3)] == ["abc", "def", "gh"]


def test_the_parser_reads_past_the_request_cap(graph: KnowledgeGraph) -> None:
    recognise = project_recogniser(graph)
    filler = "Nothing of note was found on examination today. " * (MAX_TEXT // 48 + 1)
    text = filler + "He had cataracts. Seizures were absent."
    assert len(filler) > MAX_TEXT
    found = recognise(text)
    assert {t for _, _, t in found} == {"HP:0000518", "HP:0001250"}  # absent counts too
    assert sorted(text[s:e] for s, e, _ in found) == ["Seizures", "cataracts"]


def test_concepts_in_statements_of_cause_count_though_the_api_leaves_them_out(
    graph: KnowledgeGraph,
) -> None:
    """GSC+ marks every phenotype an abstract names, a background statement's too: the
    recogniser keeps what the parse API reads as no finding of the patient's."""
    text = "Mutations in this gene may cause cataracts. He had seizures."
    parser = next(iter(Parser(graph).packs.values()))
    assert [m.text for m in parser.parse(text)] == ["seizures"]
    kept = parser.parse(text, every_mention=True)
    assert [(m.text, m.polarity) for m in kept] == [
        ("cataracts", Polarity.UNCERTAIN),
        ("seizures", Polarity.PRESENT),
    ]
    assert {t for _, _, t in project_recogniser(graph)(text)} == {"HP:0000518", "HP:0001250"}


def test_codes_map_each_hp_id_to_its_node(graph: KnowledgeGraph) -> None:
    codes = hpo_codes(graph)
    assert codes["HP:0001250"] == "HP:0001250"
    assert len(codes) >= 1000


def test_scores_count_documents_and_mentions() -> None:
    document = Document(
        "1",
        "x" * 40,
        frozenset({"HP:1", "HP:2", "HP:old"}),
        (GoldMention(0, 5, "", "HP:1"), GoldMention(10, 20, "", "HP:2")),
    )
    found = [[(0, 5, "HP:1"), (12, 20, "HP:2"), (30, 35, "HP:9"), (1, 3, "HP:new")]]
    codes = {"HP:old": "HP:new"}  # a merged id counts as the term it was merged into
    docs = score_documents([document], found, codes)
    assert (docs.found, docs.gold, docs.found_correct) == (4, 3, 3)
    assert docs.precision == pytest.approx(0.75)
    assert docs.recall == pytest.approx(1.0)
    assert docs.f1 == pytest.approx(2 * 0.75 / 1.75)
    strict = score_mentions([document], found, codes, strict=True)
    assert (strict.found, strict.gold, strict.found_correct, strict.gold_found) == (4, 2, 1, 1)
    overlap = score_mentions([document], found, codes, strict=False)
    assert (overlap.found_correct, overlap.gold_found) == (2, 2)


def test_evaluate_reports_speed_and_leaves_spans_out_where_there_are_none(
    graph: KnowledgeGraph,
) -> None:
    documents = [Document("1", "Seizures and deafness.", frozenset({"HP:0001250", "HP:0000365"}))]
    report = evaluate(project_recogniser(graph), documents, hpo_codes(graph), "p", 0.01)
    assert report.documents.recall == 1.0
    assert report.documents.precision == 1.0
    assert report.strict is None
    assert report.overlap is None
    assert report.per_second > 0
    assert report.characters == 22


def test_main_skips_without_the_data_or_the_pack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data", str(tmp_path)]) == 0
    assert "skipped" in capsys.readouterr().out
    if not (SHARED / "data" / "hpo-text" / "gscplus-dev.tsv").is_file():
        pytest.skip("no dev data in ../shared")
    assert main(["--pack", str(tmp_path)]) == 0
    assert "no HPO pack" in capsys.readouterr().out


def test_main_prints_the_table_for_a_pack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gsc = tmp_path / "gscplus-dev.tsv"
    gsc.write_text("1\nSeizures and cataract.\n0\t8\tSeizures\tHP:0001250\n", encoding="utf-8")
    (tmp_path / "jax" / "txt").mkdir(parents=True)
    (tmp_path / "jax" / "gold.json").write_text("{}", encoding="utf-8")
    assert main(["--data", str(tmp_path), "--pack", str(HPO)]) == 0
    out = capsys.readouterr().out
    assert "GSC+ dev (1 abstracts)" in out
    assert "symptom-graph parser               1.000 1.000 1.000" not in out  # cataract too
    assert "0.500 1.000 0.667" in out


class _Index:
    """The two fields of FastHPOCR's CRIndexKB that the patched method reads and writes."""

    def __init__(self, inverted: dict[str, str]) -> None:
        self.invertedClusters = inverted
        self.clusters: dict[str, list[str]] = {}


def _quadratic(index: Any, base: dict[str, str]) -> None:
    """FastHPOCR 0.1.4's own prepareClustersToSerialise, as shipped."""
    for el in index.invertedClusters:
        index.clusters[index.invertedClusters[el]] = [el]
    for cluster in index.clusters:
        actual = [t for t in base if base[t] == cluster]
        for el in index.clusters[cluster]:
            if el not in actual:
                actual.append(el)
        index.clusters[cluster] = actual


def test_the_one_pass_cluster_grouping_matches_fasthpocrs() -> None:
    base = {"kidney": "C1", "renal": "C1", "nephric": "C1", "eye": "C2", "ocular": "C2"}
    inverted = {"renal": "C1", "kidney": "C1", "new": "C1000000", "ocular": "C2"}
    slow, fast = _Index(dict(inverted)), _Index(dict(inverted))
    _quadratic(slow, base)
    _prepare_clusters_in_one_pass(fast, base)
    assert fast.clusters == slow.clusters
    assert fast.clusters["C1"] == ["kidney", "renal", "nephric"]
    assert fast.clusters["C1000000"] == ["new"]
