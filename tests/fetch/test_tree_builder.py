"""The page parser builds bs4's own tree, field for field (issue 10).

``verifier.fetch.page._Builder`` makes each tag and string itself, as bs4's handlers
would, for what an HTML parser reports; every check and the page's view read that tree,
so any difference is a possible false verdict. These tests compare every field of every
node (its class, its text, its attributes and their classes, and its links to the other
nodes, as positions in document order) with the tree bs4's own lxml builder makes: on
every fixture page, on odd markup, and on pages made by cutting and splicing fixture
pages with markup that takes bs4 or lxml off their usual path.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag

from tests.fetch.test_bounded import _ODD_MARKUP, _bs4_as_written
from tests.helpers import html_page
from verifier.fetch.bounded import parse
from verifier.fetch.page import _Builder

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "fixtures").rglob("*.html"))

_LINKS = ("parent", "previous_element", "next_element", "previous_sibling", "next_sibling")
_PARSE_STATE = {"markup", "element_classes", "current_data", "open_tag_counter"}
_BUILDER = "builder"  # the document's builder: ours, or bs4's own here
_STACKS = {"tagStack", "preserve_whitespace_tag_stack", "string_container_stack"}


def _nodes(soup: BeautifulSoup) -> list[list[Any]]:
    """Every node of ``soup`` in document order, each with every field bs4 gave it."""
    nodes = [soup, *soup.descendants]
    place = {id(node): n for n, node in enumerate(nodes)}

    def at(node: object) -> object:
        return None if node is None else place.get(id(node), "outside the tree")

    out = []
    for node in nodes:
        fields: list[Any] = [
            type(node).__name__,
            str.__str__(node) if isinstance(node, str) else None,
        ]
        for name, value in sorted(vars(node).items()):
            if name in _LINKS or name in ("currentTag", "_most_recent_element"):
                value = at(value)
            elif name == "contents" or name in _STACKS:
                value = [at(child) for child in value]
            elif name == "attrs":
                value = [type(value).__name__] + [
                    (
                        type(k).__name__,
                        str(k),
                        type(v).__name__,
                        repr(v),
                        sorted(getattr(v, "__dict__", {}).items()),
                    )
                    for k, v in value.items()
                ]
            elif name == "interesting_string_types":
                value = None if value is None else sorted(kind.__name__ for kind in value)
            elif name == _BUILDER:
                value = None
            elif name in _PARSE_STATE:
                value = type(value).__name__ if name != "open_tag_counter" else dict(value)
            else:
                value = repr(value)
            fields.append((name, value))
        out.append(fields)
    return out


def _same_as_bs4(html: str) -> None:
    # The parser the fetch layer runs on a page's text (a page sniffed as not HTML is
    # not parsed at all: markup alone can be), against bs4's own builder.
    ours, theirs = _nodes(parse(html, builder=_Builder(None))), _nodes(_bs4_as_written(html))
    assert len(ours) == len(theirs)
    for n, (mine, own) in enumerate(zip(ours, theirs, strict=True)):
        assert mine == own, f"node {n} differs"


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(ROOT / "fixtures")))
def test_every_node_of_a_fixture_page_is_the_one_bs4_builds(path: Path) -> None:
    _same_as_bs4(path.read_text(encoding="utf-8", errors="replace"))


@pytest.mark.parametrize("html", _ODD_MARKUP, ids=map(str, range(len(_ODD_MARKUP))))
def test_every_node_of_odd_markup_is_the_one_bs4_builds(html: str) -> None:
    _same_as_bs4(html)


# Markup that takes bs4's handlers off their usual path: whitespace kept (<pre>,
# <textarea>), strings of another class (<script>, <style>, <template>, <rt>, <rp>),
# comments, doctypes and processing instructions, namespaces, <meta> charsets, end tags
# that close more than the open tag or nothing, stray and broken tags, NUL and odd
# whitespace, multi-valued attributes on the tags bs4 lists them for.
_PIECES = (
    "<pre>", "</pre>", "<textarea>", "</textarea>", "<template>", "</template>",
    "<script>", "</script>", "<style>", "</style>", "<rt>r</rt>", "<rp>(</rp>", "<ruby>",
    "<svg>", "</svg>", "<math>", "<title>", "</title>", "<!-- c -->", "<!---->",
    "<!-- \n -->", "<!DOCTYPE html>", "<![CDATA[x]]>", "<?php x ?>", "<?xml version='1.0'?>",
    '<p class=" a  b\tc ">', "</p>", "</div>", "</b>", "<b>", "<i>", "</i>",
    '<a href="/x" rel="me  you">', "</a>", '<div {urn:x}style="display:none">',
    '<p xmlns="urn:z">', '<svg xmlns:xlink="http://www.w3.org/1999/xlink"><use xlink:href="#a"/>',
    "\x00", "\r\n", "\f", "   ", "\n\n", " \t ", "&nbsp;", "&amp;", "&#0;", "&#x1F600;",
    "<table><tr><td>x</table>", "<li>", "<ul>", "</ul>", "<meta charset='latin-1'>",
    '<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">', "<noscript>",
    "</noscript>", "<html>", "</html>", "<body>", "</body>", "<head>", "</head>", "<br/>",
    "<img src=x>", "<{urn:e}p>t</{urn:e}p>", "<P CLASS='Up'>", "<td headers='a b'>",
    "<form accept-charset='a b'>", "<select><option>x", "<plaintext>", "<xmp>", "<listing>",
    "<iframe sandbox='a b'>", "</iframe>", "<object archive='a b'>", "<X-Foo>", "</X-Foo>",
    "<a:b>", "</a:b>", "<p/>", "<div hidden>", "<", ">", "</", "<!", "\u2028", "\ufeff",
)  # fmt: skip


def _spliced(seed: int) -> str:
    chance = random.Random(seed)
    pages = [p.read_text(encoding="utf-8", errors="replace") for p in chance.sample(PAGES, 3)]
    if seed % 5 == 0:  # markup alone
        return "".join(
            chance.choice(_PIECES) + chance.choice(("x", " ", "", "text\n"))
            for _ in range(chance.randint(1, 60))
        )
    html = pages[0]
    for _ in range(chance.randint(1, 12)):
        at = chance.randint(0, len(html))
        roll = chance.random()
        if roll < 0.6:
            html = html[:at] + chance.choice(_PIECES) + html[at:]
        elif roll < 0.8:
            html = html[:at] + html[at + chance.randint(1, 200) :]
        else:
            other = chance.choice(pages[1:])
            start = chance.randint(0, len(other))
            html = html[:at] + other[start : start + chance.randint(1, 400)] + html[at:]
    return html


@pytest.mark.filterwarnings("ignore::bs4.XMLParsedAsHTMLWarning")
@pytest.mark.parametrize("seed", range(150))
def test_every_node_of_a_spliced_page_is_the_one_bs4_builds(seed: int) -> None:
    _same_as_bs4(_spliced(seed))


def test_the_comparison_sees_a_tree_that_differs() -> None:
    # The comparison itself must fail on a tree that is not bs4's: a link, a string's
    # class, an attribute's class.
    html = "<html><body><pre> a </pre><p class='x y'>t</p><script>s</script></body></html>"
    reference = _nodes(_bs4_as_written(html))
    for change in ("link", "string", "attribute"):
        soup = html_page(html).soup
        if change == "link":
            soup.p.previous_sibling = None  # type: ignore[union-attr]
        elif change == "string":
            soup.script.string.__class__ = type(soup.p.string)  # type: ignore[union-attr]
        else:
            tag = soup.p
            assert isinstance(tag, Tag)
            tag.attrs["class"] = " ".join(tag.attrs["class"])
        assert _nodes(soup) != reference, change
