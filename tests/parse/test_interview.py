"""The README's interview script, run against the app in process: it ends, and never re-asks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from examples.interview import interview


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(access_log=False))) as test_client:
        yield test_client


def post_with(client: TestClient) -> Any:
    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = client.post(path, json=body)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    return post


@pytest.mark.parametrize("reply", ["yes", "no", "don't know"])
def test_interview_runs_to_the_end(client: TestClient, reply: str) -> None:
    asked: list[str] = []
    lines: list[str] = []

    def answer(question: dict[str, Any]) -> str:
        asked.append(question["id"])
        return reply

    result = interview(
        post_with(client),
        "my knee keeps twitching after running, no swelling",
        answer,
        lines.append,
    )
    assert len(asked) == len(set(asked))
    assert lines[0].startswith("understood: Visible twitching")
    assert result["should_stop"] or "stopping" in lines[-1]


def test_interview_sends_only_the_patients_firm_mentions(client: TestClient) -> None:
    queries: list[dict[str, Any]] = []
    post = post_with(client)

    def recording(path: str, body: dict[str, Any]) -> dict[str, Any]:
        if path == "/v1/diagnose":
            queries.append(body)
        return post(path, body)

    lines: list[str] = []
    interview(
        recording,
        "My knee twitches. Maybe some swelling. My mother has MS.",
        lambda question: "don't know",
        lines.append,
    )
    assert lines[0] == (
        "understood: Visible twitching around the knee (present), Knee swelling (uncertain), "
        "Multiple sclerosis (present, family)"
    )
    first = queries[0]
    assert first["present"] == ["symptom:visible-twitching"]
    assert first["absent"] == first["exposures"] == first["absent_exposures"] == []
