"""Diagnose and parse answered ahead of FastAPI's routing (app/hotpaths.py): the same answers,
errors, metrics and spec as through their APIRoutes."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi import APIRouter, Request
from fastapi.testclient import TestClient

from app.hotpaths import HotPaths, hot_path
from app.main import create_app
from app.settings import Settings

JSON = "application/json"
# (path, raw body, Content-Type): answers, and every kind of refusal the two endpoints give.
REQUESTS = [
    ("/v1/diagnose", b'{"present": ["symptom:numbness"]}', JSON),
    ("/v1/diagnose", b'{"present": ["symptom:visible-twitching"], "limit": 3}', JSON),
    ("/v1/diagnose", b'{"present": ["symptom:numbness"], "explain": true}', JSON),
    ("/v1/diagnose", b'{"exposures": ["cause:diuretics"], "absent": ["symptom:swelling"]}', JSON),
    ("/v1/diagnose", b'{"present": ["HP:0001250"], "sex": "female", "age": "childhood"}', JSON),
    ("/v1/diagnose", b'{"present": ["symptom:numbness"]}', "application/vnd.x+json; charset=utf-8"),
    ("/v1/diagnose", b'{"present": ["symptom:numbnes", "symptom:weaknes"]}', JSON),
    ("/v1/diagnose", b'{"present": ["symptom:numbness", "HP:0001250"]}', JSON),
    ("/v1/diagnose", b'{"present": []}', JSON),
    ("/v1/diagnose", b'{"present": ["symptom:numbness"], "limit": "5"}', JSON),
    ("/v1/diagnose", b'{"present": ["symptom:numbness"], "colour": "red"}', JSON),
    ("/v1/diagnose", b'{"present": ["symptom:numbness"], "age": "yesterday"}', JSON),
    ("/v1/diagnose", json.dumps({"present": ["symptom:numbness"] * 60}).encode(), JSON),
    ("/v1/diagnose", b'{"present": ["symptom:numbness"', JSON),
    ("/v1/diagnose", b"[1, 2]", JSON),
    ("/v1/diagnose", b"", JSON),
    ("/v1/diagnose", b'{"present": ["symptom:numbness"]}', "text/plain"),
    ("/v1/diagnose", b"[" * 5000 + b"]" * 5000, JSON),
    ("/v1/parse", b'{"text": "My knee twitches, no swelling."}', JSON),
    ("/v1/parse", '{"text": "Knie zuckt \u00fcberall, maybe numb"}'.encode(), JSON),
    ("/v1/parse", b'{"text": "my mother has MS", "pack": "knee"}', JSON),
    ("/v1/parse", b'{"text": "twitching", "pack": "elbow"}', JSON),
    ("/v1/parse", b'{"text": ""}', JSON),
    ("/v1/parse", b'{"words": "twitching"}', JSON),
]


@pytest.fixture(scope="module")
def clients() -> Iterator[tuple[TestClient, TestClient]]:
    """The app as served, and the same app with its hot paths taken out (FastAPI routes it)."""
    hot = create_app(Settings(access_log=False))
    routed = create_app(Settings(access_log=False))
    routed.user_middleware = [m for m in routed.user_middleware if m.cls is not HotPaths]
    with TestClient(hot) as hot_client, TestClient(routed) as routed_client:
        yield hot_client, routed_client


@pytest.mark.parametrize(("path", "body", "content_type"), REQUESTS)
def test_a_hot_path_answers_as_its_api_route_does(
    clients: tuple[TestClient, TestClient], path: str, body: bytes, content_type: str
) -> None:
    hot, routed = clients
    headers = {"Content-Type": content_type, "X-Request-ID": "same-id"}
    answers = [c.post(path, content=body, headers=headers) for c in (hot, routed)]
    assert answers[0].status_code == answers[1].status_code
    assert answers[0].headers == answers[1].headers
    assert answers[0].content == answers[1].content


def test_the_hot_paths_answer_before_routing_and_are_counted_by_their_template() -> None:
    app = create_app(Settings(access_log=False))
    # Without their APIRoutes, routing could not answer them: the hot paths still do.
    app.router.routes[:] = [
        r
        for r in app.router.routes
        if getattr(r, "operation_id", None) not in ("diagnose", "parse")
    ]
    with TestClient(app) as client:
        assert (
            client.post("/v1/diagnose", json={"present": ["symptom:numbness"]}).status_code == 200
        )
        assert client.post("/v1/parse", json={"text": "no swelling"}).status_code == 200
        assert client.post("/v1/diagnose/", json={}).status_code == 404
        metrics = client.get("/metrics").text
    assert 'http_requests_total{method="POST",route="/v1/diagnose",status="200"} 1.0' in metrics
    assert 'http_requests_total{method="POST",route="/v1/parse",status="200"} 1.0' in metrics


def test_the_api_routes_still_document_the_hot_operations(
    clients: tuple[TestClient, TestClient],
) -> None:
    hot, _ = clients
    spec = hot.get("/openapi.json").json()["paths"]
    assert spec["/v1/diagnose"]["post"]["operationId"] == "diagnose"
    assert spec["/v1/parse"]["post"]["operationId"] == "parse"
    for path, model in (("/v1/diagnose", "DiagnoseResponse"), ("/v1/parse", "ParseResponse")):
        answer = spec[path]["post"]["responses"]["200"]["content"][JSON]["schema"]
        assert answer == {"$ref": f"#/components/schemas/{model}"}
    assert hot.get("/v1/diagnose").status_code == 405


def test_a_hot_path_waits_for_the_content_with_a_503() -> None:
    client = TestClient(create_app(Settings(access_log=False)))  # no lifespan: nothing loaded
    answer = client.post("/v1/diagnose", json={"present": ["symptom:numbness"]})
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "1"
    assert answer.headers["content-type"] == "application/problem+json"


def test_only_post_operations_are_hot_paths() -> None:
    router = APIRouter()

    @router.get("/x", operation_id="readX")
    async def read_x(request: Request) -> dict[str, str]:
        return {}

    with pytest.raises(ValueError, match="readX"):
        hot_path(router, "readX", lambda runtime, raw, content_type: b"{}")


def test_a_client_that_leaves_mid_body_is_a_499_of_the_hot_route() -> None:
    """Refused before the hot path saw it, it is still labelled by its route (FastAPI keeps
    included routers whole, so the front door looks inside them)."""
    app = create_app(Settings(access_log=False))
    with TestClient(app) as client:
        messages = iter([{"type": "http.request", "body": b'{"te', "more_body": True}])

        async def receive() -> dict[str, object]:
            return next(messages, {"type": "http.disconnect"})

        async def send(message: dict[str, object]) -> None:
            raise AssertionError("nobody to answer")

        scope = {
            "type": "http",
            "method": "POST",
            "path": "/v1/parse",
            "root_path": "",
            "query_string": b"",
            "headers": [(b"content-type", b"application/json")],
            "http_version": "1.1",
            "scheme": "http",
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
        }
        client.portal.call(app, scope, receive, send)  # type: ignore[union-attr]
        metrics = client.get("/metrics").text
    assert 'http_requests_total{method="POST",route="/v1/parse",status="499"} 1.0' in metrics
