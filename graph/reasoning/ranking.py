"""Ranking arithmetic over one posterior model: the leaders, their competition ranks, what
each reported finding does to a cause, and whether an answer would change who leads."""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt

from graph.reasoning.model import PosteriorModel

__all__ = [
    "answer_head",
    "answers_change_leaders",
    "competition_ranks",
    "finding_roles",
    "head_by_key",
    "leading_causes",
    "tied_with",
]

# Up to this many keys, one sort is cheaper than partitioning first (numpy's per-call cost).
_SORT_WHOLE = 256


def leading_causes(
    model: PosteriorModel, scores: npt.NDArray[np.float64], count: int
) -> npt.NDArray[np.int64]:
    """The first `count` causes by posterior (log-weights to 9 decimals), then prior, then
    content order."""
    pool = np.arange(len(scores), dtype=np.int64)
    if count < len(scores):
        # Rounding moves a score by under 1e-9 (scores are far below 1e6), so the first
        # `count` by rounded score all lie within 1e-6 of the count-th best raw score.
        # (Partitioning for the smallest keys: most scores are equal, and np.partition is
        # many times slower on those when asked for the largest.)
        keys = -scores
        cut = np.partition(keys, count - 1)[count - 1]
        pool = np.flatnonzero(keys <= cut + 1e-6)
    return pool[head_by_key(-np.round(scores[pool], 9), model.tiebreak[pool], count)]


def head_by_key(
    keys: npt.NDArray[np.float64], tiebreak: npt.NDArray[np.int64], count: int
) -> npt.NDArray[np.int64]:
    """Positions of the `count` smallest keys, equal keys by the (unique) tiebreak: the head
    of np.lexsort((tiebreak, keys)), sorting only that head."""
    if count >= len(keys) or len(keys) <= _SORT_WHOLE:
        return np.lexsort((tiebreak, keys))[:count]
    cut = np.partition(keys, count - 1)[count - 1]
    better = np.flatnonzero(keys < cut)
    # Thousands of causes may tie at the cut (all those no finding touches): of those, only
    # the ones with the smallest tiebreaks make the head.
    tied = np.flatnonzero(keys == cut)
    wanted = count - len(better)
    if wanted < len(tied):
        tied = tied[np.argpartition(tiebreak[tied], wanted - 1)[:wanted]]
    head = np.concatenate([better, tied])
    ordered: npt.NDArray[np.int64] = head[np.lexsort((tiebreak[head], keys[head]))]
    return ordered


def competition_ranks(scores: npt.NDArray[np.float64]) -> list[int]:
    """Competition ranks (1, 1, 3, ...) of log-weights already in descending order: equal to
    9 decimals is a tie (the same number reached by another summation order)."""
    # np.round(scores, 9) as numpy computes it (scale, round half to even, unscale), without
    # np.round's Python wrapper.
    rounded = (np.rint(scores * 1e9) / 1e9).tolist()
    ranks = list(range(1, len(rounded) + 1))
    for position in range(1, len(rounded)):
        if rounded[position] == rounded[position - 1]:
            ranks[position] = ranks[position - 1]
    return ranks


def tied_with(causes: list[str], ranks: list[int], count: int) -> list[tuple[str, ...]]:
    """For each of the first `count` of `causes` (in rank order, with their competition ranks):
    the others of `causes` sharing its rank, in order. Ties are runs, and a competition rank
    is where its run starts (counting from 1)."""
    if ranks == list(range(1, len(ranks) + 1)):  # no ties: the usual answer
        return [()] * count
    found: list[tuple[str, ...]] = []
    end = 0  # where the current run ends
    for position in range(count):
        rank = ranks[position]
        if end <= position:
            end = position + 1
            while end < len(ranks) and ranks[end] == rank:
                end += 1
        start = rank - 1
        if end - start > 1:
            found.append((*causes[start:position], *causes[position + 1 : end]))
        else:
            found.append(())
    return found


def answers_change_leaders(
    model: PosteriorModel,
    scores: npt.NDArray[np.float64],
    ranked: npt.NDArray[np.int64],
    leading_ranks: list[int],
    columns: npt.NDArray[np.int64],
    power: float = 1.0,
) -> npt.NDArray[np.bool_]:
    """For each finding, whether a yes or a no changes who leads, their order or their ties
    (a small pack's dense tables: every cause is ranked for every answer at once)."""
    depth = len(leading_ranks)
    leading = ranked[:depth]
    pool = model.by_tiebreak  # few causes: rank them all at once, for every answer
    assert model.answer_ratios is not None
    answers = np.concatenate([columns, columns + len(model.findings)])
    updated = scores[pool] + power * model.answer_ratios[answers]
    rounded = np.round(updated, 9)
    perm = np.argsort(-rounded, axis=1, kind="stable")[:, :depth]
    # The same leaders in the same order, and the same ties among them.
    same = (pool[perm] == leading).all(axis=1)
    if depth > 1:
        top = rounded[np.arange(len(rounded))[:, None], perm]
        ties = [r == q for r, q in itertools.pairwise(leading_ranks)]
        same &= ((top[:, 1:] == top[:, :-1]) == ties).all(axis=1)
    half = len(columns)
    changed: npt.NDArray[np.bool_] = ~(same[:half] & same[half:])
    return changed


def answer_head(
    model: PosteriorModel,
    scored: list[int],
    present: list[int],
    absent: list[int],
    count: int,
    power: float,
    shown: int,
    head: int,
    leading: int,
) -> tuple[
    npt.NDArray[np.float64],
    npt.NDArray[np.int64],
    float,
    npt.NDArray[np.int64],
    npt.NDArray[np.bool_],
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
    float,
]:
    """(dense form) What `kernel.answer_head` gives, in numpy: the scores, the first `count`
    leaders, the normaliser, the competition ranks of the first `head`, the role flags of the
    reported findings for the first `shown` (yes-ratio above zero, below zero) and which
    row of flags is each one's, and the exponents of the shown probabilities, then of the
    leaders' weights relative to the highest of theirs (returned too), for the first
    `leading`."""
    scores = model.log_weights(scored, absent, power)
    ranked = leading_causes(model, scores, count)
    normaliser = model.normaliser(scores, scored, absent)
    ranks = np.array(competition_ranks(scores[ranked[:head]]), dtype=np.int64)
    shown_rows = ranked[:shown]
    ratios = model.present_ratio.block(shown_rows, np.array(present + absent, dtype=np.int64))
    flags = np.stack([ratios > 0.0, ratios < 0.0])
    leaders = scores[ranked[:leading]]
    top = float(leaders.max())
    exponents = np.concatenate([scores[shown_rows] - normaliser, leaders - top])
    # Every shown cause's own row of flags (the compiled loop shares equal rows).
    kinds = np.arange(len(shown_rows), dtype=np.int64)
    return scores, ranked, normaliser, ranks, flags, kinds, exponents, top


def finding_roles(
    model: PosteriorModel,
    present: list[int],
    absent: list[int],
    shows_more: list[list[bool]],
    shows_less: list[list[bool]],
) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """For each cause: the reported findings it accounts for (present, more likely than the
    background) and those that count against it (absent ones it would show, present ones its
    sources exclude or, for an everyday cause, warning signs it does not list), by id, in
    finding order. `shows_more` and `shows_less` flag, for each cause, the reported findings
    (present, then absent) its stored yes-ratio is above zero and below zero for."""
    present_ids = [model.findings[j][1] for j in present]
    # `compress` reads the flags against the present ids only, stopping at the shorter.
    if not absent:  # the usual query
        return [
            (
                tuple(itertools.compress(present_ids, more)),
                tuple(itertools.compress(present_ids, less)),
            )
            for more, less in zip(shows_more, shows_less, strict=True)
        ]
    absent_ids = [model.findings[j][1] for j in absent]
    return [
        (
            tuple(itertools.compress(present_ids, more)),
            (
                *itertools.compress(absent_ids, more[len(present) :]),
                *itertools.compress(present_ids, less),
            ),
        )
        for more, less in zip(shows_more, shows_less, strict=True)
    ]
