"""The diagnose loops, compiled (numba): scores and leaders, and the next question.

In numpy these took some 150 calls per query, each costing more in overhead than in
arithmetic: 0.8 ms of the HPO pack's 1 ms diagnose. Here each is one call, and the whole
diagnose about 0.5 ms. A query makes two: `answer_head` (the scores, the leaders and what the
answer reads of them) and `next_question`; between them numpy takes the exps the answer
shows, in one call, as it always took them (its exp and libm's may differ in the last bit),
and those of the normaliser when a query touches many causes (`numpy_exps_from`).

They answer as the numpy code that small packs keep (graph/reasoning/ranking.py and
model.py; tests/graph/reasoning/test_kernel.py compares them): scores add the stored ratios column by
column in the same order (bit for bit), rank rounded to 9 decimals and gains to 12 as numpy's
`round` does (scale, round half to even, unscale), ties broken by the cause's tiebreak or the
finding's index. Gains are summed over the stored pairs only, in another order than numpy's
product, which moves them by a few units in the last place, below the 12 decimals compared
(and a finding whose gain cannot reach the kept ones, by its divergence bound, is not taken);
the normaliser takes an exp for touched causes only, which moves a probability by at most
3.6e-14 on the HPO pack. Each function is compiled on first use and cached on disk (`cache=True`), so a server
compiles them once per install, not at each start; `PosteriorModel` calls them once at load.
The `_py` names are the Python sources, kept callable for tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import numba
import numpy as np
import numpy.typing as npt

__all__ = [
    "answer_head",
    "answer_head_py",
    "best_question",
    "best_question_py",
    "next_question",
    "next_question_py",
    "numpy_sum",
    "numpy_sum_py",
    "prior_summary",
    "prior_summary_py",
    "scores_and_leaders",
    "scores_and_leaders_py",
]

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Flags = npt.NDArray[np.bool_]


def _round(value: float, scale: float) -> float:
    return float(np.rint(value * scale) / scale)


def _entropy(p: float) -> float:
    """Binary entropy in bits, as `binary_entropy` in graph/reasoning/table.py."""
    q = min(max(p, 1e-300), 1.0 - 1e-16)
    return float(-(q * np.log2(q) + (1.0 - q) * np.log2(1.0 - q)))


def _before(score: float, tiebreak: int, other_score: float, other_tiebreak: int) -> bool:
    """Whether one ranks above another (a cause, or a question): higher rounded score (or
    gain), then lower tiebreak."""
    return score > other_score or (score == other_score and tiebreak < other_tiebreak)


def _stored_at(keys: Ints, start: int, end: int, key: int) -> int:
    """Where `key` is in the ascending `keys[start:end]`, or -1 when it is not there."""
    at = start + np.searchsorted(keys[start:end], key)
    return int(at) if at < end and keys[at] == key else -1


def _offer(
    top: Ints,
    top_score: Floats,
    top_tiebreak: Ints,
    filled: int,
    cause: int,
    score: float,
    tiebreak: int,
) -> int:
    """Insert a cause into best-first buffers holding `filled` causes (kept if it ranks above
    the last when they are full); the new fill."""
    depth = len(top)
    if filled == depth and not _before(
        score, tiebreak, top_score[depth - 1], top_tiebreak[depth - 1]
    ):
        return filled
    at = min(filled, depth - 1)
    while at > 0 and _before(score, tiebreak, top_score[at - 1], top_tiebreak[at - 1]):
        top[at], top_score[at], top_tiebreak[at] = (
            top[at - 1],
            top_score[at - 1],
            top_tiebreak[at - 1],
        )
        at -= 1
    top[at], top_score[at], top_tiebreak[at] = cause, score, tiebreak
    return min(filled + 1, depth)


def _same_head(top: Ints, top_score: Floats, ranked: Ints, leading_ranks: Ints) -> bool:
    """Whether `top` (best first, with rounded scores) is the first `len(leading_ranks)` of
    `ranked` in the same order and with the same ties (competition ranks: a tie with the one
    above shares its rank)."""
    for position in range(len(leading_ranks)):
        if top[position] != ranked[position]:
            return False
        tied = position > 0 and top_score[position] == top_score[position - 1]
        if tied != (position > 0 and leading_ranks[position] == leading_ranks[position - 1]):
            return False
    return True


def _leaders_kept(
    scores: Floats,
    tiebreak: Ints,
    ranked: Ints,
    leading_ranks: Ints,
    rows: Ints,
    ratios: Floats,
    power: float,
    most: float,
) -> int:
    """`_leaders_change` without reading every moved row, where it can: 1 when the leaders
    keep their places and ties, 0 when they do not, -1 when it cannot tell.

    Every cause after the leaders scores at most `ranked[depth]`'s, and an answer raises none
    by more than `power` times `most` (the largest of `ratios`): when that stays below the
    lowest of the leaders' new scores, no other cause can join them, and only their own order
    is left to compare (a binary search in `rows` for each)."""
    depth = len(leading_ranks)
    if len(ranked) <= depth or power < 0.0:
        return -1
    order = np.empty(depth, dtype=np.int64)
    order_score = np.empty(depth)
    order_tiebreak = np.empty(depth, dtype=np.int64)
    lowest = np.inf
    for position in range(depth):
        cause = ranked[position]
        score = scores[cause]
        at = _stored_at(rows, 0, len(rows), cause)
        if at >= 0:
            score += power * ratios[at]
        lowest = min(lowest, score)
        _offer(
            order, order_score, order_tiebreak, position, cause, _round(score, 1e9), tiebreak[cause]
        )
    # Rounding moves a score by under 1e-9: a cause this far below stays below.
    if scores[ranked[depth]] + max(power * most, 0.0) >= lowest - 1e-6:
        return -1
    return 1 if _same_head(order, order_score, ranked, leading_ranks) else 0


def _leaders_change(
    scores: Floats,
    tiebreak: Ints,
    ranked: Ints,
    leading_ranks: Ints,
    rows: Ints,
    ratios: Floats,
    power: float,
    most: float,
) -> bool:
    """Whether adding `power` times `ratios` to the scores of `rows` (ascending) changes the
    first `len(leading_ranks)` causes of `ranked`, their order or the ties among them. `most`
    is at least the largest of `ratios` (the cheap check of `_leaders_kept` first)."""
    kept = _leaders_kept(scores, tiebreak, ranked, leading_ranks, rows, ratios, power, most)
    if kept >= 0:
        return kept == 0
    depth = len(leading_ranks)
    top = np.full(depth, -1, dtype=np.int64)  # the new leaders, best first
    top_score = np.full(depth, -np.inf)
    top_tiebreak = np.zeros(depth, dtype=np.int64)
    filled = 0

    # The best causes the answer leaves in place first: the first of `ranked` outside `rows`,
    # or, when `ranked` runs out before `depth` of them, every cause outside `rows`. Offered
    # first, they leave few of the moved rows worth rounding (any order gives the same head).
    unmoved = 0
    for cause in ranked:
        if _stored_at(rows, 0, len(rows), cause) >= 0:
            continue
        score = _round(scores[cause], 1e9)
        filled = _offer(top, top_score, top_tiebreak, filled, cause, score, tiebreak[cause])
        unmoved += 1
        if unmoved == depth:
            break
    if unmoved < depth and len(ranked) < len(scores):
        offered = np.zeros(len(scores), dtype=np.bool_)
        offered[rows] = True
        offered[ranked] = True  # every one of them was, through `rows` or just above
        for cause in range(len(scores)):
            if not offered[cause]:
                score = _round(scores[cause], 1e9)
                filled = _offer(top, top_score, top_tiebreak, filled, cause, score, tiebreak[cause])
    for k in range(len(rows)):
        score = scores[rows[k]] + power * ratios[k]
        # Rounding moves a score by under 1e-9: one this far below the last kept stays below.
        if filled == depth and score < top_score[depth - 1] - 1e-6:
            continue
        cause = rows[k]
        filled = _offer(
            top, top_score, top_tiebreak, filled, cause, _round(score, 1e9), tiebreak[cause]
        )
    return not _same_head(top, top_score, ranked, leading_ranks)


def _weigh(
    k: int,
    sums: Floats,
    share: float,
    other: float,
    columns: Ints,
    background: Floats,
    entropy_background: Floats,
    gains: Floats,
    best: Ints,
    best_key: Floats,
    best_column: Ints,
) -> None:
    """The gain of the `k`th finding met (into `gains`), kept in the best-first buffers
    `best` (positions among those met), `best_key` and `best_column` if it ranks above their
    last: larger rounded gain, then lower index (`columns` is not sorted)."""
    elsewhere = share - sums[k, 2] + other
    p_yes = sums[k, 0] + elsewhere * background[columns[k]]
    conditional = sums[k, 1] + elsewhere * entropy_background[columns[k]]
    gains[k] = max(_entropy(p_yes) - conditional, 0.0)
    # The buffers are always full: unfilled places hold a gain of -inf.
    _offer(best, best_key, best_column, len(best), k, _round(gains[k], 1e12), columns[k])


def best_question_py(
    scores: Floats,
    tiebreak: Ints,
    ranked: Ints,
    leading_ranks: Ints,
    leaders: Ints,
    weights: Floats,
    other: float,
    unaskable: Flags,
    scored: Ints,
    absent: Ints,
    gap_row_ptr: Ints,
    gap_columns: Ints,
    stored_likelihood: Floats,
    stored_entropy: Floats,
    stored_divergence: Floats,
    background: Floats,
    entropy_background: Floats,
    ratio_col_ptr: Ints,
    ratio_rows: Ints,
    yes_ratios: Floats,
    no_ratios: Floats,
    most_yes: Floats,
    most_no: Floats,
    checked: int,
    power: float,
) -> tuple[int, float, Floats]:
    """(finding, expected information gain, P(finding | leader) for each leader) of the
    question to ask, or (-1, 0.0, an empty array).

    Among the findings the leaders' rows store (less the `unaskable` and those answered,
    `scored` and `absent`), the `checked` with the largest gain (rounded to 12 decimals, then
    the lower index) are tried best first; the first whose yes or no would change the leading
    causes (`ranked[:len(leading_ranks)]`, with their ties) is the one. `weights` and `other`
    are the leaders' and `other`'s normalised shares; an answer's ratios are weighted by
    `power`, as the scores' were. `stored_divergence` is each stored pair's KL divergence
    from the background, and `most_yes`/`most_no` each finding's largest ratio.
    """
    if checked < 1:
        return -1, 0.0, np.empty(0)
    findings = len(background)
    # The findings touched, in the order first met, and each one's slot among them (no pass
    # over every finding: the HPO pack has 26,739 and the leaders touch about 1,000).
    touched = np.zeros(findings, dtype=np.bool_)
    slot = np.empty(findings, dtype=np.int64)
    stored = 0
    for leader in leaders:
        stored += gap_row_ptr[leader + 1] - gap_row_ptr[leader]
    # Answered findings share one spare slot, last, that nothing reads.
    for answered in (scored, absent):
        for j in answered:
            touched[j] = True
            slot[j] = stored
    met = np.empty(stored, dtype=np.int64)
    # For each finding met, summed over the leaders that store it: their share times the
    # stored P(f | c), times H(f | c), the share itself, and times the divergence. Each slot
    # is cleared when first met (sized for as many findings as pairs: at most that many are).
    sums = np.empty((stored + 1, 4))
    sums[stored, :] = 0.0
    found = 0
    for row in range(len(leaders)):
        leader = leaders[row]
        weight = weights[row]
        for entry in range(gap_row_ptr[leader], gap_row_ptr[leader + 1]):
            column = gap_columns[entry]
            if unaskable[column]:
                continue
            if not touched[column]:
                touched[column] = True
                slot[column] = found
                met[found] = column
                sums[found, :] = 0.0
                found += 1
            k = slot[column]
            sums[k, 0] += weight * stored_likelihood[entry]
            sums[k, 1] += weight * stored_entropy[entry]
            sums[k, 2] += weight
            sums[k, 3] += weight * stored_divergence[entry]
    columns = met[:found]
    if len(columns) == 0:
        return -1, 0.0, np.empty(0)
    share = weights.sum()
    # The `checked` best, as `_weigh` keeps them.
    best = np.full(checked, -1, dtype=np.int64)
    best_key = np.full(checked, -np.inf)
    best_column = np.full(checked, findings, dtype=np.int64)
    gains = np.zeros(len(columns))
    # A finding's gain is the mutual information between the cause and its answer, at most
    # the shares' mean divergence from any one distribution, the background's included:
    # sums[k, 3]. So the gains of the findings with the largest bounds come first, and any
    # other is taken only if its bound reaches the last kept (most are not: 2 logs each).
    seeds = min(2 * checked, len(columns))
    seeded = np.full(seeds, -1, dtype=np.int64)
    seeded_bound = np.full(seeds, -np.inf)
    for k in range(len(columns)):
        bound = sums[k, 3]
        if bound <= seeded_bound[seeds - 1]:
            continue
        at = seeds - 1
        while at > 0 and bound > seeded_bound[at - 1]:
            seeded[at], seeded_bound[at] = seeded[at - 1], seeded_bound[at - 1]
            at -= 1
        seeded[at], seeded_bound[at] = k, bound
    taken = np.zeros(len(columns), dtype=np.bool_)
    for k in seeded:
        if k >= 0:
            taken[k] = True
    # The seeded findings first, then every other whose bound reaches the last kept (the
    # rounded key moves a gain by under 1e-12).
    for turn in range(seeds + len(columns)):
        if turn < seeds:
            k = int(seeded[turn])
            if k < 0:
                continue
        else:
            k = turn - seeds
            if taken[k] or (best[checked - 1] >= 0 and sums[k, 3] < best_key[checked - 1] - 1e-9):
                continue
        _weigh(
            k,
            sums,
            share,
            other,
            columns,
            background,
            entropy_background,
            gains,
            best,
            best_key,
            best_column,
        )
    for kept in best:
        if kept < 0 or gains[kept] <= 0.0:
            continue
        j = int(columns[kept])
        start, end = ratio_col_ptr[j], ratio_col_ptr[j + 1]
        rows = ratio_rows[start:end]
        for ratios, most in (
            (yes_ratios[start:end], most_yes[j]),
            (no_ratios[start:end], most_no[j]),
        ):
            if _leaders_change(scores, tiebreak, ranked, leading_ranks, rows, ratios, power, most):
                likelihoods = np.empty(len(leaders))
                for row in range(len(leaders)):
                    first, last = gap_row_ptr[leaders[row]], gap_row_ptr[leaders[row] + 1]
                    at = _stored_at(gap_columns, first, last, j)
                    likelihoods[row] = stored_likelihood[at] if at >= 0 else background[j]
                return j, float(gains[kept]), likelihoods
    return -1, 0.0, np.empty(0)


def prior_summary_py(log_prior: Floats, prior_weight: Floats) -> tuple[float, float]:
    """The highest log prior and the priors' weights' sum: constant for a model, read by every
    `scores_and_leaders` call (two passes over the causes it need not repeat)."""
    return float(log_prior.max()), float(prior_weight.sum())


def scores_and_leaders_py(
    log_prior: Floats,
    prior_weight: Floats,
    prior_top: float,
    prior_total: float,
    log_other: float,
    col_ptr: Ints,
    col_rows: Ints,
    present_ratios: Floats,
    absent_ratios: Floats,
    present: Ints,
    absent: Ints,
    tiebreak: Ints,
    prior_order: Ints,
    count: int,
    power: float,
    numpy_exps_from: int,
) -> tuple[Floats, Ints, float, Floats, float, float]:
    """Every cause's log-weight (`PosteriorModel.log_weights`: the prior plus the stored ratios
    of the present, then the absent columns, in the order given, each weighted by `power`),
    the first `count` causes
    by score rounded to 9 decimals, then tiebreak (`leading_causes` in graph/reasoning/ranking.py),
    and log(sum of the weights, `other`'s included), or NaN with what numpy takes it from:
    (shifted, highest, untouched), as `log_total` in graph/reasoning/model.py reads them.

    `prior_weight` is exp(log_prior): a cause no column touches keeps its prior, so those
    causes' weights sum to `untouched`, what is left of the priors' sum, and only the touched
    causes need an exp, of their score less `highest` (an upper bound of every score), in
    cause order. Up to `numpy_exps_from` of them (a knee query's), libm takes them here; from
    there on (an HPO query touches some 1,800), numpy takes them in one vectorised call from
    `shifted` (here, libm took 11 us for those). `prior_top` and `prior_total` are
    `prior_summary(log_prior, prior_weight)`.

    Likewise for the leaders: untouched causes rank among themselves as their priors do, in
    `prior_order` (every cause by rounded log prior, then tiebreak; constant for a model), so
    only the touched causes and the first `count` untouched ones are offered, not all 8,352.
    """
    scores = log_prior.copy()
    touched = np.zeros(len(scores), dtype=np.bool_)
    for columns, ratios in ((present, present_ratios), (absent, absent_ratios)):
        for j in columns:
            for entry in range(col_ptr[j], col_ptr[j + 1]):
                scores[col_rows[entry]] += power * ratios[entry]
                touched[col_rows[entry]] = True
    # The touched causes, in cause order. Without a branch: which causes are touched is
    # data, so a branch on it mispredicts often (np.flatnonzero took 16 us here, this 2).
    moved = np.empty(len(scores), dtype=np.int64)
    found = 0
    for at in range(len(scores)):
        moved[found] = at
        found += touched[at]
    moved = moved[:found]
    # log(sum(exp)) about an upper bound of every score: untouched ones are priors.
    highest = max(log_other, prior_top)
    for i in moved:
        highest = max(highest, scores[i])
    untouched = prior_total
    for i in moved:
        untouched -= prior_weight[i]
    if len(moved) < numpy_exps_from:
        shifted = np.empty(0)
        total = np.exp(log_other - highest)
        for i in moved:
            total += np.exp(scores[i] - highest)
        total += max(untouched, 0.0) * np.exp(-highest)
        normaliser = float(highest + np.log(total))
    else:
        shifted = np.empty(len(moved))
        for k in range(len(moved)):
            shifted[k] = scores[moved[k]] - highest
        normaliser = np.nan
    count = min(count, len(scores))
    top = np.empty(count, dtype=np.int64)
    top_score = np.empty(count)
    top_tiebreak = np.empty(count, dtype=np.int64)
    filled = 0
    # The strict order (rounded score, then the unique tiebreak) makes the kept head the same
    # whatever order the causes are offered in.
    for cause in moved:
        # Rounding moves a score by under 1e-9: one this far below the last kept stays below.
        if filled == count and scores[cause] < top_score[count - 1] - 1e-6:
            continue
        score = _round(scores[cause], 1e9)
        filled = _offer(top, top_score, top_tiebreak, filled, int(cause), score, tiebreak[cause])
    unmoved = 0
    for cause in prior_order:
        if touched[cause]:
            continue
        score = _round(scores[cause], 1e9)
        filled = _offer(top, top_score, top_tiebreak, filled, cause, score, tiebreak[cause])
        unmoved += 1
        if unmoved == count:
            break  # the untouched causes after these rank below them
    return scores, top, normaliser, shifted, highest, untouched


def _distinct_rows(flags: Flags) -> tuple[Flags, Ints]:
    """`flags` (planes x rows x columns) with each distinct row (across the planes) kept
    once, in order of first appearance, and the kept row each row is: causes that account
    for the same reported findings share their roles, built once in Python."""
    planes, rows, columns = flags.shape
    kinds = np.empty(rows, dtype=np.int64)
    distinct = 0
    for row in range(rows):
        kinds[row] = -1
        for kind in range(distinct):
            differ = False
            for plane in range(planes):
                for k in range(columns):
                    if flags[plane, kind, k] != flags[plane, row, k]:
                        differ = True
                        break
                if differ:
                    break
            if not differ:
                kinds[row] = kind
                break
        if kinds[row] < 0:
            if distinct < row:
                for plane in range(planes):
                    for k in range(columns):
                        flags[plane, distinct, k] = flags[plane, row, k]
            kinds[row] = distinct
            distinct += 1
    return flags[:, :distinct, :], kinds


def answer_head_py(
    scoring: tuple[Floats, Floats, float, float, float, Ints, Ints, Floats, Floats],
    scored: Ints,
    present: Ints,
    absent: Ints,
    tiebreak: Ints,
    prior_order: Ints,
    count: int,
    power: float,
    shown: int,
    head: int,
    leading: int,
    numpy_exps_from: int,
) -> tuple[Floats, Ints, float, Floats, float, float, Ints, Flags, Ints, Floats, float]:
    """What an answer reads of the ranking, in one call: `scores_and_leaders` on the `scored`
    and `absent` columns (`scoring` holds its arguments from `log_prior` to `absent_ratios`,
    the model's own), then for the first `head` leaders their competition ranks (rounded
    scores equal to 9 decimals tie: `competition_ranks` in graph/reasoning/ranking.py), for
    the first `shown` the roles of the reported `present` and `absent` findings (flags
    [0] where the cause's stored yes-ratio is above zero, [1] below: `finding_roles`; each
    distinct pair of rows once, and for each shown cause which pair is its), and
    the exponents of the shown causes' probabilities (score less the normaliser) followed by
    the first `leading` causes' (score less the highest of theirs, also returned).

    The exps are left to numpy, as the answers always took them (numpy's and libm's exp may
    differ in the last bit). When the normaliser is left to numpy too (NaN, and what
    `scores_and_leaders` gives to take it from), the shown causes' exponents are their
    scores, for `PosteriorModel.answer_head` to take the normaliser from."""
    scores, ranked, normaliser, shifted, highest, untouched = scores_and_leaders(
        *scoring, scored, absent, tiebreak, prior_order, count, power, numpy_exps_from
    )
    col_ptr, col_rows, present_ratios = scoring[5], scoring[6], scoring[7]
    head = min(head, len(ranked))
    shown = min(shown, len(ranked))
    leading = min(leading, len(ranked))
    ranks = np.empty(head, dtype=np.int64)
    previous = 0.0
    for position in range(head):
        rounded = _round(scores[ranked[position]], 1e9)
        tied = position > 0 and rounded == previous
        ranks[position] = ranks[position - 1] if tied else position + 1
        previous = rounded
    reported = len(present) + len(absent)
    roles = np.zeros((2, shown, reported), dtype=np.bool_)
    for k in range(reported):
        j = present[k] if k < len(present) else absent[k - len(present)]
        for position in range(shown):
            at = _stored_at(col_rows, col_ptr[j], col_ptr[j + 1], ranked[position])
            if at >= 0:
                roles[0, position, k] = present_ratios[at] > 0.0
                roles[1, position, k] = present_ratios[at] < 0.0
    roles, kinds = _distinct_rows(roles)
    exponents = np.empty(shown + leading)
    top = -np.inf
    for position in range(leading):
        top = max(top, scores[ranked[position]])
    for position in range(shown):
        exponents[position] = scores[ranked[position]]
        if not np.isnan(normaliser):
            exponents[position] -= normaliser
    for position in range(leading):
        exponents[shown + position] = scores[ranked[position]] - top
    return (
        scores,
        ranked,
        normaliser,
        shifted,
        highest,
        untouched,
        ranks,
        roles,
        kinds,
        exponents,
        top,
    )


def numpy_sum_py(values: Floats) -> float:
    """`values.sum()` as numpy adds up a contiguous float64 array of at most 128 values (its
    pairwise summation's base case: eight running sums, combined pairwise, then the rest in
    order), so the sum is the same bits (tests/graph/reasoning/test_kernel.py checks)."""
    n = len(values)
    if n < 8:
        total = 0.0
        for value in values:
            total += value
        return total
    sums = values[:8].copy()
    i = 8
    while i < n - n % 8:
        for lane in range(8):
            sums[lane] += values[i + lane]
        i += 8
    total = ((sums[0] + sums[1]) + (sums[2] + sums[3])) + (
        (sums[4] + sums[5]) + (sums[6] + sums[7])
    )
    while i < n:
        total += values[i]
        i += 1
    return float(total)


def next_question_py(
    scores: Floats,
    tiebreak: Ints,
    ranked: Ints,
    ranks: Ints,
    depth: int,
    leading: int,
    weights: Floats,
    other: float,
    unaskable: Flags,
    scored: Ints,
    absent: Ints,
    tables: tuple[
        Ints,
        Ints,
        Floats,
        Floats,
        Floats,
        Floats,
        Floats,
        Ints,
        Ints,
        Floats,
        Floats,
        Floats,
        Floats,
    ],
    checked: int,
    power: float,
) -> tuple[int, float, Floats]:
    """`best_question` for the first `leading` causes of `ranked`, asked about the first
    `depth` of them (their `ranks`), with the glue around it done here: `weights` and `other`
    are exp(score less the leaders' highest), normalised to shares of their sum as numpy
    would (`numpy_sum_py`, then a division). `tables` are `best_question`'s arguments from
    `gap_row_ptr` to `most_no`, the model's stored pairs."""
    leading = min(leading, len(ranked))
    depth = min(depth, len(ranked))
    total = numpy_sum(weights) + other
    shares = np.empty(len(weights))
    for row in range(len(weights)):
        shares[row] = weights[row] / total
    return best_question(
        scores,
        tiebreak,
        ranked,
        ranks[:depth],
        ranked[:leading],
        shares,
        other / total,
        unaskable,
        scored,
        absent,
        *tables,
        checked,
        power,
    )


_QuestionKernel = Callable[..., tuple[int, float, Floats]]
# The helpers compile into the kernel that calls them.
_round = numba.njit(cache=True)(_round)
_distinct_rows = numba.njit(cache=True)(_distinct_rows)
_entropy = numba.njit(cache=True)(_entropy)
_before = numba.njit(cache=True)(_before)
_offer = numba.njit(cache=True)(_offer)
_stored_at = numba.njit(cache=True)(_stored_at)
_same_head = numba.njit(cache=True)(_same_head)
_leaders_kept = numba.njit(cache=True)(_leaders_kept)
_leaders_change = numba.njit(cache=True)(_leaders_change)
_weigh = numba.njit(cache=True)(_weigh)
best_question = cast(_QuestionKernel, numba.njit(cache=True)(best_question_py))
prior_summary = cast(
    Callable[[Floats, Floats], tuple[float, float]], numba.njit(cache=True)(prior_summary_py)
)
scores_and_leaders = cast(
    Callable[..., tuple[Floats, Ints, float, Floats, float, float]],
    numba.njit(cache=True)(scores_and_leaders_py),
)
numpy_sum = cast(Callable[[Floats], float], numba.njit(cache=True)(numpy_sum_py))
answer_head = cast(
    Callable[
        ..., tuple[Floats, Ints, float, Floats, float, float, Ints, Flags, Ints, Floats, float]
    ],
    numba.njit(cache=True)(answer_head_py),
)
next_question = cast(_QuestionKernel, numba.njit(cache=True)(next_question_py))
