"""HPO's onset classes (the HP:0003674 subtree) as age bands, and the sexes a cause may be
limited to: what a diagnose query's `age` and `sex` are read against.

Each band's bounds come from the term's definition in hp.obo, quoted beside it; the HPO
importer checks at import time that the definition still says so (graph/packs/hpo/traits.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "AGE_BANDS",
    "ONSET_CLASSES",
    "OnsetClass",
    "Sex",
    "band_of_age",
    "onset_key",
]

# Days to years, for the neonatal period's 28 days.
_DAY = 1.0 / 365.25


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"


@dataclass(frozen=True, slots=True)
class OnsetClass:
    key: str  # the short name a query may give instead of the code ("childhood")
    code: str  # the HPO term
    bands: tuple[str, ...]  # the age bands (AGE_BANDS keys) it spans
    definition: str  # the verbatim part of the term's hp.obo definition the bands follow


# Age bands in order, youngest first, as [low, high) in years (antenatal is before birth,
# congenital at birth). Neighbouring bands are one step apart (`ModelParameters.onset_reach`).
AGE_BANDS: dict[str, tuple[float, float]] = {
    "antenatal": (-1.0, 0.0),
    "congenital": (0.0, 0.0),
    "neonatal": (0.0, 28 * _DAY),
    "infantile": (28 * _DAY, 1.0),
    "childhood": (1.0, 5.0),
    "juvenile": (5.0, 16.0),
    "young_adult": (16.0, 40.0),
    "middle_age": (40.0, 60.0),
    "late": (60.0, 200.0),
}

ONSET_CLASSES: tuple[OnsetClass, ...] = (
    OnsetClass("antenatal", "HP:0030674", ("antenatal",), "Onset prior to birth."),
    OnsetClass("congenital", "HP:0003577", ("congenital",), "present at birth"),
    OnsetClass("neonatal", "HP:0003623", ("neonatal",), "within the first 28 days of life"),
    OnsetClass(
        "pediatric",
        "HP:0410280",
        ("infantile", "childhood", "juvenile"),
        "before the age of 16 years, but excluding neonatal or congenital onset",
    ),
    OnsetClass("infantile", "HP:0003593", ("infantile",), "between 28 days to one year of life"),
    OnsetClass("childhood", "HP:0011463", ("childhood",), "between 1 and 5 years"),
    OnsetClass("juvenile", "HP:0003621", ("juvenile",), "between the age of 5 and 15 years"),
    OnsetClass(
        "adult",
        "HP:0003581",
        ("young_adult", "middle_age", "late"),
        "at the age of 16 years or later",
    ),
    OnsetClass("young_adult", "HP:0011462", ("young_adult",), "between 16 and 40 years"),
    OnsetClass("middle_age", "HP:0003596", ("middle_age",), "at the age of 40 to 60 years"),
    OnsetClass("late", "HP:0003584", ("late",), "after the age of 60 years"),
)


def band_of_age(years: float) -> str:
    """The band an age in years falls in (0 is congenital: present at birth)."""
    if years <= 0.0:
        return "congenital"
    return next(key for key, (low, high) in AGE_BANDS.items() if low <= years < high)


_KEYS = {c.key: c.key for c in ONSET_CLASSES} | {c.code: c.key for c in ONSET_CLASSES}


def onset_key(value: float | str) -> str:
    """An age of onset as an onset class key: years (0 is at birth), a key ("childhood") or
    the class's HPO code (HP:0011463). Raises ValueError for anything else."""
    if isinstance(value, str):
        key = _KEYS.get(value)
        if key is None:
            raise ValueError(
                f"{value!r} is not an onset class; use years, or one of {', '.join(_KEYS)}"
            )
        return key
    if not 0.0 <= value <= 150.0:
        raise ValueError("an age in years is between 0 and 150")
    return band_of_age(value)
