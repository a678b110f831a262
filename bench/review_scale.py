"""Review benchmark: how long ``review`` takes on a bundle holding many decisions.

A hostile or long-lived review.jsonl must not stall the tool: appending one decision to
a bundle that holds 20,000 (all on one requirement, the worst case for superseding), then
listing them and checking the bundle, must each take time linear in the decisions.
The bundle is built in a temporary directory from a small report; nothing is fetched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import tempfile
import time
from pathlib import Path
from typing import Any

DECISIONS = 20_000
LIMIT_S = 10.0
"""Target for each step on 20,000 decisions (the quadratic version took 82 s to append)."""
NOW = dt.datetime(2026, 1, 2, 9, 30, tzinfo=dt.UTC)


def _report() -> dict[str, Any]:
    reqs = [
        {"id": f"req-{i}", "text": "t", "check": "c", "status": "needs_review", "summary": "s"}
        for i in range(6)
    ]
    return {
        "schema": "finops-verifier/report/v1",
        "tool": {"name": "finops-verifier", "version": "bench"},
        "run": {
            "started": "2026-01-01T00:00:00Z",
            "finished": "2026-01-01T00:00:01Z",
            "as_of": "2026-01-01",
            "formats": ["json", "html"],
        },
        "applicant": {"name": "Bench", "website": "https://bench.example/", "employees": 1},
        "tier": "platform",
        "policy": {"id": "bench", "program": "2022", "version": "1", "title": "Bench"},
        "outcome": "needs_review",
        "requirements": reqs,
    }


def build(root: Path, decisions: int) -> None:
    """A sealed bundle at ``root`` whose review.jsonl holds ``decisions`` decisions."""
    from verifier.bundle.check import seal
    from verifier.bundle.store import EvidenceStore, dump_json
    from verifier.report import write_derived

    root.mkdir()
    EvidenceStore(root).write_index()
    sha = hashlib.sha256(dump_json(_report())).hexdigest()
    line = {
        "schema": "finops-verifier/review/v1",
        "requirement": "req-0",
        "reviewer": "Ann",
        "reason": "seen",
        "expires": None,
        "report_sha256": sha,
    }
    with (root / "review.jsonl").open("w") as fh:
        for i in range(decisions):
            stamp = (NOW - dt.timedelta(seconds=decisions - i)).isoformat().replace("+00:00", "Z")
            decision = "pass" if i % 2 else "fail"
            fh.write(json.dumps({**line, "decision": decision, "decided_at": stamp}) + "\n")
    write_derived(dump_json(_report()), root, ("json", "html"))  # report.html shows the decisions
    seal(root)


def timings(decisions: int = DECISIONS) -> dict[str, float]:
    """Seconds for each review step on a bundle holding ``decisions`` decisions."""
    from verifier.bundle.check import check_bundle
    from verifier.cli.main import main
    from verifier.run.review import append_decision

    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "bundle"
        build(root, decisions)
        started = time.monotonic()
        append_decision(
            root, requirement="req-0", decision="pass", reviewer="B", reason="r", now=NOW
        )
        out["append one decision"] = time.monotonic() - started
        started = time.monotonic()
        with contextlib.redirect_stdout(io.StringIO()):
            code = main(["review", str(root), "--as-of", "2026-01-03"])
        out["list decisions (review DIR)"] = time.monotonic() - started
        started = time.monotonic()
        ok = check_bundle(root).ok
        out["bundle check"] = time.monotonic() - started
        started = time.monotonic()
        args = ["--requirement", "req-1", "--decision", "pass", "--reviewer", "C", "--reason", "r"]
        with contextlib.redirect_stdout(io.StringIO()):
            code2 = main(["review", str(root), *args])
        out["review DIR --requirement ... (the command)"] = time.monotonic() - started
        if not ok or code or code2:
            raise SystemExit(f"bench bundle broken: ok={ok} codes={code},{code2}")
    return out


def run() -> int:
    """Print the table; 1 when a step on 20,000 decisions takes more than the target."""
    print(f"Review of a bundle holding {DECISIONS:,} decisions on one requirement")
    failures = []
    for step, seconds in timings().items():
        print(f"{step:44} {seconds:8.2f} s")
        if seconds > LIMIT_S:
            failures.append(f"{step}: {seconds:.1f} s")
    print()
    print("targets met" if not failures else "TARGETS MISSED: " + "; ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    import sys

    sys.exit(run())
