"""A loaded graph written out as a KGX pack: a folder, or a zip streamed chunk by chunk.

The files are the ones `graph.packs.kgx` reads, so an export loads back as a pack.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graph.knowledge import KnowledgeGraph
from graph.packs.kgx import pack_files, write_files

__all__ = ["write_pack", "zip_chunks"]


def _members(graph: KnowledgeGraph) -> Iterator[tuple[str, Iterator[str]]]:
    """The whole graph as the files of one pack, nodes in the content's own order."""
    if len(graph.packs) == 1:
        manifest = graph.packs[0].model_dump(mode="json", exclude_defaults=True)
    else:
        manifest = _merged_manifest(graph)
    order = graph.content_order
    nodes = sorted(graph.nodes(), key=lambda n: order.get(n.id, len(order)))
    return pack_files(
        manifest, graph.sources(), graph.red_flags, nodes, graph.edges(), graph.lexicon
    )


def _merged_manifest(graph: KnowledgeGraph) -> dict[str, Any]:
    first = graph.packs[0]
    return {
        "id": "-".join(p.id for p in graph.packs)[:60].strip("-"),
        "title": " + ".join(p.title for p in graph.packs)[:200],
        "version": first.version,
        "description": " ".join(p.description for p in graph.packs)[:2000],
        "attribution": " ".join(p.attribution for p in graph.packs)[:2000],
        "licence": " ".join(p.licence for p in graph.packs)[:2000],
        "disclaimer": first.disclaimer.model_dump(mode="json"),
    }


def write_pack(graph: KnowledgeGraph, folder: Path) -> None:
    """Write the whole graph as a KGX pack folder that `load_content` reads back."""
    write_files(_members(graph), folder)


class _Sink(io.RawIOBase):
    """An unseekable stream that hands back what was written since the last `take()`."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


def zip_chunks(graph: KnowledgeGraph, folder: str = "pack") -> Iterator[bytes]:
    """The KGX pack as a zip archive, produced chunk by chunk (never whole in memory)."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, chunks in _members(graph):
            # A fixed timestamp keeps the bytes, and so the strong ETag, the same every time.
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as member:
                for text in chunks:
                    member.write(text.encode())
                    data = sink.take()
                    if data:
                        yield data
    yield sink.take()
