"""An asyncio web server for benchmarks: every host of a sites folder, on one loopback port.

The folder has :class:`verifier.sites.SiteServer`'s layout (one sub-folder per host name;
a path answers its ``index.html`` or the file itself), and :meth:`SiteServer.resolve`
picks the file, so both servers answer a URL alike. What this one adds is latency without
cost: each response waits a seeded random delay (``asyncio.sleep``, so a thousand waiting
responses cost no CPU and no thread) drawn from the request's host, path and how many
times it was asked before, so two runs of one world see the same delays. Every host
answers ``/robots.txt`` (allow all) unless the folder holds one.

Every request is logged as a :class:`Hit` (host, path, status, the delay served and when
it arrived), for the benchmark to count requests per host and compute its ideal time.
It speaks just enough HTTP/1.1 for the fetch layer: GET and HEAD, keep-alive,
``Content-Length`` bodies; anything else is answered 400 or 405 and the connection closed.
Each file is answered with an ``ETag`` (a hash of its bytes) and a ``Last-Modified``, and
a request whose ``If-None-Match`` is that ETag gets ``304 Not Modified`` without a body,
as a real web server answers a conditional re-fetch.
"""

from __future__ import annotations

import asyncio
import hashlib
import mimetypes
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from verifier.sites import SiteServer

ROBOTS = b"User-agent: *\nAllow: /\n"
_MAX_HEAD = 16 * 1024
LAST_MODIFIED = "Mon, 31 Aug 2026 12:00:00 GMT"
"""The Last-Modified of every file (a date before any run of the bench)."""


@dataclass(frozen=True)
class Hit:
    """One request the server answered."""

    host: str
    path: str
    status: int
    delay: float
    """Seconds the response was held back."""
    arrived: float
    """``time.monotonic()`` when its request line arrived."""
    conditional: bool = False
    """Whether it carried If-None-Match or If-Modified-Since."""


class LoopbackServer:
    """Serve ``root`` on 127.0.0.1 in a thread of its own; ``start()``, then ``stop()``."""

    def __init__(
        self, root: Path, min_delay: float = 0.05, max_delay: float = 0.4, seed: int = 7
    ) -> None:
        self.root = root.resolve()
        self.min_delay, self.max_delay, self.seed = min_delay, max_delay, seed
        self.hits: list[Hit] = []
        self.port = 0
        self._asked: Counter[tuple[str, str]] = Counter()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="loopback", daemon=True)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()  # open connections, closed on stop()
        self._files = _Files(self.root)

    def start(self) -> LoopbackServer:
        """Bind a free port and start answering."""
        self._thread.start()
        started = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=1024), self._loop
        )
        self._server = started.result(timeout=10)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    def stop(self) -> None:
        """Stop answering, close every connection and end the thread."""

        async def close() -> None:
            if self._server is not None:
                self._server.close()
                for writer in list(self._writers):
                    writer.close()
                await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def hosts(self) -> list[str]:
        """The host names served (the folder's sub-folders)."""
        return sorted(p.name for p in self.root.iterdir() if p.is_dir())

    def resolve_args(self) -> list[str]:
        """``--resolve HOST:80:127.0.0.1:PORT`` for every host, as ``verify`` takes them."""
        return [arg for h in self.hosts() for arg in ("--resolve", f"{h}:80:127.0.0.1:{self.port}")]

    def requests_per_host(self) -> Counter[str]:
        """How many requests each host answered."""
        return Counter(hit.host for hit in self.hits)

    def delay(self, host: str, path: str, nth: int) -> float:
        """The delay of the ``nth`` request of ``host`` + ``path``: seeded, uniform."""
        digest = hashlib.sha256(f"{self.seed}|{host}|{path}|{nth}".encode()).digest()
        fraction = int.from_bytes(digest[:8], "big") / 2**64
        return self.min_delay + (self.max_delay - self.min_delay) * fraction

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                    return
                if not await self._answer(head, writer):
                    return
        except ConnectionError:
            return
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _answer(self, head: bytes, writer: asyncio.StreamWriter) -> bool:
        """Answer one request; ``False`` when the connection is to close."""
        arrived = time.monotonic()
        lines = head[:_MAX_HEAD].decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if len(parts) != 3 or "content-length" in headers or "transfer-encoding" in headers:
            await self._send(writer, 400, b"bad request\n", ".txt", close=True)
            return False
        method, target, _ = parts
        host = headers.get("host", "").rsplit(":", 1)[0].lower()
        path = urlsplit(target).path or "/"
        nth = self._asked[(host, path)]
        self._asked[(host, path)] += 1
        delay = self.delay(host, path, nth)
        status, body, suffix = self._files.answer(host, path)
        if method not in ("GET", "HEAD"):
            status, body, suffix = 405, b"method not allowed\n", ".txt"
        validators = ""
        if status == 200:
            etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
            validators = f"ETag: {etag}\r\nLast-Modified: {LAST_MODIFIED}\r\n"
            if headers.get("if-none-match") == etag:
                status, body = 304, b""
        asked = "if-none-match" in headers or "if-modified-since" in headers
        self.hits.append(Hit(host, path, status, delay, arrived, asked))
        await asyncio.sleep(delay)
        close = headers.get("connection", "").lower() == "close"
        await self._send(
            writer, status, b"" if method == "HEAD" else body, suffix, close, validators
        )
        return not close

    @staticmethod
    async def _send(
        writer: asyncio.StreamWriter,
        status: int,
        body: bytes,
        suffix: str,
        close: bool,
        extra: str = "",
    ) -> None:
        ctype = _type(suffix)
        reason = {
            200: "OK",
            304: "Not Modified",
            400: "Bad Request",
            404: "Not Found",
            405: "Method Not Allowed",
        }
        # A 304 has no body, and no Content-Type or Content-Length of one.
        framing = (
            "" if status == 304 else f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
        )
        writer.write(
            f"HTTP/1.1 {status} {reason.get(status, 'OK')}\r\n{framing}{extra}"
            f"Connection: {'close' if close else 'keep-alive'}\r\n\r\n".encode("latin-1")
            + body
        )
        await writer.drain()


class _Files:
    """The answer to a host and path, read from the folder at each request (a world of 300
    partners is some 200 MB of pages: the system's file cache keeps them, not this process)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def answer(self, host: str, path: str) -> tuple[int, bytes, str]:
        """``(status, body, file suffix)`` for ``host`` + ``path``."""
        # SiteServer.resolve reads only ``self.root``: the one mapping of a URL to a file.
        file = SiteServer.resolve(self, host, path)  # type: ignore[arg-type]
        if file is not None:
            return 200, file.read_bytes(), file.suffix
        if path == "/robots.txt" and (self.root / host).is_dir():
            return 200, ROBOTS, ".txt"
        return 404, b"<html><body><h1>404 Not Found</h1></body></html>", ".html"


def _type(suffix: str) -> str:
    if suffix == ".html":
        return "text/html; charset=utf-8"
    if suffix == ".txt":
        return "text/plain; charset=utf-8"
    return mimetypes.guess_type(f"x{suffix}")[0] or "application/octet-stream"
