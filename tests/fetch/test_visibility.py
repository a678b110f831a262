"""What a visitor sees: hidden elements are set aside with their reason, never counted."""

from __future__ import annotations

import contextlib
import threading
import time
from typing import Any

import pytest

from tests.helpers import html_page
from verifier import Heading, Hidden, Link, Page
from verifier.fetch.bounded import Overtime
from verifier.fetch.stylesheets import stylesheets
from verifier.fetch.treeread import MAX_DEPTH, parse_tree
from verifier.fetch.visibility import walk


def _page(body: str, head: str = "") -> Page:
    html = f"<html><head><title>T</title>{head}</head><body>{body}</body></html>"
    return html_page(html, "http://a.example/p")


@pytest.mark.parametrize(
    ("body", "head", "reason"),
    [
        pytest.param(
            '<div style="display:none">SECRET</div>',
            "",
            "display:none in its style attribute",
            id="inline display none",
        ),
        pytest.param(
            '<div style="color:red; visibility : hidden !important">SECRET</div>',
            "",
            "visibility:hidden in its style attribute",
            id="inline visibility hidden among other declarations",
        ),
        pytest.param(
            '<span style="font-size:0px">SECRET</span>', "", "font-size:0px", id="font size zero"
        ),
        pytest.param('<p style="opacity:0">SECRET</p>', "", "opacity:0", id="opacity zero"),
        pytest.param(
            '<p style="position:absolute;left:-9999px">SECRET</p>',
            "",
            "left:-9999px",
            id="moved off screen",
        ),
        pytest.param("<p hidden>SECRET</p>", "", "the hidden attribute", id="hidden attribute"),
        pytest.param(
            '<div aria-hidden="true"><b>SECRET</b></div>',
            "",
            'aria-hidden="true"',
            id="aria hidden, text in a child",
        ),
        pytest.param("<template><p>SECRET</p></template>", "", "a <template>", id="template"),
        pytest.param("<dialog>SECRET</dialog>", "", "a closed <dialog>", id="closed dialog"),
        pytest.param(
            '<div class="x promo">SECRET</div>',
            "<style>/* c */ .promo { display: none }</style>",
            "the rule .promo {display:none} of the page's <style>",
            id="a class hidden by the page's own style",
        ),
        pytest.param(
            '<section><div id="p">SECRET</div></section>',
            "<style>body > section #p{visibility:hidden}</style>",
            "#p {visibility:hidden}",
            id="an id under a complex selector",
        ),
        pytest.param(
            '<div data-x="1">SECRET</div>',
            '<style>[data-x="1"]{display:none}</style>',
            '[data-x="1"] {display:none}',
            id="an attribute selector",
        ),
        pytest.param(
            '<div class="m">SECRET</div>',
            "<style>@media (min-width: 0px) { .m { display:none } }</style>",
            ".m {display:none}",
            id="a rule inside a media query that always applies",
        ),
        pytest.param(
            '<span class="sr-only">SECRET</span>',
            "<style>.sr-only{position:absolute;width:1px;height:1px;overflow:hidden}</style>",
            "width:1px with overflow:hidden",
            id="a one-pixel clipped box",
        ),
        pytest.param(
            '<div class="1x">SECRET</div>',
            "<style>.\\31 x{d\\isplay:n\\6f ne}</style>",
            "the rule .1x {display:none}",
            id="escapes in a selector and a declaration, read as CSS reads them",
        ),
        pytest.param(
            '<div class="ñpromo">SECRET</div>',
            "<style>/* a */ .ñpromo{display:/**/none}</style>",
            ".ñpromo {display:none}",
            id="a non-ASCII class and a comment inside a declaration",
        ),
        pytest.param(
            '<div data-x="promo">SECRET</div>',
            '<style>[data-x="PROMO" i]{display:none}</style>',
            '[data-x="PROMO" i] {display:none}',
            id="a case-insensitive attribute selector",
        ),
        pytest.param(
            '<div class="promo">SECRET</div>',
            '<link rel="stylesheet" href="data:text/css;base64,LnByb21ve2Rpc3BsYXk6bm9uZX0=">',
            ".promo {display:none}",
            id="a base64 data: stylesheet",
        ),
        pytest.param(
            '<div class="promo">SECRET</div>',
            "<style>@import 'data:text/css,@import url(data:text/css,.promo%7Bdisplay:none%7D)';"
            "</style>",
            ".promo {display:none}",
            id="an import of a data: stylesheet importing another",
        ),
        pytest.param(
            '<p style="transform:translate(-50%, -10000px)">SECRET</p>',
            "",
            "transform:translate(-50%, -10000px)",
            id="translated off screen",
        ),
        pytest.param(
            '<p style="max-height:0;overflow:visible scroll">SECRET</p>',
            "",
            "max-height:0 with overflow:scroll",
            id="no height, its overflow scrolled",
        ),
        pytest.param(
            '<p style="color:hsl(0 0% 0% / 2%)">SECRET</p>', "", "color:hsl", id="faint colour"
        ),
        pytest.param(
            "<audio controls>SECRET</audio>", "", "fallback content of an <audio>", id="audio"
        ),
        pytest.param(
            '<svg><title>SECRET</title><circle r="4"/></svg>', "", "an SVG <title>", id="svg title"
        ),
        pytest.param(
            "<svg><metadata>SECRET</metadata></svg>", "", "an SVG <metadata>", id="svg metadata"
        ),
        pytest.param(
            "<div popover>SECRET</div>", "", "a popover, shown only once opened", id="popover"
        ),
    ],
)
def test_hidden_content_is_set_aside_with_its_reason(body: str, head: str, reason: str) -> None:
    page = _page(f"<p>Shown text</p>{body}", head)
    assert "SECRET" not in page.visible_text
    assert "Shown text" in page.visible_text
    [hidden] = page.hidden_passages
    assert hidden.text == "SECRET"
    assert reason in hidden.reason


@pytest.mark.parametrize(
    ("body", "head"),
    [
        pytest.param(
            '<div class="x">SEEN</div>', "<style>.x:hover{display:none}</style>", id="hover"
        ),
        pytest.param(
            '<div class="x">SEEN</div>', "<style>.x::before{display:none}</style>", id="pseudo"
        ),
        pytest.param(
            '<div class="x">SEEN</div>', "<style>@media print{.x{display:none}}</style>", id="print"
        ),
        pytest.param(
            '<div class="y">SEEN</div>', "<style>.x{display:none}</style>", id="other class"
        ),
        pytest.param('<div style="display:block;opacity:1">SEEN</div>', "", id="showing style"),
        pytest.param("<details><p>SEEN</p></details>", "", id="closed details open on a click"),
        pytest.param(
            '<h1 style="background:linear-gradient(red,blue);-webkit-background-clip:text;'
            '-webkit-text-fill-color:transparent">SEEN</h1>',
            "",
            id="gradient text: transparent, painted through by its background",
        ),
        pytest.param(
            '<div style="position:absolute;left:50%;top:-50%;transform:translate(-50%,-50%)">'
            "SEEN</div>",
            "",
            id="centred by translate(-50%)",
        ),
        pytest.param(
            '<div data-x="promo">SEEN</div>',
            '<style>[data-x="PROMO"]{display:none}</style>',
            id="attribute values compare case-sensitively without i",
        ),
        pytest.param(
            '<svg><defs><text id="t">SEEN</text></defs><use href="#t"/></svg>',
            "",
            id="svg text a <use> shows",
        ),
        pytest.param(
            '<div class="x">SEEN</div>',
            '<link rel="stylesheet" media="print" href="data:text/css,.x%7Bdisplay:none%7D">',
            id="a print data: stylesheet",
        ),
        pytest.param('<p style="opacity:calc(1 - 1);margin:0 -20px">SEEN</p>', "", id="calc"),
    ],
)
def test_what_a_visitor_can_see_still_counts(body: str, head: str) -> None:
    page = _page(body, head)
    assert "SEEN" in page.visible_text
    assert page.hidden_passages == ()


def test_links_say_which_are_hidden_and_why() -> None:
    page = _page(
        '<a href="/a">Allocation</a>'
        '<div style="display:none"><a href="/b">Budgeting</a></div>'
        '<a href="/c"></a>'
        '<a href="/d"><img src="x.png" alt="Logo"></a>'
        '<a href="/e">Reporting <span hidden>Forecasting</span></a>'
    )
    assert page.links == (
        Link("http://a.example/a", "Allocation", None),
        Link("http://a.example/b", "Budgeting", "display:none in its style attribute"),
        Link("http://a.example/c", "", "a link with no text or image to click"),
        Link("http://a.example/d", "Logo", None),
        Link("http://a.example/e", "Reporting", None),
    )
    assert page.hidden_passages[-1] == Hidden("Forecasting", "the hidden attribute")


def test_the_hidden_reason_of_an_element_covers_its_descendants() -> None:
    page = _page('<ul style="display:none"><li><a href="/x">X</a></li></ul><p>Y</p>')
    a, p = page.soup.find("a"), page.soup.find("p")
    assert page.hidden_reason(a) == "display:none in its style attribute"
    assert page.hidden_reason(p) is None


def test_a_deep_page_is_read_whole_in_one_walk() -> None:
    # 45,000 nested <div> took 80 s when every string walked up its parents; one walk in
    # document order reads it whole (the bench measures the time: bench/parse_bounds.py).
    # (Past MAX_DEPTH levels lxml's tree stops and the fetch layer refuses the page:
    # tests/fetch/test_parsing.py.)
    depth = MAX_DEPTH - 10
    page = _page("<div>x " * depth + "<p hidden>deep</p>" + "</div>" * depth)
    assert page.visible_text.count("x") == depth
    assert page.hidden_passages == (Hidden("deep", "the hidden attribute"),)


def test_many_hiding_rules_on_one_class_still_hide_it() -> None:
    rules = "".join(f".k.v{i}{{display:none}}" for i in range(100))
    page = _page('<p class="k v99">SECRET</p><p class="z">SEEN</p>', f"<style>{rules}</style>")
    assert "SECRET" not in page.visible_text
    assert "SEEN" in page.visible_text


def test_pages_with_the_same_style_read_alike_and_another_style_reads_its_own() -> None:
    # A small stylesheet's rules are read once and kept for the next page carrying the
    # same CSS (the pages of one site): a page with other CSS must not get them.
    hides = "<style>.promo{display:none}</style>"
    shows = "<style>.promo{color:red}</style>"
    body = '<p class="promo">PRICING</p><p>seen</p>'
    for _ in range(2):
        for head, hidden in ((hides, True), (shows, False), (hides, True)):
            page = _page(body, head)
            assert ("PRICING" not in page.visible_text) is hidden, head
            assert page.hidden_passages == (
                (Hidden("PRICING", "the rule .promo {display:none} of the page's <style>"),)
                if hidden
                else ()
            )
    big = "<style>" + ".unused{color:red}" * 1_000 + ".promo{display:none}</style>"  # 18 KB
    assert "PRICING" not in _page(body, big).visible_text


@pytest.mark.parametrize("unclosed", ["[", "("])
def test_a_selector_too_long_to_read_is_taken_to_select_every_element(unclosed: str) -> None:
    # Finding the subject of `p[[[[...` took time quadratic in its length (64,000
    # characters: 8 s, with no look at the clock): past 2,048 characters a selector is
    # taken to select every element, so what it may hide is read as hidden, never shown.
    body = "<p>PRICING</p><div>other</div>"
    for size in (3_000, 60_000):  # kept for the run, and read under the deadline
        page = _page(body, f"<style>p{unclosed * size}{{display:none}}</style>")
        assert "PRICING" not in page.visible_text
        assert "other" not in page.visible_text
        (passage,) = page.hidden_passages
        assert passage.text == "PRICING other"
        assert f"(a selector of {size + 1} characters, too long to read" in passage.reason
    # Under the bound, the subject is read: only <p> is hidden.
    page = _page(body, f"<style>p{unclosed * 2_000}{{display:none}}</style>")
    assert "other" in page.visible_text


def test_reading_a_page_gives_up_by_itself_at_its_deadline() -> None:
    # A thread cannot be killed, so the parse and the walk check the deadline themselves:
    # past it, the worker stops instead of running on after the fetch gave up.
    big = _page("<p>x" * 2_000)
    with pytest.raises(Overtime, match="the parse went past its deadline"):
        big.read_by(time.monotonic() - 1)
    assert not big.parsed
    with pytest.raises(Overtime, match="reading the page went past its deadline"):
        _walk_until(big, time.monotonic() - 1)  # parsed already: the walk itself gives up
    big.read_by(None)
    assert big.visible_text.count("x") == 2_000


def _walk_until(page: Page, deadline: float) -> None:
    """The walk of ``page``'s lxml tree alone, with its stylesheets, given ``deadline``."""
    root = parse_tree(page.text)
    sheets = stylesheets(root.iter("style", "link"))
    walk([root], page.final_url, None, sheets, list(root.iter("use")), deadline)


def _class_bomb(elements: int, classes: int, per_class: int) -> Page:
    """Every element carries every class; each class keys ``per_class`` two-class rules
    that select nothing (the second class is on no element): the walk tries them all."""
    rules = "".join(f".c{i}.z{j}{{display:none}}" for i in range(classes) for j in range(per_class))
    names = " ".join(f"c{i}" for i in range(classes))
    body = "".join(f'<p class="{names}">seen {k}</p>' for k in range(elements))
    return _page(body + '<p class="c0 z0">SECRET</p>', f"<style>{rules}</style>")


def test_a_page_of_many_classes_and_rules_is_read_within_its_deadline() -> None:
    # 600 classes x 32 rules on 700 elements (2.4 MB) ran 82 s past a 2 s deadline: the
    # classes were gathered again for every rule and the deadline read every 1024 nodes.
    bomb = _class_bomb(700, 600, 32)
    # (its 2.4 MB of rules are read first, and give up first)
    with pytest.raises(Overtime, match="reading the page's <style> went past its deadline"):
        _walk_until(bomb, time.monotonic() - 1)
    small = _class_bomb(20, 6, 32)  # 192 rules to try on each element: all tried
    assert small.visible_text.count("seen") == 20
    assert small.hidden_passages == (
        Hidden("SECRET", "the rule .c0.z0 {display:none} of the page's <style>"),
    )
    # Past 256 rules to try on one element, it is read as hidden: a person looks.
    too_many = "more than 256 rules of the page's <style> to try on it"
    assert [h.reason for h in bomb.hidden_passages].count(too_many) == 700
    assert "seen" not in bomb.visible_text


def test_a_link_that_shows_nothing_a_visitor_can_click_is_hidden() -> None:
    page = _page(
        '<a href="/a"><img src="x.png" style="display:none"></a>'
        '<a href="/b"><img class="gone" src="x.png" alt="Budgeting"></a>'
        '<a href="/c">\u200b</a>'
        '<a href="/d"><img src="x.png" alt="Allocation"></a>'
        '<a href="/e">Ac\u200bme</a>',
        "<style>.gone{display:none}</style>",
    )
    seen = {link.href.rsplit("/", 1)[1]: (link.text, link.hidden) for link in page.links}
    assert seen["a"] == ("", "a link with no text or image to click")
    assert seen["b"] == ("", "a link with no text or image to click")
    assert seen["c"] == ("", "a link with no text or image to click")
    assert seen["d"] == ("Allocation", None)
    assert seen["e"] == ("Acme", None)


def test_a_link_whose_only_image_is_a_pixel_is_hidden() -> None:
    # A tracking-pixel link (attack2): width/height of 2px or less, by attribute or inline
    # style, shows nothing to click; its alt is no text a visitor reads either.
    page = _page(
        '<a href="/a"><img src="p.gif" width="1" height="1" alt="allocation"></a>'
        '<a href="/b"><img src="p.gif" style="width: 2px; height: 40px" alt=""></a>'
        '<a href="/c"><svg height="0"><circle r="1"/></svg></a>'
        '<a href="/d"><img src="p.gif" width="1px"></a>'
        '<a href="/e"><img src="p.gif" width="1" height="1">Budgeting</a>'
        '<a href="/f"><img src="p.gif" width="1" height="1"><img src="i.png" alt="Logo"></a>'
    )
    seen = {link.href.rsplit("/", 1)[1]: (link.text, link.hidden) for link in page.links}
    pixel = "a link whose only image is too small to see (2 pixels or less)"
    assert seen["a"] == ("", pixel)
    assert seen["b"] == ("", pixel)
    assert seen["c"] == ("", pixel)
    assert seen["d"] == ("", pixel)
    assert seen["e"] == ("Budgeting", None)  # its text is seen
    assert seen["f"] == ("Logo", None)  # another image is seen


def test_control_an_icon_of_16_pixels_still_shows_its_link() -> None:
    page = _page(
        '<a href="/a"><img src="i.png" width="16" height="16" alt="GitHub"></a>'
        '<a href="/b"><img src="i.png" style="width:16px;height:16px"></a>'
        '<a href="/c"><img src="i.png" width="3" height="3" alt="Dot"></a>'
        '<a href="/d"><img src="i.png" style="width:1em" alt="Em"></a>'
    )
    seen = {link.href.rsplit("/", 1)[1]: (link.text, link.hidden) for link in page.links}
    assert seen == {
        "a": ("GitHub", None),
        "b": ("", None),
        "c": ("Dot", None),
        "d": ("Em", None),
    }


def test_a_page_of_ordinary_attribute_rules_is_not_read_as_all_hidden() -> None:
    # 40 attribute selectors that hide (normalize.css has [hidden], frameworks have more):
    # filed under no class, id or tag, they must not collapse into "every element".
    rules = "".join(f'[data-state-{i}="off"]{{display:none}}' for i in range(40))
    page = _page('<p>SEEN</p><p data-state-3="off">SECRET</p>', f"<style>{rules}</style>")
    assert "SEEN" in page.visible_text
    assert "SECRET" not in page.visible_text


def test_an_elements_shown_text_is_the_walks_own_verdict_on_each_string() -> None:
    page = _page(
        '<h1>Cloud<span style="display:none"> FinOps</span> consulting'
        "<script>var x = 'FinOps';</script><!-- FinOps --></h1>"
        "<h2>Plain</h2>"
    )
    h1, h2 = page.soup.find("h1"), page.soup.find("h2")
    assert page.shown_text(h1) == ("Cloud consulting", "display:none in its style attribute")
    assert page.shown_text(h2) == ("Plain", None)
    assert page.shown_text(page.soup.title) == ("T", None)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        pytest.param(
            "<p><title>SECRET</title></p>", "a <title> outside the page's head", id="title"
        ),
        pytest.param("<ruby>x<rp>SECRET</rp></ruby>", "a ruby fallback <rp>", id="rp"),
        pytest.param(
            '<svg><defs><text id="d">SECRET</text></defs></svg>'
            '<div hidden><svg><use href="#d"/></svg></div>',
            "an SVG <defs>",
            id="defs shown only by a hidden use",
        ),
    ],
)
def test_what_a_browser_never_draws_is_hidden(body: str, reason: str) -> None:
    page = _page(f"<p>Shown</p>{body}")
    assert "SECRET" not in page.visible_text
    assert any(h.text == "SECRET" and reason in h.reason for h in page.hidden_passages)


def test_the_page_title_is_the_heads_collapsed_as_the_visible_text_is() -> None:
    html = "<html><head><title>Ini\u00adtech story</title></head><body><p>Body</p></body></html>"
    view = html_page(html).view
    assert view.title == "Initech story"
    assert view.visible_text == "Initech story Body"


def test_page_headings_give_each_title_and_heading_as_a_visitor_sees_it() -> None:
    # Page.headings (public: verifier.Heading): every <title> and <h1>-<h6> in order, with
    # the words a visitor sees, the words it hides too, and why the element is hidden.
    page = _page(
        "<h1>Cloud<span hidden> FinOps</span> Lens</h1>"
        "<svg><title>tip</title></svg>"
        '<h3 style="display:none">Pricing</h3>'
    )
    assert page.headings == (
        Heading("title", "T", "T", None),
        Heading("h1", "Cloud Lens", "Cloud FinOps Lens", None),
        Heading("title", "", "tip", "an SVG <title>"),
        Heading("h3", "", "Pricing", "display:none in its style attribute"),
    )


def test_threads_reading_one_shared_page_at_once_read_one_tree(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In a re-check, the partners' checks read one shared page (a group page, a member
    directory) in several page reader threads at once: each gets the same tree, and a
    hidden element reads as hidden in every one of them. (Parsed twice, a tag of one tree
    was unknown to the marks made from the other, and read as shown.)"""
    page = html_page(
        '<ul><li>Acme Corp</li><li style="display:none">Hidden Co</li></ul>',
        "http://group.test/",
    )
    page.read_by(None)  # the fetch layer reads it before any check does
    parse = Page._parse
    both_parsing = threading.Barrier(2, timeout=0.5)

    def slow_parse(self: Page, deadline: float | None) -> Any:
        with contextlib.suppress(threading.BrokenBarrierError):
            both_parsing.wait()  # both threads parse at once, if the page lets them
        return parse(self, deadline)

    monkeypatch.setattr(Page, "_parse", slow_parse)
    seen: list[tuple[int, str | None]] = []

    def check() -> None:
        hidden = page.soup.find_all("li")[1]
        seen.append((id(page.soup), page.hidden_reason(hidden)))

    threads = [threading.Thread(target=check) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({tree for tree, _ in seen}) == 1
    assert all(why is not None for _, why in seen), seen


def test_characters_that_show_nothing_are_not_text_a_visitor_reads() -> None:
    """A soft hyphen or a zero-width space shows nothing: "Ac\u200bme" reads "Acme", and a
    link whose only text is one shows nothing to click."""
    view = html_page(
        "<html><head><title>Acme</title></head><body><p>Ac\u200bme Cl\u00adoud</p>"
        "<a href='/x'>\u200b</a><a href='/y'>Go</a></body></html>",
        "https://acme.example/",
    ).view
    assert "Acme Cloud" in view.visible_text
    links = {link.href: link for link in view.links}
    assert links["https://acme.example/x"].hidden == "a link with no text or image to click"
    assert links["https://acme.example/y"].hidden is None
