"""Word variants across parts of speech ("dysplastic" / "dysplasia", "patellar" / "patella",
"clavicular" / "clavicle"), which neither lemmatiser gives: FastHPOCR's token clusters (MIT,
Groza et al., 2024), read from the installed package. Each line of its
`vocab.clusters.list` is one cluster of comma-separated forms of one word, its root first."""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache
from importlib import resources

__all__ = ["variant_roots"]

_CLUSTERS = ("FastHPOCR", "resources/vocab.clusters.list")


@lru_cache(maxsize=1)
def _clusters() -> tuple[str, ...]:
    """The clusters of more than one form (a lone form names no variant), each as its line."""
    package, name = _CLUSTERS
    text = (resources.files(package) / name).read_text(encoding="utf-8")
    return tuple(line.lower() for line in text.splitlines() if "," in line)


def variant_roots(words: Collection[str]) -> dict[str, str]:
    """Every form of each cluster that holds one of `words` -> the cluster's root. A form in
    two such clusters keeps the first: the same word must always get the same root."""
    wanted = frozenset(words)
    roots: dict[str, str] = {}
    for line in _clusters():
        forms = [form.strip() for form in line.split(",")]
        if not wanted.isdisjoint(forms):
            for form in forms:
                roots.setdefault(form, forms[0])
    return roots
