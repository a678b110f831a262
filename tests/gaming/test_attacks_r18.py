"""A hostile applicant and reviewer, round r18: this session's changes (issue 10).

1. **A page answered 304 in a worker process** (every partner an error): ``recheck
   --baseline ... --workers 2`` (what ``--workers auto`` gives a roster of 16 partners or
   more on two cores: a scheduled renewal re-check) sent each page to a worker as its
   fields and rebuilt it there as a plain ``Page``. A page the server answered 304 Not
   Modified is a ``RevalidatedPage``, whose ``revalidated`` field a ``Page`` has not:
   ``Page(**fields)`` raised ``TypeError`` in the worker for every page of the baseline
   that was unchanged. The four demo partners re-checked against an unchanged world
   ended ``error`` on every requirement (``--workers 1``: pass / needs_review, 86 pages
   re-used), each requirement's evidence a traceback. **Fixed**: a page travels with its
   class (:mod:`verifier.run.pool`), so a worker reads the revalidated page one process
   reads, and its evidence says "unchanged since ... (HTTP 304)".

Looked for and not found (figures in the round's report): ``NameMatcher.find`` against
the old ``match_name`` on 220,000 generated pairs (unicode case folding, ligatures,
combining marks, legal suffixes, names of up to 420 letters past difflib's autojunk
length, thresholds 0, 1, 1.2, -1 and NaN): no difference; ``visible``'s fast path against
its two substitutions on every code point: none; the text view's lxml parser against
``lxml.html.document_fromstring`` on 90,000 generated bodies (comments, processing
instructions, CDATA, NUL, framesets, foreign content; UTF-8, UTF-16, a BOM): the same text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import html_page
from tests.recheck.test_conditional_e2e import _recheck, conditional_sites
from tests.recheck.test_workers import Answers, _evidence, _run
from tests.recheck.world import BASELINE_ROSTER, SITES, write_roster
from verifier.bundle.check import check_bundle
from verifier.bundle.store import read_index
from verifier.fetch.conditional import RevalidatedPage
from verifier.run.pool import page_wire

_AGAIN = {
    "since": "2026-01-01T00:00:00Z",
    "sent": {"if-none-match": '"v1"'},
    "answered": {"etag": '"v1"'},
    "baseline": {"bundle": "b", "fetched_at": "2026-01-01T00:00:00Z", "sha256": "0" * 64},
    "weak": False,
}


def test_a_page_answered_304_reaches_a_worker_as_the_revalidated_page_it_is() -> None:
    url = "http://page.test/members"
    plain = html_page("<html><body><p>Acme Cloud</p></body></html>", url)
    page = RevalidatedPage(**page_wire(plain), revalidated=_AGAIN)

    (answer,), _ = _run(Answers({url: page}), [("get", url)])

    kind, wire, visible, _notes, _side = answer
    assert kind == "page"
    assert wire["revalidated"] == _AGAIN  # the worker's page is the revalidated one
    assert {k: v for k, v in wire.items() if k != "notes"} == {
        k: v for k, v in page_wire(page).items() if k != "notes"
    }
    assert "Acme Cloud" in visible


def _partners(out: Path) -> list[tuple[Any, ...]]:
    summary = json.loads((out / "recheck.json").read_text())
    return [
        (p["id"], p["outcome"], p["requirements"], p["not_modified"], p["changes"])
        for p in summary["partners"]
    ]


def test_a_baseline_recheck_in_two_workers_reuses_the_304s_one_process_reuses(
    tmp_path: Path,
) -> None:
    ids = ("acme", "stratus")
    roster = write_roster(tmp_path / "roster", {pid: BASELINE_ROSTER[pid] for pid in ids})
    with conditional_sites(SITES) as (server, conditional):
        first = _recheck(roster, tmp_path / "run1", server, "--workers", "1")
        baseline = ("--baseline", str(tmp_path / "run1"))
        one = _recheck(roster, tmp_path / "one", server, *baseline, "--workers", "1")
        two = _recheck(roster, tmp_path / "two", server, *baseline, "--workers", "2")
        answered_304 = [a for a in conditional.asked if a.status == 304]

    assert answered_304
    assert two == one == first
    assert _partners(tmp_path / "two") == _partners(tmp_path / "one")
    for pid, outcome, requirements, not_modified, changes in _partners(tmp_path / "two"):
        assert outcome != "error", pid
        assert "error" not in requirements.values(), (pid, requirements)
        assert not_modified > 0, pid
        assert changes == [], pid
        bundle = tmp_path / "two" / "partners" / pid
        assert check_bundle(bundle).ok
        assert _evidence(bundle) == _evidence(tmp_path / "one" / "partners" / pid), pid
        assert any(e.get("revalidated") for e in read_index(bundle)), pid
        report = json.loads((bundle / "report.json").read_text())
        details = [e["detail"] for r in report["requirements"] for e in r["evidence"]]
        assert any("(HTTP 304)" in d for d in details), pid
        assert not any("Traceback" in d or "TypeError" in d for d in details), pid
