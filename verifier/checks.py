"""What a check is, and what it is given: the heart of the plugin author's API.

A check verifies one kind of requirement. It subclasses :class:`Check`, names itself,
declares its params as a pydantic model, and implements ``async verify(ctx)``. It reads the
submission and its params from ``ctx``, fetches only through ``ctx.fetch``, and records
what it relied on with ``ctx.evidence(...)``; it never opens a socket, reads the clock for
a verdict, or writes files. A :class:`~verifier.errors.FetchError` it does not catch
becomes an ``error`` outcome with the fetch's reason: a fault is never a fail.
"""

from __future__ import annotations

import abc
import asyncio
import contextvars
import datetime as dt
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Generator, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from verifier.errors import FetchError, FetchTimeout, SourceMissing
from verifier.fetch.bounded import Overtime, in_reader, reading_until
from verifier.models import Evidence, Outcome, Requirement

if TYPE_CHECKING:
    from verifier.fetch import Page
    from verifier.inputs.sources import Source
    from verifier.inputs.submission import Submission


class Params(BaseModel):
    """Base for a check's params schema: unknown params are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NoParams(Params):
    """The params schema of a check that takes none."""


P = TypeVar("P", bound=Params)
R = TypeVar("R")


class CheckContext(Generic[P]):
    """Everything a check may use while verifying one requirement of one submission."""

    def __init__(
        self,
        *,
        requirement: Requirement,
        submission: Submission,
        params: P,
        as_of: dt.date,
        fetch: Callable[[str], Awaitable[Page]],
        sources: dict[str, Source],
        read_timeout: float | None = None,
        recorded_as: Callable[[str, Page], Evidence] | None = None,
        prefetch: Callable[[Iterable[str]], None] | None = None,
        fetches_left: Callable[[], int] | None = None,
    ) -> None:
        self.requirement = requirement
        """The requirement being verified (id, published text, raw params)."""
        self.submission = submission
        """The validated submission."""
        self.params = params
        """The requirement's params, an instance of the check's ``Params`` model."""
        self.as_of = as_of
        """The date for expiry decisions (``--as-of``); never read the clock instead."""
        self.log = logging.getLogger(f"verifier.check.{requirement.check}")
        """A logger for diagnostics; what a person must see goes into evidence instead."""
        self._fetch = fetch
        # How the run records a fetch (its own baseline bundle cited for a page answered
        # 304: Fetcher.evidence); without one, the page's own evidence.
        self._recorded_as = recorded_as
        # How the run starts fetches ahead of their asks (CountingFetch.prefetch: within
        # the check's budget); without one, prefetch() is a hint that does nothing.
        self._prefetch = prefetch
        self._fetches_left = fetches_left
        self._sources = sources
        self._read_timeout = read_timeout
        self._worker = threading.local()  # evidence recorded inside read(), kept on return
        self._evidence: list[Evidence | _Slot | _Part] = []

    async def fetch(self, url: str) -> Page:
        """Fetch ``url`` through the run's fetch layer and record it as evidence.

        The same URL asked by several checks in one run is fetched once. Returns the
        :class:`~verifier.fetch.Page` whatever its HTTP status (a 404 is an answer);
        raises :class:`~verifier.errors.FetchError` when no answer could be had.
        """
        slot = self._slot()
        try:
            page = await self._fetch(url)
        except FetchError as exc:
            slot.items = [
                Evidence(
                    kind="fetch",
                    url=url,
                    detail=f"GET {url} failed: {exc.reason}",
                    data=exc.evidence_data(),
                )
            ]
            raise
        finally:
            if slot.items is None:  # cancelled (the check timed out): nothing to keep
                slot.items = []
        recorded = self._recorded_as
        slot.items = [recorded(url, page) if recorded is not None else page.evidence()]
        return page

    @property
    def fetches_left(self) -> int | None:
        """How many more pages this check may fetch (or start with :meth:`prefetch`): its
        fetch budget (``--max-fetches-per-check``) less those it has asked; past it,
        :meth:`fetch` refuses. ``None`` where the run sets no budget (a context made with
        a ``fetch`` alone, as in a test).

        A check that reads several sources at once (:meth:`gather`) and could run out of
        budget would end differently depending on which site answers first; reading them
        at once only when the budget covers them all keeps its verdict the same every run.
        """
        return None if self._fetches_left is None else self._fetches_left()

    def prefetch(self, urls: Iterable[str]) -> None:
        """Start fetching ``urls`` now: pages this check will read with :meth:`fetch`
        (or :func:`~verifier.read_page`) one after the other, so that the request for the
        next one need not wait until the one before is answered and read.

        A hint: each page's evidence is recorded by the :meth:`fetch` that asks for it,
        where that fetch is asked, with the page or the fault this fetch got (nothing is
        raised here), exactly as without it; the run keeps every page it fetched in its
        captures, asked or not. Each URL started counts against the check's fetch budget
        then (not again when the check asks for it), and no more are started than the
        budget has left; a URL given twice is started once. Where the run has no way to
        fetch ahead (a context made with a ``fetch`` alone, as in a test), and outside the
        event loop (inside :meth:`read`), it does nothing. Give only pages the check will
        ask for: a page started ahead is a request to the site, and a fetch of the
        budget, even if the check never asks for it.
        """
        if self._prefetch is None:
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # a page reader thread: no loop to start fetches on
            return
        self._prefetch(urls)

    async def read(self, fn: Callable[..., R], page: Page, *args: Any) -> R:
        """Run ``fn(page, *args)``, code that walks a fetched page's tree (``page.soup``:
        ``find_all``, ``get_text``, ``parents``...), in a page reader thread, within the run's
        ``--parse-timeout``.

        A page is hostile input: a walk that is cheap on a real page can be quadratic on
        one built for it (12,000 nested lists), and code that never awaits cannot be
        stopped by the check's time limit. Every walk of ``page.soup`` checks the
        thread's deadline; past it, this raises :class:`~verifier.errors.FetchTimeout`
        naming the page (the requirement is ``error``, never ``fail``). ``page.visible_text``,
        ``page.links`` and ``page.hidden_passages`` are built already and need no ``read``.

        ``fn`` may record evidence with :meth:`evidence`: what it records is kept when it
        returns, in order, and dropped with it when it gives up or the check times out
        (a worker thread cannot be stopped at once, and must not add to a result already
        reported).
        """
        limit = self._read_timeout

        def run(deadline: float | None) -> tuple[R, list[Evidence]]:
            collected: list[Evidence] = []
            self._worker.collected = collected
            try:
                with reading_until(deadline):
                    return fn(page, *args), collected
            finally:
                del self._worker.collected

        slot = self._slot()
        try:
            result, recorded = await in_reader(run, limit)
        except (Overtime, TimeoutError):
            raise FetchTimeout(
                page.url,
                f"gave up reading the page: it took more than {limit:g}s to read (--parse-timeout)",
            ) from None
        finally:
            if slot.items is None:  # what it recorded is dropped with it
                slot.items = []
        slot.items = recorded
        return result

    def _slot(self) -> _Slot:
        # Evidence of a fetch or a read stands where it was asked, not where it finished:
        # the look-ups a check gathers at once are listed in the same order every run.
        slot = _Slot()
        self._entries().append(slot)
        return slot

    def _entries(self) -> list[Evidence | _Slot | _Part]:
        # Where evidence recorded now goes: the check's own list, or, inside a part of
        # gather(), that part's.
        part = _PART.get()
        return part[1] if part is not None and part[0] is self else self._evidence

    async def gather(self, *parts: Coroutine[Any, Any, R]) -> list[R]:
        """Run ``parts``, coroutines using this context, at once; their results, in the
        order given.

        Like :func:`asyncio.gather`, and with what one after the other would give,
        whichever site answers first: what each part records (its fetches, reads and
        :meth:`evidence`) is listed part by part, in the order given. Use it for look-ups
        that each fetch more than one page (two directories, each a chain of pages),
        which ``asyncio.gather`` would list interleaved, differently each run.

        If a part raises, the parts after it are cancelled and what they recorded is
        dropped, the parts before it are awaited, and the exception of the first part
        in order that raised is raised: as if they had run one after the other (the pages
        the cancelled parts fetched still count in the fetch budget). Cancelling
        this call cancels every part and waits for them all. Each part is timed as the
        check is (:class:`Stretches`): a part that blocks the event loop is the check's.
        Pass coroutines not yet started (``gather(look(ctx, a), look(ctx, b))``).
        """
        if not all(asyncio.iscoroutine(part) for part in parts):
            for part in parts:
                if asyncio.iscoroutine(part):
                    part.close()
            raise TypeError("ctx.gather takes coroutines not yet started, such as look(ctx, a)")
        loop = asyncio.get_running_loop()
        within = _TIMED.get()
        tasks: list[asyncio.Task[R]] = []
        holders: list[_Part] = []
        for part in parts:
            holder = _Part([])
            self._entries().append(holder)
            holders.append(holder)
            context = contextvars.copy_context()
            context.run(_PART.set, (self, holder.entries))
            tasks.append(
                loop.create_task(_awaited(Stretches(part, within=within)), context=context)
            )
        failed: int | None = None
        try:
            pending = set(tasks)
            while pending:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_EXCEPTION)
                for task in done:
                    if not task.cancelled() and task.exception() is not None:
                        at = tasks.index(task)
                        failed = at if failed is None else min(failed, at)
                if failed is not None:
                    for task in tasks[failed + 1 :]:
                        task.cancel()
                    pending = {t for t in pending if tasks.index(t) < failed}
        except BaseException:
            await _settle(tasks)
            _drop_after(holders, failed)
            raise
        await _settle(tasks)  # the parts cancelled after a fault have ended
        _drop_after(holders, failed)
        if failed is not None:
            exc = tasks[failed].exception()
            assert exc is not None
            raise exc
        return [task.result() for task in tasks]

    def evidence(
        self,
        kind: str,
        detail: str,
        *,
        page: Page | None = None,
        url: str | None = None,
        excerpt: str | None = None,
        **data: Any,
    ) -> Evidence:
        """Record one fact the verdict relies on (or one search that found nothing).

        :param kind: what it is (``link``, ``directory-entry``, ``certificate``, ``search``).
        :param detail: one sentence a person reads.
        :param page: the fetched page it was found in; fills url, sha256 and fetched_at.
        :param url: the URL it is about, when there is no page (or a link's target).
        :param excerpt: the exact passage, link text or CSS path.
        :param data: further JSON-serialisable facts.
        """
        item = Evidence(
            kind=kind,
            detail=detail,
            url=url if url is not None else (page.url if page else None),
            sha256=page.sha256 if page else None,
            fetched_at=page.fetched_at if page else None,
            excerpt=excerpt,
            data=data,
        )
        collected: list[Evidence] | None = getattr(self._worker, "collected", None)
        if collected is not None:
            collected.append(item)
        else:
            self._entries().append(item)
        return item

    def source(self, name: str) -> Source:
        """The directory or registry called ``name`` in the run's sources.

        Raises :class:`~verifier.errors.SourceMissing` (an ``error`` outcome) when the run
        has no such source.
        """
        try:
            return self._sources[name]
        except KeyError:
            known = ", ".join(sorted(self._sources)) or "none"
            raise SourceMissing(
                f"no source named {name!r} is configured (known: {known}); "
                "add it to sources.yaml or pass --sources"
            ) from None

    @property
    def recorded(self) -> tuple[Evidence, ...]:
        """Evidence recorded so far, in order: a fetch's or a read's where it was asked
        (so concurrent ones are listed in the order the check asked them); one still under
        way is not listed yet."""
        out: list[Evidence] = []

        def add(entries: list[Evidence | _Slot | _Part]) -> None:
            for item in entries:
                if isinstance(item, _Slot):
                    out.extend(item.items or ())
                elif isinstance(item, _Part):
                    add(item.entries)
                else:
                    out.append(item)

        add(self._evidence)
        return tuple(out)


class _Slot:
    """The place of a fetch's or a read's evidence among a check's, from when it is asked
    (``None`` while it runs)."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: list[Evidence] | None = None


class Stretches:
    """Awaits a check's coroutine, timing each stretch it runs without yielding to the
    event loop: the longest is how long it blocked every other task.

    Measured here, on the check's own coroutine, rather than by a watchdog task: a
    watchdog sees that the loop was blocked, not by which of the concurrent checks. The
    parts a check runs with :meth:`CheckContext.gather` are timed the same way, and their
    longest stretch counts as the check's. Public for the conformance kit
    (``verifier.testing``), which holds a check to a budget by the same measure.
    """

    def __init__(self, coro: Coroutine[Any, Any, Any], *, within: Stretches | None = None) -> None:
        self._coro = coro
        self._within = within
        self.longest = 0.0
        """Seconds of the longest stretch so far (its parts' included)."""

    def _ran(self, seconds: float) -> None:
        timed: Stretches | None = self
        while timed is not None:
            timed.longest = max(timed.longest, seconds)
            timed = timed._within

    def __await__(self) -> Generator[Any, Any, Any]:
        coro = self._coro
        send: Any = None
        throw: BaseException | None = None
        while True:
            start = time.monotonic()
            token = _TIMED.set(self)  # a gather() in this stretch times its parts within
            try:
                yielded = coro.throw(throw) if throw is not None else coro.send(send)
            except StopIteration as done:
                return done.value
            finally:
                _TIMED.reset(token)
                self._ran(time.monotonic() - start)
            try:
                send, throw = (yield yielded), None
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:  # a cancellation (the time limit): passed on
                send, throw = None, exc


_TIMED: contextvars.ContextVar[Stretches | None] = contextvars.ContextVar(
    "verifier_check_timed", default=None
)
"""The :class:`Stretches` timing the coroutine that runs now."""


class _Part:
    """The place of the evidence of one part of :meth:`CheckContext.gather`, from when
    the parts are given."""

    __slots__ = ("entries",)

    def __init__(self, entries: list[Evidence | _Slot | _Part]) -> None:
        self.entries = entries


async def _awaited(timed: Stretches) -> Any:
    return await timed


def _drop_after(holders: list[_Part], failed: int | None) -> None:
    """Drop what the parts after the one that failed recorded: one after the other, they
    would not have run."""
    if failed is not None:
        for holder in holders[failed + 1 :]:
            holder.entries.clear()


async def _settle(tasks: list[asyncio.Task[Any]]) -> None:
    """Cancel ``tasks`` and wait until every one has ended, however often the caller is
    cancelled meanwhile (the check's time limit, then Ctrl-C): no part outlives it."""
    for task in tasks:
        task.cancel()  # a no-op on those done
    cancelled = False
    while not all(task.done() for task in tasks):
        try:
            await asyncio.wait([task for task in tasks if not task.done()])
        except asyncio.CancelledError:
            cancelled = True  # raised once every part has ended
    if cancelled:
        raise asyncio.CancelledError


_PART: contextvars.ContextVar[tuple[CheckContext[Any], list[Evidence | _Slot | _Part]] | None] = (
    contextvars.ContextVar("verifier_check_part", default=None)
)
"""Inside a part of :meth:`CheckContext.gather`: that context, and the part's evidence."""


@dataclass(frozen=True)
class CheckExample:
    """Inputs that make a check do its work, for the conformance kit
    (:func:`verifier.testing.assert_check_conforms`), which cannot guess them.

    The kit serves every URL itself (down, 503, 404, a page that says nothing), so the
    URLs here need not exist; they only have to lead the check to fetch.
    """

    submission: Mapping[str, Any] = field(default_factory=dict)
    """Submission fields over :func:`verifier.testing.make_submission`'s minimal one, e.g.
    ``{"offering": {"name": "Acme Lens", "landing_page": "http://acme.example/lens"}}``.
    The kit's requirement id is ``requirement`` (an ``attestations`` key, say)."""
    params: Mapping[str, Any] = field(default_factory=dict)
    """The requirement's params (those without a default, at least)."""
    sources: Mapping[str, str] = field(default_factory=dict)
    """The sources the check consults, by name: their URLs (a URL template for a
    registry)."""
    pages: Mapping[str, str | int] = field(default_factory=dict)
    """What a source's URL answers when the applicant is not in it, instead of the kit's
    page about nothing: an HTML body (a directory listing others), or a status (a
    registry's 404, "no such record")."""


class Check(abc.ABC, Generic[P]):
    """Base class of every check. Subclass it, set the class attributes, write ``verify``.

    Example::

        class HasTitle(Check[HasTitleParams]):
            name = "has-title"
            version = "1.0"
            Params = HasTitleParams

            async def verify(self, ctx: CheckContext[HasTitleParams]) -> Outcome:
                page = await ctx.fetch(ctx.submission.applicant.website)
                ...
    """

    name: ClassVar[str]
    """Unique name that policies use in ``check:``."""
    version: ClassVar[str] = "1"
    """Version of the check's logic, recorded in every report."""
    Params: ClassVar[type[Params]] = NoParams
    """Pydantic model of the params; policies are validated against it when loaded."""
    description: ClassVar[str] = ""
    """One line shown by ``finops-verify plugins``."""
    example: ClassVar[CheckExample] = CheckExample()
    """What the conformance kit gives the check to make it fetch: a submission's fields,
    params, sources. The default (a minimal submission, no params) suits a check that
    reads only the applicant's website."""

    @abc.abstractmethod
    async def verify(self, ctx: CheckContext[P]) -> Outcome:
        """Verify the requirement in ``ctx`` and return the outcome."""
