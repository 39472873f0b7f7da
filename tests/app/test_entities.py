"""Entity, search, source, export and meta endpoints on the knee pack."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from app.schemas.catalog import NodeDetail


def test_list_nodes_by_kind_and_page(client: TestClient) -> None:
    body = client.get("/v1/nodes", params={"kind": "cause", "limit": 2, "offset": 1}).json()
    assert body["total"] == 19
    assert (body["limit"], body["offset"]) == (2, 1)
    assert [n["id"] for n in body["items"]] == ["cause:calcium-deficiency", "cause:corticosteroids"]
    assert client.get("/v1/nodes").json()["limit"] == 50
    assert client.get("/v1/nodes", params={"offset": 1000}).json()["items"] == []


def test_node_detail_groups_neighbours_with_evidence(client: TestClient) -> None:
    body = client.get("/v1/nodes/cause:diuretics").json()
    assert body["node"]["name"] == "Diuretics"
    groups = {(g["predicate"], g["direction"]): g["neighbours"] for g in body["neighbours"]}
    (contributes,) = groups[("contributes_to", "out")]
    assert contributes["node"]["id"] == "cause:electrolyte-imbalance"
    assert contributes["edge"]["evidence"][0]["source"] == "source:fivali-knee-twitching"
    assert [n["node"]["id"] for n in groups[("subtype_of", "out")]] == [
        "cause:medications-and-supplements"
    ]
    assert "not intended to diagnose" in body["disclaimer"]["text"]


def test_node_detail_lists_a_page_of_each_group_and_links_to_the_rest(
    client: TestClient,
) -> None:
    whole = client.get("/v1/nodes/symptom:visible-twitching", params={"limit": 200}).json()
    causes = next(g for g in whole["neighbours"] if g["predicate"] == "causes")
    assert causes["total"] == len(causes["neighbours"]) > 2
    assert causes["next"] is None
    paged = client.get("/v1/nodes/symptom:visible-twitching", params={"limit": 2}).json()
    first = next(g for g in paged["neighbours"] if g["predicate"] == "causes")
    assert first["total"] == causes["total"]
    assert first["neighbours"] == causes["neighbours"][:2]
    # The link pages on through the same edges, in the same order.
    rest = client.get(first["next"]).json()
    assert rest["total"] == causes["total"]
    assert [e["id"] for e in rest["items"]] == [n["edge"]["id"] for n in causes["neighbours"][2:4]]
    assert client.get("/v1/nodes/symptom:numbness", params={"limit": 0}).status_code == 422


def test_every_prerendered_node_detail_follows_its_schema(client: TestClient) -> None:
    ids = [n["id"] for n in client.get("/v1/nodes", params={"limit": 200}).json()["items"]]
    assert len(ids) == 65
    for node_id in ids:
        response = client.get(f"/v1/nodes/{node_id}")
        assert response.headers["content-type"] == "application/json"
        detail = NodeDetail.model_validate_json(response.content)
        assert detail.node.id == node_id
        keys = [(g.predicate, g.direction) for g in detail.neighbours]
        assert keys == sorted(set(keys))
        for group in detail.neighbours:
            for neighbour in group.neighbours:
                ends = (neighbour.edge.subject, neighbour.edge.object)
                mine, other = ends if group.direction == "out" else ends[::-1]
                assert (mine, other) == (node_id, neighbour.node.id)


def test_node_detail_carries_codes(client: TestClient) -> None:
    node = client.get("/v1/nodes/condition:knee-twitching").json()["node"]
    assert {"system": "ICD-10-CM", "code": "R25.3"} in node["codes"]
    assert "knee spasm" in node["synonyms"]


def test_unknown_node_suggests(client: TestClient) -> None:
    response = client.get("/v1/nodes/symptom:numbnes")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["suggestions"][0] == {"id": "symptom:numbness", "name": "Numbness around the knee"}
    assert body["instance"] == "/v1/nodes/symptom:numbnes"


def test_edges_filtered(client: TestClient) -> None:
    body = client.get(
        "/v1/edges", params={"predicate": "contributes_to", "object": "cause:electrolyte-imbalance"}
    ).json()
    assert [e["subject"] for e in body["items"]] == [
        "cause:dehydration",
        "cause:diuretics",
        "cause:medications-and-supplements",
    ]
    assert body["total"] == 3
    assert all(e["evidence"] for e in body["items"])
    assert client.get("/v1/edges", params={"limit": 1}).json()["total"] == 127


@pytest.mark.parametrize(
    ("query", "expected", "matched"),
    [
        ("R25.3", "condition:knee-twitching", "R25.3"),
        ("HP:0002380", "condition:knee-twitching", "HP:0002380"),
        ("twiching", "symptom:visible-twitching", "twitching"),
        ("dehidration", "cause:dehydration", "Dehydration"),
        ("electromiography", "diagnostic:electromyography", "Electromyography"),
        ("numb", "symptom:numbness", "numb"),
        ("knee spasm", "condition:knee-twitching", "knee spasm"),
    ],
)
def test_search_hits(client: TestClient, query: str, expected: str, matched: str) -> None:
    items = client.get("/v1/search", params={"q": query}).json()["items"]
    assert items[0]["node"]["id"] == expected
    assert items[0]["matched"] == matched


def test_search_filters_by_kind_and_finds_nothing_quietly(client: TestClient) -> None:
    items = client.get("/v1/search", params={"q": "hydration", "kind": "prevention"}).json()
    assert {i["node"]["kind"] for i in items["items"]} == {"prevention"}
    assert client.get("/v1/search", params={"q": "xyzzy"}).json()["items"] == []


def test_sources_and_citing_edges(client: TestClient) -> None:
    sources = client.get("/v1/sources").json()
    assert sources["total"] == 7
    assert "text_file" not in sources["items"][0]
    detail = client.get("/v1/sources/source:healthline-knee-twitching").json()
    assert detail["source"]["publisher"] == "Healthline"
    assert detail["citing_edges"]
    assert all(
        any(ev["cites"] == "source:healthline-knee-twitching" for ev in e["evidence"])
        for e in detail["citing_edges"]
    )


def test_unknown_source_suggests_only_close_ids(client: TestClient) -> None:
    close = client.get("/v1/sources/source:knee-spasm").json()
    assert close["status"] == 404
    assert close["suggestions"][0] == {
        "id": "source:knee-spasms-2024",
        "name": "Knee Spasms: Causes, Symptoms, and Effective Treatment Options",
    }
    assert "Did you mean 'source:knee-spasms-2024'" in close["detail"]
    far = client.get("/v1/sources/source:nope").json()
    assert far["suggestions"] == []
    assert far["detail"] == "No source with id 'source:nope'. List them all with /v1/sources."


def test_graph_exports_with_media_types(client: TestClient) -> None:
    as_json = client.get("/v1/graph")
    assert as_json.headers["content-type"] == "application/json"
    assert len(as_json.json()["nodes"]) == 65
    graphml = client.get("/v1/graph", params={"format": "graphml"})
    assert graphml.headers["content-type"] == "application/graphml+xml"
    root = ET.fromstring(graphml.content)
    assert len(root.findall(".//{http://graphml.graphdrawing.org/xmlns}edge")) == 127
    jsonld = client.get("/v1/graph", params={"format": "jsonld"})
    assert jsonld.headers["content-type"] == "application/ld+json"
    doc = json.loads(jsonld.content)
    assert doc["@context"]["@vocab"] == "https://schema.org/"
    condition = next(e for e in doc["@graph"] if e["@id"] == "condition:knee-twitching")
    assert condition["@type"] == "MedicalCondition"
    assert {"@id": "symptom:visible-twitching"} in condition["signOrSymptom"]
    assert {"@type": "MedicalCode", "codeValue": "R25.3", "codingSystem": "ICD-10-CM"} in (
        condition["code"]
    )
    # Tests are stated from both ends, as schema.org allows.
    assert {"@id": "diagnostic:physical-examination"} in condition["typicalTest"]
    exam = next(e for e in doc["@graph"] if e["@id"] == "diagnostic:physical-examination")
    assert {"@id": "condition:knee-twitching"} in exam["usedToDiagnose"]
    emg = next(e for e in doc["@graph"] if e["@id"] == "diagnostic:electromyography")
    assert {"@id": "cause:neurological-condition"} in emg["usedToDiagnose"]
    cause = next(e for e in doc["@graph"] if e["@id"] == "cause:neurological-condition")
    assert "typicalTest" not in cause  # a MedicalCause is outside typicalTest's domain
    assert client.get("/v1/graph", params={"format": "pdf"}).status_code == 422


def test_meta(client: TestClient) -> None:
    meta = client.get("/v1/meta").json()
    assert meta["packs"][0]["id"] == "knee"
    assert meta["counts_by_kind"] == {
        "condition": 1,
        "cause": 19,
        "symptom": 16,
        "diagnostic": 9,
        "treatment": 12,
        "prevention": 8,
    }
    assert sum(meta["counts_by_predicate"].values()) == 127
    assert len(meta["graph_version"]) == 16
    # The web checker's wording, from the pack's manifest.
    checker = meta["packs"][0]["checker"]
    assert checker["title"] == "Knee symptom checker"
    assert checker["start"] == "condition:knee-twitching"
    assert checker["audience"] == "public"
    assert checker["red_flags"] == 3


def test_health_and_metrics_by_template(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}
    client.get("/v1/nodes/cause:als")
    client.get("/v1/nodes/cause:dehydration")
    client.get("/no/such/path")
    text = client.get("/metrics").text
    assert 'route="/v1/nodes/{node_id}"' in text
    assert "cause:als" not in text
    assert 'route="unmatched",status="404"' in text


def _expand(context: dict[str, str], term: str) -> str:
    """A compact IRI or term under an inline context, as JSON-LD expansion reads it."""
    prefix, sep, rest = term.partition(":")
    if sep:
        assert prefix in context, f"undeclared prefix in {term!r}"
        return context[prefix] + rest
    assert term not in context, f"{term!r} is both a term and a prefix"
    return context["@vocab"] + term


def test_json_ld_expands_offline_with_declared_prefixes(client: TestClient) -> None:
    doc = client.get("/v1/graph", params={"format": "jsonld"}).json()
    context = doc["@context"]
    assert isinstance(context, dict)
    assert all(iri.startswith(("https://schema.org/", "urn:")) for iri in context.values())
    ids, properties = set(), set()
    for entity in doc["@graph"]:
        ids.add(_expand(context, entity["@id"]))
        for key, value in entity.items():
            if key.startswith("@"):
                continue
            properties.add(_expand(context, key))
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict) and "@id" in item:
                    assert _expand(context, item["@id"]) in ids or item["@id"].count(":") == 1
    assert "urn:symptom-graph:cause:dehydration" in ids
    assert "https://schema.org/cause" in properties
    assert "https://schema.org/signOrSymptom" in properties


def test_node_link_json_loads_under_either_networkx_default(client: TestClient) -> None:
    data = client.get("/v1/graph").json()
    # networkx 3.6 reads "edges" by default; 3.3 to 3.5 read "links".
    loaded = [nx.node_link_graph(data), nx.node_link_graph(data, edges="links")]
    for graph in loaded:
        assert graph.number_of_nodes() == 65
        assert graph.number_of_edges() == 127
    assert data["links"] == data["edges"]
