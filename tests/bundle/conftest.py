"""Bundles built by real verifications, once per session, copied for each test."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from verifier.bundle.check import write_manifest
from verifier.bundle.store import dump_json
from verifier.cli.main import main
from verifier.report import DEFAULT_FORMATS, write_derived
from verifier.sites import serve_sites

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
AS_OF = "2026-01-01"


SCRIPT = "<script>alert(1)</script>"
BREAKER = '"><img src=x onerror=alert(1)>'


@pytest.fixture
def hostile_report() -> dict[str, Any]:
    """A report.json dict whose every string field holds something dangerous."""
    report: dict[str, Any] = {
        "schema": "finops-verifier/report/v1",
        "tool": {"name": "finops-verifier", "version": "0"},
        "run": {
            "started": "2026-01-01T00:00:00Z",
            "finished": "2026-01-01T00:00:01Z",
            "as_of": "2026-01-01",
        },
        "applicant": {"name": f"{SCRIPT} Corp", "website": "javascript:alert(1)", "employees": 10},
        "tier": "platform",
        "policy": {
            "id": "p",
            "program": "2022",
            "version": "1",
            "title": "T",
            "source": "https://example.org/p",
        },
        "outcome": "fail",
        "requirements": [
            {
                "id": "offering",
                "text": f"published {BREAKER}",
                "check": "offering",
                "status": "pass",
                "summary": f"title was {SCRIPT}",
                "evidence": [
                    {
                        "kind": "fetch",
                        "url": "https://acme.example/a?x=1&y=2",
                        "sha256": "a" * 64,
                        "fetched_at": "2026-01-01T00:00:00Z",
                        "detail": "GET",
                        "data": {
                            "final_url": "https://acme.example/b",
                            "status": 200,
                            "hops": [
                                {
                                    "url": "https://acme.example/a",
                                    "status": 301,
                                    "location": "https://acme.example/b",
                                }
                            ],
                        },
                    },
                    {
                        "kind": "link",
                        "url": "javascript:alert(document.cookie)",
                        "sha256": "../../etc/passwd",
                        "fetched_at": None,
                        "detail": f"link text {BREAKER}",
                        "excerpt": f"{SCRIPT}\x00\ud800 end",
                    },
                    {
                        "kind": "link",
                        "url": " data:text/html,<b>x</b>",
                        "sha256": None,
                        "fetched_at": None,
                        "detail": "data url",
                    },
                    {
                        "kind": "link",
                        "url": "vbscript:msgbox(1)",
                        "sha256": None,
                        "fetched_at": None,
                        "detail": "vbscript url",
                    },
                ],
            },
            {
                "id": "membership",
                "text": "member",
                "check": "membership",
                "status": "fail",
                "summary": "not listed",
                "evidence": [],
            },
            {
                "id": "community",
                "text": "community",
                "check": "community",
                "status": "needs_review",
                "summary": "weak match",
                "evidence": [],
            },
        ],
    }
    return report


def rewrite_report(bundle: Path, report: dict[str, Any]) -> None:
    """Give ``bundle`` another report.json as its writer would: the human reports derived
    from it again and SHA256SUMS rewritten (a bundle consistent with other data)."""
    write_derived(dump_json(report), bundle, DEFAULT_FORMATS)
    write_manifest(bundle)


def verify_args(server_port: int, pairs: tuple[tuple[str, str], ...]) -> list[str]:
    """Options that send the test sites' hosts to the local server."""
    args = ["--allow-private-network", "--allow-port", str(server_port), "--as-of", AS_OF]
    for host, addr in pairs:
        args += ["--resolve", f"{host}:{addr}"]
    return args


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The platform bundle of `finops-verify demo` (never modified: copy it)."""
    out = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--out", str(out), "--as-of", AS_OF]) == 0
    return out / "platform"


def verify_hostile(out: Path, *extra: str) -> int:
    """Verify the hostile submission against tests/bundle/sites into ``out``."""
    with serve_sites(HERE / "sites") as server:
        return main(
            [
                "verify",
                str(DATA / "hostile.yaml"),
                "--out",
                str(out),
                "--sources",
                str(DATA / "sources.yaml"),
                *verify_args(server.port, server.resolve_pairs()),
                *extra,
            ]
        )


@pytest.fixture(scope="session")
def hostile_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle of the hostile submission against tests/bundle/sites (never modified)."""
    out = tmp_path_factory.mktemp("hostile") / "bundle"
    code = verify_hostile(out)
    assert code in (1, 3), code
    return out


@pytest.fixture
def copy_bundle(tmp_path: Path) -> Callable[[Path], Path]:
    """``copy_bundle(master)``: a private copy of a session bundle, to alter freely."""

    def copy(master: Path) -> Path:
        target = tmp_path / master.parent.name / master.name
        shutil.copytree(master, target)
        return target

    return copy


@pytest.fixture
def demo_bundle(demo_master: Path, copy_bundle: Callable[[Path], Path]) -> Path:
    """A private copy of the demo's platform bundle."""
    return copy_bundle(demo_master)


@pytest.fixture
def review_bundle(demo_master: Path, copy_bundle: Callable[[Path], Path]) -> Path:
    """A private copy of a demo bundle that needs review (the service provider's)."""
    return copy_bundle(demo_master.parent / "service-provider")


@pytest.fixture
def hostile_bundle(hostile_master: Path, copy_bundle: Callable[[Path], Path]) -> Path:
    """A private copy of the hostile bundle."""
    return copy_bundle(hostile_master)
