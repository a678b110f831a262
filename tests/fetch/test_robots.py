"""Hostile inputs 37-40 (reference/hostile-inputs.md): robots.txt, and per-host pacing."""

from __future__ import annotations

import asyncio
import itertools
import socket
from typing import Any

import httpcore
import pytest

from tests.fetch.conftest import SITE, RoutedNetwork, fast, fetch
from tests.fetch.hostile_server import HostileServer, response
from verifier.errors import FetchError, FetchFailed, FetchRefused, RobotsDisallowed
from verifier.fetch import Page
from verifier.fetch.politeness import ROBOTS_MAX_BYTES, HostGate

URL = f"http://{SITE}"
HTML = b"<html><body>page</body></html>"


def robots(server: HostileServer, *answers: bytes) -> None:
    server.route("/robots.txt", *answers)
    for path in ("/", "/private/x", "/partners/lens", "/a.php", "/a.php?x=1", "/other"):
        server.route(path, response(200, HTML))


def text(body: str) -> bytes:
    return response(200, body.encode(), {"Content-Type": "text/plain"})


def test_37_a_robots_file_with_a_bom_still_enforces_its_first_group(
    server: HostileServer,
) -> None:
    robots(server, response(200, b"\xef\xbb\xbfUser-agent: *\nDisallow: /private\n"))
    err = fetch(fast(server, obey_robots=True), f"{URL}/private/x")
    assert isinstance(err, RobotsDisallowed)
    assert err.reason == (
        f"robots.txt {URL}/robots.txt disallows /private/x (the rule 'Disallow: /private'); "
        "--ignore-robots overrides"
    )
    assert server.paths() == ["/robots.txt"]


def test_38_robots_not_found_allows_everything(server: HostileServer) -> None:
    robots(server, response(404, b"nope"))
    page = fetch(fast(server, obey_robots=True), f"{URL}/private/x")
    assert page.status == 200
    assert f"robots.txt {URL}/robots.txt: answered 404: no rules" in page.notes
    assert server.paths() == ["/robots.txt", "/private/x"]


@pytest.mark.parametrize("status", [401, 403])
def test_38_robots_forbidden_allows_everything_as_rfc_9309_says(
    server: HostileServer, status: int
) -> None:
    robots(server, response(status, b"nope"))
    page = fetch(fast(server, obey_robots=True), f"{URL}/")
    assert page.status == 200
    assert server.paths() == ["/robots.txt", "/"]


def test_38_robots_server_error_disallows_everything(server: HostileServer) -> None:
    robots(server, response(500, b"oops"))
    err = fetch(fast(server, obey_robots=True, retries=1), f"{URL}/")
    assert isinstance(err, RobotsDisallowed)
    assert err.reason == (
        f"robots.txt {URL}/robots.txt could not be read (gave up after 2 attempts: HTTP 500): "
        "RFC 9309 says to fetch nothing; --ignore-robots overrides"
    )
    assert server.paths() == ["/robots.txt", "/robots.txt"]


def test_38_robots_unreachable_disallows_everything(server: HostileServer) -> None:
    def silent(c: object) -> None:
        server._stopping.wait(5)

    robots(server, silent)
    err = fetch(fast(server, obey_robots=True, total_timeout=0.3), f"{URL}/")
    assert isinstance(err, RobotsDisallowed)
    assert "could not be read (timed out: no complete answer within 0.3s)" in err.reason
    assert server.paths() == ["/robots.txt"]


class _Firewalled(RoutedNetwork):
    """A network where every connection attempt times out (a firewall dropping SYNs)."""

    async def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        self.dialled.append((host, port))
        raise httpcore.ConnectTimeout(f"test network: {host} does not answer")


def test_24_a_host_timing_out_on_connect_is_unreachable_not_a_robots_txt_problem(
    server: HostileServer,
) -> None:
    network = _Firewalled(server.port)
    err = fetch(fast(server, obey_robots=True, retries=1), f"{URL}/lens", network=network)
    assert isinstance(err, FetchFailed)
    assert err.reason == "gave up after 2 attempts: timed out (ConnectTimeout)"
    assert "robots" not in err.reason
    assert len(network.dialled) == 2  # robots.txt tried twice; the page never dialled
    assert server.paths() == []


def test_38_robots_redirects_are_followed_through_the_guard(server: HostileServer) -> None:
    server.route("/robots.txt", response(301, b"", {"Location": "http://10.0.0.1/robots.txt"}))
    settings = fast(server, obey_robots=True, allow_private_network=False)
    err = fetch(settings, f"{URL}/")
    # The host itself is loopback: refused for that, before robots.txt can even be read.
    assert isinstance(err, FetchRefused)
    assert "loopback address" in err.reason
    assert server.paths() == []


def test_39_longest_match_wins_and_wildcards_work(server: HostileServer) -> None:
    robots(
        server,
        text(
            "User-agent: *\nDisallow: /\nAllow: /partners/\nAllow: /a.php$\n\n"
            "User-agent: otherbot\nAllow: /\n"
        ),
    )
    lens, php, php_q, other = fetch(
        fast(server, obey_robots=True),
        f"{URL}/partners/lens",
        f"{URL}/a.php",
        f"{URL}/a.php?x=1",
        f"{URL}/other",
    )
    # urllib.robotparser takes the first matching line (Disallow: /) and refuses all four.
    assert isinstance(lens, Page)
    assert isinstance(php, Page)
    assert isinstance(php_q, RobotsDisallowed)
    assert "(the rule 'Disallow: /')" in php_q.reason
    assert isinstance(other, RobotsDisallowed)
    assert server.paths() == ["/robots.txt", "/partners/lens", "/a.php"]


def test_40_an_oversized_robots_file_is_capped_and_still_read(server: HostileServer) -> None:
    big = "User-agent: *\nDisallow: /private\n" + "# padding\n" * (ROBOTS_MAX_BYTES // 5)
    robots(server, text(big))
    ok, refused = fetch(fast(server, obey_robots=True), f"{URL}/other", f"{URL}/private/x")
    assert isinstance(ok, Page)
    assert isinstance(refused, RobotsDisallowed)
    assert server.paths() == ["/robots.txt", "/other"]


def test_40_html_served_as_robots_txt_means_no_rules(server: HostileServer) -> None:
    robots(server, response(200, b"<!doctype html><html><body>Disallow: /</body></html>"))
    page = fetch(fast(server, obey_robots=True), f"{URL}/private/x")
    assert page.status == 200
    assert f"robots.txt {URL}/robots.txt: is an HTML page, not robots.txt: no rules" in page.notes
    assert server.paths() == ["/robots.txt", "/private/x"]


def test_robots_is_read_once_per_host_per_run(server: HostileServer) -> None:
    robots(server, text("User-agent: *\nDisallow: /private\n"))
    results = fetch(fast(server, obey_robots=True), f"{URL}/", f"{URL}/other", f"{URL}/private/x")
    assert [type(r).__name__ for r in results] == ["Page", "Page", "RobotsDisallowed"]
    assert server.paths() == ["/robots.txt", "/", "/other"]


def test_ignore_robots_skips_robots_txt_entirely(server: HostileServer) -> None:
    robots(server, text("User-agent: *\nDisallow: /\n"))
    page = fetch(fast(server, obey_robots=False), f"{URL}/private/x")
    assert page.status == 200
    assert server.paths() == ["/private/x"]


def test_per_host_delay_spaces_the_starts_of_requests() -> None:
    now = [100.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    gate = HostGate(2, 1.5, clock=lambda: now[0], sleep=sleep)

    async def go() -> None:
        async def one(host: str) -> None:
            async with gate.slot(host):
                pass

        await asyncio.gather(one("a.example"), one("a.example"), one("b.example"), one("a.example"))

    asyncio.run(go())
    starts_a = [t for h, t in gate.starts if h == "a.example"]
    assert [b - a for a, b in itertools.pairwise(starts_a)] == [1.5, 1.5]
    # Only the second and third requests to a.example waited; b.example never did.
    assert slept == [1.5, 1.5]


def test_38_a_host_that_cannot_be_reached_is_reported_as_such_not_as_robots() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))  # bound, never listening: connection refused
        port = s.getsockname()[1]
        settings = fast(obey_robots=True, retries=1, resolve=((f"{SITE}:80", f"127.0.0.1:{port}"),))
        first, second = fetch(settings, f"{URL}/a", f"{URL}/b")
    assert isinstance(first, FetchFailed)
    assert first.reason.startswith("gave up after 2 attempts: could not connect")
    assert first.url == f"{URL}/a"
    assert isinstance(second, FetchFailed)
    assert second.url == f"{URL}/b"  # each page gets its own copy of the shared fault


def test_robots_txt_warmed_is_read_once_before_any_page_and_never_for_a_refused_url(
    server: HostileServer,
) -> None:
    """``warm_robots``: a re-check's partner taking its place has its site's robots.txt
    read at once; the page asked later waits for that read and asks it no second time. A
    URL the source refuses (not even a URL), or a source not obeying robots.txt, sends
    nothing and raises nothing."""
    from verifier.fetch import LiveSource

    robots(server, text("User-agent: *\nDisallow: /private\n"))

    async def go(settings: Any, warmed: str) -> tuple[list[str], Page | FetchError]:
        source = LiveSource(settings)
        try:
            source.warm_robots(warmed)
            for _ in range(100):  # until the warmed read is answered (1 s: none was sent)
                if server.paths():
                    break
                await asyncio.sleep(0.01)
            before = list(server.paths())
            try:
                return before, await source.get(f"{URL}/private/x")
            except FetchError as exc:
                return before, exc
        finally:
            await source.aclose()

    # Not a URL at all (an applicant's website is validated, but the parent must never
    # fail a run for one): nothing is sent, nothing raised.
    before, refused = asyncio.run(go(fast(server, obey_robots=True), "http://[::1"))
    assert before == []
    assert isinstance(refused, RobotsDisallowed)  # robots.txt read for the page itself
    server.requests.clear()
    before, warmed = asyncio.run(go(fast(server, obey_robots=True), f"{URL}/"))
    assert before == ["/robots.txt"]
    assert isinstance(warmed, RobotsDisallowed)
    assert server.paths() == ["/robots.txt"]  # read once, by the warm-up
    server.requests.clear()
    before, ignoring = asyncio.run(go(fast(server, obey_robots=False), f"{URL}/"))
    assert before == []
    assert isinstance(ignoring, Page)
    assert server.paths() == ["/private/x"]
