"""Fixtures of the built-in checks' tests: the fixture sites, plus a host that is down."""

from __future__ import annotations

import socket

import pytest

from verifier.fetch import FetchSettings
from verifier.sites import SiteServer
from verifier.testing import settings_for

DOWN = "down.example"
"""A host whose address refuses connections: every fetch of it is a network fault."""


def _closed_port() -> int:
    # Bind, read the port, close: nothing listens there during the test.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def settings(sites: SiteServer) -> FetchSettings:
    """Fetch settings serving ``fixtures/sites``, with :data:`DOWN` on a closed port."""
    pairs = (*sites.resolve_pairs(), (f"{DOWN}:80", f"127.0.0.1:{_closed_port()}"))
    return settings_for(sites, resolve=pairs)
