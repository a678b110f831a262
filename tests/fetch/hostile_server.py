"""A hostile HTTP server on 127.0.0.1 for the fetch-layer tests (and the benchmark).

Raw sockets, one thread per connection, ``Connection: close`` on every answer, so each
request is one connection and the log says exactly what the server saw. Routes are set by
each test (:meth:`HostileServer.route`) or are built-in misbehaviours (:data:`BEHAVIOURS`):
drips, silence, resets, lying lengths, endless bodies, bombs. Every endless handler stops
when the client goes away or the server stops, so :meth:`HostileServer.stop` is quick.
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

import brotli

CHUNK = 64 * 1024
GIB = 1024 * 1024 * 1024


@dataclass
class Seen:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Conn:
    """One accepted connection, given to a handler."""

    sock: socket.socket
    request: Seen
    stopping: threading.Event

    def send(self, data: bytes) -> bool:
        """Send ``data``; ``False`` once the client has gone or the server stops."""
        if self.stopping.is_set():
            return False
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        return True

    def drip(self, data: bytes, every: float) -> None:
        """Send ``data`` one byte at a time, forever if it is an iterator's worth."""
        for i in range(len(data)):
            if not self.send(data[i : i + 1]) or self.stopping.wait(every):
                return

    def reset(self) -> None:
        """Close with a TCP reset (RST) instead of an orderly FIN."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


Handler = Callable[[Conn], None]


def response(status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> bytes:
    """An HTTP/1.1 response with Content-Length and Connection: close."""
    head = {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(body))}
    head.update(headers or {})
    lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in head.items() if v != ""]
    return ("\r\n".join(lines) + "\r\nConnection: close\r\n\r\n").encode("latin-1") + body


def zeros_gzip(size: int) -> bytes:
    """A gzip body that decodes to ``size`` zero bytes (1 GiB is about 1 MiB)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(CHUNK * 16)
    out = [comp.compress(block) for _ in range(size // len(block))]
    out.append(comp.compress(bytes(size % len(block))))
    out.append(comp.flush())
    return b"".join(out)


def zeros_brotli(size: int) -> bytes:
    """A brotli body that decodes to ``size`` zero bytes (1 GiB is a few KB)."""
    comp = brotli.Compressor(quality=5)
    block = bytes(CHUNK * 16)
    out = [comp.process(block) for _ in range(size // len(block))]
    out.append(comp.process(bytes(size % len(block))))
    out.append(comp.finish())
    return b"".join(out)


# ------------------------------------------------------------------ misbehaviours


def _silent(c: Conn) -> None:
    c.stopping.wait(30)


def _drip_body(c: Conn) -> None:
    if c.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n"):
        c.drip(b"<" * 100000, 0.05)


def _drip_headers(c: Conn) -> None:
    c.drip(b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 100000, 0.05)


def _reset(c: Conn) -> None:
    c.send(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n<html>half")
    c.reset()


def _lying_length(c: Conn) -> None:
    c.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 10000\r\n\r\n")
    c.send(b"<html><body>only the start of the page")


def _endless_plain(c: Conn) -> None:
    """A body of a gibibyte with no Content-Length, made as it is sent."""
    if not c.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n"):
        return
    block = b"a" * CHUNK
    for _ in range(GIB // CHUNK):
        if not c.send(block):
            return


def _endless_chunked(c: Conn) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
    if not c.send(head):
        return
    block = b"b" * CHUNK
    frame = f"{len(block):x}\r\n".encode() + block + b"\r\n"
    while c.send(frame):
        pass


def _truncated_gzip(c: Conn) -> None:
    body = gzip.compress(b"<html><body>" + b"x" * 5000 + b"</body></html>")[:-20]
    c.send(response(200, body, {"Content-Encoding": "gzip"}))


BEHAVIOURS: dict[str, Handler] = {
    "/silent": _silent,
    "/drip-body": _drip_body,
    "/drip-headers": _drip_headers,
    "/reset": _reset,
    "/lying-length": _lying_length,
    "/endless": _endless_plain,
    "/endless-chunked": _endless_chunked,
    "/truncated-gzip": _truncated_gzip,
}


# ------------------------------------------------------------------ the server


@dataclass
class _Route:
    answers: list[bytes | Handler]
    served: int = 0


@dataclass
class HostileServer:
    """The server; start with :func:`hostile_server`."""

    sock: socket.socket = field(init=False)
    requests: list[Seen] = field(default_factory=list)
    """Every request received, in order."""
    _routes: dict[str, _Route] = field(default_factory=dict)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _conns: list[socket.socket] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self.sock.getsockname()[1])

    def paths(self) -> list[str]:
        """The paths requested, in order."""
        return [r.path for r in self.requests]

    def route(self, path: str, *answers: bytes | Handler) -> None:
        """Answer ``path`` with each of ``answers`` in turn, the last one from then on.

        An answer is raw response bytes (see :func:`response`) or a handler.
        """
        self._routes[path] = _Route(list(answers))

    def start(self) -> None:
        """Listen on 127.0.0.1, on a free port."""
        self.sock = socket.create_server(("127.0.0.1", 0))
        t = threading.Thread(target=self._accept_loop, daemon=True, name="hostile-accept")
        t.start()
        self._threads.append(t)

    def stop(self) -> None:
        """Stop every handler and close every socket."""
        self._stopping.set()
        with suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        with self._lock:
            for conn in self._conns:
                with suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
        for t in self._threads:
            t.join(timeout=5)
        self.sock.close()

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self._lock:
                self._conns.append(conn)
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            t.start()
            self._threads.append(t)

    def _serve(self, conn: socket.socket) -> None:
        try:
            request = self._read_request(conn)
            if request is None:
                return
            self.requests.append(request)
            self._answer(Conn(conn, request, self._stopping))
        except OSError:
            pass
        finally:
            with suppress(OSError):
                conn.close()

    def _read_request(self, conn: socket.socket) -> Seen | None:
        conn.settimeout(5)
        data = b""
        while b"\r\n\r\n" not in data:
            piece = conn.recv(4096)
            if not piece:
                return None
            data += piece
        conn.settimeout(None)
        head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        method, path, _ = head[0].split(" ", 2)
        headers = {}
        for line in head[1:]:
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        return Seen(method, path, headers)

    def _answer(self, conn: Conn) -> None:
        path = conn.request.path
        route = self._routes.get(path) or self._routes.get(path.split("?", 1)[0])
        if route is None:
            behaviour = BEHAVIOURS.get(path.split("?", 1)[0])
            if behaviour is not None:
                behaviour(conn)
            else:
                conn.send(response(404, b"<html><body>not found</body></html>"))
            return
        answer = route.answers[min(route.served, len(route.answers) - 1)]
        route.served += 1
        if callable(answer):
            answer(conn)
        else:
            conn.send(answer)


@contextmanager
def hostile_server() -> Iterator[HostileServer]:
    """A started :class:`HostileServer`, stopped when the block ends."""
    server = HostileServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` passes (server-side effects)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()
