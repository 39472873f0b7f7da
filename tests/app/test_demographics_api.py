"""`sex` and `age` in POST /v1/diagnose: validated, read on the HPO pack, reported."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.schemas.reasoning import DiagnoseResponse
from app.settings import Settings

BOTH = ["HP:0001250", "HP:0001263"]


@pytest.fixture(scope="module")
def hpo_client(demographics_pack: Path) -> Iterator[TestClient]:
    settings = Settings(packs=[demographics_pack], access_log=False)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.mark.parametrize(
    "extra",
    [
        {"sex": "other"},
        {"sex": 1},
        {"age": -1},
        {"age": 151},
        {"age": "teenage"},
        {"age": "HP:0001250"},  # a term, but not an onset class
        {"age": True},
    ],
)
def test_bad_sex_or_age_is_a_problem_not_a_500(
    hpo_client: TestClient, extra: dict[str, object]
) -> None:
    response = hpo_client.post("/v1/diagnose", json={"present": BOTH, **extra})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("age", "read_as"),
    [(70, "late"), ("late", "late"), ("HP:0003584", "late"), (0, "congenital"), (0.5, "infantile")],
)
def test_age_in_years_or_as_a_class_is_read_as_an_onset_class(
    hpo_client: TestClient, age: object, read_as: str
) -> None:
    response = hpo_client.post("/v1/diagnose", json={"present": BOTH, "age": age})
    assert response.status_code == 200, response.text
    (use,) = response.json()["demographics"]
    assert (use["field"], use["value"], use["used"]) == ("age", read_as, True)


@pytest.mark.parametrize("explain", [False, True])
def test_sex_moves_the_ranking_and_the_answer_says_so(
    hpo_client: TestClient, explain: bool
) -> None:
    plain = hpo_client.post("/v1/diagnose", json={"present": BOTH, "explain": explain}).json()
    assert "demographics" not in plain
    assert plain["candidates"][0]["rank"] == plain["candidates"][1]["rank"]  # all tied
    response = hpo_client.post(
        "/v1/diagnose", json={"present": BOTH, "sex": "male", "explain": explain}
    )
    DiagnoseResponse.model_validate_json(response.content)
    body = response.json()
    assert body["candidates"][0]["cause"]["id"] == "cause:omim-300001"
    assert body["candidates"][1]["rank"] == 2
    (use,) = body["demographics"]
    assert use["used"]
    assert use["field"] == "sex"
    assert "2 causes" in use["reason"]


def test_the_knee_pack_reports_sex_as_ignored(client: TestClient) -> None:
    body = client.post(
        "/v1/diagnose", json={"present": ["symptom:numbness"], "sex": "female", "age": 40}
    ).json()
    assert [(u["field"], u["value"], u["used"]) for u in body["demographics"]] == [
        ("sex", "female", False),
        ("age", "middle_age", False),
    ]
