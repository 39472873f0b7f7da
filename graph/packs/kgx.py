"""KGX TSV: the bulk pack format (`nodes.tsv`, `edges.tsv`), its records read and written.

Large packs (tens of thousands of nodes) are read from KGX TSV rather than YAML: the csv
module parses 160,000 edges in well under a second, where YAML takes minutes. The same files
are what `export --format kgx` writes (graph/formats/kgx.py), so an export loads back as a pack.

Columns follow KGX (https://github.com/biolink/kgx): `id`, `category`, `name`, `description`,
`synonym` and `xref` for nodes; `subject`, `predicate`, `object`, `primary_knowledge_source`
and `publications` for edges, with Biolink categories and predicates from `graph.schema.vocabulary`.
Multi-valued cells are joined with `|`; the fields Biolink has no column for (the evidence
with its excerpts or references, prevalence) are compact JSON in their own columns.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from graph.schema.content import Located, edges_lost_at, parse_record
from graph.schema.errors import Problem
from graph.schema.records import (
    CURIE_PREFIXES,
    CodeSystem,
    DatabaseEvidence,
    EdgeRecord,
    NodeRecord,
    kind_of,
)
from graph.schema.vocabulary import KIND_MAPPINGS, PREDICATE_MAPPINGS, Predicate

__all__ = [
    "EDGE_COLUMNS",
    "NODE_COLUMNS",
    "edge_row",
    "node_row",
    "pack_files",
    "read_edges",
    "read_nodes",
    "write_files",
]

NODE_COLUMNS = (
    "id",
    "category",
    "name",
    "description",
    "synonym",
    "xref",
    "provided_by",
    "question",
    "exposure_question",
    "prevalence",
    "evidence",
    "demographics",
)
EDGE_COLUMNS = (
    "id",
    "subject",
    "predicate",
    "object",
    "primary_knowledge_source",
    "publications",
    "evidence_codes",
    "strength",
    "frequency",
    "sensitivity",
    "onset",
    "inferred",
    "reasoning",
    "evidence",
)
_LIST_SEPARATOR = "|"
_PREDICATES = {m.biolink_predicate: p for p, m in PREDICATE_MAPPINGS.items()}
# A CURIE prefix -> the code system (HP:0001250 and OMIM:147791 keep their prefix in the code).
_SYSTEMS = {prefix: system for system, prefix in CURIE_PREFIXES.items() if prefix}
_SYSTEMS.update({"HP": CodeSystem.HPO, "OMIM": CodeSystem.OMIM})

csv.field_size_limit(sys.maxsize)  # a node's JSON evidence may exceed csv's 128 KiB default


# Writing -------------------------------------------------------------------------------


def _joined(values: Iterable[str]) -> str:
    values = list(values)
    for value in values:
        if _LIST_SEPARATOR in value:
            raise ValueError(f"{value!r} contains {_LIST_SEPARATOR!r}, KGX's list separator")
    return _LIST_SEPARATOR.join(values)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _dump(models: Iterable[BaseModel]) -> list[Any]:
    return [m.model_dump(mode="json", exclude_defaults=True) for m in models]


def node_row(node: NodeRecord) -> list[str]:
    """One node as a `nodes.tsv` row, in `NODE_COLUMNS` order."""
    return [
        node.id,
        KIND_MAPPINGS[node.kind].biolink_category,
        node.name,
        node.description,
        _joined(node.synonyms),
        _joined(c.curie for c in node.codes),
        "",
        node.question or "",
        node.exposure_question or "",
        "" if node.prevalence is None else _json(node.prevalence.model_dump(mode="json")),
        _json(_dump(node.evidence)) if node.evidence else "",
        "" if node.demographics is None else _json(_dump([node.demographics])[0]),
    ]


def edge_row(edge: EdgeRecord) -> list[str]:
    """One edge as an `edges.tsv` row, in `EDGE_COLUMNS` order.

    Evidence from one database is written as aligned `publications` and `evidence_codes`
    (cheap to read back); any other evidence as JSON in `evidence`.
    """
    sources = dict.fromkeys(ev.source for ev in edge.evidence)
    cited = [ev for ev in edge.evidence if isinstance(ev, DatabaseEvidence)]
    compact = len(sources) == 1 and len(cited) == len(edge.evidence)
    return [
        edge.key,
        edge.subject,
        PREDICATE_MAPPINGS[edge.predicate].biolink_predicate,
        edge.object,
        _joined(sources),
        _joined(ev.reference for ev in cited),
        _joined(ev.evidence_code or "" for ev in cited),
        repr(edge.strength),
        edge.frequency or "",
        "" if edge.sensitivity is None else repr(edge.sensitivity),
        edge.onset or "",
        "true" if edge.inferred else "false",
        edge.reasoning or "",
        "" if compact else _json(_dump(edge.evidence)),
    ]


def _tsv_lines(header: tuple[str, ...], rows: Iterable[list[str]]) -> Iterator[str]:
    """TSV text in chunks of about 1,000 rows (quoted only where a cell needs it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def pack_files(
    manifest: dict[str, Any],
    sources: Iterable[BaseModel],
    red_flags: Iterable[BaseModel],
    nodes: Iterable[NodeRecord],
    edges: Iterable[EdgeRecord],
    lexicon: Iterable[BaseModel] = (),
) -> Iterator[tuple[str, Iterator[str]]]:
    """(file name, text chunks) of a KGX pack: YAML for the small parts, TSV for the rest."""
    yield "pack.yaml", iter([_yaml(manifest)])
    yield "sources.yaml", iter([_yaml({"sources": _dump(sources)})])
    flags = _dump(red_flags)
    if flags:
        yield "red_flags.yaml", iter([_yaml({"red_flags": flags})])
    words = _dump(lexicon)
    if words:
        yield "lexicon.yaml", iter([_yaml({"lexicon": words})])
    yield "nodes.tsv", _tsv_lines(NODE_COLUMNS, (node_row(n) for n in nodes))
    yield "edges.tsv", _tsv_lines(EDGE_COLUMNS, (edge_row(e) for e in edges))


def _yaml(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def write_files(files: Iterable[tuple[str, Iterator[str]]], folder: Path) -> None:
    """Write `pack_files` output into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, chunks in files:
        with (folder / name).open("w", encoding="utf-8", newline="") as out:
            out.writelines(chunks)


# Reading -------------------------------------------------------------------------------


def _rows(
    path: Path,
    where: str,
    columns: tuple[str, ...],
    required: tuple[str, ...],
    problems: list[Problem],
    defines_ids: bool = False,
) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells in `columns` order) for each record; columns a file lacks read as
    empty, and a file without the `required` columns is reported and skipped.

    Every problem here is a root cause: rows go unread. Which ids a file that could not be
    read would have defined is unknown, so for a nodes file (`defines_ids`) it lost any id.
    """
    lost_any = frozenset({"*"}) if defines_ids else frozenset({"edges:*"})

    def unread(record: str, reason: str, lost: frozenset[str] = lost_any) -> None:
        problems.append(Problem(where, record, reason, root=True, lost=lost))

    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        unread("-", f"cannot read: {exc}")
        return
    with handle:
        reader = csv.reader(handle, delimiter="\t")
        try:
            header = next(reader, None)
            if header is None:
                unread("-", "empty file: expected a header row")
                return
            missing = [c for c in required if c not in header]
            if missing:
                reason = f"missing column(s) {', '.join(missing)}; expected {', '.join(columns)}"
                unread("-", reason)
                return
            id_column = header.index("id") if defines_ids else -1
            # Our own files have exactly `columns`; others are reordered, absent cells empty.
            order = None if tuple(header) == columns else [_index(header, c) for c in columns]
            for row in reader:
                if len(row) != len(header):
                    reason = f"has {len(row)} cells; the header has {len(header)}"
                    ident = row[id_column : id_column + 1] if id_column >= 0 else []
                    unread(f"line {reader.line_num}", reason, frozenset(ident))
                    continue
                if order is not None:
                    row = [row[i] if i >= 0 else "" for i in order]
                yield reader.line_num, row
        except csv.Error as exc:
            unread(f"line {reader.line_num}", f"not valid TSV: {exc}")
        except UnicodeDecodeError as exc:
            # Decoding runs a buffer ahead of the parser, so no line number would be right.
            unread("-", f"not valid UTF-8: {exc}")


def _index(header: list[str], column: str) -> int:
    return header.index(column) if column in header else -1


def _number(cell: str, column: str) -> float:
    try:
        return float(cell)
    except ValueError:
        raise ValueError(f"{column}: {cell[:40]!r} is not a number") from None


def _split(cell: str) -> list[str]:
    return cell.split(_LIST_SEPARATOR) if cell else []


def _codes(cell: str) -> list[dict[str, str]]:
    codes = []
    for curie in _split(cell):
        prefix, _, local = curie.partition(":")
        system = _SYSTEMS.get(prefix)
        if system is None:
            raise ValueError(f"xref {curie!r} has an unknown prefix; known: {', '.join(_SYSTEMS)}")
        codes.append({"system": system.value, "code": curie if system in _KEEPS_PREFIX else local})
    return codes


_KEEPS_PREFIX = frozenset(s for s, prefix in CURIE_PREFIXES.items() if not prefix)


def _parse_json(cell: str, column: str) -> Any:
    try:
        return json.loads(cell)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{column}: not valid JSON ({exc.msg})") from None


def read_nodes(path: Path, where: str, problems: list[Problem]) -> list[Located[NodeRecord]]:
    """Every valid node of a `nodes.tsv`; each invalid row adds its problems and is skipped."""
    nodes: list[Located[NodeRecord]] = []
    for line, row in _rows(path, where, NODE_COLUMNS, ("id", "name"), problems, defines_ids=True):
        (ident, category, name, description, synonyms, xrefs, _, question, exposure,
         prevalence, evidence, demographics) = row  # fmt: skip
        label = ident[:120] or f"line {line}"
        try:
            raw: dict[str, Any] = {
                "id": sys.intern(ident),
                "name": name,
                "description": description,
                "synonyms": _split(synonyms),
                "codes": _codes(xrefs),
            }
            if question:
                raw["question"] = question
            if exposure:
                raw["exposure_question"] = exposure
            if prevalence:
                raw["prevalence"] = _parse_json(prevalence, "prevalence")
            if evidence:
                raw["evidence"] = _parse_json(evidence, "evidence")
            if demographics:
                raw["demographics"] = _parse_json(demographics, "demographics")
            _check_category(category, ident)
        except ValueError as exc:
            problems.append(
                Problem(where, label, str(exc), root=True, lost=frozenset({ident} - {""}))
            )
            continue
        record = parse_record(NodeRecord, raw, where, label, problems)
        if record is not None:
            nodes.append(Located(where, record))
    return nodes


def _check_category(category: str, node_id: str) -> None:
    try:
        expected = KIND_MAPPINGS[kind_of(node_id)].biolink_category
    except ValueError:
        return  # the id itself is reported by the schema
    if category and category.split(_LIST_SEPARATOR)[0] != expected:
        raise ValueError(f"category {category!r} does not match the id's kind ({expected})")


class _Citations:
    """Database evidence read from `publications` and `evidence_codes`, each distinct item
    validated once and shared (a disease's OMIM record backs all of its edges)."""

    def __init__(self) -> None:
        self._made: dict[tuple[str, str, str], DatabaseEvidence] = {}

    def of(self, sources: str, references: str, codes: str) -> list[DatabaseEvidence]:
        source_list, reference_list = _split(sources), _split(references)
        code_list = codes.split(_LIST_SEPARATOR)
        if len(source_list) != 1:
            raise ValueError("without `evidence`, an edge needs one primary_knowledge_source")
        if len(code_list) != len(reference_list):
            raise ValueError("evidence_codes must give one code (or nothing) per publication")
        return [
            self._one(source_list[0], ref, code)
            for ref, code in zip(reference_list, code_list, strict=True)
        ]

    def _one(self, source: str, reference: str, code: str) -> DatabaseEvidence:
        key = (source, reference, code)
        made = self._made.get(key)
        if made is None:
            raw = {"source": source, "reference": reference, "evidence_code": code or None}
            try:
                made = self._made[key] = DatabaseEvidence.model_validate(raw)
            except ValidationError as exc:
                reasons = "; ".join(e["msg"] for e in exc.errors(include_url=False))
                raise ValueError(f"evidence {reference!r}: {reasons}") from None
        return made


def read_edges(path: Path, where: str, problems: list[Problem]) -> list[Located[EdgeRecord]]:
    """Every valid edge of an `edges.tsv`; each invalid row adds its problems and is skipped."""
    edges: list[Located[EdgeRecord]] = []
    citations = _Citations()
    for line, row in _rows(path, where, EDGE_COLUMNS, ("subject", "predicate", "object"), problems):
        (_, subject, predicate_name, obj, sources, references, codes, strength, frequency,
         sensitivity, onset, inferred, reasoning, evidence) = row  # fmt: skip
        label = f"line {line}: {subject[:120]} {predicate_name[:60]} {obj[:120]}"
        predicate = _PREDICATES.get(predicate_name)
        if predicate is None and predicate_name not in _OWN_PREDICATES:
            known = ", ".join(sorted(_PREDICATES))
            problems.append(Problem(where, label, f"unknown predicate; expected one of {known}"))
            continue
        try:
            raw: dict[str, Any] = {
                "subject": sys.intern(subject),
                "predicate": predicate or Predicate(predicate_name),
                "object": sys.intern(obj),
                "evidence": (
                    _parse_json(evidence, "evidence")
                    if evidence
                    else citations.of(sources, references, codes)
                ),
                "inferred": inferred == "true",
            }
            if strength:
                raw["strength"] = _number(strength, "strength")
            if sensitivity:
                raw["sensitivity"] = _number(sensitivity, "sensitivity")
            if frequency:
                raw["frequency"] = frequency
            if onset:
                raw["onset"] = onset
            if reasoning:
                raw["reasoning"] = reasoning
        except ValueError as exc:
            # The row is dropped, and with it an edge at each end.
            problems.append(
                Problem(where, label, str(exc), root=True, lost=edges_lost_at(subject, obj))
            )
            continue
        record = parse_record(EdgeRecord, raw, where, label, problems)
        if record is not None:
            edges.append(Located(where, record))
    return edges


_OWN_PREDICATES = frozenset(p.value for p in Predicate)
