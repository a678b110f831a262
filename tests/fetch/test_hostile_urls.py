"""Hostile inputs 1-15 (reference/hostile-inputs.md): untrusted URLs and SSRF.

Each test asserts the outcome (a refusal, as a FetchError), its reason, and what the
server saw (usually nothing) and what the network dialled (usually nothing).
"""

from __future__ import annotations

import asyncio
import ipaddress

import httpx
import pytest

from tests.fetch.conftest import PUBLIC, SITE, FakeDNS, RoutedNetwork, fast, fetch
from tests.fetch.hostile_server import HostileServer, response
from verifier.errors import FetchFailed, FetchRefused, TooManyRedirects
from verifier.fetch.guard import address_problem

OK = response(200, b"<html><body>hello</body></html>")


def guarded(server: HostileServer, **overrides: object) -> dict[str, object]:
    """Keyword arguments for :func:`fetch` with the guard on and a fake public DNS."""
    dns = FakeDNS({"public.example": [PUBLIC]})
    return {
        "settings": fast(allow_private_network=False, **overrides),  # type: ignore[arg-type]
        "resolver": dns,
        "network": RoutedNetwork(server.port),
    }


def run(server: HostileServer, *urls: str, **overrides: object) -> tuple[object, RoutedNetwork]:
    kw = guarded(server, **overrides)
    network = kw["network"]
    assert isinstance(network, RoutedNetwork)
    out = fetch(kw["settings"], *urls, resolver=kw["resolver"], network=network)  # type: ignore[arg-type]
    return out, network


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "gopher://public.example:70/_GET",
        "ftp://public.example/x",
        "data:text/html,<b>hi</b>",
        "javascript:alert(1)",
    ],
)
def test_01_non_http_schemes_are_refused_before_any_io(server: HostileServer, url: str) -> None:
    err, network = run(server, url)
    assert isinstance(err, FetchRefused)
    assert "is not http or https" in err.reason
    assert network.dialled == []
    assert server.requests == []


@pytest.mark.parametrize(
    "url", ["http://user:pass@public.example/", "http://public.example@127.0.0.1/"]
)
def test_02_userinfo_in_the_url_is_refused_and_never_sent(server: HostileServer, url: str) -> None:
    err, network = run(server, url)
    assert isinstance(err, FetchRefused)
    assert "carries credentials" in err.reason
    assert network.dialled == []
    assert server.requests == []


@pytest.mark.parametrize(
    ("url", "shown", "why"),
    [
        ("http://127.0.0.1/", "127.0.0.1", "a loopback address"),
        ("http://10.0.0.5/", "10.0.0.5", "a private address"),
        ("http://172.16.0.1/", "172.16.0.1", "a private address"),
        ("http://192.168.1.1/", "192.168.1.1", "a private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254", "a link-local address"),
        ("http://100.100.100.200/", "100.100.100.200", "carrier-grade NAT"),
        ("http://0.0.0.0/", "0.0.0.0", "'this network'"),
        ("http://[fd00:ec2::254]/", "fd00:ec2::254", "unique-local"),
        ("http://[::]/", "::", "the unspecified address"),
        ("http://[::1]/", "::1", "a loopback address"),
        ("http://[fe80::1]/", "fe80::1", "a link-local address"),
    ],
)
def test_03_literal_internal_ips_are_refused_with_no_socket_opened(
    server: HostileServer, url: str, shown: str, why: str
) -> None:
    err, network = run(server, url)
    assert isinstance(err, FetchRefused)
    assert err.reason.startswith(f"refused: {shown} is ")
    assert why in err.reason
    assert network.dialled == []
    assert server.requests == []


@pytest.mark.parametrize(
    "host", ["127.1", "2130706433", "0x7f000001", "0", "0177.0.0.1", "017700000001"]
)
def test_04_alternative_ipv4_spellings_are_refused(server: HostileServer, host: str) -> None:
    err, network = run(server, f"http://{host}/")
    assert isinstance(err, FetchRefused)
    assert "non-standard spelling" in err.reason or "not a valid URL" in err.reason
    assert network.dialled == []
    assert server.requests == []


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("::ffff:127.0.0.1", "loopback address embedded in an IPv6 address"),
        ("::ffff:7f00:1", "loopback address embedded"),
        ("::127.0.0.1", "loopback address embedded"),
        ("::ffff:0:a00:5", "private address embedded"),  # SIIT translated 10.0.0.5
        ("64:ff9b::a9fe:a9fe", "link-local address (cloud metadata lives here) embedded"),
        ("64:ff9b:1::1", "local-use NAT64"),
        ("2002:a9fe:a9fe::1", "link-local address (cloud metadata lives here) embedded"),
        ("2002:0a00:0005::1", "private address embedded"),
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", "Teredo"),
    ],
)
def test_05_ipv4_embedded_in_ipv6_is_refused(server: HostileServer, address: str, why: str) -> None:
    assert why in (address_problem(address) or "")
    err, network = run(server, f"http://[{address}]/")
    assert isinstance(err, FetchRefused)
    assert why in err.reason
    assert network.dialled == []
    assert server.requests == []


EDGES = [
    # (address, refused?)  Smokescreen style: both sides of every range edge.
    ("0.255.255.255", True),
    ("1.0.0.0", False),
    ("9.255.255.255", False),
    ("10.0.0.0", True),
    ("10.255.255.255", True),
    ("11.0.0.0", False),
    ("100.63.255.255", False),
    ("100.64.0.0", True),
    ("100.64.0.1", True),
    ("100.127.255.255", True),
    ("100.128.0.0", False),
    ("126.255.255.255", False),
    ("127.0.0.0", True),
    ("127.255.255.255", True),
    ("128.0.0.0", False),
    ("169.253.255.255", False),
    ("169.254.0.0", True),
    ("169.255.0.0", False),
    ("172.15.255.255", False),
    ("172.16.0.0", True),
    ("172.31.255.255", True),
    ("172.32.0.0", False),
    ("192.0.0.1", True),
    ("192.0.1.0", False),
    ("192.0.2.1", True),
    ("192.88.99.1", True),
    ("192.167.255.255", False),
    ("192.168.0.0", True),
    ("192.169.0.0", False),
    ("198.17.255.255", False),
    ("198.18.0.0", True),
    ("198.19.255.255", True),
    ("198.20.0.0", False),
    ("198.51.100.1", True),
    ("203.0.113.1", True),
    ("223.255.255.255", False),
    ("224.0.0.1", True),
    ("239.255.255.255", True),
    ("240.0.0.1", True),
    ("255.255.255.255", True),
    ("8.8.8.8", False),
    ("2606:4700:4700::1111", False),
    ("2001:db8::1", True),
    ("2001:db7:ffff::1", False),
    ("fc00::1", True),
    ("fdff:ffff::1", True),
    ("fe80::1", True),
    ("febf::1", True),
    ("fec0::1", True),
    ("ff02::1", True),
    ("ff0e::1", True),
    ("100::1", True),
    ("2001:2::1", True),
    ("2001:10::1", True),
    ("3fff::1", True),
    ("4000::1", True),
    ("::1", True),
    ("::", True),
]


@pytest.mark.parametrize(("address", "refused"), EDGES)
def test_06_special_ranges_are_refused_on_both_sides_of_each_edge(
    address: str, refused: bool
) -> None:
    problem = address_problem(address)
    assert (problem is not None) is refused, (address, problem)
    # ipaddress alone gets some of these wrong: the guard must not depend on it.
    ip = ipaddress.ip_address(address)
    if address in ("100.64.0.1", "224.0.0.1", "ff02::1"):
        assert not ip.is_private or ip.is_global


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST", "localhost.", "intranet.example"])
def test_07_names_that_resolve_internally_are_refused_after_resolution(
    server: HostileServer, host: str
) -> None:
    dns = FakeDNS({"localhost": ["127.0.0.1", "::1"], "intranet.example": ["10.1.2.3"]})
    network = RoutedNetwork(server.port)
    err = fetch(fast(allow_private_network=False), f"http://{host}/", resolver=dns, network=network)
    assert isinstance(err, FetchRefused)
    assert "resolves to" in err.reason
    assert ("a loopback address" in err.reason) or ("10.1.2.3, which is a private" in err.reason)
    assert network.dialled == []
    assert server.requests == []


def test_08_a_mixed_dns_answer_fails_closed_and_names_the_offending_ip(
    server: HostileServer,
) -> None:
    dns = FakeDNS({"mixed.example": [PUBLIC, "192.168.0.10"]})
    network = RoutedNetwork(server.port)
    err = fetch(
        fast(allow_private_network=False), "http://mixed.example/", resolver=dns, network=network
    )
    assert isinstance(err, FetchRefused)
    assert err.reason == (
        "refused: mixed.example resolves to 192.168.0.10, which is a private address; "
        "for a test server on a private network, run with --allow-private-network"
    )
    assert network.dialled == []
    assert server.requests == []


def test_09_dns_rebinding_is_defeated_one_resolution_per_connection(
    server: HostileServer,
) -> None:
    server.route("/", OK)
    dns = FakeDNS({"rebind.example": [[PUBLIC], ["127.0.0.1"]]})
    network = RoutedNetwork(server.port)
    first, second = fetch(
        fast(allow_private_network=False),
        "http://rebind.example/",
        "http://rebind.example/again",
        resolver=dns,
        network=network,
    )
    # The first connection: resolved once, and dialled the address that was checked.
    assert first.status == 200
    assert network.dialled == [(PUBLIC, 80)]
    # The second connection resolves again, gets loopback, and is refused before dialling.
    assert isinstance(second, FetchRefused)
    assert "rebind.example resolves to 127.0.0.1, which is a loopback address" in second.reason
    assert dns.lookups == ["rebind.example", "rebind.example"]
    assert server.paths() == ["/"]


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("http://10.0.0.5/admin", "refused: 10.0.0.5 is a private address"),
        ("http://169.254.169.254/latest/", "refused: 169.254.169.254 is a link-local address"),
        ("file:///etc/passwd", "refused: the scheme file: is not http or https"),
        ("http://admin:secret@public.example/", "refused: the URL carries credentials"),
        ("http://[::1", "refused: the redirect Location: Invalid URL in location header"),
        ("//public.example:6379/", "refused: port 6379 is not allowed"),
    ],
)
def test_10_a_redirect_from_a_public_name_to_an_internal_target_is_refused_at_that_hop(
    server: HostileServer, location: str, reason: str
) -> None:
    server.route("/go", response(302, b"", {"Location": location}))
    err, network = run(server, "http://public.example/go")
    assert isinstance(err, FetchRefused)
    assert err.reason.startswith(reason)
    if "Location:" not in reason:  # an unparseable Location never becomes a hop
        (hop,) = err.hops
        assert (hop["url"], hop["status"]) == ("http://public.example/go", 302)
        assert hop["location"] == str(httpx.URL("http://public.example/go").join(location))
    assert err.url == "http://public.example/go"
    assert server.paths() == ["/go"]
    assert network.dialled == [(PUBLIC, 80)]


def test_11_thirty_redirects_stop_at_the_cap(server: HostileServer) -> None:
    for i in range(30):
        server.route(f"/r{i}", response(302, b"", {"Location": f"/r{i + 1}"}))
    err = fetch(fast(server, max_redirects=10), f"http://{SITE}/r0")
    assert isinstance(err, TooManyRedirects)
    assert err.reason == "stopped after 10 redirects"
    assert len(err.hops) == 11
    assert server.paths() == [f"/r{i}" for i in range(11)]


def test_11_a_redirect_loop_is_reported_as_a_loop(server: HostileServer) -> None:
    server.route("/a", response(302, b"", {"Location": "/b"}))
    server.route("/b", response(301, b"", {"Location": f"http://{SITE}/a"}))
    err = fetch(fast(server), f"http://{SITE}/a")
    assert isinstance(err, TooManyRedirects)
    assert err.reason == f"redirect loop: http://{SITE}/a was already visited, after 2 hop(s)"
    assert server.paths() == ["/a", "/b"]


def test_12_proxy_variables_in_the_environment_are_ignored(
    server: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, "http://10.9.9.9:3128")
    monkeypatch.setenv("NO_PROXY", "")
    server.route("/", OK)
    page = fetch(fast(server), f"http://{SITE}/")
    assert page.status == 200
    # Asked directly (origin-form path), not through a proxy (absolute-form URL).
    assert server.paths() == ["/"]
    # ...with a User-Agent naming the tool, its version and a contact URL.
    agent = server.requests[0].headers["user-agent"]
    assert agent.startswith("finops-verifier/")
    assert "(+https://" in agent


@pytest.mark.parametrize("port", [22, 25, 6379, 11211, 8080])
def test_13_non_web_ports_are_refused_unless_allowed(server: HostileServer, port: int) -> None:
    err, network = run(server, f"http://public.example:{port}/")
    assert isinstance(err, FetchRefused)
    assert err.reason == f"refused: port {port} is not allowed (allowed: 80, 443)"
    assert network.dialled == []
    _allowed, network = run(server, f"http://public.example:{port}/", allowed_ports=(80, 443, port))
    # Allowed: the guard lets it through to the (routed) network.
    assert network.dialled == [(PUBLIC, port)]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127。0。0。1/", "refused: 127.0.0.1 is a loopback address"),
        ("http://１２７.0.0.1/", "not a valid URL"),
        ("http://exa\r\nmple.com/", "not a valid URL"),
        ("http://ex ample.com/", "has characters a host name cannot have"),
        ("http://a\\@127.0.0.1/", "carries credentials"),
    ],
)
def test_14_parser_differential_hosts_are_normalised_or_refused(
    server: HostileServer, url: str, reason: str
) -> None:
    err, network = run(server, url)
    assert isinstance(err, FetchRefused)
    assert reason in err.reason
    assert network.dialled == []
    assert server.requests == []


def test_15_very_long_urls_are_refused(server: HostileServer) -> None:
    err, network = run(server, "http://public.example/" + "a" * 9000)
    assert isinstance(err, FetchRefused)
    assert "characters long (limit 8192)" in err.reason
    assert network.dialled == []
    assert server.requests == []


def test_allow_private_network_lifts_the_guard(server: HostileServer) -> None:
    server.route("/", OK)
    page = fetch(fast(server, allow_private_network=True), f"http://{SITE}/")
    assert page.status == 200
    assert server.paths() == ["/"]
    err = fetch(fast(server, allow_private_network=False), f"http://{SITE}/")
    assert isinstance(err, FetchRefused)
    # The refusal names the option that lifts it, once.
    assert err.reason == (
        "refused: site.example resolves to 127.0.0.1, which is a loopback address; "
        "for a test server on this machine, run with --allow-private-network"
    )
    assert server.paths() == ["/"]


def test_every_checked_address_is_tried_in_order_when_the_first_cannot_connect(
    server: HostileServer,
) -> None:
    server.route("/", OK)
    dns = FakeDNS({"dual.example": ["2606:4700::1111", PUBLIC]})
    network = RoutedNetwork(server.port)
    page = fetch(
        fast(allow_private_network=False), "http://dual.example/", resolver=dns, network=network
    )
    assert page.status == 200
    assert network.dialled == [("2606:4700::1111", 80), (PUBLIC, 80)]
    assert server.paths() == ["/"]


def test_a_name_the_resolver_cannot_even_encode_is_a_fault_not_a_crash() -> None:
    # A 100-character label: the system resolver's IDNA codec raises UnicodeError.
    err = fetch(fast(allow_private_network=False, retries=0), "http://" + "a" * 100 + ".example/")
    assert isinstance(err, FetchFailed)
    assert err.reason.startswith("gave up after 1 attempt: could not connect (cannot resolve")


ODD_URLS = [
    "",
    " ",
    "http://",
    "http://:80/",
    "https://[",
    "http://xn--/",
    "http://%00/",
    "http://\x00/",
    "http://exa%41mple.com/",
    "//example.com",
    "http://ex\u2026.com/",
    "http://-a-.com/",
    "http://a..b/",
    "http://[v1.fe]/",
    "http://256.1.1.1/",
    "http://example.com/\ud800",
    "http://\ud800.com/",
    "http:example.com",
    "http://example.com:0/",
    "https://example.com:443:443/",
    "\thttp://x/\n",
]


def test_14_any_url_string_is_a_fetch_error_never_a_crash(server: HostileServer) -> None:
    settings = fast(allow_private_network=False, retries=0, obey_robots=True)
    results = fetch(settings, *ODD_URLS, resolver=FakeDNS({}), network=RoutedNetwork(server.port))
    assert [type(r).__name__ for r in results] == [
        "FetchFailed" if r.reason.startswith("gave up") else "FetchRefused" for r in results
    ]
    assert server.requests == []


@pytest.mark.parametrize(
    "address",
    ["169.254.169.254", "169.254.0.1", "fe80::1", "::ffff:169.254.169.254"],
    ids=["cloud metadata", "link-local v4", "link-local v6", "metadata mapped into v6"],
)
def test_03_link_local_stays_refused_even_when_the_operator_allows_private_networks(
    address: str,
) -> None:
    from verifier.fetch.guard import GuardedBackend

    async def dial() -> FetchRefused:
        backend = GuardedBackend(allow_private=True)
        try:
            await backend.connect_tcp(address, 80)
        except FetchRefused as exc:
            return exc
        raise AssertionError("dialled a link-local address")

    refused = asyncio.run(dial())
    assert "link-local" in refused.reason
    assert refused.reason.endswith("(even with --allow-private-network)")
