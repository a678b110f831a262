"""report.html: what staff read. Hostile text is shown as text and runs nothing."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag

from verifier.report.formats import builtin_formats
from verifier.report.html import CSP, render_html
from verifier.report.model import Report

SCRIPT = "<script>alert(1)</script>"
BREAKER = '"><img src=x onerror=alert(1)>'


@pytest.fixture
def html(hostile_report: dict[str, Any]) -> str:
    return render_html(Report.from_json(hostile_report), as_of=dt.date(2026, 1, 1))


def test_script_in_a_title_is_text(html: str) -> None:
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_attribute_breaker_is_text(html: str) -> None:
    assert "<img" not in html
    assert "onerror=alert(1)&gt;" in html
    assert "&#34;&gt;&lt;img src=x" in html


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "javascript:alert(document.cookie)", "data:text", "vbscript:"]
)
def test_only_http_links_are_clickable(html: str, url: str) -> None:
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert all(h.startswith(("https://", "http://", "#", "captures/")) for h in hrefs), hrefs
    assert not any(url in h for h in hrefs)
    assert url.split(":")[0] + ":" in html  # still shown, as inert text


def test_a_capture_link_is_relative_and_only_for_a_real_digest(html: str) -> None:
    assert 'href="captures/' + "a" * 64 + '"' in html
    assert "etc/passwd" not in re.findall(r'href="([^"]*)"', html).__str__()


def test_csp_meta_forbids_scripts(html: str) -> None:
    meta = BeautifulSoup(html, "lxml").find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert isinstance(meta, Tag)
    assert meta["content"] == CSP
    assert "default-src 'none'" in CSP
    assert "script-src" not in CSP  # falls back to default-src 'none'


def test_nul_and_lone_surrogates_survive_visibly(html: str) -> None:
    assert "␀" in html
    assert "\\ud800" in html
    html.encode("utf-8")  # would raise on a lone surrogate


def test_needs_attention_comes_first_with_status_words(html: str) -> None:
    table = html.split('id="needs-attention"')[1].split("</table>")[0]
    order = re.findall(r'href="#req-(\d)"', table)
    assert order == ["2", "3", "1"]  # fail, needs_review, then pass
    for word in ("FAIL", "NEEDS REVIEW", "PASS"):
        assert word in table


def test_sections_follow_policy_order(html: str) -> None:
    assert re.findall(r'<section class="req b-\w+" id="req-(\d)"', html) == ["1", "2", "3"]


def test_header_shows_outcome_counts_and_dates(html: str) -> None:
    head = html.split("</header>")[0]
    for text in ("FAIL", "FAIL: 1", "PASS: 1", "NEEDS REVIEW: 1", "2026-01-01", "platform"):
        assert text in head


def test_print_styles_present(html: str) -> None:
    assert "@media print" in html


def test_the_demo_report_is_self_contained(demo_bundle: Path) -> None:
    text = (demo_bundle / "report.html").read_text(encoding="utf-8")
    assert "<script" not in text.lower()
    assert not re.search(r'(src|href)="(https?:)?//[^"]*\.(css|js)"', text)
    assert "<style>" in text


def test_hostile_page_and_submission_text_is_escaped_end_to_end(hostile_bundle: Path) -> None:
    text = (hostile_bundle / "report.html").read_text(encoding="utf-8")
    assert "<script" not in text.lower()
    assert "<img" not in text
    assert "&lt;script&gt;document.title=" in text
    assert "onerror=document.body.setAttribute" in text


def test_html_is_registered_and_written_by_default(demo_bundle: Path) -> None:
    assert set(builtin_formats().names) >= {"json", "html", "md", "junit"}
    for name in ("report.json", "report.html", "report.md", "junit.xml"):
        assert (demo_bundle / name).is_file()


def test_autoescape_is_on_for_a_j2_template() -> None:
    from verifier.report import html as mod

    assert mod._ENV.autoescape is True


def test_demo_ends_by_printing_the_html_report_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.helpers import FIXTURES
    from verifier.cli.main import main

    assert main(["demo", "--out", str(tmp_path), "--as-of", "2026-01-01"]) == 0
    stems = sorted(p.stem for p in (FIXTURES / "demo").glob("*.yaml"))
    tail = capsys.readouterr().out.strip().splitlines()[-len(stems) :]
    assert tail == [f"HTML report: {tmp_path / stem / 'report.html'}" for stem in stems]
    assert all((tmp_path / stem / "report.html").is_file() for stem in stems)


def test_format_picks_the_human_reports(
    tmp_path: Path, sites: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from verifier.cli.main import main

    root = Path(__file__).resolve().parents[2] / "fixtures"
    args = ["--allow-private-network", "--allow-port", str(sites.port), "--per-host-delay", "0"]
    for host, addr in sites.resolve_pairs():
        args += ["--resolve", f"{host}:{addr}"]
    out = tmp_path / "r"
    sub = str(root / "demo" / "platform.yaml")
    sources = str(root / "sources.yaml")
    code = main(["verify", sub, "--out", str(out), "--sources", sources, "--format", "md", *args])
    assert code in (0, 1, 3)
    assert (out / "report.md").is_file()
    assert not (out / "report.html").exists()
    assert not (out / "junit.xml").exists()
    assert main(["verify", sub, "--format", "pdf", *args]) == 2
