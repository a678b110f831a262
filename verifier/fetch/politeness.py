"""Politeness: robots.txt, read once per host per run, and pacing of requests per host.

robots.txt is fetched through the same guarded client as any page (so it cannot be used
to reach an internal address), decoded as ``utf-8-sig`` (a BOM must not hide the first
``User-agent`` line), capped at :data:`ROBOTS_MAX_BYTES`, and parsed with protego
(longest match, ``*`` and ``$``; urllib's parser takes the first match). Status handling
follows RFC 9309: any 4xx (401 and 403 included, as the RFC says) means no rules; a 5xx,
a time-out or an unreachable host after the retries means "disallow everything".
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import Context
from dataclasses import dataclass
from typing import Any

import httpx
from protego import Protego

from verifier.errors import (
    FetchError,
    FetchFailed,
    FetchRefused,
    RobotsDisallowed,
    TooManyRedirects,
)
from verifier.fetch.content import sniff_type
from verifier.fetch.page import Page
from verifier.urls import origin_of

log = logging.getLogger(__name__)

ROBOTS_MAX_BYTES = 500 * 1024
"""robots.txt is read up to this size (RFC 9309 asks parsers to read at least 500 KiB)."""

ROBOTS_TOKEN = "finops-verifier"
"""The product token robots.txt groups are matched against."""

RobotsFetch = Callable[[str], Awaitable[Page]]
"""Fetches a robots.txt URL (redirects followed, body capped, never raising for size)."""


@dataclass(frozen=True)
class RobotsFile:
    """What one host's robots.txt said, as the run understood it."""

    url: str
    """Where it was read."""
    parser: Protego | None
    """Its rules; ``None`` when everything is allowed (4xx, empty, not a robots file)."""
    disallow_all: str | None = None
    """Why everything is disallowed (unreachable, 5xx), or ``None``."""
    text: str = ""
    """The decoded text (for naming the rule that matched)."""
    note: str = ""
    """How it was read, for the evidence."""

    def refusal(self, url: str) -> str | None:
        """Why robots.txt forbids ``url``, or ``None`` when it allows it."""
        if self.disallow_all:
            return f"robots.txt {self.url} {self.disallow_all}: RFC 9309 says to fetch nothing"
        if self.parser is None or self.parser.can_fetch(url, ROBOTS_TOKEN):
            return None
        rule = _matching_rule(self.text, url)
        shown = f"the rule '{rule}'" if rule else "its rules"
        return f"robots.txt {self.url} disallows {httpx.URL(url).raw_path.decode()} ({shown})"


def _matching_rule(text: str, url: str) -> str | None:
    """The longest ``Disallow`` line that alone would forbid ``url`` (for the reason)."""
    best: str | None = None
    for line in text.splitlines():
        key, _, value = line.partition("#")[0].partition(":")
        value = value.strip()
        if key.strip().lower() != "disallow" or not value:
            continue
        alone = Protego.parse(f"User-agent: *\nDisallow: {value}\n")
        if not alone.can_fetch(url, ROBOTS_TOKEN) and (best is None or len(value) > len(best)):
            best = value
    return f"Disallow: {best}" if best else None


def retrieved(task: asyncio.Future[Any]) -> None:
    """Mark how ``task`` ended as seen (a done callback): a task started ahead that nobody
    awaits in the end is no "Task exception was never retrieved" in the log; whoever
    awaits it still gets its fault."""
    if not task.cancelled():
        task.exception()


class RobotsRules:
    """robots.txt of every host met in a run, each fetched once (in-flight shared)."""

    def __init__(self, fetch: RobotsFetch) -> None:
        self._fetch = fetch
        self._files: dict[str, asyncio.Task[RobotsFile]] = {}

    async def check(self, url: httpx.URL) -> RobotsFile:
        """Raise :class:`RobotsDisallowed` if robots.txt forbids ``url``; else its file."""
        task = self._file(url)
        try:
            robots = await asyncio.shield(task)
        except FetchError as exc:
            # The task's exception is shared by every page of the host: hand each a copy.
            raise type(exc)(
                exc.url, exc.reason, attempts=exc.attempts, history=exc.history
            ) from exc
        why = robots.refusal(str(url))
        if why:
            raise RobotsDisallowed(str(url), f"{why}; --ignore-robots overrides")
        return robots

    def warm(self, url: httpx.URL) -> None:
        """Start reading robots.txt of ``url``'s origin, for pages of it asked soon
        (:meth:`check` then awaits the same read)."""
        self._file(url)

    def _file(self, url: httpx.URL) -> asyncio.Task[RobotsFile]:
        origin = origin_of(url)
        task = self._files.get(origin)
        if task is None:
            # Kept for the whole run: none of the first asker's context goes with it.
            loop = asyncio.get_running_loop()
            task = loop.create_task(self._read(origin + "/robots.txt"), context=Context())
            # A read warmed and never checked (the run stopped) is no lost exception.
            task.add_done_callback(retrieved)
            self._files[origin] = task
        return task

    async def _read(self, robots_url: str) -> RobotsFile:
        try:
            page = await self._fetch(robots_url)
        except FetchRefused:
            raise  # the host itself is refused: that is the reason, not robots
        except FetchFailed as exc:
            if exc.history and all(h.get("unreachable") for h in exc.history):
                raise  # the host cannot be reached at all: say that, not "robots.txt"
            return RobotsFile(robots_url, None, disallow_all=f"could not be read ({exc.reason})")
        except TooManyRedirects as exc:
            # RFC 9309 2.3.1.2: more than five redirects may be taken as unavailable (4xx).
            return RobotsFile(robots_url, None, note=f"unavailable ({exc.reason}): no rules")
        except FetchError as exc:
            return RobotsFile(robots_url, None, disallow_all=f"could not be read ({exc.reason})")
        if 400 <= page.status < 500:
            return RobotsFile(robots_url, None, note=f"answered {page.status}: no rules")
        if page.status >= 500:
            return RobotsFile(robots_url, None, disallow_all=f"answered {page.status}")
        if not page.ok:
            return RobotsFile(robots_url, None, note=f"answered {page.status}: no rules")
        if sniff_type(page.body) == "text/html":
            log.warning("robots.txt %s is an HTML page; treated as having no rules", robots_url)
            return RobotsFile(robots_url, None, note="is an HTML page, not robots.txt: no rules")
        body = page.body[:ROBOTS_MAX_BYTES]
        text = body.decode("utf-8-sig", "replace")
        if len(page.body) >= ROBOTS_MAX_BYTES:
            text = text.rsplit("\n", 1)[0]  # drop the line the cap cut in two
        return RobotsFile(robots_url, Protego.parse(text), text=text, note="read")

    async def aclose(self) -> None:
        """Cancel reads still in flight."""
        for task in self._files.values():
            task.cancel()
        await asyncio.gather(*self._files.values(), return_exceptions=True)


class HostGate:
    """Per-host concurrency limit and minimum delay between the starts of requests."""

    def __init__(
        self,
        concurrency: int,
        delay: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self._concurrency = max(1, concurrency)
        self._delay = delay
        self._clock = clock
        self._sleep = sleep
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._next_start: dict[str, float] = {}
        self.starts: list[tuple[str, float]] = []
        """(host, clock) of every request started, for tests and the benchmark."""

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold one of ``host``'s slots, started no sooner than the delay allows."""
        sem = self._slots.setdefault(host, asyncio.Semaphore(self._concurrency))
        async with sem:
            if self._delay > 0:
                lock = self._locks.setdefault(host, asyncio.Lock())
                async with lock:
                    wait = self._next_start.get(host, 0.0) - self._clock()
                    if wait > 0:
                        await self._sleep(wait)
                    self._next_start[host] = self._clock() + self._delay
            self.starts.append((host, self._clock()))
            yield
