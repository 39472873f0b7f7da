"""Pre-fork workers: the pack is loaded once, then N forked uvicorn servers share it.

`symptom-graph serve --workers N` loads the content in this process, freezes it out of the
collector's sight (`gc.freeze()`, so no collection writes to its pages), binds the listening
socket and forks N workers that accept on it. The workers share the loaded pages
copy-on-write, instead of N spawned interpreters each loading and holding the whole pack
(uvicorn's own `--workers`).

The indexes built after the start (search, parse, paths, lookups, the OpenAPI document: about
1 s on the HPO pack) are built once, here, yet the server is ready as soon as one worker would
be: the first N workers are forked cold, before them, and build what a request needs
themselves (diagnose needs none of it). Meanwhile this process runs `warm_up`, freezes what it
built, forks N warm workers (each taking a cold one's number) and, once they accept, retires
the cold ones with SIGTERM (they finish their requests in flight; both generations accept on
the socket meanwhile). Warming up in each worker instead cost 1.34x the memory of one worker,
warming up before forking 1.6x the ready time (bench/workers.py). A warm-up that raises is
logged and leaves the cold workers serving.

Then the supervisor only waits for signals (they stay blocked, queued for `sigwaitinfo`, from
the bind to the end, warm-up included):

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

import asyncio
import contextlib
import ctypes
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import uvicorn
from prometheus_client import multiprocess

from app.observability import set_worker

__all__ = ["Supervisor"]

logger = logging.getLogger("symptom_graph.supervisor")
# A started worker tells the supervisor so: a real-time signal, queued one per sender with its
# pid (two ordinary ones sent together would arrive as one).
_READY = signal.SIGRTMIN
_STOP = {signal.SIGTERM, signal.SIGINT}
_HANDLED = {*_STOP, signal.SIGCHLD, _READY}
# A worker's exit code when its server could not start (uvicorn's own supervisor uses 3 too).
_FAILED_START = 3
_PR_SET_PDEATHSIG = 1
# Longer than uvicorn's graceful shutdown (timeout_graceful_shutdown), then SIGKILL.
_DRAIN_SECONDS = 15.0
# How long a stopping worker reads the connections it has accepted before closing idle ones.
_ACCEPTED_GRACE_SECONDS = 0.2
# How long the cold workers serve on, at most, while the warm ones start.
_SWAP_SECONDS = 30.0


@dataclass
class Supervisor:
    """Fork `workers` servers of `config` on one socket and keep them running until a stop;
    with a `warm_up`, forked cold first, then swapped for warm ones once it has run."""

    config: uvicorn.Config
    workers: int
    metrics_folder: str | None = None
    warm_up: Callable[[], object] | None = None
    # Whether a stop came before signals were blocked, and was lost (app/cli.py).
    stop_asked: Callable[[], bool] = lambda: False
    _pids: dict[int, int] = field(default_factory=dict)  # pid -> worker number
    _retiring: set[int] = field(default_factory=set)  # cold workers, never replaced
    _failed: bool = False

    def run(self) -> int:
        """Serve until SIGTERM or SIGINT (exit 0), or until a worker fails to start (exit 1)."""
        if not self.config.loaded:
            self.config.load()  # the protocol and middleware, once for every worker
        sock = self.config.bind_socket()
        # Signals wait in the queue for `sigwaitinfo`: none arrives between a check and a wait.
        signal.pthread_sigmask(signal.SIG_BLOCK, _HANDLED)
        try:
            if self.stop_asked():
                return 0
            for number in range(1, self.workers + 1):
                self._fork(number, sock)
            # A warm-up that failed leaves the cold workers serving, supervised as any.
            if self.warm_up is None or not self._warmed() or self._swap(sock):
                self._supervise(sock)
        finally:
            self._drain()
            sock.close()
            # Started workers' notices still queued would end this process once unblocked.
            while signal.sigtimedwait({_READY}, 0) is not None:
                pass
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _HANDLED)
        return 1 if self._failed else 0

    def _warmed(self) -> bool:
        """Run the warm-up (the workers serve meanwhile; signals wait); whether it worked."""
        assert self.warm_up is not None
        try:
            self.warm_up()
        except Exception:
            logger.exception("warming up failed: the cold workers serve on, building on demand")
            return False
        return True

    def _swap(self, sock: socket.socket) -> bool:
        """Fork a warm worker for each number, then retire the cold ones once the warm ones
        have started; False when a stop came first."""
        self._retiring = set(self._pids)
        pending = signal.sigtimedwait(_HANDLED, 0)
        while pending is not None:  # what came during the warm-up, before forking more
            if not self._handled(pending, sock):
                return False
            pending = signal.sigtimedwait(_HANDLED, 0)
        starting = set()
        for number in range(1, self.workers + 1):
            starting.add(self._fork(number, sock))
        deadline = time.monotonic() + _SWAP_SECONDS
        while starting & set(self._pids):
            info = signal.sigtimedwait(_HANDLED, max(deadline - time.monotonic(), 0))
            if info is None:
                logger.warning("warm workers not started within %d s", _SWAP_SECONDS)
                break
            starting.discard(info.si_pid)
            if not self._handled(info, sock):
                return False
        cold = self._retiring & set(self._pids)
        for pid in cold:
            _signal(pid, signal.SIGTERM)
        logger.info("warm workers forked: retiring %d cold workers", len(cold))
        return True

    def _supervise(self, sock: socket.socket) -> None:
        # No periodic work: asleep until a signal comes (a blocked SIGCHLD stays pending).
        while self._handled(signal.sigwaitinfo(_HANDLED), sock):
            pass

    def _handled(self, info: signal.struct_siginfo, sock: socket.socket) -> bool:
        """React to one signal; False when the server is to stop."""
        if info.si_signo in _STOP:
            logger.info("stopping %d workers", len(self._pids))
            return False
        if info.si_signo != signal.SIGCHLD:
            return True  # a worker has started: nothing waits for it here
        for pid, code in self._reap():
            number = self._pids[pid]
            self._forget(pid)
            if code == _FAILED_START:
                logger.error("worker %d (pid %d) failed to start: stopping", number, pid)
                self._failed = True
                return False
            if pid in self._retiring:
                self._retiring.discard(pid)  # its number is served by a warm worker
                logger.info("cold worker %d (pid %d) exited (%s)", number, pid, code)
            else:
                logger.warning("worker %d (pid %d) exited (%s): replacing it", number, pid, code)
                self._fork(number, sock)
        return True

    def _fork(self, number: int, sock: socket.socket) -> int:
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            os._exit(_run_worker(self.config, sock, number, parent))
        self._pids[pid] = number
        logger.info("worker %d started (pid %d)", number, pid)
        return pid

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


class _Worker(uvicorn.Server):
    """A forked worker's server, which tells the supervisor once it accepts connections."""

    def __init__(self, config: uvicorn.Config, parent: int) -> None:
        super().__init__(config)
        self.parent = parent

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and os.getppid() == self.parent:
            os.kill(self.parent, _READY)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # uvicorn stops accepting, then closes each connection without a request in progress,
        # unanswered, also one accepted a moment before whose request is not read yet: the
        # other workers accept on the socket, so this one stops accepting first and reads
        # what it has accepted before it closes anything.
        for server in self.servers:
            server.close()
        await asyncio.sleep(_ACCEPTED_GRACE_SECONDS)
        await super().shutdown(sockets)


def _run_worker(config: uvicorn.Config, sock: socket.socket, number: int, parent: int) -> int:
    """A forked worker's life: serve until told to stop; its exit code. Never returns into
    the supervisor's code (the caller exits with `os._exit`)."""
    server = _Worker(config, parent)
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
