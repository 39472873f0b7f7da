"""A server loaded from a built pack answers exactly as one loaded from the pack folders."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.cli import main
from app.main import create_app
from app.settings import Settings
from graph.knowledge import KnowledgeGraph
from graph.schema.vocabulary import NodeKind, Predicate
from tests.paths import KNEE_PACK

HPO_SAMPLE = KNEE_PACK.parent / "hpo-sample"


@pytest.fixture(scope="module", params=["knee", "hpo-sample"])
def pair(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[KnowledgeGraph, TestClient, TestClient]]:
    """The graph, a client of the server loaded from folders, one loaded from a build."""
    pack = KNEE_PACK.parent / request.param
    built = tmp_path_factory.mktemp("built") / f"{request.param}.sgpack"
    assert main(["build", "--pack", str(pack), "--output", str(built)]) == 0
    from_folders = create_app(Settings(access_log=False, packs=[pack]))
    from_build = create_app(Settings(access_log=False, packs=[], artifact=built))
    with TestClient(from_folders) as folders, TestClient(from_build) as build:
        yield KnowledgeGraph.from_packs([pack]), folders, build


def _same(folders: TestClient, build: TestClient, method: str, url: str, **kw: Any) -> Any:
    ours, theirs = folders.request(method, url, **kw), build.request(method, url, **kw)
    assert ours.status_code == theirs.status_code == 200, (url, kw)
    assert ours.content == theirs.content, (url, kw)
    assert ours.headers.get("etag") == theirs.headers.get("etag")
    return ours.json()


def _symptoms_with_causes(graph: KnowledgeGraph) -> list[str]:
    named = {e.object for e in graph.edges(predicate=Predicate.HAS_SYMPTOM)}
    named |= {e.object for e in graph.edges(predicate=Predicate.CAUSES)}
    return [n.id for n in graph.nodes(NodeKind.SYMPTOM) if n.id in named][:12]


def test_meta_is_the_same_but_for_when_it_was_loaded(
    pair: tuple[KnowledgeGraph, TestClient, TestClient],
) -> None:
    graph, folders, build = pair
    ours, theirs = folders.get("/v1/meta").json(), build.get("/v1/meta").json()
    assert ours.pop("built_at")
    assert theirs.pop("built_at")
    assert ours == theirs
    assert theirs["graph_version"] == graph.version


def test_diagnose_answers_are_the_same(pair: tuple[KnowledgeGraph, TestClient, TestClient]) -> None:
    graph, folders, build = pair
    symptoms = _symptoms_with_causes(graph)
    assert len(symptoms) >= 4
    causes = [n.id for n in graph.nodes(NodeKind.CAUSE)]
    queries: list[dict[str, Any]] = [
        {"present": symptoms[:1]},
        {"present": symptoms[1:4], "absent": symptoms[4:6]},
        {"present": symptoms[::3], "limit": 50},
        {"present": symptoms[2:3], "exposures": causes[:1]},
    ]
    for query in queries:
        answer = _same(folders, build, "POST", "/v1/diagnose", json=query)
        assert answer["candidates"]


def test_parse_and_search_answers_are_the_same(
    pair: tuple[KnowledgeGraph, TestClient, TestClient],
) -> None:
    graph, folders, build = pair
    names = [graph.node(s).name for s in _symptoms_with_causes(graph)]
    text = f"For two weeks I have had {names[0].lower()} and {names[1].lower()}, but no {names[2]}."
    parsed = _same(folders, build, "POST", "/v1/parse", json={"text": text})
    assert parsed["mentions"]
    for query in [names[0], names[3][:5], names[1].split()[0] + "x"]:
        _same(folders, build, "GET", "/v1/search", params={"q": query, "limit": 20})


def test_node_details_are_the_same(pair: tuple[KnowledgeGraph, TestClient, TestClient]) -> None:
    graph, folders, build = pair
    for kind in (NodeKind.CAUSE, NodeKind.SYMPTOM, NodeKind.CONDITION):
        for node in graph.nodes(kind)[:3]:
            detail = _same(folders, build, "GET", f"/v1/nodes/{node.id}")
            assert detail["node"]["id"] == node.id
    edge = graph.edges()[0]
    _same(folders, build, "GET", "/v1/edges", params={"subject": edge.subject})


def test_serve_refuses_a_damaged_build_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("uvicorn.run", lambda *a, **kw: pytest.fail("uvicorn ran"))
    built = tmp_path / "knee.sgpack"
    # serve sets it for its workers: the fixture's undo removes it again.
    monkeypatch.setenv("SYMPTOM_GRAPH_ARTIFACT", str(built))
    assert main(["build", "--pack", str(KNEE_PACK), "--output", str(built)]) == 0
    built.write_bytes(built.read_bytes()[:-100])
    capsys.readouterr()
    previous = signal.getsignal(signal.SIGTERM)
    try:
        for workers in ("1", "2"):
            code = main(["serve", "--artifact", str(built), "--port", "9126", "--workers", workers])
            assert code == 1
            (line,) = capsys.readouterr().err.splitlines()
            assert "truncated, corrupt or altered" in line
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_build_refuses_invalid_packs_and_bad_arguments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "out.sgpack"
    assert main(["build", "--pack", str(tmp_path / "absent"), "--output", str(output)]) == 1
    assert "nothing was built" in capsys.readouterr().err
    assert not output.exists()
    with pytest.raises(SystemExit) as exited:
        main(["build", "--output", str(output)])
    assert exited.value.code == 2
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--pack", "knee", "--artifact", str(KNEE_PACK / "pack.yaml")])
    assert exited.value.code == 2
    assert main(["build", "--pack", "knee", "--output", str(tmp_path / "no" / "x")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3
    assert "not allowed with argument" in err[1]
    assert "does not exist" in err[2]
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--artifact", str(output)])
    assert exited.value.code == 2
    assert "is not a file" in capsys.readouterr().err


def test_a_server_from_a_built_pack_starts_without_the_libraries_it_needs_later(
    tmp_path: Path,
) -> None:
    """networkx waits for what needs it (paths, exports, validation), and the lemmatisers for
    the first words read: importing them cost every start 0.2-0.3 s each."""
    built = tmp_path / "hpo-sample.sgpack"
    assert main(["build", "--pack", str(HPO_SAMPLE), "--output", str(built)]) == 0
    script = (
        "import sys\n"
        "from app.main import create_app\n"
        "from app.runtime import load_runtime\n"
        "from app.settings import Settings\n"
        f"settings = Settings(packs=[], artifact={str(built)!r})\n"
        "create_app(settings, load_runtime(settings))\n"
        "print(sorted({'networkx', 'simplemma', 'lemminflect'} & set(sys.modules)))"
    )
    found = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "[]"
