"""Clinical phrasings the reader meets beyond lemmas: a word's forms in other parts of speech
(FastHPOCR's token clusters), and which of two overlapping matches of one size wins."""

from __future__ import annotations

from graph.text.parse import Polarity
from graph.text.variants import variant_roots
from tests.graph.text.test_variants import found, pack


def test_clusters_give_a_root_to_each_form_of_a_wanted_word() -> None:
    roots = variant_roots({"dysplastic"})
    assert roots["dysplastic"] == roots["dysplasia"] == roots["dysplasias"]
    assert "patellar" not in roots  # only the clusters of the wanted words are read


def test_an_adjective_meets_its_noun_in_a_phrase() -> None:
    parser = pack(
        ("symptom:patella", "Dysplastic patella", []),
        ("symptom:clavicle", "Abnormal clavicles", []),
    )
    assert found(parser, "bilateral patellar dysplasia") == [
        ("symptom:patella", "patellar dysplasia")
    ]
    assert found(parser, "an abnormal clavicular shape") == [
        ("symptom:clavicle", "abnormal clavicular")
    ]


def test_a_lone_word_is_not_met_by_its_variants() -> None:
    # "nevoid" is a form of "nevus" in the clusters, but alone it describes something else.
    parser = pack(("symptom:nevus", "Nevus", []), ("symptom:bcc", "Basal cell carcinoma", []))
    assert found(parser, "nevoid basal cell carcinoma syndrome") == [
        ("symptom:bcc", "basal cell carcinoma")
    ]
    assert found(parser, "multiple nevi") == [("symptom:nevus", "nevi")]


def test_the_words_as_written_win_over_another_order_of_the_same_size() -> None:
    parser = pack(
        ("symptom:nevus", "Basal cell nevus", []),
        ("symptom:bcc", "Basal cell carcinoma", []),
    )
    # "nevoid basal cell" is "basal cell nevus" in another order, and comes first.
    assert found(parser, "nevoid basal cell carcinoma") == [("symptom:bcc", "basal cell carcinoma")]
    plain = pack(("symptom:cyst", "Bone cyst", []), ("symptom:marrow", "Bone marrow", []))
    assert found(plain, "a cyst bone marrow") == [("symptom:marrow", "bone marrow")]


def test_a_lone_ing_noun_is_not_met_by_the_bare_verb_or_its_past() -> None:
    parser = pack(("symptom:collect", "Collectionism", ["Collecting", "Ordering"]))
    assert found(parser, "Samples were collected in order to test them.") == []
    assert found(parser, "compulsive collecting") == [("symptom:collect", "collecting")]


def test_a_figure_or_table_label_names_no_finding() -> None:
    parser = pack(("symptom:s3", "Third heart sound", ["S3"]))
    text = "See Supplementary Figure S3 and Tables S2, S3 and S4. An S3 was heard."
    assert found(parser, text) == [("symptom:s3", "S3")]
    assert [m.start for m in parser.parse(text)] == [text.rindex("S3")]


def test_coordinated_words_share_the_phrase() -> None:
    parser = pack(
        ("symptom:branchial", "Branchial anomaly", []),
        ("symptom:renal", "Renal anomaly", []),
        ("symptom:psc", "Posterior subcapsular cataract", []),
        ("symptom:capsular", "Capsular cataract", []),
        ("symptom:skin", "Hypopigmentation of the skin", []),
        ("symptom:hair", "Hypopigmentation of hair", []),
    )
    # A list of conjuncts before the phrase, each in place of its first word.
    assert found(parser, "branchial, otic, and renal anomalies") == [
        ("symptom:branchial", "branchial, otic, and renal anomalies"),
        ("symptom:renal", "renal anomalies"),
    ]
    # A conjunct of two words.
    assert found(parser, "posterior subcapsular or capsular cataract") == [
        ("symptom:psc", "posterior subcapsular or capsular cataract"),
        ("symptom:capsular", "capsular cataract"),
    ]
    # A word after the phrase, in place of its last.
    assert found(parser, "no hypopigmentation of skin or hair") == [
        ("symptom:skin", "hypopigmentation of skin"),
        ("symptom:hair", "hypopigmentation of skin or hair"),
    ]
    assert {m.polarity for m in parser.parse("no hypopigmentation of skin or hair")} == {
        Polarity.ABSENT
    }


def test_accented_letters_meet_their_base_letters_with_the_spans_kept() -> None:
    parser = pack(("symptom:cal", "Cafe-au-lait spot", []))
    text = "Six Café-au-lait spots."
    assert found(parser, text) == [("symptom:cal", "Café-au-lait spots")]


def test_of_two_phrases_with_one_key_the_one_spelt_as_the_text_wins() -> None:
    # "short" and "shortened" share a root, so both phrases have one key.
    parser = pack(
        ("symptom:extremities", "Aplasia of the extremities", ["Shortened limbs"]),
        ("symptom:undergrowth", "Limb undergrowth", ["Short limbs"]),
    )
    assert found(parser, "short limbs") == [("symptom:undergrowth", "short limbs")]
    assert found(parser, "shortened limbs") == [("symptom:extremities", "shortened limbs")]


def test_an_abbreviation_the_text_defines_names_the_phrase_later() -> None:
    parser = pack(
        ("symptom:id", "Intellectual disability", []),
        ("symptom:bcc", "Basal cell carcinoma", []),
    )
    text = "Intellectual disability (ID) and basal cell carcinomas (BCCs). ID is mild; no BCCs."
    mentions = parser.parse(text)
    assert [(m.node_id, m.text, m.polarity) for m in mentions] == [
        ("symptom:id", "Intellectual disability", Polarity.PRESENT),
        ("symptom:bcc", "basal cell carcinomas", Polarity.PRESENT),
        ("symptom:id", "ID", Polarity.PRESENT),
        ("symptom:bcc", "BCCs", Polarity.ABSENT),
    ]
    # Letters that are not the phrase's, or not capitals, define nothing.
    assert found(parser, "Intellectual disability (MR). MR. Id est.") == [
        ("symptom:id", "Intellectual disability")
    ]
