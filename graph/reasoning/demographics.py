"""A query's sex and age of onset as evidence, read against the causes' `demographics`.

Each is one more finding column of the model (kind `demographic`, never asked about), so the
dense and the compiled paths score it as they score a symptom:

- `sex:female`, `sex:male`: a cause the sources describe in one sex shows it with
  P = 1 - excluded_share / 2 and the other with excluded_share / 2, against 1/2 for every
  other cause (ratios 1.9 and 0.1 with the default share).
- `age:<class>` (an onset class key of graph/schema/onsets.py): a cause with onset classes
  none of which lies within `onset_reach` age bands of the query's shows it at
  `excluded_share` of the background: the annotations' onset classes exclude the age. Any
  other cause, and every cause without onset classes, is not moved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graph.knowledge import KnowledgeGraph
from graph.reasoning.parameters import ModelParameters
from graph.schema.onsets import AGE_BANDS, ONSET_CLASSES, Sex

__all__ = [
    "DEMOGRAPHIC_BACKGROUND",
    "DemographicUse",
    "demographic_findings",
    "demographic_likelihoods",
    "describe_use",
]

# P(finding | other) of a demographic column: half for either sex; the age columns store
# only causes moved against this, so its value does not matter beyond being the same.
DEMOGRAPHIC_BACKGROUND = 0.5
_BAND_POSITION = {band: position for position, band in enumerate(AGE_BANDS)}
_BANDS = {c.key: c.bands for c in ONSET_CLASSES}
_KEY_OF_CODE = {c.code: c.key for c in ONSET_CLASSES}


@dataclass(frozen=True, slots=True)
class DemographicUse:
    """Whether a query's `sex` or `age` was read as evidence, and why (or why not)."""

    field: str  # "sex" or "age"
    value: str  # as read: female, male, unknown, or an onset class key
    used: bool
    reason: str


def demographic_findings(graph: KnowledgeGraph, causes: Sequence[str]) -> list[str]:
    """The demographic columns a pack's model needs: the sexes if any cause has one, the
    onset classes if any cause has onsets."""
    found = [graph.node(c).demographics for c in causes]
    columns: list[str] = []
    if any(d is not None and d.sex is not None for d in found):
        columns += [f"sex:{s.value}" for s in Sex]
    if any(d is not None and d.onsets for d in found):
        columns += [f"age:{c.key}" for c in ONSET_CLASSES]
    return columns


def demographic_likelihoods(
    graph: KnowledgeGraph, cause: str, columns: Sequence[str], params: ModelParameters
) -> list[tuple[str, float]]:
    """(column, P(column | cause)) wherever the cause differs from the background."""
    demographics = graph.node(cause).demographics
    if demographics is None:
        return []
    share = params.excluded_share * DEMOGRAPHIC_BACKGROUND
    found: list[tuple[str, float]] = []
    if demographics.sex is not None:
        for sex in Sex:
            column = f"sex:{sex.value}"
            if column in columns:
                found.append((column, 1.0 - share if sex is demographics.sex else share))
    if demographics.onsets:
        own = {
            _BAND_POSITION[b] for code in demographics.onsets for b in _BANDS[_KEY_OF_CODE[code]]
        }
        for column in columns:
            if not column.startswith("age:"):
                continue
            asked = {_BAND_POSITION[b] for b in _BANDS[column.removeprefix("age:")]}
            if all(abs(a - o) > params.onset_reach for a in asked for o in own):
                found.append((column, share))
    return found


def describe_use(
    field: str, value: str | None, columns: Sequence[str], moved: int, params: ModelParameters
) -> DemographicUse | None:
    """What the answer says of one of the query's demographic fields (None when not given)."""
    if value is None:
        return None
    column = f"{field}:{value}"
    if field == "sex" and value not in {s.value for s in Sex}:
        return DemographicUse(field, value, False, "an unknown sex is no evidence either way")
    if column not in columns:
        what = "sex" if field == "sex" else "ages of onset"
        reason = f"the pack's content gives no {what} for its causes, so it is not read"
        return DemographicUse(field, value, False, reason)
    if field == "sex":
        reason = (
            f"read against the {moved} causes the sources describe in one sex only: "
            f"{1 - params.excluded_share / 2:g} for theirs, {params.excluded_share / 2:g} for "
            "the other, against 0.5 for every other cause"
        )
    else:
        reason = (
            f"counts against the {moved} causes whose onset classes all lie more than "
            f"{params.onset_reach} age band(s) from {value} (ratio {params.excluded_share:g})"
        )
    return DemographicUse(field, value, True, reason)
