"""membership as gather + pure decide: how a directory's entries are sorted, what the
sorted entries decide, and how the sources combine, table-tested without a server."""

from __future__ import annotations

import pytest

from plugins.membership import Findings, Verdict, Wanted, combine, decide, sort_entries
from verifier import Outcome, Page, Status
from verifier.toolkit import Entry

DIRECTORY = Page(
    url="https://dir.example/members",
    final_url="https://dir.example/members",
    status=200,
    headers={"content-type": "text/html"},
    body=b"<html></html>",
    sha256="0" * 64,
    fetched_at="2026-01-31T00:00:00Z",
)
WANTED = Wanted(
    forms=["acme cloud economics", "acme ce"],
    aliases={"acme ce": "Acme CE"},
    domain="acme.example",
    website="https://acme.example/",
    weak_threshold=0.8,
)


def entry(name: str, href: str | None = None, hidden: str | None = None) -> Entry:
    return Entry(name, href, "link", DIRECTORY, hidden)


def sorted_into(found: Findings) -> dict[str, list[str]]:
    """Each non-empty list of ``found``, by the names of its entries."""
    lists = {
        "confirmed": [e.name for e, _ in found.confirmed],
        "elsewhere": [e.name for e in found.elsewhere],
        "by_alias": [e.name for e, _ in found.by_alias],
        "weak": [e.name for e, _ in found.weak],
        "unseen": [e.name for e in found.unseen],
    }
    return {k: v for k, v in lists.items() if v}


@pytest.mark.parametrize(
    ("seen", "hidden", "expected"),
    [
        pytest.param(
            [entry("ACME Cloud Economics Inc.")],
            [],
            {"confirmed": ["ACME Cloud Economics Inc."]},
            id="the name, case and legal suffix aside, confirms",
        ),
        pytest.param(
            [entry("Acme CE Ltd")],
            [],
            {"by_alias": ["Acme CE Ltd"]},
            id="an alias alone is the applicant's word: not confirmed",
        ),
        pytest.param(
            [entry("Acme CE", "https://www.acme.example/")],
            [],
            {"confirmed": ["Acme CE"]},
            id="an alias on an entry linking to the applicant's site confirms",
        ),
        pytest.param(
            [entry("Acme Cloud Economics", "https://acme-other.example/")],
            [],
            {"elsewhere": ["Acme Cloud Economics"]},
            id="the name linking to another organisation's site is set apart",
        ),
        pytest.param(
            [entry("Acme Cloud Economics", "https://lens.example/")],
            [],
            {"elsewhere": ["Acme Cloud Economics"]},
            id="the name linking to the offering's site is apart: a landing page may be anyone's",
        ),
        pytest.param(
            [entry("Acme Cloud Economic"), entry("Acme Cloud")],
            [],
            {"weak": ["Acme Cloud Economic", "Acme Cloud"]},
            id="similar names are candidates, the most similar first",
        ),
        pytest.param(
            [entry("Globex")],
            [entry("Acme Cloud Economics", hidden="display:none"), entry("Initech", hidden="x")],
            {"unseen": ["Acme Cloud Economics"]},
            id="a hidden entry naming the applicant is set aside, others are not",
        ),
    ],
)
def test_sort_entries(
    seen: list[Entry], hidden: list[Entry], expected: dict[str, list[str]]
) -> None:
    assert sorted_into(sort_entries(seen, hidden, WANTED)) == expected


def findings(**lists: list[object]) -> Findings:
    empty: dict[str, list[object]] = {
        k: [] for k in ("confirmed", "elsewhere", "by_alias", "weak", "unseen")
    }
    return Findings(**(empty | lists))


ONE = [object()]


@pytest.mark.parametrize(
    ("found", "problem", "unread", "verdict"),
    [
        pytest.param(findings(confirmed=ONE), None, None, "listed", id="a listing passes"),
        pytest.param(
            findings(confirmed=ONE),
            "page 2 answered 503",
            None,
            "listed",
            id="a listing read before a later page failed is proof enough",
        ),
        pytest.param(
            findings(weak=ONE),
            "page 2 answered 503",
            None,
            "unreadable",
            id="without a listing, a directory not read cannot prove anything",
        ),
        pytest.param(
            findings(unseen=ONE),
            None,
            "https://dir.example/?page=21",
            "unfinished",
            id="without a listing, pages left unread leave the search undecided",
        ),
        pytest.param(
            findings(elsewhere=ONE, unseen=ONE, by_alias=ONE, weak=ONE),
            None,
            None,
            "elsewhere",
            id="a name tied to another site comes before hidden, alias and similar",
        ),
        pytest.param(
            findings(unseen=ONE, by_alias=ONE, weak=ONE),
            None,
            None,
            "hidden",
            id="hidden comes before alias and similar",
        ),
        pytest.param(
            findings(by_alias=ONE, weak=ONE), None, None, "alias", id="alias before similar"
        ),
        pytest.param(findings(weak=ONE), None, None, "similar", id="only similar names"),
        pytest.param(findings(), None, None, "absent", id="nothing: absent"),
    ],
)
def test_decide(found: Findings, problem: str | None, unread: str | None, verdict: Verdict) -> None:
    assert decide(found, problem, unread) == verdict


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        pytest.param([Status.PASS, Status.PASS], Status.PASS, id="all listed passes"),
        pytest.param(
            [Status.ERROR, Status.FAIL], Status.FAIL, id="a real absence decides over a fault"
        ),
        pytest.param(
            [Status.NEEDS_REVIEW, Status.ERROR], Status.ERROR, id="a fault before a review"
        ),
        pytest.param([Status.PASS, Status.NEEDS_REVIEW], Status.NEEDS_REVIEW, id="a review"),
    ],
)
def test_combine_takes_the_worst_status_and_every_summary(
    statuses: list[Status], expected: Status
) -> None:
    verdicts = [Outcome(s, f"source {i}: {s.value}") for i, s in enumerate(statuses)]
    combined = combine(verdicts)
    assert combined.status is expected
    assert combined.summary == "; ".join(v.summary for v in verdicts)
