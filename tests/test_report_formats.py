"""Report formats come from one registry, which a plugin extends through its entry point:
``--format`` choices, the files a run writes, report.json's ``run.formats`` and the files
``bundle check`` renders again all go through it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import demo_args
from tests.test_plugin_loading import install_fake_distribution, site_dir
from verifier.bundle.check import write_manifest
from verifier.cli.main import main
from verifier.host import build_host
from verifier.report.basis import Basis
from verifier.report.formats import ReportFormat, ReportFormats, builtin_formats

__all__ = ["site_dir"]  # the fixture, imported for the tests below

CSV_PLUGIN = """
    from verifier import hookimpl
    from verifier.report.formats import ReportFormat

    def render(basis):
        # One line per requirement, and the decisions review.jsonl holds.
        lines = [f"{r.id},{r.raw_status}" for r in basis.report.requirements]
        lines += [f"decision,{d.requirement},{d.decision}" for d in basis.decisions]
        return ("\\n".join(lines) + "\\n").encode()

    @hookimpl
    def register_report_formats(register):
        register(ReportFormat("{name}", "{file}", render))
"""


def install_csv_plugin(site: Path, name: str = "csv", file: str = "report.csv") -> None:
    install_fake_distribution(
        site,
        "fake-csv",
        {"csv-report": "fake_csv"},
        {"fake_csv": CSV_PLUGIN.replace("{name}", name).replace("{file}", file)},
    )


def test_a_plugins_format_is_written_listed_and_checked_again(
    site_dir: Path, sites: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    install_csv_plugin(site_dir)
    main(["verify", *demo_args(sites, tmp_path, "platform"), "--format", "csv,html"])
    out = tmp_path / "out"
    report = json.loads((out / "report.json").read_text())
    assert report["run"]["formats"] == ["csv", "html", "json"]
    written = (out / "report.csv").read_text().splitlines()
    assert written == [f"{r['id']},{r['status']}" for r in report["requirements"]]
    assert not (out / "report.md").exists()  # only what was asked for
    assert main(["bundle", "check", str(out)]) == 0

    # An edited verdict under a regenerated SHA256SUMS: bundle check renders the plugin's
    # file again and names it.
    original = (out / "report.csv").read_bytes()
    rid, status = written[0].split(",")
    edited = f"{rid},{'fail' if status == 'pass' else 'pass'}"
    (out / "report.csv").write_text("\n".join([edited, *written[1:]]) + "\n")
    write_manifest(out)
    capsys.readouterr()
    assert main(["bundle", "check", str(out)]) == 1
    assert (
        "problem: report.csv does not match report.json/review.jsonl (re-derived copy differs "
        "at line 1)" in capsys.readouterr().out
    )

    # A review renders again each format the decision changes, so the bundle stays intact.
    (out / "report.csv").write_bytes(original)
    write_manifest(out)
    args = ["review", str(out), "--requirement", rid, "--decision", "pass"]
    assert main([*args, "--reviewer", "Ann", "--reason", "seen"]) == 0
    assert (out / "report.csv").read_text().splitlines()[-1] == f"decision,{rid},pass"
    assert main(["bundle", "check", str(out)]) == 0


def test_a_plugins_format_is_a_format_choice(
    site_dir: Path, sites: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    install_csv_plugin(site_dir)
    assert main(["verify", *demo_args(sites, tmp_path, "platform"), "--format", "pdf"]) == 2
    assert "unknown format 'pdf'; choose from csv, html, json, junit, md" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "file", "message"),
    [
        ("html", "report.csv", "report format 'html': the name is already registered by "),
        ("json", "report.csv", "report format 'json': json is report.json"),
        ("csv", "report.html", "report.html is already the file of format 'html'"),
        ("csv", "SHA256SUMS", "SHA256SUMS is a file every bundle holds for itself"),
        ("csv", "../escape.csv", "file '../escape.csv' is not a plain file name"),
        ("CSV!", "report.csv", "a name is lower-case letters, digits and hyphens"),
    ],
)
def test_a_format_that_would_clash_is_refused_and_shown_by_plugins(
    site_dir: Path, capsys: pytest.CaptureFixture[str], name: str, file: str, message: str
) -> None:
    install_csv_plugin(site_dir, name, file)
    assert main(["plugins"]) == 1
    out = capsys.readouterr().out
    assert "problem plugin csv-report (fake-csv):" in out
    assert message in " ".join(out.split())


@pytest.mark.parametrize("checks_first", [True, False], ids=["checks first", "formats first"])
def test_a_refused_format_is_a_problem_of_the_registry_whatever_the_order(
    site_dir: Path, checks_first: bool
) -> None:
    # The check registry's problems are what runs and `plugins` show: a refused format is
    # among them whether the checks were gathered before or after the formats.
    install_csv_plugin(site_dir, "html", "report.csv")
    host = build_host()
    if checks_first:
        host.checks()
    host.report_formats(builtin_formats().add)
    messages = [p.message for p in host.checks().problems if p.plugin == "csv-report"]
    assert len(messages) == 1
    assert "report format 'html': the name is already registered by " in messages[0]


def test_the_built_in_formats_are_registered_through_the_registry() -> None:
    formats = builtin_formats()
    assert formats.names == ("json", "html", "md", "junit")
    assert [(f.name, f.file) for f in formats.human()] == [
        ("html", "report.html"),
        ("md", "report.md"),
        ("junit", "junit.xml"),
    ]
    assert formats.file_of("json") == "report.json"
    assert formats.file_of("csv") is None
    # report.json lists what was written: the known names and json, never an unknown one.
    assert formats.written(("md", "csv")) == ["json", "md"]


def test_something_that_is_not_a_format_is_refused() -> None:
    formats = ReportFormats()
    refused = formats.add(lambda basis: b"", "fake")
    assert refused == "registered 'function', which is not a verifier.report.formats.ReportFormat"
    assert formats.names == ("json",)
    assert formats.add(ReportFormat("csv", "report.csv", lambda b: b"x"), "fake") is None
    assert formats.human()[0].render(Basis({}, "")) == b"x"
