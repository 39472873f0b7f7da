"""`GET /v1/search?pack=`: a checker serving several packs searches the one in use."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from graph.packs.loader import DEFAULT_PACKS_DIR


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    packs = [DEFAULT_PACKS_DIR / "knee", DEFAULT_PACKS_DIR / "hpo-sample"]
    with TestClient(create_app(Settings(access_log=False, packs=packs))) as test_client:
        yield test_client


def _packs_of(client: TestClient, **params: str) -> set[str]:
    items = client.get("/v1/search", params={"limit": "20", **params}).json()["items"]
    assert items
    pack_of = client.app.state.runtime.graph.pack_of  # type: ignore[attr-defined]
    return {pack_of[i["node"]["id"]] for i in items}


def test_without_a_pack_every_pack_answers(client: TestClient) -> None:
    assert _packs_of(client, q="weakness") == {"knee", "hpo-sample"}


@pytest.mark.parametrize("pack", ["knee", "hpo-sample"])
def test_with_a_pack_only_its_nodes_answer(client: TestClient, pack: str) -> None:
    assert _packs_of(client, q="weakness", pack=pack) == {pack}
    assert _packs_of(client, q="pain", pack=pack, kind="symptom") == {pack}


def test_an_unknown_pack_is_a_problem_naming_the_served_ones(client: TestClient) -> None:
    response = client.get("/v1/search", params={"q": "pain", "pack": "elbow"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert "'elbow'" in problem["detail"]
    assert "hpo-sample, knee" in problem["detail"]
    assert problem["errors"][0]["location"] == "query.pack"
