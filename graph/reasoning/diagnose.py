"""Ranked candidate causes for reported findings, with triage and the most useful next question.

The posterior comes from `PosteriorModel` (graph/reasoning/model.py): priors from the content's
prevalence classes, sensitivities from its edge frequencies, and an explicit remainder for
something not in the graph. docs/scoring.md walks through a worked example.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from graph.knowledge import KnowledgeGraph
from graph.reasoning.demographics import DemographicUse, describe_use
from graph.reasoning.explain import (
    Chain,
    broader_symptoms,
    exposure_chains,
    symptom_chains,
    through_subtypes,
)
from graph.reasoning.likelihoods import Sensitivities
from graph.reasoning.model import PosteriorModel
from graph.reasoning.parameters import FindingKind, ModelParameters
from graph.reasoning.pathways import Recommendation, recommendations_for
from graph.reasoning.query import (
    Candidate,
    DiagnoseQuery,
    Diagnosis,
    InvalidQueryError,
    NextQuestion,
    QuestionGrounds,
    Triage,
    TriageLevel,
)
from graph.reasoning.ranking import (
    answer_head,
    answers_change_leaders,
    finding_roles,
    head_by_key,
    tied_with,
)
from graph.reasoning.table import binary_entropy
from graph.schema.onsets import ONSET_CLASSES, Sex
from graph.schema.records import EdgeRecord, NodeRecord
from graph.schema.vocabulary import NodeKind, Predicate

__all__ = ["PER_CAUSE_CACHE", "Diagnoser"]

# Entries in each per-cause cache (explanation chains, recommendations, and the answer parts
# app/render.py keeps): more than the largest pack has causes (HPO/OMIM: 8,352), so a server
# whose traffic has met every cause builds no part twice. At 4,096, traffic over the whole
# HPO pack kept evicting and rebuilding them; every cause's parts take 24 MiB (tracemalloc).
PER_CAUSE_CACHE = 16_384

# The next question is chosen among the findings the leading candidates touch.
_QUESTION_CANDIDATES = 20
# A question is worth asking only if some answer changes the order of this many leaders.
_RANKING_DEPTH = 3
# At most this many other candidates are named in a `tied_with` list.
_MAX_TIED = 20
# How many of the most informative questions are checked for whether they change the ranking.
_QUESTIONS_CHECKED = 8
_SEXES = frozenset({*(s.value for s in Sex), "unknown"})
_AGES = frozenset(c.key for c in ONSET_CLASSES)


class Diagnoser:
    """Answers diagnose queries from one posterior model per pack, built once per graph."""

    def __init__(
        self,
        graph: KnowledgeGraph,
        params: ModelParameters | None = None,
        sensitivities: Mapping[str, Sensitivities] | None = None,
    ) -> None:
        """`sensitivities`: each pack's, when computed already (a built pack stores them)."""
        self.graph = graph
        self.params = params or ModelParameters()
        self.models: dict[str, PosteriorModel] = {}
        packs: dict[str, list[NodeRecord]] = {}
        for node in sorted(graph.nodes(), key=lambda n: graph.content_order[n.id]):
            packs.setdefault(graph.pack_of[node.id], []).append(node)
        for pack, ordered in packs.items():
            causes = [n.id for n in ordered if graph.kind(n.id) is NodeKind.CAUSE]
            if not causes:
                continue
            self.models[pack] = PosteriorModel(
                graph,
                causes=causes,
                symptoms=[n.id for n in ordered if graph.kind(n.id) is NodeKind.SYMPTOM],
                conditions=[n.id for n in ordered if graph.kind(n.id) is NodeKind.CONDITION],
                params=self.params,
                sensitivities=(sensitivities or {}).get(pack),
            )
        self._unaskable_masks: dict[int, npt.NDArray[np.bool_]] = {}
        self._kinds = {n.id: n.kind for n in graph.nodes()}
        # The usual query is checked with set inclusions on these.
        self._symptom_ids = frozenset(i for i, k in self._kinds.items() if k is NodeKind.SYMPTOM)
        self._cause_ids = frozenset(i for i, k in self._kinds.items() if k is NodeKind.CAUSE)
        # Each pack's prior probabilities, as floats read by index (cheaper than numpy's).
        self._priors = {
            pack: model.prior_probability.tolist() for pack, model in self.models.items()
        }
        # Each pack's finding columns by id: symptoms, and causes as exposures.
        self._columns = {
            pack: tuple(
                {ident: j for (k, ident), j in model.finding_index.items() if k is kind}
                for kind in (FindingKind.SYMPTOM, FindingKind.EXPOSURE)
            )
            for pack, model in self.models.items()
        }
        # The symptoms any red flag names: a query reporting none of them fires none, which
        # one set test finds (the answer is then shared, hence read-only).
        self._flag_symptoms = frozenset(s for flag in graph.red_flags for s in flag.any_present)
        self._no_flags = Triage(TriageLevel.SELF_CARE, red_flags=(), triggers=MappingProxyType({}))
        # Triage depends only on which warning-sign symptoms are reported: few sets recur.
        self._flag_triage = lru_cache(maxsize=1024)(self._make_flag_triage)
        self.symptom_chains = lru_cache(maxsize=PER_CAUSE_CACHE)(self._symptom_chains)
        # A symptom's paths up the symptom hierarchy, shared by every cause that names it.
        self.broader_symptoms = lru_cache(maxsize=PER_CAUSE_CACHE)(self._broader_symptoms)
        self.exposure_chain = lru_cache(maxsize=PER_CAUSE_CACHE)(self._exposure_chain)
        self.recommendations = lru_cache(maxsize=PER_CAUSE_CACHE)(self._recommendations)
        self.general_recommendations = lru_cache(maxsize=64)(self._general_recommendations)

    # Validation -----------------------------------------------------------------------

    def check(self, query: DiagnoseQuery) -> str:
        """The pack the query is about; raises `InvalidQueryError` listing every problem."""
        symptoms, causes = self._symptom_ids, self._cause_ids
        # The usual query, every id known and of its kind, is checked without listing.
        if not (
            query.present <= symptoms
            and query.absent <= symptoms
            and query.exposures <= causes
            and query.absent_exposures <= causes
            and query.present.isdisjoint(query.absent)
            and query.exposures.isdisjoint(query.absent_exposures)
            and (query.pack is None or query.pack in self.models)
            and (query.sex is None or query.sex in _SEXES)
            and (query.age is None or query.age in _AGES)
        ):
            raise InvalidQueryError(self._issues(query))
        return self._pack_of(query)

    def _issues(self, query: DiagnoseQuery) -> list[tuple[str, str, str]]:
        """Every problem of a query `check` refused, field by field, ids sorted."""
        issues: list[tuple[str, str, str]] = []
        kinds = self._kinds
        for field, ids, kind in (
            ("present", query.present, NodeKind.SYMPTOM),
            ("absent", query.absent, NodeKind.SYMPTOM),
            ("exposures", query.exposures, NodeKind.CAUSE),
            ("absent_exposures", query.absent_exposures, NodeKind.CAUSE),
        ):
            for ident in sorted(ids):
                found = kinds.get(ident)
                if found is None:
                    issues.append((field, ident, f"unknown {kind.value} id"))
                elif found is not kind:
                    issues.append((field, ident, f"not a {kind.value} id"))
        for field, both in (
            ("absent", query.present & query.absent),
            ("absent_exposures", query.exposures & query.absent_exposures),
        ):
            issues += [(field, ident, "reported both present and absent") for ident in sorted(both)]
        if query.sex is not None and query.sex not in _SEXES:
            issues.append(("sex", query.sex, f"not one of {', '.join(sorted(_SEXES))}"))
        if query.age is not None and query.age not in _AGES:
            issues.append(("age", query.age, f"not an onset class ({', '.join(sorted(_AGES))})"))
        pack = query.pack
        if pack is not None and pack not in self.models:
            known = ", ".join(sorted(self.models))
            issues.append(("pack", pack, f"no pack with causes has this id (packs: {known})"))
        return issues

    def _pack_of(self, query: DiagnoseQuery) -> str:
        if query.pack is None and len(self.models) == 1:
            # The ids' packs with causes can only be this one, or none: either way, this one.
            return next(iter(self.models))
        ids = query.present | query.absent | query.exposures | query.absent_exposures
        packs = sorted({self.graph.pack_of[i] for i in ids} & set(self.models))
        if query.pack is not None:
            outside = sorted(i for i in ids if self.graph.pack_of[i] != query.pack)
            if outside:
                raise InvalidQueryError(
                    [("pack", i, f"belongs to pack {self.graph.pack_of[i]!r}") for i in outside]
                )
            return query.pack
        if len(packs) == 1:
            return packs[0]
        if not packs and len(self.models) == 1:
            return next(iter(self.models))
        raise InvalidQueryError(
            [("pack", "-", f"the ids come from packs {', '.join(packs)}; name one with `pack`")]
        )

    # Diagnosis ------------------------------------------------------------------------

    def diagnose(self, query: DiagnoseQuery) -> Diagnosis:
        pack = self.check(query)
        model = self.models[pack]
        symptom_column, exposure_column = self._columns[pack]
        present = [symptom_column[i] for i in query.present if i in symptom_column]
        present += [exposure_column[i] for i in query.exposures if i in exposure_column]
        absent = [symptom_column[i] for i in query.absent if i in symptom_column]
        absent += [exposure_column[i] for i in query.absent_exposures if i in exposure_column]
        # Summing in one order makes equal evidence give bit-identical scores.
        present.sort()
        absent.sort()
        # Only the leaders are ever read: those shown, named as tied, or asked about.
        count = max(query.limit + _MAX_TIED, _QUESTION_CANDIDATES)
        power = self.params.evidence_power(len(present) + len(absent))
        # The sex and age columns (last in finding order) score with the findings, but are
        # not findings a cause matches or contradicts.
        uses, traits = self._demographics(model, query)
        scored = present + traits
        present_at = np.array(present, dtype=np.int64)
        absent_at = np.array(absent, dtype=np.int64)
        scored_at = np.array(scored, dtype=np.int64) if traits else present_at
        head_size = query.limit + _MAX_TIED
        if model.dense:  # numpy on dense tables: the reference the compiled loops answer as
            found = answer_head(
                model,
                scored,
                present,
                absent,
                count,
                power,
                query.limit,
                head_size,
                _QUESTION_CANDIDATES,
            )
        else:  # one compiled loop over the stored pairs (graph/reasoning/kernel.py)
            found = model.answer_head(
                scored_at,
                present_at,
                absent_at,
                count,
                power,
                query.limit,
                head_size,
                _QUESTION_CANDIDATES,
            )
        scores, ranked, normaliser, rank_array, role_flags, role_kinds, exponents, top = found
        shown = min(query.limit, len(ranked))
        # Every exp an answer shows, in one numpy call: the shown causes' probabilities, then
        # the leaders' weights relative to the highest of theirs.
        exps = np.exp(exponents)
        probabilities = exps[:shown].tolist()
        rows = ranked[:head_size].tolist()
        ranks = rank_array.tolist()
        causes, prior_of = model.causes, self._priors[pack]
        leading = [causes[i] for i in rows]
        priors = [prior_of[i] for i in rows[:shown]]
        ties = tied_with(leading, ranks, shown)
        shows_more, shows_less = role_flags.tolist()
        distinct_roles = finding_roles(model, present, absent, shows_more, shows_less)
        roles = [distinct_roles[k] for k in role_kinds.tolist()]
        candidates = tuple(
            [
                Candidate(
                    cause,
                    probability,
                    rank,
                    others,
                    prior,
                    matched,
                    contradicted,
                )
                # The shown ones: `leading` and `ranks` go on with the tied.
                for cause, rank, others, probability, prior, (matched, contradicted) in zip(
                    leading, ranks, ties, probabilities, priors, roles, strict=False
                )
            ]
        )
        other = math.exp(model.log_other - normaliser)
        question = self._next_question(
            model,
            scores,
            ranked,
            rank_array,
            exps[shown:],
            math.exp(model.log_other - top),
            (scored_at, absent_at),
            power,
        )
        return Diagnosis(
            pack=pack,
            triage=self._triage(query),
            candidates=candidates,
            other_probability=other,
            unlisted_probability=max(0.0, 1.0 - sum(probabilities) - other),
            next_question=question,
            should_stop=question is None,
            demographics=uses,
        )

    def _demographics(
        self, model: PosteriorModel, query: DiagnoseQuery
    ) -> tuple[tuple[DemographicUse, ...], list[int]]:
        """How the query's sex and age are read, and the model columns they add."""
        if query.sex is None and query.age is None:
            return (), []
        uses: list[DemographicUse] = []
        columns: list[int] = []
        for field, value in (("sex", query.sex), ("age", query.age)):
            key = f"{field}:{value}"
            moved = model.demographic_moved.get(key, 0)
            use = describe_use(field, value, model.demographic_columns, moved, self.params)
            if use is None:
                continue
            uses.append(use)
            if use.used:
                columns.append(model.finding_index[(FindingKind.DEMOGRAPHIC, key)])
        return tuple(uses), columns

    def _triage(self, query: DiagnoseQuery) -> Triage:
        if query.present.isdisjoint(self._flag_symptoms):
            return self._no_flags
        return self._flag_triage(query.present & self._flag_symptoms)

    def _make_flag_triage(self, reported: frozenset[str]) -> Triage:
        """The triage for the reported warning-sign symptoms (shared, hence read-only)."""
        fired = [
            (flag, tuple(s for s in flag.any_present if s in reported))
            for flag in self.graph.red_flags
        ]
        fired = [(flag, hits) for flag, hits in fired if hits]
        return Triage(
            level=TriageLevel.SEEK_CARE if fired else TriageLevel.SELF_CARE,
            red_flags=tuple(flag for flag, _ in fired),
            triggers=MappingProxyType({flag.id: hits for flag, hits in fired}),
        )

    # Next question --------------------------------------------------------------------

    def _next_question(
        self,
        model: PosteriorModel,
        scores: npt.NDArray[np.float64],
        ranked: npt.NDArray[np.int64],
        ranks: npt.NDArray[np.int64],
        weights: npt.NDArray[np.float64],
        other: float,
        answered: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]],
        power: float,
    ) -> NextQuestion | None:
        """The unanswered finding with the largest expected information gain among those
        whose answer (yes or no) would change the leading candidates; None when none would.

        Gains are computed over the leading candidates plus `other`, on the findings their
        rows touch: everything else answers at the background rate for all of them.
        `weights` and `other` are exp(score less the leaders' highest): the leaders' and
        `other`'s shares of their combined posterior once normalised. `answered` holds the
        scored and the absent columns.
        """
        leaders = ranked[:_QUESTION_CANDIDATES]
        if not model.dense:  # compiled loops over the stored pairs (graph/reasoning/kernel.py)
            found = model.next_question(
                scores,
                ranked,
                ranks,
                _RANKING_DEPTH,
                _QUESTION_CANDIDATES,
                weights,
                other,
                self._unaskable(model),
                answered,
                _QUESTIONS_CHECKED,
                power,
            )
            if found is None:
                return None
            return self._question(model, *found, leaders)
        skip = self._unaskable(model).copy()
        for done in answered:
            skip[done] = True
        depth = min(_RANKING_DEPTH, len(ranked))
        total = float(weights.sum()) + other
        shares: npt.NDArray[np.float64] = weights / total
        other /= total
        columns, likelihood, entropy = model.leader_block(leaders, skip)
        if len(columns) == 0:
            return None
        p_yes = shares @ likelihood + other * model.background[columns]
        conditional = shares @ entropy + other * model.entropy_background[columns]
        gains: npt.NDArray[np.float64] = np.maximum(binary_entropy(p_yes) - conditional, 0.0)
        best = head_by_key(-np.round(gains, 12), columns, _QUESTIONS_CHECKED)
        best = best[gains[best] > 0.0]
        if len(best) == 0:
            return None
        # Every candidate question checked at once, on the dense tables.
        changes = answers_change_leaders(
            model, scores, ranked, ranks[:depth].tolist(), columns[best], power
        )
        for k, changed in zip(best.tolist(), changes.tolist(), strict=True):
            if changed:
                return self._question(
                    model, int(columns[k]), float(gains[k]), likelihood[:, k], leaders
                )
        return None

    def _unaskable(self, model: PosteriorModel) -> npt.NDArray[np.bool_]:
        """Findings never asked about: exposures the content gives no question for, and the
        sex and age columns."""
        mask = self._unaskable_masks.get(id(model))
        if mask is None:
            mask = np.array(
                [
                    kind is FindingKind.DEMOGRAPHIC
                    or (
                        kind is FindingKind.EXPOSURE
                        and self.graph.node(ident).exposure_question is None
                    )
                    for kind, ident in model.findings
                ],
                dtype=bool,
            )
            self._unaskable_masks[id(model)] = mask
        return mask

    def _question(
        self,
        model: PosteriorModel,
        j: int,
        gain: float,
        p_yes: npt.NDArray[np.float64],
        leaders: npt.NDArray[np.int64],
    ) -> NextQuestion:
        kind, ident = model.findings[j]
        node = self.graph.node(ident)
        if kind is FindingKind.EXPOSURE:
            text = node.exposure_question or ""
        else:
            text = node.question or f"Do you have {node.name.lower()}?"

        def grounds() -> QuestionGrounds:
            likelihoods = p_yes.tolist()
            # The first leader with the highest, and the lowest.
            more = likelihoods.index(max(likelihoods))
            less = likelihoods.index(min(likelihoods))
            return QuestionGrounds(
                node.name,
                gain,
                self.graph.node(model.causes[int(leaders[more])]).name,
                likelihoods[more],
                self.graph.node(model.causes[int(leaders[less])]).name,
                likelihoods[less],
            )

        return NextQuestion(kind, ident, text, round(gain, 6), grounds)

    # Explanations and recommendations (on demand, cached) ------------------------------

    def _symptom_chains(self, cause: str) -> Mapping[str, Chain]:
        return symptom_chains(self.graph, cause, self.params.max_hops)

    def _broader_symptoms(self, symptom: str) -> Mapping[str, tuple[EdgeRecord, ...]]:
        return broader_symptoms(self.graph, symptom)

    def finding_chain(self, cause: str, symptom: str) -> Chain | None:
        """The chain behind a reported symptom: the cause's own chain to it, or else one to a
        kind of it the cause shows, climbing the symptom hierarchy (the model credits a broader
        term with what the cause shows of the terms below it). Costs a look-up per symptom the
        cause names, on cached chains and cached paths up."""
        chains = self.symptom_chains(cause)
        own = chains.get(symptom)
        if own is not None and not own.excluded and own.sensitivity > 0.0:
            return own
        return through_subtypes(chains, symptom, self.broader_symptoms) or own

    def _exposure_chain(self, exposure: str, cause: str) -> Chain | None:
        """How an exposure bears on a cause: being it or a kind of it, or leading to it."""
        # Being a kind of the exposure, at any depth (the model reads it from `ancestors`).
        paths: dict[str, tuple[EdgeRecord, ...]] = {cause: ()}
        frontier = [cause]
        while frontier:
            current = frontier.pop(0)
            if current == exposure:
                return Chain(paths[current], 1.0)
            for edge in self.graph.edges(predicate=Predicate.SUBTYPE_OF, subject=current):
                if edge.object not in paths:
                    paths[edge.object] = (*paths[current], edge)
                    frontier.append(edge.object)
        return exposure_chains(self.graph, exposure, self.params.max_hops).get(cause)

    def _recommendations(self, cause: str) -> tuple[Recommendation, ...]:
        return recommendations_for(self.graph, cause, general=False)

    def _general_recommendations(
        self, pack: str
    ) -> tuple[tuple[str, tuple[Recommendation, ...]], ...]:
        """What the sources recommend for each of the pack's conditions, whatever the cause."""
        return tuple(
            (node.id, recommendations_for(self.graph, node.id))
            for node in self.graph.nodes(NodeKind.CONDITION)
            if self.graph.pack_of[node.id] == pack
        )
