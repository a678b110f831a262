"""A hostile applicant, round r17: pages read from lxml's own tree (issue 10, ``51bb4d3``).

The fetch layer now parses every page into lxml's own tree, in one C call that no
deadline stops (``verifier.fetch.treeread.parse_tree``), and reads its view, titles and
shape notes from it; bs4's tree is built only when a check walks ``page.soup``.

1. **An element of many attributes** (denial of service): lxml's tree adds each
   attribute at the end of its element's list by walking the list, so building the tree
   costs the square of an element's distinct attributes, where bs4's parse of the same
   page (lxml's parser calling back, no tree) is linear. Measured outside the suite
   (``parse_tree`` alone, this machine): 40,000 attributes on one ``<p>`` (269 KB) 2.1-2.7 s
   against 14 ms for bs4's parse; 600,000 (4.6 MB, under the 5 MiB body cap, one ``<``)
   still parsing after 10 minutes of CPU, killed. The page reader thread cannot be
   stopped, so every such page held a reader thread for many minutes. **Got through;
   fixed**: the same parse without a tree counts each start tag's attributes first
   (linear: 0.12 s for 5 MiB of attributes), and a page with an element of more than 256
   is refused as too complex to parse (``FetchTooLarge``), never read in part (a
   ``hidden`` written as its 300th attribute must not be dropped). A page filled with
   tags of 256 attributes each parses in 0.44 s. Repeated names are one attribute and
   cost nothing (2,500,000 ``a`` on one tag: 2 ms).
2. **A ``<meta>`` naming UTF-16** (false pass): bs4's ``UnicodeDammit`` decoded such a
   page (served without a charset, of even length) as UTF-16, where a browser reads a
   ``<meta>`` naming UTF-16 as UTF-8 (the HTML standard; Chromium's DOM of the page
   holds the hidden div and "not for sale"). ASCII markup became noise read as visible
   text and words written in UTF-16 inside a ``<div hidden>`` plain visible text: "Proto
   Lens pricing: from $9..." passed the offering of a page whose visitors read "internal
   prototype, not for sale". The same before r17 (decoding, not the reader). **Got
   through; fixed**: UTF-16 or UTF-32 from anything but a byte order mark or the
   header is read as UTF-8.
3. **Many titles** (denial of service, in the reader, no clock): every ``<title>`` was
   walked up all its ancestors (inert? in a string container? foreign?) and, under an
   ``<svg>``, the whole ``<svg>`` searched for HTML that ends it, after the walk and
   without reading the deadline: 24,000 titles in one ``<svg>`` (384 KB) read in 58 s,
   24,000 titles 2,000 deep (392 KB) in 16-19 s, 23,000 titles under ``<svg>`` and 2,000
   ``<g>`` in 3.6 s (``read_markup``, no deadline honoured). **Got through; fixed**: what
   is known of each element on the way up is kept (each walked once, each ``<svg>``
   searched once: 0.25-0.4 s for each of these pages), and the titles read the clock
   every 16th.
4. **A second ``<body>`` or ``<html>`` start tag** (false pass, open): a browser adds
   the attributes of a later ``<body hidden style="display:none">`` (or ``<html ...>``)
   to the page's body (or root) when it lacks them, so the whole page is hidden
   (Chromium's DOM: ``<body hidden="" style="display:none">`` around all the text).
   lxml's parser drops the tag and its attributes, in its tree as in bs4's (the same
   before r17): the offering passed ("Proto Lens is listed at ... and is purchasable")
   on a page a visitor sees blank. **Got through; not fixed in this round**
   (xfail, strict): the fix (merging the attributes of later ``<html>``/``<body>`` start
   tags onto lxml's root and body before the walk, as a browser does) reads 30 of the
   848 pages ``test_tree_reading`` compares with bs4's old reading differently, and that
   comparison needs its own allowance.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from plugins.membership import MembershipCheck
from plugins.offering import OfferingCheck
from tests.fetch.test_tree_reading import _same
from tests.gaming.c1_support import judge, kinds, policy_params
from tests.gaming.conftest import GAMING
from verifier import Page, Status
from verifier.fetch.bounded import Overtime
from verifier.fetch.treeread import (
    MAX_ATTRIBUTES,
    TooComplex,
    _titles,
    parse_tree,
    read_markup,
)
from verifier.models import RequirementResult
from verifier.sites import SiteServer
from verifier.testing import make_submission, run_check, settings_for

BASE = "http://acme.example/"


def html_page_bytes(body: bytes, content_type: str = "text/html") -> Page:
    """A page answering 200 with ``body`` as sent."""
    return Page(
        url=BASE,
        final_url=BASE,
        status=200,
        headers={"content-type": content_type},
        body=body,
        sha256=hashlib.sha256(body).hexdigest(),
        fetched_at="2026-01-01T00:00:00Z",
    )


def _many(n: int, last: str = "") -> str:
    """A ``<p>`` of ``n`` distinct attributes (``last`` written after them)."""
    names = " ".join(f"a{i}" for i in range(n))
    return f"<html><body><p {names} {last}>Acme is a member</p></body></html>"


@pytest.mark.parametrize("n", [MAX_ATTRIBUTES + 1, 20_000])
def test_an_element_of_too_many_distinct_attributes_is_refused_before_its_tree_is_built(
    n: int,
) -> None:
    # 20,000 attributes took 0.6 s to build into lxml's tree, 600,000 more than 10 min.
    with pytest.raises(TooComplex) as caught:
        parse_tree(_many(n))
    assert str(caught.value) == (
        f"an element with {n:,} attributes, over the 256 the parser reads in time"
    )


def test_a_hiding_attribute_past_the_limit_is_not_dropped_but_refused() -> None:
    # Dropping what follows the 256th attribute would read `hidden` as absent: the page
    # is refused whole instead.
    with pytest.raises(TooComplex):
        read_markup(_many(MAX_ATTRIBUTES, last="hidden"), BASE)


def test_an_element_of_256_attributes_or_of_one_name_repeated_is_read_whole() -> None:
    read = read_markup(_many(MAX_ATTRIBUTES - 1, last="hidden"), BASE)
    assert read.view.visible_text == ""
    assert [(h.text, h.reason) for h in read.view.hidden] == [
        ("Acme is a member", "the hidden attribute")
    ]
    # A name written 5,000 times is one attribute, to lxml as to a browser (the first).
    repeated = "<p " + 'style="" ' * 5_000 + 'style="display:none">Acme</p><p>Seen</p>'
    assert read_markup(repeated, BASE).view.visible_text == "Acme Seen"


def test_a_directory_of_an_element_of_too_many_attributes_is_an_error_naming_it(
    fake_sites: Callable[[Path], SiteServer], tmp_path: Path
) -> None:
    page = tmp_path / "dir.example" / "members" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text(_many(300).replace("Acme is a member", "<li>Acme</li>"))
    server = fake_sites(tmp_path)
    result = run_check(
        MembershipCheck(),
        make_submission(applicant={"name": "Acme", "website": "http://acme.example/"}),
        {"sources": ["finops-members"]},
        settings=settings_for(server),
        sources={"finops-members": "http://dir.example/members/"},
    )
    assert result.status == "error"
    assert result.summary == (
        "finops-members: could not read the directory: http://dir.example/members/ could not "
        "be fetched (too complex to parse: an element with 300 attributes, over the 256 the "
        "parser reads in time)"
    )


_PROTO = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="{charset}">'
    "<title>Proto Lens — Hidecorp labs</title></head><body><main><h1>Proto Lens</h1>"
    "<p>Proto Lens is an internal prototype, not for sale.</p><div hidden>"
)


def _proto(charset: str) -> bytes:
    """Hidecorp's "not for sale" page whose hidden ``<div>`` holds sales words written in
    UTF-16 (a browser reading the page as UTF-8 shows none of them: the div is hidden)."""
    words = " Proto Lens pricing: from $9 per seat per month. Start a free trial today. "
    words = words.encode("utf-16-le")
    head = _PROTO.format(charset=charset).encode()
    head += b" " * (len(head) % 2)  # the words at an even offset: read as UTF-16, whole
    return head + words + b"</div></main></body></html> "


@pytest.mark.parametrize("charset", ["utf-16le", "UTF-16", "utf-16be", "utf16", "ucs-2", "utf-32"])
def test_a_meta_tag_naming_utf16_reads_the_page_as_utf8_as_a_browser_does(charset: str) -> None:
    # Read as UTF-16 (bs4's UnicodeDammit honours the <meta>), the markup became noise
    # read as visible and the hidden div's words plain visible text: the page read "Pricing
    # and plans, free trial, buy now" and nothing hidden. Chromium reads it as UTF-8 (its
    # DOM: the div hidden, "not for sale" shown), as the HTML standard says.
    page = html_page_bytes(_proto(charset))
    assert page.encoding == "utf-8"
    assert page.visible_text == (
        "Proto Lens — Hidecorp labs Proto Lens Proto Lens is an internal prototype, not for sale."
    )
    assert [h.reason for h in page.hidden_passages] == ["the hidden attribute"]


def test_utf16_by_its_byte_order_mark_or_header_stays_utf16() -> None:
    text = "<html><body><p>Acme is a member</p></body></html>"
    assert html_page_bytes(b"\xff\xfe" + text.encode("utf-16-le")).visible_text == (
        "Acme is a member"
    )
    declared = html_page_bytes(text.encode("utf-16-be"), "text/html; charset=utf-16be")
    assert (declared.encoding, declared.text) == ("utf-16be", text)


def offering_of(
    fake_sites: Callable[[Path], SiteServer],
    tmp_path: Path,
    pages: dict[str, str | bytes],
    host: str,
) -> Callable[[str], RequirementResult]:
    """Hidecorp's offering check on its site ``host`` of ``pages`` (name: HTML, as text
    or bytes), served with the Foundation's; called with a page's name, the offering's
    landing page (``<name>.htm``, served as text/html without a charset)."""
    shutil.copytree(GAMING / "c1-foundation.example", tmp_path / "c1-foundation.example")
    site = tmp_path / host
    site.mkdir()
    for name, html in pages.items():
        path = site / f"{name}.htm"
        if isinstance(html, bytes):
            path.write_bytes(html)
        else:
            path.write_text(html)
    settings = settings_for(fake_sites(tmp_path))

    def offering(name: str) -> RequirementResult:
        fields = {
            "applicant": {"name": "Hidecorp", "website": f"http://{host}/"},
            "offering": {"name": "Proto Lens", "landing_page": f"http://{host}/{name}.htm"},
        }
        params = policy_params("2022", "platform", "offering")
        return judge(OfferingCheck(), settings, params, **fields)

    return offering


def test_a_not_for_sale_page_with_sales_words_in_utf16_is_not_a_pass(
    fake_sites: Callable[[Path], SiteServer], tmp_path: Path
) -> None:
    # Served as text/html without a charset (a .htm file): on r17-lxml the offering
    # passed, "Proto Lens is listed at .../utf16.htm and is purchasable", quoting the words
    # of the hidden div, on a page whose visitors read "internal prototype, not for sale".
    shown = _PROTO.format(charset="utf-8").replace("<div hidden>", "<div>")
    pages: dict[str, str | bytes] = {
        "utf16": _proto("utf-16le"),
        "utf8": _proto("utf-8"),
        "shown": f"{shown} Proto Lens pricing: from $9 per seat per month.</div>",
    }
    offering = offering_of(fake_sites, tmp_path, pages, "r17-charset.example")

    gamed = offering("utf16")
    assert gamed.status == Status.FAIL, gamed.summary
    assert gamed.summary == (
        "Proto Lens: the page shows no pricing, trial, marketplace listing or public repository"
    )
    assert kinds(gamed, "purchase") == []
    assert "internal prototype, not for sale" in kinds(gamed, "text")[0].excerpt
    # The same bytes under a <meta charset="utf-8"> read the same; shown, the words pass.
    plain = offering("utf8")
    assert (plain.status, plain.summary) == (gamed.status, gamed.summary)
    assert offering("shown").status == Status.PASS


@pytest.mark.parametrize(
    "html",
    [
        "<svg>" + "<title>tip</title>" * 300 + "</svg><title>Shown</title><p>x</p>",
        "<svg>" + "<g>" * 300 + "<title>tip</title>" * 30 + "</svg><title>Shown</title>",
        "<svg><g><p>out</p></g>" + "<g><title>moved</title>" * 40 + "</svg><title>Late</title>",
        "<svg>" + "<svg><title>inner</title>" * 30 + "</svg><title>Shown</title>",
        "<template>" + "<div>" * 300 + "<title>inert</title>" * 20 + "</template><title>T</title>",
        "<div>" * 300 + "<ruby><rt>" + "<title>rt</title>" * 20 + "</rt></ruby><title>T</title>",
        "<math><mrow>" + "<title>m</title>" * 20 + "</mrow></math><noscript><title>n</title>",
    ],
)
def test_many_titles_deep_or_in_svg_read_as_the_bs4_tree_read_them(html: str) -> None:
    # Each title walked up all its ancestors and searched its whole <svg>: 24,000 titles
    # in one <svg> read in 58 s, 24,000 titles 2,000 deep in 16 s (now 0.25-0.4 s, what is
    # known of each ancestor kept). The titles read are the same.
    _same("<html><head></head><body>" + html + "</body></html>")


def test_the_titles_are_read_within_the_readers_deadline() -> None:
    # (read_markup reads the clock after the parse and in the walk; the titles, read
    # after the walk, read it too.)
    html = "<html><body><svg>" + "<title>tip</title>" * 40 + "</svg></body></html>"
    titles = list(parse_tree(html).iter("title"))
    assert _titles(titles, None) == ("", ("tip",) * 40)
    with pytest.raises(Overtime, match="reading the page's titles went past its deadline"):
        _titles(titles, time.monotonic() - 1)


_BLANK = (
    "<html><head><title>Proto Lens</title></head><body><main><h1>Proto Lens</h1>"
    "<p>Proto Lens pricing: from $9 per seat per month. Start a free trial today.</p>"
    "</main>{later}</html>"
)


@pytest.mark.parametrize(
    "later",
    [
        '<body hidden style="display:none">',
        "<html hidden><p>after</p>",
        "<body hidden>",
        '<BODY TITLE=">" HIDDEN>',
        "<body title='<' hidden/>",
        "<body\nhidden=hidden>",
    ],
)
def test_a_later_body_tag_that_hides_the_page_hides_it(later: str) -> None:
    # Attack r17-4: lxml drops the attributes of a later <body>/<html> start tag, where a
    # browser adds them to the body or root (Chromium's DOM: the page is blank). They are
    # read from the text and added as a browser adds them.
    page = html_page_bytes(_BLANK.format(later=later).encode())
    assert "pricing" not in page.visible_text
    assert [h.reason for h in page.hidden_passages][:1] == ["the hidden attribute"]


def test_a_later_body_tag_adds_only_what_the_body_lacks() -> None:
    # As a browser: an attribute the body already has is kept (a later style does not
    # replace it), one it lacks is added; the first <body>'s own attributes stay.
    kept = html_page_bytes(
        b'<html><body style="color:red"><p>Proto Lens pricing</p>'
        b'<body style="display:none" class="x"></html>'
    )
    assert "pricing" in kept.visible_text
    assert kept.hidden_passages == ()
    # An attribute written inside a comment counts too: read as hidden, a person looks.
    commented = html_page_bytes(b"<html><body><p>Proto Lens pricing</p><!-- <body hidden> -->")
    assert "pricing" not in commented.visible_text


def test_a_body_tag_too_long_to_read_hides_the_page_never_read_in_part() -> None:
    # 2 million attributes on a later <body> took 1.5 s to read: one of more than 8 KiB
    # of attributes is taken to hide the page, whatever stands last in it.
    page = html_page_bytes(
        b"<html><body><p>Proto Lens pricing</p><body " + b"a " * 5_000 + b"title=x>"
    )
    assert "pricing" not in page.visible_text
