"""Evaluate the diagnose engine on hand-written vignettes, and measure how often it ties.

A vignette is what a person might say about their knee, coded as present and absent symptoms
and known (or ruled-out) exposures, with the causes and the triage level its source article
supports (`gold`). Gold answers are written from the articles, never from the engine.

    python -m graph.evaluation.vignettes [--split dev|test|all] [--vignettes DIR] [--pack DIR]

Metrics, overall and per split:

- top-1: a hit only when every candidate sharing rank 1 is a gold cause (or a kind of one:
  a subtype of a gold cause is a more specific right answer);
- top-3: some gold cause (or a kind of one) is ranked 3rd or better;
- triage accuracy, with over-triage (seek_care for a self_care case) and under-triage
  (self_care for a seek_care case) counted separately;
- Brier score over the pack's causes plus `other`, gold spreading 1 evenly over its causes;
- expected calibration error (10 equal-width bins) of the probability on the rank-1 candidates
  (together) against top-1 hits.

Over the pack itself (every single symptom and every symptom pair): the tie rate, the share of
queries where more than 2 causes share rank 1, and how often a rank-1 or top-3 candidate has
nothing to recommend.
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from graph.knowledge import KnowledgeGraph
from graph.packs.loader import DEFAULT_PACKS_DIR
from graph.reasoning import DiagnoseQuery, Diagnoser, Diagnosis
from graph.schema.vocabulary import NodeKind, Predicate

__all__ = [
    "DEFAULT_VIGNETTES_DIR",
    "Metrics",
    "Outcome",
    "Report",
    "TieReport",
    "Vignette",
    "VignetteError",
    "evaluate",
    "load_vignettes",
    "main",
    "metrics",
    "query_for",
    "run_vignette",
    "tie_report",
]

DEFAULT_VIGNETTES_DIR = Path(__file__).resolve().parents[2] / "tests" / "vignettes"
DEFAULT_PACK_DIR = DEFAULT_PACKS_DIR / "knee"

# A query is "tied" when more than this many causes share rank 1.
TIE_LIMIT = 2
CALIBRATION_BINS = 10

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


# Running --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """How the engine answered one vignette."""

    vignette: Vignette
    diagnosis: Diagnosis
    top1_hit: bool
    top3_hit: bool
    triage: str
    brier: float

    @property
    def top1_probability(self) -> float:
        """The engine's probability that the cause is among its rank-1 candidates."""
        return sum(c.probability for c in self.diagnosis.candidates if c.rank == 1)

    @property
    def gold_probability(self) -> float:
        """The engine's total probability on the gold causes."""
        gold = set(self.vignette.gold)
        return sum(c.probability for c in self.diagnosis.candidates if c.cause in gold)

    @property
    def triage_ok(self) -> bool:
        return self.triage == self.vignette.gold_triage

    @property
    def over_triaged(self) -> bool:
        return self.vignette.gold_triage == "self_care" and self.triage == "seek_care"

    @property
    def under_triaged(self) -> bool:
        return self.vignette.gold_triage == "seek_care" and self.triage == "self_care"


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


def run_vignette(diagnoser: Diagnoser, vignette: Vignette, causes: Sequence[str]) -> Outcome:
    diagnosis = diagnoser.diagnose(query_for(vignette, len(causes)))
    gold = accepted_answers(diagnoser.graph, vignette.gold)
    leaders = [c.cause for c in diagnosis.candidates if c.rank == 1]
    top1 = bool(leaders) and all(c in gold for c in leaders)
    top3 = any(c.cause in gold and c.rank <= 3 for c in diagnosis.candidates)
    return Outcome(
        vignette=vignette,
        diagnosis=diagnosis,
        top1_hit=top1,
        top3_hit=top3,
        triage=diagnosis.triage.level.value,
        brier=_brier(diagnosis, set(vignette.gold), causes),
    )


def _brier(diagnosis: Diagnosis, gold: set[str], causes: Sequence[str]) -> float:
    """Multi-class Brier score over the causes plus `other`; y spreads 1 evenly over gold."""
    probability = {c.cause: c.probability for c in diagnosis.candidates}
    share = 1.0 / len(gold)
    total = diagnosis.other_probability**2  # `other` is never gold
    for cause in causes:
        y = share if cause in gold else 0.0
        total += (probability.get(cause, 0.0) - y) ** 2
    return total


@dataclass(frozen=True, slots=True)
class Metrics:
    count: int
    top1: float
    top3: float
    triage: float
    over_triage: int
    under_triage: int
    brier: float
    ece: float


def metrics(outcomes: Sequence[Outcome]) -> Metrics:
    n = len(outcomes)
    if n == 0:
        return Metrics(0, math.nan, math.nan, math.nan, 0, 0, math.nan, math.nan)
    return Metrics(
        count=n,
        top1=sum(o.top1_hit for o in outcomes) / n,
        top3=sum(o.top3_hit for o in outcomes) / n,
        triage=sum(o.triage_ok for o in outcomes) / n,
        over_triage=sum(o.over_triaged for o in outcomes),
        under_triage=sum(o.under_triaged for o in outcomes),
        brier=sum(o.brier for o in outcomes) / n,
        ece=calibration_error([(o.top1_probability, o.top1_hit) for o in outcomes]),
    )


def calibration_error(
    predictions: Sequence[tuple[float, bool]], bins: int = CALIBRATION_BINS
) -> float:
    """Expected calibration error: the count-weighted gap between confidence and accuracy
    in equal-width probability bins (a probability of exactly 1 falls in the last bin)."""
    grouped: dict[int, list[tuple[float, bool]]] = {}
    for p, hit in predictions:
        grouped.setdefault(min(int(p * bins), bins - 1), []).append((p, hit))
    n = len(predictions)
    error = 0.0
    for members in grouped.values():
        confidence = sum(p for p, _ in members) / len(members)
        accuracy = sum(hit for _, hit in members) / len(members)
        error += len(members) / n * abs(confidence - accuracy)
    return error


# Ties and empty recommendations over the pack -------------------------------------------


@dataclass(frozen=True, slots=True)
class TieReport:
    queries: int
    tied: int  # queries where more than TIE_LIMIT causes share rank 1
    largest_tie: int
    shared: int  # queries where rank 1 is shared at all (2 or more causes)
    empty_leader: int  # queries where some rank-1 candidate recommends nothing
    empty_top3: int  # queries where some top-3 candidate recommends nothing
    empty_causes: tuple[str, ...]  # the causes that recommend nothing when in the top 3

    @property
    def tie_rate(self) -> float:
        return self.tied / self.queries if self.queries else math.nan

    @property
    def empty_leader_share(self) -> float:
        return self.empty_leader / self.queries if self.queries else math.nan


def symptom_queries(graph: KnowledgeGraph, pack: str) -> list[tuple[str, ...]]:
    """Every single symptom and every pair of symptoms of the pack."""
    symptoms = pack_symptoms(graph, pack)
    singles = [(s,) for s in symptoms]
    return singles + list(itertools.combinations(symptoms, 2))


def tie_report(diagnoser: Diagnoser, pack: str) -> TieReport:
    graph = diagnoser.graph
    limit = len(pack_causes(graph, pack))
    tied = shared = largest = empty_leader = empty_top3 = 0
    empty: set[str] = set()
    queries = symptom_queries(graph, pack)
    for present in queries:
        diagnosis = diagnoser.diagnose(DiagnoseQuery.of(present=present, limit=limit))
        leaders = [c.cause for c in diagnosis.candidates if c.rank == 1]
        largest = max(largest, len(leaders))
        tied += len(leaders) > TIE_LIMIT
        shared += len(leaders) > 1
        empty_leader += any(not diagnoser.recommendations(c) for c in leaders)
        missing = _empty_top3(diagnoser, diagnosis)
        empty_top3 += bool(missing)
        empty.update(missing)
    return TieReport(
        queries=len(queries),
        tied=tied,
        largest_tie=largest,
        shared=shared,
        empty_leader=empty_leader,
        empty_top3=empty_top3,
        empty_causes=tuple(sorted(empty, key=lambda c: graph.content_order[c])),
    )


def _empty_top3(diagnoser: Diagnoser, diagnosis: Diagnosis) -> list[str]:
    return [
        c.cause
        for c in diagnosis.candidates
        if c.rank <= 3 and not diagnoser.recommendations(c.cause)
    ]


# The whole evaluation ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Report:
    pack: str
    outcomes: tuple[Outcome, ...]
    ties: TieReport
    # Vignettes whose top-3 holds a candidate with nothing to recommend, with those causes.
    empty_in_vignettes: tuple[tuple[str, tuple[str, ...]], ...]

    def by_split(self, split: str) -> list[Outcome]:
        if split == "all":
            return list(self.outcomes)
        return [o for o in self.outcomes if o.vignette.split == split]


def evaluate(
    graph: KnowledgeGraph, vignettes: Sequence[Vignette], diagnoser: Diagnoser | None = None
) -> Report:
    problems = check_against_graph(vignettes, graph)
    if problems:
        raise VignetteError("vignettes do not fit the graph:\n  " + "\n  ".join(problems))
    if not vignettes:
        raise VignetteError("no vignettes to evaluate")
    diagnoser = diagnoser or Diagnoser(graph)
    packs = {diagnoser.check(query_for(v, 1)) for v in vignettes}
    if len(packs) != 1:
        raise VignetteError(f"the vignettes span packs {', '.join(sorted(packs))}; use one")
    pack = packs.pop()
    causes = pack_causes(graph, pack)
    outcomes = tuple(run_vignette(diagnoser, v, causes) for v in vignettes)
    empty = tuple(
        (o.vignette.id, tuple(missing))
        for o in outcomes
        if (missing := _empty_top3(diagnoser, o.diagnosis))
    )
    return Report(pack, outcomes, tie_report(diagnoser, pack), empty)


# Printing -------------------------------------------------------------------------------


def _pct(value: float) -> str:
    return "   n/a" if math.isnan(value) else f"{value * 100:5.1f}%"


def _num(value: float) -> str:
    return "  n/a" if math.isnan(value) else f"{value:.3f}"


def format_report(report: Report, split: str = "all") -> str:
    lines = [f"Vignette evaluation, pack {report.pack!r}", ""]
    header = (
        f"{'split':<6} {'n':>3}  {'top-1':>6}  {'top-3':>6}  {'triage':>6}  "
        f"{'over':>4}  {'under':>5}  {'Brier':>6}  {'ECE':>6}"
    )
    lines += [header, "-" * len(header)]
    for name in ("all", "dev", "test") if split == "all" else (split,):
        m = metrics(report.by_split(name))
        lines.append(
            f"{name:<6} {m.count:>3}  {_pct(m.top1)}  {_pct(m.top3)}  {_pct(m.triage)}  "
            f"{m.over_triage:>4}  {m.under_triage:>5}  {_num(m.brier):>6}  {_num(m.ece):>6}"
        )
    t = report.ties
    lines += [
        "",
        f"Tie rate (more than {TIE_LIMIT} causes share rank 1), over {t.queries} single-symptom "
        f"and symptom-pair queries: {t.tied}/{t.queries} = {_pct(t.tie_rate).strip()} "
        f"(largest tie: {t.largest_tie}; rank 1 shared by 2 or more: {t.shared}/{t.queries})",
        f"Queries whose rank-1 candidates include one with no recommendation: "
        f"{t.empty_leader}/{t.queries} = {_pct(t.empty_leader_share).strip()}",
        f"Queries with a top-3 candidate with no recommendation: {t.empty_top3}/{t.queries}"
        + (f" ({', '.join(t.empty_causes)})" if t.empty_causes else ""),
        f"Vignettes with a top-3 candidate with no recommendation: "
        f"{len(report.empty_in_vignettes)}"
        + "".join(f"\n  {vid}: {', '.join(causes)}" for vid, causes in report.empty_in_vignettes),
    ]
    misses = [o for o in report.by_split(split) if not (o.top1_hit and o.top3_hit and o.triage_ok)]
    lines += ["", f"Vignettes missed ({len(misses)}):" if misses else "No vignette missed."]
    for o in misses:
        v = o.vignette
        what = [
            name
            for name, ok in (("top-1", o.top1_hit), ("top-3", o.top3_hit), ("triage", o.triage_ok))
            if not ok
        ]
        top = ", ".join(
            f"#{c.rank} {c.cause} {c.probability:.3f}"
            for c in o.diagnosis.candidates
            if c.rank <= 3
        )
        lines += [
            f"- {v.id} [{v.split}, {v.confidence}] missed {', '.join(what)}",
            f"    gold: {', '.join(v.gold)}; triage {v.gold_triage} (engine: {o.triage})",
            f"    engine top-3: {top}; other {o.diagnosis.other_probability:.3f}; "
            f"P(gold) {o.gold_probability:.3f}",
        ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m graph.evaluation.vignettes",
        description="Evaluate diagnose on the vignettes.",
    )
    parser.add_argument("--split", choices=("dev", "test", "all"), default="all")
    parser.add_argument("--vignettes", type=Path, default=DEFAULT_VIGNETTES_DIR)
    parser.add_argument("--pack", type=Path, default=DEFAULT_PACK_DIR)
    args = parser.parse_args(argv)
    try:
        vignettes = load_vignettes(args.vignettes)
        report = evaluate(KnowledgeGraph.from_packs([args.pack]), vignettes)
    except VignetteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(format_report(report, args.split))
    return 0


if __name__ == "__main__":
    sys.exit(main())
