"""Staff decisions carry over only while their evidence holds: same captures at the same
URLs, the same statements, not expired on the as-of date; otherwise the reason."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest

from verifier.bundle.decisions import Decision, parse_decisions, review_view
from verifier.models import Evidence
from verifier.recheck.carry import (
    EVIDENCE_CHANGED,
    EXPIRED,
    CarriedFrom,
    carried_line,
    carry_decisions,
    counted_decisions,
)
from verifier.report.model import Report, ReportedRequirement

OLD_SHA, NEW_SHA = "1" * 64, "2" * 64
A, B, C = "a" * 64, "b" * 64, "c" * 64
AS_OF = dt.date(2026, 11, 30)


def fetch(url: str, sha: str | None) -> Evidence:
    return Evidence("fetch", f"GET {url}", url=url, sha256=sha)


def statement(text: str) -> Evidence:
    return Evidence("statement", "the applicant's statement (attestations.x)", excerpt=text)


def report(*reqs: tuple[str, str, tuple[Evidence, ...]]) -> Report:
    return Report(
        requirements=tuple(
            ReportedRequirement(id=rid, raw_status=status, evidence=ev) for rid, status, ev in reqs
        )
    )


BASE_EVIDENCE = (
    fetch("http://acme.test/enterprise", A),
    Evidence("cited-url", "it names the applicant", url="http://acme.test/enterprise", sha256=A),
    fetch("http://acme.test/flaky", None),  # a fault then: no capture was judged
    statement("24x7 support with named TAMs"),
)
BASELINE = report(("model", "needs_review", BASE_EVIDENCE), ("membership", "pass", ()))


def decision(**kw: object) -> Decision:
    fields: dict[str, object] = {
        "requirement": "model",
        "decision": "pass",
        "reviewer": "Jo Staff",
        "reason": "read the contract",
        "decided_at": "2026-06-01T10:00:00Z",
        "expires": None,
        "report_sha256": OLD_SHA,
    }
    fields.update(kw)
    return Decision(**fields)  # type: ignore[arg-type]


CASES = [
    pytest.param(BASE_EVIDENCE, decision(), None, None, id="same evidence: carried"),
    pytest.param(
        (*BASE_EVIDENCE, fetch("http://acme.test/more", C)),
        decision(),
        EVIDENCE_CHANGED,
        "it rests on http://acme.test/more now, which it did not then",
        id="evidence added since: not carried, the decision judged other evidence",
    ),
    pytest.param(
        (fetch("http://acme.test/enterprise", B), statement("24x7 support with named TAMs")),
        decision(),
        EVIDENCE_CHANGED,
        "http://acme.test/enterprise answered otherwise (sha256 aaaaaaaaaaaa… then; "
        "sha256 bbbbbbbbbbbb… now)",
        id="a cited capture changed: not carried, naming the page",
    ),
    pytest.param(
        (statement("24x7 support with named TAMs"),),
        decision(),
        EVIDENCE_CHANGED,
        "http://acme.test/enterprise was not fetched for it now",
        id="a cited page not fetched now: not carried",
    ),
    pytest.param(
        (fetch("http://acme.test/enterprise", A), statement("business hours only")),
        decision(),
        EVIDENCE_CHANGED,
        "statement: the applicant's statement (attestations.x) reads differently now",
        id="the submission's statement changed: not carried",
    ),
    pytest.param(
        BASE_EVIDENCE,
        decision(expires="2026-11-29"),
        EXPIRED,
        "its last day was 2026-11-29",
        id="expired the day before the as-of date: not carried",
    ),
    pytest.param(
        BASE_EVIDENCE,
        decision(expires="2026-11-30"),
        None,
        None,
        id="its last day is the as-of date: carried",
    ),
    pytest.param(
        (fetch("http://acme.test/enterprise", B),),
        decision(expires="2026-01-01"),
        EXPIRED,
        "its last day was 2026-01-01",
        id="expired and changed: expired is said first",
    ),
]


@pytest.mark.parametrize(("evidence", "made", "reason", "detail"), CASES)
def test_a_decision_carries_only_while_its_evidence_holds(
    evidence: tuple[Evidence, ...], made: Decision, reason: str | None, detail: str | None
) -> None:
    now = report(("model", "needs_review", evidence), ("membership", "pass", ()))
    got = carry_decisions(BASELINE, OLD_SHA, [made], now, NEW_SHA, AS_OF, "old/partners/acme")
    (record,) = got.records
    assert (record.carried, record.reason, record.detail) == (reason is None, reason, detail)
    assert (record.requirement, record.decision, record.reviewer) == ("model", "pass", "Jo Staff")
    assert (record.decided_at, record.expires) == (made.decided_at, made.expires)
    if reason is None:
        assert got.carried == (replace(made, report_sha256=NEW_SHA),)
    else:
        assert got.carried == ()


def test_a_requirement_no_longer_verified_keeps_no_decision() -> None:
    now = report(("membership", "pass", ()))
    got = carry_decisions(BASELINE, OLD_SHA, [decision()], now, NEW_SHA, AS_OF, "old")
    assert got.carried == ()
    assert (got.records[0].reason, got.records[0].detail) == (
        EVIDENCE_CHANGED,
        "the requirement is no longer verified",
    )


def test_only_the_decision_that_counted_in_the_baseline_is_considered() -> None:
    first = decision(decision="fail", reason="no contract")
    latest = decision(decided_at="2026-07-01T10:00:00Z")
    elsewhere = decision(requirement="membership", report_sha256="9" * 64)
    on_membership = decision(requirement="membership", decision="fail")
    chosen = counted_decisions([first, elsewhere, on_membership, latest], OLD_SHA)
    assert chosen == [on_membership, latest]
    got = carry_decisions(
        BASELINE,
        OLD_SHA,
        [first, elsewhere, on_membership, latest],
        BASELINE,
        NEW_SHA,
        AS_OF,
        "old",
    )
    assert [(r.requirement, r.decision, r.carried) for r in got.records] == [
        ("membership", "fail", True),
        ("model", "pass", True),
    ]


def test_a_carried_line_is_a_v1_decision_on_the_new_report_marked_with_its_origin() -> None:
    made = decision(expires="2027-01-01")
    got = carry_decisions(BASELINE, OLD_SHA, [made], BASELINE, NEW_SHA, AS_OF, "old/partners/a")
    origin = CarriedFrom("old/partners/a", OLD_SHA, AS_OF.isoformat())
    line = carried_line(got.carried[0], origin)
    fields = json.loads(line)
    assert line.endswith(b"\n")
    assert line.count(b"\n") == 1
    assert fields["schema"] == "finops-verifier/review/v1"
    assert (fields["reviewer"], fields["reason"], fields["decided_at"], fields["expires"]) == (
        "Jo Staff",
        "read the contract",
        "2026-06-01T10:00:00Z",
        "2027-01-01",
    )
    assert fields["report_sha256"] == NEW_SHA
    assert fields["carried"] == {
        "bundle": "old/partners/a",
        "report_sha256": OLD_SHA,
        "as_of": "2026-11-30",
    }
    assert CarriedFrom.from_json(fields["carried"]) == origin
    assert CarriedFrom.from_json({"bundle": 1}) is None
    # review.jsonl v1's reader reads it as the decision it is, and it counts for the
    # new report (not for the baseline's).
    decisions, problems = parse_decisions(line)
    assert problems == []
    assert decisions == [replace(made, report_sha256=NEW_SHA)]
    view = review_view(BASELINE, decisions, AS_OF, NEW_SHA)
    assert view["effective"]["model"] == "pass"
    assert view["active"] == 1
