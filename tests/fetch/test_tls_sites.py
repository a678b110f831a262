"""HTTPS end to end: test sites served over TLS with a throwaway CA, fetched through the
connect-time address guard with SNI and host-name verification on; and --ca-bundle, the
operator's extra CA (a TLS-inspecting proxy's), recorded in the report."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from verifier import Status
from verifier.checks import Check
from verifier.cli.main import main
from verifier.host import PluginHost
from verifier.inputs.submission import Submission
from verifier.sites import SiteServer, serve_sites
from verifier.testing import make_submission, run_check, settings_for


@pytest.fixture(scope="module")
def tls_sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteServer]:
    root = tmp_path_factory.mktemp("tls-sites")
    well_known = root / "secure.example" / ".well-known"
    well_known.mkdir(parents=True)
    (well_known / "security.txt").write_text(
        "Contact: mailto:security@secure.example\nExpires: 2030-01-01T00:00:00Z\n"
    )
    with serve_sites(root, https=True) as server:
        yield server


@pytest.fixture
def security_txt(plugin_host: PluginHost) -> Check[Any]:
    """The example plugin's check, as installed through its entry point."""
    return plugin_host.checks().checks["security-txt"].check


def _secure(website: str = "https://secure.example/") -> Submission:
    return make_submission(applicant={"name": "Secure", "website": website, "employees": 5})


def test_a_page_served_over_tls_is_fetched_through_the_guard_with_sni(
    tls_sites: SiteServer, security_txt: Check[Any]
) -> None:
    assert tls_sites.scheme == "https"
    assert tls_sites.resolve_pairs() == (("secure.example:443", f"127.0.0.1:{tls_sites.port}"),)
    before = len(tls_sites.server_names)
    result = run_check(security_txt, _secure(), {}, settings=settings_for(tls_sites))
    assert (result.status, result.summary) == (Status.PASS, "security.txt publishes a contact")
    fetched = next(e for e in result.evidence if e.kind == "fetch")
    assert fetched.url == "https://secure.example/.well-known/security.txt"
    assert fetched.data["final_url"] == "https://secure.example/.well-known/security.txt"
    assert fetched.data["status"] == 200
    # The client named the host in its TLS handshake (SNI), though it dialled 127.0.0.1.
    assert tls_sites.server_names[before:]
    assert set(tls_sites.server_names[before:]) == {"secure.example"}


def test_a_host_the_certificate_does_not_name_is_refused(
    tls_sites: SiteServer, security_txt: Check[Any]
) -> None:
    settings = settings_for(
        tls_sites, resolve=(("other.example:443", f"127.0.0.1:{tls_sites.port}"),)
    )
    result = run_check(security_txt, _secure("https://other.example/"), {}, settings=settings)
    assert result.status == Status.ERROR
    assert "TLS error: Hostname mismatch, certificate is not valid for 'other.example'" in (
        result.summary
    )


def test_the_throwaway_ca_is_trusted_only_by_the_run_given_it(
    tls_sites: SiteServer, security_txt: Check[Any]
) -> None:
    settings = settings_for(tls_sites, ca_bundle=None)
    result = run_check(security_txt, _secure(), {}, settings=settings)
    assert result.status == Status.ERROR
    assert "TLS error: unable to get local issuer certificate" in result.summary


POLICY = """\
id: security-2022
program: "2022"
tier: platform
requirements:
  - id: security-contact
    text: Publishes a security contact
    check: security-txt
"""


def _verify_args(tmp_path: Path, server: SiteServer) -> list[str]:
    sub = tmp_path / "secure.yaml"
    sub.write_text(
        textwrap.dedent("""\
        tier: platform
        applicant: {name: Secure, website: "https://secure.example/", employees: 5}
        """)
    )
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    (host, target), *_ = server.resolve_pairs()
    return [
        "verify", str(sub), "--policy", str(policy), "--out", str(tmp_path / "out"),
        "--allow-private-network", "--retries", "0", "--per-host-delay", "0",
        "--resolve", f"{host}:{target}",
    ]  # fmt: skip


def test_ca_bundle_trusts_the_operators_ca_and_is_recorded_in_the_report(
    tmp_path: Path, tls_sites: SiteServer
) -> None:
    assert tls_sites.ca_file is not None
    args = [*_verify_args(tmp_path, tls_sites), "--ca-bundle", str(tls_sites.ca_file)]
    assert main(args) == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["run"]["settings"]["ca_bundle"] == str(tls_sites.ca_file.resolve())
    (req,) = report["requirements"]
    assert req["status"] == "pass"
    assert req["evidence"][0]["url"] == "https://secure.example/.well-known/security.txt"


def test_without_ca_bundle_the_same_run_is_a_tls_error_not_a_fail(
    tmp_path: Path, tls_sites: SiteServer
) -> None:
    assert main(_verify_args(tmp_path, tls_sites)) == 3
    (req,) = json.loads((tmp_path / "out" / "report.json").read_text())["requirements"]
    assert req["status"] == "error"
    assert "TLS error: unable to get local issuer certificate" in req["summary"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(None, "does not exist", id="a missing file"),
        pytest.param(
            "not a certificate\n",
            "not a PEM file of CA certificates (NO_CERTIFICATE_OR_CRL_FOUND); give the PEM "
            "file of the CA to trust",
            id="a file holding no certificate",
        ),
    ],
)
def test_a_ca_bundle_that_cannot_be_used_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    bundle = tmp_path / "proxy-ca.pem"
    if content is not None:
        bundle.write_text(content)
    sub = tmp_path / "never-read.yaml"
    assert main(["verify", str(sub), "--ca-bundle", str(bundle)]) == 2
    err = capsys.readouterr().err
    assert str(bundle) in err
    assert message in err
    assert "Traceback" not in err
