"""Reading a parsed page within a time budget, whatever code reads it.

A page is hostile input: 12,000 nested lists make a directory reader that asks each item
for its ancestors or its text quadratic (223 s measured), and a check's time limit cannot
interrupt code that never yields to the event loop. So every tree :func:`parse` builds is
made of tags whose walks (``descendants``, ``parents``, siblings, next and previous
elements: what ``find_all``, ``get_text``, ``select`` and ``find_parent`` are built on)
check a deadline of the thread they run in, and raise :class:`Overtime` past it (a walk
that starts at a string, such as ``string.parents``, is bs4's own).
:meth:`~verifier.checks.CheckContext.read` runs a check's page reading in a page reader
thread with that deadline; outside it (the event loop, a test) no deadline is set and the walks
behave exactly as bs4's.

All of this reading runs one piece at a time (:func:`in_reader`): parsing, building a
page's view and a check's walks are Python code that holds the GIL, so threads doing it
at once only take turns, and the turns cost (measured with ``python -m bench recheck``:
6 threads at once used 40 % more CPU than one, and the run took 30 % longer). A read
still running after :data:`SLOW_READ` lets the next start beside it, so that a page
built to be slow to read holds no one else back. Each piece of work gets its deadline
when it starts, not when it is queued, so a page waiting behind others is not cut short
for their time. The reads of a run that holds its place in a batch (:func:`reads_first`)
take their turn before those of runs waiting for shared pages: when a member directory
every partner waits for is answered, twenty partners read it at once, and the partners
fetching their own pages meanwhile must not wait behind them; a read passed over for
:data:`PASSED_OVER` goes next all the same.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from bs4 import BeautifulSoup, Tag
from bs4.element import PageElement

T = TypeVar("T")
_local = threading.local()
_EVERY = 64
"""Steps of a walk between two looks at the clock."""


_READERS = ThreadPoolExecutor(max_workers=6, thread_name_prefix="page-reader")
"""The threads reads run in; one at a time while reads are quick (module docstring)."""
SLOW_READ = 0.1
"""Seconds after which a read no longer holds the others back: the next one starts in
another thread (a hostile page's 20-second walk must not stall every other partner, and
the reads of one such page overlap, so that a verification still ends within about
--parse-timeout). A real page's parse or walk takes a few to some tens of milliseconds."""
_FIRST: contextvars.ContextVar[Callable[[], bool] | None] = contextvars.ContextVar(
    "verifier_reads_first", default=None
)


@contextmanager
def reads_first(now: Callable[[], bool]) -> Iterator[None]:
    """Within it, the reads of this task and of the tasks it starts take their turn
    before the others waiting for theirs whenever ``now()`` says so (a run holding its
    place in a batch); the others keep their order. Tasks started within it keep ``now``
    as long as they live: let it hold no more than it needs (a weak reference)."""
    token = _FIRST.set(now)
    try:
        yield
    finally:
        _FIRST.reset(token)


def reading_context() -> contextvars.Context:
    """A context holding only what :func:`in_reader` reads from its caller's
    (:func:`reads_first`), for a task that outlives its caller (a shared cache's fetch): it
    must not keep the caller's other context variables, and what they refer to, alive."""
    context = contextvars.Context()
    context.run(_FIRST.set, _FIRST.get())
    return context


PASSED_OVER = 0.5
"""Seconds a read may wait while reads that go first (:func:`reads_first`) take their
turns before it; past them, it is next whoever else waits. Pages built to be slow to
read, asked by a partner holding its place, cannot hold the other partners' reads back
for longer, nor end their checks on their time limits."""


class _Turns:
    """One read at a time (:func:`in_reader`): the next turn goes to the first waiting
    if it has waited :data:`PASSED_OVER`, else to the first waiting whose
    :func:`reads_first` says so now, else to the first waiting."""

    def __init__(self) -> None:
        self._busy = False
        self._waiting: list[tuple[Callable[[], bool] | None, asyncio.Future[None], float]] = []

    async def acquire(self) -> None:
        if not self._busy:
            self._busy = True
            return
        entry = (_FIRST.get(), asyncio.get_running_loop().create_future(), time.monotonic())
        self._waiting.append(entry)
        try:
            await entry[1]
        except asyncio.CancelledError:
            if entry in self._waiting:
                self._waiting.remove(entry)
            elif not entry[1].cancelled():
                self.release()  # given the turn as it was cancelled: the next one's
            raise

    def release(self) -> None:
        self._waiting = [w for w in self._waiting if not w[1].done()]
        if not self._waiting:
            self._busy = False
            return
        entry = self._waiting[0]
        if time.monotonic() - entry[2] < PASSED_OVER:
            entry = next((w for w in self._waiting if w[0] is not None and w[0]()), entry)
        self._waiting.remove(entry)
        entry[1].set_result(None)  # still busy: the turn passes to it


_GATES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Turns] = weakref.WeakKeyDictionary()


async def in_reader(work: Callable[[float | None], T], seconds: float | None) -> T:
    """Run ``work(deadline)`` in a page reader thread, ``deadline`` being ``seconds``
    (``None``: no limit) after the moment it starts (``time.monotonic()``).

    Reads take turns, one at a time (the GIL would only make threads take turns anyway,
    and the turns cost), except that a read still running after :data:`SLOW_READ` lets
    the next one start beside it. Cancelled before it starts, it never runs; once
    started, a thread cannot be stopped: ``work`` must give up by itself at its deadline
    (the walks of :func:`parse`'s trees do, under :func:`reading_until`)."""
    loop = asyncio.get_running_loop()
    gate = _GATES.get(loop)
    if gate is None:
        gate = _GATES[loop] = _Turns()
    await gate.acquire()  # cancelled while waiting its turn: it never runs
    held = True
    try:
        started: asyncio.Future[None] = loop.create_future()

        def begin() -> None:
            if not started.done():
                started.set_result(None)

        def run() -> T:
            deadline = None if seconds is None else time.monotonic() + seconds
            loop.call_soon_threadsafe(begin)
            return work(deadline)

        done = loop.run_in_executor(_READERS, run)
        try:
            either: list[asyncio.Future[Any]] = [started, done]
            await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
            if not done.done():
                await asyncio.wait([done], timeout=SLOW_READ)
        except asyncio.CancelledError:
            done.cancel()  # not started yet: it never runs
            raise
        if not done.done():
            gate.release()  # a slow read: the next one need not wait for it
            held = False
        if seconds is None or done.done():
            return await done
        # The work checks its deadline itself; this wait's own limit is a backstop with a
        # little slack, for work that does not. (asyncio.timeout, not wait_for: on Python
        # 3.11 wait_for returns the result of work that finishes as its task is cancelled,
        # and drops the cancellation: a Ctrl-C landing then was ignored.)
        async with asyncio.timeout(seconds + 0.5):
            return await done
    finally:
        if held:
            gate.release()


class Overtime(Exception):
    """Reading a page went past the deadline of the thread reading it."""


def check_deadline() -> None:
    """Raise :class:`Overtime` if this thread's reading deadline has passed."""
    deadline = current_deadline()
    if deadline is not None and time.monotonic() > deadline:
        raise Overtime("reading the page went past its deadline")


def current_deadline() -> float | None:
    """This thread's reading deadline (:func:`reading_until`), ``None`` when it has none."""
    deadline: float | None = getattr(_local, "deadline", None)
    return deadline


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
