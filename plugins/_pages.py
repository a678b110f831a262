"""Reading one page a submission points to, with every outcome a check must tell apart.

A check that reads several pages (case studies, alignment pages, group pages) must not
stop at the first fault: :func:`read_page` turns each answer into a :class:`Read` whose
``state`` says whether the page can be judged (``ok``), is evidence of absence (``gone``:
404, 410, or a "page not found" page answering 200), could not be had (``fault``: the
check decides whether that changes its verdict), or cannot be read by a program
(``unreadable``: not HTML, or an empty shell that JavaScript fills in, by our own measure
or the fetch layer's note; a person must read it). A page we cannot read is never taken
as a page that says nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from verifier import CheckContext, FetchError, Page

GONE = (404, 410)
"""Statuses meaning the page does not exist: an answer, not a fault."""
MIN_TEXT = 80
"""Characters of visible text under which a page that runs scripts is an empty shell."""
_SOFT_404 = re.compile(r"\b(404|page not found|page cannot be found)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Read:
    """What became of one page."""

    url: str
    """The URL asked."""
    page: Page | None
    """The answer, if there was one."""
    state: str
    """``ok`` (2xx HTML), ``gone`` (404/410), ``fault`` (no answer, or another status),
    ``unreadable`` (2xx but not HTML, or an empty script shell)."""
    reason: str
    """Why it is not ``ok``, as a phrase ("answered 404"); empty when ``ok``."""


def built_by_javascript(page: Page) -> bool:
    """Whether a 2xx HTML page is an empty shell that scripts fill in: it runs scripts and
    shows almost no text, or the fetch layer noted it needs JavaScript."""
    if page.needs_javascript:
        return True
    runs_scripts = page.soup.find("script") is not None
    return runs_scripts and len(page.visible_text) < MIN_TEXT


async def read_page(ctx: CheckContext[Any], url: str) -> Read:
    """Fetch ``url`` (recorded as evidence by ``ctx.fetch``) and classify the answer."""
    try:
        page = await ctx.fetch(url)
    except FetchError as exc:
        return Read(url, None, "fault", f"could not be fetched ({exc.reason})")
    if page.status in GONE:
        return Read(url, page, "gone", f"answered {page.status}: the page does not exist")
    if not page.ok:
        return Read(url, page, "fault", f"answered {page.status}")
    if not page.is_html:
        kind = page.content_type or "an untyped body"
        return Read(url, page, "unreadable", f"is {kind}, not HTML; a person must read it")
    title = page.soup.title.get_text(" ", strip=True) if page.soup.title else ""
    if _SOFT_404.search(title):
        return Read(url, page, "gone", f"answered {page.status} with the title {title!r}")
    if built_by_javascript(page):
        return Read(
            url,
            page,
            "unreadable",
            "has almost no text and runs scripts (a page built by JavaScript?); "
            "a person must read it",
        )
    return Read(url, page, "ok", "")
