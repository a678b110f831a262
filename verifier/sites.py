"""Serve a folder of offline web sites on 127.0.0.1, one sub-folder per host name.

``sites/acme.example/lens/index.html`` answers ``http://acme.example/lens`` once the fetch
layer resolves ``acme.example`` to the server (``FetchSettings.resolve``, like curl's
``--resolve``). The demo and the end-to-end tests use it; nothing here is FinOps-specific.
"""

from __future__ import annotations

import mimetypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}


class _Handler(BaseHTTPRequestHandler):
    server: SiteServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower().strip("[]")
        self.server.requests.append((host, self.path))
        file = self.server.resolve(host, urlsplit(self.path).path)
        if file is None:
            self._send(404, b"<html><body><h1>404 Not Found</h1></body></html>", ".html")
            return
        redirect = file.with_name(file.name + ".redirect")
        if file.suffix == ".redirect" or redirect.is_file():
            target = (redirect if redirect.is_file() else file).read_text().strip()
            self.send_response(301)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._send(200, file.read_bytes(), file.suffix)

    def _send(self, status: int, body: bytes, suffix: str) -> None:
        self.send_response(status)
        ctype = _TYPES.get(suffix) or mimetypes.guess_type(f"x{suffix}")[0] or "text/plain"
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the request log is kept in ``server.requests``."""


class SiteServer(ThreadingHTTPServer):
    """A threaded HTTP server of a sites folder, bound to 127.0.0.1 on a free port."""

    daemon_threads = True

    def __init__(self, root: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.root = root.resolve()
        self.requests: list[tuple[str, str]] = []
        """(host, path) of every request served, for tests to assert what a server saw."""

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self.server_address[1])

    def hosts(self) -> list[str]:
        """The host names it serves (its sub-folders)."""
        return sorted(p.name for p in self.root.iterdir() if p.is_dir())

    def resolve_pairs(self) -> tuple[tuple[str, str], ...]:
        """``FetchSettings.resolve`` pairs that send every served host here."""
        return tuple((f"{h}:80", f"127.0.0.1:{self.port}") for h in self.hosts())

    def resolve(self, host: str, path: str) -> Path | None:
        """The file answering ``host`` + ``path``, or ``None``; never outside ``root``."""
        site = (self.root / host).resolve()
        if site.parent != self.root or not site.is_dir():
            return None
        target = (site / unquote(path).lstrip("/")).resolve()
        if not target.is_relative_to(site):
            return None
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            alt = target.with_name(target.name + ".redirect")
            return alt if alt.is_file() else None
        return target


@contextmanager
def serve_sites(root: Path) -> Iterator[SiteServer]:
    """Serve ``root`` in a background thread for the duration of the ``with`` block."""
    server = SiteServer(root)
    thread = threading.Thread(target=server.serve_forever, name="sites", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
