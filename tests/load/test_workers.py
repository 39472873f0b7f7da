"""`serve --workers 2`: forked workers sharing one loaded pack (app/supervisor.py).

Each test runs the real command as a subprocess. Waits are bounded only so that a broken
server fails the test instead of hanging it; no duration is asserted.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from bench.servers import REPO, Server, free_port, project_command, running
from tests.load import rawhttp

pytestmark = pytest.mark.slow
WORKERS = 2


@contextmanager
def _serve(port: int, log: Path, swapped: bool = True) -> Iterator[Server]:
    """The server with two workers; once `swapped`, the warm workers only (the cold ones
    forked first have exited)."""
    env = {"SYMPTOM_GRAPH_LOG_LEVEL": "info", "SYMPTOM_GRAPH_ACCESS_LOG": "true"}
    with (
        log.open("wb") as out,
        running(project_command(port, WORKERS), port, env=env, log=out) as live,
    ):
        if swapped:
            rawhttp.wait_for(lambda: len(_retired(log)) == WORKERS, "the cold workers retired")
        yield live


def _log_lines(log: Path) -> list[dict[str, object]]:
    """The lines written whole so far (a worker may be writing the last one)."""
    return [json.loads(line) for line in log.read_bytes().split(b"\n")[:-1]]


def _retired(log: Path) -> list[str]:
    """The supervisor's lines about cold workers that have exited."""
    return [
        str(line["message"])
        for line in _log_lines(log)
        if str(line["message"]).startswith("cold worker ")
    ]


def _workers(pid: int) -> list[int]:
    return rawhttp.descendants(pid)


def _gone(pid: int) -> bool:
    """Exited: no process, or a zombie left for whoever adopted it to reap."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def _answered_by(log: Path, path: str) -> set[int]:
    lines = [json.loads(line) for line in log.read_bytes().splitlines()]
    return {line["worker"] for line in lines if line.get("path") == path}


def _held_by_each_worker(port: int, workers: list[int], each: int) -> list[socket.socket]:
    """Connections until every worker holds `each` of them (the kernel hands each accepted
    connection to whichever worker is waiting), with the others closed."""
    held: dict[int, list[socket.socket]] = {pid: [] for pid in workers}
    for _ in range(400):
        if all(len(socks) >= each for socks in held.values()):
            break
        sock = rawhttp.connect(port)
        sock.sendall(rawhttp.request_head("POST", "/v1/diagnose", 200) + b'{"pres')
        rawhttp.wait_until_read(port, [sock])
        side = rawhttp.server_side(port, sock.getsockname()[1])
        owner = None if side is None else rawhttp.owner_pid(side.inode, workers)
        if owner is None or len(held[owner]) >= each:
            sock.close()
        else:
            held[owner].append(sock)
    assert all(len(socks) >= each for socks in held.values()), held
    return [sock for socks in held.values() for sock in socks]


def _counted(text: str, route: str) -> float:
    pattern = rf'http_requests_total{{method="GET",route="{re.escape(route)}",status="200"}} (\S+)'
    match = re.search(pattern, text)
    return 0.0 if match is None else float(match.group(1))


def _started(text: str) -> dict[str, float]:
    """Each live worker's start time, by worker number, as /metrics gives it."""
    pattern = r'^symptom_graph_worker_started_seconds\{worker="(\d+)"\} (\S+)$'
    return {worker: float(value) for worker, value in re.findall(pattern, text, re.M)}


def test_metrics_and_logs_cover_every_worker(tmp_path: Path) -> None:
    """Issue 23: the same counter read 23, 17, 23 on three scrapes, as each worker counted
    only its own requests."""
    log = tmp_path / "server.log"
    requests = 0
    with _serve(free_port(), log) as live:
        # A fresh connection each, until both workers have answered some (the kernel picks).
        while requests < 400 and _answered_by(log, "/v1/meta") != {1, 2}:
            for _ in range(10):
                assert httpx.get(live.url + "/v1/meta").status_code == 200
            requests += 10
        scrapes = [httpx.get(live.url + "/metrics").text for _ in range(8)]
    assert _answered_by(log, "/v1/meta") == {1, 2}
    assert [_counted(text, "/v1/meta") for text in scrapes] == [requests] * len(scrapes)
    assert all(_started(text).keys() == {"1", "2"} for text in scrapes)
    lines = [json.loads(line) for line in log.read_bytes().splitlines()]  # every line is JSON
    uvicorn_lines = [line for line in lines if line["logger"].startswith("uvicorn")]
    assert {line.get("worker") for line in uvicorn_lines} >= {1, 2}
    assert any(line["message"].startswith("Application startup complete") for line in uvicorn_lines)
    assert all(isinstance(line["pid"], int) for line in lines)


def test_the_cold_workers_counts_stay_after_the_swap(tmp_path: Path) -> None:
    """The workers that answer at ready are cold ones, replaced by warm forks once the
    supervisor has warmed up: what they counted stays in the server's counts, the swap is
    logged once, in JSON, and the warm workers take the cold ones' numbers."""
    log = tmp_path / "server.log"
    with _serve(free_port(), log, swapped=False) as live:
        cold = _workers(live.process.pid)
        for _ in range(20):
            assert httpx.get(live.url + "/v1/meta").status_code == 200
        rawhttp.wait_for(lambda: len(_retired(log)) == WORKERS, "the cold workers retired")
        warm = _workers(live.process.pid)
        for _ in range(20):
            assert httpx.get(live.url + "/v1/meta").status_code == 200
        metrics = httpx.get(live.url + "/metrics").text
    assert len(warm) == WORKERS
    assert set(warm).isdisjoint(cold)
    assert _counted(metrics, "/v1/meta") == 40
    assert _started(metrics).keys() == {"1", "2"}
    swaps = [line for line in _log_lines(log) if "retiring" in str(line["message"])]
    assert [line["message"] for line in swaps] == ["warm workers forked: retiring 2 cold workers"]
    assert swaps[0]["logger"] == "symptom_graph.supervisor"


def test_a_killed_worker_is_replaced_and_its_counts_kept(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with _serve(free_port(), log) as live:
        first = _workers(live.process.pid)
        assert len(first) == WORKERS
        for _ in range(20):
            assert httpx.get(live.url + "/v1/meta").status_code == 200
        started = _started(httpx.get(live.url + "/metrics").text)
        os.kill(first[0], signal.SIGKILL)
        rawhttp.wait_for(
            lambda: len(set(_workers(live.process.pid)) - set(first)) == 1,
            "a new worker in place of the killed one",
        )
        assert first[1] in _workers(live.process.pid)
        statuses = {httpx.get(live.url + "/v1/meta").status_code for _ in range(20)}
        metrics = httpx.get(live.url + "/metrics").text
    assert statuses == {200}
    # The dead worker's requests still count: the total is the server's, not the workers'.
    assert _counted(metrics, "/v1/meta") == 40
    # The killed worker's number serves again, started anew; the other is as it was.
    restarted = _started(metrics)
    assert restarted.keys() == started.keys() == {"1", "2"}
    assert sorted(restarted[w] > started[w] for w in started) == [False, True]
    assert f"(pid {first[0]}) exited (SIGKILL): replacing it" in log.read_text()


def _metrics_folders() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("symptom-graph-metrics-*"))


def test_sigterm_drains_every_worker_and_exits_0(tmp_path: Path) -> None:
    """Requests held mid-body in each worker when the supervisor gets SIGTERM: each gets its
    whole answer, every worker exits, and so does the supervisor, with 0."""
    port = free_port()
    body = json.dumps({"present": ["symptom:visible-twitching"]}).encode().ljust(200)
    before = _metrics_folders()
    with _serve(port, tmp_path / "server.log") as live:
        assert len(_metrics_folders() - before) == 1
        workers = _workers(live.process.pid)
        held = _held_by_each_worker(port, workers, each=2)
        try:
            live.process.send_signal(signal.SIGTERM)
            time.sleep(0.3)  # let the workers begin their shutdown before the bodies complete
            for sock in held:
                sock.sendall(body[len(b'{"pres') :])
            replies = [rawhttp.read_reply(sock) for sock in held]
        finally:
            for sock in held:
                sock.close()
        exit_code = live.process.wait(timeout=30)
    assert [reply.status for reply in replies] == [200] * len(held)
    assert all(reply.json()["candidates"] for reply in replies)
    assert exit_code == 0
    assert all(_gone(pid) for pid in workers)
    assert _metrics_folders() - before == set()  # the workers' metrics folder is removed


def _bindable(port: int) -> bool:
    with socket.socket() as again:
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            again.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def test_workers_exit_when_the_supervisor_is_killed(tmp_path: Path) -> None:
    """Issue 23: a SIGKILLed supervisor left its workers serving the port, so a restart
    failed with "address already in use"."""
    port = free_port()
    with _serve(port, tmp_path / "server.log") as live:
        workers = _workers(live.process.pid)
        assert len(workers) == WORKERS
        assert not _bindable(port)
        live.process.kill()
        live.process.wait(timeout=10)
        rawhttp.wait_for(lambda: all(_gone(pid) for pid in workers), "the workers exit", 5.0)
        assert _bindable(port)  # a restart can listen again


FAILING_APP = """
import sys
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI

from app.supervisor import Supervisor

@asynccontextmanager
async def lifespan(app):
    raise RuntimeError("cannot start")
    yield

config = uvicorn.Config(FastAPI(lifespan=lifespan), port=int(sys.argv[1]), lifespan="on")
raise SystemExit(Supervisor(config, 2).run())
"""


def test_a_worker_that_cannot_start_stops_the_server_with_exit_1() -> None:
    """Not forked again and again: the supervisor stops, as when the pack fails to load."""
    result = subprocess.run(
        [sys.executable, "-c", FAILING_APP, str(free_port())],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "failed to start: stopping" in result.stderr
    assert result.stderr.count("started (pid") <= 2
