"""Small helpers shared by tests."""

from __future__ import annotations

from pathlib import Path

from verifier.sites import SiteServer

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def offline_args(server: SiteServer) -> list[str]:
    """`verify` options that send every fixture host to ``server`` (loopback allowed)."""
    args = [
        "--sources",
        str(FIXTURES / "sources.yaml"),
        "--allow-private-network",
        "--retries",
        "0",
        "--per-host-delay",
        "0",
        "--as-of",
        "2026-01-31",
    ]
    for name, target in server.resolve_pairs():
        args += ["--resolve", f"{name}:{target}"]
    return args


def demo_args(server: object, tmp_path: Path, tier: str) -> list[str]:
    """`verify` arguments for the bundled demo submission of ``tier``, into tmp/out."""
    assert isinstance(server, SiteServer)
    return [
        str(FIXTURES / "demo" / f"{tier}.yaml"),
        "--out",
        str(tmp_path / "out"),
        *offline_args(server),
    ]
