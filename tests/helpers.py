"""Small helpers shared by tests."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from verifier import CheckContext, NoParams, Page, Requirement
from verifier.sites import SiteServer
from verifier.testing import make_submission

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def offline_args(server: SiteServer, as_of: str = "2026-01-31") -> list[str]:
    """`verify` options that send every fixture host to ``server`` (loopback allowed),
    judged on ``as_of``."""
    args = [
        "--sources",
        str(FIXTURES / "sources.yaml"),
        "--allow-private-network",
        "--retries",
        "0",
        "--per-host-delay",
        "0",
        "--as-of",
        as_of,
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


def without_clock(value: Any) -> Any:
    """``value`` (evidence, JSON) without the times two runs differ by: when a page was
    fetched, and the Date header its server sent."""
    if isinstance(value, dict):
        return {k: without_clock(v) for k, v in value.items() if k not in ("fetched_at", "date")}
    if isinstance(value, list):
        return [without_clock(v) for v in value]
    return value


def html_page(html: str, url: str = "http://page.test/") -> Page:
    """A fetched HTML page answering 200 at ``url``, for a check's page reader alone."""
    body = html.encode()
    return Page(
        url=url,
        final_url=url,
        status=200,
        headers={"content-type": "text/html"},
        body=body,
        sha256=hashlib.sha256(body).hexdigest(),
        fetched_at="2026-01-01T00:00:00Z",
    )


def interruptible() -> None:
    """``preexec_fn`` for a child process a test stops with SIGINT: the child hears Ctrl-C
    as at a terminal even when the tests run as a background job, whose children inherit
    SIGINT ignored (Python then never raises KeyboardInterrupt, and the run ends as if
    nothing was sent: seen when .ci/run was started with ``&``)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


async def until(condition: Callable[[], bool]) -> None:
    """Wait until ``condition()`` holds (pages are read in a reader thread, beside the
    event loop); 10 s at most, which would be a failure to get there, not slowness."""
    for _ in range(2000):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("never happened")


async def _no_fetch(url: str) -> Page:
    raise AssertionError(f"nothing is fetched here, not {url}")


def bare_context(
    read_timeout: float | None = None, fetch: Callable[[str], Awaitable[Page]] = _no_fetch
) -> CheckContext[NoParams]:
    """A check's context with a minimal submission, no params and no sources: ``fetch``
    (by default, none allowed) and ``read_timeout`` as given."""
    return CheckContext(
        requirement=Requirement("r", "text", "c", {}),
        submission=make_submission(),
        params=NoParams(),
        as_of=dt.date(2026, 1, 1),
        fetch=fetch,
        sources={},
        read_timeout=read_timeout,
    )
