"""Reading a directory page is gathering candidates, then a pure decision on each: the
decision is table-tested here without a page or a server. A directory page many runs
read (a re-check's shared pages) is walked once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest

from tests.helpers import html_page
from verifier import CheckContext, Page
from verifier.toolkit import (
    Candidate,
    Directory,
    Listing,
    decide_entry,
    directory,
    next_page,
    read_directory,
)

HREF = "https://acme.example/"


@pytest.mark.parametrize(
    ("candidate", "seen", "hidden"),
    [
        pytest.param(
            Candidate("link", "Acme Cloud Economics", "Acme Cloud Economics", HREF),
            Listing("Acme Cloud Economics", HREF, None),
            None,
            id="a visible link is a listing with its link",
        ),
        pytest.param(
            Candidate("img-alt", "Acme logo", "Acme logo"),
            Listing("Acme", None, None),
            None,
            id="a logo's alt text names the organisation without the word logo",
        ),
        pytest.param(
            Candidate("list-item", "  Acme\n  Cloud  ", "  Acme\n  Cloud  "),
            Listing("Acme Cloud", None, None),
            None,
            id="spacing is collapsed",
        ),
        pytest.param(
            Candidate("link", "Acme", "Acme", HREF, hidden="display:none"),
            None,
            Listing("Acme", HREF, "display:none"),
            id="a hidden element is no listing, only set aside with why",
        ),
        pytest.param(
            Candidate("list-item", "Acme Cloud Economics", "Acme", HREF, part_hidden="hidden"),
            Listing("Acme", HREF, None),
            Listing("Acme Cloud Economics", HREF, "hidden"),
            id="a hidden part of a name: what shows is listed, the full name set aside",
        ),
        pytest.param(
            Candidate("list-item", "Acme", "Acme", HREF, link_hidden="aria-hidden"),
            Listing("Acme", None, None),
            Listing("Acme", HREF, "aria-hidden"),
            id="a hidden link: the name is listed without it, the link set aside",
        ),
        pytest.param(
            Candidate("link", "Next »", "Next »", "https://dir.example/?page=2"),
            None,
            None,
            id="a pagination link lists nobody",
        ),
        pytest.param(
            Candidate("link", "2", "2", "https://dir.example/?page=2"),
            None,
            None,
            id="a page number lists nobody",
        ),
        pytest.param(Candidate("link", "A", "A"), None, None, id="one character is no name"),
        pytest.param(
            Candidate("list-item", "x" * 121, "x" * 121), None, None, id="a paragraph is no name"
        ),
        pytest.param(
            Candidate("list-item", "Acme Cloud", "", part_hidden="visibility:hidden"),
            None,
            Listing("Acme Cloud", None, "visibility:hidden"),
            id="an element whose whole text is hidden lists nobody a visitor sees",
        ),
    ],
)
def test_decide_entry(candidate: Candidate, seen: Listing | None, hidden: Listing | None) -> None:
    assert decide_entry(candidate) == (seen, hidden)


# -- a directory page read by many runs ---------------------------------------------------

MEMBERS = Path(__file__).resolve().parents[2] / "fixtures/sites/www.finops.example/members"
FIRST = "http://www.finops.example/members/"
SECOND = "http://www.finops.example/members/page/2/"


class _Context:
    """What ``read_directory`` uses of a check's context: ``fetch`` from a cache of pages
    (as a re-check's shared fetch cache gives the same Page to every partner), and
    ``read``, which runs the walk and notes which page was sent to a reader."""

    def __init__(self, pages: dict[str, Page]) -> None:
        self.pages = pages
        self.reads: list[str] = []

    async def fetch(self, url: str) -> Page:
        return self.pages[url]

    async def read(self, fn: Callable[..., Any], page: Page, *args: Any) -> Any:
        self.reads.append(page.url)
        return fn(page, *args)


def _directory_pages() -> dict[str, Page]:
    return {
        FIRST: html_page((MEMBERS / "index.html").read_text(), FIRST),
        SECOND: html_page((MEMBERS / "page/2/index.html").read_text(), SECOND),
    }


def _read(ctx: _Context) -> Directory:
    return asyncio.run(read_directory(cast(CheckContext[Any], ctx), FIRST, max_pages=5))


def _listed(directory: Directory) -> list[tuple[str, str | None, str, str | None, str]]:
    return [(e.name, e.href, e.how, e.hidden, e.page.url) for e in directory.entries]


def test_a_directory_page_other_runs_read_is_walked_once_with_the_same_entries() -> None:
    # A re-check reads the shared directory pages (the same Page objects) for every
    # partner: the first walks each page (its entries, then its next page) in a reader,
    # the others take what the page kept, and find what a page read alone gives.
    shared = _directory_pages()
    first, second = _Context(shared), _Context(shared)
    read_first, read_second = _read(first), _read(second)
    alone = _read(_Context(_directory_pages()))
    assert first.reads == [FIRST, FIRST, SECOND, SECOND]
    assert second.reads == []
    assert _listed(read_first) == _listed(read_second) == _listed(alone)
    assert [p.url for p in read_second.pages] == [FIRST, SECOND]
    assert (read_second.problem, read_second.unread) == (None, None)
    assert "Initech Softworks" in [e.name for e in read_second.entries]


def test_next_page_is_worked_out_once_per_page(monkeypatch: pytest.MonkeyPatch) -> None:
    walks: list[str] = []
    walk = directory._next_page

    def counting(page: Page) -> str | None:
        walks.append(page.url)
        return walk(page)

    monkeypatch.setattr(directory, "_next_page", counting)
    page = _directory_pages()[FIRST]
    assert next_page(page) == next_page(page) == SECOND
    assert walks == [FIRST]
