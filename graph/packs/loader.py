"""Read content packs from disk into validated records, collecting every problem in one pass.

A pack is a folder:

    pack.yaml          the manifest (id, title, version, attribution, licence, disclaimer)
    sources.yaml       `sources:` the works that evidence cites
    nodes/*.yaml       `nodes:` concepts, one file per kind by convention
    edges/*.yaml       `edges:` typed claims, each with verbatim evidence
    red_flags.yaml     `red_flags:` when the sources say to seek care

A bulk pack (graph/packs/kgx.py) has `nodes.tsv` and `edges.tsv` in KGX TSV instead of the
`nodes/` and `edges/` folders; its `red_flags.yaml` is optional.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel

from graph.packs.kgx import read_edges, read_nodes
from graph.packs.validate import validate_content
from graph.schema.content import Content, Located, parse_record
from graph.schema.errors import ContentError, Problem
from graph.schema.records import EdgeRecord, NodeRecord, PackManifest, RedFlagRecord, SourceRecord

__all__ = ["DEFAULT_PACKS_DIR", "load_content", "paused_gc", "read_packs"]

DEFAULT_PACKS_DIR = Path(__file__).resolve().parents[2] / "seeds"

M = TypeVar("M", bound=BaseModel)


def load_content(pack_dirs: Sequence[Path]) -> Content:
    """Read and validate packs; raise `ContentError` listing every problem if any is found."""
    content, problems = read_packs(pack_dirs)
    with paused_gc():
        problems += validate_content(content)
    if problems:
        raise ContentError(problems)
    return content


def read_packs(pack_dirs: Sequence[Path]) -> tuple[Content, list[Problem]]:
    """Parse each pack's files into records; records that fail their schema are reported, not kept."""
    content = Content()
    problems: list[Problem] = []
    if not pack_dirs:
        problems.append(Problem("-", "-", "no content pack given"))
    with paused_gc():
        for pack_dir in pack_dirs:
            _read_pack(pack_dir, content, problems)
    return content, problems


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic collector while building records that hold no cycles: on a bulk pack
    its repeated scans of the growing heap took a third of the load time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_pack(pack_dir: Path, content: Content, problems: list[Problem]) -> None:
    if not pack_dir.is_dir():
        problems.append(Problem(str(pack_dir), "-", "pack folder does not exist"))
        return

    def where(path: Path) -> str:
        return f"{pack_dir.name}/{path.relative_to(pack_dir).as_posix()}"

    manifest_path = pack_dir / "pack.yaml"
    raw_manifest = _read_yaml(manifest_path, where(manifest_path), problems)
    if raw_manifest is not _UNREADABLE:
        manifest = parse_record(
            PackManifest, raw_manifest, where(manifest_path), "manifest", problems
        )
        if manifest is not None:
            content.packs.append(Located(where(manifest_path), manifest))

    def collect(path: Path, key: str, model: type[M], into: Callable[[Located[M]], None]) -> None:
        if not path.is_file():
            problems.append(Problem(where(path), "-", "required file is missing"))
            return
        for record in _read_list(path, where(path), key, model, problems):
            into(record)

    collect(pack_dir / "sources.yaml", "sources", SourceRecord, content.sources.append)
    bulk = (pack_dir / "nodes.tsv").is_file()
    red_flags = pack_dir / "red_flags.yaml"
    if not bulk or red_flags.is_file():
        collect(red_flags, "red_flags", RedFlagRecord, content.red_flags.append)
    if bulk:
        nodes, edges = pack_dir / "nodes.tsv", pack_dir / "edges.tsv"
        content.nodes += read_nodes(nodes, where(nodes), problems)
        if edges.is_file():
            content.edges += read_edges(edges, where(edges), problems)
        else:
            problems.append(Problem(where(edges), "-", "required file is missing"))
        return
    for folder, key, model, sink in (
        ("nodes", "nodes", NodeRecord, content.nodes.append),
        ("edges", "edges", EdgeRecord, content.edges.append),
    ):
        files = sorted((pack_dir / folder).glob("*.yaml"))
        if not files:
            problems.append(Problem(where(pack_dir / folder), "-", "no *.yaml files found"))
        for path in files:
            collect(path, key, model, sink)  # type: ignore[arg-type]


_UNREADABLE = object()  # a file that is missing or not YAML (already reported)


def _read_yaml(path: Path, where: str, problems: list[Problem]) -> Any:
    if not path.is_file():
        problems.append(Problem(where, "-", "required file is missing"))
        return _UNREADABLE
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError) as exc:
        problems.append(Problem(where, "-", f"not valid UTF-8 YAML: {exc}"))
        return _UNREADABLE


def _read_list(
    path: Path, where: str, key: str, model: type[M], problems: list[Problem]
) -> list[Located[M]]:
    data = _read_yaml(path, where, problems)
    if data is _UNREADABLE:
        return []
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        problems.append(Problem(where, "-", f"expected a mapping with a list under {key!r}"))
        return []
    located: list[Located[M]] = []
    for index, raw in enumerate(data[key]):
        record = parse_record(model, raw, where, _label(raw, index), problems)
        if record is not None:
            located.append(Located(where, record))
    return located


def _label(raw: object, index: int) -> str:
    """How to name a record in a problem: its id, its triple, or its position."""
    if isinstance(raw, dict):
        if isinstance(raw.get("id"), str):
            return str(raw["id"])[:120]
        parts = [raw.get(k) for k in ("subject", "predicate", "object")]
        if all(isinstance(p, str) for p in parts):
            return " ".join(str(p)[:120] for p in parts)
    return f"#{index + 1}"
