"""Shared fixtures of the test suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from verifier.sites import SiteServer, serve_sites

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SITES = FIXTURES / "sites"


@pytest.fixture(scope="session")
def sites() -> Iterator[SiteServer]:
    """The bundled fixture sites, served on 127.0.0.1 for the whole session."""
    with serve_sites(SITES) as server:
        yield server
