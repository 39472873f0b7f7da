"""Whole-graph exports written once per graph version to a cache folder and sent from there.

Writing the full HPO pack's node-link JSON costs about 3 s of CPU (GraphML 3 s, KGX 2 s), and
the process kept some 250 MB of it for good. So each format of a graph version is written
once, by a worker thread, chunk by chunk to a temporary file renamed into place when whole;
every later request, from this process or another worker sharing the folder, is sent from
the file with its length. The folder is keyed by graph version and by the writers' own code,
so a release that changes a writer never sends a file an older one wrote.

At most `max_builds` exports are written at once in a process; others wait their turn. The
wait is bounded by the formats there are: a request for an export being written joins that
build instead of starting another. Builds run to their end even when the client that asked
leaves, so the next request finds the file.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import fcntl
import hashlib
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import anyio.to_thread
import pydantic
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

import graph.formats.export
import graph.formats.kgx
import graph.packs.kgx
import graph.schema.records
import graph.schema.vocabulary
from graph.formats.export import CHUNK_BYTES, MEDIA_TYPES, ExportFormat, export_chunks
from graph.knowledge import KnowledgeGraph

__all__ = ["FILE_SUFFIXES", "ExportFile", "ExportResponse", "ExportStore"]

logger = logging.getLogger("symptom_graph")

FILE_SUFFIXES = {
    ExportFormat.JSON: "json",
    ExportFormat.GRAPHML: "graphml",
    ExportFormat.JSONLD: "jsonld",
    ExportFormat.KGX: "kgx.zip",
}
# Files of other graph versions (another server's, or this one's before a content update)
# are removed once untouched this long; a half-written file after an hour (a killed build).
STALE_EXPORT_SECONDS = 24 * 3600
STALE_PARTIAL_SECONDS = 3600

Writer = Callable[[KnowledgeGraph, ExportFormat], Iterator[bytes]]


def _writers_digest() -> str:
    """A digest of the code that writes the exports (the writers, the records they dump, the
    vocabulary they map to, and pydantic, which dumps them): a file is reused only by the
    same code."""
    digest = hashlib.blake2b(pydantic.VERSION.encode(), digest_size=6)
    modules = (
        graph.formats.export,
        graph.formats.kgx,
        graph.packs.kgx,
        graph.schema.records,
        graph.schema.vocabulary,
    )
    for module in modules:
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()


def _release_freed_memory() -> None:
    """Give the C heap's free pages back to the system after a build.

    A build allocates about a megabyte at a time; once glibc has freed one such block it
    serves the next ones from its heaps instead of separate mappings, and those pages stayed
    resident after the build (the process went from 764 MiB to about 1 GiB for good).
    """
    name = ctypes.util.find_library("c")
    if name is None:
        return
    libc = ctypes.CDLL(name)
    trim = getattr(libc, "malloc_trim", None)  # glibc only; musl has none
    if trim is not None:
        trim(0)


class ExportFile:
    """An open export file and its length; the open descriptor keeps the bytes readable even
    if the folder is cleaned meanwhile."""

    def __init__(self, file: BinaryIO, size: int) -> None:
        self.file = file
        self.size = size


class ExportStore:
    """Each export of a graph version written once to `folder`, then read from there."""

    def __init__(self, folder: Path, max_builds: int = 1, writer: Writer = export_chunks) -> None:
        self.folder = folder
        self.max_builds = max_builds
        self.writer = writer
        self.digest = _writers_digest()
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._building: dict[Path, asyncio.Task[None]] = {}
        self.builds = 0  # exports this store wrote
        self._checked = False  # the folder exists and is this user's alone

    def path(self, graph: KnowledgeGraph, fmt: ExportFormat) -> Path:
        return self.folder / f"{graph.version}-{self.digest}.{FILE_SUFFIXES[fmt]}"

    def size(self, graph: KnowledgeGraph, fmt: ExportFormat) -> int | None:
        """The export's length in bytes if it is written already, else None; builds nothing."""
        self._check_folder()
        try:
            return self.path(graph, fmt).stat().st_size
        except FileNotFoundError:
            return None

    async def open(self, graph: KnowledgeGraph, fmt: ExportFormat) -> ExportFile:
        """The export, written first if no file holds it yet (waiting for a build slot)."""
        self._check_folder()
        path = self.path(graph, fmt)
        opened = _open(path)
        while opened is None:
            await self._build(graph, fmt, path)
            opened = _open(path)  # None only if the folder was cleaned since: write it again
        return opened

    def _check_folder(self) -> None:
        """Create the folder, private, and refuse one another user could write to: the
        default is under the shared temp folder, where anyone may create it first and plant
        a file under an export's name."""
        if self._checked:
            return
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        status = self.folder.stat()
        if status.st_uid != os.geteuid() or status.st_mode & 0o022:
            raise PermissionError(
                f"the export folder {self.folder} belongs to another user or others may write "
                "to it; set SYMPTOM_GRAPH_EXPORT_FOLDER to a folder of this user's own"
            )
        self._checked = True

    async def _build(self, graph: KnowledgeGraph, fmt: ExportFormat, path: Path) -> None:
        loop = asyncio.get_running_loop()
        if loop is not self._loop or self._slots is None:
            # A semaphore and tasks belong to one loop (tests start several).
            self._loop, self._slots, self._building = loop, asyncio.Semaphore(self.max_builds), {}
        task = self._building.get(path)
        if task is None:
            task = loop.create_task(self._build_in_slot(graph, fmt, path, self._slots))
            self._building[path] = task
            task.add_done_callback(lambda done: self._forget(path, done))
        # Shielded: a client that leaves cancels its wait, not the build the others wait for.
        await asyncio.shield(task)

    def _forget(self, path: Path, task: asyncio.Task[None]) -> None:
        if self._building.get(path) is task:
            del self._building[path]
        if not task.cancelled() and task.exception() is not None:
            logger.error("writing the export %s failed", path.name, exc_info=task.exception())

    async def _build_in_slot(
        self, graph: KnowledgeGraph, fmt: ExportFormat, path: Path, slots: asyncio.Semaphore
    ) -> None:
        async with slots:
            started = time.perf_counter()
            wrote = await anyio.to_thread.run_sync(self._write, graph, fmt, path)
            if wrote:
                self.builds += 1
                logger.info(
                    "wrote the %s export of graph %s: %d bytes in %.1f s",
                    fmt.value,
                    graph.version,
                    path.stat().st_size,
                    time.perf_counter() - started,
                )

    def _write(self, graph: KnowledgeGraph, fmt: ExportFormat, path: Path) -> bool:
        """Write the export to `path` unless it exists; whether this call wrote it. Runs in a
        worker thread; an exclusive lock on a file beside it makes workers of other processes
        wait for this build instead of writing the same bytes again."""
        with open(path.with_name(path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if path.exists():
                return False
            descriptor, partial = tempfile.mkstemp(
                dir=self.folder, prefix=f".{path.name}.", suffix=".partial"
            )
            try:
                with os.fdopen(descriptor, "wb") as out:
                    for chunk in self.writer(graph, fmt):
                        out.write(chunk)
                    out.flush()
                    os.fsync(out.fileno())  # whole on disk before it has its name
                os.replace(partial, path)  # atomic: readers see no file or the whole file
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(partial)
                raise
            finally:
                _release_freed_memory()
        self._prune(keep=path.name.split(".", 1)[0])
        return True

    def _prune(self, keep: str) -> None:
        """Remove other graph versions' exports untouched for a day and abandoned partial
        files, so the folder does not grow with every content update."""
        now = time.time()
        for entry in self.folder.iterdir():
            if entry.name.startswith(keep) or entry.name.startswith(f".{keep}"):
                continue
            partial = entry.name.endswith(".partial")
            limit = STALE_PARTIAL_SECONDS if partial else STALE_EXPORT_SECONDS
            with contextlib.suppress(OSError):  # another process may have removed it
                if now - entry.stat().st_mtime > limit:
                    entry.unlink()


def _open(path: Path) -> ExportFile | None:
    try:
        file = open(path, "rb")  # noqa: SIM115 - closed by ExportResponse once sent
    except FileNotFoundError:
        return None
    return ExportFile(file, os.fstat(file.fileno()).st_size)


class ExportResponse(Response):
    """An export sent from its file a megabyte at a time, with its length. Each read runs in
    a worker thread (a read from a cold disk must not hold the event loop), and the sending
    stops when the client leaves."""

    def __init__(
        self, export: ExportFile, fmt: ExportFormat, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(
            headers={**(headers or {}), "Content-Length": str(export.size)},
            media_type=MEDIA_TYPES[fmt],
        )
        self.export = export

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            async with anyio.create_task_group() as group:

                async def stream() -> None:
                    await self._stream(send)
                    group.cancel_scope.cancel()

                async def watch() -> None:
                    while (await receive())["type"] != "http.disconnect":
                        pass
                    group.cancel_scope.cancel()  # nobody to send the rest to

                group.start_soon(stream)
                group.start_soon(watch)
        finally:
            self.export.file.close()

    async def _stream(self, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        remaining = self.export.size
        while remaining > 0:
            chunk = await anyio.to_thread.run_sync(self.export.file.read, CHUNK_BYTES)
            if not chunk:
                raise OSError(f"{self.export.file.name} is shorter than its {self.export.size} B")
            remaining -= len(chunk)
            await send({"type": "http.response.body", "body": chunk, "more_body": remaining > 0})
        if self.export.size == 0:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
