"""Free text to symptoms and exposures, present, absent or uncertain, ready for diagnose."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field, JsonValue, StringConstraints

from app.deps import parse_body, runtime_of
from app.openapi import json_request_body
from app.problems import FieldError, ProblemError, problem_responses
from app.runtime import Runtime
from app.schemas.common import SLUG
from graph.text.parse import MAX_TEXT, Experiencer, MentionKind, Polarity

__all__ = ["MentionOut", "ParseRequest", "ParseResponse", "router"]

router = APIRouter(prefix="/v1", tags=["reasoning"])

PARSE_EXAMPLE: dict[str, JsonValue] = {
    "text": "My knee keeps twitching after running, no swelling or redness.",
}


class ParseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [PARSE_EXAMPLE]})

    text: str = Field(
        min_length=1,
        max_length=MAX_TEXT,
        description="What the person wrote, in their own words.",
    )
    pack: Annotated[str, StringConstraints(pattern=rf"^{SLUG}$", max_length=60)] | None = Field(
        default=None,
        description="The pack to read the text against. By default every pack is tried and the "
        "one with the most mentions wins (the first loaded, e.g. `knee`, on a tie).",
    )


class MentionOut(BaseModel):
    id: str = Field(examples=["symptom:visible-twitching"])
    name: str = Field(examples=["Visible twitching around the knee"])
    kind: MentionKind = Field(
        description="`symptom`, or `exposure` for a cause the person says applies to them."
    )
    status: Polarity = Field(
        description='`absent` when the text negates it ("no swelling", "Not red."); '
        '`uncertain` when it hedges ("maybe", "might be", "I\'m not sure if") or puts '
        'it only in the past ("used to"): not sent to diagnose, so the next question can '
        "ask; otherwise `present`."
    )
    experiencer: Experiencer = Field(
        description='`family` when the text says it of a relative ("my mother has MS", '
        '"family history of ..."): kept here, left out of `diagnose`; otherwise `patient`.'
    )
    start: int = Field(ge=0, description="Character offset where the mention starts.")
    end: int = Field(ge=0, description="Character offset just past its end: [start, end).")
    text: str = Field(description="The mention as written.", examples=["twiching"])
    matched: str = Field(
        description="The name or synonym it matched, as written in the content.",
        examples=["twitching"],
    )
    typo: bool = Field(description="True when it matched only after repairing a misspelling.")


class DiagnoseLists(BaseModel):
    present: list[str] = Field(description="Present symptom ids.")
    absent: list[str] = Field(description="Absent symptom ids.")
    exposures: list[str] = Field(description="Cause ids reported as applying.")
    absent_exposures: list[str] = Field(description="Cause ids reported as not applying.")


class ParseResponse(BaseModel):
    pack: str | None = Field(description="The pack the text was read against.")
    mentions: list[MentionOut] = Field(description="In the order they appear in the text.")
    diagnose: DiagnoseLists = Field(
        description="The patient's present and absent mentions as the lists `POST /v1/diagnose` "
        "takes; when a node is mentioned twice, its last mention decides (an `uncertain` one "
        "leaves it out). Mentions of a relative are not in them."
    )


@router.post(
    "/parse",
    openapi_extra=json_request_body(ParseRequest),
    operation_id="parse",
    summary="Read symptoms and exposures from free text",
    response_model=ParseResponse,
    responses=problem_responses(400, 413, 422, 500),
)
async def parse(request: Request) -> Response:
    """Recognise the symptoms and exposures in what a person wrote: lay phrasing and synonyms
    from the packs, misspellings, and context with its scope (ConText, after NegEx: "no
    swelling or redness" negates both; "not painful, but it twitches" only the pain; "maybe
    swollen" is uncertain; "my mother has MS" is the family's). Each mention carries its node
    id, its status, whose it is, and its character span. Not a diagnosis."""
    content_type = request.headers.get("content-type", "")
    answer = answer_parse(runtime_of(request), await request.body(), content_type)
    return Response(answer, media_type="application/json")


def answer_parse(runtime: Runtime, raw: bytes, content_type: str) -> bytes:
    """The parse answer to a raw request body, as JSON (app/hotpaths.py serves it)."""
    body = parse_body(raw, content_type, ParseRequest)
    parser = runtime.parser
    if body.pack is not None and body.pack not in parser.packs:
        known = ", ".join(sorted(parser.packs))
        raise ProblemError(
            422,
            f"No pack {body.pack!r} with symptoms or causes; use one of: {known}.",
            errors=[FieldError(location="body.pack", message=f"use one of: {known}")],
        )
    pack, mentions = parser.parse(body.text, body.pack)
    last: dict[str, tuple[MentionKind, Polarity]] = {}
    for m in mentions:
        if m.experiencer is not Experiencer.PATIENT:
            continue  # a relative's history is not the patient's finding
        last.pop(m.node_id, None)  # re-inserted, so the order follows the last mention
        last[m.node_id] = (m.kind, m.polarity)
    lists: dict[tuple[MentionKind, Polarity], list[str]] = {
        (k, p): [] for k in MentionKind for p in Polarity
    }
    for node_id, key in last.items():
        lists[key].append(node_id)
    answer = ParseResponse(
        pack=pack,
        mentions=[
            MentionOut(
                id=m.node_id,
                name=m.name,
                kind=m.kind,
                status=m.polarity,
                start=m.start,
                end=m.end,
                text=m.text,
                matched=m.matched,
                typo=m.typo,
                experiencer=m.experiencer,
            )
            for m in mentions
        ],
        diagnose=DiagnoseLists(
            present=lists[MentionKind.SYMPTOM, Polarity.PRESENT],
            absent=lists[MentionKind.SYMPTOM, Polarity.ABSENT],
            exposures=lists[MentionKind.EXPOSURE, Polarity.PRESENT],
            absent_exposures=lists[MentionKind.EXPOSURE, Polarity.ABSENT],
        ),
    )
    return answer.__pydantic_serializer__.to_json(answer)
