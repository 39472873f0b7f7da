"""A value built once, by whichever thread asks first, for indexes built after the start."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar, cast

__all__ = ["Once"]

V = TypeVar("V")


class Once(Generic[V]):
    """A value built by the first thread that asks for it, once; the others wait for it. A
    build that raises leaves it unbuilt, so the next caller tries again."""

    def __init__(self, build: Callable[[], V]) -> None:
        self._build: Callable[[], V] | None = build
        self._value: V | None = None
        self._lock = threading.Lock()

    def get(self) -> V:
        if self._value is None:
            with self._lock:
                if self._build is not None:
                    self._value = self._build()
                    self._build = None  # what it held (a built pack's documents) can go
        return cast(V, self._value)

    @property
    def built(self) -> bool:
        return self._value is not None
