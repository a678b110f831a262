"""Fixtures of the fetch-layer tests: a hostile server, a fake DNS, a routed network.

respx replaces the transport, so it cannot test the address guard; these tests go through
the real :class:`~verifier.fetch.guard.GuardedBackend` instead. Names are resolved by
:class:`FakeDNS`; the address :data:`PUBLIC` (a public address, as the guard sees it) is
dialled to the local hostile server by :class:`RoutedNetwork`, and every other address is
refused by it, so no test ever leaves the machine.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore
import pytest

from tests.fetch.hostile_server import HostileServer, hostile_server
from verifier.errors import FetchError
from verifier.fetch import FetchSettings, LiveSource, Page

PUBLIC = "93.184.215.14"
"""A public address the guard allows; the routed network sends it to the local server."""

SITE = "site.example"
"""The host name the hostile server answers for in most tests."""


class FakeDNS:
    """A resolver answering from a table; a list of answers is used one per lookup."""

    def __init__(self, table: dict[str, list[str] | list[list[str]]]) -> None:
        self.table = table
        self.lookups: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        answer = self.table.get(host)
        if answer is None:
            raise httpcore.ConnectError(f"cannot resolve {host}: unknown name")
        if answer and isinstance(answer[0], list):
            nth = sum(1 for h in self.lookups if h == host) - 1
            return list(answer[min(nth, len(answer) - 1)])
        return [str(a) for a in answer]


class RoutedNetwork(httpcore.AsyncNetworkBackend):
    """Dials :data:`PUBLIC` to the local server; refuses every other address."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.dialled: list[tuple[str, int]] = []
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.dialled.append((host, port))
        if host != PUBLIC:
            raise httpcore.ConnectError(f"test network: no route to {host}")
        return await self._inner.connect_tcp("127.0.0.1", self.port, timeout=timeout)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class Sleeps:
    """An instant replacement for the back-off sleep that records what was asked."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def fast(server: HostileServer | None = None, **overrides: Any) -> FetchSettings:
    """Small limits for tests: 1 s deadline, 1 MiB cap, no robots unless asked.

    With a server, ``site.example`` is sent to it (loopback allowed).
    """
    values: dict[str, Any] = {
        "connect_timeout": 1.0,
        "read_timeout": 1.0,
        "total_timeout": 1.0,
        "retries": 3,
        "backoff": 0.01,
        "retry_after_cap": 5.0,
        "per_host_delay": 0.0,
        "max_bytes": 1024 * 1024,
        "obey_robots": False,
        "allow_private_network": True,
    }
    if server is not None:
        values["resolve"] = ((f"{SITE}:80", f"127.0.0.1:{server.port}"),)
    values.update(overrides)
    return FetchSettings(**values)


def fetch(
    settings: FetchSettings,
    *urls: str,
    resolver: FakeDNS | None = None,
    network: RoutedNetwork | None = None,
    sleep: Sleeps | None = None,
) -> Any:
    """Fetch ``urls`` one after another with one :class:`LiveSource`; the Page, or the
    FetchError raised, for each (a single one when one URL is given)."""

    async def go() -> list[Page | FetchError]:
        kwargs: dict[str, Any] = {"sleep": sleep or Sleeps()}
        if resolver is not None:
            kwargs["resolver"] = resolver
        if network is not None:
            kwargs["network"] = network
        source = LiveSource(settings, **kwargs)
        out: list[Page | FetchError] = []
        try:
            for url in urls:
                try:
                    out.append(await source.get(url))
                except FetchError as exc:
                    out.append(exc)
        finally:
            await source.aclose()
        return out

    results = asyncio.run(go())
    return results[0] if len(results) == 1 else results


@pytest.fixture
def server() -> Iterator[HostileServer]:
    """A hostile server on 127.0.0.1, stopped after the test."""
    with hostile_server() as srv:
        yield srv
