"""A hostile applicant, round r15: three late speed changes of issue 10 to how pages
are read (``16761e2``, ``f5cce9a``, ``53a7df9``), each meant to give the same verdicts.

The applicant controls its pages and wants a reading that differs from the one before
the changes (a hidden passage read as visible, another title, a shell that is not one):

1. **The fast tag start** (``page._Builder``): attribute values no longer type-checked,
   each tag name's multi-valued attributes looked up once per page. Upper-case tag and
   attribute names (``<P CLASS>``, ``REL``, ``HEADERS``), repeated and mixed-case
   attributes, odd whitespace in class lists: the tree is bs4's own and a class the
   page's style hides still hides. Held.
2. **Scripts counted only under the text bound** (``content.shape_notes``,
   ``toolkit.pages.built_by_javascript``): text exactly at the bounds, padded with hidden
   or ``<noscript>`` text, scripts in the head or the body. Held.
3. **Titles found once per page** (``Page._title_tags``): titles in SVG, MathML,
   ``<template>``, ``<noscript>``, upper-case ``<TITLE>``, a page read by two checks in
   either order and its copy with notes. Held.

The same pages were read with the code before the three commits (``16761e2~1``): every
title, visible text, hidden passage, link, shell note and tree was the same.
"""

from __future__ import annotations

import pytest

from tests.fetch.test_bounded import _bs4_as_written, _tree
from tests.helpers import html_page
from verifier.fetch.content import JS_SHELL_NOTE, SHELL_TEXT_CHARS, SHELL_VISIBLE_CHARS
from verifier.toolkit.pages import built_by_javascript

_HIDES = "<style>.sr{display:none}</style>"


def test_upper_case_tags_and_attributes_hide_as_lower_case_ones() -> None:
    html = (
        f"<html><head>{_HIDES}<TITLE>Acme Cloud</TITLE></head><body>"
        '<P CLASS="x SR sr">Hidden pricing</P><p>Shown</p>'
        '<A HREF="/x" REL="Me  Author" Rel="other">l</A>'
        '<TABLE><TR><TD HEADERS="a \t b" Class="sr">Hidden cell</TD></TR></TABLE>'
        '<a rel="nofollow">m</a><FORM ACCEPT-CHARSET="utf-8 latin1"></FORM>'
        "</body></html>"
    )
    page = html_page(html)
    # bs4's own tree (the same multi-valued lists), the names lower-cased by lxml.
    assert _tree(page.soup) == _tree(_bs4_as_written(page.text))
    first, second = page.soup.find_all("a")
    assert first.attrs == {"href": "/x", "rel": ["Me", "Author"]}
    assert second.attrs == {"rel": ["nofollow"]}
    assert page.soup.find("td").attrs == {"headers": ["a", "b"], "class": ["sr"]}
    assert page.soup.find("form").attrs == {"accept-charset": ["utf-8", "latin1"]}
    # The class the style hides still hides, whatever its case in the markup.
    assert page.visible_text == "Acme Cloud Shown l m"
    hidden = " ".join(h.text for h in page.hidden_passages)
    assert "Hidden pricing" in hidden
    assert "Hidden cell" in hidden


@pytest.mark.parametrize("space", ["\xa0", "\x0c", "\u3000", "&#12;"])
def test_a_class_list_with_odd_whitespace_splits_as_bs4s_own(space: str) -> None:
    html = f'<html><head>{_HIDES}</head><body><p class="a{space}sr">odd</p><p>plain</p></body>'
    page = html_page(html)
    assert _tree(page.soup) == _tree(_bs4_as_written(page.text))


def _shell_page(visible: int, padding: str, scripts: int, where: str) -> str:
    run = "<script>1</script>" * scripts
    return (
        f"<html><head>{_HIDES}{run if where == 'head' else ''}</head><body>"
        f"<p>{'y' * visible}</p>{padding}{run if where == 'body' else ''}</body></html>"
    )


_PADDING = {
    "none": "",
    "hidden": "<p hidden>" + "z" * 300 + "</p>",
    "class": '<p CLASS="sr">' + "z" * 300 + "</p>",
    "noscript": "<noscript>" + "n" * 300 + "</noscript>",
    "template": "<template>" + "t" * 300 + "</template>",
}


@pytest.mark.parametrize("where", ["head", "body"])
@pytest.mark.parametrize("padding", list(_PADDING))
@pytest.mark.parametrize(
    "visible",
    [SHELL_VISIBLE_CHARS - 1, SHELL_VISIBLE_CHARS, SHELL_TEXT_CHARS - 1, SHELL_TEXT_CHARS],
)
def test_hidden_text_at_the_bounds_does_not_hide_a_shell_from_read_page(
    visible: int, padding: str, where: str
) -> None:
    # read_page judges by the text a visitor sees: 300 hidden characters do not make a
    # page with scripts and under 80 visible ones anything but a shell.
    page = html_page(_shell_page(visible, _PADDING[padding], 1, where))
    assert built_by_javascript(page) is (visible < SHELL_VISIBLE_CHARS)
    assert (
        built_by_javascript(html_page(_shell_page(visible, _PADDING[padding], 0, where))) is False
    )


@pytest.mark.parametrize("where", ["head", "body"])
@pytest.mark.parametrize("padding", ["none", "template"])
@pytest.mark.parametrize("visible", [SHELL_TEXT_CHARS - 1, SHELL_TEXT_CHARS])
def test_the_fetch_layer_note_counts_scripts_in_the_head_too(
    visible: int, padding: str, where: str
) -> None:
    # The text the fetch layer measures leaves out <template> (and scripts): 199
    # characters and 300 of template are a shell's, with its two scripts named.
    notes = list(html_page(_shell_page(visible, _PADDING[padding], 2, where)).shape_notes)
    shell = visible < SHELL_TEXT_CHARS
    assert notes == (
        [
            f"{JS_SHELL_NOTE} ({visible} characters, 2 script(s)): the page may need a "
            "browser; a person should look"
        ]
        if shell
        else []
    )


_TITLES = (
    "<html><head><template><title>Template</title></template>"
    "<noscript><title>Noscript</title></noscript></head><body>"
    "<svg><title>Tooltip</title></svg><SVG><TITLE>Tooltip2</TITLE></SVG>"
    "<math><title>Math</title></math><svg><p>out</p><title>Broken</title></svg>"
    "<TITLE>Real</TITLE></body></html>"
)


@pytest.mark.parametrize("first", ["document_title", "every_title"])
def test_titles_read_by_two_checks_in_either_order_are_the_same(first: str) -> None:
    page = html_page(_TITLES)
    if first == "every_title":  # the whole list found (and kept) before the tab's title
        every = page.every_title()
        tab = page.document_title
    else:
        tab = page.document_title
        every = page.every_title()
    # lxml moves the <p> and the title after it out of the broken <svg>: the tab shows
    # the first title outside template/noscript and foreign content.
    assert tab == "Broken"
    assert every == ["Tooltip", "Tooltip2", "Math", "Broken", "Real"]
    # A second check, and the copy the fetch layer makes with notes, read the same.
    other = page.with_notes("a note")
    assert (other.document_title, other.every_title()) == (tab, every)
    assert (page.document_title, page.every_title()) == (tab, every)
    # Each title read is the one a fresh walk of the tree finds (but the inert two).
    fresh = html_page(_TITLES)
    titles = fresh.soup.find_all("title")
    assert len(titles) == 7
    assert [t.get_text() for t in titles[2:]] == every
