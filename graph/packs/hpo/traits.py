"""A disease's demographics from its HPO annotations: the sex it is described in, and the
ages its manifestations begin at. These are fields of the disease's node, never symptoms, so
the text reader has no onset or inheritance terms to match.

The rules (docs/scoring.md, section 9):

- **Onset.** Every onset class a disease is annotated with (aspect C, a term of the
  HP:0003674 subtree), read as the nearest class of `graph.schema.onsets.ONSET_CLASSES` at or
  above the term (a second-trimester onset is antenatal). Classes with no age in their
  definition (puerperal, perimenopausal) are left out.
- **Sex, from the sex column.** A disease whose sex-qualified phenotype rows all name one sex,
  and make up at least half its phenotype rows, is described in that sex only (ovarian
  failure in women; an X-linked hydrocephalus series of boys). One such row beside many
  unqualified ones (cryptorchidism in a syndrome of both sexes) says nothing of the disease.
- **Sex, from inheritance.** hp.obo defines X-linked recessive inheritance (HP:0001419) as
  one whose disorders "manifest in males ... but generally not in female heterozygotes": a
  disease annotated with it and with no mode that shows in carriers of either sex
  (autosomal dominant or recessive, X-linked dominant, mitochondrial) is taken as male.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from graph.packs.hpo.files import Annotation, Ontology
from graph.schema.onsets import ONSET_CLASSES, Sex
from graph.schema.records import DatabaseEvidence, Demographics, EvidenceCode

__all__ = ["check_definitions", "disease_demographics"]

X_LINKED_RECESSIVE = "HP:0001419"
# The hp.obo words the X-linked recessive rule rests on (checked at import).
X_LINKED_RECESSIVE_DEFINITION = "X-linked recessive disorders manifest in males"
# Modes under which carriers of either sex show the disease.
_EITHER_SEX_MODES = frozenset({"HP:0000006", "HP:0000007", "HP:0001423", "HP:0001427"})
_ONSET_CODES = frozenset(c.code for c in ONSET_CLASSES)
_SEXES = {"MALE": Sex.MALE, "FEMALE": Sex.FEMALE}


def check_definitions(ontology: Ontology) -> None:
    """Fail loudly when hp.obo no longer defines a class as the age bands read it (a class
    the file lacks cannot be annotated, so it is not checked)."""
    quoted = [(c.code, c.definition) for c in ONSET_CLASSES]
    quoted.append((X_LINKED_RECESSIVE, X_LINKED_RECESSIVE_DEFINITION))
    for code, words in quoted:
        term = ontology.terms.get(code)
        if term is not None and words not in term.definition:
            raise ValueError(
                f"hp.obo's definition of {code} no longer says {words!r}: "
                "graph/schema/onsets.py needs reviewing"
            )


def disease_demographics(
    ontology: Ontology,
    phenotypes: Iterable[Annotation],
    traits: Iterable[Annotation],
    source: str,
) -> dict[str, Demographics]:
    """Disease -> its demographics, for the diseases the rules say something about, citing
    the rows of `source` they rest on."""
    onset_of: dict[str, str | None] = {}
    onsets: dict[str, dict[str, None]] = defaultdict(dict)
    modes: dict[str, list[Annotation]] = defaultdict(list)
    cited: dict[str, list[Annotation]] = defaultdict(list)
    for row in traits:
        if row.negated:
            continue
        term = ontology.current(row.term)
        if row.aspect == "C" and term is not None:
            if term not in onset_of:
                onset_of[term] = _onset_class(ontology, term)
            found_class = onset_of[term]
            if found_class is not None:
                onsets[row.disease][found_class] = None
                cited[row.disease].append(row)
        elif row.aspect == "I":
            modes[row.disease].append(row)
    by_column = _sex_from_column(phenotypes)
    found: dict[str, Demographics] = {}
    for disease in sorted({*onsets, *modes, *by_column}):
        sex, sex_rows = by_column.get(disease, (None, []))
        codes = {r.term for r in modes.get(disease, ())}
        if X_LINKED_RECESSIVE in codes and not codes & _EITHER_SEX_MODES:
            if sex is Sex.FEMALE:  # the two rules disagree: say nothing of sex
                sex, sex_rows = None, []
            else:
                sex = Sex.MALE
                sex_rows = [*sex_rows, *(r for r in modes[disease] if r.term == X_LINKED_RECESSIVE)]
        classes = sorted(onsets.get(disease, {}), key=_ONSET_ORDER.__getitem__)
        if sex is None and not classes:
            continue
        found[disease] = Demographics(
            sex=sex,
            onsets=classes,
            evidence=_evidence([*sex_rows, *cited.get(disease, ())], source),
        )
    return found


_ONSET_ORDER = {c.code: position for position, c in enumerate(ONSET_CLASSES)}


def _onset_class(ontology: Ontology, term: str) -> str | None:
    """The nearest listed onset class at or above a term (breadth first up its is_a links)."""
    frontier, seen = [term], {term}
    while frontier:
        nearest = sorted(t for t in frontier if t in _ONSET_CODES)
        if nearest:
            return nearest[0]
        parents = [p for t in frontier for p in ontology.terms[t].parents if p in ontology.terms]
        frontier = [p for p in dict.fromkeys(parents) if p not in seen]
        seen.update(frontier)
    return None


def _sex_from_column(phenotypes: Iterable[Annotation]) -> dict[str, tuple[Sex, list[Annotation]]]:
    """Diseases whose sex-qualified phenotype rows all name one sex and are at least half of
    their phenotype rows."""
    total: dict[str, int] = defaultdict(int)
    qualified: dict[str, list[Annotation]] = defaultdict(list)
    for row in phenotypes:
        total[row.disease] += 1
        if row.sex in _SEXES and not row.negated:
            qualified[row.disease].append(row)
    found: dict[str, tuple[Sex, list[Annotation]]] = {}
    for disease, rows in qualified.items():
        sexes = {r.sex for r in rows}
        if len(sexes) == 1 and 2 * len(rows) >= total[disease]:
            found[disease] = (_SEXES[sexes.pop()], rows)
    return found


def _evidence(rows: list[Annotation], source: str) -> list[DatabaseEvidence]:
    pairs = dict.fromkeys((ref, row.evidence) for row in rows for ref in row.references)
    return [
        DatabaseEvidence(
            source=source,
            reference=reference,
            evidence_code=EvidenceCode(code) if code in EvidenceCode.__members__ else None,
        )
        for reference, code in list(pairs)[:20]
    ]
