"""A hostile applicant against the renewal series, round 3: what recheck says about you.

**A page withdrawn behind 401, 403 or 451 is not "gone".** docs/recheck.md lists a page
under *gone* when it "answered 2xx in the baseline, 404 or 410 now"; every other answer
that is not 2xx is listed nowhere. An applicant that takes down the page a requirement
passed on (its landing page, its case study) chooses how its server says so. Answering
410 lists the page as gone, and the landing-page check fails it (a regression, first in
recheck.md). Answering 403 Forbidden (or 401, or 451 Unavailable For Legal Reasons) for
the same withdrawal gives the check an answer it calls ``error`` ("answered another
status"): the requirement is an ``attention`` change (never a regression: "a fault is
not evidence"), and the page is not listed under pages gone, nor anywhere. At the next
renewal, error to error is no change at all. Yet a 401/403/451 is not a fault the tool
met (a time-out, a 5xx): it is the server's own statement that the page is not public
any more, exactly what *gone* tells staff. Fixed: a page that answered 2xx in the
baseline and 401, 403 or 451 now is listed as gone (the statuses of
``verifier.recheck.diff.GONE_STATUSES``); the strict xfail is a passing test.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.recheck.test_carry import AS_OF, NEW_SHA, OLD_SHA, decision
from verifier.bundle.decisions import review_view
from verifier.models import Evidence, Status
from verifier.recheck.carry import EVIDENCE_CHANGED, carry_decisions
from verifier.recheck.diff import change_kind, page_changes, requirement_changes
from verifier.recheck.model import CarryRecord, ChangeKind, PageChange
from verifier.report.model import Report, ReportedRequirement

PAGE = "http://acme.test/training"
JUDGED, NOW = "a" * 64, "b" * 64


def _pages(status: int | None, error: str | None = None) -> tuple[PageChange, ...]:
    """The pages gone when PAGE answered 200 (JUDGED) in the baseline and ``status`` now."""
    before = [{"url": PAGE, "status": 200, "sha256": JUDGED}]
    now: dict[str, object] = {"url": PAGE, "status": status, "sha256": NOW if status else None}
    if error is not None:
        now["error"] = error
    return page_changes(before, [now]).gone


@pytest.mark.parametrize("status", [404, 410])
def test_control_a_page_answering_404_or_410_now_is_gone(status: int) -> None:
    assert _pages(status) == (PageChange(PAGE, 200, status, JUDGED, NOW),)


@pytest.mark.parametrize("status", [500, 503, None])
def test_control_a_fault_now_is_not_a_page_gone(status: int | None) -> None:
    assert _pages(status, None if status else "timed out") == ()


def test_control_the_requirement_on_a_withdrawn_page_that_errs_is_only_attention() -> None:
    # What a check says of a page answering 403 ("error: ... answered another status",
    # plugins/landing_page.py) is never a regression: the page list must say it.
    assert change_kind(Status.PASS, Status.ERROR) == ChangeKind.ATTENTION


@pytest.mark.parametrize("status", [401, 403, 451])
def test_a_page_withdrawn_behind_401_403_or_451_is_gone(status: int) -> None:
    assert _pages(status) == (PageChange(PAGE, 200, status, JUDGED, NOW),)


# A staff decision carried onto a verdict the machine changed. A decision carries "while
# its evidence holds" (docs/recheck.md): the same pages with the same answers, the same
# statements. What the machine concluded from that evidence was not compared. A reviewer
# passed case-studies when the tool left it needs_review (one customer counted, one the
# tool could not confirm: two needed). The renewal runs the policy's next edition, which
# asks for three (the tool now says fail on the very same pages), or the check stops
# before it finishes (error). The evidence holds, so the pass is carried, and the
# effective status stays pass: a requirement the machine fails now is shown unchanged,
# and a reviewer's judgement of "needs review under two customers" is silently applied
# to "fail under three". Fixed: a decision carries only while the requirement reads the
# same (its published text) and the machine's own verdict is the same; the strict xfail
# is a passing test.
CASE_PAGE = "http://acme.test/customers/globex"
CASE_EVIDENCE = (
    Evidence("fetch", f"GET {CASE_PAGE}", url=CASE_PAGE, sha256=JUDGED, data={"status": 200}),
    Evidence("case-study", "names Globex and its outcome", url=CASE_PAGE, sha256=JUDGED),
    Evidence("statement", "the applicant's statement (case_studies[1])", excerpt="Initech"),
)
TWO = "Two customer case studies published on the applicant's site."
STAFF_PASS = decision(requirement="case-studies", reason="Initech confirmed it by mail")


def _case_report(status: str, text: str = TWO) -> Report:
    return Report(
        requirements=(
            ReportedRequirement(
                id="case-studies", text=text, raw_status=status, evidence=CASE_EVIDENCE
            ),
        )
    )


def _renewal(status: str, text: str = TWO) -> tuple[CarryRecord, str | None]:
    """The record of STAFF_PASS at a renewal whose verdict is ``status`` on the same
    evidence, and the kind of change staff are shown for case-studies."""
    then, now = _case_report("needs_review"), _case_report(status, text)
    got = carry_decisions(then, OLD_SHA, [STAFF_PASS], now, NEW_SHA, AS_OF, "old/partners/a")
    before = review_view(then, [STAFF_PASS], AS_OF, OLD_SHA)["effective"]
    after = review_view(now, list(got.carried), AS_OF, NEW_SHA)["effective"]
    changes = requirement_changes(before, after)
    (record,) = got.records
    return record, changes[0].kind if changes else None


def test_control_a_decision_on_the_same_verdict_and_evidence_carries() -> None:
    record, kind = _renewal("needs_review")
    assert (record.carried, record.reason, kind) == (True, None, None)


def test_control_a_decision_whose_evidence_changed_stops_and_the_fail_is_a_regression() -> None:
    then = _case_report("needs_review")
    now = replace(
        _case_report("fail"),
        requirements=(replace(_case_report("fail").requirements[0], evidence=CASE_EVIDENCE[2:]),),
    )
    got = carry_decisions(then, OLD_SHA, [STAFF_PASS], now, NEW_SHA, AS_OF, "old")
    assert (got.carried, got.records[0].reason) == ((), EVIDENCE_CHANGED)
    assert got.records[0].detail == f"{CASE_PAGE} was not fetched for it now"
    before = review_view(then, [STAFF_PASS], AS_OF, OLD_SHA)["effective"]
    after = review_view(now, [], AS_OF, NEW_SHA)["effective"]
    (change,) = requirement_changes(before, after)
    assert (change.before, change.after, change.kind) == ("pass", "fail", ChangeKind.REGRESSION)


@pytest.mark.parametrize(
    ("status", "kind"),
    [("fail", ChangeKind.REGRESSION), ("error", ChangeKind.ATTENTION)],
    ids=["fails now", "errs now"],
)
def test_a_decision_does_not_carry_onto_another_verdict_on_the_same_evidence(
    status: str, kind: ChangeKind
) -> None:
    record, shown = _renewal(status)
    assert (record.carried, record.reason) == (False, EVIDENCE_CHANGED)
    assert record.detail == f"the tool's verdict changed (needs_review then; {status} now)"
    assert shown == kind


def test_a_decision_does_not_carry_onto_a_requirement_that_reads_otherwise() -> None:
    three = "Three customer case studies published on the applicant's site."
    record, shown = _renewal("needs_review", three)
    assert (record.carried, record.reason) == (False, EVIDENCE_CHANGED)
    assert record.detail == "the requirement reads differently now (its published text)"
    assert shown == ChangeKind.ATTENTION
