"""``junit.xml``: one test case per requirement, for CI dashboards.

``fail`` is a ``<failure>``, ``error`` an ``<error>``, ``needs_review`` and
``not_applicable`` are ``<skipped>`` with the reason; ``pass`` is a plain test case. The
XML is built with :mod:`xml.etree.ElementTree`, which escapes text and attributes; the
characters XML 1.0 cannot hold at all (NUL, other controls, lone surrogates) are replaced
first by their visible form.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from verifier.report import _view
from verifier.report.basis import Basis

JUNIT_FILE = "junit.xml"
_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: object) -> str:
    """``value`` with every character XML 1.0 forbids made visible or replaced."""
    return _ILLEGAL.sub("\ufffd", _view.visible(value))


def render_junit(report: dict[str, Any]) -> bytes:
    """The JUnit XML of ``report``."""
    views = _view.requirement_views(report)
    applicant = _view.part(report, "applicant")
    policy = _view.part(report, "policy")
    suite_name = xml_text(f"{applicant.get('name')} / {policy.get('id')}")
    totals = {s: sum(1 for v in views if v["status"] == s) for s in _view.STATUS_WORD}
    suite = ET.Element(
        "testsuite",
        {
            "name": suite_name,
            "tests": str(len(views)),
            "failures": str(totals["fail"]),
            "errors": str(totals["error"]),
            "skipped": str(totals["needs_review"] + totals["not_applicable"]),
            "timestamp": xml_text(_view.part(report, "run").get("started")),
        },
    )
    props = ET.SubElement(suite, "properties")
    for name, value in (
        ("outcome", report.get("outcome")),
        ("as_of", _view.part(report, "run").get("as_of")),
        ("tier", report.get("tier")),
    ):
        ET.SubElement(props, "property", {"name": name, "value": xml_text(value)})
    for v, req in zip(views, _view.requirements(report), strict=False):
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": xml_text(policy.get("id")),
                "name": xml_text(v["raw_id"]),
                "time": xml_text(req.get("seconds", 0)),
            },
        )
        message = xml_text(v["summary"])
        if v["status"] == "fail":
            ET.SubElement(case, "failure", {"message": message, "type": "fail"}).text = message
        elif v["status"] == "error":
            ET.SubElement(case, "error", {"message": message, "type": "error"}).text = message
        elif v["status"] in ("needs_review", "not_applicable"):
            ET.SubElement(case, "skipped", {"message": f"{v['word']}: {message}"})
        out = [f"requirement: {xml_text(v['text'])}"]
        out += [f"fetch {xml_text(f['url'])}: {xml_text(f['detail'])}" for f in v["fetches"]]
        out += [f"{xml_text(e['kind'])}: {xml_text(e['detail'])}" for e in v["facts"]]
        ET.SubElement(case, "system-out").text = "\n".join(out)
    ET.indent(suite)
    data: bytes = ET.tostring(suite, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def junit_of(basis: Basis) -> bytes:
    """junit.xml of ``basis`` (the machine's verdicts)."""
    return render_junit(basis.report)
