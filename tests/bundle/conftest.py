"""Bundles built by real verifications, once per session, copied for each test."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from verifier.cli import main
from verifier.sites import serve_sites

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
AS_OF = "2026-01-01"


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


@pytest.fixture(scope="session")
def hostile_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle of the hostile submission against tests/bundle/sites (never modified)."""
    out = tmp_path_factory.mktemp("hostile") / "bundle"
    with serve_sites(HERE / "sites") as server:
        code = main(
            [
                "verify",
                str(DATA / "hostile.yaml"),
                "--out",
                str(out),
                "--sources",
                str(DATA / "sources.yaml"),
                *verify_args(server.port, server.resolve_pairs()),
            ]
        )
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
def hostile_bundle(hostile_master: Path, copy_bundle: Callable[[Path], Path]) -> Path:
    """A private copy of the hostile bundle."""
    return copy_bundle(hostile_master)
