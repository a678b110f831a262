"""The gaming suite: an applicant who controls their own pages and writes their own
submission tries for a false ``pass``.

Each test serves ``fixtures/gaming/<host>/...`` on 127.0.0.1 (one folder per host name,
as ``fixtures/sites``), runs one built-in check against a page written to game it, and
asserts the requirement is not ``pass`` and the evidence says why. Beside each attempt
stands a passing control (a real visible pricing section, a real contributor listing...),
so that a fix cannot be "never pass".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from verifier.fetch import FetchSettings
from verifier.sites import SiteServer, serve_sites
from verifier.testing import settings_for

GAMING = Path(__file__).resolve().parents[2] / "fixtures" / "gaming"
"""One folder per host name; every host ends in ``.example``."""
HOSTS = GAMING.parent / "gaming-hosts"
"""Real host names (github.com, aws.amazon.com...) for attacks that need them, served
only to the tests that ask for :func:`hosts_settings`."""


@pytest.fixture(scope="session")
def gaming_sites() -> Iterator[SiteServer]:
    """The gaming fixture sites, served on 127.0.0.1 for the session."""
    with serve_sites(GAMING) as server:
        yield server


@pytest.fixture(scope="session")
def gaming_settings(gaming_sites: SiteServer) -> FetchSettings:
    """Fetch settings that resolve every gaming host to the local server."""
    return settings_for(gaming_sites)


@pytest.fixture(scope="session")
def hosts_settings() -> Iterator[FetchSettings]:
    """Fetch settings resolving ``fixtures/gaming-hosts`` (github.com...) to 127.0.0.1."""
    with serve_sites(HOSTS) as server:
        yield settings_for(server)
