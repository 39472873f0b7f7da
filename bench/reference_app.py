"""The framework floor: a minimal FastAPI POST endpoint with diagnose's request body and a 2 KB
response model built once at import, so only HTTP + pydantic work remains per request.

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
    absent_exposures: list[str] = Field(default_factory=list, max_length=50)
    limit: int = Field(default=10, ge=1, le=50)


class Item(BaseModel):
    id: str
    name: str


class Answer(BaseModel):
    level: str
    items: list[Item]
    disclaimer: str
    version: str


# A 2 KB answer: the "minimal FastAPI POST" issue 9 measures diagnose against.
ANSWER = Answer(
    level="self_care",
    items=[Item(id=f"cause:candidate-{i}", name=f"Candidate cause number {i}") for i in range(24)],
    disclaimer="The information provided is for educational and reference purposes only. " * 4,
    version="0123456789abcdef",
)


@app.post("/diagnose")
async def diagnose(body: Body) -> Answer:
    return ANSWER
