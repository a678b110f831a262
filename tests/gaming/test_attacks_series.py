"""A hostile applicant against the renewal series: carried decisions, 304s, shards, history.

**A carried staff decision on a page the applicant changed.** A reviewer's decision on a
requirement carries into the renewal bundle only while "every capture its baseline
evidence cited has the same SHA-256 at the same URL" (verifier/recheck/carry.py). The
comparison was made on the text shown for it, ``sha256 <first 12 hex digits>…``: 48
bits. An applicant who controls its page finds, offline, two versions of it whose
SHA-256 share those 12 digits (a birthday search: about 2**24 hashes each, seconds on a
laptop; the pair below was found so, by varying an HTML comment). It serves the first at
the baseline, where staff judge it and record a decision (say ``pass`` on a requirement
the tool left ``needs_review``), and the second at the renewal: the tool captures other
bytes, and the decision carried over as if the evidence it judged held. Fixed: captures
are compared by their whole SHA-256 (shown by 12 digits, or whole when those agree); the
strict xfail is a passing test.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest
import respx

from tests.fetch.test_conditional import URL as PAGE
from tests.fetch.test_conditional import _book, _bundle, _fault, _get
from tests.recheck.test_carry import AS_OF, NEW_SHA, OLD_SHA, decision, report
from verifier.fetch.conditional import ConditionalBook, RevalidatedPage
from verifier.models import Evidence
from verifier.recheck.carry import EVIDENCE_CHANGED, carry_decisions
from verifier.report.model import Report

URL = "http://acme.test/case-studies"
_HEAD = "<html><head><title>Case studies</title></head><body><h1>Case studies</h1>"
_TAIL = " -->\n</body></html>\n"
JUDGED = (
    f"{_HEAD}<p>Acme Corp cut its cloud bill by 30% with our FinOps practice.</p>"
    f"<!-- 0087ffcf{_TAIL}"
).encode()
"""What the applicant served at the baseline, which staff judged."""
SERVED_NOW = f"{_HEAD}<p>No case studies yet.</p><!-- 00178ec8{_TAIL}".encode()
"""What it serves at the renewal: another page, whose SHA-256 starts as JUDGED's does."""
OTHER = f"{_HEAD}<p>No case studies yet.</p>{_TAIL}".encode()


def _report(body: bytes) -> Report:
    """A report whose requirement ``model`` rests on ``body``, captured at URL."""
    sha = hashlib.sha256(body).hexdigest()
    fetched = Evidence("fetch", f"GET {URL}", url=URL, sha256=sha, data={"status": 200})
    return report(("model", "needs_review", (fetched,)))


def _carried(now: bytes) -> tuple[bool, str | None, str | None]:
    made = decision(reason="read the case study")  # a pass on model, on OLD_SHA's report
    got = carry_decisions(_report(JUDGED), OLD_SHA, [made], _report(now), NEW_SHA, AS_OF, "b")
    (record,) = got.records
    assert bool(got.carried) == record.carried
    return record.carried, record.reason, record.detail


def test_the_two_pages_are_other_bytes_whose_sha256_share_12_hex_digits() -> None:
    judged, now = hashlib.sha256(JUDGED).hexdigest(), hashlib.sha256(SERVED_NOW).hexdigest()
    assert judged != now
    assert judged[:12] == now[:12]
    assert b"No case studies yet" in SERVED_NOW
    assert b"No case studies" not in JUDGED


def test_control_a_decision_stops_when_the_page_it_judged_changed() -> None:
    carried, reason, detail = _carried(OTHER)
    assert (carried, reason) == (False, EVIDENCE_CHANGED)
    assert detail is not None
    assert detail.startswith(f"{URL} answered otherwise (sha256 ")


def test_control_a_decision_carries_when_the_page_is_the_same() -> None:
    assert _carried(JUDGED) == (True, None, None)


def test_a_decision_does_not_carry_to_other_bytes_sharing_the_first_12_sha256_digits() -> None:
    carried, reason, detail = _carried(SERVED_NOW)
    assert (carried, reason) == (False, EVIDENCE_CHANGED)
    # The message still tells the two captures apart for the person reading it.
    assert detail is not None
    assert detail.startswith(f"{URL} answered otherwise (sha256 ")
    then, now = detail.removeprefix(f"{URL} answered otherwise (").split(" then; ")
    assert then != now.removesuffix(" now)")
    assert hashlib.sha256(SERVED_NOW).hexdigest() in now


# A shared URL whose baselines agree on bytes, status, redirects and validators, but not on
# how the bytes are read. ConditionalBook compared captures by (final URL, hops, status,
# SHA-256, validators): the Content-Type was left out, yet a 304 revives the first added
# capture with *its* headers, for every partner of the run. A page one partner's baseline
# received as application/pdf (a download, not HTML: nothing on it is read) was, on a 304,
# read as another partner's text/html: its verdict depended on the roster's order, and its
# evidence held headers its server never sent it. Fixed: the Content-Type is part of what
# the captures must share (BaselineCapture.key); the strict xfail is a passing test.
AS_BYTES = {"content-type": "application/pdf"}


def _two_baselines(tmp_path: Path, mine_first: bool) -> ConditionalBook:
    theirs = _bundle(tmp_path / "theirs")  # text/html; charset=utf-8, ETAG
    mine = _bundle(tmp_path / "mine", headers=AS_BYTES)  # the same bytes and ETAG
    return _book(mine, theirs) if mine_first else _book(theirs, mine)


def test_control_baselines_that_agree_on_the_content_type_are_asked_conditionally(
    tmp_path: Path,
) -> None:
    same = _book(
        _bundle(tmp_path / "p3", headers=AS_BYTES), _bundle(tmp_path / "p4", headers=AS_BYTES)
    )
    with respx.mock(assert_all_called=True) as router:
        router.get(PAGE).mock(httpx.Response(304))
        page, _ = _get(same)
    assert isinstance(page, RevalidatedPage)
    assert (page.content_type, page.is_html) == ("application/pdf", False)


@pytest.mark.parametrize("mine_first", [True, False], ids=["mine first", "mine last"])
def test_a_304_never_reads_bytes_with_another_partners_content_type(
    tmp_path: Path, mine_first: bool
) -> None:
    book = _two_baselines(tmp_path, mine_first)
    assert book.get(PAGE) is None, "asked with a capture whose Content-Type is another's"
    with respx.mock(assert_all_called=True) as router:
        route = router.get(PAGE).mock(httpx.Response(304))
        reason = _fault(book)
    assert "if-none-match" not in route.calls.last.request.headers
    assert reason.startswith("answered 304 Not Modified to a request that was not conditional")
