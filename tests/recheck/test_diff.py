"""The diff of a baseline with this run: every change kind of CONTRACT.md, partners
added and removed, and pages changed, gone and new from two bundles' exchanges."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from verifier.errors import BundleError
from verifier.recheck.diff import (
    bundle_page_changes,
    change_kind,
    diff_partners,
    page_changes,
    partner_changes,
    requirement_changes,
)
from verifier.recheck.model import (
    Change,
    PageChange,
    PartnerResult,
    RecheckRun,
    RecheckSummary,
    RosterRef,
)
from verifier.report.model import ToolRef

TOOL = ToolRef("finops-verifier", "0")
A, B, C = "a" * 64, "b" * 64, "c" * 64
ROSTER = RosterRef("roster.yaml", A)
RUN = RecheckRun("2026-11-30T00:00:00Z", "2026-11-30T00:01:00Z", "2026-11-30")

KINDS = [
    ("pass", "fail", "regression", "a pass that now fails is a regression"),
    ("pass", "needs_review", "attention", "a pass that now needs review needs attention"),
    ("pass", "error", "attention", "a pass that now errs needs attention, a fault is no fail"),
    ("fail", "pass", "improvement", "a fail that now passes is an improvement"),
    ("needs_review", "pass", "improvement", "a needs_review that now passes improved"),
    ("error", "pass", "improvement", "an error that now passes improved"),
    ("fail", "needs_review", "changed", "a fail that now needs review changed"),
    ("fail", "error", "changed", "a fail that now errs changed, it is no regression"),
    ("needs_review", "fail", "changed", "a needs_review that now fails changed"),
    ("error", "fail", "changed", "an error that now fails changed"),
    ("pass", "not_applicable", "changed", "a pass that no longer applies changed"),
    ("not_applicable", "pass", "changed", "a requirement that now applies and passes changed"),
    ("pass", "brand-new-status", "changed", "a status this version does not know changed"),
    (None, "pass", "new", "a requirement absent from the baseline is new"),
    (None, "fail", "new", "a new requirement that fails is new, not a regression"),
    ("pass", None, "removed", "a requirement of the baseline gone now is removed"),
    ("pass", "pass", None, "no change is no change"),
    ("fail", "fail", None, "a fail that still fails is no change"),
]


@pytest.mark.parametrize(
    ("before", "after", "kind"), [k[:3] for k in KINDS], ids=[k[3] for k in KINDS]
)
def test_each_change_of_status_has_its_kind(
    before: str | None, after: str | None, kind: str | None
) -> None:
    got = change_kind(before, after)
    assert (got.value if got else None) == kind


def test_requirement_changes_list_new_order_then_removed_ones() -> None:
    before = {"membership": "pass", "offering": "pass", "community": "fail", "old": "pass"}
    after = {"offering": "fail", "membership": "pass", "community": "pass", "added": "error"}
    assert requirement_changes(before, after) == (
        Change("offering", "pass", "fail", "regression"),
        Change("community", "fail", "pass", "improvement"),
        Change("added", None, "error", "new"),
        Change("old", "pass", None, "removed"),
    )


def partner(pid: str, outcome: str | None = "pass", **kw: object) -> PartnerResult:
    reqs = kw.pop("requirements", {"membership": "pass"} if outcome is not None else {})
    return PartnerResult(
        id=pid, name=f"{pid} Inc.", tier="t", outcome=outcome, requirements=reqs, **kw
    )  # type: ignore[arg-type]


def test_a_partner_whose_submission_is_now_invalid_is_one_partner_level_change() -> None:
    # Its requirements are not "removed": the partner could not be verified.
    broken = partner("acme", "error", requirements={}, error="acme.yaml has 1 problem")
    assert partner_changes(partner("acme"), broken) == (Change(None, "pass", "error", "attention"),)
    assert partner_changes(broken, partner("acme")) == (
        Change(None, "error", "pass", "improvement"),
    )
    assert partner_changes(broken, broken) == ()


def test_diff_names_added_removed_and_changed_partners_and_nothing_else() -> None:
    baseline = RecheckSummary.summarise(
        [
            partner("acme", "pass", requirements={"membership": "pass", "offering": "pass"}),
            partner("globex", "pass"),
            partner("gone", "fail", renewal_due="2027-01-01"),
            partner("skipped", "pass"),
            PartnerResult(id="removed-earlier", outcome=None),
        ],
        tool=TOOL,
        run=RUN,
        roster=ROSTER,
    )
    current = [
        partner("acme", "fail", requirements={"membership": "pass", "offering": "fail"}),
        partner("globex", "pass"),
        partner("newco", "needs_review"),
    ]
    out = diff_partners(baseline, current, skipped={"skipped"})
    assert [p.id for p in out] == ["acme", "globex", "newco", "gone"]
    changes = {p.id: p.changes for p in out}
    assert changes == {
        "acme": (Change("offering", "pass", "fail", "regression"),),
        "globex": (),
        "newco": (Change(None, None, "needs_review", "new"),),
        "gone": (Change(None, "fail", None, "removed"),),
    }
    gone = out[-1]
    assert (gone.outcome, gone.bundle, gone.name, gone.renewal_due) == (
        None,
        None,
        "gone Inc.",
        "2027-01-01",
    )
    summary = RecheckSummary.summarise(out, tool=TOOL, run=RUN, roster=ROSTER)
    # A removed partner is listed but not counted.
    assert summary.counts == {
        "partners": 3,
        "pass": 1,
        "fail": 1,
        "needs_review": 1,
        "error": 0,
        "regressions": 1,
    }
    assert summary.outcome == "fail"


def exchange(url: str, status: int | None, sha: str | None, **extra: object) -> dict[str, object]:
    return {"url": url, "status": status, "sha256": sha, **extra}


def test_pages_changed_gone_and_new_and_nothing_else() -> None:
    before = [
        exchange("http://x.test/same", 200, A),
        exchange("http://x.test/edited", 200, A),
        exchange("http://x.test/removed", 200, A),
        exchange("http://x.test/withdrawn", 200, B),
        exchange("http://x.test/down", 200, A),
        exchange("http://x.test/was-missing", 404, C),
        exchange("http://x.test/not-asked-now", 200, A),
        exchange("http://x.test/robots.txt", 200, A, purpose="robots"),
    ]
    after = [
        exchange("http://x.test/same", 200, A),
        exchange("http://x.test/edited", 200, B),
        exchange("http://x.test/removed", 404, C),
        exchange("http://x.test/withdrawn", 410, C),
        exchange("http://x.test/down", None, None, error="timed out"),
        exchange("http://x.test/was-missing", 404, C),
        exchange("http://x.test/fresh", 200, C),
        exchange("http://x.test/fresh-but-broken", 500, None),
        exchange("http://x.test/robots.txt", 200, B, purpose="robots"),
    ]
    pages = page_changes(before, after)
    assert pages.changed == (PageChange("http://x.test/edited", 200, 200, A, B),)
    assert pages.gone == (
        PageChange("http://x.test/removed", 200, 404, A, C),
        PageChange("http://x.test/withdrawn", 200, 410, B, C),
    )
    assert pages.new == (PageChange("http://x.test/fresh", None, 200, None, C),)


def test_a_hostile_index_is_read_safely_or_refused(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    for root, sha in ((old, A), (new, B)):
        (root / "captures").mkdir(parents=True)
        exchanges = [
            exchange("http://x.test/", 200, sha),
            "not an exchange",
            {"url": ["not", "text"], "status": 200},
            {"url": "http://x.test/odd", "status": True, "sha256": 5},
        ]
        (root / "captures" / "index.json").write_text(json.dumps({"exchanges": exchanges}))
    pages = bundle_page_changes(old, new)
    assert pages.changed == (PageChange("http://x.test/", 200, 200, A, B),)
    assert not pages.gone
    assert not pages.new
    # A link is never followed: a baseline may come from anyone.
    (new / "captures" / "index.json").unlink()
    os.symlink(old / "captures" / "index.json", new / "captures" / "index.json")
    with pytest.raises(BundleError, match="symbolic link"):
        bundle_page_changes(old, new)
    (new / "captures" / "index.json").unlink()
    (new / "captures" / "index.json").write_text("[1, 2]")
    with pytest.raises(BundleError, match="holds no list of exchanges"):
        bundle_page_changes(old, new)
