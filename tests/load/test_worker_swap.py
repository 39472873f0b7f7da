"""The supervisor's swap: cold workers serve at once, warm ones replace them once its warm-up
has run (app/supervisor.py).

Each test runs a small app under the real Supervisor in a subprocess. Its warm-up and its
warm workers' start wait for files the test creates, so each moment (during the warm-up,
during the swap, after it) is reached by the test's own steps, not by timing. Waits are
bounded only so that a broken server fails the test instead of hanging it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bench.servers import REPO, free_port
from tests.load import rawhttp

pytestmark = pytest.mark.slow
WORKERS = 2

# The warm-up waits for the file `warm` (and raises if `raise` exists); a warm worker's start
# waits for `start`. GET / names the worker that answered and its generation.
SWAPPING_APP = """
import asyncio
import logging
import sys
import time
from contextlib import asynccontextmanager
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from app import observability
from app.supervisor import Supervisor

logging.basicConfig(level=logging.INFO, format="%(message)s")
port, gates = int(sys.argv[1]), Path(sys.argv[2])
generation = "cold"

@asynccontextmanager
async def lifespan(app):
    while generation == "warm" and not (gates / "start").exists():
        await asyncio.sleep(0.02)
    yield

app = FastAPI(lifespan=lifespan)

@app.get("/")
def which() -> dict[str, object]:
    return {"worker": observability._worker, "generation": generation}

def warm_up() -> None:
    global generation
    while not (gates / "warm").exists():
        time.sleep(0.02)
    if (gates / "raise").exists():
        raise RuntimeError("the warm-up broke")
    generation = "warm"

config = uvicorn.Config(app, port=port, lifespan="on", log_level="warning")
raise SystemExit(Supervisor(config, 2, warm_up=warm_up).run())
"""


@dataclass
class Swapping:
    process: subprocess.Popen[bytes]
    url: str
    gates: Path
    log: Path

    def open(self, *gates: str) -> None:
        for gate in gates:
            (self.gates / gate).touch()

    def workers(self) -> list[int]:
        return rawhttp.descendants(self.process.pid)

    def answer(self) -> dict[str, object]:
        """GET / on a fresh connection (the kernel picks the worker)."""
        reply = httpx.get(self.url, headers={"Connection": "close"}, timeout=10)
        assert reply.status_code == 200
        answer: dict[str, object] = reply.json()
        return answer

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)

    def text(self) -> str:
        return self.log.read_text()

    def retired(self) -> int:
        """How many cold workers have exited, as the supervisor logs it."""
        return sum(line.startswith("cold worker ") for line in self.text().splitlines())


@contextmanager
def _swapping(tmp_path: Path) -> Iterator[Swapping]:
    port = free_port()
    gates = tmp_path / "gates"
    gates.mkdir()
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", SWAPPING_APP, str(port), str(gates)],
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        server = Swapping(process, f"http://127.0.0.1:{port}/", gates, log)
        try:
            rawhttp.wait_for(lambda: _answers(server), "the cold workers answer")
            rawhttp.wait_for(lambda: len(server.workers()) == WORKERS, "both cold workers")
            yield server
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


def _answers(server: Swapping) -> bool:
    try:
        server.answer()
    except httpx.TransportError:
        assert server.process.poll() is None, server.text()
        return False
    return True


def _gone(pids: list[int]) -> bool:
    return all(not Path(f"/proc/{pid}").exists() for pid in pids)


def _generations(server: Swapping, asked: int = 20) -> set[tuple[object, object]]:
    return {(a["worker"], a["generation"]) for a in (server.answer() for _ in range(asked))}


def test_warm_workers_replace_the_cold_ones_and_no_request_is_refused(tmp_path: Path) -> None:
    with _swapping(tmp_path) as server:
        cold = server.workers()
        assert {answer[1] for answer in _generations(server)} == {"cold"}
        refused: list[BaseException] = []
        answered: list[object] = []
        swapped = threading.Event()

        def ask_throughout() -> None:  # fresh connections, from before the swap to after it
            while not swapped.is_set():
                try:
                    answered.append(server.answer()["generation"])
                except (httpx.TransportError, AssertionError) as exc:
                    refused.append(exc)

        asking = threading.Thread(target=ask_throughout)
        asking.start()
        try:
            rawhttp.wait_for(lambda: "cold" in answered, "answers from the cold workers")
            server.open("warm", "start")
            rawhttp.wait_for(lambda: server.retired() == WORKERS, "the cold ones exit")
        finally:
            swapped.set()
            asking.join(timeout=30)
        warm = server.workers()
        generations = _generations(server, 40)
        exit_code = server.stop()
    assert refused == []
    assert {"cold", "warm"} <= set(answered)
    assert len(warm) == WORKERS
    assert set(warm).isdisjoint(cold)
    assert generations == {(1, "warm"), (2, "warm")}  # each number served again, warm
    assert server.text().count("retiring 2 cold workers") == 1
    assert exit_code == 0
    assert _gone(cold + warm)


def test_sigterm_during_the_warm_up_drains_the_cold_workers_and_exits_0(
    tmp_path: Path,
) -> None:
    with _swapping(tmp_path) as server:
        cold = server.workers()
        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.2)  # queued while the warm-up waits
        server.open("warm", "start")
        exit_code = server.process.wait(timeout=30)
    assert exit_code == 0, server.text()
    assert _gone(cold)
    assert server.text().count("started (pid") == WORKERS  # no warm worker forked
    assert "stopping 2 workers" in server.text()


def test_sigterm_during_the_swap_drains_both_generations_and_exits_0(tmp_path: Path) -> None:
    with _swapping(tmp_path) as server:
        server.open("warm")  # the warm workers are forked, and wait to start
        rawhttp.wait_for(lambda: len(server.workers()) == 2 * WORKERS, "cold and warm workers")
        both = server.workers()
        assert {answer[1] for answer in _generations(server)} == {"cold"}
        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.2)
        server.open("start")
        exit_code = server.process.wait(timeout=30)
    assert exit_code == 0, server.text()
    assert _gone(both)
    assert "retiring" not in server.text()


def test_a_warm_up_that_raises_leaves_the_cold_workers_serving(tmp_path: Path) -> None:
    with _swapping(tmp_path) as server:
        cold = server.workers()
        server.open("raise", "warm", "start")
        rawhttp.wait_for(lambda: "the warm-up broke" in server.text(), "the warm-up's error logged")
        generations = _generations(server)
        still = server.workers()
        exit_code = server.stop()
    assert {answer[1] for answer in generations} == {"cold"}
    assert still == cold
    assert "warming up failed: the cold workers serve on" in server.text()
    assert exit_code == 0


def test_a_cold_worker_killed_during_the_warm_up_is_replaced_by_a_warm_one(
    tmp_path: Path,
) -> None:
    with _swapping(tmp_path) as server:
        cold = server.workers()
        os.kill(cold[0], signal.SIGKILL)
        time.sleep(0.2)  # its exit waits in the queue while the warm-up runs
        server.open("warm", "start")
        rawhttp.wait_for(lambda: server.retired() == WORKERS, "both cold ones gone")
        warm = server.workers()
        generations = _generations(server, 40)
        exit_code = server.stop()
    assert len(warm) == WORKERS  # not one more for the killed one
    assert set(warm).isdisjoint(cold)
    assert generations == {(1, "warm"), (2, "warm")}
    assert "exited (SIGKILL)" in server.text()
    assert "replacing it" not in server.text()
    assert exit_code == 0
