"""Sharing fetches, apart from recording them.

- :class:`FetchCache`: one request per URL for as long as its owner keeps it (one run, or
  a whole batch of runs); requests in flight are shared. It writes nothing.
- :class:`Fetcher`: one run's door to pages. It reads through a cache (its own, or one a
  batch shares) and writes every exchange it used into its run's evidence store, so each
  bundle holds its own copy of each capture it relied on (same SHA-256) and its own index
  entry, and stays self-contained however many runs shared the request.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from verifier.bundle.store import EvidenceStore
from verifier.clock import Clock, stamp, utc_clock
from verifier.errors import FetchError, FetchRefused
from verifier.fetch.bounded import reading_context
from verifier.fetch.conditional import (
    ConditionalBook,
    RevalidatedPage,
    own_citation,
    validators_of,
)
from verifier.fetch.page import DEFAULT_MAX_TAGS, Page, parse_within
from verifier.fetch.politeness import retrieved
from verifier.fetch.settings import FetchSettings
from verifier.models import Evidence
from verifier.urls import join_url, origin_of


class PageSource(Protocol):
    """Where pages come from: the web (:class:`LiveSource`) or a bundle (replay)."""

    async def get(self, url: str) -> Page:
        """The page at ``url``; raises :class:`~verifier.errors.FetchError` on a fault."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


DEFAULT_READ_TIMEOUT = FetchSettings().parse_timeout
"""Seconds a check may walk one page's tree unless told (``--parse-timeout``)."""


FAULT_WEIGHT = 1024
"""What a kept fault weighs in a bounded :class:`FetchCache` (bytes): its message."""
TREE_FACTOR = 8
"""A parsed HTML tree weighs about this many times its body (bs4 objects; an estimate
that errs on the heavy side, so that the bound holds)."""


def kept_weight(page: Page) -> int:
    """About how many bytes ``page`` holds in memory: its body, and its parsed tree."""
    return len(page.body) * (1 + TREE_FACTOR if page.is_html else 1) + FAULT_WEIGHT


class FetchCache:
    """One request per URL, shared by every run that reads through this cache.

    Requests in flight are shared, not duplicated: five checks (or five applicants of a
    batch) asking for one URL at once await one task. A fault is kept like a page: asked
    again, the URL fails the same way without a second request. The cache lives as long
    as its owner wants and is closed by it (:meth:`aclose`).

    :param source: where pages come from; pages of its own it fetched to obey the rules
        (robots.txt) are its ``side_pages``, which each run records when it relied on them.
    :param clock: the time a fault is recorded at (a page carries its own ``fetched_at``).
    :param max_kept: ``None`` (the default): every page is kept while the cache lives, as
        one run needs. A number of bytes: a batch as long as a roster keeps the finished
        pages it asked most recently, up to about that many bytes (a page weighs
        :func:`kept_weight`: its body and an estimate of its parsed tree), and forgets the
        least recently asked ones beyond, a page asked only once first, and of those a
        page of a host only one run asked first (runs named by :meth:`get`'s ``asker``):
        a page several runs read (a member directory) stays, one partner's own pages
        leave once newer ones come, and a roster's worth of partners in flight cannot
        push the shared pages out, not even a directory's page 9 that one partner's walk
        reached before the others'. Fetches in flight are never dropped; a forgotten page
        asked again is fetched again (:attr:`requests`).
    :param read_pages: ``False``: pages are kept and handed on as the source gives them,
        not read here: the cache of a process that serves pages to other processes, each
        of which reads what it is handed (:mod:`verifier.run.pool`).
    """

    def __init__(
        self,
        source: PageSource,
        *,
        max_tags: int = DEFAULT_MAX_TAGS,
        read_timeout: float | None = DEFAULT_READ_TIMEOUT,
        clock: Clock = utc_clock,
        max_kept: int | None = None,
        read_pages: bool = True,
    ) -> None:
        self.source = source
        self.read_pages = read_pages
        self.max_tags = max_tags
        """Tag cap for pages the source did not parse itself (replay)."""
        self.read_timeout = read_timeout
        """Seconds a check may spend walking one page's tree (``CheckContext.read``)."""
        self._clock = clock
        self._tasks: dict[str, asyncio.Task[Page]] = {}
        self._failed_at: dict[str, str] = {}
        self.requests = 0
        """URLs actually handed to the source (cache misses)."""
        self.hits = 0
        """Asks answered by a fetch already made or in flight (shared, not repeated)."""
        self.max_kept = max_kept
        self._kept: OrderedDict[str, int] = OrderedDict()  # finished URL -> weight, LRU first
        self._kept_bytes = 0
        self._again: set[str] = set()  # URLs asked more than once: forgotten last
        self._first_asker: dict[str, object] = {}  # origin -> the first run that asked it
        self._shared: set[str] = set()  # origins several runs asked: forgotten after others

    @property
    def kept_bytes(self) -> int:
        """The weight of the finished pages kept now (:func:`kept_weight`)."""
        return self._kept_bytes

    def task(self, url: str, asker: object = None) -> asyncio.Task[Page]:
        """The one task that fetches ``url`` (stripped), started at the first ask
        (``asker``: as :meth:`get` takes it)."""
        key = url.strip()
        if asker is not None and self.max_kept is not None:
            self._note_asker(key, asker)
        task = self._tasks.get(key)
        if task is None:
            task = self._start(key)
        else:
            self.hits += 1
            if self.max_kept is not None:
                self._again.add(key)
            if key in self._kept:
                self._kept.move_to_end(key)  # asked again: the most recently used now
        return task

    def _note_asker(self, key: str, asker: object) -> None:
        # One entry per origin asked: a roster's partners and the hosts they share.
        origin = origin_of(key)
        if origin in self._shared:
            return
        first = self._first_asker.setdefault(origin, asker)
        if first != asker:
            self._shared.add(origin)
            del self._first_asker[origin]

    def _forgettable(self, url: str) -> bool:
        # Forgotten first: a page asked once, of a host no second run asked.
        return url not in self._again and origin_of(url) not in self._shared

    def at_hand(self, url: str) -> bool:
        """Whether the fetch of ``url`` (stripped) has ended already (a page or a fault)."""
        task = self._tasks.get(url.strip())
        return task is not None and task.done()

    def warm(self, url: str) -> asyncio.Task[Page] | None:
        """Start fetching ``url`` (stripped) before anyone asks for it: the new task, or
        ``None`` when its fetch is started already (then an ask is what it always was).

        Not an ask: it counts no hit, so whoever warmed the task takes it himself
        (:meth:`Fetcher.prefetch`) instead of asking :meth:`task` again. A fault it ends
        with is retrieved here: a page warmed and never asked (its check timed out) is no
        "Task exception was never retrieved" in the log.
        """
        key = url.strip()
        if key in self._tasks:
            return None
        task = self._start(key)
        task.add_done_callback(retrieved)
        return task

    def _start(self, key: str) -> asyncio.Task[Page]:
        # The task outlives the run that asked first (the cache keeps it for the others):
        # it carries that run's read priority, and nothing else of its context.
        loop = asyncio.get_running_loop()
        task = loop.create_task(self._fetch(key), context=reading_context())
        self._tasks[key] = task
        return task

    def _finished(self, url: str, weight: int) -> None:
        # Only a bounded cache keeps the order; the page just finished is never dropped.
        if self.max_kept is None or self._tasks.get(url) is None:
            return
        self._kept[url] = weight
        self._kept_bytes += weight
        while self._kept_bytes > self.max_kept and len(self._kept) > 1:
            # The least recently asked page that nobody asked twice, of a host only one
            # run asked; else one nobody asked twice; else the least recently asked of
            # all. (Pages asked again are moved to the end, so the scans meet few of them.)
            old = next((u for u in self._kept if u != url and self._forgettable(u)), None)
            if old is None:
                old = next((u for u in self._kept if u not in self._again and u != url), None)
            if old is None:
                old = next(iter(self._kept))
            old_weight = self._kept.pop(old)
            self._again.discard(old)
            self._kept_bytes -= old_weight
            self._tasks.pop(old, None)
            self._failed_at.pop(old, None)

    async def get(self, url: str, asker: object = None) -> Page:
        """The page at ``url``, fetched at most once while the cache lives.

        ``asker``: who asks (a batch's run; any hashable value). A bounded cache forgets
        the pages of a host that several askers asked after the others: the host a
        roster's partners share (a member directory) is not one partner's own."""
        # shield: one check timing out must not cancel the fetch other checks await.
        return await asyncio.shield(self.task(url, asker))

    def warm_robots(self, url: str) -> None:
        """Have the source start reading robots.txt of ``url``'s origin, when it reads
        robots.txt (:meth:`verifier.fetch.client.LiveSource.warm_robots`)."""
        warm = getattr(self.source, "warm_robots", None)
        if callable(warm):
            warm(url)

    def failed_at(self, url: str) -> str:
        """When the fetch of ``url`` (stripped) failed, as evidence times are written."""
        return self._failed_at.get(url.strip()) or stamp(self._clock())

    @property
    def side_pages(self) -> Sequence[tuple[str, Page]]:
        """(purpose, page) the source fetched for itself (robots.txt); none for replay."""
        pages: Sequence[tuple[str, Page]] = getattr(self.source, "side_pages", ())
        return pages

    async def _fetch(self, url: str) -> Page:
        self.requests += 1
        try:
            page = await self.source.get(url)
        except FetchError:
            # A source that heard of the fault from elsewhere (a worker's RemoteSource,
            # told by the process that fetched) knows when it happened.
            told = getattr(self.source, "fault_time", None)
            self._failed_at[url] = (told(url) if callable(told) else None) or stamp(self._clock())
            self._finished(url, FAULT_WEIGHT)
            raise
        try:
            return await self._parsed(page)
        finally:
            self._finished(url, kept_weight(page))

    async def _parsed(self, page: Page) -> Page:
        if self.read_pages and page.is_html:
            # Read in a page reader thread, once, before any check reads it: milliseconds
            # per page, which on the event loop would delay every other fetch and make
            # deadlines late (reference/hostile-inputs.md, item 6). The
            # live source does this itself, within FetchSettings.parse_timeout; a replay
            # source does not, and must keep to the same limit to reach the same verdict.
            await parse_within(page, self.read_timeout, self.max_tags)
        return page

    async def aclose(self) -> None:
        """Cancel unfinished fetches and close the source."""
        for task in self._tasks.values():
            if not task.done():
                task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        await self.source.aclose()


@dataclass(frozen=True)
class Place:
    """A run's place among the runs of a batch that work at once (a re-check's
    ``--concurrency``), which the run gives up while it only waits for pages the batch
    shares, and takes back before it asks a page of its own.

    While every check of the run still running waits for a page of one of
    ``shared_origins`` (those of the run's sources: a member directory that the partners'
    runs read, fetched once for all of them, or a credential registry) that is not at
    hand, and no page it asked elsewhere is in flight, its :class:`Fetcher` calls
    ``leave()``, and another run of the batch may start. Before a check of the run asks
    a page elsewhere, the run awaits ``back()`` (which a check's time limit does not
    count, up to one more time limit in all).
    Pages of the shared origins an applicant names (a group page, a credential id) are
    asked without the place, under the per-host limits as ever; so is robots.txt of the
    run's own site, when its read began as the run took its place.
    """

    leave: Callable[[], None]
    """Give the place up (called at most once per ``back``)."""
    back: Callable[[], Awaitable[None]]
    """Take the place back: returns once the batch has given it."""
    shared_origins: frozenset[str]
    """Origins (:func:`~verifier.urls.origin_of`) whose pages the batch shares."""


_FETCHERS = itertools.count(1)
"""Numbers for fetchers: a number, not the fetcher, is what a shared cache keeps of its
askers, which must not keep a finished run's pages alive."""


class Fetcher:
    """One run's fetches: through a :class:`FetchCache`, each exchange kept in ``store``.

    Every URL the run asks is recorded once in its store (the capture under its hash, and
    an index entry), as soon as its fetch ends, even when the check that asked has given
    up meanwhile. At :meth:`aclose`, the robots.txt pages of every origin the run met
    (asked, redirected through, or ended at) are recorded too, as evidence of the rules
    that applied: a page another run of the batch fetched first still lands in this
    bundle when this run relied on it.

    :param source: a :class:`FetchCache` shared with other runs (its owner closes it), or
        a :class:`PageSource`, for which this run makes and closes a cache of its own.
    :param store: where this run's evidence goes; ``None``: nowhere (tests).
    :param own_baseline: this run's own bundle of a baseline re-check, as a book of that
        one bundle: the evidence and index of a page answered 304 then cite it
        (:func:`~verifier.fetch.conditional.own_citation`; the page itself, shared with
        the other runs, is left as it is).
    :param place: the run's place in a batch, given up while the run only waits for
        shared pages (:class:`Place`); the engine tells the fetcher which checks run
        (:meth:`check_started`, :meth:`check_ended`) and their fetches go through
        :class:`CountingFetch`.
    """

    def __init__(
        self,
        source: PageSource | FetchCache,
        store: EvidenceStore | None,
        *,
        max_tags: int = DEFAULT_MAX_TAGS,
        read_timeout: float | None = DEFAULT_READ_TIMEOUT,
        clock: Clock = utc_clock,
        own_baseline: ConditionalBook | None = None,
        place: Place | None = None,
    ) -> None:
        if isinstance(source, FetchCache):
            self.cache, self._owns_cache = source, False
        else:
            cache = FetchCache(source, max_tags=max_tags, read_timeout=read_timeout, clock=clock)
            self.cache, self._owns_cache = cache, True
        self.store = store
        # The answer this run got for each URL: asked again, the URL gets the same page,
        # the one its bundle records, even if the shared cache has forgotten it since.
        self._answers: dict[str, asyncio.Task[Page]] = {}
        self._own_baseline = own_baseline
        self._cited: dict[str, dict[str, Any] | None] = {}
        self._origins: set[str] = set()
        self._open = True
        self._place = place
        self._left = False  # the place given up, not taken back yet
        self._returning: asyncio.Lock | None = None
        self._running = 0  # checks of this run still running
        self._only_shared = 0  # of them, those waiting for shared pages, and nothing else
        self._asker = next(_FETCHERS)  # who asks, to a shared cache (FetchCache.get)

    @property
    def read_timeout(self) -> float | None:
        """Seconds a check may spend walking one page's tree (``CheckContext.read``)."""
        return self.cache.read_timeout

    async def get(self, url: str) -> Page:
        """The page at ``url``: from the cache, recorded in this run's store once."""
        key = url.strip()
        task = self._answers.get(key)
        if task is None:
            task = self.cache.task(key, self._asker)
            self._answers[key] = task
            if task.done():
                self._keep(key, task)  # before the check sees it, as for a new fetch
            else:
                # Registered before shield() adds its own: it runs first, so the exchange
                # is recorded before any check reads the page.
                task.add_done_callback(functools.partial(self._keep, key))
        if task.done():
            # A page at hand is no reason to keep the event loop: the run's other checks
            # get their turn (and send their own requests) before this one reads on.
            # Without it, a check reading a shared directory that other runs of a batch
            # fetched already walks all of it before the next check has asked its first
            # page: 20-130 ms a partner, on the critical path of its own host's pages.
            await asyncio.sleep(0)
        return await asyncio.shield(task)

    def prefetch(self, url: str) -> None:
        """Start fetching ``url`` now, for a :meth:`get` to come. The exchange is recorded
        in the store when it ends, as every fetch the run made is, asked or not (a check
        that timed out); :meth:`get` then gets the page, or the fault, it gave (and the
        shared cache counts no hit for it). Nothing is started for a URL this run asked
        already or whose fetch the cache has started, nor, while the run has given its
        place up, for a page not shared."""
        key = url.strip()
        if not self._open or key in self._answers:
            return
        if self._left and not self.is_shared(key):
            return  # no request of its own while the run has given its place up
        task = self.cache.warm(key)
        if task is not None:
            self._answers[key] = task
            task.add_done_callback(functools.partial(self._keep, key))

    def at_hand(self, url: str) -> bool:
        """Whether the page at ``url`` (or its fault) is here already: asked, it is
        answered without waiting."""
        key = url.strip()
        task = self._answers.get(key)
        return task.done() if task is not None else self.cache.at_hand(key)

    def is_shared(self, url: str) -> bool:
        """Whether ``url`` is of an origin whose pages the batch shares (:class:`Place`)."""
        return self._place is not None and origin_of(url.strip()) in self._place.shared_origins

    def check_started(self) -> None:
        """A check of this run has started (the engine tells)."""
        self._running += 1

    def check_ended(self) -> None:
        """A check of this run has ended: the others may now all be waiting for shared
        pages only."""
        self._running -= 1
        self._maybe_leave()

    def waits_for_shared(self, change: int) -> None:
        """A check now waits for shared pages and nothing else (``+1``), or no longer
        (``-1``) (:class:`CountingFetch`)."""
        self._only_shared += change
        self._maybe_leave()

    @property
    def holds_place(self) -> bool:
        """Whether the run holds its place in a batch (:class:`Place`) and its checks run:
        its page reads go first (:func:`~verifier.fetch.bounded.reads_first`)."""
        return self._place is not None and not self._left and self._running > 0

    @property
    def has_left(self) -> bool:
        """Whether the run has given its place up (:class:`Place`) and not taken it back."""
        return self._left

    async def own_turn(self) -> None:
        """Before a request of this run's own: the place taken back if it was given up."""
        if self._place is None or not self._left:
            return
        if self._returning is None:
            self._returning = asyncio.Lock()
        async with self._returning:
            if self._left:
                await self._place.back()
                self._left = False

    def _maybe_leave(self) -> None:
        place = self._place
        if place is None or self._left or not self._running:
            return
        if self._only_shared < self._running:
            return
        if any(not t.done() and not self.is_shared(u) for u, t in self._answers.items()):
            return  # a page of its own (asked ahead, or by a check that gave up) in flight
        self._left = True
        place.leave()

    def evidence(self, url: str, page: Page) -> Evidence:
        """The fetch of ``url`` (stripped) that gave ``page``, as this run records it: a
        page answered 304 cites this run's own baseline bundle when it holds the same
        capture (:func:`~verifier.fetch.conditional.own_citation`)."""
        if self._own_baseline is None or not isinstance(page, RevalidatedPage):
            return page.evidence()
        key = url.strip()
        if key not in self._cited:
            self._cited[key] = own_citation(page, self._own_baseline)
        cited = self._cited[key]
        return page.evidence() if cited is None else page.evidence_citing(cited)

    def _keep(self, url: str, task: asyncio.Task[Page]) -> None:
        """Record how the fetch of ``url`` ended (a page, or a fault) in this run's store."""
        if not self._open or task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            page = task.result()
            self._met(url, page.final_url, *_targets((h.url, h.location) for h in page.hops))
            self._store(url, page)
        elif isinstance(exc, FetchError):
            hops = ((str(h.get("url", "")), str(h.get("location", ""))) for h in exc.hops)
            self._met(url, *_targets(hops))
            self._record_error(url, exc)
        # Any other exception is a bug of the source: the check that awaits it reports it.
        self._maybe_leave()  # a page of its own no longer in flight: its checks may be done

    def _met(self, *urls: str | None) -> None:
        self._origins.update(origin_of(u) for u in urls if u)

    def _store(self, url: str, page: Page, purpose: str | None = None) -> None:
        if self.store is None:
            return
        self.store.put(page.sha256, page.body)  # written with the index, off the loop
        extra = {"purpose": purpose} if purpose else {}
        # What a later run may ask this page again with (conditional re-fetching).
        # Worked out once per page: a shared directory page is recorded by every run.
        validators = page._once("_validators", lambda: validators_of(page.headers, page.fetched_at))
        self.store.record(
            {
                "url": url,
                "sha256": page.sha256,
                "fetched_at": page.fetched_at,
                **self.evidence(url, page).data,
                "validators": validators.to_json() if validators else None,
                **extra,
            }
        )

    def _record_error(self, url: str, exc: FetchError) -> None:
        if self.store is not None:
            error: dict[str, Any] = {
                "url": url,
                "fetched_at": self.cache.failed_at(url),
                "sha256": None,
                **exc.evidence_data(),
            }
            self.store.record(error)

    async def aclose(self) -> None:
        """Stop recording once this run's fetches still in flight have ended (a page asked
        ahead and never read, or one whose check gave up: every request the run made is in
        its bundle; each is bounded by the fetch layer's deadlines, and a run being
        cancelled does not wait); record the robots.txt pages this run relied on; close the
        cache when it is this run's own (a shared cache's fetches go on for the others)."""
        pending = [task for task in self._answers.values() if not task.done()]
        current = asyncio.current_task()
        if pending and self._open and not (current is not None and current.cancelling()):
            await asyncio.wait(pending)
        if self._owns_cache:
            await self.cache.aclose()
        self._open = False
        for purpose, page in _relied_on(self.cache.side_pages, self._origins):
            self._store(page.url, page, purpose)


def _targets(hops: Iterable[tuple[str, str]]) -> list[str]:
    """Every URL a chain of (url, location) hops went to, locations made absolute."""
    found = []
    for url, location in hops:
        found.append(url)
        target = join_url(url, location) if isinstance(location, str) else None
        if target is not None:  # a location that is no URL went nowhere
            found.append(target)
    return found


def _relied_on(side_pages: Iterable[tuple[str, Page]], origins: set[str]) -> list[tuple[str, Page]]:
    """The side pages (robots.txt) of the origins a run met, in the order fetched."""
    # Every run of a batch scans every robots.txt the batch fetched (one per host: a
    # roster's worth); parsing each URL again made that scan quadratic in the roster.
    return [(purpose, page) for purpose, page in side_pages if _origin(page.url) in origins]


_origin = functools.lru_cache(maxsize=8192)(origin_of)


class CountingFetch:
    """A check's view of the fetcher: enforces the per-check fetch budget."""

    def __init__(self, fetcher: Fetcher, budget: int) -> None:
        self._fetcher = fetcher
        self._budget = budget
        self.count = 0
        self._asked: set[str] = set()
        self._ahead: set[str] = set()  # started by prefetch, not asked yet
        self._waiting = [0, 0]  # fetches awaited now: of pages not shared, of shared ones
        self.limit: asyncio.Timeout | None = None
        """The check's time limit, pushed back by the time it waits for its run's place."""
        self.pause_allowance = 0.0
        """Seconds the limit may be pushed back in all (the engine gives one more time
        limit): a check that goes from shared pages to its own again and again cannot
        outlive its limit by more."""

    @property
    def left(self) -> int:
        """Fetches the check may still make or start."""
        return max(0, self._budget - self.count)

    def prefetch(self, urls: Iterable[str]) -> None:
        """Start fetching ``urls`` (each once, stripped) for the check's asks to come. Each
        one started counts against the budget then, not again when the check asks for it:
        never more requests than the budget allows, asked or not."""
        for key in dict.fromkeys(url.strip() for url in urls):
            if self.count >= self._budget:
                return
            if key not in self._asked and key not in self._ahead:
                self._ahead.add(key)
                self.count += 1
                self._fetcher.prefetch(key)

    async def __call__(self, url: str) -> Page:
        """Fetch ``url`` through the shared fetcher, counting against the budget."""
        key = url.strip()
        if key in self._ahead:
            self._ahead.discard(key)  # counted when it was started ahead
        else:
            self.count += 1
            if self.count > self._budget:
                raise FetchRefused(
                    url, f"refused: this check already made {self._budget} fetches, its limit"
                )
        self._asked.add(key)
        fetcher = self._fetcher
        shared = fetcher.is_shared(key)
        if not shared and fetcher.has_left:
            await self._own_turn()
        # A page at hand is no wait: the run keeps its place for the checks reading on.
        waits = not fetcher.at_hand(key)
        before = self._only_shared()
        self._waiting[shared] += waits
        self._tell(before)
        try:
            return await fetcher.get(url)
        finally:
            before = self._only_shared()
            self._waiting[shared] -= waits
            self._tell(before)

    async def _own_turn(self) -> None:
        # Waiting for the run's place is the batch's time, not the check's: its limit is
        # held while it waits, and moved on by as long.
        limit = self.limit
        when = limit.when() if limit is not None else None
        if limit is None or when is None:
            await self._fetcher.own_turn()
            return
        started = time.monotonic()
        limit.reschedule(None)
        try:
            await self._fetcher.own_turn()
        finally:
            pushed = min(time.monotonic() - started, self.pause_allowance)
            self.pause_allowance -= pushed
            limit.reschedule(when + pushed)

    def _only_shared(self) -> bool:
        return self._waiting[True] > 0 and self._waiting[False] == 0

    def _tell(self, before: bool) -> None:
        """Tell the run when this check starts or stops waiting for shared pages only."""
        now = self._only_shared()
        if now != before:
            self._fetcher.waits_for_shared(1 if now else -1)
