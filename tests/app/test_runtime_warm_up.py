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


def _runtime(on_demand: bool, search: threading.Event | None = None) -> Runtime:
    """The knee pack's runtime; a cold worker's (`serve --workers N` before the warm workers
    replace it) when `on_demand`. Its search index, when `search` is given, is built only once
    that event is set."""
    loaded = Runtime.load([KNEE_PACK])

    def slow_search() -> SearchIndex:
        assert search is not None
        search.wait(timeout=5)  # the old code blocks the loop until this times out
        return SearchIndex(loaded.graph)

    runtime = Runtime(
        loaded.graph, loaded.diagnoser, 16, 64, search=None if search is None else slow_search
    )
    runtime.on_demand = on_demand
    return runtime


@pytest.mark.parametrize("on_demand", [False, True])
def test_a_request_waiting_for_the_warm_up_leaves_the_event_loop_free(on_demand: bool) -> None:
    """`serve` answers before its indexes are built. A search that arrives meanwhile waits for
    them in a worker thread (app/warmgate.py): it used to wait on the event loop, which held
    up every other connection, /healthz included, until the build was done. A cold worker
    (`on_demand`) built the search index itself on the loop, with the same effect."""
    release = threading.Event()
    runtime = _runtime(on_demand, release)
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
    # A warming server builds every index; a cold worker only the one read.
    assert runtime._parser.built is not on_demand


@pytest.mark.parametrize(
    ("method", "path", "options", "unknown"),
    [
        ("POST", "/v1/diagnose", {"json": {"present": ["symptom:visible-twitchin"]}}, True),
        ("POST", "/v1/diagnose", {"json": {"present": ["symptom:visible-twitching"]}}, False),
        (
            "GET",
            "/v1/paths",
            {"params": {"source": "symptom:visible-twitchin", "target": "prevention:hydration"}},
            True,
        ),
    ],
)
def test_a_cold_worker_answers_what_may_read_the_search_index_off_the_event_loop(
    method: str, path: str, options: dict[str, object], unknown: bool
) -> None:
    """An id that names no node is answered with suggestions from the search index. In a cold
    worker, a diagnose or paths request carrying one built that index on the event loop
    (0.6 s on the HPO pack), holding /healthz meanwhile. A known id is answered without it."""
    release = threading.Event()
    app = create_app(Settings(access_log=False, packs=[KNEE_PACK]), _runtime(True, release))
    with TestClient(app) as client, ThreadPoolExecutor(1) as pool:
        answer = pool.submit(client.request, method, path, **options)  # type: ignore[arg-type]
        time.sleep(0.2)  # let it reach the wait
        assert client.get("/healthz").status_code == 200
        if unknown:
            assert not answer.done()  # answered while the request still waits
        release.set()
        answered = answer.result(timeout=30)
    if unknown:
        assert answered.status_code in (404, 422)
        assert answered.json()["suggestions"][0]["id"] == "symptom:visible-twitching"
    else:
        assert answered.status_code == 200


def test_a_cold_worker_writes_its_openapi_document_off_the_event_loop() -> None:
    release = threading.Event()
    app = create_app(Settings(access_log=False, packs=[KNEE_PACK]), _runtime(True))
    written = app.openapi

    def slow_openapi() -> dict[str, object]:
        release.wait(timeout=5)
        return written()

    app.openapi = slow_openapi  # type: ignore[method-assign]
    with TestClient(app) as client, ThreadPoolExecutor(1) as pool:
        spec = pool.submit(client.get, "/openapi.json")
        time.sleep(0.2)
        assert client.get("/healthz").status_code == 200
        assert not spec.done()
        release.set()
        assert spec.result(timeout=30).json()["paths"]["/v1/diagnose"]


class _Runtime:
    """Stands for a Runtime: counts how often the gate asks whether it is warm."""

    on_demand = False

    def __init__(self) -> None:
        self.asked = 0
        self.built = 0

    @property
    def warm(self) -> bool:
        self.asked += 1
        return self.built > 0

    def warm_up(self) -> None:
        self.built += 1


def test_the_warm_gate_asks_each_runtime_until_it_is_warm_then_never_again() -> None:
    import anyio
    from starlette.datastructures import State

    from app.warmgate import WarmGate

    served: list[str] = []

    async def inner(scope: dict[str, object], receive: object, send: object) -> None:
        served.append(str(scope["path"]))

    class App:
        state = State()

    gate = WarmGate(inner, exempt=("/healthz",))  # type: ignore[arg-type]
    first, second = _Runtime(), _Runtime()

    async def requests(runtime: _Runtime, count: int) -> None:
        App.state.runtime = runtime
        for _ in range(count):
            scope = {"type": "http", "path": "/v1/search", "app": App}
            await gate(scope, None, None)  # type: ignore[arg-type]

    anyio.run(requests, first, 3)
    assert (first.built, first.asked) == (1, 1)  # built once, and not asked after
    anyio.run(requests, second, 2)  # a new runtime (a restarted lifespan) is asked again
    assert (second.built, second.asked) == (1, 1)
    assert served == ["/v1/search"] * 5


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


def test_build_for_names_what_each_path_reads() -> None:
    runtime = Runtime.load([KNEE_PACK])
    assert runtime.build_for("/v1/diagnose") is None
    assert runtime.build_for("/healthz") is None
    paths = ("/v1/search", "/v1/nodes/symptom:x", "/v1/parse", "/v1/paths", "/v1/sources")
    builds = [runtime.build_for(path) for path in paths]
    assert None not in builds
    runtime.build_for("/v1/parse")()  # type: ignore[misc]
    assert runtime.build_for("/v1/parse") is None
    assert runtime.build_for("/v1/search") is not None  # one index built, not the others
    for build in builds:
        build()  # type: ignore[misc]
    assert [runtime.build_for(path) for path in paths] == [None] * len(paths)
