"""Reasoning over a loaded graph: explanations, ranked causes, triage, paths, care pathways."""

from graph.reasoning.diagnose import PER_CAUSE_CACHE, Diagnoser
from graph.reasoning.explain import Chain
from graph.reasoning.model import PosteriorModel
from graph.reasoning.parameters import FindingKind, ModelParameters
from graph.reasoning.pathways import CarePathway, PathFinder, Recommendation, TypedPath
from graph.reasoning.query import (
    Candidate,
    DiagnoseQuery,
    Diagnosis,
    InvalidQueryError,
    NextQuestion,
    Triage,
    TriageLevel,
)

__all__ = [
    "PER_CAUSE_CACHE",
    "Candidate",
    "CarePathway",
    "Chain",
    "DiagnoseQuery",
    "Diagnoser",
    "Diagnosis",
    "FindingKind",
    "InvalidQueryError",
    "ModelParameters",
    "NextQuestion",
    "PathFinder",
    "PosteriorModel",
    "Recommendation",
    "Triage",
    "TriageLevel",
    "TypedPath",
]
