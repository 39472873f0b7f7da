"""POST /v1/diagnose, GET /v1/paths and care pathways over HTTP."""

from __future__ import annotations

import random
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.main import create_app
from app.schemas.reasoning import DiagnoseResponse
from app.settings import Settings
from graph.reasoning import DiagnoseQuery

SYMPTOMS = [
    "symptom:visible-twitching",
    "symptom:numbness",
    "symptom:weakness",
    "symptom:stiffness",
    "symptom:swelling",
    "symptom:involuntary-contractions",
]


def test_numbness_with_twitching(client: TestClient) -> None:
    response = client.post(
        "/v1/diagnose", json={"present": ["symptom:numbness", "symptom:visible-twitching"]}
    )
    body = response.json()
    assert body["pack"] == "knee"
    assert body["triage"]["level"] == "seek_care"
    (flag,) = body["triage"]["red_flags"]
    assert flag["id"] == "red-flag:signs-of-serious-problem"
    assert flag["triggered_by"] == ["symptom:numbness"]
    assert "evidence" not in flag  # excerpts come with `explain`
    top = body["candidates"][0]
    # Empty lists are left out of compact answers (codes, tied_with, ...).
    assert top["cause"] == {
        "id": "cause:nerve-irritation-or-injury",
        "name": "Nerve irritation or injury",
    }
    assert top["rank"] == 1
    assert top["matched"] == ["symptom:visible-twitching", "symptom:numbness"]  # content order
    assert {"id": "diagnostic:electromyography", "name": "Electromyography"} in (
        top["recommended"]["diagnostics"]
    )
    # Compact by default: no evidence chains, no edges behind recommendations.
    assert "explanation" not in top
    assert all("edge" not in item for group in top["recommended"].values() for item in group)
    probabilities = [c["probability"] for c in body["candidates"]]
    total = sum(probabilities) + body["other_probability"] + body["unlisted_probability"]
    assert total == pytest.approx(1.0, abs=1e-5)
    # The condition's own recommendations are the same in every answer: by reference here.
    assert body["general_recommendations"] == [
        {
            "condition": "condition:knee-twitching",
            "care_pathway": "/v1/nodes/condition:knee-twitching/care-pathway",
        }
    ]
    assert flag["sources"] == ["source:fivali-knee-twitching"]
    assert "not a diagnosis" in body["disclaimer"]["notice"]
    assert body["graph_version"] == client.get("/v1/meta").json()["graph_version"]
    assert len(response.content) <= 8 * 1024


def test_explain_adds_the_evidence_behind_every_step(client: TestClient) -> None:
    body = client.post(
        "/v1/diagnose",
        json={"present": ["symptom:numbness", "symptom:visible-twitching"], "explain": True},
    ).json()
    top = body["candidates"][0]
    chains = {c["end"]: c for c in top["explanation"]["findings"]}
    assert chains["symptom:numbness"]["edges"][0]["inferred"] is True
    assert chains["symptom:numbness"]["edges"][0]["reasoning"]
    assert top["explanation"]["prevalence"]["level"] == "uncommon"
    assert top["explanation"]["prevalence"]["evidence"][0]["excerpt"]
    assert 0.0 < top["explanation"]["prior"] < 1.0
    assert all(item["edge"]["evidence"] for group in top["recommended"].values() for item in group)
    (flag,) = body["triage"]["red_flags"]
    assert "more serious underlying problem" in flag["evidence"][0]["excerpt"]
    (general,) = body["general_recommendations"]
    ids = {item["id"] for group in ("diagnostics", "treatments") for item in general[group]}
    assert {"diagnostic:physical-examination", "treatment:physical-therapy"} <= ids
    assert client.get(general["care_pathway"]).status_code == 200


def test_twitching_on_diuretics(client: TestClient) -> None:
    body = client.post(
        "/v1/diagnose",
        json={
            "present": ["symptom:visible-twitching"],
            "exposures": ["cause:diuretics"],
            "explain": True,
        },
    ).json()
    ranked = [c["cause"]["id"] for c in body["candidates"]]
    assert ranked[0] == "cause:electrolyte-imbalance"
    assert "cause:diuretics" in ranked[:4]
    imbalance = body["candidates"][0]
    treatments = {t["id"] for t in imbalance["recommended"]["treatments"]}
    assert "treatment:hydration-and-electrolytes" in treatments
    (exposure,) = imbalance["explanation"]["exposures"]
    assert exposure["end"] == "cause:diuretics"
    assert body["triage"]["level"] == "self_care"


def test_ties_are_shown_and_the_next_question_can_be_an_exposure(client: TestClient) -> None:
    body = client.post("/v1/diagnose", json={"present": ["symptom:visible-twitching"]}).json()
    first, second = body["candidates"][:2]
    # The articles give nothing on symptoms alone that separates fatigue from dehydration.
    assert (first["rank"], second["rank"]) == (1, 1)
    assert first["tied_with"] == [second["cause"]["id"]]
    assert first["cause"]["id"] == "cause:muscle-fatigue"  # the content's own order
    assert body["should_stop"] is False
    assert body["next_question"]["kind"] == "exposure"
    answered = client.post(
        "/v1/diagnose",
        json={
            "present": ["symptom:visible-twitching"],
            "exposures": [body["next_question"]["id"]],
        },
    ).json()
    assert answered["candidates"][0]["rank"] == 1
    assert answered["candidates"][1]["rank"] == 2


@pytest.mark.parametrize(
    ("payload", "location"),
    [
        ({}, "body"),
        ({"present": []}, "body"),
        ({"present": "symptom:numbness"}, "body.present"),
        ({"present": [1]}, "body.present.0"),
        ({"present": ["symptom:numbness"], "limit": 0}, "body.limit"),
        ({"present": ["symptom:numbness"], "limit": 51}, "body.limit"),
        ({"present": ["symptom:numbness"], "extra": 1}, "body.extra"),
        ({"present": [f"symptom:s{i}" for i in range(51)]}, "body.present"),
        ({"present": ["symptom:\u0000"]}, "body.present.0"),
        ({"present": ["../../etc/passwd"]}, "body.present.0"),
    ],
)
def test_malformed_requests(client: TestClient, payload: object, location: str) -> None:
    response = client.post("/v1/diagnose", json=payload)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert location in {e["location"] for e in response.json()["errors"]}


def test_unknown_and_conflicting_ids_are_listed_with_suggestions(client: TestClient) -> None:
    response = client.post(
        "/v1/diagnose",
        json={
            "present": ["symptom:numbnes", "symptom:weakness"],
            "absent": ["symptom:weakness"],
            "exposures": ["cause:diuretic"],
        },
    )
    assert response.status_code == 422
    body = response.json()
    messages = [e["message"] for e in body["errors"]]
    assert messages == [
        "symptom:numbnes: unknown symptom id; did you mean symptom:numbness?",
        "cause:diuretic: unknown cause id; did you mean cause:diuretics?",
        "symptom:weakness: reported both present and absent",
    ]
    assert [s["id"] for s in body["suggestions"]] == ["symptom:numbness", "cause:diuretics"]


def test_malformed_json(client: TestClient) -> None:
    response = client.post(
        "/v1/diagnose", content=b'{"present": [', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    present=st.lists(st.sampled_from(SYMPTOMS), min_size=1, max_size=4),
    seed=st.integers(0, 1000),
)
def test_order_and_duplicates_do_not_change_the_answer(
    client: TestClient, present: list[str], seed: int
) -> None:
    shuffled = present * 2
    random.Random(seed).shuffle(shuffled)
    first = client.post("/v1/diagnose", json={"present": present})
    second = client.post("/v1/diagnose", json={"present": shuffled})
    assert first.json() == second.json()
    assert "disclaimer" in first.json()


def test_paths_between_prevention_and_symptom(client: TestClient) -> None:
    body = client.get(
        "/v1/paths",
        params={"source": "prevention:hydration", "target": "symptom:visible-twitching", "k": 2},
    ).json()
    assert len(body["paths"]) == 2
    first = body["paths"][0]
    assert first["hops"] == 2
    assert first["nodes"][0]["id"] == "prevention:hydration"
    assert first["steps"][0]["edges"][0]["edge"]["predicate"] == "prevents"
    unknown = client.get(
        "/v1/paths", params={"source": "prevention:hydraton", "target": "symptom:numbness"}
    )
    assert unknown.status_code == 404
    assert unknown.json()["suggestions"][0]["id"] == "prevention:hydration"


def test_care_pathway(client: TestClient) -> None:
    body = client.get("/v1/nodes/cause:electrolyte-imbalance/care-pathway").json()
    assert body["node"]["id"] == "cause:electrolyte-imbalance"
    treatments = [t["node"]["id"] for t in body["treatments"]]
    # Its own treatment first, then the condition's general ones.
    assert treatments[0] == "treatment:hydration-and-electrolytes"
    assert {t["via"]["id"] for t in body["treatments"][1:]} == {"condition:knee-twitching"}
    assert {p["node"]["id"] for p in body["prevention"]} >= {"prevention:hydration"}
    assert {e["subject"] for e in body["causes"]} >= {"cause:diuretics", "cause:dehydration"}
    other_kind = client.get("/v1/nodes/symptom:numbness/care-pathway")
    assert other_kind.status_code == 404
    assert "is a symptom" in other_kind.json()["detail"]
    assert client.get("/v1/nodes/cause:nope/care-pathway").status_code == 404


@pytest.mark.parametrize(
    "payload",
    [
        {"present": ["symptom:numbness", "symptom:visible-twitching"]},
        {"present": ["symptom:visible-twitching"], "exposures": ["cause:diuretics"]},
        {"exposures": ["cause:als"], "absent": ["symptom:weakness"], "limit": 50},
        {"present": ["symptom:difficulty-speaking"], "limit": 1},
        {"present": ["symptom:stiffness"], "absent_exposures": ["cause:dehydration"]},
        {"present": ["symptom:weakness"], "explain": True},
    ],
)
def test_rendered_answers_follow_the_schema(client: TestClient, payload: object) -> None:
    response = client.post("/v1/diagnose", json=payload)
    assert response.headers["content-type"] == "application/json"
    parsed = DiagnoseResponse.model_validate_json(response.content)
    assert parsed.model_dump(mode="json", exclude_defaults=True) == response.json()
    again = client.post("/v1/diagnose", json=payload)  # served from the answer cache
    assert again.content == response.content


@pytest.mark.parametrize(
    "present",
    [
        ["symptom:visible-twitching"],
        ["symptom:numbness", "symptom:weakness", "symptom:pain-or-discomfort"],
    ],
)
def test_the_fast_compact_answer_is_the_models_answer(
    client: TestClient, present: list[str]
) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    result = runtime.diagnoser.diagnose(DiagnoseQuery.of(present))
    fast = orjson.loads(orjson.dumps(runtime.diagnoses._compact(result)))
    assert fast == runtime.diagnoses.response(result, explain=False).model_dump(
        mode="json", exclude_defaults=True
    )


def test_explain_climbs_the_symptom_hierarchy(hierarchy_pack: Path) -> None:
    """Issue 21, item 6: on the HPO pack, a disease annotated with bilateral cryptorchidism
    matched a reported cryptorchidism with no chain. Every matched finding has one now: the
    annotation first (`via` names its term), then the ontology's subtype_of steps."""
    settings = Settings(packs=[hierarchy_pack], access_log=False)
    with TestClient(create_app(settings)) as hpo_client:
        payload = {"present": ["HP:0000028"], "explain": True, "limit": 50}
        response = hpo_client.post("/v1/diagnose", json=payload)
        compact = hpo_client.post("/v1/diagnose", json={**payload, "explain": False}).json()
    assert response.status_code == 200, response.text
    body = response.json()
    DiagnoseResponse.model_validate_json(response.content)
    matched = [c for c in body["candidates"] if c.get("matched")]
    assert len(matched) == 4
    for candidate in matched:
        chains = {c["end"]: c for c in candidate["explanation"]["findings"]}
        assert set(chains) == set(candidate["matched"]) == {"symptom:hp-0000028"}
        chain = chains["symptom:hp-0000028"]
        first, *climb = chain["edges"]
        assert first["subject"] == candidate["cause"]["id"]
        assert first["predicate"] == "causes"
        assert chain.get("via") == (first["object"] if climb else None)
        assert [e["predicate"] for e in climb] == ["subtype_of"] * len(climb)
        assert [e["evidence"][0]["source"] for e in climb] == ["source:hpo-ontology"] * len(climb)
        assert (climb[-1] if climb else first)["object"] == "symptom:hp-0000028"
        assert chain["sensitivity"] > 0.0  # never an exclusion, for a finding the cause explains
    top = body["candidates"][0]
    assert top["cause"]["id"] == "cause:omim-261550"
    (chain,) = top["explanation"]["findings"]
    assert chain["via"] == "symptom:hp-0008689"  # Bilateral cryptorchidism
    assert [e["object"] for e in chain["edges"]] == ["symptom:hp-0008689", "symptom:hp-0000028"]
    # The explanation adds evidence; the ranking is the compact answer's.
    assert [(c["cause"]["id"], c["probability"], c["rank"]) for c in body["candidates"]] == [
        (c["cause"]["id"], c["probability"], c["rank"]) for c in compact["candidates"]
    ]
