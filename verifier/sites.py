"""Serve a folder of offline web sites on 127.0.0.1, one sub-folder per host name.

``sites/acme.example/lens/index.html`` answers ``http://acme.example/lens`` once the fetch
layer resolves ``acme.example`` to the server (``FetchSettings.resolve``, like curl's
``--resolve``). The demo and the end-to-end tests use it; nothing here is FinOps-specific.

With ``https=True`` it serves ``https://acme.example/lens`` instead: a throwaway CA made
for this server (trustme) signs one certificate naming every host it serves, and
:attr:`SiteServer.ca_file` is that CA as PEM, for ``FetchSettings.ca_bundle``, so that
the fetch layer trusts it for that run only, verifying certificates and host names as
for any site.
"""

from __future__ import annotations

import mimetypes
import shutil
import socket
import ssl
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import trustme

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
        self.server.wait_while_held()
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
    """A threaded HTTP server of a sites folder, bound to 127.0.0.1 on a free port.

    :param https: serve over TLS with a certificate from a throwaway CA (see the module
        docstring); :attr:`ca_file` is then that CA's PEM file, removed on close.
    :param port: the port to listen on; 0 (the default): a free one.
    """

    daemon_threads = True

    def __init__(self, root: Path, *, https: bool = False, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.root = root.resolve()
        self.requests: list[tuple[str, str]] = []
        """(host, path) of every request served, for tests to assert what a server saw."""
        self.server_names: list[str | None] = []
        """The SNI name of every TLS handshake (``None``: the client sent none)."""
        self.ca_file: Path | None = None
        """The throwaway CA's certificate (PEM) when serving https, else ``None``."""
        self._tls: ssl.SSLContext | None = None
        self._ca_dir: str | None = None
        self._open = threading.Event()
        self._open.set()
        if https:
            self._tls = self._tls_context()

    def hold(self) -> None:
        """Keep every request from now on waiting for :meth:`release` (it is logged in
        :attr:`requests` when it arrives): a test that stops a run midway holds the run
        where it is, so that a loaded machine cannot let it finish first."""
        self._open.clear()

    def release(self) -> None:
        """Answer the requests :meth:`hold` kept waiting, and the next ones at once."""
        self._open.set()

    def wait_while_held(self) -> None:
        """Wait while :meth:`hold` is in force (at most a minute: a guard, not a timing)."""
        self._open.wait(60)

    def _tls_context(self) -> ssl.SSLContext:
        ca = trustme.CA()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ca.issue_cert(*(self.hosts() or ["localhost"])).configure_cert(context)
        context.sni_callback = self._heard_sni
        self._ca_dir = tempfile.mkdtemp(prefix="sites-ca-")
        self.ca_file = Path(self._ca_dir) / "ca.pem"
        ca.cert_pem.write_to_path(str(self.ca_file))
        return context

    def _heard_sni(self, _sock: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
        self.server_names.append(name)

    @property
    def scheme(self) -> str:
        """``https`` or ``http``."""
        return "https" if self._tls is not None else "http"

    def get_request(self) -> tuple[socket.socket, Any]:
        """Accept a connection; over TLS, its handshake happens in the handler's thread
        (at its first read), so one slow or refused handshake holds up no other."""
        sock, address = super().get_request()
        if self._tls is None:
            return sock, address
        return self._tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), (
            address
        )

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet about a client that refused the certificate or hung up (a test of the
        fetch layer's refusals causes both); anything else is printed as usual."""
        if isinstance(sys.exc_info()[1], ssl.SSLError | ConnectionError):
            return
        super().handle_error(request, client_address)

    def server_close(self) -> None:
        """Close the socket and remove the throwaway CA's file."""
        super().server_close()
        if self._ca_dir is not None:
            shutil.rmtree(self._ca_dir, ignore_errors=True)
            self._ca_dir = None

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self.server_address[1])

    def hosts(self) -> list[str]:
        """The host names it serves (its sub-folders)."""
        return sorted(p.name for p in self.root.iterdir() if p.is_dir())

    def resolve_pairs(self) -> tuple[tuple[str, str], ...]:
        """``FetchSettings.resolve`` pairs that send every served host here (port 443 of
        each when serving https, else port 80)."""
        port = 443 if self._tls is not None else 80
        return tuple((f"{h}:{port}", f"127.0.0.1:{self.port}") for h in self.hosts())

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
def serve_sites(root: Path, *, https: bool = False) -> Iterator[SiteServer]:
    """Serve ``root`` (over https when asked) in a background thread for the duration of
    the ``with`` block."""
    server = SiteServer(root, https=https)
    thread = threading.Thread(target=server.serve_forever, name="sites", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
