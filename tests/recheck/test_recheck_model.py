"""recheck.json as a typed value: exactly the CONTRACT shape out, one defensive reader in."""

from __future__ import annotations

import json
from typing import Any

import pytest

from verifier.bundle.store import dump_json
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
)
from verifier.report.model import ToolRef

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
    assert data["roster"] == {"path": "roster.yaml", "sha256": SHA}
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
