"""A tiny HTTP forward proxy on 127.0.0.1, for the ``--proxy`` tests.

It does what a corporate proxy does, and no more: an absolute-form request
(``GET http://host/path``) is sent on as an origin-form one, and ``CONNECT host:443``
opens a tunnel. Every target is dialled at one local server (``upstream``), whatever the
host name says (the proxy's own DNS, as far as the tests are concerned), and every request
is logged, so a test sees what reached the proxy and what did not.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

_HOP_BY_HOP = ("connection", "keep-alive", "proxy-connection", "proxy-authorization")


@dataclass
class ForwardProxy:
    """The running proxy: its port and its log."""

    port: int = 0
    log: list[tuple[str, str]] = field(default_factory=list)
    """(method, target) of every request the proxy received, in order."""
    auth: list[str | None] = field(default_factory=list)
    """The Proxy-Authorization header of each request (``None`` when absent)."""

    @property
    def url(self) -> str:
        """The ``--proxy`` URL that reaches it."""
        return f"http://127.0.0.1:{self.port}"


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(ConnectionError, OSError):
            writer.close()


async def _serve(
    proxy: ForwardProxy, upstream: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()
        return
    request_line, *lines = head.split("\r\n")
    method, target, _version = request_line.split(" ", 2)
    headers = [tuple(part.strip() for part in line.split(":", 1)) for line in lines if line]
    proxy.log.append((method, target))
    proxy.auth.append(next((v for k, v in headers if k.lower() == "proxy-authorization"), None))
    up_reader, up_writer = await asyncio.open_connection("127.0.0.1", upstream)
    if method == "CONNECT":
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        return
    parts = urlsplit(target)
    path = parts.path or "/"
    kept = "".join(f"{k}: {v}\r\n" for k, v in headers if k.lower() not in _HOP_BY_HOP)
    # GETs only (the fetch layer sends nothing else): no body to pass on.
    up_writer.write(
        f"{method} {path}{'?' + parts.query if parts.query else ''} HTTP/1.1\r\n{kept}"
        "Connection: close\r\n\r\n".encode("latin-1")
    )
    await up_writer.drain()
    # The proxy closes each client connection after one answer, and says so: relayed as
    # it came (an HTTP/1.1 answer without "Connection: close"), the client would keep
    # the connection for its next request and, if that went out before the close
    # arrived, see "Server disconnected without sending a response" (a race that a
    # faster client loses more often).
    try:
        status, *fields = (await up_reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()
        up_writer.close()
        return
    kept_fields = [f for f in fields if f and f.split(":", 1)[0].strip().lower() not in _HOP_BY_HOP]
    writer.write(
        ("\r\n".join([status, *kept_fields, "Connection: close"]) + "\r\n\r\n").encode("latin-1")
    )
    await _pipe(up_reader, writer)
    up_writer.close()


@contextlib.contextmanager
def forward_proxy(upstream: int) -> Iterator[ForwardProxy]:
    """Run a :class:`ForwardProxy` sending every target to ``127.0.0.1:upstream``; stopped
    on exit."""
    proxy = ForwardProxy()
    loop = asyncio.new_event_loop()
    started = threading.Event()
    server: asyncio.Server | None = None

    async def start() -> None:
        nonlocal server
        server = await asyncio.start_server(
            lambda r, w: _serve(proxy, upstream, r, w), "127.0.0.1", 0
        )
        proxy.port = server.sockets[0].getsockname()[1]
        started.set()

    def run() -> None:
        loop.run_until_complete(start())
        loop.run_forever()

    thread = threading.Thread(target=run, name="forward-proxy", daemon=True)
    thread.start()
    started.wait(10)
    try:
        yield proxy
    finally:

        async def stop() -> None:
            assert server is not None
            server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
