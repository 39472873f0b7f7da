"""A layperson synonym HPO gives for a knee node's code is read by POST /v1/parse, and the node's
detail says where the matched words came from; `symptom-graph import hpo-synonyms` writes them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from app.cli import main
from graph.text.medicines import find_atc_table
from tests.paths import KNEE_PACK, skip_unless_ci


def test_a_matched_hpo_synonym_is_traced_to_its_term_and_release(client: TestClient) -> None:
    answer = client.post("/v1/parse", json={"text": "Poor swallowing since Monday."}).json()
    (mention,) = answer["mentions"]
    assert (mention["id"], mention["matched"]) == (
        "symptom:difficulty-swallowing",
        "Poor swallowing",
    )
    detail = client.get(f"/v1/nodes/{mention['id']}").json()
    (record,) = [r for r in detail["everyday_terms"] if mention["matched"] in r["terms"]]
    assert record["evidence"] == []
    assert record["ontology"] == {
        "source": "source:hpo-synonyms",
        "system": "HPO",
        "code": "HP:0002015",
        "scope": "EXACT",
        "synonym_type": "layperson",
        "release": "hp/releases/2025-01-16",
    }


def test_a_hand_written_lexicon_record_shows_its_excerpt(client: TestClient) -> None:
    detail = client.get("/v1/nodes/cause:overuse").json()
    assert detail["everyday_terms"]
    assert all(r["evidence"] and r["ontology"] is None for r in detail["everyday_terms"])


def test_a_named_medicine_is_traced_to_the_drug_classes_its_node_names(
    client: TestClient,
) -> None:
    """A medicine read for a class names no term of the lexicon: the node's detail says which
    vocabulary's groups its medicines come from, beside the excerpt naming the class."""
    if find_atc_table() is None:
        skip_unless_ci("no ATC table: run scripts/medicine-vocabulary (make does)")
    answer = client.post("/v1/parse", json={"text": "I take furosemide."}).json()
    (mention,) = answer["mentions"]
    assert (mention["id"], mention["matched"]) == ("cause:diuretics", "furosemide")
    detail = client.get("/v1/nodes/cause:diuretics").json()
    (record,) = [r for r in detail["everyday_terms"] if r["medicine_classes"]]
    assert record["medicine_classes"] == {
        "vocabulary": "WHO ATC",
        "release": "2009-01",
        "groups": ["C03"],
    }
    assert "diuretics" in record["evidence"][0]["excerpt"]


def test_the_import_command_writes_the_synonyms_into_the_pack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "hpo-synonyms"]) == 2  # which pack?
    assert "needs --pack" in capsys.readouterr().err
    pack = shutil.copytree(KNEE_PACK, tmp_path / "knee")
    (pack / "lexicon-hpo.yaml").unlink()
    (tmp_path / "hp.obo").write_text(
        "data-version: hp/releases/2099-01-01\n\n[Term]\nid: HP:0001260\nname: Dysarthria\n"
        'synonym: "Garbled articulation" EXACT layperson []\n'
        'synonym: "Speech trouble" BROAD layperson []\n',
        encoding="utf-8",
    )
    args = ["import", "hpo-synonyms", "--pack", str(pack), "--hpo-dir", str(tmp_path)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "1 synonyms" in out
    assert "'Speech trouble': scope BROAD is not taken" in out
    (record,) = yaml.safe_load((pack / "lexicon-hpo.yaml").read_text(encoding="utf-8"))["lexicon"]
    assert record["terms"] == ["Garbled articulation"]
    assert record["ontology"]["release"] == "hp/releases/2099-01-01"
    assert main([*args, "--scopes", "exact,broad"]) == 0
    assert "2 synonyms" in capsys.readouterr().out
    assert main([*args, "--scopes", "close"]) == 2
