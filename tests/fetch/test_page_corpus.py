"""The corpus of reading pages reaches every branch of how a page is read (issue 10).

``tests/fetch/page_corpus.py`` holds the pages a second reader of pages is compared on;
these tests read each as the fetch layer reads it (``Page.view``, its shape notes, the
titles, the scripts) and check that together they produce every hiding reason
``verifier.fetch.visibility`` can give, hidden and visible links of each kind, both shape
notes and every kind of title, so that the corpus cannot silently stop covering a branch
(a reason added to the reader and missing here fails the first tests).
"""

from __future__ import annotations

import ast
import functools
import inspect
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass

import pytest

from tests.fetch.page_corpus import READING_PAGES, random_page
from tests.helpers import html_page
from verifier.fetch import css, visibility
from verifier.fetch.content import JS_SHELL_NOTE
from verifier.fetch.visibility import Link, PageView

_RANDOM_SEEDS = range(120)


@dataclass(frozen=True)
class _Reading:
    """What the fetch layer reads of one page."""

    html: str
    view: PageView
    notes: tuple[str, ...]
    document_title: str
    every_title: tuple[str, ...]
    scripts: int


def _read(html: str) -> _Reading:
    page = html_page(html, url="http://corpus.test/dir/page.html")
    return _Reading(
        html,
        page.view,
        page.shape_notes,
        page.document_title,
        tuple(page.every_title()),
        page.script_count,
    )


@functools.cache
def _corpus() -> tuple[_Reading, ...]:
    return tuple(_read(html) for html in READING_PAGES)


def _reasons(readings: Iterable[_Reading]) -> set[str]:
    return {h.reason for r in readings for h in r.view.hidden} | {
        link.hidden for r in readings for link in r.view.links if link.hidden
    }


def _links(readings: Iterable[_Reading] | None = None) -> list[Link]:
    return [link for r in (readings or _corpus()) for link in r.view.links]


def _texts_of(function: object) -> set[str]:
    """The literal strings a function of the reader returns or assigns (either branch of
    a conditional expression too): its fixed reasons, read from its source."""
    tree = ast.parse(inspect.getsource(function))  # type: ignore[arg-type]

    def literals(value: ast.expr | None) -> Iterable[str]:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            yield value.value
        elif isinstance(value, ast.IfExp):
            yield from literals(value.body)
            yield from literals(value.orelse)

    return {
        text
        for node in ast.walk(tree)
        if isinstance(node, ast.Return | ast.Assign)
        for text in literals(node.value)
    }


# --- the corpus itself --------------------------------------------------------------------


def test_the_corpus_has_enough_distinct_small_pages() -> None:
    assert len(READING_PAGES) >= 150
    assert len(set(READING_PAGES)) == len(READING_PAGES), "a page is there twice"
    assert all(isinstance(html, str) for html in READING_PAGES)


# --- every hiding reason ------------------------------------------------------------------


@pytest.mark.parametrize(
    "reason",
    sorted({*visibility._NOT_RENDERED.values(), *visibility._SVG_NOT_RENDERED.values()}),
)
def test_the_corpus_yields_every_reason_of_not_rendered_elements(reason: str) -> None:
    assert reason in _reasons(_corpus())


def test_the_corpus_yields_every_reason_an_element_gives_itself() -> None:
    # The fixed reasons of _own_reason (template, object, hidden, dialog, popover,
    # aria-hidden): read from its source, so a reason added there must be added here.
    fixed = _texts_of(visibility._own_reason)
    assert {"a <template>", "a closed <dialog>", 'aria-hidden="true"'} <= fixed
    assert fixed <= _reasons(_corpus()), fixed - _reasons(_corpus())


def test_the_corpus_yields_every_reason_a_link_gives_itself() -> None:
    own = {text for text in _texts_of(visibility._links) if text.startswith("a link ")}
    assert len(own) == 2
    assert own <= {link.hidden for link in _links()}


@pytest.mark.parametrize(
    "prop",
    [
        *(prop for prop, _ in css._HIDES),
        "color",
        "-webkit-text-fill-color",
        "width",
        "max-width",
        "height",
        "max-height",
    ],
)
def test_the_corpus_hides_by_every_inline_declaration(prop: str) -> None:
    # Every property hiding_declaration reads, as a reason of an inline style.
    assert any(
        r.startswith(f"{prop}:") and r.endswith(" in its style attribute")
        for r in _reasons(_corpus())
    )


def test_the_corpus_also_shows_styles_just_short_of_hiding() -> None:
    # The thresholds are met from both sides: the same property hides on one page and
    # shows its text on another.
    shown = " ".join(r.view.visible_text for r in _corpus() if "styled text" in r.html)
    hidden = [h for r in _corpus() for h in r.view.hidden if h.text == "styled text"]
    assert shown.count("styled text") >= 20
    assert len(hidden) >= 60


@pytest.mark.parametrize(
    "pattern",
    [
        r"^the rule \.promo \{display:none\} of the page's <style>$",  # class
        r"^the rule #secret \{visibility:hidden\}",  # id
        r"^the rule aside \{opacity:0\}",  # tag
        r"^the rule \[data-x\] ",  # attribute present
        r"^the rule \[rel=\"a b\"\] ",  # multi-valued attribute
        r"^the rule \[class~=x\] ",  # one word of a class
        r"^the rule \[class=\"a b\"\] ",  # a class value with odd whitespace
        r"^the rule \[title='A' i\] ",  # case-insensitive attribute
        r"^the rule \* \{display:none\}",  # every element
        r"^the rule \.p:not\(\.shown\) ",  # a negation
        r"^the rule \.h:not\(:hover\) ",  # hidden unless hovered
        r"^the rule \.imp \{display:none\}",  # a data: stylesheet, linked or imported
        r"^the rule \.b64 \{display:none\}",  # base64 data: CSS
        r"^the rule \.sc \{display:none\}",  # @media screen
        r"^the rule \.k \(one of 256\+ hiding rules\)",  # too many rules on one key
        r"\(a selector of \d+ characters, too long to read",
        r"^more than 256 rules of the page's <style> to try on it$",
    ],
)
def test_the_corpus_hides_by_every_kind_of_style_rule(pattern: str) -> None:
    assert any(re.search(pattern, reason) for reason in _reasons(_corpus()))


@pytest.mark.parametrize(
    "text",
    [
        "print only",  # @media print
        "hover only",  # :hover
        "pseudo element",  # ::before
        "alternate sheet",  # <link rel="alternate stylesheet">
        "print link",  # <link media=print>
        "remote link",  # a sheet that is not fetched
        "imported for print",  # @import ... print
        "style media print",  # <style media=print>
        "one",  # .a.b does not select class="a" alone
    ],
)
def test_rules_that_hide_nothing_from_a_visitor_leave_their_text_seen(text: str) -> None:
    assert any(
        re.search(rf"\b{re.escape(text)}\b", r.view.visible_text)
        for r in _corpus()
        if "<style" in r.html or "<link" in r.html
    )


def test_a_use_shows_what_defs_and_symbol_hide_but_not_past_100_uses() -> None:
    seen = " ".join(r.view.visible_text for r in _corpus())
    hidden = {h.text for r in _corpus() for h in r.view.hidden}
    for shown in ("Acme shown by use", "xlink shown", "symbol child via use", "exactly 100 uses"):
        assert shown in seen
    for kept in ("hidden use target", "use in hidden div", "too many uses", "not local"):
        assert kept in hidden


# --- links --------------------------------------------------------------------------------


def test_the_corpus_has_visible_links_of_each_kind() -> None:
    visible = [link for link in _links() if link.hidden is None]
    by_href = {link.href: link for link in visible}
    assert by_href["http://corpus.test/plain"].text == "plain link"  # words
    assert by_href["http://corpus.test/img"].text == "Alt text"  # an image's alt
    assert by_href["http://corpus.test/img-noalt"].text == ""  # an image without alt
    assert by_href["http://corpus.test/svg"].text == ""  # an svg
    assert by_href["http://corpus.test/both"].text == "words"  # words win over alt
    assert by_href["http://corpus.test/part"].text == "shown"  # hidden words left out
    assert by_href["http://corpus.test/dir/rel/path?q=1#f"].text == "relative"
    assert "http://host.test/" in by_href  # scheme-relative
    assert "http://corpus.test/dir/page.html" in by_href  # an empty href


def test_the_corpus_has_hidden_links_of_each_kind() -> None:
    hidden = {link.href: link for link in _links() if link.hidden is not None}
    assert hidden["http://corpus.test/in-hidden"].hidden == "the hidden attribute"  # parent
    assert hidden["http://corpus.test/h"].hidden == "the hidden attribute"  # itself
    assert hidden["http://corpus.test/h"].text == "hidden link"
    assert hidden["http://corpus.test/h2"].text == "alt hidden style"  # alt of a hidden link
    assert hidden["http://corpus.test/ah"].hidden == 'aria-hidden="true"'
    assert hidden["http://corpus.test/rule-link"].hidden.startswith("the rule .hid ")
    assert hidden["http://corpus.test/t"].hidden == "a <template>"
    assert hidden["http://corpus.test/empty"].hidden == "a link with no text or image to click"
    assert hidden["http://corpus.test/zw"].hidden == "a link with no text or image to click"
    for tiny in ("tiny", "tiny-style", "zero", "svg-tiny"):
        assert hidden[f"http://corpus.test/{tiny}"].hidden.startswith("a link whose only image")
    assert hidden["http://corpus.test/img-hidden"].hidden.startswith("a link with no text")


def test_the_corpus_has_anchors_that_make_no_link() -> None:
    # A malformed href is no link; an <a> without href is none either.
    page = next(r for r in _corpus() if "http://[bad" in r.html)
    assert len(page.view.links) < page.html.count("<a href")


# --- shape notes and titles ---------------------------------------------------------------


def test_the_corpus_yields_both_shape_notes_and_pages_that_get_none() -> None:
    notes = [note for r in _corpus() for note in r.notes]
    assert any(note.startswith(JS_SHELL_NOTE) for note in notes)
    assert any(note.startswith("answered 200 but reads like a 'not found' page") for note in notes)
    scripted_text = [r for r in _corpus() if r.scripts and not r.notes]
    assert scripted_text, "no page runs scripts with enough text to be no shell"
    assert {0, 1, 2} <= {r.scripts for r in _corpus()}


def test_the_corpus_has_every_kind_of_title() -> None:
    readings = _corpus()
    # The head's title: the view's title and the tab's.
    assert any(r.view.title and r.document_title == r.view.title for r in readings)
    # A title the parser put in the body: the tab shows it, the view has none.
    assert any(r.document_title and not r.view.title for r in readings)
    # An SVG or MathML title only: no tab title, but every_title has it.
    assert any(not r.document_title and r.every_title for r in readings)
    # A title in a <foreignObject>, or past an SVG breakout: the tab's.
    assert any(r.document_title == "Foreign object title" for r in readings)
    assert any(r.document_title == "Broken svg title" for r in readings)
    # Inert titles (template, noscript): none at all.
    assert any("<template><title>" in r.html and not r.every_title for r in readings)
    assert any("<noscript><title>" in r.html and not r.every_title for r in readings)
    # Several titles: the first one is the tab's.
    assert any(len(r.every_title) >= 2 and r.document_title == "First" for r in readings)


# --- random pages -------------------------------------------------------------------------


def test_random_pages_are_the_same_for_the_same_seed() -> None:
    assert random_page(random.Random(7)) == random_page(random.Random(7))
    pages = {random_page(random.Random(seed)) for seed in range(20)}
    assert len(pages) == 20


def test_random_pages_hold_1_to_200_elements() -> None:
    counts = [
        len(re.findall(r"<[a-zA-Z]", random_page(random.Random(seed)))) for seed in _RANDOM_SEEDS
    ]
    assert min(counts) >= 1
    assert max(counts) <= 200 + 5  # the skeleton (html, head, body, title, style) aside
    assert max(counts) > 100


def test_random_pages_reach_rules_uses_links_and_notes() -> None:
    readings = [_read(random_page(random.Random(seed))) for seed in _RANDOM_SEEDS]
    reasons = _reasons(readings)
    # The random <style> rules select the same classes and ids the elements carry.
    assert any(r.startswith("the rule .") for r in reasons)
    assert any(r.startswith("the rule #") for r in reasons)
    assert any(r.endswith(" in its style attribute") for r in reasons)
    assert {"the hidden attribute", "an SVG <defs>"} <= reasons
    links = _links(readings)
    assert any(link.hidden is None for link in links)
    assert any(link.hidden is not None for link in links)
    assert any(r.notes for r in readings)
    assert any(r.scripts for r in readings)
