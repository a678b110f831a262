"""A hostile applicant, round r16b: two speed changes of issue 10 to how pages are read,
each meant to give the same readings as the code before them.

1. **Tags listed while parsing** (``c23c0cc``: ``page._Builder.named``,
   ``bounded.tags_named``, both gone since pages are read from lxml's tree; the pages
   below now pin that reading against the old one): the stylesheets, SVG uses, titles,
   scripts and the not-found heading were taken from the list the parser made instead
   of bs4's ``find_all``.
   Titles, styles, scripts, links and uses in odd places (SVG, MathML, ``<template>``,
   ``<noscript>``, head and body, upper case, ``<pre>``, ``<textarea>``, raw text, after
   ``</html>``, in comments, namespaced): the very tags ``find_all`` finds, and every
   reading (titles, visible text, hidden passages, links, shell notes) the one made with
   ``find_all``. Pages parsed on six threads at once keep their own lists. Held.
2. **Hiding rules kept per CSS** (``b530c4d``: ``stylesheets._kept_rules``): the same
   CSS on a page that hides and one that must show, the order of the rules (which rule
   a passage names), ``data:`` links, ``@import``, ``media=print``, CSS just under and
   over 16 KiB, eviction while a page is read, six threads reading pages of twenty
   stylesheets: every reading the one made without the cache. Held. **Memory did not
   hold**: 16 KiB of CSS made of many one-character selectors and one long hiding
   declaration (``丂,丄,...{left:-9999px 😀😀...}``) made 136 MB of rules (the reason text
   copied once per selector), now kept for the run, sixteen sets of it: 2.2 GB held by
   one applicant's sixteen pages. Fixed: a rule's declaration is one string shared by
   its selectors (2.3 MB for that sheet; the reasons are unchanged). The same text was
   copied into the reason of every element the rule hides (2,000 elements: 65 MB for one
   page's view, before these commits too): a page's rules now make each reason once.
3. **No deadline for a kept sheet**: two patterns of ``verifier.fetch.css`` read a value
   in time quadratic in its length (16 KiB: 32 s; an inline style of 200,000 digits would
   take hours between two deadline checks). Rewritten to read the same in linear time.
"""

from __future__ import annotations

import itertools
import re
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from lxml import etree

from tests.fetch.test_tree_reading import _same
from tests.helpers import html_page
from verifier import Page
from verifier.fetch import css as css_module
from verifier.fetch import stylesheets as sheets_module
from verifier.fetch.stylesheets import StyleRules
from verifier.toolkit.pages import built_by_javascript

# --- 1. tags listed while parsing --------------------------------------------------------

_ODD_PLACES = {
    "svg-title-first": '<svg><title>Tooltip</title><use href="#a"/></svg><title>Real</title>',
    "math-title": "<math><title>M</title></math><h1>Page not found</h1>",
    "template-title": "<template><title>Inert</title><style>.a{display:none}</style>"
    "</template><p class=a>shown</p>",
    "noscript-all": '<noscript><title>N</title><script>x</script><link rel=stylesheet href="'
    'data:text/css,.a{display:none}"><style>.b{display:none}</style></noscript>'
    "<p class=a>A</p><p class=b>B</p>",
    "head-and-body": "<title>Head</title></head><body><title>Body</title><h1>x</h1>",
    "upper-case": "<TITLE>Up</TITLE><STYLE>.A{DISPLAY:NONE}</STYLE><P CLASS=A>hid</P>"
    "<SCRIPT>1</SCRIPT><H1>Not Found</H1>",
    "inside-pre": "<pre><title>P</title><style>.p{display:none}</style></pre><p class=p>q</p>",
    "textarea": "<textarea><title>no</title><style>.t{display:none}</style></textarea>"
    "<p class=t>kept</p>",
    "raw-text": "<script>document.write('<title>w</title><style>.r{display:none}</style>')"
    "</script><style>/* <title>s</title> */</style><p class=r>r</p>",
    "comment": "<!-- <title>c</title><style>.c{display:none}</style> --><p class=c>c</p>",
    "cdata": "<![CDATA[<title>d</title>]]><p>d</p>",
    "after-html": "</body></html><title>Late</title><style>.z{display:none}</style>"
    "<p class=z>after</p><script>1</script>",
    "nested-title": "<title><title>inner</title></title><h1><h1>404</h1></h1>",
    "title-in-title-svg": "<svg><foreignObject><title>FO</title></foreignObject></svg>",
    "namespaced": "<svg:title>ns</svg:title><{urn:e}title>braced</{urn:e}title>"
    "<{urn:e}style>.n{display:none}</{urn:e}style><p class=n>n</p>",
    "svg-uses": "</head><body>"
    + "".join(f'<svg><use href="#i{i}"/></svg>' for i in range(70))
    + '<svg><defs><text id="i3">used</text><text id="x">unused</text></defs></svg>',
    "uses-past-the-cap": "</head><body><svg>" + '<use href="#i3"/>' * 101 + "</svg>"
    '<svg><defs><text id="i3">used</text></defs></svg>',
    "table": "<table><title>T</title><style>.t{display:none}</style><tr><td class=t>c"
    "</td></tr></table>",
    "select": "<select><style>.s{display:none}</style><option class=s>o</option></select>",
    "frameset": "<frameset><title>F</title></frameset><noframes><h1>nf</h1></noframes>",
    "print-and-data": '<link rel="stylesheet" media=print href="data:text/css,.p{display:'
    'none}"><link REL="Stylesheet" href="data:text/css;base64,LmR7ZGlzcGxheTpub25lfQ==">'
    "<style media=PRINT>.q{display:none}</style><style>@import url(data:text/css,.i{displ"
    "ay:none});</style><p class=p>p</p><p class=d>d</p><p class=q>q</p><p class=i>i</p>",
    "shell": "<div id=root></div>" + "<script src=/a.js></script>" * 3,
}


def _reading(page: Page) -> tuple[Any, ...]:
    """Everything a check reads of a page that the listed tags feed."""
    return (
        page.document_title,
        page.every_title(),
        page.visible_text,
        page.hidden_passages,
        page.links,
        list(page.shape_notes),
        built_by_javascript(page),
    )


@pytest.mark.parametrize("html", list(_ODD_PLACES.values()), ids=list(_ODD_PLACES))
def test_tags_in_odd_places_read_as_find_all_reads_them(html: str) -> None:
    # The list of tags made while parsing is gone (pages are read from lxml's tree, r17):
    # these pages now pin that reading, compared with the bs4 readers as they were
    # (tests/fetch/reading_oracle.py, which finds the tags with find_all).
    _same(f"<html><head>{html}")


def test_pages_read_on_six_threads_keep_their_own_readings() -> None:
    # The reader pool reads up to six pages at once: each keeps its own title and rules.
    def read(i: int) -> tuple[str, list[str]]:
        hides = f"<style>.h{i}{{display:none}}</style>" if i % 2 else ""
        page = html_page(
            f"<html><head><title>Partner {i}</title>{hides}</head><body>"
            f"<p class=h{i}>secret {i}</p>" + "<p>x</p>" * 300 + "</body></html>"
        )
        return page.document_title, [h.text for h in page.hidden_passages]

    with ThreadPoolExecutor(6) as pool:
        got = list(pool.map(read, range(48)))
    assert got == [(f"Partner {i}", [f"secret {i}"] if i % 2 else []) for i in range(48)]


# --- 2. hiding rules kept per CSS --------------------------------------------------------


@pytest.fixture
def cold_cache() -> Any:
    sheets_module._kept_rules.cache_clear()
    yield
    sheets_module._kept_rules.cache_clear()


def _uncached(html: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, ...]:
    # Before b530c4d every page read its own rules: no CSS is small enough to be kept.
    with monkeypatch.context() as m:
        m.setattr(sheets_module, "_KEPT_CSS", -1)
        page = html_page(html)
        return page.visible_text, page.hidden_passages, page.links


def _kb_of_rules(size: int, last: str) -> str:
    filler = ".unused{color:red}"
    return filler * ((size - len(last)) // len(filler)) + last


_STYLED = {
    "attr-hides-one": "<style>[data-x=y]{display:none}</style>",
    "attr-other-page": "<style>[data-x=z]{display:none}</style>",
    "two-rules": "<style>.a{display:none}</style><style>p.a{visibility:hidden}</style>",
    "two-rules-swapped": "<style>p.a{visibility:hidden}</style><style>.a{display:none}</style>",
    "split-rule": "<style>.a{display:</style><style>none}</style>",
    "print-media": "<style media=print>.a{display:none}</style>",
    "print-at-media": "<style>@media print{.a{display:none}}</style>",
    "data-link": '<link rel=stylesheet href="data:text/css,.a%7Bdisplay:none%7D">',
    "import": "<style>@import 'data:text/css,.a{opacity:0}';</style>",
    "escapes": "<style>.\\61 {d\\isplay:n\\6f ne}</style>",
    "hover-only": "<style>.a:hover{display:none}</style>",
    "under-16k": "<style>" + _kb_of_rules(16 * 1024, ".a{display:none}") + "</style>",
    "over-16k": "<style>" + _kb_of_rules(16 * 1024 + 32, ".a{display:none}") + "</style>",
    "at-16k": "<style>" + _kb_of_rules(16 * 1024, ".a{left:-99999px}")[: 16 * 1024] + "</style>",
    "many-on-one-key": "<style>"
    + "".join(f".a[x='{i}']{{display:none}}" for i in range(300))
    + "</style>",
}
_BODY = '<p class=a data-x=y>A <a href="/a">l</a></p><p data-x=z>Z</p><p class=b>B</p>'


@pytest.mark.parametrize("head", list(_STYLED.values()), ids=list(_STYLED))
def test_kept_rules_read_as_each_page_read_its_own(
    head: str, cold_cache: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = f"<html><head><title>T</title>{head}</head><body>{_BODY}</body></html>"
    before = _uncached(html, monkeypatch)
    first = html_page(html)  # reads the rules (small CSS: kept)
    again = html_page(html)  # gets the kept ones
    assert (first.visible_text, first.hidden_passages, first.links) == before
    assert (again.visible_text, again.hidden_passages, again.links) == before


def test_the_same_css_hides_on_one_page_and_shows_on_another(cold_cache: None) -> None:
    # Shared rules, different pages: only the page whose element the rule selects hides.
    head = "<style>[data-x=y]{display:none}</style>"
    hides = html_page(f"<html><head>{head}</head><body><p data-x=y>Pricing</p></body>")
    shows = html_page(f"<html><head>{head}</head><body><p data-x=Y>Pricing</p></body>")
    for _ in range(2):
        assert "Pricing" not in hides.visible_text
        assert shows.visible_text == "Pricing"
        assert shows.hidden_passages == ()


def test_which_rule_a_passage_names_follows_the_page_order_not_the_cache(
    cold_cache: None,
) -> None:
    first = "<style>.a{display:none}</style><style>p{visibility:hidden}</style>"
    second = "<style>p{visibility:hidden}</style><style>.a{display:none}</style>"
    reasons = []
    for head in (first, second, first, second):
        page = html_page(f"<html><head>{head}</head><body><p class=a>A</p></body></html>")
        reasons.append(page.hidden_passages[0].reason)
    # The page's own first matching key (its class before its tag), every time.
    assert reasons == ["the rule .a {display:none} of the page's <style>"] * 4


def test_a_page_reading_while_its_rules_are_evicted_keeps_them(cold_cache: None) -> None:
    css = ".promo{display:none}"
    mine = StyleRules([css])
    for i in range(40):  # forty other partners' sheets push it out of the cache
        StyleRules([f".other{i}{{display:none}}"])
    tag = etree.fromstring(b"<p class=promo>P</p>", etree.HTMLParser()).find(".//p")
    assert mine.hides_element("p", tag) == "the rule .promo {display:none} of the page's <style>"
    assert StyleRules([css]).hides_element("p", tag) == mine.hides_element("p", tag)
    assert sheets_module._kept_rules.cache_info().currsize == 16


def test_six_threads_reading_twenty_stylesheets_read_each_pages_own(
    cold_cache: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two partners' pages read at once in one recheck: twenty stylesheets (more than the
    # cache keeps), each hiding a class on some pages and nothing on others.
    def html(i: int) -> str:
        rule = f".c{i % 20}{{display:none}}" if i % 3 else f".c{i % 20}{{color:red}}"
        return (
            f"<html><head><style>{rule}</style></head><body>"
            f"<p class=c{i % 20}>secret {i}</p><p class=c{(i + 1) % 20}>open {i}</p></body>"
        )

    expected = [_uncached(html(i), monkeypatch) for i in range(120)]

    def read(i: int) -> tuple[Any, ...]:
        page = html_page(html(i))
        return page.visible_text, page.hidden_passages, page.links

    with ThreadPoolExecutor(6) as pool:
        assert list(pool.map(read, range(120))) == expected
    assert any("secret" not in text for text, _, _ in expected)  # some do hide
    assert any("secret" in text for text, _, _ in expected)  # some do not


def _wide_rule_css(seed: int) -> str:
    # One rule of 4,000 one-character selectors (distinct tags: no key collapses) and a
    # hiding declaration filling the rest of 16 KiB with four-byte characters.
    selectors = ",".join(chr(0x4E00 + seed * 5000 + i) for i in range(4000))
    value = "left:-9999px " + "\U0001f600" * (16 * 1024 - len(selectors) - 40)
    return selectors + "{" + value + "}"


def test_kept_rules_of_hostile_small_css_hold_little_memory(cold_cache: None) -> None:
    # The cache keeps sixteen sets for the run: each must stay small whatever the CSS.
    css = _wide_rule_css(0)
    assert len(css) <= 16 * 1024  # kept, read without a deadline
    tracemalloc.start()
    try:
        rules = StyleRules([css])
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert held < 8_000_000, f"{held / 1e6:.0f} MB of rules for 16 KiB of CSS"
    # The reason still names the whole rule, as before.
    # (lxml keeps no such tag name in HTML: the name is given by hand.)
    tag = etree.fromstring(b"<p>x</p>", etree.HTMLParser()).find(".//p")
    decl = css.split("{", 1)[1].rstrip("}")
    assert (
        rules.hides_element(chr(0x4E01), tag)
        == f"the rule {chr(0x4E01)} {{{decl}}} of the page's <style>"
    )
    assert rules.hides_element("p", tag) is None


# A kept sheet is read with no deadline (``b530c4d``: "at most about 27 ms"), and an inline
# style is read whole between two deadline checks: two patterns of verifier.fetch.css read
# a value in time quadratic in its length (16 KiB: ``left:111...1!`` 32 s, ``transform:
# aaa...(`` 4 s). They are written again to read the same in linear time; these are the
# patterns as they were, to show the readings are the same (the time is bench's:
# ``python -m bench parse_bounds``, page ``css-values``).
_OLD_LENGTH = re.compile(r"^(?:calc\(\s*)?([-+]?\d*\.?\d+(?:e[-+]?\d+)?)\s*([a-z%]*)(?:\s*\))?$")
_OLD_FUNCTION = re.compile(r"([a-z-]+)\(([^()]*)\)")


def _found(m: re.Match[str] | None) -> Any:
    return None if m is None else (m.span(), m.groups())


def test_css_numbers_and_functions_read_as_the_old_patterns_read_them() -> None:
    for size in range(6):
        for chars in itertools.product("1.e-+p%( )", repeat=size):
            value = "".join(chars)
            for text in (value, "calc(" + value):
                assert _found(css_module._LENGTH.match(text)) == _found(_OLD_LENGTH.match(text))
    for size in range(7):
        for chars in itertools.product("ab-( )0", repeat=size):
            value = "".join(chars)
            assert [_found(m) for m in css_module._FUNCTION.finditer(value)] == [
                _found(m) for m in _OLD_FUNCTION.finditer(value)
            ], value


def test_long_hostile_values_still_read_as_they_did(cold_cache: None) -> None:
    digits, name = "1" * 4000, "a" * 2000
    head = (
        f"<style>.x{{left:{digits}!}}.y{{transform:{name}(b}}.z{{left:-{digits}px}}"
        f".w{{transform:{name} scale(0.01)}}</style>"
    )
    body = (
        f"<p class=x>X</p><p class=y>Y</p><p class=z>Z</p><p class=w>W</p>"
        f'<p style="opacity:{digits}!">S</p><p style="transform:{name}(b;display:none">D</p>'
        f'<p style="font-size:.{digits}0px">F</p>'
    )
    page = html_page(f"<html><head>{head}</head><body>{body}</body></html>")
    assert page.visible_text == "X Y S"
    reasons = {h.text: h.reason for h in page.hidden_passages}
    assert reasons["Z"] == f"the rule .z {{left:-{digits}px}} of the page's <style>"
    assert reasons["W"] == f"the rule .w {{transform:{name} scale(0.01)}} of the page's <style>"
    assert reasons["D"] == "display:none in its style attribute"
    assert reasons["F"].startswith("font-size:.111")


def test_the_reason_of_a_long_rule_is_held_once_for_all_it_hides(cold_cache: None) -> None:
    # Each hidden element names its rule: 2,000 elements hidden by a rule of 16 KiB of
    # text held 65 MB of copies of it in one page's view.
    css = ".a{left:-9999px " + "\U0001f600" * 8000 + "}"
    html = f"<html><head><style>{css}</style></head><body>{'<p class=a>x</p>' * 2000}"
    page = html_page(html)
    page.soup  # noqa: B018 (parsed first: only the view is measured)
    tracemalloc.start()
    try:
        hidden = page.hidden_passages
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(hidden) == 2000
    rule = ".a {left:-9999px " + "\U0001f600" * 8000 + "}"
    assert {h.reason for h in hidden} == {f"the rule {rule} of the page's <style>"}
    assert held < 16_000_000, f"{held / 1e6:.0f} MB for one page's view"
