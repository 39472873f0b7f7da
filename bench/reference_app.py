"""The framework floor: a minimal FastAPI app with diagnose's request body and a response of
the same shape and size, built once at import, so only HTTP + pydantic work remains per request.

Serve with: uvicorn bench.reference_app:app --port 8100 --no-access-log
"""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI(title="reference")


class Body(BaseModel):
    present: list[str] = Field(default_factory=list, max_length=50)
    absent: list[str] = Field(default_factory=list, max_length=50)
    exposures: list[str] = Field(default_factory=list, max_length=50)
    limit: int = Field(default=10, ge=1, le=50)


class Evidence(BaseModel):
    source: str
    excerpt: str
    cites: str | None


class Edge(BaseModel):
    id: str
    subject: str
    predicate: str
    object: str
    strength: float
    inferred: bool
    reasoning: str | None
    evidence: list[Evidence]


class Ref(BaseModel):
    id: str
    kind: str
    name: str


class Item(BaseModel):
    node: Ref
    via: Ref | None
    edge: Edge


class Candidate(BaseModel):
    cause: Ref
    score: float
    matched: list[Ref]
    chains: list[list[Edge]]
    recommended: list[Item]


class Answer(BaseModel):
    level: str
    candidates: list[Candidate]
    disclaimer: str
    version: str


def _edge(i: int) -> Edge:
    excerpt = "Some medications or supplements, such as diuretics, can cause an electrolyte " * 2
    return Edge(
        id=f"cause:c{i}|causes|symptom:s{i}",
        subject=f"cause:c{i}",
        predicate="causes",
        object=f"symptom:s{i}",
        strength=0.7,
        inferred=False,
        reasoning=None,
        evidence=[Evidence(source="source:a", excerpt=excerpt, cites=None)],
    )


def _ref(i: int) -> Ref:
    return Ref(id=f"cause:c{i}", kind="cause", name=f"Cause number {i}")


# About the size of a real three-symptom diagnose response (~57 KB; bench/run_bench.py checks).
ANSWER = Answer(
    level="seek_care",
    candidates=[
        Candidate(
            cause=_ref(i),
            score=0.9,
            matched=[_ref(j) for j in range(3)],
            chains=[[_edge(j), _edge(j + 1)] for j in range(3)],
            recommended=[Item(node=_ref(j), via=None, edge=_edge(j)) for j in range(7)],
        )
        for i in range(10)
    ],
    disclaimer="The information provided is for educational and reference purposes only. " * 12,
    version="0123456789abcdef",
)


@app.post("/diagnose")
async def diagnose(body: Body) -> Answer:
    return ANSWER
