"""A built pack: the validated content of pack folders in one immutable, versioned file.

`symptom-graph build` writes it once the packs have passed every check; `serve --artifact`
reads it back without re-reading or re-validating the records (graph/packs/records_codec.py).
The file never holds code and reading it never runs any: it is JSON and raw arrays.

    bytes 0-7     magic, b"SGPACK\\r\\n" (a text-mode copy breaks it)
    bytes 8-39    SHA-256 of everything from byte 40 on
    bytes 40-47   length of the header, little-endian
    header        JSON: format version, the records' schema (a hash of their fields: rows
                  are read by position), graph version, record counts, and each section's
                  offset and length in the payload (arrays also their dtype and shape)
    payload       64-byte aligned sections: `records` (JSON rows; the edges' rows are
                  arrays, `edges/...`: graph/packs/stored_edges.py), then each document (JSON:
                  an index derived from the content, such as the search index), decoded
                  when it is first read, then any arrays, each a raw little-endian block
                  that is memory-mapped rather than read

The digest is checked before anything is decoded, so a truncated, corrupt or altered file is
refused with one line (`ArtifactError`); a file of another format version or whose records
have other fields is refused too, with "build it again".
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from graph.packs.records_codec import RecordCodec, RecordReader, RecordWriter
from graph.packs.stored_edges import StoredEdges, edge_columns
from graph.schema.content import Content, Located
from graph.schema.lexicon import LexiconRecord
from graph.schema.records import (
    EdgeRecord,
    NodeRecord,
    PackManifest,
    RedFlagRecord,
    SourceRecord,
)

__all__ = [
    "FORMAT_VERSION",
    "Artifact",
    "ArtifactError",
    "Documents",
    "StoredEdges",
    "check_artifact",
    "code_fingerprint",
    "read_artifact",
    "write_artifact",
]

# 2: documents in sections of their own, out of the records' JSON. 3: edges as columns and
# rows decoded on demand, and the records' schema in the header.
FORMAT_VERSION = 3
MAGIC = b"SGPACK\r\n"
_DIGEST_END = len(MAGIC) + 32
_PAYLOAD_START = _DIGEST_END + 8
_ALIGN = 64
# Content's sections, each with its record model, in the order they are stored.
_SECTIONS: tuple[tuple[str, type[Any]], ...] = (
    ("packs", PackManifest),
    ("sources", SourceRecord),
    ("nodes", NodeRecord),
    ("edges", EdgeRecord),
    ("red_flags", RedFlagRecord),
    ("lexicon", LexiconRecord),
)
_CODEC = RecordCodec(
    tuple(model for _, model in _SECTIONS), shared=frozenset({"id", "subject", "object"})
)
SCHEMA = _CODEC.schema()
_EDGES = "edges/"


class ArtifactError(ValueError):
    """A file that is not a readable built pack of this format version; the message is one
    line that names the file."""


class Documents(Mapping[str, Any]):
    """A built pack's documents by name, each decoded when it is read: the search and parse
    indexes are 30 MB of JSON that the start need not decode (app/runtime.py builds them
    after it). A document that is not JSON raises `ArtifactError`."""

    def __init__(self, path: Path, blocks: Mapping[str, bytes]) -> None:
        self._path = path
        self._blocks = blocks

    def __getitem__(self, name: str) -> Any:
        try:
            return orjson.loads(self._blocks[name])
        except orjson.JSONDecodeError as exc:
            raise ArtifactError(f"{self._path}: malformed document {name!r} ({exc})") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._blocks)

    def __len__(self) -> int:
        return len(self._blocks)


@dataclass(frozen=True)
class Artifact:
    """What a built pack holds: its records (all but the edges), its edges (decoded when
    read), its graph version and any named arrays."""

    records: Content
    edges: StoredEdges
    version: str
    arrays: Mapping[str, npt.NDArray[Any]] = field(default_factory=dict)
    # Indexes derived from the content, as plain data, by name.
    documents: Mapping[str, Any] = field(default_factory=dict)

    @cached_property
    def content(self) -> Content:
        """Every record, the edges included (each decoded: a server reads `edges` instead)."""
        return replace(self.records, edges=list(self.edges))


def code_fingerprint(*modules: ModuleType, salt: str = "") -> str:
    """A hash of the modules' source and `salt`: what is stored under it was made by that
    code, so a server running other code computes it afresh instead of trusting it."""
    digest = hashlib.sha256(salt.encode())
    for module in modules:
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()[:16]


def write_artifact(
    path: Path,
    content: Content,
    version: str,
    arrays: Mapping[str, npt.NDArray[Any]] = {},
    documents: Mapping[str, Any] = {},
) -> int:
    """Write `content` (already validated), `arrays` and `documents` (plain data) to `path`,
    atomically; its size."""
    files: dict[str, int] = {}
    records: dict[str, list[list[Any]]] = {}
    writer = RecordWriter(_CODEC)
    for name, _ in _SECTIONS:
        located: list[Located[Any]] = getattr(content, name)
        if name != "edges":
            records[name] = [
                [files.setdefault(item.file, len(files)), writer.row(item.record)]
                for item in located
            ]
    ends, edge_arrays = edge_columns(content.edges, files, writer.row)
    arrays = {**{_EDGES + n: a for n, a in edge_arrays.items()}, **arrays}
    stored = {"files": list(files), "tables": writer.tables(), "edge_ends": ends, **records}
    blocks: list[bytes] = [orjson.dumps(stored)]
    sections: dict[str, dict[str, Any]] = {"records": {}}
    for name, document in documents.items():
        sections[name] = {"document": True}
        blocks.append(orjson.dumps(document))
    for name, array in arrays.items():
        little = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
        sections[name] = {"dtype": little.dtype.str, "shape": list(little.shape)}
        blocks.append(little.tobytes())
    payload = bytearray()
    for entry, block in zip(sections.values(), blocks, strict=True):
        payload += bytes(-len(payload) % _ALIGN)
        entry.update(offset=len(payload), length=len(block))
        payload += block
    header = orjson.dumps(
        {
            "format": FORMAT_VERSION,
            "schema": SCHEMA,
            "graph_version": version,
            "counts": {name: len(rows) for name, rows in records.items()}
            | {"edges": len(content.edges)},
            "sections": sections,
        }
    )
    header += b" " * (-(_PAYLOAD_START + len(header)) % _ALIGN)  # the payload starts aligned
    body = len(header).to_bytes(8, "little") + header + payload
    data = MAGIC + hashlib.sha256(body).digest() + body
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_bytes(data)
    partial.replace(path)  # readers see the old file or the new one, never half of one
    return len(data)


def check_artifact(path: Path) -> str:
    """The graph version of the built pack at `path`, once its digest and format version are
    checked (nothing is decoded); raises `ArtifactError` as `read_artifact` does."""
    _, header, _ = _opened(path)
    return str(header["graph_version"])


def read_artifact(path: Path) -> Artifact:
    """The built pack at `path`; raises `ArtifactError` for anything but an intact file of
    this format version."""
    data, header, start = _opened(path)
    view = memoryview(data)
    sections: dict[str, dict[str, Any]] = header["sections"]

    def block(entry: Mapping[str, Any]) -> memoryview:
        offset = start + int(entry["offset"])
        return view[offset : offset + int(entry["length"])]

    try:
        stored = orjson.loads(block(sections["records"]))
        files: list[str] = stored["files"]
        reader = RecordReader(_CODEC, stored["tables"])
        content = Content()
        for name, model in _SECTIONS:
            if name != "edges":
                decode = reader.decoder(model)
                located: list[Located[Any]] = getattr(content, name)
                located += [Located(files[file], decode(row)) for file, row in stored[name]]
        # Mapped, not read: what the model never touches stays on disk, and workers share it.
        arrays = {
            name: np.memmap(
                path,
                np.dtype(entry["dtype"]),
                mode="r",
                offset=start + int(entry["offset"]),
                shape=tuple(entry["shape"]),
            )
            for name, entry in sections.items()
            if "dtype" in entry
        }
        edges = StoredEdges(
            [sys.intern(end) for end in stored["edge_ends"]],
            files,
            {n[len(_EDGES) :]: arrays.pop(n) for n in list(arrays) if n.startswith(_EDGES)},
            reader.decoder(EdgeRecord),
        )
        # Copied out of the file's bytes, which are then freed.
        documents = Documents(
            path, {name: bytes(block(e)) for name, e in sections.items() if e.get("document")}
        )
    except (orjson.JSONDecodeError, LookupError, TypeError, ValueError) as exc:
        # Only a file written by something else, with a digest of its own, gets here.
        raise ArtifactError(f"{path}: malformed built pack ({type(exc).__name__}: {exc})") from None
    return Artifact(content, edges, str(header["graph_version"]), arrays, documents)


def _opened(path: Path) -> tuple[bytes, dict[str, Any], int]:
    """The file's bytes, its header, and where its payload starts, once checked. Read rather
    than mapped: the JSON is decoded once, and its bytes freed, not kept resident."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArtifactError(f"{path}: cannot read the built pack ({_reason(exc)})") from None
    if not data:
        raise ArtifactError(f"{path}: cannot read the built pack (the file is empty)")
    view = memoryview(data)
    if view[: len(MAGIC)] != MAGIC:
        raise ArtifactError(f"{path}: not a symptom-graph built pack (wrong magic bytes)")
    if len(view) < _PAYLOAD_START or hashlib.sha256(view[_DIGEST_END:]).digest() != bytes(
        view[len(MAGIC) : _DIGEST_END]
    ):
        raise ArtifactError(
            f"{path}: the built pack is truncated, corrupt or altered (its SHA-256 does not "
            "match); build it again"
        )
    header_length = int.from_bytes(view[_DIGEST_END:_PAYLOAD_START], "little")
    try:
        header = orjson.loads(view[_PAYLOAD_START : _PAYLOAD_START + header_length])
        found = header["format"]
    except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
        raise ArtifactError(f"{path}: unreadable header ({exc})") from None
    if found != FORMAT_VERSION:
        raise ArtifactError(
            f"{path}: built pack format {found!r}, this version reads format {FORMAT_VERSION}; "
            "build it again with this version"
        )
    if header.get("schema") != SCHEMA:
        raise ArtifactError(
            f"{path}: built pack records laid out as {header.get('schema')!r}, this version's "
            f"are {SCHEMA!r} (a record type's fields changed); build it again with this version"
        )
    return data, header, _PAYLOAD_START + header_length


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)
