"""Connection pools for the live source: one small httpcore pool per origin.

httpcore's pool, at every request's start and every response's close, walks all the
connections it holds: it asks each whether it has expired (a ``poll`` and a
``getpeername`` on its socket) and, for each, counts the idle ones again. One pool for a
whole re-check holds up to 50 connections to hundreds of hosts, and that walk took about
a fifth of the fetching process's CPU (``python -m bench recheck``, 300 partners: 2.0 s
of its thread's time; 0.6 s with a pool per origin). :class:`OriginPools` gives each
origin (scheme, host, port) a pool of its own, made when the origin is first asked, so a
request walks only its own host's connections (one or two). Every pool
connects through the one :class:`~verifier.fetch.guard.GuardedBackend`, so every
address is checked as before; with ``--proxy`` the live source keeps one pool, as every
request goes to the proxy anyway.

What bounds the connections open, across all origins:

- **in use**: at most ``max_connections`` (50) requests are in flight at once, as the one
  pool allowed 50 connections; one more waits until a response is closed, up to the pool
  timeout (then :class:`httpcore.PoolTimeout`, as before). Each holds one connection
  (HTTP/1.1 only).
- **idle in a pool in use**: a pool opens a connection only when none of its own is
  free, so it never holds more connections than it had requests in flight at once,
  which the per-host concurrency bounds (:class:`~verifier.fetch.politeness.HostGate`,
  default 2).
- **idle in a pool at rest** (no request in flight, so its connections are all idle or
  closed: httpcore's connection is busy only while a request uses it): such a pool is
  closed once it has rested longer than ``keepalive_expiry`` (its connections would have
  expired by then, but only its own next request would have noticed, and a roster of a
  thousand partners rests a thousand pools), and the pools at rest keep at most
  ``max_keepalive_connections`` (20) connections between them, the one at rest longest
  closed first beyond that. Both are looked at whenever a request starts or ends, from
  the pool at rest longest: nothing is walked when none is due.

So at most 50 connections in use, 20 idle at rest and one idle beside each origin in use
(at the default per-host concurrency of 2). A pool with a request in flight is never
closed by the sweep; only :meth:`OriginPools.aclose`, at the end of the run, closes them
all.
"""

from __future__ import annotations

import asyncio
import time
import types
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpcore

__all__ = ["OriginPools"]

Origin = tuple[bytes, bytes, int]
"""(scheme, host, port) of a request, as httpcore normalises them."""


@dataclass(eq=False, slots=True)
class _Pool:
    """One origin's pool and what :class:`OriginPools` counts of it."""

    pool: httpcore.AsyncConnectionPool
    in_flight: int = 0
    """Requests sent through it whose responses are not closed yet."""
    idle: int = 0
    """Connections it held when it came to rest (0 while in use)."""


class OriginPools:
    """A pool of pools that httpx's ``AsyncHTTPTransport`` uses as its ``_pool``: each
    request goes to its origin's own :class:`httpcore.AsyncConnectionPool`, made on first
    use with the settings given here; see the module docstring for the bounds kept.

    respx (the tests) still intercepts: it patches
    ``httpcore.AsyncConnectionPool.handle_async_request``, which every origin's pool runs.

    :param network_backend: what every pool connects through (the address guard).
    :param max_connections: requests in flight at once, across all origins.
    :param max_keepalive_connections: idle connections kept by the pools at rest.
    :param keepalive_expiry: seconds a pool may rest before it is closed.
    :param clock: seconds, monotonic (tests pass a fake one).
    :param pool: the other settings of each origin's pool (``ssl_context``...).
    """

    def __init__(
        self,
        *,
        network_backend: httpcore.AsyncNetworkBackend,
        max_connections: int = 50,
        max_keepalive_connections: int = 20,
        keepalive_expiry: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        **pool: Any,
    ) -> None:
        self._settings: dict[str, Any] = {
            **pool,
            "network_backend": network_backend,
            "max_connections": max_connections,
            "max_keepalive_connections": max_keepalive_connections,
            "keepalive_expiry": keepalive_expiry,
        }
        self._expiry = keepalive_expiry
        self._keep = max_keepalive_connections
        self._clock = clock
        self._slots = asyncio.Semaphore(max_connections)
        self._pools: dict[Origin, _Pool] = {}
        self._resting: dict[Origin, float] = {}
        """Origins whose pool has no request in flight, with when it came to rest; in that
        order (a dict keeps insertion order), so the one at rest longest comes first."""
        self._resting_idle = 0
        """Connections the pools at rest held when they came to rest."""
        self._closing: list[httpcore.AsyncConnectionPool] = []
        """Pools swept out of the maps and not closed yet."""

    @property
    def pools(self) -> dict[Origin, httpcore.AsyncConnectionPool]:
        """The pools open now, by origin (for tests)."""
        return {origin: entry.pool for origin, entry in self._pools.items()}

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        """Send ``request`` through its origin's pool; the response holds its place among
        the requests in flight until it is closed."""
        url = request.url.origin  # (raises for a scheme it has no port for: no place taken)
        origin = (url.scheme, url.host, url.port)
        await self._acquire(request)
        entry = self._pools.get(origin)
        if entry is None:
            entry = self._pools[origin] = _Pool(httpcore.AsyncConnectionPool(**self._settings))
        elif entry.in_flight == 0:
            self._wake(origin, entry)
        entry.in_flight += 1
        try:
            await self._sweep()
            response = await entry.pool.handle_async_request(request)
        except BaseException:
            await self._done(origin, entry)
            raise
        stream = response.stream
        assert isinstance(stream, AsyncIterable)
        response.stream = _Releasing(stream, lambda: self._done(origin, entry))
        return response

    async def aclose(self) -> None:
        """Close every origin's pool, those with requests in flight too (the end of a run)."""
        pools = [entry.pool for entry in self._pools.values()] + self._closing
        self._closing = []
        self._pools.clear()
        self._resting.clear()
        self._resting_idle = 0
        for pool in pools:
            await pool.aclose()

    async def __aenter__(self) -> OriginPools:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: types.TracebackType | None = None,
    ) -> None:
        await self.aclose()

    async def _acquire(self, request: httpcore.Request) -> None:
        """Take a place among the requests in flight; wait for one at most the request's
        pool timeout, as httpcore's pool waits for a connection."""
        if not self._slots.locked():
            await self._slots.acquire()  # free: returns at once
            return
        timeout = request.extensions.get("timeout", {}).get("pool")
        try:
            async with asyncio.timeout(timeout):
                await self._slots.acquire()
        except TimeoutError:
            raise httpcore.PoolTimeout(
                "no connection free: as many requests as allowed are in flight"
            ) from None

    def _wake(self, origin: Origin, entry: _Pool) -> None:
        """``origin``'s pool is used again: it is no longer at rest."""
        del self._resting[origin]
        self._resting_idle -= entry.idle
        entry.idle = 0

    async def _done(self, origin: Origin, entry: _Pool) -> None:
        """A request through ``entry`` has ended (its response closed, or it failed)."""
        self._slots.release()
        entry.in_flight -= 1
        if entry.in_flight == 0 and self._pools.get(origin) is entry:
            entry.idle = sum(1 for c in entry.pool.connections if not c.is_closed())
            self._resting[origin] = self._clock()
            self._resting_idle += entry.idle
        await self._sweep()

    async def _sweep(self) -> None:
        """Close the pools at rest for longer than the keep-alive expiry, and those at rest
        longest while the pools at rest keep more idle connections than allowed."""
        now = self._clock()
        due = []
        for origin, since in self._resting.items():
            if now - since <= self._expiry and self._resting_idle <= self._keep:
                break
            entry = self._pools.pop(origin)
            self._resting_idle -= entry.idle
            self._closing.append(entry.pool)
            due.append(origin)
        for origin in due:
            del self._resting[origin]
        # Taken out of the maps above before any await: a request to one of these origins
        # from now on makes a new pool, never one being closed. Kept in _closing until
        # closed: a sweep cancelled between two closes (a fetch's deadline) leaves the
        # rest to the next sweep, or to aclose.
        await self._close_swept()

    async def _close_swept(self) -> None:
        while self._closing:
            pool = self._closing[0]
            await pool.aclose()
            if pool in self._closing:  # (another task's sweep may have closed it too)
                self._closing.remove(pool)


class _Releasing:
    """A response's body stream that tells its pool of pools when it is closed.

    Iterating it iterates the pool's own stream directly: no extra step per chunk.
    """

    def __init__(self, stream: AsyncIterable[bytes], done: Callable[[], Awaitable[None]]):
        self._stream = stream
        self._done: Callable[[], Awaitable[None]] | None = done

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._stream.__aiter__()

    async def aclose(self) -> None:
        """Close the pool's stream, then free the request's place (once)."""
        try:
            aclose = getattr(self._stream, "aclose", None)
            if aclose is not None:
                await aclose()
        finally:
            done, self._done = self._done, None
            if done is not None:
                await done()
