"""Finished re-check folders made without fetching anything: each partner's report.json
and SHA256SUMS from the typed models, then the summary written by the re-check's own
writer (recheck.json, recheck.html, recheck.md, SHA256SUMS), so the history reads what
a real run leaves, at a fraction of the cost. tests/history/test_e2e.py records real runs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from verifier.bundle.files import MANIFEST, REPORT_JSON
from verifier.models import Status, overall_status
from verifier.recheck.diff import requirement_changes
from verifier.recheck.model import (
    BaselineRef,
    PartnerResult,
    RecheckRun,
    RecheckSummary,
    RosterRef,
)
from verifier.report.model import ApplicantRef, Report, ReportedRequirement, RunRecord, ToolRef
from verifier.run.recheck import write_summary

World = Mapping[str, Mapping[str, str]]
"""Partner id -> requirement id -> status: what one run found."""


def make_run(
    out: Path,
    roster: Path,
    world: World,
    day: int,
    *,
    baseline: tuple[Path, World] | None = None,
    roster_partners: int | None = None,
) -> Path:
    """Write the finished re-check folder ``out`` of ``world``, run on 2026-11-``day``,
    compared with ``baseline`` (its folder and world) when given; return ``out``."""
    started = f"2026-11-{day:02d}T09:00:00Z"
    results = []
    for pid, statuses in world.items():
        bundle = out / "partners" / pid
        bundle.mkdir(parents=True)
        report = Report(
            tool=ToolRef("finops-verifier", "test"),
            run=RunRecord(started=started, as_of=f"2026-11-{day:02d}"),
            applicant=ApplicantRef(name=f"{pid.title()} Inc"),
            tier="platform",
            raw_outcome=Status.PASS.value,
            requirements=tuple(
                ReportedRequirement(id=rid, raw_status=s, summary=f"{rid} is {s} on day {day}")
                for rid, s in statuses.items()
            ),
        )
        data = json.dumps(report.to_json()).encode()
        (bundle / REPORT_JSON).write_bytes(data)
        (bundle / MANIFEST).write_text(f"{hashlib.sha256(data).hexdigest()}  {REPORT_JSON}\n")
        changes = ()
        if baseline is not None:
            changes = requirement_changes(baseline[1].get(pid, {}), statuses)
        outcome = overall_status([Status(s) for s in statuses.values()]).value
        results.append(
            PartnerResult(
                id=pid,
                name=f"{pid.title()} Inc",
                tier="platform",
                outcome=outcome,
                bundle=f"partners/{pid}",
                report_sha256=hashlib.sha256(data).hexdigest(),
                requirements=dict(statuses),
                changes=changes,
            )
        )
    summary = RecheckSummary.summarise(
        results,
        tool=ToolRef("finops-verifier", "test"),
        run=RecheckRun(started, f"2026-11-{day:02d}T09:05:00Z", f"2026-11-{day:02d}"),
        roster=RosterRef(
            str(roster),
            "0" * 64,
            str(roster.resolve()),
            len(world) if roster_partners is None else roster_partners,
        ),
        baseline=BaselineRef(str(baseline[0]), "x") if baseline is not None else None,
    )
    write_summary(out, summary)
    return out
