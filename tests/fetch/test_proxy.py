"""``--proxy URL``: every fetch through the operator's HTTP forward proxy (a local one on
127.0.0.1 here, see :mod:`tests.fetch.forward_proxy`), https through CONNECT with the
target's certificate and name verified, the target's addresses still checked by our own
resolution, the proxy recorded in the report with its password hidden; and the loopback
refusal that names ``--allow-private-network`` once."""

from __future__ import annotations

import base64
import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fetch.conftest import PUBLIC, FakeDNS, fast, fetch
from tests.fetch.forward_proxy import ForwardProxy, forward_proxy
from tests.fetch.test_tls_sites import POLICY as TLS_POLICY
from verifier.cli.main import main
from verifier.errors import FetchFailed, FetchRefused
from verifier.fetch import FetchSettings, Page
from verifier.fetch.guard import private_network_note
from verifier.sites import SiteServer, serve_sites

SECURITY_TXT = "Contact: mailto:security@{host}\nExpires: 2030-01-01T00:00:00Z\n"


def _sites(root: Path, *hosts: str) -> Path:
    for host in hosts:
        well_known = root / host / ".well-known"
        well_known.mkdir(parents=True)
        (well_known / "security.txt").write_text(SECURITY_TXT.format(host=host))
    return root


@pytest.fixture(scope="module")
def http_sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteServer]:
    root = _sites(tmp_path_factory.mktemp("proxy-sites"), "localhost", "secure.example")
    with serve_sites(root) as server:
        yield server


@pytest.fixture(scope="module")
def tls_sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteServer]:
    root = _sites(tmp_path_factory.mktemp("proxy-tls-sites"), "secure.example")
    with serve_sites(root, https=True) as server:
        yield server


@pytest.fixture
def proxy(http_sites: SiteServer) -> Iterator[ForwardProxy]:
    with forward_proxy(http_sites.port) as running:
        yield running


def _through(proxy: ForwardProxy, **overrides: object) -> FetchSettings:
    values: dict[str, object] = {"allow_private_network": False, "retries": 0, **overrides}
    return fast(proxy=proxy.url, **values)


# ------------------------------------------------------------------ through the proxy


def test_an_http_page_is_fetched_through_the_proxy(
    proxy: ForwardProxy, http_sites: SiteServer
) -> None:
    dns = FakeDNS({"secure.example": [PUBLIC]})
    url = "http://secure.example/.well-known/security.txt"
    page = fetch(_through(proxy), url, resolver=dns)
    assert isinstance(page, Page)
    assert (page.status, page.final_url) == (200, url)
    assert b"Contact: mailto:security@secure.example" in page.body
    # The proxy was asked for the absolute URL; the site saw the host it was meant for.
    assert proxy.log == [("GET", url)]
    assert ("secure.example", "/.well-known/security.txt") in http_sites.requests
    # Our own resolution of the target was made, to check its addresses.
    assert dns.lookups == ["secure.example"]


def test_https_goes_through_connect_with_the_targets_name_verified(
    http_sites: SiteServer, tls_sites: SiteServer
) -> None:
    assert tls_sites.ca_file is not None
    dns = FakeDNS({"secure.example": [PUBLIC]})
    url = "https://secure.example/.well-known/security.txt"
    with forward_proxy(tls_sites.port) as proxy:
        before = len(tls_sites.server_names)
        page = fetch(_through(proxy, ca_bundle=str(tls_sites.ca_file)), url, resolver=dns)
        assert isinstance(page, Page)
        assert page.status == 200
        assert b"security@secure.example" in page.body
        assert proxy.log == [("CONNECT", "secure.example:443")]
        # SNI named the target, not the proxy, inside the tunnel.
        assert tls_sites.server_names[before:] == ["secure.example"]
        # Host-name verification stays on through the tunnel: a name the certificate
        # does not cover is a TLS error, not a page.
        dns.table["other.example"] = [PUBLIC]
        err = fetch(
            _through(proxy, ca_bundle=str(tls_sites.ca_file)),
            "https://other.example/",
            resolver=dns,
        )
        assert not isinstance(err, Page)
        assert "TLS error: Hostname mismatch, certificate is not valid for 'other.example'" in (
            err.reason
        )
        # And without the throwaway CA, the certificate is not trusted.
        err = fetch(_through(proxy), url, resolver=dns)
        assert not isinstance(err, Page)
        assert "TLS error: unable to get local issuer certificate" in err.reason


@pytest.mark.parametrize(
    ("url", "dns", "reason"),
    [
        pytest.param(
            "http://intranet.example/",
            {"intranet.example": ["10.0.0.5"]},
            "refused: intranet.example resolves to 10.0.0.5, which is a private address",
            id="a name resolving to a private address",
        ),
        pytest.param(
            "http://127.0.0.1/",
            {},
            "refused: 127.0.0.1 is a loopback address",
            id="a loopback literal",
        ),
        pytest.param(
            "https://metadata.example/",
            {"metadata.example": [PUBLIC, "169.254.169.254"]},
            "refused: metadata.example resolves to 169.254.169.254, which is a link-local",
            id="an https target (CONNECT) with a link-local address",
        ),
    ],
)
def test_a_private_target_is_refused_before_the_proxy_is_asked(
    proxy: ForwardProxy, url: str, dns: dict[str, list[str]], reason: str
) -> None:
    err = fetch(_through(proxy), url, resolver=FakeDNS(dns))  # type: ignore[arg-type]
    assert isinstance(err, FetchRefused)
    assert err.reason.startswith(reason)
    assert proxy.log == []


def test_a_name_we_cannot_resolve_is_not_handed_to_the_proxy(proxy: ForwardProxy) -> None:
    # The check needs our own answer: the proxy's DNS is never left to decide.
    err = fetch(_through(proxy), "http://intranet.corp/", resolver=FakeDNS({}))
    assert isinstance(err, FetchFailed)
    assert "cannot resolve intranet.corp" in err.reason
    assert proxy.log == []


def test_with_allow_private_network_link_local_is_still_refused_through_the_proxy(
    proxy: ForwardProxy,
) -> None:
    dns = FakeDNS({"localhost": ["127.0.0.1"], "meta.example": ["169.254.169.254"]})
    settings = _through(proxy, allow_private_network=True)
    page, err = fetch(
        settings, "http://localhost/.well-known/security.txt", "http://meta.example/", resolver=dns
    )
    assert isinstance(page, Page)
    assert page.status == 200
    assert isinstance(err, FetchRefused)
    assert err.reason == (
        "refused: meta.example resolves to 169.254.169.254, which is a link-local address "
        "(cloud metadata lives here) (even with --allow-private-network)"
    )
    assert proxy.log == [("GET", "http://localhost/.well-known/security.txt")]


def test_proxy_credentials_are_sent_to_the_proxy(proxy: ForwardProxy) -> None:
    dns = FakeDNS({"secure.example": [PUBLIC]})
    settings = fast(
        proxy=f"http://staff:s%40cret@127.0.0.1:{proxy.port}", allow_private_network=False
    )
    page = fetch(settings, "http://secure.example/.well-known/security.txt", resolver=dns)
    assert isinstance(page, Page)
    assert page.status == 200
    assert proxy.auth == ["Basic " + base64.b64encode(b"staff:s@cret").decode()]
    assert settings.to_json()["proxy"] == f"http://staff:***@127.0.0.1:{proxy.port}"


# ------------------------------------------------------------------ the command line

# The TLS tests' one-requirement policy, with the same check asked a second time.
POLICY = (
    TLS_POLICY
    + """\
  - id: security-contact-again
    text: Publishes a security contact (asked twice)
    check: security-txt
"""
)


def _verify_args(tmp_path: Path, website: str) -> list[str]:
    sub = tmp_path / "secure.yaml"
    sub.write_text(
        textwrap.dedent(f"""\
        tier: platform
        applicant: {{name: Secure, website: "{website}", employees: 5}}
        """)
    )
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    return [
        "verify", str(sub), "--policy", str(policy), "--out", str(tmp_path / "out"),
        "--retries", "0", "--per-host-delay", "0",
    ]  # fmt: skip


def test_verify_through_the_proxy_records_it_with_the_password_hidden(
    tmp_path: Path, proxy: ForwardProxy
) -> None:
    # "localhost" is resolved by the system resolver (our own check: loopback, allowed by
    # the option); the proxy sends it to the local site server.
    secret = f"http://staff:hunter2@127.0.0.1:{proxy.port}/"
    args = [*_verify_args(tmp_path, "http://localhost/"), "--allow-private-network"]
    assert main([*args, "--proxy", secret]) == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["run"]["settings"]["proxy"] == f"http://staff:***@127.0.0.1:{proxy.port}/"
    assert "hunter2" not in (tmp_path / "out" / "report.json").read_text()
    req = report["requirements"][0]
    assert req["status"] == "pass"
    fetched = next(e for e in req["evidence"] if e["kind"] == "fetch")
    assert fetched["url"] == "http://localhost/.well-known/security.txt"
    assert fetched["sha256"]
    assert ("GET", "http://localhost/.well-known/security.txt") in proxy.log


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("socks5://staff:pw@127.0.0.1:1080", "--proxy socks5://staff:***@127.0.0.1:1080: the "
         "scheme socks5: is not supported; give http://[user:password@]host:port"),
        ("https://proxy.example:3128", "the scheme https: is not supported"),
        ("proxy.example:3128", "a URL without a scheme is not supported"),
        ("http://proxy.example:3128/some/path", "a proxy URL has a host and nothing after it"),
        ("http://[::1", "--proxy http://[::1: not a URL"),
        ("http://proxy.example:99999", "the port 99999 is not 1-65535"),
    ],
)  # fmt: skip
def test_a_proxy_url_we_cannot_use_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, message: str
) -> None:
    assert main(["verify", str(tmp_path / "never-read.yaml"), "--proxy", value]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert ":pw@" not in err


def test_proxy_and_resolve_together_are_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--proxy", "http://127.0.0.1:3128", "--resolve", "a.example:80:127.0.0.1:8080"]
    assert main(["verify", str(tmp_path / "never-read.yaml"), *args]) == 2
    err = capsys.readouterr().err
    assert "--proxy and --resolve cannot be used together" in err


def test_a_loopback_refusal_names_the_option_once_per_requirement_and_once_in_the_summary(
    tmp_path: Path, http_sites: SiteServer, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _verify_args(tmp_path, "http://secure.example/")
    resolve = ["--resolve", f"secure.example:80:127.0.0.1:{http_sites.port}"]
    assert main([*args, *resolve]) == 3
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    hint = (
        "secure.example resolves to 127.0.0.1, which is a loopback address; "
        "for a test server on this machine, run with --allow-private-network"
    )
    for req in report["requirements"]:
        assert req["status"] == "error"
        assert hint in req["summary"]
        assert req["summary"].count("--allow-private-network") == 1
    # The terminal says it once, under the table, not in every row.
    out = " ".join(capsys.readouterr().out.split())
    note = private_network_note([hint])
    assert note is not None
    assert out.count(note) == 1
    assert out.count("--allow-private-network") == 1
    assert "which is a loopback address" in out


def test_the_summary_note_is_only_for_refusals_the_option_lifts() -> None:
    assert private_network_note(
        [
            "refused: 10.0.0.5 is a private address; for a test server "
            "on a private network, run with --allow-private-network"
        ]
    )
    assert (
        private_network_note(
            [
                "refused: 169.254.169.254 is a link-local address (cloud metadata lives here)",
                "refused: 127.0.0.1 is a loopback address (even with --allow-private-network)",
                "gave up after 1 attempt: HTTP 503",
                None,
            ]
        )
        is None
    )
