"""Diagnose responses rendered from JSON fragments prepared once, with an LRU of whole answers.

A diagnose answer is mostly fixed text: edges with their evidence, each cause's recommended
tests and treatments, node summaries. Those fragments are serialised through the response
schemas once (so they follow the contract exactly) and a request only joins them with its
scores. The graph is immutable, so a whole answer is cached by its canonical query.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache

from app.schemas.common import DisclaimerOut, EdgeOut, EvidenceOut, NodeSummary
from app.schemas.reasoning import ChainOut, RecommendationOut, RecommendedOut, RedFlagOut
from graph.reasoning import Chain, DiagnoseQuery, Diagnoser, Diagnosis, Recommendation

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


class DiagnosisRenderer:
    def __init__(
        self,
        diagnoser: Diagnoser,
        summaries: Mapping[str, NodeSummary],
        edges: Mapping[str, EdgeOut],
        disclaimer: DisclaimerOut,
        cache_size: int,
    ) -> None:
        self._diagnoser = diagnoser
        self._summaries = summaries
        self._edges = edges
        self._summary_json = {k: v.model_dump_json() for k, v in summaries.items()}
        self._recommended_json = {
            cause: recommended_out(summaries, edges, items).model_dump_json()
            for cause, items in diagnoser.recommendations.items()
        }
        self._chain_json: dict[tuple[str, str, str], str] = {}
        # Each red flag's JSON around its `triggered_by` list, which is the only part that varies.
        self._flag_json: dict[str, tuple[str, str]] = {}
        for flag in diagnoser.graph.red_flags:
            out = RedFlagOut(
                id=flag.id,
                name=flag.name,
                advice=flag.advice,
                triggered_by=[],
                evidence=EvidenceOut.all_of(flag.evidence),
            )
            head = out.model_dump_json(include={"id", "name", "advice"})[:-1]
            tail = out.model_dump_json(include={"evidence"})[1:]
            self._flag_json[flag.id] = (f'{head},"triggered_by":[', f"],{tail}")
        self._tail = (
            f',"disclaimer":{disclaimer.model_dump_json()}'
            f',"graph_version":{json.dumps(diagnoser.graph.version)}}}'
        )
        # Answers for the most recent distinct queries; errors are raised, never cached.
        self.render = lru_cache(maxsize=cache_size)(self._render)

    def _render(self, query: DiagnoseQuery) -> bytes:
        return self._json(self._diagnoser.diagnose(query)).encode()

    def _json(self, result: Diagnosis) -> str:
        summary = self._summary_json
        flags = ",".join(
            self._flag_json[flag.id][0]
            + ",".join(summary[s] for s in result.triage.triggers[flag.id])
            + self._flag_json[flag.id][1]
            for flag in result.triage.red_flags
        )
        candidates = ",".join(
            "{"
            f'"cause":{summary[c.cause]},"score":{json.dumps(round(c.score, 6))}'
            f',"matched":[{",".join(summary[s] for s in c.matched)}]'
            f',"contradicted":[{",".join(summary[s] for s in c.contradicted)}]'
            f',"explanation":[{",".join(self._chain(c.cause, s, s, ch) for s, ch in c.explanation.items())}]'
            f',"exposures":[{",".join(self._chain(e, c.cause, e, ch) for e, ch in c.exposures.items())}]'
            f',"recommended":{self._recommended_json[c.cause]}'
            "}"
            for c in result.candidates
        )
        question = result.next_question
        next_question = (
            "null"
            if question is None
            else (
                f'{{"symptom":{summary[question.symptom]},"question":{json.dumps(question.question)}'
                f',"information_gain":{json.dumps(question.information_gain)}'
                f',"reason":{json.dumps(question.reason)}}}'
            )
        )
        return (
            f'{{"triage":{{"level":"{result.triage.level.value}","red_flags":[{flags}]}}'
            f',"candidates":[{candidates}],"next_question":{next_question}{self._tail}'
        )

    def _chain(self, start: str, end: str, shown: str, chain: Chain) -> str:
        """A chain's JSON; the best chain between two nodes never changes, so it is kept."""
        key = (start, end, shown)
        cached = self._chain_json.get(key)
        if cached is None:
            cached = ChainOut(
                end=self._summaries[shown],
                strength=round(chain.strength, 6),
                edges=[self._edges[e.key] for e in chain.edges],
            ).model_dump_json()
            self._chain_json[key] = cached
        return cached
