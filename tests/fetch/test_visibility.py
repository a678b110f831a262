"""What a visitor sees: hidden elements are set aside with their reason, never counted."""

from __future__ import annotations

import time

import pytest

from tests.helpers import html_page
from verifier import Hidden, Link, Page
from verifier.fetch.visibility import Overtime


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
    depth = 45_000
    page = _page("<div>x " * depth + "<p hidden>deep</p>" + "</div>" * depth)
    assert page.visible_text.count("x") == depth
    assert page.hidden_passages == (Hidden("deep", "the hidden attribute"),)


def test_many_hiding_rules_on_one_class_still_hide_it() -> None:
    rules = "".join(f".k.v{i}{{display:none}}" for i in range(100))
    page = _page('<p class="k v99">SECRET</p><p class="z">SEEN</p>', f"<style>{rules}</style>")
    assert "SECRET" not in page.visible_text
    assert "SEEN" in page.visible_text


def test_reading_a_page_gives_up_by_itself_at_its_deadline() -> None:
    # A thread cannot be killed, so the parse and the walk check the deadline themselves:
    # past it, the worker stops instead of running on after the fetch gave up.
    big = _page("<p>x" * 2_000)
    with pytest.raises(Overtime):
        big.read_by(time.monotonic() - 1)  # in the parse
    assert not big.parsed
    big.read_by(None)
    walked = _page("<p>x" * 2_000)
    walked.__dict__["_soup"] = big.soup  # parsed already: the walk itself gives up
    with pytest.raises(Overtime):
        walked.read_by(time.monotonic() - 1)
    assert "_view" not in walked.__dict__
