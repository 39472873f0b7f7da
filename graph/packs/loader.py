"""Read content packs from disk into validated records, collecting every problem in one pass.

A pack is a folder:

    pack.yaml          the manifest (id, title, version, attribution, licence, disclaimer)
    sources.yaml       `sources:` the works that evidence cites
    nodes/*.yaml       `nodes:` concepts, one file per kind by convention
    edges/*.yaml       `edges:` typed claims, each with verbatim evidence
    red_flags.yaml     `red_flags:` when the sources say to seek care
    lexicon.yaml       `lexicon:` everyday words for nodes, with evidence (optional)
    lexicon-*.yaml     the same, generated: lexicon-hpo.yaml holds HPO's synonyms (optional)

A bulk pack (graph/packs/kgx.py) has `nodes.tsv` and `edges.tsv` in KGX TSV instead of the
`nodes/` and `edges/` folders; its `red_flags.yaml` is optional.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel

from graph.packs.kgx import read_edges, read_nodes
from graph.packs.validate import validate_content
from graph.schema.content import Content, Located, edges_lost_at, parse_record
from graph.schema.errors import ContentError, Problem
from graph.schema.lexicon import LexiconRecord
from graph.schema.records import EdgeRecord, NodeRecord, PackManifest, RedFlagRecord, SourceRecord
from graph.schema.vocabulary import NodeKind

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


# What a file that is missing would have defined, for folding the references left unknown.
_DEFINES: dict[str, frozenset[str]] = {
    "sources.yaml": frozenset({"source:*"}),
    "nodes": frozenset(f"{kind}:*" for kind in NodeKind),
    "nodes.tsv": frozenset(f"{kind}:*" for kind in NodeKind),
    "edges": frozenset({"edges:*"}),
    "edges.tsv": frozenset({"edges:*"}),
}


def _read_pack(pack_dir: Path, content: Content, problems: list[Problem]) -> None:
    if not pack_dir.is_dir():
        reason = "pack folder does not exist"
        problems.append(Problem(str(pack_dir), "-", reason, root=True, lost=frozenset({"*"})))
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
            problems.append(_missing(where(path), path.name))
            return
        for record in _read_list(path, where(path), key, model, problems):
            into(record)

    collect(pack_dir / "sources.yaml", "sources", SourceRecord, content.sources.append)
    # lexicon.yaml is written by hand; lexicon-*.yaml are generated (lexicon-hpo.yaml).
    for lexicon in sorted(pack_dir.glob("lexicon*.yaml")):
        collect(lexicon, "lexicon", LexiconRecord, content.lexicon.append)
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
            problems.append(_missing(where(edges), edges.name))
        return
    for folder, key, model, sink in (
        ("nodes", "nodes", NodeRecord, content.nodes.append),
        ("edges", "edges", EdgeRecord, content.edges.append),
    ):
        files = sorted((pack_dir / folder).glob("*.yaml"))
        if not files:
            lost = _DEFINES.get(folder, frozenset())
            problems.append(
                Problem(
                    where(pack_dir / folder), "-", "no *.yaml files found", root=True, lost=lost
                )
            )
        for path in files:
            collect(path, key, model, sink)  # type: ignore[arg-type]


def _missing(where: str, name: str) -> Problem:
    lost = _DEFINES.get(name, frozenset())
    return Problem(where, "-", "required file is missing", root=True, lost=lost)


_UNREADABLE = object()  # a file that is missing or not YAML (already reported)


def _read_yaml(path: Path, where: str, problems: list[Problem]) -> Any:
    if not path.is_file():
        problems.append(_missing(where, path.name))
        return _UNREADABLE
    data = path.read_bytes()
    try:
        return yaml.safe_load(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        reason = f"not valid UTF-8: byte {data[exc.start]:#04x} ({exc.reason})"
        problems.append(_unreadable(where, f"line {line}", reason, data))
    except yaml.MarkedYAMLError as exc:
        # PyYAML's message spans several lines with a copy of the text: the place and the
        # reason are enough, as `file: line L, column C: reason`.
        mark = exc.problem_mark
        place = "-" if mark is None else f"line {mark.line + 1}, column {mark.column + 1}"
        reason = "; ".join(str(part) for part in (exc.context, exc.problem) if part)
        problems.append(_unreadable(where, place, f"not valid YAML: {reason}", data))
    except (yaml.YAMLError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        problems.append(_unreadable(where, "-", f"not valid YAML: {reason}", data))
    return _UNREADABLE


# The ids a YAML file defines, found line by line where the file cannot be parsed: `id: x`
# or `- id: x` at the start of a line.
_ID_LINE = re.compile(rb"""^[ \t]*(?:-[ \t]+)?id:[ \t]*["']?([A-Za-z_]+:[^\s"'#]+)""", re.M)
# The ends of the edges it seems to define: `subject: x` or `object: x`, likewise.
_END_LINE = re.compile(
    rb"""^[ \t]*(?:-[ \t]+)?(?:subject|object):[ \t]*["']?([A-Za-z_]+:[^\s"'#]+)""", re.M
)


def _unreadable(where: str, place: str, reason: str, data: bytes) -> Problem:
    """A file that is not YAML: a root cause that lost every id it seems to define, and the
    edges it seems to hold (so the nodes they linked are not reported as having none)."""
    ids = frozenset(m.decode("utf-8", "replace") for m in _ID_LINE.findall(data))
    ends = [m.decode("utf-8", "replace") for m in _END_LINE.findall(data)]
    lost = ids | edges_lost_at(*ends)
    return Problem(where, place, reason, root=True, lost=lost)


def _read_list(
    path: Path, where: str, key: str, model: type[M], problems: list[Problem]
) -> list[Located[M]]:
    data = _read_yaml(path, where, problems)
    if data is _UNREADABLE:
        return []
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        reason = f"expected a mapping with a list under {key!r}"
        problems.append(_unreadable(where, "-", reason, path.read_bytes()))
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
