"""A hostile applicant, round r17b: the page reader after ``r17-b`` (issue 10).

1. **A decoy ``<body>`` tag before the real one** (false pass): since ``608f258`` the
   reader adds the attributes of every ``<body>``/``<html>`` start tag found in the text
   to lxml's body or root where it lacks them, as a browser adds those of a later tag.
   It kept the first value of each name over all tags, tags a browser never reads
   included: ``<!-- <body style="color:red"> -->`` before the real ``<body>`` gave the
   body ``color:red``, so the later ``<body style="display:none">`` a browser does apply
   (Chromium's DOM: ``<body style="display:none">`` around all the text) was dropped and
   the offering passed ("Proto Lens ... is purchasable") on a page its visitors see
   blank. The same with a ``<script>`` string, with ``class`` and a stylesheet's rule,
   with ``<html>``, and with a ``<body>`` inside a ``<template>`` (a browser ignores it).
   **Got through; fixed**: a name that different tags give different values, which the
   element lacks, hides it (the text does not say which tag a browser reads; either
   could be the one: a person looks). A name all tags give one value is added as
   before; the body's own attributes still win. The offering on such a page is now
   ``needs_review``, its pricing quoted as hidden.
2. **Many names over many later ``<body>`` tags** (denial of service): the parse refuses
   one element of more than 256 attributes, but the reader added the names of every
   ``<body>`` tag in the text to lxml's body one by one, and lxml adds an attribute by
   walking the element's list: 200 tags of 256 new names each (349 KB, 205 ``<``) took
   11.2 s in ``read_markup`` whatever its deadline (none read there); 40,000 names over
   40,000 tags (509 KB, under --max-tags 50,000) 8.0 s; 5 MiB holds 2,612 such tags of
   667,392 names, about 37 minutes of a reader thread by the square. **Got through;
   fixed**: a body or root that its tags would give more than 256 attributes is refused
   as too complex to parse (as the parse refuses such an element: 1.5 s for those 5 MiB,
   the tags' text read in full), and reading the tags' text reads the deadline (5 MiB of
   8 KiB tags: 2.0 s).
3. **Text inside a ``<frameset>``** (false pass, older than r17): a browser that meets
   ``<frameset>`` before any body content shows only its frames and drops every other
   element and text in it (Chromium's DOM of such a page: ``<frameset>`` and
   whitespace); lxml keeps them (``<frameset><body><p>...``), and the reader read them
   as visible: the offering passed on a page its visitors see blank. Not through 1-7
   (bs4's tree read the same), found on the way. **Got through; fixed**: what a
   ``<frameset>`` holds is hidden ("text inside a <frameset> (a browser shows only its
   frames)"); a ``<frameset>`` a browser ignores (after body content) is read as hiding
   too, the safe side.
4. **Headings nested in headings** (denial of service, open): since ``2067343`` the walk
   gathers each heading's text as it reads the page, appending every string to every
   heading around it, and lxml nests ``<h1><h1>...`` where a browser closes the first.
   2,000 nested ``<h1>`` around 47,000 ``<br>y`` (243 KB, 49,004 ``<``, under --max-tags
   50,000 and the 2,048 depth limit): ``read_markup`` 15.9 s (under --parse-timeout 20 s,
   so read to the end) and 1.9 GB of memory, the headings holding 2,000 copies of the
   page's text; 1,500 around 40,000 ``<b>y</b>``: 9.5 s. **Got through; not fixed in
   this round** (strict xfail): a fix keeps each heading's strings as a range of one list
   (linear to gather) and bounds what the headings' texts hold in all; it changes the
   walk the reading oracle compares on every page, too much to do safely in the time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from plugins.membership import MembershipCheck
from tests.fetch.test_tree_reading import _same
from tests.gaming.test_attacks_r17 import offering_of
from tests.helpers import html_page
from verifier import Page, Status
from verifier.fetch.bounded import Overtime
from verifier.fetch.treeread import MAX_ATTRIBUTES, TooComplex, outer_attributes, read_markup
from verifier.models import RequirementResult
from verifier.sites import SiteServer
from verifier.testing import make_submission, run_check, settings_for

BASE = "http://acme.example/"

_PAGE = (
    "<html><head><title>Proto Lens</title>{style}</head>{decoy}<body><main><h1>Proto Lens</h1>"
    "<p>Proto Lens pricing: from $9 per seat per month. Start a free trial today.</p>"
    "</main>{later}</html>"
)


def _page(decoy: str, later: str, style: str = "") -> Page:
    """The pricing page, ``decoy`` before its ``<body>``, ``later`` after its content."""
    return html_page(_PAGE.format(decoy=decoy, later=later, style=style), BASE)


def _offering_of(
    fake_sites: Callable[[Path], SiteServer], tmp_path: Path, pages: dict[str, str | bytes]
) -> Callable[[str], RequirementResult]:
    """Hidecorp's offering check on its site of ``pages`` (test_attacks_r17.offering_of)."""
    return offering_of(fake_sites, tmp_path, pages, "r17b-hidecorp.example")


_ONLY_HIDDEN = (
    "only content hidden from visitors shows that Proto Lens is purchasable ('Proto Lens "
    "Proto Lens pricing: from $9 per seat per month. Start a free trial…', set aside); "
    "a person must judge"
)
"""The offering's summary on a Proto Lens page whose pricing a browser hides."""


_HIDING_CLASS = "<style>.off{display:none}</style>"


@pytest.mark.parametrize(
    ("decoy", "later", "style"),
    [
        ("<!-- <body style='color:red'> -->", "<body style='display:none'>", ""),
        ('<script>var t = "<body style=color:red>";</script>', "<body style=display:none>", ""),
        ("<!-- <body class=on> -->", "<body class=off>", _HIDING_CLASS),
        ("<!-- <html style='color:red'> -->", "<html style='display:none'>", ""),
        ("<template><body style=''></template>", "<BODY STYLE='display:none'>", ""),
    ],
)
def test_a_decoy_body_tag_does_not_unhide_a_later_one(decoy: str, later: str, style: str) -> None:
    # Chromium's DOM of the first page: <body style="display:none"> (the comment's tag
    # skipped, the later one's style added). The reader kept the decoy's value: all seen.
    page = _page(decoy, later, style)
    assert "pricing" not in page.visible_text
    assert page.visible_text == "Proto Lens"  # the title, outside the body
    assert [h.reason for h in page.hidden_passages][:1] == ["the hidden attribute"]
    assert [(h.name, h.text, h.hidden) for h in page.headings] == [
        ("title", "Proto Lens", None),
        ("h1", "", "the hidden attribute"),
    ]


def test_tags_that_agree_or_a_body_that_has_the_attribute_read_as_before() -> None:
    # One value in every tag is added as it is (no decoy can be told from it) ...
    same = _page("<!-- <body style='display:none'> -->", "<body style='display:none'>")
    assert [h.reason for h in same.hidden_passages][:1] == ["display:none in its style attribute"]
    # ... two values of a style the body lacks hide it (either tag could be the one) ...
    two = _page("", "<body style='display:none'><body style='color:red'>")
    assert [h.reason for h in two.hidden_passages][:1] == ["the hidden attribute"]
    # ... and the body's own attribute wins over any later one, as in a browser.
    own = _PAGE.replace("<body>", "<body style='color:blue'>").format(
        decoy="", style="", later="<body style='display:none'><body style='color:red'>"
    )
    _same(own)
    assert "pricing" in html_page(own, BASE).visible_text


def test_a_decoy_body_tag_before_a_hiding_one_is_not_a_pass(
    fake_sites: Callable[[Path], SiteServer], tmp_path: Path
) -> None:
    # On r17-b the offering passed on decoy.htm, "Proto Lens ... is purchasable", quoting
    # the pricing a visitor never sees (the page is blank in Chromium).
    decoy = "<!-- <body style='color:red'> -->"
    offering = _offering_of(
        fake_sites,
        tmp_path,
        {
            "decoy": _PAGE.format(decoy=decoy, style="", later="<body style='display:none'>"),
            "shown": _PAGE.format(decoy=decoy, style="", later=""),
        },
    )
    gamed = offering("decoy")
    assert gamed.status == Status.NEEDS_REVIEW, gamed.summary
    assert gamed.summary == _ONLY_HIDDEN
    shown = offering("shown")
    assert shown.status == Status.PASS, shown.summary


def _named_tags(tags: int, first: int = 0) -> str:
    """``tags`` later ``<body>`` tags of 256 names each, none named twice."""
    return "".join(
        "<body " + " ".join(f"a{first + k * 256 + i}" for i in range(256)) + ">"
        for k in range(tags)
    )


def test_a_body_given_too_many_attributes_by_its_tags_is_refused() -> None:
    # Each tag is within the parse's 256, together 512 names lxml would add one by one
    # (51,200 over 200 tags took 11 s): refused as the parse refuses such an element.
    with pytest.raises(TooComplex) as caught:
        read_markup(f"<html><body><p>Acme is a member</p>{_named_tags(2)}</html>", BASE)
    assert str(caught.value) == (
        "a <body> given 512 attributes by its tags, over the 256 the parser reads in time"
    )
    root = "<html " + " ".join(f"r{i}" for i in range(200)) + "><body><p>Acme</p>"
    with pytest.raises(TooComplex, match=r"^a <html> given 456 attributes by its tags"):
        read_markup(root + "<html " + " ".join(f"s{i}" for i in range(256)) + ">", BASE)


def test_a_body_given_256_attributes_in_all_is_read_with_all_of_them() -> None:
    # 255 names of its tags and the body's own: 256, read whole (a `hidden` among them).
    names = " ".join(f"a{i}" for i in range(MAX_ATTRIBUTES - 2))
    text = f"<html><body id=x><p>Acme is a member</p><body {names}><body hidden></html>"
    read = read_markup(text, BASE)
    assert read.view.visible_text == ""
    assert [h.reason for h in read.view.hidden] == ["the hidden attribute"]
    assert len(outer_attributes(text)["body"]) == MAX_ATTRIBUTES


def test_reading_the_body_tags_reads_the_deadline() -> None:
    text = "<html><body><p>Acme</p>" + "<body a>" * 20 + "</html>"
    assert outer_attributes(text, time.monotonic() + 60)["body"] == {"a": ""}
    with pytest.raises(Overtime, match="reading the page's <body> and <html> tags went past"):
        outer_attributes(text, time.monotonic() - 1)


def test_a_directory_of_many_body_tags_is_an_error_naming_it(
    fake_sites: Callable[[Path], SiteServer], tmp_path: Path
) -> None:
    page = tmp_path / "dir.example" / "members" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text(f"<html><body><ul><li>Acme</li></ul>{_named_tags(3)}</html>")
    result = run_check(
        MembershipCheck(),
        make_submission(applicant={"name": "Acme", "website": "http://acme.example/"}),
        {"sources": ["finops-members"]},
        settings=settings_for(fake_sites(tmp_path)),
        sources={"finops-members": "http://dir.example/members/"},
    )
    assert result.status == "error"
    assert result.summary == (
        "finops-members: could not read the directory: http://dir.example/members/ could not "
        "be fetched (too complex to parse: a <body> given 768 attributes by its tags, over "
        "the 256 the parser reads in time)"
    )


_FRAMESET = (
    "<html><head><title>Proto Lens</title></head><frameset><h1>Proto Lens</h1>"
    "<p>Proto Lens pricing: from $9 per seat per month. Start a free trial today.</p>"
    "</frameset></html>"
)


def test_text_inside_a_frameset_is_hidden_as_a_browser_drops_it() -> None:
    # Chromium's DOM: <frameset> holding only whitespace; the title stays.
    page = html_page(_FRAMESET, BASE)
    assert page.visible_text == "Proto Lens"
    assert [(h.text, h.reason) for h in page.hidden_passages] == [
        (
            "Proto Lens Proto Lens pricing: from $9 per seat per month. Start a free trial today.",
            "text inside a <frameset> (a browser shows only its frames)",
        )
    ]
    _same(_FRAMESET)


def test_a_frameset_page_with_pricing_is_not_a_pass(
    fake_sites: Callable[[Path], SiteServer], tmp_path: Path
) -> None:
    # On r17-b: "Proto Lens is listed at .../frames.htm and is purchasable".
    result = _offering_of(fake_sites, tmp_path, {"frames": _FRAMESET})("frames")
    assert result.status == Status.NEEDS_REVIEW, result.summary
    assert result.summary == _ONLY_HIDDEN


def test_nested_headings_holding_the_square_of_the_page_are_refused() -> None:
    # Attack r17b-4: each heading holds the text inside it, and lxml nests <h1><h1>...
    # where a browser closes the first: 2,000 deep around 47,000 strings held 1.9 GB and
    # read for 15.9 s. Past four times the page's text (and 64 KiB) in all, the page is
    # refused as too complex, never read in part. (Small here: 300 deep, 30,000 strings.)
    text = "<html><body>" + "<h1>" * 300 + "<br>y" * 30_000 + "</body></html>"
    with pytest.raises(TooComplex, match="headings nested in headings"):
        read_markup(text, BASE)
    # Headings nested a few deep, or many side by side, read as before.
    few = "<html><body>" + "<h1>" * 3 + "<br>y" * 30_000 + "</body></html>"
    assert len(read_markup(few, BASE).view.headings) == 3
    many = "<html><body>" + "<h2>y</h2>" * 5_000 + "</body></html>"
    assert len(read_markup(many, BASE).view.headings) == 5_000


def test_a_later_body_tag_with_a_name_lxml_cannot_hold_is_read_not_a_crash() -> None:
    # Found by the spliced pages: a control character in a later <body>'s attribute name
    # made lxml raise ValueError (a traceback) when asked whether the body had it.
    text = "<html><body><p>Proto Lens pricing</p><body a\x01b=1 hidden></body></html>"
    read = read_markup(text, BASE)
    assert "pricing" not in read.view.visible_text


@pytest.mark.parametrize(
    "later", ['<body hidden="\x01">', '<body hidden="\x00on">', '<body style="display:none;\x02">']
)
def test_a_later_body_attribute_valued_with_a_control_character_still_hides(later: str) -> None:
    # lxml refuses a control character in an attribute's value, and the refusal left the
    # attribute out: `<body hidden="\x01">` (hidden in a browser) read as visible. The
    # value is added with such characters replaced.
    text = f"<html><body><p>Proto Lens pricing</p>{later}</body></html>"
    assert "pricing" not in read_markup(text, BASE).view.visible_text
    assert "pricing" not in html_page(text).visible_text
