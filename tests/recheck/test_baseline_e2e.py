"""Issue 10, end to end through the command line: a re-check of the four demo applicants,
the world changed (tests/recheck/world.py), a second re-check with ``--baseline``.

- the diff names exactly the changes made to the world, and no others, with CONTRACT.md's
  kinds and exit code;
- a review decision recorded on the baseline's bundle carries into the new bundle while
  its evidence holds, and is listed as not carried when a capture it cited changed or it
  expired on the as-of date.

The first test needs no `recheck` command: it shows, with `verify` and the diff's pure
comparisons, that the changed world changes what world.py says and nothing else, so the
re-check tests below test the command and not the fixture.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from verifier.bundle.check import check_bundle, load_report
from verifier.bundle.decisions import load_decisions
from verifier.cli.main import main
from verifier.recheck.diff import bundle_page_changes, requirement_changes
from verifier.report.markdown import md_text
from verifier.run.review import append_decision
from verifier.sites import SiteServer, serve_sites

from ..helpers import offline_args
from .world import (
    AS_OF,
    BASELINE_ROSTER,
    CHANGED_ROSTER,
    CONTENT_CHANGED,
    EXPIRED_CERTIFICATES,
    LANDING_GONE,
    LATER,
    REGISTRY,
    SITES,
    build_changed_world,
    urls,
    write_roster,
)

REGISTRY_PAGES = {REGISTRY.format(cid) for cid in EXPIRED_CERTIFICATES}

EXPECTED_CHANGES: dict[str, list[dict[str, str | None]]] = {
    # The landing page names the offering: gone, the offering is not shown.
    "stratus": [
        {"requirement": "offering", "before": "pass", "after": "fail", "kind": "regression"}
    ],
    # Three certificates submitted, none valid on the as-of date.
    "openlens": [
        {"requirement": "practitioners", "before": "pass", "after": "fail", "kind": "regression"}
    ],
    "learnfinops": [],
    "initech": [{"requirement": None, "before": None, "after": "fail", "kind": "new"}],
    "acme": [{"requirement": None, "before": "pass", "after": None, "kind": "removed"}],
}
"""Per partner, what the changed world changes in recheck.json (no decisions recorded)."""
EXPECTED_PAGES: dict[str, dict[str, set[str]]] = {
    "stratus": {"changed": {CONTENT_CHANGED}, "gone": {LANDING_GONE}, "new": set()},
    "openlens": {"changed": REGISTRY_PAGES, "gone": set(), "new": set()},
    "learnfinops": {"changed": set(), "gone": set(), "new": set()},
}
"""Per partner on both rosters, its pages changed, gone and new."""

DIRECTORY_HOSTS = ("www.finops.example", "www.linuxfoundation.example")
"""The hosts of the shared directories of fixtures/sources.yaml."""


def _verify(submission: Path, out: Path, server: SiteServer, as_of: dt.date) -> int:
    return main(
        [
            "verify",
            str(submission),
            "--out",
            str(out),
            *offline_args(server, as_of.isoformat()),
        ]
    )


def _statuses(bundle: Path) -> dict[str, str]:
    return {str(r.id): r.status.value for r in load_report(bundle).requirements}


def test_the_changed_world_changes_what_world_py_says_and_nothing_else(tmp_path: Path) -> None:
    """Each partner of both rosters verified alone in the two worlds: the machine's
    statuses and the pages differ exactly where the world was changed."""
    changed = build_changed_world(tmp_path / "sites")
    both = [pid for pid in BASELINE_ROSTER if pid in CHANGED_ROSTER]
    with serve_sites(SITES) as server:
        for pid in both:
            # A fail or a needs_review is 1 or 3; 2 would be a usage error.
            assert _verify(BASELINE_ROSTER[pid], tmp_path / "a" / pid, server, AS_OF) in (0, 1, 3)
    with serve_sites(changed) as server:
        for pid in both:
            assert _verify(CHANGED_ROSTER[pid], tmp_path / "b" / pid, server, LATER) in (0, 1, 3)

    for pid in both:
        before, after = tmp_path / "a" / pid, tmp_path / "b" / pid
        changes = [c.to_json() for c in requirement_changes(_statuses(before), _statuses(after))]
        assert changes == EXPECTED_CHANGES[pid], pid
        pages = bundle_page_changes(before, after)
        got = {
            "changed": urls(p.to_json() for p in pages.changed),
            "gone": urls(p.to_json() for p in pages.gone),
            "new": urls(p.to_json() for p in pages.new),
        }
        assert got == EXPECTED_PAGES[pid], pid
        gone = {p.url: p.after_status for p in pages.gone}
        assert gone == {u: 404 for u in EXPECTED_PAGES[pid]["gone"]}


# --- The re-check command, run twice --------------------------------------------------


def _recheck(roster: Path, out: Path, server: SiteServer, as_of: dt.date, *extra: str) -> int:
    return main(
        [
            "recheck",
            str(roster),
            "--out",
            str(out),
            *extra,
            *offline_args(server, as_of.isoformat()),
        ]
    )


def _summary(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "recheck.json").read_text(encoding="utf-8"))
    assert data["schema"] == "finops-verifier/recheck/v1"
    return data


def _by_id(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["id"]: p for p in summary["partners"]}


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Counter[tuple[str, str]]]:
    """Run 1: the four demo applicants in the world as it is: its folder (not to modify)
    and the requests the sites' server answered, by (host, path)."""
    root = tmp_path_factory.mktemp("baseline")
    roster = write_roster(root / "roster", BASELINE_ROSTER)
    with serve_sites(SITES) as server:
        code = _recheck(roster, root / "run1", server, AS_OF)
        requests = Counter(server.requests)
    # Three demo applicants need a person's review (their attestations): CONTRACT's 3.
    assert code == 3
    return root / "run1", requests


@pytest.fixture(scope="module")
def baseline(first_run: tuple[Path, Counter[tuple[str, str]]]) -> Path:
    """Run 1's folder, the baseline of the second run."""
    return first_run[0]


@pytest.fixture(scope="module")
def changed_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteServer]:
    """The sites a quarter later (world.py), served on 127.0.0.1."""
    sites = build_changed_world(tmp_path_factory.mktemp("world") / "sites")
    with serve_sites(sites) as server:
        yield server


def test_first_run_writes_the_contract_folder_with_every_partner_and_no_changes(
    baseline: Path,
) -> None:
    summary = _summary(baseline)
    assert summary["baseline"] is None
    assert [p["id"] for p in summary["partners"]] == list(BASELINE_ROSTER)
    for p in summary["partners"]:
        assert p["changes"] == []
        assert p["bundle"] == f"partners/{p['id']}"
        check = check_bundle(baseline / p["bundle"])
        assert check.ok, check.describe()
    assert (baseline / "SHA256SUMS").is_file()


def test_first_run_asks_each_shared_directory_page_once(
    first_run: tuple[Path, Counter[tuple[str, str]]],
) -> None:
    """Every applicant's membership check reads the Foundation's and the Linux
    Foundation's member directories: one request per page for the whole run."""
    _, requests = first_run
    directory = {k: n for k, n in requests.items() if k[0] in DIRECTORY_HOSTS}
    assert ("www.finops.example", "/members/") in directory
    assert ("www.linuxfoundation.example", "/about/members") in directory
    assert all(n == 1 for n in directory.values()), directory


def test_second_run_names_exactly_the_changes_of_the_world(
    baseline: Path, changed_world: SiteServer, tmp_path: Path
) -> None:
    roster = write_roster(tmp_path / "roster", CHANGED_ROSTER)
    code = _recheck(roster, tmp_path / "run2", changed_world, LATER, "--baseline", str(baseline))
    summary = _summary(tmp_path / "run2")

    # Partners fail now (two regressions, Initech's own application): CONTRACT's 1.
    assert code == 1
    assert summary["outcome"] == "fail"
    assert Path(summary["baseline"]["path"]).resolve() == baseline.resolve()
    # The roster's partners in order, then the one removed since the baseline.
    assert [p["id"] for p in summary["partners"]] == [*CHANGED_ROSTER, "acme"]
    partners = _by_id(summary)
    assert {pid: p["changes"] for pid, p in partners.items()} == EXPECTED_CHANGES
    assert summary["counts"]["partners"] == len(CHANGED_ROSTER)  # acme is not re-checked
    assert summary["counts"]["regressions"] == 2

    removed = partners["acme"]
    assert removed["outcome"] is None
    assert removed["bundle"] is None
    for pid, pages in EXPECTED_PAGES.items():
        got = partners[pid]["pages"]
        assert {k: urls(got[k]) for k in ("changed", "gone", "new")} == pages, pid
    (gone,) = partners["stratus"]["pages"]["gone"]
    assert (gone["before_status"], gone["after_status"]) == (200, 404)
    for pid in CHANGED_ROSTER:
        check = check_bundle(tmp_path / "run2" / "partners" / pid)
        assert check.ok, check.describe()


# --- Staff decisions carried over -----------------------------------------------------

DECISIONS = {
    # Statements of the submission only: they read the same, so it carries.
    ("openlens", "specialization"): None,
    # Hooli's blog page is the same: it carries.
    ("learnfinops", "training-capability"): None,
    # It cited Stratus' enterprise page, whose content changed: not carried.
    ("stratus", "enterprise-model"): None,
    # Its last day is the baseline's as-of date; the second run is a day later: expired.
    ("learnfinops", "exam-reseller"): AS_OF,
}
"""(partner, requirement) -> the decision's expiry (None: none)."""


def _review(bundle: Path, requirement: str, expires: dt.date | None) -> None:
    """Record a staff pass on ``requirement`` of ``bundle``, as a reviewer does."""
    reason = f"read {requirement} against its checklist"
    if expires is None:
        args = ["review", str(bundle), "--requirement", requirement, "--decision", "pass"]
        args += ["--reviewer", "J. Smith", "--reason", reason]
        assert main(args) == 0, (bundle, requirement)
        return
    # `review` refuses an expiry before today's real date, and a test must not depend on
    # today: the decision that expires is recorded on the day the baseline ran, through
    # the function `review` calls, with that day as its clock.
    append_decision(
        bundle,
        requirement=requirement,
        decision="pass",
        reviewer="J. Smith",
        reason=reason,
        expires=expires,
        now=dt.datetime.combine(AS_OF, dt.time(9, 0), tzinfo=dt.UTC),
    )


@pytest.fixture(scope="module")
def carried_run(
    baseline: Path, changed_world: SiteServer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """A copy of the baseline with staff decisions recorded on its bundles, and a second
    run against it in the changed world: (reviewed baseline, second run)."""
    root = tmp_path_factory.mktemp("carry")
    reviewed = root / "run1"
    shutil.copytree(baseline, reviewed)
    for (pid, requirement), expires in DECISIONS.items():
        _review(reviewed / "partners" / pid, requirement, expires)
    roster = write_roster(root / "roster", CHANGED_ROSTER)
    code = _recheck(roster, root / "run2", changed_world, LATER, "--baseline", str(reviewed))
    assert code == 1  # the two regressions still fail
    return reviewed, root / "run2"


def test_a_decision_whose_evidence_holds_is_carried_into_the_new_bundle(
    carried_run: tuple[Path, Path],
) -> None:
    reviewed, run2 = carried_run
    partners = _by_id(_summary(run2))
    held = (("openlens", "specialization"), ("learnfinops", "training-capability"))
    for pid, requirement in held:
        bundle = run2 / "partners" / pid
        new_sha = partners[pid]["report_sha256"]
        old_sha = _summary_sha(reviewed, pid)
        # The line in the new review.jsonl: the original decision, referring to the new
        # report.json, marked as carried from the baseline bundle.
        (line,) = _review_lines(bundle, requirement)
        assert line["decision"] == "pass"
        assert line["reviewer"] == "J. Smith"
        assert line["reason"] == f"read {requirement} against its checklist"
        assert line["expires"] is None
        assert line["report_sha256"] == new_sha
        assert line["carried"]["report_sha256"] == old_sha
        assert line["carried"]["as_of"] == LATER.isoformat()
        assert Path(line["carried"]["bundle"]).resolve() == (reviewed / "partners" / pid).resolve()
        (original,) = _review_lines(reviewed / "partners" / pid, requirement)
        assert line["decided_at"] == original["decided_at"]
        # It counts: the machine says needs_review, the effective status is pass.
        assert _statuses(bundle)[requirement] == "needs_review"
        assert partners[pid]["requirements"][requirement] == "pass"
        (record,) = [d for d in partners[pid]["decisions"] if d["requirement"] == requirement]
        assert record["carried"] is True
        assert record["reason"] is None
        # ... and the bundle with the carried line is intact.
        check = check_bundle(bundle)
        assert check.ok, check.describe()
        decisions, problems = load_decisions(bundle)
        assert problems == []
        assert [d.requirement for d in decisions if d.report_sha256 == new_sha] == [requirement]


def test_a_decision_is_not_carried_when_a_cited_capture_changed_or_it_expired(
    carried_run: tuple[Path, Path],
) -> None:
    _, run2 = carried_run
    partners = _by_id(_summary(run2))
    cases = (
        ("stratus", "enterprise-model", "evidence changed", CONTENT_CHANGED),
        ("learnfinops", "exam-reseller", "expired", AS_OF.isoformat()),
    )
    for pid, requirement, reason, named in cases:
        (record,) = [d for d in partners[pid]["decisions"] if d["requirement"] == requirement]
        assert record["carried"] is False
        assert record["reason"] == reason
        assert named in record["detail"]  # the page that changed, the last day it counted
        assert record["reviewer"] == "J. Smith"
        # Not in the new bundle's review.jsonl; the machine's verdict stands, for a person.
        bundle = run2 / "partners" / pid
        assert _review_lines(bundle, requirement) == []
        assert partners[pid]["requirements"][requirement] == "needs_review"
        check = check_bundle(bundle)
        assert check.ok, check.describe()
        # The people's view says so, for a person to look again.
        md = (run2 / "recheck.md").read_text(encoding="utf-8")
        assert f"decision on {md_text(requirement)} not carried over: {md_text(reason)}" in md


def test_the_diff_compares_the_status_a_staff_decision_gave_in_the_baseline(
    carried_run: tuple[Path, Path],
) -> None:
    """A requirement passed by a staff decision in the baseline passed there (issue 10:
    "passed, by the machine or by a staff decision"). Carried, it is no change; not
    carried, it needs attention, never a regression; the world's changes stay as they are."""
    _, run2 = carried_run
    partners = _by_id(_summary(run2))

    def attention(requirement: str) -> dict[str, str | None]:
        return {
            "requirement": requirement,
            "before": "pass",
            "after": "needs_review",
            "kind": "attention",
        }

    expected = {
        **EXPECTED_CHANGES,
        "stratus": [*EXPECTED_CHANGES["stratus"], attention("enterprise-model")],
        "learnfinops": [attention("exam-reseller")],
    }
    assert {pid: p["changes"] for pid, p in partners.items()} == expected


def _summary_sha(folder: Path, pid: str) -> str:
    return str(_by_id(_summary(folder))[pid]["report_sha256"])


def _review_lines(bundle: Path, requirement: str) -> list[dict[str, Any]]:
    """The lines of ``bundle``'s review.jsonl on ``requirement``, parsed (none when the
    bundle has no review.jsonl)."""
    review = bundle / "review.jsonl"
    if not review.exists():
        return []
    lines = [json.loads(x) for x in review.read_text(encoding="utf-8").splitlines()]
    return [x for x in lines if isinstance(x, dict) and x.get("requirement") == requirement]
