"""The example plugin's own test, written the way a third party would write it: through
the opt-in pytest plugin ``verifier.testing`` (``-p verifier.testing``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import respx
from finops_verifier_example import SecurityTxtCheck

from verifier import Status
from verifier.testing import SiteServer, make_submission, run_check, settings_for

SITES = Path(__file__).parent / "sites"


@pytest.mark.parametrize(
    ("website", "params", "status", "summary"),
    [
        pytest.param(
            "http://secure.example/",
            {"require_expires": True},
            Status.PASS,
            "security.txt publishes a contact",
            id="a complete security.txt passes",
        ),
        pytest.param(
            "http://partial.example/",
            {},
            Status.FAIL,
            "security.txt has no contact line",
            id="a security.txt without Contact fails",
        ),
        pytest.param(
            "http://nothing.example/",
            {},
            Status.FAIL,
            "no security.txt (404)",
            id="a site without security.txt fails",
        ),
    ],
)
def test_security_txt(
    fake_sites: Callable[[Path], SiteServer],
    website: str,
    params: dict[str, bool],
    status: Status,
    summary: str,
) -> None:
    server = fake_sites(SITES)
    settings = settings_for(
        server,
        resolve=(*server.resolve_pairs(), ("nothing.example:80", f"127.0.0.1:{server.port}")),
    )
    result = run_check(
        SecurityTxtCheck(),
        make_submission(applicant={"name": "Secure Co", "website": website}),
        params,
        settings=settings,
    )
    assert (result.status, result.summary) == (status, summary)


@pytest.mark.parametrize(
    ("answer", "status", "summary"),
    [
        pytest.param(
            httpx.Response(503),
            Status.ERROR,
            "security.txt could not be fetched (gave up after 2 attempts: HTTP 503)",
            id="a server answering 503 is an error, not a missing file",
        ),
        pytest.param(
            httpx.Response(410),
            Status.FAIL,
            "no security.txt (410)",
            id="a security.txt that is gone for good fails",
        ),
    ],
)
def test_a_fault_is_not_an_absence(answer: httpx.Response, status: Status, summary: str) -> None:
    url = "http://flaky.example/.well-known/security.txt"
    with respx.mock(assert_all_called=True) as router:
        route = router.get(url, name="security_txt").mock(side_effect=[answer, answer])
        result = run_check(
            SecurityTxtCheck(),
            make_submission(applicant={"name": "Flaky Co", "website": "http://flaky.example/"}),
            settings=settings_for(None),
        )
    assert (result.status, result.summary) == (status, summary)
    assert route.called
