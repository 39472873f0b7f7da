"""Response building for the reasoning endpoints: diagnose answers and grouped recommendations."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import orjson

from app.schemas.common import (
    CodeOut,
    DisclaimerOut,
    EdgeOut,
    EvidenceOut,
    NodeSummary,
    PrevalenceOut,
)
from app.schemas.reasoning import (
    CandidateOut,
    CauseOut,
    ChainOut,
    DemographicOut,
    DiagnoseResponse,
    ExplanationOut,
    GeneralRecommendationsOut,
    NextQuestionOut,
    RecommendationOut,
    RecommendedItemOut,
    RecommendedItemsOut,
    RecommendedOut,
    RedFlagOut,
    TriageOut,
)
from graph.reasoning import (
    PER_CAUSE_CACHE,
    Candidate,
    Chain,
    DiagnoseQuery,
    Diagnoser,
    Diagnosis,
    Recommendation,
)
from graph.schema.vocabulary import NodeKind

__all__ = ["DiagnosisRenderer", "recommended_out"]


def recommended_out(
    summaries: Mapping[str, NodeSummary],
    edges: Mapping[str, EdgeOut],
    items: tuple[Recommendation, ...],
) -> RecommendedOut:
    groups: dict[str, list[RecommendationOut]] = {
        "diagnostic": [],
        "treatment": [],
        "prevention": [],
    }
    for item in items:
        groups[item.category].append(
            RecommendationOut(
                node=summaries[item.node],
                via=None if item.via is None else summaries[item.via],
                edge=edges[item.edge.key],
            )
        )
    return RecommendedOut(
        diagnostics=groups["diagnostic"],
        treatments=groups["treatment"],
        prevention=groups["prevention"],
    )


_GROUPS = {"diagnostic": "diagnostics", "treatment": "treatments", "prevention": "prevention"}


def _fragment(data: object) -> orjson.Fragment:
    """`data` as JSON text that orjson copies as it is into whatever it serialises."""
    return orjson.Fragment(orjson.dumps(data))


class DiagnosisRenderer:
    """Diagnose answers built through the response models, with an LRU of whole answers.

    Compact by default (ids, names, probabilities, recommendations); the evidence behind each
    step comes with `explain`. The graph is immutable, so an answer is cached by its query.
    """

    def __init__(
        self,
        diagnoser: Diagnoser,
        summaries: Mapping[str, NodeSummary],
        edges: Mapping[str, EdgeOut],
        disclaimer: DisclaimerOut,
        cache_size: int,
    ) -> None:
        self._diagnoser = diagnoser
        self._graph = diagnoser.graph
        self._summaries = summaries
        self._edges = edges
        self._disclaimer = disclaimer
        # The parts every compact answer repeats are kept as JSON text (orjson fragments), so
        # each answer copies them instead of serialising their dicts again: 6,859 bytes of a
        # 10-candidate answer, serialised in 6.5 us instead of 12.5.
        self._disclaimer_json = _fragment(disclaimer.model_dump(mode="json", exclude_defaults=True))
        self._flag_data = {
            flag.id: {
                "id": flag.id,
                "name": flag.name,
                "advice": flag.advice,
                "sources": sorted({e.source for e in flag.evidence}),
            }
            for flag in self._graph.red_flags
        }
        # Per-cause parts of compact answers, made on first use (bounded for large packs).
        self._cause_parts = lru_cache(maxsize=PER_CAUSE_CACHE)(self._make_cause_parts)
        self._compact_general = lru_cache(maxsize=64)(self._make_compact_general)
        # Errors are raised, never cached.
        self.render = lru_cache(maxsize=cache_size)(self._render)

    def _render(self, query: DiagnoseQuery, explain: bool = False) -> bytes:
        result = self._diagnoser.diagnose(query)
        if explain:
            return self.response(result, explain).model_dump_json(exclude_defaults=True).encode()
        return orjson.dumps(self._compact(result))

    def _compact(self, result: Diagnosis) -> dict[str, Any]:
        """The default answer as data for orjson: the same JSON `response(result, False)`
        gives (tests compare them), built from per-cause parts serialised once, several times
        faster."""
        answer: dict[str, Any] = {
            "pack": result.pack,
            "triage": {
                "level": result.triage.level.value,
                **(
                    {"red_flags": [self._flag(f.id, result) for f in result.triage.red_flags]}
                    if result.triage.red_flags
                    else {}
                ),
            },
            "candidates": self._compact_candidates(result.candidates),
            "other_probability": round(result.other_probability, 6),
            "unlisted_probability": round(result.unlisted_probability, 6),
            "general_recommendations": self._compact_general(result.pack),
        }
        question = result.next_question
        if question is not None:
            answer["next_question"] = {
                "kind": question.kind.value,
                "id": question.node,
                # The node's own name, as its summary gives it, without building the summary
                # (a pydantic model; on the HPO pack, most questions miss their cache).
                "name": self._graph.node(question.node).name,
                "question": question.question,
                "information_gain": question.information_gain,
            }
        answer["should_stop"] = result.should_stop
        answer["disclaimer"] = self._disclaimer_json
        answer["graph_version"] = self._graph.version
        if result.demographics:
            answer["demographics"] = [
                {"field": u.field, "value": u.value, "used": u.used, "reason": u.reason}
                for u in result.demographics
            ]
        return answer

    def _compact_candidates(self, candidates: tuple[Candidate, ...]) -> list[dict[str, Any]]:
        parts = self._cause_parts
        found = []
        for candidate in candidates:
            cause, recommended = parts(candidate.cause)
            data: dict[str, Any] = {
                "cause": cause,
                "probability": round(candidate.probability, 6),
                "rank": candidate.rank,
            }
            # Tuples: orjson writes them as arrays. Empty lists are left out.
            if candidate.tied_with:
                data["tied_with"] = candidate.tied_with
            if candidate.matched:
                data["matched"] = candidate.matched
            if candidate.contradicted:
                data["contradicted"] = candidate.contradicted
            data["recommended"] = recommended
            found.append(data)
        return found

    def _flag(self, flag_id: str, result: Diagnosis) -> dict[str, Any]:
        return {**self._flag_data[flag_id], "triggered_by": list(result.triage.triggers[flag_id])}

    def response(self, result: Diagnosis, explain: bool) -> DiagnoseResponse:
        question = result.next_question
        return DiagnoseResponse(
            pack=result.pack,
            triage=TriageOut(
                level=result.triage.level,
                red_flags=[
                    RedFlagOut(
                        id=flag.id,
                        name=flag.name,
                        advice=flag.advice,
                        triggered_by=list(result.triage.triggers[flag.id]),
                        sources=sorted({e.source for e in flag.evidence}),
                        evidence=EvidenceOut.all_of(flag.evidence) if explain else None,
                    )
                    for flag in result.triage.red_flags
                ],
            ),
            candidates=[self._candidate(c, explain) for c in result.candidates],
            other_probability=round(result.other_probability, 6),
            unlisted_probability=round(result.unlisted_probability, 6),
            general_recommendations=[
                GeneralRecommendationsOut(
                    condition=condition,
                    care_pathway=f"/v1/nodes/{condition}/care-pathway",
                    **(self._items(items, explain) if explain else {}),
                )
                for condition, items in self._diagnoser.general_recommendations(result.pack)
            ],
            next_question=None
            if question is None
            else NextQuestionOut(
                kind=question.kind,
                id=question.node,
                name=self._summaries[question.node].name,
                question=question.question,
                information_gain=question.information_gain,
                reason=question.reason if explain else None,
            ),
            should_stop=result.should_stop,
            disclaimer=self._disclaimer,
            graph_version=self._graph.version,
            demographics=[
                DemographicOut(field=u.field, value=u.value, used=u.used, reason=u.reason)
                for u in result.demographics
            ],
        )

    def _make_cause_parts(self, cause: str) -> tuple[orjson.Fragment, orjson.Fragment]:
        """A compact candidate's cause and its recommended items, as JSON text."""
        items = self._items(self._diagnoser.recommendations(cause), explain=False)
        return (
            _fragment(self._cause_out(cause).model_dump(mode="json", exclude_defaults=True)),
            _fragment(RecommendedItemsOut(**items).model_dump(mode="json", exclude_defaults=True)),
        )

    def _make_compact_general(self, pack: str) -> orjson.Fragment:
        return _fragment(
            [
                GeneralRecommendationsOut(
                    condition=condition, care_pathway=f"/v1/nodes/{condition}/care-pathway"
                ).model_dump(mode="json", exclude_defaults=True)
                for condition, _ in self._diagnoser.general_recommendations(pack)
            ]
        )

    def _cause_out(self, cause: str) -> CauseOut:
        node = self._graph.node(cause)
        return CauseOut(
            id=node.id,
            name=node.name,
            codes=[CodeOut(system=c.system.value, code=c.code) for c in node.codes],
        )

    def _candidate(self, candidate: Candidate, explain: bool) -> CandidateOut:
        return CandidateOut(
            cause=self._cause_out(candidate.cause),
            probability=round(candidate.probability, 6),
            rank=candidate.rank,
            tied_with=list(candidate.tied_with),
            matched=list(candidate.matched),
            contradicted=list(candidate.contradicted),
            recommended=RecommendedItemsOut(
                **self._items(self._diagnoser.recommendations(candidate.cause), explain)
            ),
            explanation=self._explanation(candidate) if explain else None,
        )

    def _items(
        self, items: tuple[Recommendation, ...], explain: bool
    ) -> dict[str, list[RecommendedItemOut]]:
        """Items grouped as RecommendedItemsOut's fields."""
        groups: dict[str, list[RecommendedItemOut]] = {
            "diagnostics": [],
            "treatments": [],
            "prevention": [],
        }
        for item in items:
            groups[_GROUPS[item.category]].append(
                RecommendedItemOut(
                    id=item.node,
                    name=self._summaries[item.node].name,
                    via=item.via,
                    edge=self._edges[item.edge.key] if explain else None,
                )
            )
        return groups

    def _explanation(self, candidate: Candidate) -> ExplanationOut:
        prevalence = self._graph.node(candidate.cause).prevalence
        findings, exposures = [], []
        for ident in candidate.matched:
            if self._graph.kind(ident) is NodeKind.SYMPTOM:
                chain = self._diagnoser.finding_chain(candidate.cause, ident)
                if chain is not None:
                    findings.append(self._chain(ident, chain))
            else:
                chain = self._diagnoser.exposure_chain(ident, candidate.cause)
                if chain is not None:
                    exposures.append(self._chain(ident, chain))
        return ExplanationOut(
            prevalence=None if prevalence is None else PrevalenceOut.of(prevalence),
            prior=round(candidate.prior, 6),
            findings=findings,
            exposures=exposures,
        )

    def _chain(self, end: str, chain: Chain) -> ChainOut:
        return ChainOut(
            end=end,
            via=chain.named,
            sensitivity=round(chain.sensitivity, 6),
            edges=[self._edges[e.key] for e in chain.edges],
        )
