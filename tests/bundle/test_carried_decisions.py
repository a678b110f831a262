"""A decision carried into a new bundle is one that bundle's readers accept: v1 readers
parse it, it counts in report.html, and `bundle check` passes."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from verifier.bundle.check import check_bundle, load_report, write_manifest
from verifier.bundle.decisions import REVIEW_FILE, load_decisions, report_sha256
from verifier.recheck.carry import CarriedFrom, carried_line, carry_decisions
from verifier.report import write_derived
from verifier.run.review import append_decision


def test_a_carried_decision_counts_in_the_new_bundle_and_it_passes_bundle_check(
    demo_master: Path, tmp_path: Path
) -> None:
    master = demo_master.parent / "service-provider"
    baseline, fresh = tmp_path / "old" / "acme", tmp_path / "new" / "acme"
    shutil.copytree(master, baseline)
    shutil.copytree(master, fresh)
    append_decision(
        baseline,
        requirement="enterprise-model",
        decision="pass",
        reviewer="Jo <b>Staff</b>",
        reason="read the support contract",
        expires=dt.date(2027, 1, 31),
        now=dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC),
    )
    decisions, _ = load_decisions(baseline)
    got = carry_decisions(
        load_report(baseline),
        report_sha256(baseline),
        decisions,
        load_report(fresh),
        report_sha256(fresh),
        dt.date(2026, 11, 30),
        str(baseline),
    )
    assert [(r.requirement, r.carried) for r in got.records] == [("enterprise-model", True)]
    origin = CarriedFrom(str(baseline), report_sha256(baseline), "2026-11-30")
    (fresh / REVIEW_FILE).write_bytes(b"".join(carried_line(d, origin) for d in got.carried))
    report = load_report(fresh)
    write_derived((fresh / "report.json").read_bytes(), fresh, report.run.formats)
    write_manifest(fresh)

    result = check_bundle(fresh)
    assert result.ok, result.describe()
    html = (fresh / "report.html").read_text(encoding="utf-8")
    assert "read the support contract" in html
    assert "Jo &lt;b&gt;Staff&lt;/b&gt;" in html
    assert "2027-01-31" in html
