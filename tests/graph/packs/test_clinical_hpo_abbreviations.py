"""HPO's lone abbreviations are left out of the pack: alone they name different things in
different fields, and a text that uses one defines it first."""

from __future__ import annotations

from pathlib import Path

from graph.packs import hpo

_OBO = """format-version: 1.2
data-version: hp/releases/2025-01-16

[Term]
id: HP:0001631
name: Atrial septal defect
synonym: "ASD" EXACT abbreviation []
synonym: "Hole in the heart wall" EXACT layperson []
synonym: "Atrial septum defect" EXACT []

[Term]
id: HP:0002353
name: EEG abnormality
synonym: "Abnormal EEG" EXACT abbreviation []
synonym: "EEG" RELATED []
"""


def test_lone_abbreviations_are_left_out_and_longer_ones_kept(tmp_path: Path) -> None:
    obo = tmp_path / "hp.obo"
    obo.write_text(_OBO, encoding="utf-8")
    terms = hpo.parse_obo(obo).terms
    assert terms["HP:0001631"].synonyms == ["Hole in the heart wall", "Atrial septum defect"]
    # An abbreviation inside a longer synonym stays; an untyped one-word synonym stays.
    assert terms["HP:0002353"].synonyms == ["Abnormal EEG", "EEG"]
