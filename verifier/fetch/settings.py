"""Fetch settings: every limit, retry and politeness knob, with its default, in one place.

``finops-verify verify --help`` shows them (the CLI builds its options from
:data:`FIELDS`), each can be set per run, and the report records the settings it ran with.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from verifier._version import __version__

USER_AGENT = (
    f"finops-verifier/{__version__} (+https://github.com/finops-verifier/finops-verifier; "
    "verification of FinOps Foundation partner applications)"
)


@dataclass(frozen=True)
class FetchSettings:
    """Limits and behaviour of the fetch layer for one run."""

    connect_timeout: float = 10.0
    """Seconds to establish a connection."""
    read_timeout: float = 20.0
    """Seconds between two reads of the socket."""
    total_timeout: float = 30.0
    """Seconds for one whole request (headers and body), however the server drips; a
    request that reaches it is not retried."""
    max_bytes: int = 5 * 1024 * 1024
    """Largest body accepted, counted after decompression."""
    max_redirects: int = 10
    """Redirects (and meta refreshes) followed for one URL; a loop stops at once."""
    retries: int = 3
    """Further attempts after the first, for transport errors, 408, 429 and 5xx."""
    backoff: float = 0.5
    """First back-off delay in seconds; it doubles each attempt, with jitter."""
    retry_after_cap: float = 30.0
    """Longest Retry-After honoured; a longer one gives up at once (three waits of 30 s
    stay within a check's 120 s, so the report says "gave up: 429", not "timed out")."""
    parse_timeout: float = 20.0
    """Seconds to parse one HTML page (in a worker thread); longer is an error."""
    max_tags: int = 50_000
    """Most tags an HTML page may have to be parsed; more is an error, before parsing."""
    max_fetches_per_check: int = 200
    """Requests one check may make (pages of a directory, case studies...)."""
    per_host_concurrency: int = 2
    """Requests in flight to one host at a time."""
    per_host_delay: float = 0.25
    """Minimum seconds between the starts of two requests to one host (partners' sites are
    production sites: a run stays polite)."""
    obey_robots: bool = True
    """Honour robots.txt (read once per host; a 5xx or unreachable one disallows all, as
    RFC 9309 says); off only by the operator's explicit choice (recorded)."""
    allow_private_network: bool = False
    """Allow loopback, private and link-local addresses (the operator's test servers)."""
    allowed_ports: tuple[int, ...] = (80, 443)
    """Ports a URL may name."""
    user_agent: str = USER_AGENT
    """User-Agent header sent with every request."""
    resolve: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    """Fixed name resolutions, ``("host:port", "address:port")`` pairs, like curl --resolve."""
    ca_bundle: str | None = None
    """A PEM file of CA certificates to trust besides the system's (the CA of a
    TLS-inspecting proxy, a test site's throwaway CA); certificates and host names are
    still verified."""
    proxy: str | None = None
    """An HTTP forward proxy every fetch goes through (http://[user:password@]host:port;
    https through CONNECT, certificates still verified). Explicit only: HTTP(S)_PROXY in
    the environment is ignored. Hosts are still resolved here and internal addresses
    refused before the proxy is asked; the proxy's own address is not checked."""

    def to_json(self) -> dict[str, Any]:
        """The settings as report.json records them."""
        out = dataclasses.asdict(self)
        out["allowed_ports"] = list(self.allowed_ports)
        out["resolve"] = {k: v for k, v in self.resolve}
        out["proxy"] = redacted_proxy(self.proxy) if self.proxy is not None else None
        return out


def redacted_proxy(text: str) -> str:
    """``text`` (a proxy URL, parsed or not) with its password replaced by ``***``: what
    the report and the error messages show of it."""
    scheme, sep, rest = text.partition("://")
    head = f"{scheme}{sep}" if sep else ""
    authority, slash, path = (rest if sep else text).partition("/")
    userinfo, at, hostport = authority.rpartition("@")
    if not at:
        return text
    user, colon, _password = userinfo.partition(":")
    return f"{head}{user}{':***' if colon else ''}@{hostport}{slash}{path}"


FIELDS: tuple[dataclasses.Field[Any], ...] = dataclasses.fields(FetchSettings)
"""The settings' fields, in order, for building command-line options."""
