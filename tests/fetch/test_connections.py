"""One connection pool per origin (:mod:`verifier.fetch.connections`): each host's
connections kept apart and reused, a pool at rest closed after the keep-alive expiry and
never one with a request in flight, the bounds across origins, and the address guard
applied to every connection as before. Against a real server on 127.0.0.1 (keep-alive,
HTTP/1.1), with a fake clock for the expiry."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpcore
import pytest

from tests.fetch.conftest import fast
from verifier.errors import FetchRefused
from verifier.fetch import LiveSource
from verifier.fetch.connections import OriginPools
from verifier.fetch.guard import GuardedBackend, parse_resolve
from verifier.sites import SiteServer, serve_sites

HOSTS = ("a.example", "b.example", "c.example")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[SiteServer]:
    """A keep-alive HTTP/1.1 server of three one-page sites, stopped after the test."""
    for host in HOSTS:
        site = tmp_path / host
        site.mkdir()
        (site / "index.html").write_text(f"<html><body><h1>{host}</h1></body></html>")
        (site / "two.html").write_text(f"<html><body><h1>{host} two</h1></body></html>")
    with serve_sites(tmp_path) as running:
        yield running
    running.server_close()


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _backend(server: SiteServer, *, allow_private: bool = True) -> GuardedBackend:
    return GuardedBackend(
        allow_private=allow_private, resolve=parse_resolve(server.resolve_pairs())
    )


def _pools(server: SiteServer, clock: Clock, **limits: Any) -> tuple[OriginPools, GuardedBackend]:
    backend = _backend(server)
    return OriginPools(network_backend=backend, clock=clock, **limits), backend


async def _open(
    pools: OriginPools, host: str, path: str = "/", wait: float = 5.0
) -> httpcore.Response:
    """Send a GET through ``pools``; the response with its body not read yet (in flight)."""
    request = httpcore.Request(
        "GET",
        f"http://{host}{path}",
        headers=[(b"Host", host.encode())],
        extensions={"timeout": {"pool": wait, "connect": 5.0, "read": 5.0}},
    )
    return await pools.handle_async_request(request)


async def _get(pools: OriginPools, host: str, path: str = "/") -> bytes:
    """GET through ``pools``, the body read and the response closed (as the client does)."""
    response = await _open(pools, host, path)
    try:
        return await response.aread()
    finally:
        await response.aclose()


def _origin(host: str) -> tuple[bytes, bytes, int]:
    return (b"http", host.encode(), 80)


def _connections(pools: OriginPools, host: str) -> list[httpcore.AsyncConnectionInterface]:
    return pools.pools[_origin(host)].connections


def test_each_host_has_its_own_pool_and_reuses_its_connection(server: SiteServer) -> None:
    settings = fast(resolve=server.resolve_pairs(), retries=0)

    async def go() -> tuple[list[int], set[tuple[bytes, bytes, int]], list[str]]:
        source = LiveSource(settings)
        try:
            pages = [
                await source.get(f"http://{host}/{path}")
                for host in ("a.example", "b.example")
                for path in ("", "two.html", "")
            ]
            assert source.pools is not None
            return (
                [p.status for p in pages],
                set(source.pools.pools),
                [name for name, _addr, _port in source.backend.connected],
            )
        finally:
            await source.aclose()

    statuses, origins, connected = asyncio.run(go())
    assert statuses == [200] * 6
    assert origins == {_origin("a.example"), _origin("b.example")}
    # Three requests to each host, one after the other: one connection each, kept alive.
    assert connected == ["a.example", "b.example"]
    assert len(server.requests) == 6


def test_the_guard_still_refuses_a_loopback_address_without_allow_private(
    server: SiteServer,
) -> None:
    settings = fast(resolve=server.resolve_pairs(), retries=0, allow_private_network=False)

    async def go() -> FetchRefused:
        source = LiveSource(settings)
        try:
            with pytest.raises(FetchRefused) as refused:
                await source.get("http://a.example/")
            return refused.value
        finally:
            await source.aclose()

    refused = asyncio.run(go())
    assert "loopback" in refused.reason
    assert server.requests == []


def test_through_a_proxy_there_is_one_pool_as_before() -> None:
    source = LiveSource(fast(proxy="http://127.0.0.1:3128"))
    assert source.pools is None
    asyncio.run(source.aclose())


def test_a_pool_at_rest_past_the_expiry_is_closed_and_one_in_use_never(
    server: SiteServer,
) -> None:
    clock = Clock()

    async def go() -> None:
        pools, backend = _pools(server, clock, keepalive_expiry=5.0)
        try:
            assert await _get(pools, "a.example") == (
                b"<html><body><h1>a.example</h1></body></html>"
            )
            (a_conn,) = _connections(pools, "a.example")
            clock.now = 1.0
            await _get(pools, "b.example")
            clock.now = 4.0
            await _get(pools, "b.example")  # a rested 4 s: kept
            assert set(pools.pools) == {_origin("a.example"), _origin("b.example")}
            assert not a_conn.is_closed()

            clock.now = 6.0  # a has rested 6 s, b 2 s
            await _get(pools, "b.example")
            assert set(pools.pools) == {_origin("b.example")}
            assert a_conn.is_closed()  # its socket closed, not left for a later request
            assert [name for name, _a, _p in backend.connected] == ["a.example", "b.example"]

            # A pool with a request in flight is never closed, however long it waits.
            clock.now = 10.0
            held = await _open(pools, "c.example")
            (c_conn,) = _connections(pools, "c.example")
            clock.now = 100.0
            await _get(pools, "b.example")
            await _get(pools, "a.example")  # a new pool, a new connection
            assert _origin("c.example") in pools.pools
            assert not c_conn.is_closed()
            assert await held.aread() == b"<html><body><h1>c.example</h1></body></html>"
            await held.aclose()
            assert not c_conn.is_closed()  # at rest from now (100), kept alive

            clock.now = 106.0  # everything has rested over 5 s
            await _get(pools, "b.example")
            assert set(pools.pools) == {_origin("b.example")}
            assert c_conn.is_closed()
            hosts = [name for name, _a, _p in backend.connected]
            # b, asked again each time, kept its one connection throughout.
            assert hosts == ["a.example", "b.example", "c.example", "a.example"]
        finally:
            await pools.aclose()

    asyncio.run(go())


def test_pools_at_rest_keep_no_more_idle_connections_than_allowed(server: SiteServer) -> None:
    async def go() -> None:
        pools, _backend = _pools(server, Clock(), max_keepalive_connections=2)
        try:
            for host in HOSTS:
                await _get(pools, host)
            # Three pools came to rest with one connection each: the first is closed.
            assert set(pools.pools) == {_origin("b.example"), _origin("c.example")}
            await _get(pools, "a.example")
            assert set(pools.pools) == {_origin("c.example"), _origin("a.example")}
        finally:
            await pools.aclose()

    asyncio.run(go())


def test_requests_in_flight_are_bounded_across_origins(server: SiteServer) -> None:
    async def go() -> None:
        pools, backend = _pools(server, Clock(), max_connections=2)
        try:
            first = await _open(pools, "a.example")
            second = await _open(pools, "b.example")
            with pytest.raises(httpcore.PoolTimeout):
                await _open(pools, "c.example", wait=0.2)
            assert len(backend.connected) == 2  # the third host was never dialled
            waiting = asyncio.create_task(_get(pools, "c.example"))
            await asyncio.sleep(0.1)
            assert not waiting.done()
            await first.aread()
            await first.aclose()  # its place goes to the request waiting
            assert b"c.example" in await asyncio.wait_for(waiting, 5.0)
            await second.aclose()
        finally:
            await pools.aclose()

    asyncio.run(go())


def test_aclose_closes_every_pool_even_with_a_request_in_flight(server: SiteServer) -> None:
    async def go() -> None:
        pools, _backend = _pools(server, Clock())
        await _get(pools, "a.example")
        held = await _open(pools, "b.example")
        conns = [*_connections(pools, "a.example"), *_connections(pools, "b.example")]
        assert len(conns) == 2
        assert not any(c.is_closed() for c in conns)
        await pools.aclose()
        assert pools.pools == {}
        assert all(c.is_closed() for c in conns)
        await held.aclose()  # closing the response afterwards is harmless
        assert pools.pools == {}

    asyncio.run(go())


def test_a_sweep_cancelled_midway_leaves_the_rest_for_aclose(
    server: SiteServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request cancelled while its sweep closes the pools at rest (its fetch's deadline)
    leaves no socket open once the run closes its pools."""
    closing: list[httpcore.AsyncConnectionPool] = []
    real_aclose = httpcore.AsyncConnectionPool.aclose
    started: list[asyncio.Event] = []

    async def first_close_hangs(pool: httpcore.AsyncConnectionPool) -> None:
        closing.append(pool)
        if len(closing) == 1:
            started[0].set()
            await asyncio.Event().wait()  # until the request is cancelled
        await real_aclose(pool)

    monkeypatch.setattr(httpcore.AsyncConnectionPool, "aclose", first_close_hangs)

    async def go() -> tuple[list[Any], list[Any]]:
        clock = Clock()
        pools, _backend = _pools(server, clock)
        started.append(asyncio.Event())
        swept, resting = [], []
        try:
            for host in HOSTS[:2]:
                await _get(pools, host)
                swept += _connections(pools, host)
                resting.append(pools.pools[_origin(host)])
            clock.now += 60  # both at rest past the expiry
            task = asyncio.create_task(_get(pools, "c.example"))
            await started[0].wait()
            task.cancel()  # while its sweep closes the first of the two
            with pytest.raises(asyncio.CancelledError):
                await task
        finally:
            await pools.aclose()
        return swept, resting

    swept, resting = asyncio.run(go())
    assert all(pool in closing for pool in resting)  # closed, by the sweep or by aclose
    assert len(swept) == 2
    assert all(c.is_closed() for c in swept)


def test_a_request_of_an_unknown_scheme_takes_no_place(server: SiteServer) -> None:
    async def go() -> None:
        pools, _backend = _pools(server, Clock(), max_connections=1)
        try:
            for _ in range(2):
                with pytest.raises(KeyError):
                    await pools.handle_async_request(httpcore.Request("GET", "ftp://a.example/"))
            assert await _get(pools, "a.example")  # its place is still free
        finally:
            await pools.aclose()

    asyncio.run(go())
