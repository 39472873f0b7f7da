"""Reasoning over a loaded graph: explanations, ranked causes, triage, paths, care pathways."""

from graph.reasoning.diagnose import (
    PER_CAUSE_CACHE,
    Candidate,
    DiagnoseQuery,
    Diagnoser,
    Diagnosis,
    NextQuestion,
    Triage,
    TriageLevel,
)
from graph.reasoning.explain import Chain
from graph.reasoning.model import FindingKind, ModelParameters, PosteriorModel
from graph.reasoning.pathways import CarePathway, PathFinder, Recommendation, TypedPath

__all__ = [
    "PER_CAUSE_CACHE",
    "Candidate",
    "CarePathway",
    "Chain",
    "DiagnoseQuery",
    "Diagnoser",
    "Diagnosis",
    "FindingKind",
    "ModelParameters",
    "NextQuestion",
    "PathFinder",
    "PosteriorModel",
    "Recommendation",
    "Triage",
    "TriageLevel",
    "TypedPath",
]
