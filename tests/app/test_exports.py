"""Issue 24 item 3: each export of a graph version is written once, to a file, and sent from
there with its length and ETag; HEAD and 304 write nothing; builds are bounded."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import graph.formats.export as export_module
from app.exports import STALE_EXPORT_SECONDS, ExportStore
from app.main import create_app
from app.settings import Settings
from graph.formats.export import ExportFormat, export, export_chunks
from graph.knowledge import KnowledgeGraph
from tests.paths import KNEE_PACK


class Counted:
    """Counts the calls of the node-link JSON writer (looked up by `export_chunks` each time)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        writer = export_module._node_link

        def counted(graph: KnowledgeGraph) -> Iterator[str]:
            self.calls += 1
            return writer(graph)

        monkeypatch.setattr(export_module, "_node_link", counted)


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[TestClient]:
    """An app whose export folder is empty."""
    settings = Settings(access_log=False, export_folder=tmp_path / "exports")
    with TestClient(create_app(settings)) as client:
        yield client


def test_an_export_is_written_once_and_sent_with_its_length_and_etag(
    fresh: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = Counted(monkeypatch)
    first = fresh.get("/v1/graph")
    second = fresh.get("/v1/graph?format=json")
    assert writer.calls == 1
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert first.content == export(KnowledgeGraph.from_packs([KNEE_PACK]), ExportFormat.JSON)
    assert first.headers["content-length"] == str(len(first.content))
    assert first.headers["content-type"] == "application/json"
    assert first.headers["etag"].startswith('"')
    assert first.headers["cache-control"].startswith("public")


def test_head_and_a_matching_if_none_match_write_nothing(
    fresh: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A HEAD of the HPO JSON export cost 5.5 s of CPU for no bytes: it wrote the document
    and threw it away. A 304 did the same."""
    writer = Counted(monkeypatch)
    head = fresh.head("/v1/graph")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == "application/json"
    assert "content-length" not in head.headers  # not written yet: its length is unknown
    etag = head.headers["etag"]
    for tag in (etag, f"W/{etag}", "*"):
        not_modified = fresh.get("/v1/graph", headers={"If-None-Match": tag})
        assert not_modified.status_code == 304
        assert not_modified.headers["etag"] == etag
        assert not_modified.content == b""
    assert writer.calls == 0

    got = fresh.get("/v1/graph")
    assert got.headers["etag"] == etag
    assert writer.calls == 1
    # Once written, HEAD states the length from the file.
    head = fresh.head("/v1/graph")
    assert head.headers["content-length"] == str(len(got.content))
    assert fresh.get("/v1/graph", headers={"If-None-Match": etag}).status_code == 304
    assert writer.calls == 1


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_every_format_is_sent_from_its_file(fresh: TestClient, fmt: ExportFormat) -> None:
    response = fresh.get("/v1/graph", params={"format": fmt.value})
    assert response.status_code == 200
    assert response.headers["content-length"] == str(len(response.content))
    store: ExportStore = fresh.app.state.exports  # type: ignore[attr-defined]
    graph = fresh.app.state.runtime.graph  # type: ignore[attr-defined]
    path = store.path(graph, fmt)
    assert path.read_bytes() == response.content
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".partial")] == []


def test_workers_sharing_a_folder_write_each_export_once(tmp_path: Path) -> None:
    graph = KnowledgeGraph.from_packs([KNEE_PACK])
    first, second = ExportStore(tmp_path), ExportStore(tmp_path)

    async def both() -> None:
        (await first.open(graph, ExportFormat.GRAPHML)).file.close()
        (await second.open(graph, ExportFormat.GRAPHML)).file.close()

    asyncio.run(both())
    assert (first.builds, second.builds) == (1, 0)


def test_builds_are_bounded_and_a_second_request_joins_the_first(tmp_path: Path) -> None:
    graph = KnowledgeGraph.from_packs([KNEE_PACK])
    lock = threading.Lock()
    running = peak = 0

    def slow(graph: KnowledgeGraph, fmt: ExportFormat) -> Iterator[bytes]:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.05)
        yield from export_chunks(graph, fmt)
        with lock:
            running -= 1

    store = ExportStore(tmp_path, max_builds=2, writer=slow)

    async def many() -> list[int]:
        requests = [store.open(graph, fmt) for fmt in ExportFormat for _ in range(3)]
        opened = await asyncio.gather(*requests)
        for each in opened:
            each.file.close()
        return [each.size for each in opened]

    sizes = asyncio.run(many())
    assert peak == 2
    assert store.builds == len(ExportFormat)  # 12 requests, each format written once
    assert all(size > 0 for size in sizes)


def test_a_client_that_leaves_does_not_stop_the_build(tmp_path: Path) -> None:
    graph = KnowledgeGraph.from_packs([KNEE_PACK])
    started = threading.Event()

    def slow(graph: KnowledgeGraph, fmt: ExportFormat) -> Iterator[bytes]:
        started.set()
        time.sleep(0.2)
        yield from export_chunks(graph, fmt)

    store = ExportStore(tmp_path, writer=slow)

    async def leave_then_wait() -> None:
        waiting = asyncio.create_task(store.open(graph, ExportFormat.JSON))
        while not started.is_set():
            await asyncio.sleep(0.01)
        waiting.cancel()
        for _ in range(100):
            if store.builds:
                return
            await asyncio.sleep(0.05)

    asyncio.run(leave_then_wait())
    assert store.builds == 1
    assert store.size(graph, ExportFormat.JSON) == len(export(graph, ExportFormat.JSON))


def test_an_export_being_written_holds_no_turn_on_the_cpu(tmp_path: Path) -> None:
    """The build runs in a worker thread; other requests are answered meanwhile (with one
    CPU lane, a build holding the turn would queue every request behind it)."""
    started, release = threading.Event(), threading.Event()
    answered: list[str] = []

    def held(graph: KnowledgeGraph, fmt: ExportFormat) -> Iterator[bytes]:
        started.set()
        release.wait(timeout=10)  # bounded, so a failure cannot hang the suite
        answered.append("export written")
        yield from export_chunks(graph, fmt)

    settings = Settings(access_log=False, export_folder=tmp_path, cpu_lanes=1)
    with TestClient(create_app(settings)) as client:
        client.app.state.exports.writer = held  # type: ignore[attr-defined]
        exporting = threading.Thread(target=client.get, args=("/v1/graph",))
        exporting.start()
        assert started.wait(timeout=10)  # the export is being written
        assert client.get("/v1/meta").status_code == 200
        answered.append("meta")
        release.set()
        exporting.join(timeout=20)
    assert answered == ["meta", "export written"]


def test_other_versions_exports_are_removed_once_stale(tmp_path: Path) -> None:
    graph = KnowledgeGraph.from_packs([KNEE_PACK])
    store = ExportStore(tmp_path)
    tmp_path.mkdir(exist_ok=True)
    stale, recent = tmp_path / "0123456789abcdef-000000.json", tmp_path / "fedcba-000000.json"
    stale.write_bytes(b"{}")
    recent.write_bytes(b"{}")
    old = time.time() - STALE_EXPORT_SECONDS - 60
    os.utime(stale, (old, old))

    async def build() -> None:
        (await store.open(graph, ExportFormat.JSON)).file.close()

    asyncio.run(build())
    assert not stale.exists()
    assert recent.exists()
    assert store.path(graph, ExportFormat.JSON).exists()


def test_a_folder_others_may_write_to_is_refused(tmp_path: Path) -> None:
    """The default folder is under the shared temp folder, where another user could create
    it first and plant a file under an export's name."""
    graph = KnowledgeGraph.from_packs([KNEE_PACK])
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    store = ExportStore(shared)
    with pytest.raises(PermissionError, match="SYMPTOM_GRAPH_EXPORT_FOLDER"):
        store.size(graph, ExportFormat.JSON)
    private = ExportStore(tmp_path / "new")
    assert private.size(graph, ExportFormat.JSON) is None
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o700
