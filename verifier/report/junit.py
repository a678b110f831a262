"""``junit.xml``: one test case per requirement, for CI dashboards.

``fail`` is a ``<failure>``, ``error`` an ``<error>``, ``needs_review`` and
``not_applicable`` are ``<skipped>`` with the reason; ``pass`` is a plain test case.
After a review (``review.jsonl``), each case has its effective status and the suite the
effective counts; the properties keep the machine's outcome and list the decisions. The
XML is built with :mod:`xml.etree.ElementTree`, which escapes text and attributes; the
characters XML 1.0 cannot hold at all (NUL, other controls, lone surrogates) are replaced
first by their visible form.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from verifier.bundle.decisions import Decision
from verifier.models import Status
from verifier.report import _view
from verifier.report.basis import Basis
from verifier.report.model import Report

JUNIT_FILE = "junit.xml"
_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: object) -> str:
    """``value`` with every character XML 1.0 forbids made visible or replaced."""
    return _ILLEGAL.sub("\ufffd", _view.visible(value))


def render_junit(
    report: Report, decisions: Sequence[Decision] = (), report_sha256: str = ""
) -> bytes:
    """The JUnit XML of ``report``; with review ``decisions`` (those naming
    ``report_sha256`` count), each test case has its effective status, the suite the
    effective counts, and the properties the machine's outcome, what still blocks a pass
    and each decision."""
    views = _view.requirement_views(report)
    policy = report.policy
    suite_name = xml_text(f"{report.applicant.name} / {policy.id}")
    after = _view.after_review(report, decisions, report_sha256) if decisions else None
    if after:
        for v in views:
            machine = v["status"]
            v["status"] = after["effective"][str(v["raw_id"])]
            if v["status"] != machine:
                v["word"] = _view.STATUS_WORD[v["status"]]
                v["summary"] = f"{v['word']} after review (machine verdict: {machine})"
    totals = {s: sum(1 for v in views if v["status"] == s) for s in _view.STATUS_WORD}
    suite = ET.Element(
        "testsuite",
        {
            "name": suite_name,
            "tests": str(len(views)),
            "failures": str(totals[Status.FAIL]),
            "errors": str(totals[Status.ERROR]),
            "skipped": str(totals[Status.NEEDS_REVIEW] + totals[Status.NOT_APPLICABLE]),
            "timestamp": xml_text(report.run.started),
        },
    )
    props = ET.SubElement(suite, "properties")
    shown: list[tuple[str, object]] = [
        ("outcome", after["outcome"] if after else report.raw_outcome),
        ("as_of", report.run.as_of),
        ("tier", report.tier),
    ]
    if after:
        shown += [
            ("machine_outcome", report.raw_outcome),
            ("review_as_of", after["as_of"].isoformat()),
            ("active_decisions", after["active"]),
            ("still_blocking", ", ".join(b["raw_id"] for b in after["blocking"]) or "none"),
        ]
        shown += [
            (
                f"decision.{rid}",
                f"{d.decision} ({state}) by {d.reviewer} at {d.decided_at}: {d.reason}",
            )
            for rid, items in after["review"]["by_requirement"].items()
            for d, state in items
        ]
    for name, value in shown:
        ET.SubElement(props, "property", {"name": xml_text(name), "value": xml_text(value)})
    for v, req in zip(views, report.requirements, strict=True):
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": xml_text(policy.id),
                "name": xml_text(v["raw_id"]),
                "time": xml_text(req.seconds if req.seconds is not None else 0),
            },
        )
        message = xml_text(v["summary"])
        if v["status"] == Status.FAIL:
            kind = Status.FAIL.value
            ET.SubElement(case, "failure", {"message": message, "type": kind}).text = message
        elif v["status"] == Status.ERROR:
            kind = Status.ERROR.value
            ET.SubElement(case, kind, {"message": message, "type": kind}).text = message
        elif v["status"] in (Status.NEEDS_REVIEW, Status.NOT_APPLICABLE):
            ET.SubElement(case, "skipped", {"message": f"{v['word']}: {message}"})
        out = [f"requirement: {xml_text(v['text'])}"]
        if after:
            out += [
                f"review decision ({state}): {xml_text(d.decision)} by {xml_text(d.reviewer)}"
                f" at {xml_text(d.decided_at)}: {xml_text(d.reason)}"
                for d, state in after["review"]["by_requirement"].get(str(v["raw_id"]), [])
            ]
        out += [f"fetch {xml_text(f['url'])}: {xml_text(f['detail'])}" for f in v["fetches"]]
        out += [f"{xml_text(e['kind'])}: {xml_text(e['detail'])}" for e in v["facts"]]
        ET.SubElement(case, "system-out").text = "\n".join(out)
    ET.indent(suite)
    data: bytes = ET.tostring(suite, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def junit_of(basis: Basis) -> bytes:
    """junit.xml of ``basis``, with its review decisions."""
    return render_junit(basis.report, basis.decisions, basis.report_sha256)
