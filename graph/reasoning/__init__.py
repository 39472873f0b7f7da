"""Reasoning over a loaded graph: explanations, ranked causes, triage, paths, care pathways."""

from graph.reasoning.diagnose import (
    Candidate,
    DiagnoseQuery,
    Diagnoser,
    Diagnosis,
    NextQuestion,
    Triage,
    TriageLevel,
)
from graph.reasoning.explain import Chain, ScoringModel
from graph.reasoning.pathways import CarePathway, PathFinder, Recommendation, TypedPath

__all__ = [
    "Candidate",
    "CarePathway",
    "Chain",
    "DiagnoseQuery",
    "Diagnoser",
    "Diagnosis",
    "NextQuestion",
    "PathFinder",
    "Recommendation",
    "ScoringModel",
    "Triage",
    "TriageLevel",
    "TypedPath",
]
