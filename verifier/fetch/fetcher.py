"""The per-run fetcher: one request per URL however many checks ask, everything captured."""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from verifier.bundle.store import EvidenceStore
from verifier.errors import FetchError, FetchRefused
from verifier.fetch.page import DEFAULT_MAX_TAGS, Page, parse_within
from verifier.fetch.retry import utc_now
from verifier.fetch.settings import FetchSettings


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


class Fetcher:
    """Shares fetches within a run and writes every exchange to the evidence store.

    Requests in flight are shared, not duplicated: five checks asking for one URL at once
    await one task. The cache lives as long as the fetcher, that is, one run.
    """

    def __init__(
        self,
        source: PageSource,
        store: EvidenceStore | None,
        *,
        max_tags: int = DEFAULT_MAX_TAGS,
        read_timeout: float | None = DEFAULT_READ_TIMEOUT,
    ) -> None:
        self.source = source
        self.store = store
        self.max_tags = max_tags
        """Tag cap for pages the source did not parse itself (replay)."""
        self.read_timeout = read_timeout
        """Seconds a check may spend walking one page's tree (``CheckContext.read``)."""
        self._tasks: dict[str, asyncio.Task[Page]] = {}
        self.requests = 0
        """URLs actually handed to the source (cache misses)."""

    async def get(self, url: str) -> Page:
        """The page at ``url``, fetched at most once per run."""
        key = url.strip()
        task = self._tasks.get(key)
        if task is None:
            task = asyncio.ensure_future(self._fetch(key))
            self._tasks[key] = task
        # shield: one check timing out must not cancel the fetch other checks await.
        return await asyncio.shield(task)

    async def _fetch(self, url: str) -> Page:
        self.requests += 1
        try:
            page = await self.source.get(url)
        except FetchError as exc:
            self._record_error(url, exc)
            raise
        if page.is_html:
            # Parse in a worker thread, once, before any check reads it: bs4 takes tens of
            # milliseconds per page, which on the event loop would delay every other
            # fetch and make deadlines late (reference/hostile-inputs.md, item 6). The
            # live source does this itself, within FetchSettings.parse_timeout; a replay
            # source does not, and must keep to the same limit to reach the same verdict.
            await parse_within(page, self.read_timeout, self.max_tags)
        self._store(url, page)
        return page

    def _store(self, url: str, page: Page, purpose: str | None = None) -> None:
        if self.store is None:
            return
        self.store.put(page.sha256, page.body)
        extra = {"purpose": purpose} if purpose else {}
        self.store.record(
            {
                "url": url,
                "sha256": page.sha256,
                "fetched_at": page.fetched_at,
                **page.evidence().data,
                **extra,
            }
        )

    def _record_error(self, url: str, exc: FetchError) -> None:
        if self.store is not None:
            error: dict[str, Any] = {
                "url": url,
                "fetched_at": utc_now(),
                "sha256": None,
                **exc.evidence_data(),
            }
            self.store.record(error)

    async def aclose(self) -> None:
        """Cancel unfinished fetches and close the source."""
        for task in self._tasks.values():
            if not task.done():
                task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        # Fetches the source made for itself (robots.txt) are evidence of the rules that
        # applied; a source without any (replay) simply has no such attribute.
        for purpose, page in getattr(self.source, "side_pages", ()):
            self._store(page.url, page, purpose)
        await self.source.aclose()


class CountingFetch:
    """A check's view of the fetcher: enforces the per-check fetch budget."""

    def __init__(self, fetcher: Fetcher, budget: int) -> None:
        self._fetcher = fetcher
        self._budget = budget
        self.count = 0

    async def __call__(self, url: str) -> Page:
        """Fetch ``url`` through the shared fetcher, counting against the budget."""
        self.count += 1
        if self.count > self._budget:
            raise FetchRefused(
                url, f"refused: this check already made {self._budget} fetches, its limit"
            )
        return await self._fetcher.get(url)
