"""Hand-written vignettes: what a person might say about their knee, coded as present and
absent symptoms and known (or ruled-out) exposures, with the causes and the triage level its
source article supports (`gold`). Gold answers are written from the articles, never from the
engine. graph/evaluation/vignette_metrics.py scores the engine on them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from graph.knowledge import KnowledgeGraph
from graph.reasoning import DiagnoseQuery
from graph.schema.vocabulary import NodeKind, Predicate

__all__ = [
    "DEFAULT_VIGNETTES_DIR",
    "Vignette",
    "VignetteError",
    "accepted_answers",
    "check_against_graph",
    "load_vignettes",
    "pack_causes",
    "pack_symptoms",
    "query_for",
]

DEFAULT_VIGNETTES_DIR = Path(__file__).resolve().parents[2] / "tests" / "vignettes"

Split = Literal["dev", "test"]
TriageGold = Literal["self_care", "seek_care"]


class VignetteError(ValueError):
    """A vignette file that cannot be read or does not describe valid vignettes."""


class Vignette(BaseModel):
    """One case: the evidence a person reports and the answers its source supports."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    narrative: str = Field(min_length=1)
    present: tuple[str, ...] = Field(min_length=1)
    absent: tuple[str, ...] = ()
    exposures: tuple[str, ...] = ()
    absent_exposures: tuple[str, ...] = ()
    gold: tuple[str, ...] = Field(min_length=1)
    gold_triage: TriageGold
    quote: str = Field(min_length=1)
    source: str = Field(pattern=r"^source:[a-z0-9-]+$")
    confidence: Literal["stated", "implied", "inferred"]
    split: Split

    @field_validator("present", "absent", "exposures", "absent_exposures", "gold")
    @classmethod
    def _no_repeats(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        repeated = sorted({v for v in value if value.count(v) > 1})
        if repeated:
            raise ValueError(f"listed more than once: {', '.join(repeated)}")
        return value


def load_vignettes(folder: Path = DEFAULT_VIGNETTES_DIR) -> list[Vignette]:
    """Every vignette in `folder/*.yaml`, in file then list order.

    Raises `VignetteError` naming the file and the vignette id (or position) of every problem.
    """
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise VignetteError(f"{folder}: no vignette files (*.yaml)")
    problems: list[str] = []
    vignettes: list[Vignette] = []
    seen: dict[str, str] = {}
    for path in files:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            problems.append(f"{path.name}: cannot read: {exc}")
            continue
        if not isinstance(raw, list):
            problems.append(f"{path.name}: expected a list of vignettes")
            continue
        for position, item in enumerate(raw, start=1):
            label = f"#{position}"
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                label = item["id"]
            try:
                vignette = Vignette.model_validate(item)
            except ValidationError as exc:
                for error in exc.errors():
                    where = ".".join(str(part) for part in error["loc"]) or "-"
                    problems.append(f"{path.name}: {label}: {where}: {error['msg']}")
                continue
            if vignette.id in seen:
                problems.append(f"{path.name}: {label}: id already used in {seen[vignette.id]}")
                continue
            seen[vignette.id] = path.name
            vignettes.append(vignette)
    if problems:
        raise VignetteError("invalid vignettes:\n  " + "\n  ".join(problems))
    return vignettes


def check_against_graph(vignettes: Iterable[Vignette], graph: KnowledgeGraph) -> list[str]:
    """Ids that name no node of the right kind, or causes both reported and ruled out."""
    problems: list[str] = []
    for v in vignettes:
        for field, ids, kind in (
            ("present", v.present, NodeKind.SYMPTOM),
            ("absent", v.absent, NodeKind.SYMPTOM),
            ("exposures", v.exposures, NodeKind.CAUSE),
            ("absent_exposures", v.absent_exposures, NodeKind.CAUSE),
            ("gold", v.gold, NodeKind.CAUSE),
        ):
            for ident in ids:
                if not graph.has_node(ident) or graph.node(ident).kind is not kind:
                    problems.append(f"{v.id}: {field}: {ident} is not a {kind.value} id")
        for field, left, right in (
            ("absent", v.present, v.absent),
            ("absent_exposures", v.exposures, v.absent_exposures),
        ):
            for ident in sorted(set(left) & set(right)):
                problems.append(f"{v.id}: {field}: {ident} is reported both present and absent")
    return problems


def pack_causes(graph: KnowledgeGraph, pack: str) -> list[str]:
    """The pack's causes in the content's own order."""
    ids = [n.id for n in graph.nodes(NodeKind.CAUSE) if graph.pack_of[n.id] == pack]
    return sorted(ids, key=lambda i: graph.content_order[i])


def pack_symptoms(graph: KnowledgeGraph, pack: str) -> list[str]:
    """The pack's symptoms in the content's own order."""
    ids = [n.id for n in graph.nodes(NodeKind.SYMPTOM) if graph.pack_of[n.id] == pack]
    return sorted(ids, key=lambda i: graph.content_order[i])


def query_for(vignette: Vignette, limit: int) -> DiagnoseQuery:
    return DiagnoseQuery.of(
        present=vignette.present,
        absent=vignette.absent,
        exposures=vignette.exposures,
        absent_exposures=vignette.absent_exposures,
        limit=limit,
    )


def accepted_answers(graph: KnowledgeGraph, gold: Iterable[str]) -> set[str]:
    """The gold causes and every kind of them: naming nerve compression where the gold is
    "nerve irritation or injury" is a more specific right answer, not a wrong one."""
    accepted = set(gold)
    frontier = list(accepted)
    while frontier:
        parent = frontier.pop()
        for edge in graph.edges(predicate=Predicate.SUBTYPE_OF, object=parent):
            if edge.subject not in accepted:
                accepted.add(edge.subject)
                frontier.append(edge.subject)
    return accepted
