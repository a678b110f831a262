"""recheck.json as a typed value: exactly the CONTRACT shape out, one defensive reader in."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from verifier.bundle.decisions import Decision
from verifier.bundle.store import dump_json
from verifier.errors import BundleError
from verifier.recheck.model import (
    RECHECK_SCHEMA,
    BaselineRef,
    CarryRecord,
    Change,
    PageChange,
    PageChanges,
    PartnerResult,
    RecheckRun,
    RecheckSummary,
    RosterRef,
    load_summary,
    partner_bundle,
)
from verifier.report.model import ApplicantRef, Report, ReportedRequirement, ToolRef

SHA = "0" * 64


def summary() -> RecheckSummary:
    acme = PartnerResult(
        id="acme",
        name="Acme Cloud Economics, Inc.",
        tier="platform",
        outcome="fail",
        bundle="partners/acme",
        report_sha256=SHA,
        requirements={"membership": "pass", "practitioners": "fail"},
        changes=(Change("practitioners", "pass", "fail", "regression"),),
        renewal_due="2027-05-01",
        pages=PageChanges(gone=(PageChange("http://acme.test/lens", 200, 404, SHA, None),)),
        decisions=(
            CarryRecord("community", "pass", "Jo", "2026-01-02T03:04:05Z", None, True),
            CarryRecord(
                "offering",
                "pass",
                "Jo",
                "2026-01-02T03:04:05Z",
                "2026-06-01",
                False,
                "expired",
                "its last day was 2026-06-01",
            ),
        ),
    )
    broken = PartnerResult(id="initech", outcome="error", error="initech.yaml has 1 problem")
    gone = PartnerResult(
        id="gone", name="Gone Ltd", outcome=None, changes=(Change(None, "pass", None, "removed"),)
    )
    return RecheckSummary.summarise(
        [acme, broken, gone],
        tool=ToolRef("finops-verifier", "1.2.3"),
        run=RecheckRun("2026-11-30T00:00:00Z", "2026-11-30T00:05:00Z", "2026-11-30"),
        roster=RosterRef("roster.yaml", SHA),
        baseline=BaselineRef("old/", "2026-08-30T00:00:00Z"),
    )


def test_to_json_has_every_contract_field_with_its_contract_name() -> None:
    data = summary().to_json()
    assert data["schema"] == RECHECK_SCHEMA == "finops-verifier/recheck/v1"
    assert data["tool"] == {"name": "finops-verifier", "version": "1.2.3"}
    assert data["run"] == {
        "started": "2026-11-30T00:00:00Z",
        "finished": "2026-11-30T00:05:00Z",
        "as_of": "2026-11-30",
    }
    # Added by the history (docs/history.md): the resolved path and the partner count.
    assert data["roster"] == {
        "path": "roster.yaml",
        "sha256": SHA,
        "resolved": None,
        "partners": None,
    }
    assert data["baseline"] == {"path": "old/", "started": "2026-08-30T00:00:00Z"}
    assert data["outcome"] == "fail"
    assert data["counts"] == {
        "partners": 2,
        "pass": 0,
        "fail": 1,
        "needs_review": 0,
        "error": 1,
        "regressions": 1,
    }
    acme, broken, gone = data["partners"]
    contract = {
        "id",
        "name",
        "tier",
        "outcome",
        "bundle",
        "report_sha256",
        "requirements",
        "changes",
        "error",
    }
    assert contract <= set(acme)
    assert acme["changes"] == [
        {"requirement": "practitioners", "before": "pass", "after": "fail", "kind": "regression"}
    ]
    assert acme["requirements"] == {"membership": "pass", "practitioners": "fail"}
    assert (broken["outcome"], broken["bundle"], broken["error"]) == (
        "error",
        None,
        "initech.yaml has 1 problem",
    )
    assert (gone["outcome"], gone["bundle"]) == (None, None)
    assert gone["changes"] == [
        {"requirement": None, "before": "pass", "after": None, "kind": "removed"}
    ]
    # The dump is canonical JSON (sorted keys): the file a scheduler diffs.
    assert json.loads(dump_json(data)) == data


def test_without_a_baseline_it_is_null() -> None:
    plain = RecheckSummary.summarise([], tool=ToolRef(), run=RecheckRun(), roster=RosterRef())
    assert plain.to_json()["baseline"] is None
    assert plain.outcome == "pass"
    assert plain.counts["partners"] == 0


def test_outcome_is_the_worst_partner_and_exit_codes_follow_it() -> None:
    from verifier.cli.exitcodes import ExitCode

    def outcome(*outcomes: str) -> str | None:
        partners = [PartnerResult(id=str(i), outcome=o) for i, o in enumerate(outcomes)]
        s = RecheckSummary.summarise(partners, tool=ToolRef(), run=RecheckRun(), roster=RosterRef())
        return s.outcome

    assert outcome("pass", "pass") == "pass"
    assert outcome("pass", "needs_review") == "needs_review"
    assert outcome("needs_review", "error") == "error"
    assert outcome("error", "fail", "pass") == "fail"
    assert outcome("pass", "from-the-future") == "error"
    assert [ExitCode.for_outcome(o or "") for o in ("pass", "fail", "needs_review", "error")] == [
        0,
        1,
        3,
        3,
    ]


def test_from_json_reads_back_what_to_json_wrote() -> None:
    s = summary()
    assert RecheckSummary.from_json(json.loads(dump_json(s.to_json()))) == s
    assert s.partner("acme") is s.partners[0]
    assert s.partner("nobody") is None


HOSTILE: list[tuple[str, Any]] = [
    ("partners is not a list", {"partners": "all of them"}),
    ("a partner is not an object", {"partners": [1, None, "acme"]}),
    ("requirements is a list", {"partners": [{"id": "a", "requirements": ["pass"]}]}),
    ("changes hold numbers", {"partners": [{"id": "a", "changes": [1, {"kind": 5}]}]}),
    ("pages is text", {"partners": [{"id": "a", "pages": "many"}]}),
    ("baseline is text", {"baseline": "yesterday"}),
    ("counts hold text and booleans", {"counts": {"partners": "4", "pass": True, "fail": 1}}),
    ("run is a number", {"run": 7}),
    ("an id is a number", {"partners": [{"id": 7, "outcome": ["pass"]}]}),
]


@pytest.mark.parametrize(("what", "data"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_baseline_of_the_wrong_shape_reads_what_it_can_and_never_raises(
    what: str, data: dict[str, Any]
) -> None:
    got = RecheckSummary.from_json(data)
    for p in got.partners:
        assert p.id is None or isinstance(p.id, str)
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in p.requirements.items())
        assert all(isinstance(c.kind, str) for c in p.changes)
    assert all(isinstance(v, int) and not isinstance(v, bool) for v in got.counts.values())
    if what == "counts hold text and booleans":
        assert got.counts == {"fail": 1}
    if what == "a partner is not an object":
        assert got.partners == ()
    if what == "an id is a number":
        assert got.partners[0].id == "7"  # kept as text, as report.json's reader does
        assert got.partners[0].outcome == "['pass']"
    if what == "baseline is text":
        assert got.baseline is None


def test_a_document_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(ValueError, match="does not hold a JSON object"):
        RecheckSummary.from_json([1, 2])


def _report() -> Report:
    return Report(
        applicant=ApplicantRef(name="Acme <b>Inc</b>"),
        tier="platform",
        requirements=(
            ReportedRequirement(id="membership", raw_status="pass"),
            ReportedRequirement(id="model", raw_status="needs_review"),
        ),
    )


def _decision(expires: str | None, sha: str = SHA) -> Decision:
    return Decision("model", "pass", "Jo", "because", "2026-06-01T00:00:00Z", expires, sha)


@pytest.mark.parametrize(
    ("decisions", "outcome", "model"),
    [
        ([], "needs_review", "needs_review"),
        ([_decision(None)], "pass", "pass"),
        ([_decision("2026-11-29")], "needs_review", "needs_review"),
        ([_decision(None, sha="9" * 64)], "needs_review", "needs_review"),
    ],
    ids=[
        "without a decision the machine's statuses",
        "an active decision makes the effective status",
        "an expired decision does not count",
        "a decision on another report does not count",
    ],
)
def test_a_verified_partner_records_effective_statuses(
    decisions: list[Decision], outcome: str, model: str
) -> None:
    got = PartnerResult.of_report(
        "acme", _report(), SHA, decisions, dt.date(2026, 11, 30), renewal_due=dt.date(2027, 5, 1)
    )
    assert got.outcome == outcome
    assert got.requirements == {"membership": "pass", "model": model}
    assert (got.id, got.name, got.tier, got.bundle, got.report_sha256, got.renewal_due) == (
        "acme",
        "Acme <b>Inc</b>",
        "platform",
        "partners/acme",
        SHA,
        "2027-05-01",
    )


def test_an_unverified_partner_is_an_error_with_its_message_and_no_bundle() -> None:
    got = PartnerResult.unverified("acme", "acme.yaml:3: tier: required field is missing")
    assert (got.outcome, got.error, got.bundle, dict(got.requirements)) == (
        "error",
        "acme.yaml:3: tier: required field is missing",
        None,
        {},
    )


def test_a_baseline_folder_is_read_safely(tmp_path: Path) -> None:
    (tmp_path / "recheck.json").write_bytes(dump_json(summary().to_json()))
    assert load_summary(tmp_path) == summary()
    with pytest.raises(BundleError, match=r"holds no recheck\.json: give the folder of an earlier"):
        load_summary(tmp_path / "nowhere")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(tmp_path / "recheck.json", elsewhere / "recheck.json")
    with pytest.raises(BundleError, match="symbolic link"):
        load_summary(elsewhere)
    (tmp_path / "recheck.json").write_text("[]")
    with pytest.raises(BundleError, match="does not hold a JSON object"):
        load_summary(tmp_path)
    (tmp_path / "recheck.json").write_text("{not json")
    with pytest.raises(BundleError, match="cannot be read as JSON"):
        load_summary(tmp_path)


def test_a_partner_bundle_is_found_by_its_id_never_by_the_text_a_baseline_holds(
    tmp_path: Path,
) -> None:
    ok = PartnerResult(id="acme", outcome="pass", bundle="../../../etc")
    assert partner_bundle(tmp_path, ok) == tmp_path / "partners" / "acme"
    assert partner_bundle(tmp_path, replace(ok, id="../x")) is None
    assert partner_bundle(tmp_path, replace(ok, bundle=None)) is None
