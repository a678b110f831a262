"""A name that does not exist fails at once; a temporary DNS failure is retried.

The real system resolver is used (``socket.getaddrinfo`` answers as glibc would), so the
test covers how its error codes are told apart, not a fake resolver's exceptions.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest

from tests.fetch.conftest import Sleeps, fast, fetch
from verifier.errors import FetchFailed


def _dns_answering(monkeypatch: pytest.MonkeyPatch, errno: int, message: str) -> list[str]:
    """Make every lookup fail with ``errno``; return the list of names looked up."""
    lookups: list[str] = []

    def getaddrinfo(host: str, *args: Any, **kwargs: Any) -> Any:
        lookups.append(host)
        raise socket.gaierror(errno, message)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


def test_nxdomain_is_not_retried_and_history_records_one_attempt_with_no_such_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lookups = _dns_answering(monkeypatch, socket.EAI_NONAME, "Name or service not known")
    sleeps = Sleeps()
    err = fetch(fast(allow_private_network=False, retries=3), "http://gone.example/", sleep=sleeps)
    assert isinstance(err, FetchFailed)
    assert lookups == ["gone.example"]
    assert sleeps.waits == []
    assert err.attempts == 1
    assert [h["attempt"] for h in err.history] == [1]
    assert err.history[0]["error"] == (
        "no such host (cannot resolve gone.example: Name or service not known)"
    )
    assert err.reason == (
        "no such host (cannot resolve gone.example: Name or service not known); not retried: "
        "a name that does not exist will not exist in a second"
    )


def test_a_name_without_any_address_is_not_retried_either(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lookups = _dns_answering(monkeypatch, socket.EAI_NODATA, "No address associated with hostname")
    err = fetch(fast(allow_private_network=False, retries=3), "http://bare.example/")
    assert isinstance(err, FetchFailed)
    assert lookups == ["bare.example"]
    assert err.reason.startswith("no such host (cannot resolve bare.example: No address")


def test_a_temporary_dns_failure_eai_again_is_still_retried(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lookups = _dns_answering(monkeypatch, socket.EAI_AGAIN, "Temporary failure in name resolution")
    sleeps = Sleeps()
    err = fetch(fast(allow_private_network=False, retries=3), "http://flaky.example/", sleep=sleeps)
    assert isinstance(err, FetchFailed)
    assert lookups == ["flaky.example"] * 4
    assert len(sleeps.waits) == 3
    assert err.attempts == 4
    assert err.reason == (
        "gave up after 4 attempts: could not connect (cannot resolve flaky.example: "
        "Temporary failure in name resolution)"
    )
