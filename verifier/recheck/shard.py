"""Splitting a roster across runners: which partners are shard I of N (``--shard I/N``).

A partner's shard is a function of its id alone: the first eight bytes of the SHA-256 of
the id (UTF-8), read as a big-endian number, modulo N, plus one. Not its position in the
roster, so adding, removing or reordering partners moves no other partner to another
shard; and not Python's ``hash()``, which changes from one process to the next. The same
id lands in the same shard on every machine and with every version of the tool, which
is what lets ``recheck merge`` check that each shard holds only its own partners.

A partner removed from the roster since the baseline belongs to the shard its id says
too, so that exactly one shard lists it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

MAX_SHARDS = 1000
"""Most shards a roster may be split into (a roster holds at most 5,000 partners)."""
_SHARD = re.compile(r" *([0-9]{1,6}) */ *([0-9]{1,6}) *")


def shard_of(partner_id: str, count: int) -> int:
    """The shard (1 to ``count``) of the partner ``partner_id``: see the module docstring."""
    digest = hashlib.sha256(partner_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


@dataclass(frozen=True)
class Shard:
    """``--shard I/N``: the part of a roster one runner re-checks."""

    index: int
    """I, from 1 to ``count``."""
    count: int
    """N, the number of shards the roster is split into."""

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``I/N`` as a person types it; :class:`ValueError` saying what is wrong."""
        found = _SHARD.fullmatch(text)
        if found is None:
            raise ValueError(f"{text!r} is not I/N (e.g. 2/3: the second of three shards)")
        index, count = int(found[1]), int(found[2])
        if not 1 <= count <= MAX_SHARDS:
            raise ValueError(f"N in {text!r} must be 1 to {MAX_SHARDS}")
        if not 1 <= index <= count:
            raise ValueError(f"I in {text!r} must be 1 to {count} (shards are counted from 1)")
        return cls(index, count)

    def __str__(self) -> str:
        """``I/N``, as :meth:`parse` reads it."""
        return f"{self.index}/{self.count}"

    def holds(self, partner_id: str) -> bool:
        """Whether the partner ``partner_id`` is in this shard."""
        return shard_of(partner_id, self.count) == self.index
