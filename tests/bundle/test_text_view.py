"""The "read the captured text" view: captures/<sha256>.txt, text only, sealed, linked."""

from __future__ import annotations

import json
from pathlib import Path

from bs4 import BeautifulSoup

from tests.bundle.test_browser import dom_of
from verifier.bundle.check import check_bundle
from verifier.bundle.textview import text_of

HOSTILE = (
    b"<!DOCTYPE html><html><head><title>Acme</title><style>p{color:red}</style>"
    b"<script>document.title='PWNED'</script></head><body>"
    b'<h1 onclick="alert(1)">Pricing</h1><img src=x onerror="alert(2)">'
    b'<a href="javascript:alert(3)">click me</a>'
    b"<p>Plans &lt;script&gt;alert(4)&lt;/script&gt; from $10\x1b[2J</p></body></html>"
)


def test_the_text_view_of_a_hostile_page_keeps_only_its_text() -> None:
    text = text_of(HOSTILE)
    assert text.splitlines() == [
        "Acme",
        "Pricing",
        "click me",
        # The page's escaped markup is text and stays text; ESC shows as its picture.
        "Plans <script>alert(4)</script> from $10␛[2J",
    ]
    for gone in ("PWNED", "onclick", "onerror", "javascript:", "color:red", "alert(1)"):
        assert gone not in text


def test_a_binary_capture_says_what_it_is() -> None:
    assert (
        text_of(b"%PDF-1.7\n...")
        == "(application/pdf, 12 bytes: no text to show; see the archived copy)\n"
    )


def test_each_capture_has_its_text_view_sealed_and_linked(
    hostile_bundle: Path, tmp_path: Path
) -> None:
    report = json.loads((hostile_bundle / "report.json").read_text())
    cited = {
        ev["sha256"] for r in report["requirements"] for ev in r["evidence"] if ev.get("sha256")
    }
    assert cited
    sums = (hostile_bundle / "SHA256SUMS").read_text()
    html = BeautifulSoup((hostile_bundle / "report.html").read_text(), "lxml")
    links = {str(a["href"]) for a in html.find_all("a", string="read the captured text")}
    for sha in cited:
        view = f"captures/{sha}.txt"
        assert (hostile_bundle / view).is_file()
        assert f"  {view}\n" in sums  # covered by SHA256SUMS, so bundle check sees an edit
        assert view in links  # linked beside the raw download
    lens = next(
        hostile_bundle / f"captures/{sha}.txt"
        for sha in cited
        if "Lens" in (hostile_bundle / f"captures/{sha}.txt").read_text()
    )
    # Opened in a real browser: plain text, nothing runs, the markup shows as characters.
    dom = dom_of(lens, tmp_path)
    assert dom.find("script") is None
    assert dom.find("img") is None
    assert dom.body is not None
    assert not dom.body.has_attr("data-pwned")
    assert "<script>document.title='PWNED'</script> Lens" in dom.get_text()
    assert "javascript:" not in dom.get_text()
    # Editing a text view is caught like any other file.
    lens.write_text("forged\n")
    assert check_bundle(hostile_bundle).changed == [str(lens.relative_to(hostile_bundle))]
