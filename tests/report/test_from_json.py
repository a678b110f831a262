"""Report.from_json reads any report.json a bundle may bring: each part of the wrong shape
reads as empty or is skipped, the rest still reads, and an unknown status is kept to show."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from verifier.bundle.store import dump_json
from verifier.models import Evidence, Status
from verifier.report import _view
from verifier.report.model import (
    ApplicantRef,
    FetchFacts,
    Hop,
    PluginRef,
    Report,
    RunRecord,
    SourceFile,
    ToolRef,
)
from verifier.run.replay import diff_reports, recorded_settings

GOOD: dict[str, Any] = {
    "schema": "finops-verifier/report/v1",
    "tool": {"name": "finops-verifier", "version": "9.9"},
    "run": {
        "started": "2026-01-01T00:00:00Z",
        "finished": "2026-01-01T00:00:01Z",
        "as_of": "2026-01-01",
        "settings": {"max_bytes": 1024, "obey_robots": True},
        "check_timeout": 120,
        "formats": ["html", "json"],
    },
    "applicant": {"name": "Acme", "website": "https://acme.example/", "employees": 12},
    "tier": "platform",
    "policy": {
        "id": "p",
        "program": "2022",
        "version": "1",
        "sha256": "0" * 64,
        "title": "T",
        "source": "https://example.org/p",
        "file": "policy.yaml",
    },
    "submission": {"file": "submission.yaml", "sha256": "1" * 64},
    "sources": {"members": "https://example.org/members"},
    "outcome": "fail",
    "counts": {"fail": 1, "pass": 1},
    "plugins": {"problems": [{"plugin": "x", "distribution": "d", "message": "m", "check": None}]},
    "requirements": [
        {
            "id": "offering",
            "text": "published",
            "check": "offering",
            "plugin": {"name": "builtin", "version": "1"},
            "status": "pass",
            "summary": "found",
            "evidence": [
                {
                    "kind": "fetch",
                    "url": "https://acme.example/a",
                    "sha256": "a" * 64,
                    "fetched_at": "2026-01-01T00:00:00Z",
                    "detail": "GET",
                    "data": {
                        "final_url": "https://acme.example/b",
                        "status": 200,
                        "hops": [{"url": "https://acme.example/a", "status": 301}],
                    },
                }
            ],
            "seconds": 0.5,
        },
        {
            "id": "membership",
            "text": "member",
            "check": "membership",
            "plugin": {"name": "builtin", "version": "1"},
            "status": "fail",
            "summary": "not listed",
            "evidence": [],
            "seconds": 0.25,
        },
    ],
    "source_files": {"registry": {"file": "sources/ab.csv", "sha256": "ab", "original": "r.csv"}},
}


def changed(edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    edit(data)
    return data


def first(report: Report) -> Any:
    return report.requirements[0]


def set_in(*path: str | int, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return edit


def delete(*path: str | int) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return edit


# (what report.json holds, what the Report reads, what it must be)
CASES: list[tuple[str, Callable[[dict[str, Any]], None], Callable[[Report], Any], Any]] = [
    # Statuses: an unknown one is kept as written and reads as error.
    (
        "unknown requirement status",
        set_in("requirements", 0, "status", value="waived"),
        lambda r: (first(r).raw_status, first(r).status, first(r).status_known),
        ("waived", Status.ERROR, False),
    ),
    (
        "null requirement status",
        set_in("requirements", 0, "status", value=None),
        lambda r: (first(r).raw_status, first(r).status, first(r).status_known),
        (None, Status.ERROR, False),
    ),
    (
        "absent requirement status",
        delete("requirements", 0, "status"),
        lambda r: (first(r).raw_status, first(r).status, first(r).status_known),
        ("error", Status.ERROR, True),
    ),
    (
        "status of the wrong type",
        set_in("requirements", 0, "status", value=["pass"]),
        lambda r: (first(r).raw_status, first(r).status),
        ("['pass']", Status.ERROR),
    ),
    (
        "unknown outcome",
        set_in("outcome", value="partial"),
        lambda r: (r.raw_outcome, r.outcome, r.outcome_known),
        ("partial", Status.ERROR, False),
    ),
    (
        "absent outcome",
        delete("outcome"),
        lambda r: (r.raw_outcome, r.outcome, r.outcome_known),
        ("error", Status.ERROR, True),
    ),
    # Parts that are not objects read as empty parts; the rest of the report still reads.
    ("run as text", set_in("run", value="yesterday"), lambda r: r.run, RunRecord()),
    ("applicant a list", set_in("applicant", value=["a"]), lambda r: r.applicant, ApplicantRef()),
    ("tool null", set_in("tool", value=None), lambda r: r.tool, ToolRef()),
    ("tool absent", delete("tool"), lambda r: (r.tool, len(r.requirements)), (ToolRef(), 2)),
    ("settings a list", set_in("run", "settings", value=[1]), lambda r: r.run.settings, {}),
    ("sources text", set_in("sources", value="x"), lambda r: r.sources, {}),
    (
        "a source location null or a number",
        set_in("sources", value={"a": None, "b": 5}),
        lambda r: r.sources,
        {"b": "5"},
    ),
    ("plugins text", set_in("plugins", value="x"), lambda r: r.plugin_problems, ()),
    (
        "problems an object",
        set_in("plugins", "problems", value={}),
        lambda r: r.plugin_problems,
        (),
    ),
    (
        "counts not numbers",
        set_in("counts", value={"pass": "1", "fail": 2}),
        lambda r: r.counts,
        {"fail": 2},
    ),
    # Items of a list that are not objects are skipped.
    (
        "a requirement that is not an object",
        lambda d: d["requirements"].append("not a requirement"),
        lambda r: [q.id for q in r.requirements],
        ["offering", "membership"],
    ),
    ("requirements an object", set_in("requirements", value={}), lambda r: r.requirements, ()),
    (
        "evidence as text",
        set_in("requirements", 0, "evidence", value="none"),
        lambda r: first(r).evidence,
        (),
    ),
    (
        "an evidence item that is not an object",
        set_in("requirements", 0, "evidence", value=[3, {"kind": "link", "detail": "d"}]),
        lambda r: first(r).evidence,
        (Evidence(kind="link", detail="d"),),
    ),
    # Fields of the wrong type: text shown as its text, numbers kept only when numbers.
    (
        "an id that is a number",
        set_in("requirements", 0, "id", value=5),
        lambda r: first(r).id,
        "5",
    ),
    (
        "an id that is null",
        set_in("requirements", 0, "id", value=None),
        lambda r: first(r).id,
        None,
    ),
    (
        "seconds as text",
        set_in("requirements", 0, "seconds", value="slow"),
        lambda r: first(r).seconds,
        None,
    ),
    (
        "plugin as text",
        set_in("requirements", 0, "plugin", value="x"),
        lambda r: first(r).plugin,
        None,
    ),
    (
        "plugin fields of the wrong type",
        set_in("requirements", 0, "plugin", value={"name": 1, "version": None}),
        lambda r: first(r).plugin,
        PluginRef("1", None),
    ),
    (
        "employees as text",
        set_in("applicant", "employees", value="lots"),
        lambda r: r.applicant.employees,
        "lots",
    ),
    (
        "employees a boolean",
        set_in("applicant", "employees", value=True),
        lambda r: r.applicant.employees,
        "True",
    ),
    (
        "check_timeout a boolean",
        set_in("run", "check_timeout", value=True),
        lambda r: r.run.check_timeout,
        None,
    ),
    (
        "check_timeout an int stays an int",
        set_in("run", "check_timeout", value=120),
        lambda r: type(r.run.check_timeout),
        int,
    ),
    (
        "formats with names that are not text",
        set_in("run", "formats", value=["html", 3, None, "md"]),
        lambda r: r.run.formats,
        ("html", "md"),
    ),
    ("formats as text", set_in("run", "formats", value="html"), lambda r: r.run.formats, ()),
    # File names the bundle must hold are text or nothing: a number names no file.
    ("policy file a number", set_in("policy", "file", value=5), lambda r: r.policy.file, None),
    ("submission absent", delete("submission"), lambda r: r.submission.file, None),
    ("source_files as text", set_in("source_files", value="x"), lambda r: r.source_files, {}),
    ("source_files a list", set_in("source_files", value=["x"]), lambda r: r.source_files, {}),
    (
        "a source file entry that is not an object",
        set_in("source_files", "registry", value=3),
        lambda r: r.source_files,
        {"registry": SourceFile()},
    ),
    # Evidence data is free-form: the facts a fetch view needs are read defensively.
    (
        "fetch data that is not an object",
        set_in("requirements", 0, "evidence", 0, "data", value="not an object"),
        lambda r: (first(r).evidence[0].data, FetchFacts.of(first(r).evidence[0])),
        ({}, FetchFacts(None, None, None, ())),
    ),
    (
        "hops that are not a list",
        set_in("requirements", 0, "evidence", 0, "data", "hops", value=5),
        lambda r: FetchFacts.of(first(r).evidence[0]).hops,
        (),
    ),
    (
        "fetch facts as recorded",
        lambda d: None,
        lambda r: FetchFacts.of(first(r).evidence[0]),
        FetchFacts(
            "https://acme.example/b",
            "200",
            None,
            (Hop("https://acme.example/a", "301"),),
        ),
    ),
]


@pytest.mark.parametrize(
    ("edit", "read", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_from_json_tolerates_a_part_of_the_wrong_shape(
    edit: Callable[[dict[str, Any]], None], read: Callable[[Report], Any], expected: Any
) -> None:
    report = Report.from_json(changed(edit))
    assert read(report) == expected


def test_a_well_formed_report_reads_back_to_the_same_json() -> None:
    assert dump_json(Report.from_json(GOOD).to_json()) == dump_json(GOOD)


@pytest.mark.parametrize("data", [[], "report", None, 3], ids=["list", "text", "null", "number"])
def test_a_document_that_is_not_an_object_is_refused(data: object) -> None:
    with pytest.raises(ValueError, match="does not hold a JSON object"):
        Report.from_json(data)


def test_an_empty_object_reads_as_an_empty_report() -> None:
    report = Report.from_json({})
    assert (report.requirements, report.outcome, report.run.settings) == ((), Status.ERROR, {})
    assert _view.requirement_views(report) == []


def test_an_unknown_status_is_shown_as_unknown_with_what_was_written() -> None:
    report = Report.from_json(changed(set_in("requirements", 0, "status", value="waived")))
    [view, _] = _view.requirement_views(report)
    assert (view["status"], view["word"]) == ("error", "UNKNOWN: waived")
    assert _view.counts(report) == [("fail", "FAIL", 1), ("error", "ERROR", 1)]


def test_replay_diff_tolerates_a_requirement_without_status() -> None:
    # Before the model, a recorded requirement without "status" made replay crash.
    before = Report.from_json(changed(delete("requirements", 1, "status")))
    after = Report.from_json(GOOD)
    [d] = diff_reports(before, after)
    assert (d.id, d.before, d.after) == (
        "membership",
        ("error", "not listed"),
        ("fail", "not listed"),
    )


def test_recorded_settings_of_a_malformed_run_are_the_defaults() -> None:
    report = Report.from_json(changed(set_in("run", value="yesterday")))
    assert recorded_settings(report) == recorded_settings(Report())
    kept = recorded_settings(Report.from_json(GOOD))
    assert (kept.max_bytes, kept.obey_robots) == (1024, True)
