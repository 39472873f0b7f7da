"""A layperson synonym HPO gives for a knee node's code is read by POST /v1/parse, and the node's
detail says where the matched words came from."""

from __future__ import annotations

from fastapi.testclient import TestClient


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
