"""The typed vocabulary: node kinds, predicates, what may link to what, and external mappings.

This module is the single table partners map against. The loader enforces `ALLOWED`;
exports read `MAPPINGS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "ALLOWED",
    "KIND_MAPPINGS",
    "PREDICATE_MAPPINGS",
    "KindMapping",
    "NodeKind",
    "Predicate",
    "PredicateMapping",
    "allowed_objects",
]


class NodeKind(StrEnum):
    CONDITION = "condition"
    CAUSE = "cause"
    SYMPTOM = "symptom"
    DIAGNOSTIC = "diagnostic"
    TREATMENT = "treatment"
    PREVENTION = "prevention"


class Predicate(StrEnum):
    CAUSES = "causes"
    CONTRIBUTES_TO = "contributes_to"
    HAS_SYMPTOM = "has_symptom"
    EVALUATES = "evaluates"
    TREATS = "treats"
    PREVENTS = "prevents"
    SUBTYPE_OF = "subtype_of"


_K = NodeKind
_P = Predicate

# (subject kind, predicate) -> object kinds the loader accepts.
ALLOWED: dict[tuple[NodeKind, Predicate], frozenset[NodeKind]] = {
    (_K.CAUSE, _P.CAUSES): frozenset({_K.SYMPTOM, _K.CONDITION}),
    (_K.CAUSE, _P.CONTRIBUTES_TO): frozenset({_K.CAUSE}),
    (_K.CONDITION, _P.HAS_SYMPTOM): frozenset({_K.SYMPTOM}),
    (_K.DIAGNOSTIC, _P.EVALUATES): frozenset({_K.CAUSE, _K.SYMPTOM, _K.CONDITION}),
    (_K.TREATMENT, _P.TREATS): frozenset({_K.CAUSE, _K.SYMPTOM, _K.CONDITION}),
    # Article 1 lists lifestyle changes as a treatment that also prevents, so treatments may prevent.
    (_K.PREVENTION, _P.PREVENTS): frozenset({_K.CAUSE, _K.CONDITION}),
    (_K.TREATMENT, _P.PREVENTS): frozenset({_K.CAUSE, _K.CONDITION}),
    **{(kind, _P.SUBTYPE_OF): frozenset({kind}) for kind in NodeKind},
}


def allowed_objects(subject: NodeKind, predicate: Predicate) -> frozenset[NodeKind]:
    """Object kinds allowed for a subject kind and predicate; empty when the pair is not allowed."""
    return ALLOWED.get((subject, predicate), frozenset())


@dataclass(frozen=True, slots=True)
class KindMapping:
    biolink_category: str
    schema_org_type: str


@dataclass(frozen=True, slots=True)
class PredicateMapping:
    biolink_predicate: str
    schema_org_property: str | None
    # True when schema.org states the relation from the object's side (e.g. a condition's
    # `possibleTreatment` points at the treatment), so exports must flip the direction.
    schema_org_inverse: bool = False


# Checked against biolink-model 4.4.6 and schema.org (shared/reference/vocabularies.md).
KIND_MAPPINGS: dict[NodeKind, KindMapping] = {
    _K.CONDITION: KindMapping("biolink:PhenotypicFeature", "MedicalCondition"),
    _K.CAUSE: KindMapping("biolink:PhenotypicFeature", "MedicalCause"),
    _K.SYMPTOM: KindMapping("biolink:PhenotypicFeature", "MedicalSignOrSymptom"),
    _K.DIAGNOSTIC: KindMapping("biolink:Procedure", "MedicalTest"),
    _K.TREATMENT: KindMapping("biolink:Treatment", "MedicalTherapy"),
    _K.PREVENTION: KindMapping("biolink:Treatment", "LifestyleModification"),
}

PREDICATE_MAPPINGS: dict[Predicate, PredicateMapping] = {
    _P.CAUSES: PredicateMapping("biolink:causes", "cause", schema_org_inverse=True),
    # schema.org's `cause` belongs to conditions; a cause leading to a cause has no property.
    _P.CONTRIBUTES_TO: PredicateMapping("biolink:contributes_to", None),
    # Biolink has no "has symptom"; has_phenotype is its closest predicate.
    _P.HAS_SYMPTOM: PredicateMapping("biolink:has_phenotype", "signOrSymptom"),
    _P.EVALUATES: PredicateMapping("biolink:related_to", "usedToDiagnose"),
    _P.TREATS: PredicateMapping("biolink:treats", "possibleTreatment", schema_org_inverse=True),
    _P.PREVENTS: PredicateMapping(
        "biolink:preventative_for_condition", "primaryPrevention", schema_org_inverse=True
    ),
    _P.SUBTYPE_OF: PredicateMapping("biolink:subclass_of", None),
}
