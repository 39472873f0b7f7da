"""Pre-fork workers: the pack is loaded once, then N forked uvicorn servers share it.

`symptom-graph serve --workers N` loads and indexes the content in this process, freezes it
out of the collector's sight (`gc.freeze()`, so no collection writes to its pages), binds the
listening socket and forks N workers that accept on it. The workers share the loaded pages
copy-on-write, instead of N spawned interpreters each loading and holding the whole pack
(uvicorn's own `--workers`). The supervisor then only waits for signals:

- a worker that dies is replaced (its metrics are marked dead: their counts stay summed);
- SIGTERM or SIGINT is passed to every worker, which stops accepting and finishes the requests
  in flight, and the supervisor exits 0 once they have all exited;
- a worker that fails to start stops the server (exit 1) instead of being forked again;
- each worker asks the kernel for SIGTERM when the supervisor dies (PR_SET_PDEATHSIG), so a
  SIGKILLed supervisor leaves no worker holding the port.

gunicorn's `--preload` with uvicorn workers forks the same way; this keeps one uvicorn Config
for one worker and for N (the bounded protocol, the limits, the JSON logging) without a second
process manager whose settings, logging and worker class would have to be kept in line.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import socket
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from prometheus_client import multiprocess

from app.observability import set_worker

if TYPE_CHECKING:
    import uvicorn

__all__ = ["Supervisor"]

logger = logging.getLogger("symptom_graph.supervisor")
_HANDLED = {signal.SIGTERM, signal.SIGINT, signal.SIGCHLD}
# A worker's exit code when its server could not start (uvicorn's own supervisor uses 3 too).
_FAILED_START = 3
_PR_SET_PDEATHSIG = 1
# Longer than uvicorn's graceful shutdown (timeout_graceful_shutdown), then SIGKILL.
_DRAIN_SECONDS = 15.0


@dataclass
class Supervisor:
    """Fork `workers` servers of `config` on one socket and keep them running until a stop."""

    config: uvicorn.Config
    workers: int
    metrics_folder: str | None = None
    _pids: dict[int, int] = field(default_factory=dict)  # pid -> worker number
    _failed: bool = False

    def run(self) -> int:
        """Serve until SIGTERM or SIGINT (exit 0), or until a worker fails to start (exit 1)."""
        if not self.config.loaded:
            self.config.load()  # the protocol and middleware, once for every worker
        sock = self.config.bind_socket()
        # Signals wait in the queue for `sigtimedwait`: none arrives between a check and a wait.
        signal.pthread_sigmask(signal.SIG_BLOCK, _HANDLED)
        try:
            for number in range(1, self.workers + 1):
                self._fork(number, sock)
            self._supervise(sock)
        finally:
            self._drain()
            sock.close()
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _HANDLED)
        return 1 if self._failed else 0

    def _supervise(self, sock: socket.socket) -> None:
        while True:
            # No periodic work: asleep until a signal comes (a blocked SIGCHLD stays pending).
            if signal.sigwaitinfo(_HANDLED).si_signo != signal.SIGCHLD:
                logger.info("stopping %d workers", len(self._pids))
                return
            for pid, code in self._reap():
                number = self._pids[pid]
                self._forget(pid)
                if code == _FAILED_START:
                    logger.error("worker %d (pid %d) failed to start: stopping", number, pid)
                    self._failed = True
                    return
                logger.warning("worker %d (pid %d) exited (%s): replacing it", number, pid, code)
                self._fork(number, sock)

    def _fork(self, number: int, sock: socket.socket) -> None:
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            os._exit(_run_worker(self.config, sock, number, parent))
        self._pids[pid] = number
        logger.info("worker %d started (pid %d)", number, pid)

    def _reap(self) -> list[tuple[int, int | str]]:
        """Workers that have exited, each with its exit code or the signal that ended it."""
        exited: list[tuple[int, int | str]] = []
        while self._pids:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            if pid in self._pids:
                code = os.waitstatus_to_exitcode(status)
                exited.append((pid, code if code >= 0 else signal.Signals(-code).name))
        return exited

    def _drain(self) -> None:
        """SIGTERM to every worker (each finishes its requests in flight), SIGKILL to any
        still running after `_DRAIN_SECONDS`."""
        for pid in self._pids:
            _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + _DRAIN_SECONDS
        while self._pids and time.monotonic() < deadline:
            for pid, _ in self._reap():
                self._forget(pid)
            if self._pids:
                signal.sigtimedwait({signal.SIGCHLD}, 0.1)
        for pid in list(self._pids):
            _signal(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            self._forget(pid)

    def _forget(self, pid: int) -> None:
        """A worker is gone: no longer tracked, its live metrics marked dead."""
        self._pids.pop(pid, None)
        if self.metrics_folder is not None:
            multiprocess.mark_process_dead(pid, self.metrics_folder)  # type: ignore[no-untyped-call]


def _signal(pid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # it has exited meanwhile
        os.kill(pid, signum)


def _run_worker(config: uvicorn.Config, sock: socket.socket, number: int, parent: int) -> int:
    """A forked worker's life: serve until told to stop; its exit code. Never returns into
    the supervisor's code (the caller exits with `os._exit`)."""
    import uvicorn

    server = uvicorn.Server(config)
    try:
        _die_with(parent)
        set_worker(number)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HANDLED)
        server.run(sockets=[sock])
        return 0 if server.started else _FAILED_START
    except SystemExit as exc:  # SIGTERM's clean exit (app/cli.py), re-raised by uvicorn
        return 0 if exc.code is None else exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        logger.exception("worker %d failed", number)
        return 1 if server.started else _FAILED_START  # replaced, or the server stops
    finally:
        sys.stdout.flush()
        sys.stderr.flush()


def _die_with(parent: int) -> None:
    """SIGTERM this process when the supervisor dies, however it dies (Linux)."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:  # the supervisor died before the request above
        raise SystemExit(0)
