"""Reading one page, with every outcome a check must tell apart.

A check that reads several pages (case studies, alignment pages, group pages) must not
stop at the first fault: :func:`read_page` turns each answer into a :class:`Read` whose
``state`` says whether the page can be judged (``ok``), is evidence of absence (``gone``:
404, 410, or a "page not found" page answering 200), could not be had (``fault``: the
check decides whether that changes its verdict), or cannot be read by a program
(``unreadable``: not HTML, or an empty shell that JavaScript fills in; a person must read
it). A page we cannot read is never taken as a page that says nothing.

The "not found" and "empty shell" rules are the fetch layer's
(:func:`verifier.fetch.content.soft_404` and :func:`~verifier.fetch.content.script_shell`):
one rule, applied once, whether a reviewer reads the page's notes or a check its state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from verifier.checks import CheckContext
from verifier.errors import FetchError
from verifier.fetch.content import SHELL_VISIBLE_CHARS, script_shell, soft_404
from verifier.fetch.page import Page

__all__ = ["GONE", "PageState", "Read", "built_by_javascript", "read_page"]

GONE = (404, 410)
"""Statuses meaning the page does not exist: an answer, not a fault."""

PageState = Literal["ok", "gone", "fault", "unreadable"]
"""What became of a page: see :attr:`Read.state`."""


@dataclass(frozen=True)
class Read:
    """What became of one page."""

    url: str
    """The URL asked."""
    page: Page | None
    """The answer, if there was one."""
    state: PageState
    """``ok`` (2xx HTML, or any 2xx body when HTML was not required), ``gone`` (404/410,
    or a "not found" page answering 2xx), ``fault`` (no answer, or another status),
    ``unreadable`` (2xx but not HTML when HTML was required, or an empty script shell)."""
    reason: str
    """Why it is not ``ok``, as a phrase ("answered 404"); empty when ``ok``."""


def built_by_javascript(page: Page) -> bool:
    """Whether a 2xx HTML page is an empty shell that scripts fill in: it runs scripts and
    shows a visitor almost no text (:func:`verifier.fetch.content.script_shell`)."""
    if page.needs_javascript:
        return True
    visible = page.visible_text
    if len(visible) >= SHELL_VISIBLE_CHARS:
        return False  # this much text is no shell, whatever it runs
    return script_shell(page.script_count, visible=visible)


async def read_page(ctx: CheckContext[Any], url: str, *, html: bool = True) -> Read:
    """Fetch ``url`` (recorded as evidence by ``ctx.fetch``) and classify the answer.

    :param ctx: the check's context; the fetch goes through ``ctx.fetch``.
    :param url: the page to read.
    :param html: whether the check needs an HTML page (the default). With ``html=False``
        any 2xx body is ``ok`` (a ``security.txt``, a JSON answer): only 404/410 is
        ``gone`` and only a missing answer or another status a ``fault``.
    :return: a :class:`Read`; never raises for a fetch that failed.
    """
    try:
        page = await ctx.fetch(url)
    except FetchError as exc:
        return Read(url, None, "fault", f"could not be fetched ({exc.reason})")
    if page.status in GONE:
        return Read(url, page, "gone", f"answered {page.status}: the page does not exist")
    if not page.ok:
        return Read(url, page, "fault", f"answered {page.status}")
    if not html:
        return Read(url, page, "ok", "")
    if not page.is_html:
        kind = page.content_type or "an untyped body"
        return Read(url, page, "unreadable", f"is {kind}, not HTML; a person must read it")
    # Every title, SVG's included: where lxml and a browser's parser disagree on which
    # <title> the tab shows (around SVG they do), a "not found" page must not pass.
    titles = _titles(page)
    gone = next((t for t in titles if soft_404(t)), None)
    if gone is not None:
        return Read(url, page, "gone", f"answered {page.status} with the title {gone!r}")
    if built_by_javascript(page):
        return Read(
            url,
            page,
            "unreadable",
            "has almost no text and runs scripts (a page built by JavaScript?); "
            "a person must read it",
        )
    return Read(url, page, "ok", "")


def _titles(page: Page) -> list[str]:
    """The title the tab shows, then every other title (read with the page)."""
    return [page.document_title, *page.every_title()]
