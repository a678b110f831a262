"""Helpers and an opt-in pytest plugin for plugin authors.

Enable it in a plugin's ``conftest.py`` with ``pytest_plugins = ["verifier.testing"]``.
Fixtures:

- ``plugin_host``: a fresh plugin host with every installed entry point loaded;
- ``fake_sites``: a factory serving a folder of sites on 127.0.0.1 (stopped afterwards),
  over https with ``fake_sites(path, https=True)`` (a throwaway CA that
  :func:`settings_for` makes the fetch layer trust);

functions :func:`run_check` (one check, one submission, real fetches against local
sites) and :func:`make_submission` (a valid submission from a few fields); and the types
those give, re-exported so that a plugin's tests annotate them without importing a module
that may change: :class:`PluginHost` (what ``plugin_host`` returns) and
:class:`SiteServer` (what ``fake_sites`` returns).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from verifier.checks import Check
from verifier.engine import run_requirement
from verifier.fetch import Fetcher, FetchSettings, LiveSource
from verifier.host import CheckRegistry, PluginHost, PluginInfo, build_host
from verifier.inputs.sources import Source
from verifier.inputs.submission import Submission
from verifier.models import Requirement, RequirementResult
from verifier.sites import SiteServer, serve_sites

__all__ = [
    "PluginHost",
    "SiteServer",
    "fake_sites",
    "make_submission",
    "plugin_host",
    "run_check",
    "settings_for",
]


def make_submission(**fields: Any) -> Submission:
    """A valid :class:`Submission`; ``fields`` override or add to a minimal one."""
    base: dict[str, Any] = {
        "tier": "example",  # checks do not read the tier; policies select by it
        "applicant": {
            "name": "Acme Cloud Economics, Inc.",
            "website": "http://acme.example/",
            "employees": 50,
        },
    }
    base.update(fields)
    return Submission.model_validate(base)


def settings_for(server: SiteServer | None, **overrides: Any) -> FetchSettings:
    """Fetch settings for a test: loopback allowed, one quick retry.

    With a ``server``, its sites resolve to it and robots.txt is obeyed as in a real run;
    a server of https sites has its throwaway CA trusted (``ca_bundle``) for this run only.
    Without one (a respx unit test of a check's own logic), robots.txt is not asked for,
    so the mocks need only the pages the check reads; robots.txt handling is the fetch
    layer's, tested there. Pass ``obey_robots=True`` to mock it yourself.
    """
    values: dict[str, Any] = {
        "allow_private_network": True,
        "retries": 1,
        "backoff": 0.01,
        "total_timeout": 10.0,
        "obey_robots": server is not None,
        "per_host_delay": 0.0,  # local fixture servers: no need to be polite
    }
    if server is not None:
        values["resolve"] = server.resolve_pairs()
        if server.ca_file is not None:
            values["ca_bundle"] = str(server.ca_file)
    values.update(overrides)
    return FetchSettings(**values)


def run_check(
    check: Check[Any],
    submission: Submission,
    params: dict[str, Any] | None = None,
    *,
    settings: FetchSettings | None = None,
    sources: dict[str, str | Path] | None = None,
    as_of: dt.date = dt.date(2026, 1, 1),
    timeout: float = 30.0,
    requirement_id: str = "requirement",
) -> RequirementResult:
    """Run one check on one submission through the real engine and fetch layer."""
    registry = CheckRegistry()
    registry.add(check, PluginInfo("under-test", None, None))
    validated = check.Params.model_validate(params or {}).model_dump(mode="json")
    req = Requirement(requirement_id, "requirement under test", check.name, validated)
    srcs = {
        name: Source(
            name,
            value if isinstance(value, str) else None,
            value if isinstance(value, Path) else None,
            "test",
        )
        for name, value in (sources or {}).items()
    }

    async def go() -> RequirementResult:
        fetch_settings = settings or FetchSettings()
        fetcher = Fetcher(
            LiveSource(fetch_settings), None, read_timeout=fetch_settings.parse_timeout
        )
        try:
            return await run_requirement(
                req,
                submission,
                registry,
                fetcher,
                sources=srcs,
                as_of=as_of,
                timeout=timeout,
                budget=fetch_settings.max_fetches_per_check,
            )
        finally:
            await fetcher.aclose()

    return asyncio.run(go())


@pytest.fixture
def plugin_host() -> PluginHost:
    """A fresh plugin host with every installed ``finops_verifier`` entry point."""
    return build_host()


@pytest.fixture
def fake_sites() -> Iterator[Callable[..., SiteServer]]:
    """Serve a sites folder on 127.0.0.1: ``server = fake_sites(path)``, or
    ``fake_sites(path, https=True)`` for https; stopped after the test."""
    with ExitStack() as stack:

        def serve(root: Path, *, https: bool = False) -> SiteServer:
            return stack.enter_context(serve_sites(root, https=https))

        yield serve
