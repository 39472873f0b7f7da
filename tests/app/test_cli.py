"""The symptom-graph command line."""

from __future__ import annotations

import json
import os
import shutil
import signal
from pathlib import Path

import pytest

from app.cli import main
from tests.paths import KNEE_PACK, SOURCE_TEXTS


def test_validate_accepts_the_knee_pack(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--pack", "knee", "--source-texts", str(SOURCE_TEXTS)]) == 0
    assert capsys.readouterr().out.startswith("ok: 65 nodes, 127 edges, 6 sources, 3 red flags")


def test_validate_lists_every_problem_of_a_broken_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "knee"
    shutil.copytree(KNEE_PACK, broken)
    edges = broken / "edges" / "causes.yaml"
    text = edges.read_text(encoding="utf-8")
    text = text.replace("object: symptom:involuntary-contractions", "object: symptom:nowhere", 1)
    text = text.replace("predicate: contributes_to", "predicate: leads_to", 1)
    edges.write_text(text, encoding="utf-8")
    text = (broken / "nodes" / "causes.yaml").read_text(encoding="utf-8")
    (broken / "nodes" / "causes.yaml").write_text(
        text.replace("id: cause:als", "id: cause:dehydration", 1), encoding="utf-8"
    )
    code = main(["validate", "--pack", str(broken), "--source-texts", str(SOURCE_TEXTS)])
    out = capsys.readouterr()
    assert code == 1
    lines = out.out.splitlines()
    assert any("refers to unknown node 'symptom:nowhere'" in line for line in lines)
    assert any("predicate: Input should be" in line for line in lines)
    assert any(
        line.startswith("knee/nodes/causes.yaml: cause:dehydration: duplicate id") for line in lines
    )
    assert all(line.startswith("knee/") for line in lines)
    assert "nothing would be served" in out.err


def test_validate_catches_an_altered_excerpt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    altered = tmp_path / "knee"
    shutil.copytree(KNEE_PACK, altered)
    path = altered / "red_flags.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("warrant medical attention", "need a doctor"),
        encoding="utf-8",
    )
    assert main(["validate", "--pack", str(altered), "--source-texts", str(SOURCE_TEXTS)]) == 1
    assert "excerpt not found verbatim in source:knee-spasms-2024" in capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["json", "graphml", "jsonld"])
def test_export_writes_each_format(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"graph.{fmt}"
    assert main(["export", "--format", fmt, "--output", str(target)]) == 0
    assert target.stat().st_size > 10_000


def test_export_to_stdout_and_refuses_broken_packs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export"]) == 0
    assert len(json.loads(capsys.readouterr().out)["nodes"]) == 65
    assert main(["export", "--pack", str(tmp_path)]) == 1


def test_openapi_command_matches_the_committed_spec(tmp_path: Path) -> None:
    target = tmp_path / "openapi.json"
    assert main(["openapi", "--output", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == (
        KNEE_PACK.parent.parent / "openapi.json"
    ).read_text(encoding="utf-8")


def test_serve_passes_settings_to_uvicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, object]] = []
    monkeypatch.setattr("uvicorn.run", lambda target, **kw: calls.append({"target": target, **kw}))
    monkeypatch.delenv("SYMPTOM_GRAPH_PACKS", raising=False)
    previous = signal.getsignal(signal.SIGTERM)
    try:
        assert main(["serve", "--port", "9123", "--workers", "2", "--pack", "knee"]) == 0
        assert signal.getsignal(signal.SIGTERM) is not previous
    finally:
        signal.signal(signal.SIGTERM, previous)
    (call,) = calls
    assert call["target"] == "app.main:create_app"
    assert (call["port"], call["workers"], call["factory"]) == (9123, 2, True)
    assert json.loads(os.environ["SYMPTOM_GRAPH_PACKS"]) == [str(KNEE_PACK.resolve())]


def test_packs_configured_in_the_environment_are_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SYMPTOM_GRAPH_PACKS", json.dumps([str(tmp_path)]))
    assert main(["validate"]) == 1
    assert f"{tmp_path.name}/pack.yaml" in capsys.readouterr().out
    calls: list[dict[str, object]] = []
    monkeypatch.setattr("uvicorn.run", lambda target, **kw: calls.append(kw))
    previous = signal.getsignal(signal.SIGTERM)
    try:
        assert main(["serve"]) == 0
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert len(calls) == 1
    assert json.loads(os.environ["SYMPTOM_GRAPH_PACKS"]) == [str(tmp_path)]
