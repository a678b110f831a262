"""What a process writing many bundles keeps from one to the next: a bounded memo.

A renewal re-check writes hundreds of bundles that hold the same shared captures (the
member directories) and the same run settings. What is a function of those bytes or that
text alone (a capture's text view, a compressed WARC record, a string made inert
Markdown) is worked out for the first bundle and kept, within a budget, for the next:
the bundle written is the same, byte for byte, as if it had been worked out again.

Bundles are written in worker threads (:func:`verifier.run.verify.execute` sends the
writing off the event loop), so every operation holds the memo's lock.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _one(_: object) -> int:
    return 1


class Memo(Generic[K, V]):
    """Values by key, the least recently used leaving first once their weights pass a
    budget; thread-safe.

    :param budget: the most the kept values may weigh together.
    :param weight: a value's weight (default: 1, so ``budget`` counts values); a value
        heavier than the whole budget is not kept.
    """

    def __init__(self, budget: int, weight: Callable[[V], int] = _one) -> None:
        self.budget = budget
        self._weight = weight
        self._kept: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._total = 0
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The value kept for ``key`` (now the most recently used), or ``None``."""
        with self._lock:
            found = self._kept.get(key)
            if found is None:
                return None
            self._kept.move_to_end(key)
            return found[0]

    def put(self, key: K, value: V) -> None:
        """Keep ``value`` for ``key`` (a key already kept keeps its value)."""
        weight = self._weight(value)
        if weight > self.budget:
            return
        with self._lock:
            if key in self._kept:
                return
            self._kept[key] = (value, weight)
            self._total += weight
            while self._total > self.budget:
                _, (_, gone) = self._kept.popitem(last=False)
                self._total -= gone

    def clear(self) -> None:
        """Forget every value."""
        with self._lock:
            self._kept.clear()
            self._total = 0

    def __len__(self) -> int:
        """How many values are kept."""
        return len(self._kept)
