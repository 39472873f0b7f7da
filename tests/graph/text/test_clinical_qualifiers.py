"""Clinical phrasings of round two: a term's name met without the word that only says how far
the finding is spread, where nothing else owns the rest of the name."""

from __future__ import annotations

from tests.graph.text.test_variants import found, pack


def test_a_name_is_met_without_its_spread_qualifier() -> None:
    parser = pack(
        ("symptom:lesion", "Localized skin lesion", []),
        ("symptom:hypo", "Generalized hypopigmentation", []),
    )
    assert found(parser, "other skin lesions were examined") == [("symptom:lesion", "skin lesions")]
    assert found(parser, "not associated with hypopigmentation.") == [
        ("symptom:hypo", "hypopigmentation")
    ]


def test_the_rest_of_a_qualified_name_never_takes_another_nodes_phrase() -> None:
    parser = pack(
        ("symptom:generalized", "Generalized hypotonia", []),
        ("symptom:hypotonia", "Hypotonia", []),
        ("symptom:a", "Localized alopecia", []),
        ("symptom:b", "Diffuse alopecia", []),
    )
    assert found(parser, "hypotonia") == [("symptom:hypotonia", "hypotonia")]
    # Two qualified names share the rest: it names neither.
    assert found(parser, "alopecia") == []
    assert found(parser, "diffuse alopecia") == [("symptom:b", "diffuse alopecia")]


def test_how_often_and_a_hyphenated_qualifier_are_kept() -> None:
    parser = pack(
        ("symptom:infections", "Recurrent infections", []),
        ("symptom:onset", "Generalized-onset seizure", []),
    )
    assert found(parser, "an infection") == []
    assert found(parser, "the onset seizure") == []


def test_an_inverted_name_meets_its_words_in_the_texts_order() -> None:
    parser = pack(
        ("symptom:severe", "Severe intellectual disability", ["Intellectual disability, severe"]),
        ("symptom:loss", "Progressive hearing impairment", ["Hearing loss, progressive"]),
        ("symptom:id", "Intellectual disability", []),
    )
    assert found(parser, "She has progressive hearing loss.") == [
        ("symptom:loss", "progressive hearing loss")
    ]
    assert found(parser, "severe intellectual disability") == [
        ("symptom:severe", "severe intellectual disability")
    ]
    # As written, comma and all, it is found as before.
    assert found(parser, "intellectual disability, severe") == [
        ("symptom:severe", "intellectual disability, severe")
    ]


def test_an_inverted_name_never_makes_a_plain_ones_words_ambiguous() -> None:
    parser = pack(
        ("symptom:bridged", "Bridged sella turcica", []),
        ("cause:bridged", "Sella turcica, bridged", []),
    )
    assert found(parser, "bridging of sella turcica, biparietal bossing") == [
        ("symptom:bridged", "bridging of sella turcica")
    ]


def test_a_range_of_level_codes_names_no_single_level() -> None:
    parser = pack(
        ("symptom:sbo", "Spina bifida occulta", ["Occult spina bifida"]),
        ("symptom:sbo-l5", "Spina bifida occulta at L5", ["Occult spina bifida at L5"]),
        ("symptom:s4", "Fourth heart sound", ["S4"]),
    )
    assert found(parser, "occult spina bifida at L5-S4, numerous nevi") == [
        ("symptom:sbo", "occult spina bifida")
    ]
    assert found(parser, "the S2\u2013S3 and S4\u2013S5 segments") == []
    assert found(parser, "occult spina bifida at L5 only") == [
        ("symptom:sbo-l5", "occult spina bifida at L5")
    ]


def test_a_name_met_without_its_spread_word_is_not_read_after_another() -> None:
    parser = pack(("symptom:hypo", "Generalized hypopigmentation", []))
    for text in (
        "Localized hypopigmentation on the back.",
        "focal hypopigmentation",
        "patchy hypopigmentation of the trunk",
    ):
        assert found(parser, text) == [], text
    assert found(parser, "generalized hypopigmentation") == [
        ("symptom:hypo", "generalized hypopigmentation")
    ]
    assert found(parser, "mild hypopigmentation") == [("symptom:hypo", "hypopigmentation")]


def test_a_range_is_one_of_levels_only() -> None:
    parser = pack(("symptom:b2", "B2 deficiency", ["B2"]))
    # Not a vertebra's letter: "a1-b2" is no range of levels, and its "b2" is read.
    assert found(parser, "vitamins a1-b2 in the diet; B2 low") == [
        ("symptom:b2", "b2"),
        ("symptom:b2", "B2"),
    ]


def test_letters_that_fold_into_two_keep_the_texts_offsets() -> None:
    """casefold makes "ß" two letters; the reader keeps it one, so a span after it is the
    text's and a look-up at a token's end stays inside the text (this raised IndexError)."""
    parser = pack(
        ("symptom:pain", "Knee pain", []),
        ("symptom:sbo", "Spina bifida occulta", ["Occult spina bifida"]),
    )
    assert found(parser, "Straße knee pain") == [("symptom:pain", "knee pain")]
    assert found(parser, "ßßßßßßßß occult spina bifida at l5-s1") == [
        ("symptom:sbo", "occult spina bifida")
    ]
    assert found(parser, "ßßß a1-b2") == []
