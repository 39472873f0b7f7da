"""Cross-cutting behaviour: problem+json errors, limits, caching, headers, logs, startup."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from graph.schema.errors import ContentError

PROBLEM = "application/problem+json"


def assert_problem(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status  # type: ignore[attr-defined]
    assert response.headers["content-type"] == PROBLEM  # type: ignore[attr-defined]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert {"type", "title", "status", "detail", "instance"} <= body.keys()
    assert body["status"] == status
    return body


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/nodes", {"limit": 201}),
        ("/v1/nodes", {"limit": 0}),
        ("/v1/nodes", {"offset": -1}),
        ("/v1/nodes", {"kind": "organ"}),
        ("/v1/edges", {"predicate": "cures"}),
        ("/v1/search", {"q": ""}),
        ("/v1/search", {"q": "x" * 201}),
        ("/v1/paths", {"source": "cause:als", "target": "symptom:numbness", "max_hops": 100}),
        ("/v1/paths", {"source": "../etc", "target": "symptom:numbness"}),
    ],
)
def test_bad_queries_are_422_with_field_errors(
    client: TestClient, path: str, params: dict[str, object]
) -> None:
    body = assert_problem(client.get(path, params=params), 422)
    errors = body["errors"]
    assert isinstance(errors, list)
    assert errors
    assert all(e["location"].startswith("query.") for e in errors)


def test_unknown_route_and_method(client: TestClient) -> None:
    assert_problem(client.get("/v2/everything"), 404)
    response = client.put("/v1/nodes")
    assert_problem(response, 405)
    assert response.headers["allow"] == "GET"


def test_body_over_128_kib_is_413_declared_or_streamed(client: TestClient) -> None:
    big = b'{"present": ["' + b"a" * 140_000 + b'"]}'
    assert_problem(client.post("/v1/diagnose", content=big), 413)

    def chunks() -> object:
        for _ in range(140):
            yield b" " * 1024

    assert_problem(client.post("/v1/diagnose", content=chunks()), 413)  # type: ignore[arg-type]
    assert client.get("/healthz").status_code == 200


def test_etag_and_conditional_get(client: TestClient) -> None:
    first = client.get("/v1/nodes/cause:als")
    etag = first.headers["etag"]
    assert etag.startswith('"')
    assert etag.endswith('"')
    assert first.headers["cache-control"] == "public, max-age=300"
    for header in (etag, f"W/{etag}", f'"nope", {etag}', "*"):
        again = client.get("/v1/nodes/cause:als", headers={"If-None-Match": header})
        assert again.status_code == 304
        assert again.headers["etag"] == etag
        assert again.content == b""
        assert again.headers["cache-control"] == "public, max-age=300"
        assert "content-type" not in again.headers
    assert client.get("/v1/nodes/cause:als", headers={"If-None-Match": '"x"'}).status_code == 200
    assert client.get("/v1/nodes/cause:dehydration").headers["etag"] != etag
    # Parameter order does not change the resource.
    a = client.get("/v1/nodes?kind=cause&limit=2").headers["etag"]
    assert client.get("/v1/nodes?limit=2&kind=cause").headers["etag"] == a
    assert "etag" not in client.get("/v1/nodes/cause:nope").headers


@pytest.mark.parametrize(
    ("path", "status"), [("/v1/nodes/cause:nope", 404), ("/v1/nodes?limit=999", 422)]
)
def test_if_none_match_star_needs_a_current_representation(
    client: TestClient, path: str, status: int
) -> None:
    # RFC 9110 13.1.2: `*` matches only when the resource exists, so errors stay errors.
    response = client.get(path, headers={"If-None-Match": "*"})
    assert_problem(response, status)
    assert "etag" not in response.headers


def test_if_none_match_flood_is_harmless(client: TestClient) -> None:
    flood = ", ".join(f'"{i:024x}"' for i in range(2000))
    assert client.get("/v1/meta", headers={"If-None-Match": flood}).status_code == 200


def test_security_headers(client: TestClient) -> None:
    api = client.get("/v1/meta").headers
    assert api["x-content-type-options"] == "nosniff"
    assert api["referrer-policy"] == "no-referrer"
    assert api["content-security-policy"].startswith("default-src 'none'")
    docs = client.get("/docs").headers
    assert docs["content-security-policy"].startswith("default-src 'self'")


def test_cors_allows_any_origin_for_get_without_credentials(client: TestClient) -> None:
    response = client.get("/v1/meta", headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    preflight = {"Origin": "https://example.org", "Access-Control-Request-Method": "GET"}
    allowed = client.options("/v1/meta", headers=preflight)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-methods"] == "GET, POST"


@pytest.mark.parametrize("path", ["/v1/diagnose", "/v1/parse"])
def test_cors_allows_post_from_any_origin_by_default(client: TestClient, path: str) -> None:
    """Issue 23 item 6: a partner's browser front end could not call diagnose or parse."""
    preflight = {
        "Origin": "https://partner.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type",
    }
    allowed = client.options(path, headers=preflight)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "*"
    assert "POST" in allowed.headers["access-control-allow-methods"]
    body = {"present": ["symptom:numbness"]} if path == "/v1/diagnose" else {"text": "numb knee"}
    answer = client.post(path, json=body, headers={"Origin": "https://partner.example"})
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in answer.headers


def test_cors_methods_can_be_narrowed_to_get() -> None:
    with TestClient(create_app(Settings(access_log=False, cors_methods=["GET"]))) as narrow:
        headers = {"Origin": "https://example.org", "Access-Control-Request-Method": "POST"}
        body = assert_problem(narrow.options("/v1/diagnose", headers=headers), 400)
        assert "(refused: method)" in str(body["detail"])
        assert "Allowed methods: GET;" in str(body["detail"])


@pytest.mark.parametrize(
    ("extra", "refused"),
    [
        ({"Access-Control-Request-Method": "PUT"}, "method"),
        ({"Access-Control-Request-Headers": "Authorization"}, "headers"),
    ],
)
def test_refused_cors_preflight_is_a_problem(
    client: TestClient, extra: dict[str, str], refused: str
) -> None:
    headers = {"Origin": "https://example.org", "Access-Control-Request-Method": "GET", **extra}
    body = assert_problem(client.options("/v1/diagnose", headers=headers), 400)
    assert f"(refused: {refused})" in str(body["detail"])
    assert "Allowed methods: GET, POST;" in str(body["detail"])


def test_request_id_is_echoed_or_generated(client: TestClient) -> None:
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"]
        == "abc-123"
    )
    generated = client.get("/healthz", headers={"X-Request-ID": "bad id\t!"}).headers
    assert len(generated["x-request-id"]) == 32


def test_access_log_is_one_json_line_per_request(capsys: pytest.CaptureFixture[str]) -> None:
    with TestClient(create_app(Settings(access_log=True))) as client:
        capsys.readouterr()
        client.get("/v1/nodes/cause:als", headers={"X-Request-ID": "trace-1"})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    (entry,) = [line for line in lines if line.get("request_id") == "trace-1"]
    assert entry["route"] == "/v1/nodes/{node_id}"
    assert entry["status"] == 200
    assert entry["path"] == "/v1/nodes/cause:als"


def test_fastapis_own_telemetry_is_off_unless_asked_for() -> None:
    # FastAPI keeps its OpenTelemetry switches in the app; off, no request looks for providers.
    switches = ("tracing", "metrics", "logs")
    default = create_app(Settings(access_log=False))
    assert not any(default._telemetry[s] for s in switches)  # type: ignore[attr-defined]
    opted_in = create_app(Settings(access_log=False, otel_telemetry=True))
    assert all(opted_in._telemetry[s] for s in switches)  # type: ignore[attr-defined]


def test_trusted_hosts() -> None:
    settings = Settings(access_log=False, trusted_hosts=["api.example.org", "*.internal"])
    with TestClient(create_app(settings)) as client:
        assert_problem(client.get("/healthz"), 400)
        assert client.get("/healthz", headers={"Host": "evil.example.org"}).status_code == 400
        ok = client.get("/healthz", headers={"Host": "api.example.org:8000"})
        assert ok.status_code == 200
        assert client.get("/healthz", headers={"Host": "a.internal"}).status_code == 200


@pytest.mark.parametrize("hosts", [None, []])
def test_without_trusted_hosts_any_host_is_served(hosts: list[str] | None) -> None:
    with TestClient(create_app(Settings(access_log=False, trusted_hosts=hosts))) as client:
        assert client.get("/healthz", headers={"Host": "anything.example"}).status_code == 200


def test_unexpected_errors_are_generic_problems_with_the_usual_headers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = create_app(Settings(access_log=False))

    @app.get("/v1/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app) as client:
        capsys.readouterr()
        response = client.get("/v1/boom", headers={"X-Request-ID": "trace-500"})
        metrics = client.get("/metrics").text
    body = assert_problem(response, 500)
    assert "secret" not in response.text
    assert str(body["detail"]).startswith("The server failed to answer this request.")
    assert response.headers["x-request-id"] == "trace-500"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "etag" not in response.headers
    assert 'http_requests_total{method="GET",route="/v1/boom",status="500"} 1.0' in metrics
    (logged,) = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert logged["level"] == "error"
    assert logged["request_id"] == "trace-500"
    assert "RuntimeError: secret internals" in logged["exception"]


def test_metrics_label_conditional_and_static_requests_by_template(client: TestClient) -> None:
    etag = client.get("/v1/sources").headers["etag"]
    assert client.get("/v1/sources", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/static-offline-docs/swagger-ui.css").status_code == 200
    text = client.get("/metrics").text
    assert 'route="/v1/sources",status="304"' in text
    assert 'route="/static-offline-docs/{path}",status="200"' in text
    assert "swagger-ui.css" not in text


def test_metrics_show_the_lone_process_as_worker_1_from_the_time_it_started() -> None:
    before = time.time()
    with TestClient(create_app(Settings(access_log=False))) as client:
        text = client.get("/metrics").text
    (started,) = re.findall(
        r'^symptom_graph_worker_started_seconds\{worker="1"\} (\S+)$', text, re.M
    )
    assert before <= float(started) <= time.time()
    assert "# TYPE symptom_graph_worker_started_seconds gauge" in text


def test_metrics_label_head_requests_by_the_route_they_are_answered_by(
    client: TestClient,
) -> None:
    assert client.head("/v1/sources").status_code == 200
    assert 'method="HEAD",route="/v1/sources",status="200"' in client.get("/metrics").text


def test_not_ready_before_the_lifespan_runs() -> None:
    client = TestClient(create_app(Settings(access_log=False)))
    assert_problem(client.get("/readyz"), 503)
    assert_problem(client.get("/v1/meta"), 503)
    assert client.get("/healthz").status_code == 200


def test_invalid_content_refuses_to_start_and_logs_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    app = create_app(Settings(access_log=False, packs=[broken]))
    with pytest.raises(ContentError) as info, TestClient(app):
        pass
    assert any(p.file == "broken/pack.yaml" for p in info.value.problems)
    (logged,) = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert logged["message"].startswith("invalid content, refusing to start")
    assert all(str(p) in logged["message"] for p in info.value.problems)
