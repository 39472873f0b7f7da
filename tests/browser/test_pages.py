"""The web pages as served (no browser needed): paths, types, the pages' CSP, the API untouched."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(access_log=False))) as test_client:
        yield test_client


@pytest.mark.parametrize(("path", "marker"), [("/", "checker.js"), ("/explorer", "explorer.js")])
def test_pages(client: TestClient, path: str, marker: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert marker in response.text
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "connect-src 'self'" in csp
    assert "unsafe" not in csp
    assert client.head(path).status_code == 200


def test_assets_and_first_page_weight(client: TestClient) -> None:
    total = len(client.get("/").content)
    scripts = ("checker.js", "api.js", "evidence.js", "wording.js", "typeahead.js")
    for asset in ("/web/style.css", *(f"/web/{name}" for name in scripts)):
        response = client.get(asset)
        assert response.status_code == 200
        assert "unsafe" not in response.headers["content-security-policy"]
        total += len(response.content)
    assert total < 200_000
    assert client.get("/web/nope.js").status_code == 404


def test_api_keeps_its_own_policy(client: TestClient) -> None:
    for path in ("/v1/meta", "/healthz"):
        assert client.get(path).headers["content-security-policy"].startswith("default-src 'none'")
    assert client.get("/docs").headers["content-security-policy"].startswith("default-src 'self'")
    missing = client.get("/nope")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
