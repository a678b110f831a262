"""Where a request may go: URL rules, and the address check made when the socket connects.

Checking the URL's host is not enough: a name can resolve to an internal address, and
resolve differently the second time (DNS rebinding). So :class:`GuardedBackend` resolves
each name once, classifies every address it got (a mixed answer fails closed), and
connects to the address it checked. TLS still uses the hostname (httpcore passes it to
``start_tls``). ``ipaddress``'s ``is_private``/``is_global`` misclassify CGNAT,
multicast, IPv4-mapped and NAT64 addresses, so the ranges are explicit, IPv6 forms
that embed an IPv4 address (mapped, compatible, SIIT, NAT64, 6to4) are unwrapped and
checked as that address, Teredo is refused outright, and any IPv6 address outside global
unicast (2000::/3) is refused. Non-standard spellings of IPv4 addresses in URLs (``127.1``,
``2130706433``, ``0x7f000001``) are refused before any lookup, since parsers disagree on
them. The addresses of a name are tried in order, all of them checked first.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

import httpcore
import httpx

from verifier.errors import FetchRefused, InputError
from verifier.fetch.settings import FetchSettings, redacted_proxy

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]

_V4: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", "a 'this network' address"),
    ("10.0.0.0/8", "a private address"),
    ("100.64.0.0/10", "a carrier-grade NAT (shared) address"),
    ("127.0.0.0/8", "a loopback address"),
    ("169.254.0.0/16", "a link-local address (cloud metadata lives here)"),
    ("172.16.0.0/12", "a private address"),
    ("192.0.0.0/24", "an IETF protocol assignment address"),
    ("192.0.2.0/24", "a documentation (TEST-NET-1) address"),
    ("192.88.99.0/24", "a 6to4 relay anycast address"),
    ("192.168.0.0/16", "a private address"),
    ("198.18.0.0/15", "a benchmarking address"),
    ("198.51.100.0/24", "a documentation (TEST-NET-2) address"),
    ("203.0.113.0/24", "a documentation (TEST-NET-3) address"),
    ("224.0.0.0/4", "a multicast address"),
    ("240.0.0.0/4", "a reserved address"),
    ("255.255.255.255/32", "the broadcast address"),
)
_V6: tuple[tuple[str, str], ...] = (
    ("::/128", "the unspecified address"),
    ("::1/128", "a loopback address"),
    ("100::/64", "a discard-only address"),
    ("2001:db8::/32", "a documentation address"),
    ("2001:2::/48", "a benchmarking address"),
    ("2001:10::/28", "an ORCHID address"),
    ("2001:20::/28", "an ORCHIDv2 address"),
    ("3fff::/20", "a documentation address"),
    ("5f00::/16", "a segment-routing (SRv6) address"),
    ("fc00::/7", "a unique-local (private) address"),
    ("fe80::/10", "a link-local address"),
    ("fec0::/10", "a site-local address"),
    ("ff00::/8", "a multicast address"),
)
_NETS_V4 = tuple((ipaddress.IPv4Network(n), why) for n, why in _V4)
_NETS_V6 = tuple((ipaddress.IPv6Network(n), why) for n, why in _V6)
_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")
_COMPAT = ipaddress.IPv6Network("::/96")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
_SIXTOFOUR = ipaddress.IPv6Network("2002::/16")
_TEREDO = ipaddress.IPv6Network("2001::/32")
_TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")
_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")
# Hosts made of letters, digits, dots, hyphens and underscores (IDNA already applied).
_HOST_CHARS = re.compile(r"^[a-z0-9._-]+$")


def embedded_ipv4(addr: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4, Teredo)."""
    if (
        addr in _MAPPED
        or addr in _TRANSLATED
        or addr in _NAT64
        or (addr in _COMPAT and int(addr) > 1)
    ):
        return ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    if addr in _SIXTOFOUR:
        return ipaddress.IPv4Address((int(addr) >> 80) & 0xFFFFFFFF)
    if addr in _TEREDO:
        # The client address is stored inverted in the last 32 bits (RFC 4380).
        return ipaddress.IPv4Address(~int(addr) & 0xFFFFFFFF)
    return None


def is_link_local(address: str | IPAddress) -> bool:
    """Whether ``address`` (or the IPv4 address it embeds) is link-local: never allowed,
    whatever the operator lifts."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        inner = embedded_ipv4(ip)
        if inner is not None:
            return inner.is_link_local
    return ip.is_link_local


def address_problem(address: str | IPAddress) -> str | None:
    """Why ``address`` must not be connected to, or ``None`` when it is public."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return "a scoped IPv6 address"
        if ip in _TEREDO:
            # A tunnel endpoint chosen by whoever controls the name: no partner site
            # lives there, and its relay could reach anything.
            return "a Teredo tunnel address"
        inner = embedded_ipv4(ip)
        if inner is not None:
            why = address_problem(inner)
            return f"{why} embedded in an IPv6 address ({inner})" if why else None
        if ip in _NAT64_LOCAL:
            return "a local-use NAT64 address"
        for net6, why in _NETS_V6:
            if ip in net6:
                return why
        if ip not in _GLOBAL_UNICAST:
            # Everything outside 2000::/3 is reserved, whatever the ipaddress flags say.
            return "a reserved IPv6 address (not global unicast)"
        return None
    for net4, why in _NETS_V4:
        if ip in net4:
            return why
    return None


def url_problem(url: httpx.URL, allowed_ports: Iterable[int]) -> str | None:
    """Why ``url`` may not be requested at all (scheme, credentials, port), or ``None``."""
    if url.scheme not in ("http", "https"):
        return f"the scheme {url.scheme + ':' if url.scheme else '(none)'} is not http or https"
    if url.userinfo:
        return "the URL carries credentials (user:password@); they are never sent"
    if not url.host:
        return "the URL has no host"
    host = url.raw_host.decode("ascii", "replace").lower()
    if ":" not in host:  # IPv6 literals were validated by httpx
        numeric = _numeric_ipv4(host)
        if numeric is not None:
            return (
                f"the host {host!r} is a non-standard spelling of the IP address {numeric}; "
                "write it as a dotted quad"
            )
        if not _HOST_CHARS.match(host):
            return f"the host {host!r} has characters a host name cannot have"
    port = url.port if url.port is not None else (443 if url.scheme == "https" else 80)
    if port not in set(allowed_ports):
        return f"port {port} is not allowed (allowed: {', '.join(map(str, allowed_ports))})"
    return None


def _numeric_ipv4(host: str) -> str | None:
    """The address a non-canonical numeric host means to inet_aton (``127.1``,
    ``2130706433``, ``0x7f000001``, ``0``), or ``None`` for a name or a dotted quad.

    Parsers disagree on these spellings, so they are refused whatever they point at.
    """
    try:
        ipaddress.IPv4Address(host)
        return None
    except ValueError:
        pass
    try:
        packed = socket.inet_aton(host)
    except OSError:
        return None
    return str(ipaddress.IPv4Address(packed))


PRIVATE_NETWORK_HINT = "run with --allow-private-network"
"""The words a refusal that ``--allow-private-network`` would lift ends with."""


def _lifting(addr: str, why: str, allowed: bool) -> str:
    """What the refusal of ``addr`` says about ``--allow-private-network``: that it would
    lift it (once, in the refusal itself), or that it does not."""
    if allowed:
        return " (even with --allow-private-network)"
    if is_link_local(addr):
        return ""  # the option does not lift it: naming it would mislead
    where = "this machine" if "loopback" in why else "a private network"
    return f"; for a test server on {where}, {PRIVATE_NETWORK_HINT}"


def private_network_note(reasons: Iterable[object]) -> str | None:
    """The one line a run's summary prints when any fetch was refused for an address that
    ``--allow-private-network`` would allow (``reasons``: the recorded fetch errors)."""
    if not any(isinstance(r, str) and PRIVATE_NETWORK_HINT in r for r in reasons):
        return None
    return (
        "Some fetches were refused: their hosts resolve to loopback or private addresses. "
        f"For test servers on this machine or your network, {PRIVATE_NETWORK_HINT}."
    )


_HINTED = re.compile(
    r"; for a test server on (?:this machine|a private network), " + re.escape(PRIVATE_NETWORK_HINT)
)


def without_private_network_hint(text: str) -> str:
    """``text`` without the hint :func:`private_network_note` says once for the whole run
    (the terminal's table, where it would repeat in every row)."""
    return _HINTED.sub("", text)


class NoSuchHost(httpcore.ConnectError):
    """The name does not exist (NXDOMAIN) or has no address: asking again in a second will
    not change that, so it is not retried. A temporary failure (EAI_AGAIN) is not this."""


# getaddrinfo's answers for "this name has no address": EAI_NONAME is NXDOMAIN, EAI_NODATA
# a name without A or AAAA records. EAI_AGAIN (a resolver time-out) stays retryable.
_NO_SUCH_HOST = frozenset({socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)})


async def system_resolver(host: str, port: int) -> list[str]:
    """Resolve ``host`` with the system resolver; every address, in its order."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        kind = NoSuchHost if exc.errno in _NO_SUCH_HOST else httpcore.ConnectError
        raise kind(f"cannot resolve {host}: {exc.strerror}") from exc
    except (UnicodeError, OSError) as exc:  # a label over 63 characters, for one
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def parse_resolve(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, int], tuple[str, int]]:
    """``("acme.example:80", "127.0.0.1:8123")`` pairs as a lookup table."""
    table: dict[tuple[str, int], tuple[str, int]] = {}
    for name, target in pairs:
        host, _, port = name.rpartition(":")
        addr, _, tport = target.rpartition(":")
        # "acme.example." and "acme.example" are one host, as the backend sees them.
        table[(host.lower().rstrip("."), int(port))] = (addr.strip("[]"), int(tport))
    return table


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that checks the address it actually connects to.

    :param resolver: name to addresses; injectable so tests can play DNS (rebinding).
    :param resolve: fixed resolutions (``FetchSettings.resolve``); still checked.
    :param network: the backend that really dials (tests route addresses to a local
        server with it); anyio by default.
    :param proxy: (host, port) of the operator's ``--proxy``, whose address is theirs to
        choose (a corporate proxy often lives on a private network): it is dialled without
        the address check, and is then the only place the run connects to.
    """

    def __init__(
        self,
        *,
        allow_private: bool,
        resolver: Resolver = system_resolver,
        resolve: Mapping[tuple[str, int], tuple[str, int]] | None = None,
        network: httpcore.AsyncNetworkBackend | None = None,
        proxy: tuple[str, int] | None = None,
    ) -> None:
        self._inner = network or httpcore.AnyIOBackend()
        self._allow_private = allow_private
        self._resolver = resolver
        self._resolve = dict(resolve or {})
        self.proxy = proxy
        """(host, port) of the ``--proxy``: the one origin dialled unchecked."""
        self.connected: list[tuple[str, str, int]] = []
        """(name, address, port) of every connection made, for evidence and tests."""

    async def checked_addresses(self, host: str, port: int) -> tuple[list[str], int]:
        """The addresses (and port) ``host:port`` resolves to, every one checked; raises
        :class:`~verifier.errors.FetchRefused` naming the first internal one.

        Through a proxy (:class:`GuardedProxy`) this checks the target by our own
        resolution before the proxy is asked; directly, :meth:`connect_tcp` dials them.
        """
        name = host.lower().rstrip(".")
        target, tport = self._resolve.get((name, port), (name, port))
        literal = True
        try:
            addresses = [str(ipaddress.ip_address(target))]
        except ValueError:
            literal = False
            # One resolution per connection: what is checked is what is dialled, so a
            # name that answers differently the second time (rebinding) gains nothing.
            addresses = await self._resolver(target, tport)
        if not addresses:
            raise httpcore.ConnectError(f"{host} resolved to no address")
        # A mixed answer fails closed: any internal address refuses the name. The
        # operator's --allow-private-network is for test servers on loopback or a private
        # network; link-local stays refused (169.254.169.254 is the cloud metadata service,
        # the first thing a hostile redirect aims at).
        for addr in addresses:
            why = address_problem(addr)
            if why and (not self._allow_private or is_link_local(addr)):
                shown = addr if literal and target == name else f"{host} resolves to {addr}, which"
                raise FetchRefused(
                    f"http://{host}:{port}/",
                    f"refused: {shown} is {why}{_lifting(addr, why, self._allow_private)}",
                )
        return addresses, tport

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Resolve once, refuse internal addresses, connect to the checked address; the
        proxy of ``--proxy`` is dialled as the operator gave it (see :class:`GuardedProxy`)."""
        if (host.lower().rstrip("."), port) == self.proxy:
            addresses = await self._proxy_addresses(host, port)
            tport = port
        else:
            addresses, tport = await self.checked_addresses(host, port)
        # Every address was checked above; try them in the resolver's order (a name with
        # an IPv6 address first must still work from a host without IPv6 routes).
        error: Exception | None = None
        for addr in addresses:
            try:
                stream = await self._inner.connect_tcp(
                    addr,
                    tport,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout, OSError) as exc:
                error = exc
                continue
            self.connected.append((host, addr, tport))
            return stream
        if isinstance(error, httpcore.ConnectError | httpcore.ConnectTimeout):
            raise error
        raise httpcore.ConnectError(f"cannot connect to {host}: {error}") from error

    async def _proxy_addresses(self, host: str, port: int) -> list[str]:
        try:
            return [str(ipaddress.ip_address(host))]
        except ValueError:
            addresses = await self._resolver(host, port)
        if not addresses:
            raise httpcore.ConnectError(f"the proxy {host} resolved to no address")
        return addresses

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Unix sockets are never used."""
        raise FetchRefused(path, "refused: unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        """Delegate to anyio."""
        await self._inner.sleep(seconds)


class GuardedProxy(httpcore.AsyncHTTPProxy):
    """An httpcore pool that sends every request through the operator's HTTP forward
    proxy (``--proxy``): ``http:`` as an absolute-form request, ``https:`` through a
    CONNECT tunnel, in which TLS verifies the target's certificate and host name with the
    target's name as SNI, as without a proxy.

    The proxy resolves and dials the target itself, so the connect-time guard cannot see
    the address really used. What it can still do, and does before each request: resolve
    the target by our own resolution and refuse it when any address is internal, as for a
    direct connection. What it cannot: see what the proxy's DNS answers (a name that
    resolves differently there, or one rebound between the two lookups, reaches whatever
    the proxy can reach). The proxy's own address is the operator's choice and is not
    checked.
    """

    def __init__(self, proxy: httpx.URL, backend: GuardedBackend, **pool: Any) -> None:
        auth = (proxy.username, proxy.password) if proxy.userinfo else None
        super().__init__(
            proxy_url=httpcore.URL(
                scheme=b"http", host=proxy.raw_host, port=proxy.port, target=b"/"
            ),
            proxy_auth=auth,
            network_backend=backend,
            **pool,
        )
        self._guard = backend

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        """Check the target's addresses, then ask the proxy."""
        origin = request.url.origin
        await self._guard.checked_addresses(origin.host.decode("ascii"), origin.port)
        return await super().handle_async_request(request)


def proxy_url(settings: FetchSettings) -> httpx.URL | None:
    """``settings.proxy`` parsed, or ``None`` without one; raises
    :class:`~verifier.errors.InputError` (exit 2) for a URL we cannot use."""
    if settings.proxy is None:
        return None
    shown = redacted_proxy(settings.proxy)
    form = "give http://[user:password@]host:port"
    try:
        url = httpx.URL(settings.proxy)
        url.host  # noqa: B018 - decodes the IDNA host, which may be malformed
    except (httpx.InvalidURL, ValueError) as exc:
        raise InputError(f"--proxy {shown}: not a URL ({exc}); {form}") from None
    if url.scheme != "http":
        has = "://" in settings.proxy
        scheme = f"the scheme {url.scheme}:" if has else "a URL without a scheme"
        raise InputError(
            f"--proxy {shown}: {scheme} is not supported; {form} (an HTTP forward proxy, "
            "which carries https: through CONNECT; https:// and socks proxies are not supported)"
        )
    if url.port is not None and not 0 < url.port < 65536:
        raise InputError(f"--proxy {shown}: the port {url.port} is not 1-65535; {form}")
    if not url.host or url.raw_path not in (b"", b"/") or url.fragment:
        raise InputError(f"--proxy {shown}: a proxy URL has a host and nothing after it; {form}")
    if settings.resolve:
        raise InputError(
            "--proxy and --resolve cannot be used together: the proxy resolves host names "
            "itself, so --resolve could not steer where it connects"
        )
    if url.port is None:
        url = url.copy_with(port=80)
    return url
