"""Reading a parsed page within a time budget, whatever code reads it.

A page is hostile input: 12,000 nested lists make a directory reader that asks each item
for its ancestors or its text quadratic (223 s measured), and a check's time limit cannot
interrupt code that never yields to the event loop. So every tree :func:`parse` builds is
made of tags whose walks (``descendants``, ``parents``, siblings, next and previous
elements: what ``find_all``, ``get_text``, ``select`` and ``find_parent`` are built on)
check a deadline of the thread they run in, and raise :class:`Overtime` past it (a walk
that starts at a string, such as ``string.parents``, is bs4's own).
:meth:`~verifier.checks.CheckContext.read` runs a check's page reading in a worker thread
with that deadline; outside it (the event loop, a test) no deadline is set and the walks
behave exactly as bs4's.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from bs4 import BeautifulSoup, Tag
from bs4.element import PageElement

T = TypeVar("T")
_local = threading.local()
_EVERY = 64
"""Steps of a walk between two looks at the clock."""


class Overtime(Exception):
    """Reading a page went past the deadline of the thread reading it."""


def check_deadline() -> None:
    """Raise :class:`Overtime` if this thread's reading deadline has passed."""
    deadline: float | None = getattr(_local, "deadline", None)
    if deadline is not None and time.monotonic() > deadline:
        raise Overtime("reading the page went past its deadline")


@contextmanager
def reading_until(deadline: float | None) -> Iterator[None]:
    """Give this thread's page walks ``deadline`` (``time.monotonic()``; ``None``: none)."""
    before = getattr(_local, "deadline", None)
    _local.deadline = deadline
    try:
        yield
    finally:
        _local.deadline = before


def _bounded(walk: Iterator[T]) -> Iterator[T]:
    check_deadline()  # a walk can cost before its first step (bs4 finds the last descendant)
    for i, item in enumerate(walk):
        if not i % _EVERY:
            check_deadline()
        yield item


class _Walks:
    """The walks of bs4's elements, bounded by the thread's deadline."""

    @property
    def descendants(self) -> Iterator[PageElement]:
        return _bounded(super().descendants)  # type: ignore[misc]

    @property
    def parents(self) -> Iterator[Tag]:
        return _bounded(super().parents)  # type: ignore[misc]

    @property
    def next_siblings(self) -> Iterator[PageElement]:
        return _bounded(super().next_siblings)  # type: ignore[misc]

    @property
    def previous_siblings(self) -> Iterator[PageElement]:
        return _bounded(super().previous_siblings)  # type: ignore[misc]

    @property
    def next_elements(self) -> Iterator[PageElement]:
        return _bounded(super().next_elements)  # type: ignore[misc]

    @property
    def previous_elements(self) -> Iterator[PageElement]:
        return _bounded(super().previous_elements)  # type: ignore[misc]


class BoundedTag(_Walks, Tag):
    """A tag whose walks check the thread's deadline."""


class BoundedSoup(_Walks, BeautifulSoup):
    """A document whose walks check the thread's deadline."""


def parse(markup: str, **kwargs: Any) -> BeautifulSoup:
    """``markup`` parsed into a tree of bounded elements (``kwargs`` go to bs4)."""
    # Strings stay bs4's own classes: bs4 tells text from a stylesheet or a script by
    # their exact class. A walk that starts at a string (its parents) is not bounded.
    return BoundedSoup(markup, element_classes={Tag: BoundedTag}, **kwargs)
