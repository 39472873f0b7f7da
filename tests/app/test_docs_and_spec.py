"""Offline docs, and the committed OpenAPI spec as a product."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from app.main import create_app
from app.openapi import json_request_body
from app.settings import Settings
from tests.paths import REPO

ASSET = re.compile(r"""(?:src|href)=["']([^"']+)["']|url:\s*["']([^"']+)["']""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_work_offline(client: TestClient, page: str) -> None:
    html = client.get(page).text
    assert "http://" not in html
    assert "https://" not in html
    assets = [a or b for a, b in ASSET.findall(html)]
    assert assets
    for asset in assets:
        assert asset.startswith("/"), asset
        response = client.get(asset)
        assert response.status_code == 200, asset
        # The bundles themselves load nothing from a CDN either (ReDoc's logo did).
        assert b"https://cdn." not in response.content, asset


def test_docs_try_it_out_works_on_any_origin(client: TestClient) -> None:
    assert client.get("/openapi.json").json()["servers"] == [
        {"url": "/", "description": "The server that serves this document"}
    ]
    csp = client.get("/docs").headers["content-security-policy"]
    assert "default-src 'self'" in csp  # fetches from the page's own origin, whatever it is
    assert "connect-src" not in csp


def test_committed_spec_matches_the_code(client: TestClient) -> None:
    committed = json.loads((REPO / "openapi.json").read_text(encoding="utf-8"))
    assert client.get("/openapi.json").json() == committed, (
        "openapi.json is out of date: run `make openapi` and commit it"
    )


def test_operations_are_documented(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ids = set()
    for path_item in spec["paths"].values():
        for operation in path_item.values():
            ids.add(operation["operationId"])
            assert operation["summary"]
            assert operation["description"]
            shown = json.dumps(
                [operation.get("parameters"), operation.get("requestBody"), operation["responses"]]
            )
            assert '"example"' in shown or '"examples"' in shown, operation["operationId"]
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"]
    assert {"listNodes", "getNode", "diagnose", "search", "exportGraph", "getMeta"} <= ids
    assert spec["info"]["license"]["name"] == "MIT"


def test_spec_holds_only_the_bodies_of_its_own_routes() -> None:
    """Another app in the same process declaring a body (the tests build many) leaves this
    app's spec alone: it once listed every body model ever declared, so the committed-spec
    test failed when it ran after a test that declared its own."""

    class ForeignBody(BaseModel):
        note: str

    json_request_body(ForeignBody)  # declared for an app that is not this one
    with TestClient(create_app(Settings(access_log=False))) as client:
        schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert "ForeignBody" not in schemas
    assert {"DiagnoseRequest", "ParseRequest"} <= set(schemas)
