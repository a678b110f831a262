"""A hostile applicant, round r17c: the page reader after ``r17-c`` (issue 10).

1. **Content after a hiding ``<body>``'s end tag** (false pass): a browser puts what follows
   ``</body>`` or ``</html>`` back into the one body; lxml keeps it beside the body under
   ``<html>``, or in a second ``<html>`` after the first, and the reader read it there,
   outside the body's verdict. ``<body hidden></body><main>`` pricing ``</main>``
   (Chromium's DOM: ``<body hidden="">`` around the ``<main>``, a blank page) gave "Proto
   Lens ... is purchasable"; the same with ``style="display:none"``, a stylesheet's rule on
   the body, content after ``</html>``, and a later ``<body style="display:none">`` when
   lxml's body stands in a second ``<html>`` after the first (the later tags' attributes
   were added to the first ``<html>``'s body only: none). Found by comparing the reader with
   html5lib's tree of random ``<body>``/``<html>`` fragments (9 pages the reader read as
   seen in 60,000, html5lib hiding them; each looked at confirmed with ``chromium --headless
   --dump-dom``).
   **Got through; fixed**: what follows lxml's body
   (under ``<html>`` and after it) is moved to the body's end before the walk, in
   document order (bs4's tree, in the same order, takes the same verdicts), and reads
   as the body does; the later tags' attributes go to lxml's first body, in whichever
   ``<html>`` it stands.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.gaming.test_attacks_r17 import offering_of
from tests.helpers import html_page
from verifier import Status
from verifier.sites import SiteServer

BASE = "http://acme.example/"

_MAIN = (
    "<main><h1>Proto Lens</h1>"
    "<p>Proto Lens pricing: from $9 per seat per month. Start a free trial today.</p></main>"
)
_HEAD = "<html><head><title>Proto Lens</title>{style}</head>"

_AFTER_BODY = [
    ("<body hidden></body>", "", "the hidden attribute"),
    ("<body style='display:none'><p>x</p></body>", "", "display:none in its style attribute"),
    (
        "<body class=off></body>",
        "<style>.off{display:none}</style>",
        "the rule .off {display:none}",
    ),
    ("<body>x</body><body hidden>", "", "the hidden attribute"),
    ("<body hidden></body></html>", "", "the hidden attribute"),
    ("<body hidden></body></html><!-- x --><html>", "", "the hidden attribute"),
    # lxml's body in a second <html> (after </html>), the later tag's style dropped.
    ("</html><body class=x><body style='display:none'>", "", "display:none in its style"),
]


@pytest.mark.parametrize(("body", "style", "reason"), _AFTER_BODY)
def test_content_after_a_hiding_bodys_end_is_hidden_as_in_a_browser(
    body: str, style: str, reason: str
) -> None:
    # Chromium's DOM of each: the one <body>, hiding, around the <main>. On r17-c the
    # reader read the <main> (beside lxml's body) as seen.
    page = html_page(_HEAD.format(style=style) + body + _MAIN + "</html>", BASE)
    assert "pricing" not in page.visible_text
    hidden = " ".join(h.text for h in page.hidden_passages)
    assert "Proto Lens pricing: from $9" in hidden
    assert all(h.reason.startswith(reason) for h in page.hidden_passages), page.hidden_passages
    headings = [(h.name, h.text, h.hidden) for h in page.headings]
    assert headings[0] == ("title", "Proto Lens", None)
    assert headings[1][:2] == ("h1", "")
    assert (headings[1][2] or "").startswith(reason)
    # The checks that walk bs4's tree (where the <main> stands beside the body too) take
    # the same verdict on it.
    pricing = page.soup.find("main").find("p")
    assert (page.hidden_reason(pricing) or "").startswith(reason)
    assert page.shown_text(pricing)[0] == ""


def test_content_after_a_shown_bodys_end_reads_as_before() -> None:
    # Nothing hides the body: the <main> after it is seen, its text in order.
    page = html_page(
        _HEAD.format(style="") + "<body><p>Intro</p></body>tail" + _MAIN + "</html><p>end</p>",
        BASE,
    )
    assert page.visible_text == (
        "Proto Lens Intro tail Proto Lens Proto Lens pricing: from $9 per seat per month. "
        "Start a free trial today. end"
    )
    assert page.hidden_passages == ()
    assert page.hidden_reason(page.soup.find("main")) is None


@pytest.mark.parametrize("body", ["<body hidden><p>x\x01</p></body>", "<body hidden></body>"])
def test_text_after_the_body_with_a_control_character_is_read_not_a_crash(body: str) -> None:
    # lxml's tree holds the \x01 but refuses to be given it: moving the text into the
    # body raised ValueError (a traceback for a page) until it was replaced.
    page = html_page(_HEAD.format(style="") + body + "Proto Lens pricing\x01 $9" + _MAIN, BASE)
    assert "pricing" not in page.visible_text
    assert page.hidden_passages[0].reason == "the hidden attribute"
    assert "Proto Lens pricing\ufffd $9" in page.hidden_passages[0].text


def test_a_self_closed_html_tag_that_hides_hides_the_page() -> None:
    # Chromium's DOM of `<html hidden/>`: <html hidden=""> around the whole page. lxml
    # closes that <html> and builds the page in a second one, which lacked the hidden.
    page = html_page("<html hidden/>" + _MAIN, BASE)
    assert "pricing" not in page.visible_text
    assert page.hidden_passages[0].reason == "the hidden attribute"
    assert "Proto Lens pricing: from $9" in page.hidden_passages[0].text


def test_a_page_whose_pricing_follows_a_hidden_body_is_not_a_pass(
    fake_sites: Callable[[Path], SiteServer], tmp_path: Path
) -> None:
    # On r17-c: "Proto Lens is listed at .../after.htm and is purchasable" on a page
    # Chromium shows blank.
    offering = offering_of(
        fake_sites,
        tmp_path,
        {
            "after": _HEAD.format(style="") + "<body hidden></body>" + _MAIN + "</html>",
            "shown": _HEAD.format(style="") + "<body></body>" + _MAIN + "</html>",
        },
        "r17c-hidecorp.example",
    )
    gamed = offering("after")
    assert gamed.status == Status.NEEDS_REVIEW, gamed.summary
    assert "only content hidden from visitors shows that Proto Lens is purchasable" in (
        gamed.summary
    )
    shown = offering("shown")
    assert shown.status == Status.PASS, shown.summary
