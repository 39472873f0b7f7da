"""The indexes only some routes read are built after the start, once, whoever asks first."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.runtime import Runtime, warm_in_background
from app.settings import Settings
from graph.knowledge.once import Once
from graph.text.search import SearchIndex
from tests.paths import KNEE_PACK


def test_once_builds_one_value_for_every_thread() -> None:
    calls: list[int] = []

    def build() -> list[int]:
        calls.append(1)
        time.sleep(0.05)  # long enough for every thread to arrive while it builds
        return [len(calls)]

    once = Once(build)
    assert not once.built
    with ThreadPoolExecutor(8) as pool:
        values = list(pool.map(lambda _: once.get(), range(8)))
    assert calls == [1]
    assert all(value is values[0] for value in values)
    assert once.built


def test_once_tries_again_after_a_failed_build() -> None:
    attempts: list[int] = []

    def build() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("first try")
        return "built"

    once = Once(build)
    with pytest.raises(RuntimeError, match="first try"):
        once.get()
    assert not once.built
    assert once.get() == "built"


def test_the_search_and_parse_indexes_wait_for_the_warm_up() -> None:
    runtime = Runtime.load([KNEE_PACK])
    assert not runtime.warm
    opened: list[str] = []
    warm_in_background(runtime, lambda: opened.append("spec")).join(timeout=60)
    assert runtime.warm
    assert opened == ["spec"]


def test_a_server_loaded_by_its_lifespan_builds_every_index_before_it_answers() -> None:
    """`uvicorn app.main:app` (and the tests): nothing is left to a thread of its own."""
    with TestClient(create_app(Settings(access_log=False, packs=[KNEE_PACK]))) as client:
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        assert runtime.warm
        found = client.get("/v1/search", params={"q": "swelling"})
        assert found.status_code == 200
        assert found.json()["items"]
        read = client.post("/v1/parse", json={"text": "My knee is swollen."})
        assert read.status_code == 200


def test_a_request_waiting_for_the_warm_up_leaves_the_event_loop_free() -> None:
    """`serve` answers before its indexes are built. A search that arrives meanwhile waits for
    them in a worker thread (app/warmgate.py): it used to wait on the event loop, which held
    up every other connection, /healthz included, until the build was done."""
    release = threading.Event()
    loaded = Runtime.load([KNEE_PACK])

    def slow_search() -> SearchIndex:
        release.wait(timeout=5)  # the old code blocks the loop until this times out
        return SearchIndex(loaded.graph)

    runtime = Runtime(loaded.graph, loaded.diagnoser, 16, 64, search=slow_search)
    app = create_app(Settings(access_log=False, packs=[KNEE_PACK]), runtime)
    with TestClient(app) as client, ThreadPoolExecutor(1) as pool:
        search = pool.submit(client.get, "/v1/search", params={"q": "swelling"})
        time.sleep(0.2)  # let the search reach the wait
        assert client.get("/healthz").status_code == 200
        assert not search.done()  # answered while the search still waits
        release.set()
        found = search.result(timeout=30)
    assert found.status_code == 200
    assert found.json()["items"]
    assert runtime.warm


def test_a_cold_worker_builds_only_what_a_request_reads() -> None:
    """`serve --workers N` forks its first workers before the indexes are built: a diagnose
    there builds none of them, a search builds the search index only (each worker warming
    itself whole instead cost 1.34x the memory of one worker)."""
    runtime = Runtime.load([KNEE_PACK])
    runtime.on_demand = True
    app = create_app(Settings(access_log=False, packs=[KNEE_PACK]), runtime)
    with TestClient(app) as client:
        diagnosed = client.post("/v1/diagnose", json={"present": ["symptom:visible-twitching"]})
        assert diagnosed.status_code == 200
        assert not runtime._search.built
        assert not runtime.paths.built
        found = client.get("/v1/search", params={"q": "swelling"})
        assert found.status_code == 200
        assert found.json()["items"]
        assert runtime._search.built
        assert not runtime._parser.built
        assert not runtime.paths.built
