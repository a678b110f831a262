"""The fetch layer reads a page from lxml's own tree as bs4's tree read it (issue 10).

``verifier.fetch.treeread.read_markup`` reads every fetched page (its view, titles, shape
notes, scripts) without building bs4's tree; checks that walk ``page.soup`` get the same
verdicts laid onto bs4's tree (``visibility.SoupMarks``). Any difference from what the
bs4 tree gave is a possible false verdict, so these tests compare every reading with the
code that read bs4's tree before (``tests/fetch/reading_oracle.py``, kept as it was) on
every fixture page, odd markup, spliced pages and random pages.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from tests.fetch.page_corpus import READING_PAGES, random_page
from tests.fetch.reading_oracle import bs4_marks, bs4_reading, with_outer_attributes
from tests.fetch.test_bounded import _ODD_MARKUP
from tests.fetch.test_tree_builder import _spliced
from tests.helpers import html_page
from verifier.fetch.bounded import parse
from verifier.fetch.page import Page, _Builder
from verifier.fetch.treeread import read_markup

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "fixtures").rglob("*.html"))
BASE = "http://applicant.example/dir/page.html"


def _lxml_reading(text: str) -> dict[str, Any]:
    read = read_markup(text, BASE)
    return {
        "title": read.view.title,
        "visible_text": read.view.visible_text,
        "hidden": read.view.hidden,
        "links": read.view.links,
        "notes": read.notes,
        "document_title": read.document_title,
        "titles": read.titles,
        "scripts": read.scripts,
        "headings": read.view.headings,
    }


def _lxml_marks(page: Page, limit: int = 200) -> list[Any]:
    out = []
    for tag in page.soup.find_all(True, limit=limit):
        shown = (page.shown_text(tag), page.shown_text(tag, hidden_too=True))
        out.append((tag.name, page.hidden_reason(tag), *shown))
    return out


def _same(html: str) -> None:
    page = html_page(html, BASE)  # as fetched: the marks are laid on the page's soup
    text = page.text
    assert _lxml_reading(text) == bs4_reading(text, BASE)
    if page.is_html:
        soup = with_outer_attributes(parse(text, builder=_Builder(None)), text)
        assert _lxml_marks(page) == bs4_marks(soup, BASE)


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_fixture_page_reads_as_the_bs4_tree_read_it(path: Path) -> None:
    _same(html_page(path.read_bytes().decode("utf-8", "replace"), BASE).text)


@pytest.mark.parametrize("html", _ODD_MARKUP)
def test_odd_markup_reads_as_the_bs4_tree_read_it(html: str) -> None:
    _same(html)


@pytest.mark.parametrize("seed", range(150))
def test_a_spliced_page_reads_as_the_bs4_tree_read_it(seed: int) -> None:
    _same(_spliced(seed))


@pytest.mark.parametrize("n", range(len(READING_PAGES)))
def test_a_corpus_page_reads_as_the_bs4_tree_read_it(n: int) -> None:
    _same(READING_PAGES[n])


@pytest.mark.parametrize("seed", range(300))
def test_a_random_page_reads_as_the_bs4_tree_read_it(seed: int) -> None:
    _same(random_page(random.Random(seed)))


@pytest.mark.parametrize(
    ("rule", "element", "hidden"),
    [
        (r"[a\1 b]{display:none}", "<p a\x01b=1>", True),
        (r"[\{urn\:x\}y]{display:none}", "<p {urn:x}y=1>", True),
        (r"[a\1 b]{display:none}", "<p>", False),
        (r"[\{urn\:x\}y]{display:none}", "<p y=1>", False),
    ],
)
def test_a_rule_on_an_attribute_lxml_will_not_look_up_reads_as_bs4_read_it(
    rule: str, element: str, hidden: bool
) -> None:
    # lxml refuses to look up a name holding a control character (a ValueError: a
    # traceback, where bs4's tree answered) and reads `{urn:x}y` as a namespaced `y` (the
    # rule then selected nothing: hidden pricing read as visible). Names are compared as
    # written, as a browser does.
    text = f"<html><head><style>{rule}</style></head><body>{element}Proto Lens pricing</p>"
    assert ("pricing" in read_markup(text, BASE).view.visible_text) is not hidden
    _same(text)
