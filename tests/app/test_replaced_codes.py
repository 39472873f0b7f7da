"""Older ontology codes in a diagnose request: read as the current term, and said so."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from app.cli import main as cli
from app.main import create_app
from app.settings import Settings
from graph.knowledge import KnowledgeGraph
from tests.graph.packs.test_hpo_ids import folder as folder


def test_diagnose_names_the_codes_it_replaced(folder: Path, tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    assert cli(["import", "hpo", "--hpo-dir", str(folder), "--output", str(pack)]) == 0
    with TestClient(create_app(Settings(packs=[pack], access_log=False))) as client:
        old = client.post("/v1/diagnose", json={"present": ["HP:0009901", "HP:0009902"]})
        new = client.post("/v1/diagnose", json={"present": ["HP:0001250", "HP:0001263"]})
        explained = client.post(
            "/v1/diagnose", json={"present": ["HP:0009901"], "explain": True}
        ).json()
    assert old.status_code == new.status_code == 200
    answer = old.json()
    assert answer.pop("replaced_codes") == [
        {"given": "HP:0009901", "id": "symptom:hp-0001250", "current": "HP:0001250"},
        {"given": "HP:0009902", "id": "symptom:hp-0001263", "current": "HP:0001263"},
    ]
    assert answer == new.json()  # otherwise the same answer
    assert "replaced_codes" not in new.json()
    assert explained["replaced_codes"][0]["current"] == "HP:0001250"


def test_replaced_codes_are_looked_up_once_per_known_code(folder: Path, tmp_path: Path) -> None:
    """Diagnose asks for every code of every query (HPO bodies are codes): the answers are
    kept per code the graph knows, and only those (any text can be asked)."""
    pack = tmp_path / "pack"
    assert cli(["import", "hpo", "--hpo-dir", str(folder), "--output", str(pack)]) == 0
    graph = KnowledgeGraph.from_packs([pack])
    asked = ["HP:0009901", "hp:0009901", "HP:0001250", "HP:9999999", "not a code"]
    first = [graph.replaced_code(ref) for ref in asked]
    assert first == ["HP:0001250", "HP:0001250", None, None, None]
    assert [graph.replaced_code(ref) for ref in asked] == first
    assert set(graph._replaced) == {"HP:0009901", "HP:0001250"}
